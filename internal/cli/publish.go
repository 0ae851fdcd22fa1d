package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// A build publishes --out all at once, so that a crash leaves either every
// old file or every new one. The new files are staged in stageDir, then a
// journal listing the renames and removals is written and synced: that is
// the commit. The steps are applied, and the journal and the staging folder
// removed. A run that finds a journal completes it first (every step can be
// replayed), and removes a staging folder no journal names. Every write,
// rename and removal goes through an os.Root on --out, so that no path, the
// manifest's included, can lead out of it through a symbolic link.
const (
	stageDir    = ".mdmforge-stage"   // new/ the staged files and folders; old/ a roster folder being replaced
	journalName = ".mdmforge-journal" // the steps of a committed publish not yet complete
)

// A journalStep is one change a journal makes in --out; paths are relative to it,
// with forward slashes.
type journalStep struct {
	Op   string `json:"op"`             // "file" or "dir": rename From to To; "remove": remove the file To
	From string `json:"from,omitempty"` // the staged file or folder
	To   string `json:"to"`
}

type journal struct {
	Steps []journalStep `json:"steps"`
	// Keep lists every output of the run, changed or not, which no
	// removal may touch, whatever the spelling of its name.
	Keep []string `json:"keep"`
}

// outDir is --out while a run writes it: created if missing, locked and
// opened as a root.
type outDir struct {
	path    string
	root    *os.Root
	unlock  func()
	created []string // folders made for --out, removed again if the run fails
	j       journal
	staged  bool // stageDir exists
	done    bool // committed: leave the journal and staging to the next run
}

// publishCrash, when set by a test, is called before each change a publish
// makes from its commit on; returning true stops there as a crash would.
var publishCrash func() bool

var errCrashed = errors.New("publish interrupted by a test")

func crashHere() bool { return publishCrash != nil && publishCrash() }

// openOut creates --out if needed, locks it for the whole run and completes
// or cleans up what an interrupted run left.
func openOut(streams *IO, out string) (*outDir, error) {
	created, err := makeDir(out)
	d := &outDir{path: out, created: created}
	if err != nil {
		d.removeCreated()
		return nil, err
	}
	if d.unlock, err = lockDir(out); err != nil {
		d.removeCreated()
		if errors.Is(err, errLocked) {
			return nil, withHint(fmt.Errorf("another mdmforge build is writing %s", out),
				"wait for it to finish, or build into another --out")
		}
		return nil, fmt.Errorf("cannot lock %s: %v", out, unwrapPath(err))
	}
	if d.root, err = os.OpenRoot(out); err != nil {
		d.unlock()
		d.removeCreated()
		return nil, fmt.Errorf("cannot use %s: %v", out, unwrapPath(err))
	}
	if err := d.recover(streams); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// recover rolls an interrupted publish forward, or removes the staging an
// uncommitted one left, saying so in one line.
func (d *outDir) recover(streams *IO) error {
	data, err := d.root.ReadFile(journalName)
	switch {
	case err == nil:
		var j journal
		if err := json.Unmarshal(data, &j); err != nil || !j.valid() {
			return withHint(fmt.Errorf("%s is damaged; cannot complete the interrupted build", filepath.Join(d.path, journalName)),
				"remove it and build again")
		}
		if _, err := applyJournal(d.root, d.path, j); err != nil {
			return err
		}
		if err := finishJournal(d.root, d.path, j); err != nil {
			return err
		}
		fmt.Fprintf(streams.Err, "mdmforge: completed the build interrupted in %s (%d changes)\n", d.path, len(j.Steps))
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("cannot read %s: %v", filepath.Join(d.path, journalName), unwrapPath(err))
	}
	n := 0
	if _, err := d.root.Lstat(stageDir); err == nil {
		if err := d.root.RemoveAll(stageDir); err != nil {
			return fmt.Errorf("cannot remove %s: %v", filepath.Join(d.path, stageDir), unwrapPath(err))
		}
		n++
	}
	// Earlier versions staged roster folders as .NAME.tmpNNN beside them.
	entries, _ := fs.ReadDir(d.root.FS(), ".")
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !strings.HasPrefix(name, ".") || !strings.Contains(name, ".tmp") {
			continue
		}
		if _, err := d.root.Lstat(path.Join(name, rosterMarker)); err == nil && d.root.RemoveAll(name) == nil {
			n++
		}
	}
	if n > 0 {
		fmt.Fprintf(streams.Err, "mdmforge: removed %s an interrupted build left in %s\n", plural(n, "staging folder"), d.path)
	}
	return nil
}

func (j journal) valid() bool {
	ok := func(p string) bool { return p != "" && filepath.IsLocal(filepath.FromSlash(p)) }
	for _, s := range j.Steps {
		switch {
		case !ok(s.To):
			return false
		case s.Op == "remove":
		case (s.Op == "file" || s.Op == "dir") && ok(s.From) && strings.HasPrefix(s.From, stageDir+"/new/"):
		default:
			return false
		}
	}
	return true
}

// close releases --out. Before the commit it removes everything the run
// made: its staging, and the folders made for --out.
func (d *outDir) close() {
	if !d.done && d.staged {
		d.root.RemoveAll(stageDir)
	}
	d.root.Close()
	d.unlock()
	if !d.done {
		d.removeCreated()
	}
}

func (d *outDir) removeCreated() {
	for i := len(d.created) - 1; i >= 0; i-- {
		os.Remove(d.created[i]) // only if still empty
	}
}

// rel names path, which is inside --out, relative to it with forward slashes.
func (d *outDir) rel(p string) (string, error) {
	r, err := filepath.Rel(d.path, p)
	if err != nil || !filepath.IsLocal(r) {
		return "", fmt.Errorf("%s is not inside %s", p, d.path)
	}
	return filepath.ToSlash(r), nil
}

// stage stages files whose content or, for secrets, whose permissions
// differ from what --out holds, returning their paths. Nothing in --out
// changes before commit.
func (d *outDir) stage(files []outFile) ([]string, error) {
	var changed []string
	for _, f := range files {
		rel, err := d.rel(f.Path)
		if err != nil {
			return nil, err
		}
		d.j.Keep = append(d.j.Keep, rel)
		info, err := d.root.Lstat(filepath.FromSlash(rel))
		switch {
		case err == nil && info.IsDir():
			return nil, fmt.Errorf("%s is a folder; cannot write a file there", f.Path)
		case err == nil && info.Mode().IsRegular() && (!f.Secret || info.Mode().Perm()&0o077 == 0):
			if old, err := d.root.ReadFile(filepath.FromSlash(rel)); err == nil && bytes.Equal(old, f.Data) {
				continue
			}
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return nil, d.pathError(f.Path, err)
		}
		from := stageDir + "/new/" + rel
		if err := d.mkdirStage(path.Dir(from)); err != nil {
			return nil, err
		}
		if err := writeRootFile(d.root, filepath.FromSlash(from), f.Data, filePerm(f.Secret)); err != nil {
			return nil, fmt.Errorf("cannot write %s: %v", f.Path, unwrapPath(err))
		}
		d.j.Steps = append(d.j.Steps, journalStep{Op: "file", From: from, To: rel})
		changed = append(changed, f.Path)
	}
	return changed, nil
}

// stageFolder makes the staging folder that is to replace the folder name
// in --out whole, returning its path.
func (d *outDir) stageFolder(name string) (string, error) {
	from := stageDir + "/new/" + name
	if err := d.mkdirStage(from); err != nil {
		return "", err
	}
	d.j.Steps = append(d.j.Steps, journalStep{Op: "dir", From: from, To: name})
	d.j.Keep = append(d.j.Keep, name)
	return filepath.Join(d.path, filepath.FromSlash(from)), nil
}

// remove removes the file rel (relative to --out) on commit.
func (d *outDir) remove(rel string) {
	d.j.Steps = append(d.j.Steps, journalStep{Op: "remove", To: rel})
}

func (d *outDir) mkdirStage(dir string) error {
	d.staged = true
	if err := d.root.MkdirAll(filepath.FromSlash(dir), 0o777); err != nil {
		return fmt.Errorf("cannot write to %s: %v", d.path, unwrapPath(err))
	}
	return nil
}

// commit writes and syncs the journal, then applies it, returning how many
// earlier files it removed.
func (d *outDir) commit() (int, error) {
	if len(d.j.Steps) == 0 {
		return 0, nil
	}
	data, err := json.Marshal(d.j)
	if err != nil {
		return 0, err
	}
	tmp := filepath.Join(stageDir, "journal")
	if err := d.mkdirStage(stageDir); err != nil {
		return 0, err
	}
	if err := writeRootFile(d.root, tmp, data, 0o666); err != nil {
		return 0, fmt.Errorf("cannot write to %s: %v", d.path, unwrapPath(err))
	}
	syncRootDir(d.root, stageDir+"/new")
	syncRootDir(d.root, stageDir)
	if crashHere() {
		d.done = true
		return 0, errCrashed
	}
	if err := d.root.Rename(tmp, journalName); err != nil {
		return 0, fmt.Errorf("cannot write to %s: %v", d.path, unwrapPath(err))
	}
	syncRootDir(d.root, ".")
	d.done = true
	removed, err := applyJournal(d.root, d.path, d.j)
	if err != nil {
		return removed, err
	}
	return removed, finishJournal(d.root, d.path, d.j)
}

// applyJournal makes the journal's changes. Each step checks what is done,
// so a journal interrupted anywhere can be applied again.
func applyJournal(root *os.Root, out string, j journal) (int, error) {
	fail := func(p string, err error) (int, error) {
		if errors.Is(err, errCrashed) {
			return 0, err
		}
		return 0, withHint(fmt.Errorf("cannot write %s: %v", filepath.Join(out, filepath.FromSlash(p)), describeRootErr(out, err)),
			"the next build completes this one")
	}
	removed := 0
	var kept []fs.FileInfo
	for _, s := range j.Steps {
		from, to := filepath.FromSlash(s.From), filepath.FromSlash(s.To)
		switch s.Op {
		case "file":
			if _, err := root.Lstat(from); errors.Is(err, fs.ErrNotExist) {
				continue // renamed already
			}
			if err := root.MkdirAll(filepath.Dir(to), 0o777); err != nil {
				return fail(s.To, err)
			}
			if crashHere() {
				return fail(s.To, errCrashed)
			}
			if err := root.Rename(from, to); err != nil {
				return fail(s.To, err)
			}
		case "dir":
			old := filepath.Join(stageDir, "old", to)
			if _, err := root.Lstat(from); err == nil {
				// The staged folder still exists: the old one is in
				// place or aside, never both.
				if err := root.RemoveAll(old); err != nil {
					return fail(s.To, err)
				}
				if _, err := root.Lstat(to); err == nil {
					// A journal is data from disk: it replaces only
					// what a roster build wrote.
					if _, err := root.Lstat(filepath.Join(to, rosterMarker)); err != nil {
						return 0, fmt.Errorf("%s is not the output of a roster build; it will not be replaced", filepath.Join(out, to))
					}
					if err := root.MkdirAll(filepath.Dir(old), 0o777); err != nil {
						return fail(s.To, err)
					}
					if crashHere() {
						return fail(s.To, errCrashed)
					}
					if err := root.Rename(to, old); err != nil {
						return fail(s.To, err)
					}
				}
				if crashHere() {
					return fail(s.To, errCrashed)
				}
				if err := root.Rename(from, to); err != nil {
					return fail(s.To, err)
				}
			}
			if _, err := root.Lstat(old); err == nil {
				if crashHere() {
					return fail(s.To, errCrashed)
				}
				if err := root.RemoveAll(old); err != nil {
					return fail(s.To, err)
				}
			}
		case "remove":
			if kept == nil {
				kept = keptFiles(root, j.Keep)
			}
			info, err := root.Lstat(to)
			if err != nil || !info.Mode().IsRegular() || mustKeep(s.To, info, j.Keep, kept) {
				continue
			}
			if crashHere() {
				return removed, errCrashed
			}
			if root.Remove(to) == nil {
				removed++
			}
			for dir := path.Dir(s.To); dir != "."; dir = path.Dir(dir) {
				if root.Remove(filepath.FromSlash(dir)) != nil {
					break // not empty
				}
			}
		}
	}
	return removed, nil
}

// keptFiles returns the outputs that exist, for os.SameFile.
func keptFiles(root *os.Root, keep []string) []fs.FileInfo {
	infos := []fs.FileInfo{}
	for _, k := range keep {
		if info, err := root.Lstat(filepath.FromSlash(k)); err == nil {
			infos = append(infos, info)
		}
	}
	return infos
}

// mustKeep reports whether an earlier output to remove is one of this run's
// outputs under another spelling: on a case-insensitive file system
// Contacts.mobileconfig is contacts.mobileconfig, and removing it would
// remove the file just written.
func mustKeep(rel string, info fs.FileInfo, keep []string, kept []fs.FileInfo) bool {
	if slices.ContainsFunc(keep, func(k string) bool { return strings.EqualFold(k, rel) }) {
		return true
	}
	return slices.ContainsFunc(kept, func(k fs.FileInfo) bool { return os.SameFile(k, info) })
}

// finishJournal removes the journal of an applied publish, and its staging.
func finishJournal(root *os.Root, out string, j journal) error {
	synced := map[string]bool{}
	for _, s := range j.Steps {
		if dir := path.Dir(s.To); !synced[dir] {
			synced[dir] = true
			syncRootDir(root, dir)
		}
	}
	syncRootDir(root, ".")
	if crashHere() {
		return errCrashed
	}
	if err := root.Remove(journalName); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove %s: %v", filepath.Join(out, journalName), unwrapPath(err))
	}
	syncRootDir(root, ".")
	root.RemoveAll(stageDir)
	return nil
}

// describeRootErr names the reason an os.Root refused a path.
func describeRootErr(out string, err error) string {
	err = unwrapPath(err)
	if err != nil && err.Error() == "path escapes from parent" {
		return "it leads out of " + out + " through a symbolic link"
	}
	return err.Error()
}

func (d *outDir) pathError(p string, err error) error {
	return fmt.Errorf("cannot write %s: %s", p, describeRootErr(d.path, err))
}

// filePerm is the mode an output is created with: readable by its owner only
// if it holds a secret, else as the umask says.
func filePerm(secret bool) fs.FileMode {
	if secret {
		return 0o600
	}
	return 0o666
}

// writeRootFile writes and syncs a new file under root.
func writeRootFile(root *os.Root, name string, data []byte, perm fs.FileMode) error {
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncRootDir makes the renames in a folder durable; some systems cannot
// sync a folder, which is no reason to fail.
func syncRootDir(root *os.Root, dir string) {
	if f, err := root.Open(filepath.FromSlash(dir)); err == nil {
		f.Sync()
		f.Close()
	}
}
