package diff

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"

	"github.com/mdmforge/mdmforge/internal/propertylist"
	"github.com/mdmforge/mdmforge/profiles"
)

// File is the difference between the two sides' versions of one file.
type File struct {
	// Path is the file's name relative to its side.
	Path string
	// Status is Added or Removed for a file on one side only, and Changed
	// for a file on both.
	Status ChangeKind
	// Format is how the file was compared: profile, plist, json or bytes.
	Format string
	// Source is the file to name in messages: the file itself, or the
	// policy it was built from.
	Source string
	// Changes are the file's changes without the hidden ones; secrets in
	// them are already replaced by profiles.Redacted.
	Changes      []Change
	Consequences []Consequence
	// Hidden counts the PayloadUUID changes left out of Changes.
	Hidden int
	// Carries is the profile (NAME.mobileconfig) whose change this file of
	// NAME.intune/ repeats and nothing else; Changes and Consequences are
	// then left out, shown with the profile.
	Carries string

	all   []Change          // hidden ones included
	trees [2]map[string]any // a profile's two sides
}

// Report is the result of Compare: the files that differ, in a stable
// order, with their changes and consequences.
type Report struct {
	// Before and After name the two sides.
	Before, After string
	Files         []*File
	// Hidden counts the PayloadUUID changes of files that otherwise do not
	// differ, and are therefore not in Files.
	Hidden int
}

// Different reports whether the sides differ in anything but hidden
// changes.
func (r *Report) Different() bool { return len(r.Files) > 0 }

// Compare pairs the files of two sides and compares each pair by its
// format: profiles (.mobileconfig, signed or not, and .plist files that
// are profiles) with Trees and Signers, other .plist files with Plists,
// .json files with JSON, and other files by their SHA-256. A file only
// on one side is added or removed, and files that are the same are left
// out. Files of an Intune bundle that only repeat their profile's change
// say so (File.Carries), and the bundle's README.md is left out when
// other files of its policy differ. An error names the file that cannot
// be read or compared; the sides are not changed.
func Compare(a, b *Side, opts Options) (*Report, error) {
	pairs, err := pairSides(a, b)
	if err != nil {
		return nil, err
	}
	r := &Report{Before: a.arg, After: b.arg}
	for _, p := range pairs {
		f, err := comparePair(p, opts)
		if err != nil {
			return nil, err
		}
		if f == nil {
			continue
		}
		if f.Status == Changed && len(f.Changes) == 0 && len(f.Consequences) == 0 {
			r.Hidden += f.Hidden
			continue
		}
		r.Files = append(r.Files, f)
	}
	r.foldIntune()
	return r, nil
}

func formatOf(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".mobileconfig":
		return "profile"
	case ".plist":
		return "plist"
	case ".json":
		return "json"
	}
	return "bytes"
}

func comparePair(p pair, opts Options) (*File, error) {
	f := &File{Path: p.name, Format: formatOf(p.name), Status: Changed}
	switch {
	case p.a == nil:
		f.Status, f.Source = Added, p.b.source
		return f, nil
	case p.b == nil:
		f.Status, f.Source = Removed, p.a.source
		return f, nil
	case bytes.Equal(p.a.data, p.b.data):
		return nil, nil
	}
	f.Source = p.b.source
	var all []Change
	switch f.Format {
	case "profile":
		ta, sa, err := readProfile(p.a)
		if err != nil {
			return nil, err
		}
		tb, sb, err := readProfile(p.b)
		if err != nil {
			return nil, err
		}
		all = append(Signers(sa, sb), Trees(ta, tb, opts)...)
		f.trees = [2]map[string]any{ta, tb}
	case "plist":
		va, err := readPlist(p.a)
		if err != nil {
			return nil, err
		}
		vb, err := readPlist(p.b)
		if err != nil {
			return nil, err
		}
		ma, okA := va.(map[string]any)
		mb, okB := vb.(map[string]any)
		if okA && okB && profiles.CheckProfile(p.a.data) == nil && profiles.CheckProfile(p.b.data) == nil {
			f.Format = "profile"
			all = Trees(ma, mb, opts)
		} else {
			all = Plists(va, vb)
		}
	case "json":
		va, err := readJSON(p.a)
		if err != nil {
			return nil, err
		}
		vb, err := readJSON(p.b)
		if err != nil {
			return nil, err
		}
		all = JSON(va, vb, opts)
	default:
		all = []Change{{Kind: Changed, Scope: ScopeFile,
			Before: digest(p.a.data), After: digest(p.b.data), BeforeType: "bytes", AfterType: "bytes"}}
	}
	for _, c := range all {
		if c.Hidden {
			f.Hidden++
		} else {
			f.Changes = append(f.Changes, redact(c))
		}
	}
	f.Consequences = Consequences(all)
	f.all = all
	return f, nil
}

// redact keeps secrets out of every format at once, since diff
// output ends up in pull-request comments: the value of a secret key
// becomes profiles.Redacted, and so do secrets inside other values, such
// as a payload added whole.
func redact(c Change) Change {
	if c.Secret {
		if c.Kind != Added {
			c.Before = profiles.Redacted{}
		}
		if c.Kind != Removed {
			c.After = profiles.Redacted{}
		}
		return c
	}
	c.Before, _ = profiles.RedactSecrets(c.PayloadType, c.Before)
	c.After, _ = profiles.RedactSecrets(c.PayloadType, c.After)
	return c
}

// hasRedacted reports whether a value holds a redacted secret.
func hasRedacted(v any) bool {
	found := false
	propertylist.MapLeaves(v, func(v any) any {
		if _, ok := v.(profiles.Redacted); ok {
			found = true
		}
		return v
	})
	return found
}

func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}
