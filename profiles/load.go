package profiles

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Load reads policy files, and folders of them (their *.yaml and *.yml
// files, links to files followed; subfolders are not searched, and other
// kinds of file, such as named pipes, are errors), then decodes and
// validates every policy. It returns the policies that decoded and all
// findings of the run; the run failed if any finding is an Error.
func Load(paths ...string) ([]*Policy, Diagnostics) {
	var ds Diagnostics
	var files []string
	seen := map[string]bool{}
	for _, path := range paths {
		found, d := policyFiles(path)
		ds = append(ds, d...)
		for _, f := range found {
			// A file named twice, or once through a link, is one policy.
			key, err := filepath.EvalSymlinks(f)
			if err == nil {
				key, err = filepath.Abs(key)
			}
			if err != nil {
				key = f
			}
			if !seen[key] {
				seen[key] = true
				files = append(files, f)
			}
		}
	}
	var policies, partial []*Policy
	undecoded := map[string][]string{} // file: the paths whose values did not decode
	for _, f := range files {
		data, d := readPolicy(f)
		if d != nil {
			ds = append(ds, *d)
			continue
		}
		p, dd := Decode(f, data)
		ds = append(ds, dd...)
		switch {
		case p == nil:
		case dd.Errors() == 0:
			policies = append(policies, p)
		default:
			partial = append(partial, p)
			for _, d := range dd {
				if d.Severity == Error {
					undecoded[f] = append(undecoded[f], d.Path)
				}
			}
		}
	}
	// A policy with a bad value is still validated, so that one run
	// reports every mistake, except on the paths whose values the decoder
	// had to leave out: a rule there would judge a value nobody wrote.
	for _, d := range Validate(append(slices.Clip(policies), partial...)...) {
		if !overlapsAny(d.Path, undecoded[d.Pos.File]) {
			ds = append(ds, d)
		}
	}
	ds.Sort()
	return policies, ds
}

// overlapsAny reports whether path is one of paths, inside one of them, or
// holds one of them; an empty path (the whole file) holds them all.
func overlapsAny(path string, paths []string) bool {
	for _, q := range paths {
		if q == "" || path == "" || within(path, q) || within(q, path) {
			return true
		}
	}
	return false
}

// within reports whether path is parent or lies under it.
func within(path, parent string) bool {
	return path == parent || strings.HasPrefix(path, parent) && (path[len(parent)] == '.' || path[len(parent)] == '[')
}

func policyFiles(path string) ([]string, Diagnostics) {
	fail := func(format string, args ...any) Diagnostics {
		return Diagnostics{{Severity: Error, Pos: Pos{File: path}, Message: fmt.Sprintf(format, args...)}}
	}
	info, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fail("no such file or folder")
		}
		return nil, fail("cannot read: %v", unwrapPathError(err))
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fail("cannot read folder: %v", unwrapPathError(err))
	}
	var files []string
	var ds Diagnostics
	for _, e := range entries {
		name := e.Name()
		ext := strings.ToLower(filepath.Ext(name))
		if ext != ".yaml" && ext != ".yml" || strings.HasPrefix(name, ".") {
			continue
		}
		file := filepath.Join(path, name)
		mode := e.Type()
		if mode&fs.ModeSymlink != 0 {
			// A link to a policy is a policy; follow it to see.
			info, err := os.Stat(file)
			if err != nil {
				ds = append(ds, Diagnostic{Severity: Error, Pos: Pos{File: file}, Message: fmt.Sprintf("cannot read: %v", unwrapPathError(err))})
				continue
			}
			mode = info.Mode().Type()
		}
		switch {
		case mode.IsRegular():
			files = append(files, file)
		case mode.IsDir():
			// Subfolders are not searched, whatever their name.
		default:
			// Opening a named pipe would wait for a writer forever, and a
			// device is no policy: report it rather than read it.
			ds = append(ds, Diagnostic{Severity: Error, Pos: Pos{File: file},
				Message: fmt.Sprintf("is a %s, not a policy file", fileKind(mode))})
		}
	}
	if len(files) == 0 && len(ds) == 0 {
		return nil, fail("folder holds no policy files (*.yaml, *.yml)")
	}
	sort.Strings(files)
	return files, ds
}

// fileKind names the type of a file that is neither regular nor a folder.
func fileKind(mode fs.FileMode) string {
	switch {
	case mode&fs.ModeNamedPipe != 0:
		return "named pipe"
	case mode&fs.ModeSocket != 0:
		return "socket"
	case mode&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

func readPolicy(path string) ([]byte, *Diagnostic) {
	fail := func(format string, args ...any) *Diagnostic {
		return &Diagnostic{Severity: Error, Pos: Pos{File: path}, Message: fmt.Sprintf(format, args...)}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fail("cannot read: %v", unwrapPathError(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fail("cannot read: %v", unwrapPathError(err))
	}
	if info.IsDir() {
		return nil, fail("is a folder, not a policy file")
	}
	if info.Size() > MaxPolicySize {
		return nil, fail("file is %s; a policy is at most %s", byteSize(info.Size()), byteSize(MaxPolicySize))
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxPolicySize+1))
	if err != nil {
		return nil, fail("cannot read: %v", unwrapPathError(err))
	}
	if len(data) > MaxPolicySize {
		return nil, fail("file is larger than %s, the most a policy may be", byteSize(MaxPolicySize))
	}
	return data, nil
}

// unwrapPathError drops the path from *fs.PathError, which the finding
// already names.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
