package outdir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mdmforge/mdmforge/internal/userfile"
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
		return fmt.Errorf("cannot remove %s: %v", filepath.Join(out, journalName), userfile.Cause(err))
	}
	syncRootDir(root, ".")
	root.RemoveAll(stageDir)
	return nil
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
