package schema

import (
	"fmt"
	"strings"

	"github.com/mdmforge/mdmforge/internal/suggest"
)

// Resolution is its own file because it is a search, not a lookup: a
// dotted path may split into a payload type and key names in many ways,
// and the first split that resolves all the way wins.

// step is one key of a resolved path, with the name it was given (an ANY
// key stands for the name typed).
type step struct {
	key  *Key
	name string
}

// resolve splits TYPE[.KEY...] into a payload and the path of keys under
// it. Payload types and key names both contain dots, so every split is
// tried, longest payload type and longest key names first, and the first
// that resolves wins. Apple's schema is tried alone first, so that what
// Apple describes is explained as Apple describes it; then Facts, for the
// keys and domains only ProfileManifests knows. A path neither resolves
// gets Apple's error and suggestions.
func resolve(target string) (*Payload, []step, error) {
	p, path, err := resolveIn(target, Lookup)
	if err == nil {
		return p, path, nil
	}
	if fp, fpath, ferr := resolveIn(target, Facts); ferr == nil {
		return fp, fpath, nil
	}
	return nil, nil, err
}

func resolveIn(target string, lookup func(string) (*Payload, bool)) (*Payload, []step, error) {
	segs := strings.Split(target, ".")
	var firstErr error
	for i := len(segs); i > 0; i-- {
		p, ok := lookup(strings.Join(segs[:i], "."))
		if !ok {
			continue
		}
		path, err := resolveKeys(payloadNode(p), segs[i:])
		if err == nil {
			return p, path, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return nil, nil, firstErr
	}
	msg := fmt.Sprintf("%q is not a payload type in Apple's schema", target)
	if s, n := suggestSegments(segs, Types()); s != "" {
		if rest := strings.Join(segs[n:], "."); rest != "" {
			s += "." + rest
		}
		msg = fmt.Sprintf("%q is not a payload type in Apple's schema; did you mean %q?", strings.Join(segs[:n], "."), s)
	}
	return nil, nil, &NotFoundError{msg: msg}
}

// node is a payload or a key: what may hold keys.
type node struct {
	name   string                    // for messages: TYPE or TYPE.KEY...
	keys   []*Key                    // the candidates for suggestions
	find   func(string) (*Key, bool) // by name, else the ANY key
	scalar string                    // the type of a key that holds no keys
	elem   *Key                      // an array's element, which its name also finds
	entry  *Key                      // what any other name is (see placeholder)
}

func payloadNode(p *Payload) node {
	n := node{name: p.Type, keys: p.Keys, find: p.Key}
	if p.Type != "Configuration" {
		n.keys = append(append([]*Key(nil), p.Keys...), Common()...)
	}
	return n
}

func keyNode(name string, k *Key) node {
	n := node{name: name, find: k.Lookup}
	inner := k
	for inner.Type == Array && inner.Item != nil {
		inner = inner.Item
	}
	n.keys = inner.Keys
	if k.Type == Array && k.Item != nil {
		n.elem = k.Item
		n.keys = append([]*Key{k.Item}, inner.Keys...)
	}
	if k.Type != Array && k.Type != Dictionary {
		n.scalar = string(k.Type)
	}
	n.entry = placeholder(inner.Keys)
	return n
}

// placeholder returns what the entries of a nested dictionary are when
// Apple describes it through one placeholder subkey, as validation reads
// it: ConsentText holds ConsentTextItem, which holds ANY, so ConsentText's
// entries have any name and are strings. Nil otherwise.
func placeholder(keys []*Key) *Key {
	if len(keys) != 1 || keys[0].Type != Dictionary || keys[0].IsWildcard() {
		return nil
	}
	if p := keys[0]; len(p.Keys) == 1 && p.Keys[0].IsWildcard() {
		return p.Keys[0]
	}
	return keys[0]
}

// resolveKeys resolves segs under n: the longest run of segments that
// names a key exactly, else the node's ANY key for any run, backtracking
// when the rest does not resolve.
func resolveKeys(n node, segs []string) ([]step, error) {
	if len(segs) == 0 {
		return nil, nil
	}
	if n.scalar != "" {
		return nil, &NotFoundError{Nearest: n.name, Scalar: true,
			msg: fmt.Sprintf("%s is %s and has no keys", n.name, article(n.scalar))}
	}
	var firstErr error
	try := func(k *Key, name string, rest []string) []step {
		path, err := resolveKeys(keyNode(n.name+"."+name, k), rest)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return nil
		}
		return append([]step{{k, name}}, path...)
	}
	for i := len(segs); i > 0; i-- {
		name := strings.Join(segs[:i], ".")
		k, ok := n.find(name)
		if n.elem != nil && name == n.elem.Name {
			k, ok = n.elem, true
		}
		if ok && k.Name == name {
			if path := try(k, name, segs[i:]); path != nil {
				return path, nil
			}
		}
	}
	w, ok := n.find(segs[0])
	if !ok || !w.IsWildcard() {
		w = n.entry
	}
	if w != nil {
		for i := 1; i <= len(segs); i++ {
			if path := try(w, strings.Join(segs[:i], "."), segs[i:]); path != nil {
				return path, nil
			}
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return nil, unknownKey(n, segs)
}

func unknownKey(n node, segs []string) error {
	names := make([]string, 0, len(n.keys))
	for _, k := range n.keys {
		if !k.IsWildcard() {
			names = append(names, k.Name)
		}
	}
	msg := fmt.Sprintf("%s has no key %q", n.name, segs[0])
	if s, i := suggestSegments(segs, names); s != "" {
		msg = fmt.Sprintf("%s has no key %q; did you mean %q?", n.name, strings.Join(segs[:i], "."), s)
	}
	return &NotFoundError{Nearest: n.name, msg: msg}
}

func article(t string) string {
	switch t {
	case "integer", "array", "any":
		return "an " + t
	}
	return "a " + t
}

// suggestSegments finds the candidate closest to the leading segments of
// what was typed (as many segments as the candidate has), ignoring case,
// '_' and '-', and returns it with the number of segments it replaces, or
// "" when none is close enough to be a plausible typo.
func suggestSegments(segs, candidates []string) (string, int) {
	best, bestN, bestDist := "", 0, 0
	for _, c := range candidates {
		n := strings.Count(c, ".") + 1
		if n > len(segs) {
			continue
		}
		word := strings.Join(segs[:n], ".")
		d := suggest.Distance(suggest.Fold(word), suggest.Fold(c))
		if best == "" || d < bestDist {
			best, bestN, bestDist = c, n, d
		}
	}
	if best == "" {
		return "", 0
	}
	if !suggest.Plausible(strings.Join(segs[:bestN], "."), bestDist) {
		return "", 0
	}
	return best, bestN
}
