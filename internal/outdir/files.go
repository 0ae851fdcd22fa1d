package outdir

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/mdmforge/mdmforge/internal/userfile"
)

// A File is a file a command will write.
type File struct {
	Path   string
	Data   []byte
	Secret bool // readable by its owner only
}

// WriteFiles writes every file or none, for commands that write named
// files rather than a folder of outputs. Each file is staged as a temporary
// file beside its destination and renamed only when all are staged, so a
// failed run leaves the folder as it was and readers never see half a file.
// Files whose content is unchanged are not rewritten. It returns the paths it
// changed.
func WriteFiles(files []File) ([]string, error) {
	var created []string // folders this call made, removed again on failure
	var staged []string
	fail := func(err error) ([]string, error) {
		for _, t := range staged {
			os.Remove(t)
		}
		for i := len(created) - 1; i >= 0; i-- {
			os.Remove(created[i])
		}
		return nil, err
	}
	type pending struct{ tmp, dst string }
	var todo []pending
	for _, f := range files {
		dir := filepath.Dir(f.Path)
		made, err := makeDir(dir)
		created = append(created, made...)
		if err != nil {
			return fail(err)
		}
		if old, err := os.ReadFile(f.Path); err == nil && bytes.Equal(old, f.Data) {
			continue
		}
		if info, err := os.Lstat(f.Path); err == nil && info.IsDir() {
			return fail(fmt.Errorf("%s is a folder; cannot write a file there", f.Path))
		}
		tmp, err := createTemp(dir, "."+filepath.Base(f.Path)+".tmp", filePerm(f.Secret))
		if err != nil {
			return fail(fmt.Errorf("cannot write to %s: %v", dir, userfile.Cause(err)))
		}
		staged = append(staged, tmp.Name())
		_, werr := tmp.Write(f.Data)
		if werr == nil {
			werr = tmp.Sync()
		}
		if cerr := tmp.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fail(fmt.Errorf("cannot write %s: %v", f.Path, userfile.Cause(werr)))
		}
		todo = append(todo, pending{tmp.Name(), f.Path})
	}
	var changed []string
	for i, p := range todo {
		if err := os.Rename(p.tmp, p.dst); err != nil {
			for _, q := range todo[i:] {
				os.Remove(q.tmp)
			}
			return changed, fmt.Errorf("cannot write %s: %v", p.dst, userfile.Cause(err))
		}
		changed = append(changed, p.dst)
	}
	return changed, nil
}

// makeDir creates dir and its missing parents, returning those it created.
func makeDir(dir string) ([]string, error) {
	info, err := os.Stat(dir)
	if err == nil {
		if !info.IsDir() {
			return nil, fmt.Errorf("%s is a file, not a folder", dir)
		}
		return nil, nil
	}
	// ENOTDIR means a parent is a file; the parent's check names it.
	if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
		return nil, fmt.Errorf("cannot use %s: %v", dir, userfile.Cause(err))
	}
	created, err := makeDir(filepath.Dir(dir))
	if err != nil {
		return created, err
	}
	if err := os.Mkdir(dir, 0o777); err != nil {
		// Not ours to remove if the run fails: a folder made meanwhile,
		// or a symbolic link to a missing one.
		if info, lerr := os.Lstat(dir); lerr == nil && info.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(dir)
			return created, fmt.Errorf("cannot create %s: it is a symbolic link to %s, which does not exist", dir, target)
		}
		if errors.Is(err, fs.ErrExist) {
			return created, nil
		}
		return created, fmt.Errorf("cannot create %s: %v", dir, userfile.Cause(err))
	}
	return append(created, dir), nil
}

// createTemp creates a new file in dir named prefix and a random number,
// with perm as the umask leaves it (os.CreateTemp's files are private).
func createTemp(dir, prefix string, perm fs.FileMode) (*os.File, error) {
	for range 10000 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, &fs.PathError{Op: "createtemp", Path: dir, Err: fs.ErrExist}
}

// filePerm is the mode an output is created with: readable by its owner only
// if it holds a secret, else as the umask says.
func filePerm(secret bool) fs.FileMode {
	if secret {
		return 0o600
	}
	return 0o666
}

// An Error is a failure the user can act on; Hints say how.
type Error struct {
	Err   error
	Hints []string
}

func (e *Error) Error() string { return e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

func withHint(err error, hints ...string) error {
	return &Error{Err: err, Hints: hints}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
