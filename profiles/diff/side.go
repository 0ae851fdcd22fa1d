package diff

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mdmforge/mdmforge/internal/userfile"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/intune"
)

// Reading and pairing the two sides of a comparison.

// DefaultMaxFileSize is the largest file Load reads when
// LoadOptions.MaxFileSize is 0; Intune itself refuses custom profiles over
// 1,000,000 bytes.
const DefaultMaxFileSize = 16 << 20

// manifestName is build's list of its outputs, which a folder side leaves
// out: it changes whenever the outputs do, and they are compared.
const manifestName = "manifest.json"

type sideKind int

const (
	kindFile sideKind = iota
	kindPolicies
	kindFolder
)

// Side is one input of a comparison: a file, a folder of files, or the
// outputs of policies, by their names relative to the side.
type Side struct {
	arg      string
	kind     sideKind
	files    map[string]entry
	policies []string // profile names, for kindPolicies
}

type entry struct {
	data   []byte
	source string // the file to name in messages: the file itself, or the policy it was built from
}

// LoadOptions control how Load reads a side.
type LoadOptions struct {
	// Target is the target policies are built for; the zero Target builds
	// each policy for its own.
	Target profiles.Target
	// MaxFileSize bounds each file read; 0 means DefaultMaxFileSize.
	MaxFileSize int64
	// Warn, when set, is told of each entry of a folder that Load skips (a
	// link to a folder, a named pipe or another special file), with the
	// reason, as the walk meets it.
	Warn func(path, reason string)
}

// Load reads the side at path. A policy file (.yaml, .yml), or a folder
// holding one, is validated and built as mdmforge build would, Intune
// bundle included, and the side is its outputs; invalid policies give an
// error wrapping a *profiles.InvalidError with every finding. Any other
// file is a side of one file; any other folder is its files and those of
// its subfolders, links to files followed, names starting with "." and
// build's manifest.json left out.
func Load(path string, opts LoadOptions) (*Side, error) {
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	arg := path
	info, err := os.Stat(arg)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", arg, userfile.Cause(err))
	}
	if !info.IsDir() {
		if isPolicy(arg) {
			return loadPolicies(arg, opts.Target)
		}
		data, err := userfile.Read(arg, opts.MaxFileSize)
		if err != nil {
			return nil, err
		}
		return &Side{arg: arg, kind: kindFile, files: map[string]entry{filepath.Base(arg): {data, arg}}}, nil
	}
	entries, err := os.ReadDir(arg)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", arg, userfile.Cause(err))
	}
	for _, e := range entries {
		// As profiles.Load decides: a policy, or a link to one.
		if isPolicy(e.Name()) && !strings.HasPrefix(e.Name(), ".") && !entryMode(filepath.Join(arg, e.Name()), e).IsDir() {
			return loadPolicies(arg, opts.Target)
		}
	}
	s := &Side{arg: arg, kind: kindFolder, files: map[string]entry{}}
	if err := s.walk(&opts, arg); err != nil {
		return nil, err
	}
	return s, nil
}

// FileSide is a side of one file held in memory, such as a profile fetched
// from an MDM; name is what reports call it, and its base name is the
// file's name.
func FileSide(name string, data []byte) *Side {
	return &Side{arg: name, kind: kindFile, files: map[string]entry{filepath.Base(name): {data, name}}}
}

// FolderSide is a side of files held in memory, by their slash-separated
// names relative to the folder name.
func FolderSide(name string, files map[string][]byte) *Side {
	s := &Side{arg: name, kind: kindFolder, files: make(map[string]entry, len(files))}
	for rel, data := range files {
		s.files[rel] = entry{data, filepath.Join(name, filepath.FromSlash(rel))}
	}
	return s
}

// Name is the side's path, or the name it was given.
func (s *Side) Name() string { return s.arg }

// clone copies the side's list of files, which pairing rearranges.
func (s *Side) clone() *Side {
	c := *s
	c.files = make(map[string]entry, len(s.files))
	for rel, e := range s.files {
		c.files[rel] = e
	}
	return &c
}

// walk reads the files of folder dir and its subfolders into s.files.
// Links to files are followed, as profiles.Load does. Links to folders are
// skipped with a warning, so a link to a parent cannot loop and a shared
// folder is not compared twice; other special files (named pipes,
// sockets, devices) are skipped with a warning without being opened, since
// opening a pipe would wait for a writer forever.
func (s *Side) walk(opts *LoadOptions, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%s: %v", dir, userfile.Cause(err))
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		mode := entryMode(p, e)
		switch {
		case e.IsDir():
			if err := s.walk(opts, p); err != nil {
				return err
			}
			continue
		case mode.IsDir():
			opts.warn(p, "a link to a folder, which diff does not follow")
			continue
		case mode&fs.ModeSymlink != 0:
			// os.Stat failed: a link to nothing, or to what cannot be read.
			_, err := os.Stat(p)
			return fmt.Errorf("%s: %v", p, userfile.Cause(err))
		case !mode.IsRegular():
			opts.warn(p, "a "+fileKind(mode)+", not a file")
			continue
		}
		rel, err := filepath.Rel(s.arg, p)
		if err != nil {
			return err
		}
		if rel == manifestName {
			// build's list of the outputs changes whenever they do; the
			// outputs themselves are compared.
			continue
		}
		data, err := userfile.Read(p, opts.MaxFileSize)
		if err != nil {
			return err
		}
		s.files[filepath.ToSlash(rel)] = entry{data, p}
	}
	return nil
}

func (o *LoadOptions) warn(path, reason string) {
	if o.Warn != nil {
		o.Warn(path, reason)
	}
}

// entryMode is the type of a folder entry, links followed; a link that
// cannot be followed keeps fs.ModeSymlink.
func entryMode(p string, e fs.DirEntry) fs.FileMode {
	if e.Type()&fs.ModeSymlink == 0 {
		return e.Type()
	}
	info, err := os.Stat(p)
	if err != nil {
		return fs.ModeSymlink
	}
	return info.Mode().Type()
}

// fileKind names the type of a file that is neither regular nor a
// folder.
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

func isPolicy(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// loadPolicies validates and builds policies as build would, for the
// target given or each policy's own, and keeps their outputs by name.
func loadPolicies(arg string, target profiles.Target) (*Side, error) {
	policies, ds := profiles.Load(arg)
	if ds.Errors() == 0 {
		for _, p := range policies {
			ds = append(ds, p.CheckTarget(p.TargetFor(target))...)
		}
		ds.Sort()
	}
	if ds.Errors() > 0 {
		return nil, fmt.Errorf("%s: %w", arg, ds.Err())
	}
	s := &Side{arg: arg, kind: kindPolicies, files: map[string]entry{}}
	for _, p := range policies {
		outs, err := p.Build(profiles.Options{Target: target})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.File, err)
		}
		if p.TargetFor(target) == profiles.Intune {
			bundle, _, err := intune.Bundle(p, profiles.Options{Target: profiles.Intune})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p.File, err)
			}
			for _, o := range bundle {
				outs = append(outs, profiles.Output{Name: p.Profile.Name + ".intune/" + o.Name, Data: o.Data})
			}
		}
		for _, o := range outs {
			s.files[o.Name] = entry{o.Data, p.File}
		}
		s.policies = append(s.policies, p.Profile.Name)
	}
	return s, nil
}
