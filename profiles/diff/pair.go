package diff

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Pairing the files of two sides.

// builtFor keeps the files build writes for the side's policies without
// --sign or --roster: the rest of an output folder belongs to other
// policies or other runs.
func (s *Side) builtFor(names []string) {
	for rel := range s.files {
		keep := false
		for _, n := range names {
			switch rel {
			case n + ".mobileconfig", n + ".outlook.json", n + ".outlook.plist":
				keep = true
			}
			keep = keep || strings.HasPrefix(rel, n+".intune/")
		}
		if !keep {
			delete(s.files, rel)
		}
	}
}

// renamed moves a single policy's outputs to another profile name, so a
// renamed policy is compared with its old self.
func (s *Side) renamed(to string) {
	from := s.policies[0]
	files := make(map[string]entry, len(s.files))
	for rel, e := range s.files {
		files[to+strings.TrimPrefix(rel, from)] = e
	}
	s.files = files
}

// pair is one file of each side to compare; a nil side is missing.
type pair struct {
	name string
	a, b *entry
}

// pairSides matches the files of two sides: two files with each other, one
// file with the file of its name in the other side, and two folders by
// path. A policy against a folder is compared with what build writes for
// it there, and a renamed single policy with its old self.
func pairSides(a, b *Side) ([]pair, error) {
	if a.kind == kindFile && b.kind == kindFile {
		ea, eb := a.files[filepath.Base(a.arg)], b.files[filepath.Base(b.arg)]
		return []pair{{filepath.Base(b.arg), &ea, &eb}}, nil
	}
	if a.kind == kindFile || b.kind == kindFile {
		one, many := a, b
		if b.kind == kindFile {
			one, many = b, a
		}
		base := filepath.Base(one.arg)
		e := one.files[base]
		name := base
		if _, ok := many.files[name]; !ok {
			name = strings.Replace(base, ".signed.mobileconfig", ".mobileconfig", 1)
		}
		if _, ok := many.files[name]; !ok {
			// A file from a subfolder, such as NAME.intune/email.json.
			var found []string
			for rel := range many.files {
				if path.Base(rel) == base {
					found = append(found, rel)
				}
			}
			if len(found) == 1 {
				name = found[0]
			}
		}
		m, ok := many.files[name]
		if !ok {
			return nil, fmt.Errorf("%s has no %s to compare %s with", many.arg, base, one.arg)
		}
		if one == a {
			return []pair{{name, &e, &m}}, nil
		}
		return []pair{{name, &m, &e}}, nil
	}
	// The sides stay as they were loaded, to be compared again.
	a, b = a.clone(), b.clone()
	switch {
	case a.kind == kindPolicies && b.kind == kindFolder:
		b.builtFor(a.policies)
	case a.kind == kindFolder && b.kind == kindPolicies:
		a.builtFor(b.policies)
	case a.kind == kindPolicies && b.kind == kindPolicies && len(a.policies) == 1 && len(b.policies) == 1 && a.policies[0] != b.policies[0]:
		a.renamed(b.policies[0])
	}
	names := make([]string, 0, len(a.files)+len(b.files))
	for n := range a.files {
		names = append(names, n)
	}
	for n := range b.files {
		if _, ok := a.files[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	pairs := make([]pair, 0, len(names))
	for _, n := range names {
		p := pair{name: n}
		if e, ok := a.files[n]; ok {
			p.a = &e
		}
		if e, ok := b.files[n]; ok {
			p.b = &e
		}
		pairs = append(pairs, p)
	}
	return pairs, nil
}
