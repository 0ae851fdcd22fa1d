package outdir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/mdmforge/mdmforge/internal/userfile"
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

// A Dir is --out while a run writes it: created if missing, locked and
// opened as a root.
type Dir struct {
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

// Open creates --out if needed, locks it for the whole run and completes
// or cleans up what an interrupted run left.
func Open(out string, log io.Writer) (*Dir, error) {
	created, err := makeDir(out)
	d := &Dir{path: out, created: created}
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
		return nil, fmt.Errorf("cannot lock %s: %v", out, userfile.Cause(err))
	}
	if d.root, err = os.OpenRoot(out); err != nil {
		d.unlock()
		d.removeCreated()
		return nil, fmt.Errorf("cannot use %s: %v", out, userfile.Cause(err))
	}
	if err := d.recover(log); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// recover rolls an interrupted publish forward, or removes the staging an
// uncommitted one left, saying so in one line.
func (d *Dir) recover(log io.Writer) error {
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
		fmt.Fprintf(log, "mdmforge: completed the build interrupted in %s (%d changes)\n", d.path, len(j.Steps))
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("cannot read %s: %v", filepath.Join(d.path, journalName), userfile.Cause(err))
	}
	n := 0
	if _, err := d.root.Lstat(stageDir); err == nil {
		if err := d.root.RemoveAll(stageDir); err != nil {
			return fmt.Errorf("cannot remove %s: %v", filepath.Join(d.path, stageDir), userfile.Cause(err))
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
		fmt.Fprintf(log, "mdmforge: removed %s an interrupted build left in %s\n", plural(n, "staging folder"), d.path)
	}
	return nil
}

// Close releases --out. Before the commit it removes everything the run
// made: its staging, and the folders made for --out.
func (d *Dir) Close() {
	if !d.done && d.staged {
		d.root.RemoveAll(stageDir)
	}
	d.root.Close()
	d.unlock()
	if !d.done {
		d.removeCreated()
	}
}

func (d *Dir) removeCreated() {
	for i := len(d.created) - 1; i >= 0; i-- {
		os.Remove(d.created[i]) // only if still empty
	}
}

// rel names path, which is inside --out, relative to it with forward slashes.
func (d *Dir) rel(p string) (string, error) {
	r, err := filepath.Rel(d.path, p)
	if err != nil || !filepath.IsLocal(r) {
		return "", fmt.Errorf("%s is not inside %s", p, d.path)
	}
	return filepath.ToSlash(r), nil
}

// Stage stages files whose content or, for secrets, whose permissions
// differ from what --out holds, returning their paths. Nothing in --out
// changes before commit.
func (d *Dir) Stage(files []File) ([]string, error) {
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
			return nil, fmt.Errorf("cannot write %s: %v", f.Path, userfile.Cause(err))
		}
		d.j.Steps = append(d.j.Steps, journalStep{Op: "file", From: from, To: rel})
		changed = append(changed, f.Path)
	}
	return changed, nil
}

// StageFolder makes the staging folder that is to replace the folder name
// in --out whole, returning its path. Only a folder a roster build wrote,
// which its marker says, is replaced; any other in its place is refused.
func (d *Dir) StageFolder(name string) (string, error) {
	if info, err := d.root.Lstat(name); err == nil {
		if _, err := d.root.Lstat(filepath.Join(name, rosterMarker)); !info.IsDir() || err != nil {
			return "", withHint(fmt.Errorf("%s exists and is not the output of a roster build; it will not be replaced", filepath.Join(d.path, name)),
				"remove it, or build into another --out")
		}
	}
	from := stageDir + "/new/" + name
	if err := d.mkdirStage(from); err != nil {
		return "", err
	}
	staging := filepath.Join(d.path, filepath.FromSlash(from))
	if err := os.WriteFile(filepath.Join(staging, rosterMarker), []byte("Written by mdmforge build --roster; the next roster build replaces this folder whole.\n"), 0o666); err != nil {
		return "", fmt.Errorf("cannot write to %s: %v", d.path, userfile.Cause(err))
	}
	d.j.Steps = append(d.j.Steps, journalStep{Op: "dir", From: from, To: name})
	d.j.Keep = append(d.j.Keep, name)
	return staging, nil
}

// rosterMarker marks a folder a roster build wrote, which the next one may
// replace whole; any other folder in its place is left alone.
const rosterMarker = ".mdmforge-roster"

// Remove removes the file rel (relative to --out) on commit.
func (d *Dir) Remove(rel string) {
	d.j.Steps = append(d.j.Steps, journalStep{Op: "remove", To: rel})
}

func (d *Dir) mkdirStage(dir string) error {
	d.staged = true
	if err := d.root.MkdirAll(filepath.FromSlash(dir), 0o777); err != nil {
		return fmt.Errorf("cannot write to %s: %v", d.path, userfile.Cause(err))
	}
	return nil
}

// Commit writes and syncs the journal, then applies it, returning how many
// earlier files it removed.
func (d *Dir) Commit() (int, error) {
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
		return 0, fmt.Errorf("cannot write to %s: %v", d.path, userfile.Cause(err))
	}
	syncRootDir(d.root, stageDir+"/new")
	syncRootDir(d.root, stageDir)
	if crashHere() {
		d.done = true
		return 0, errCrashed
	}
	if err := d.root.Rename(tmp, journalName); err != nil {
		return 0, fmt.Errorf("cannot write to %s: %v", d.path, userfile.Cause(err))
	}
	syncRootDir(d.root, ".")
	d.done = true
	removed, err := applyJournal(d.root, d.path, d.j)
	if err != nil {
		return removed, err
	}
	return removed, finishJournal(d.root, d.path, d.j)
}

// describeRootErr names the reason an os.Root refused a path.
func describeRootErr(out string, err error) string {
	err = userfile.Cause(err)
	if err != nil && err.Error() == "path escapes from parent" {
		return "it leads out of " + out + " through a symbolic link"
	}
	return err.Error()
}

func (d *Dir) pathError(p string, err error) error {
	return fmt.Errorf("cannot write %s: %s", p, describeRootErr(d.path, err))
}
