package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"time"

	"github.com/mdmforge/mdmforge/profiles"
)

// walker compares two trees and emits a Change, copied from base, for each
// difference.
type walker struct {
	base   Change
	emit   func(Change)
	typeOf func(any) string
	equal  func(a, b any) bool // values of the same scalar type
}

func plistWalker(base Change, emit func(Change)) *walker {
	return &walker{base: base, emit: emit, typeOf: PlistType, equal: plistEqual}
}

func (w *walker) walk(path string, a, b any) {
	w.walkIn(path, a, b, w.base.PayloadType, false)
}

// walkIn compares a and b, found in a payload of payloadType (a
// dictionary with its own PayloadType, such as a payload in a list of
// them, is a payload of that type); secret says they are, or are inside,
// the value of a secret key.
func (w *walker) walkIn(path string, a, b any, payloadType string, secret bool) {
	change := func(kind ChangeKind, path string, a, b any, secret bool) {
		c := w.base
		c.Kind, c.Path = kind, path
		// Secret unless every value there is a boolean.
		c.Secret = secret && (kind != Added && secretValue(a) || kind != Removed && secretValue(b))
		if kind != Added {
			c.Before, c.BeforeType = a, w.typeOf(a)
		}
		if kind != Removed {
			c.After, c.AfterType = b, w.typeOf(b)
		}
		w.emit(c)
	}
	ta, tb := w.typeOf(a), w.typeOf(b)
	if ta != tb {
		change(Changed, path, a, b, secret)
		return
	}
	switch x := a.(type) {
	case map[string]any:
		y := b.(map[string]any)
		if t, ok := y["PayloadType"].(string); ok && t != "" {
			payloadType = t
		} else if t, ok := x["PayloadType"].(string); ok && t != "" {
			payloadType = t
		}
		for _, k := range sortedUnion(x, y) {
			ea, inA := x[k]
			eb, inB := y[k]
			p := joinKey(path, k)
			s := secret || profiles.IsSecretKey(payloadType, k)
			switch {
			case !inA:
				change(Added, p, nil, eb, s)
			case !inB:
				change(Removed, p, ea, nil, s)
			default:
				w.walkIn(p, ea, eb, payloadType, s)
			}
		}
	case []any:
		y := b.([]any)
		for i := 0; i < max(len(x), len(y)); i++ {
			p := fmt.Sprintf("%s[%d]", path, i)
			switch {
			case i >= len(x):
				change(Added, p, nil, y[i], secret)
			case i >= len(y):
				change(Removed, p, x[i], nil, secret)
			default:
				w.walkIn(p, x[i], y[i], payloadType, secret)
			}
		}
	default:
		if !w.equal(a, b) {
			change(Changed, path, a, b, secret)
		}
	}
}

// joinKey appends a dictionary key to a path: .Key, or ["key"] when the key
// is not a plain name. Keys at the top stay as they are.
func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r == '-' || r == '@' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			plain = false
			break
		}
	}
	if plain {
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

// PlistType names a plist value's type as Apple's documentation does:
// string, integer, real, boolean, date, data, array or dict.
func PlistType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case int, int64, uint64, int32, uint32:
		return "integer"
	case float64, float32:
		return "real"
	case bool:
		return "boolean"
	case time.Time:
		return "date"
	case []byte:
		return "data"
	case []any:
		return "array"
	case map[string]any:
		return "dict"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func plistEqual(a, b any) bool {
	switch x := a.(type) {
	case []byte:
		return bytes.Equal(x, b.([]byte))
	case time.Time:
		return x.Equal(b.(time.Time))
	case float32, float64:
		return toFloat(a) == toFloat(b)
	}
	return a == b
}

func toFloat(v any) float64 {
	if f, ok := v.(float32); ok {
		return float64(f)
	}
	f, _ := v.(float64)
	return f
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// jsonEqual compares numbers by value, so 1 and 1.0 are equal, as in JSON.
func jsonEqual(a, b any) bool {
	if x, ok := a.(json.Number); ok {
		y, _ := b.(json.Number)
		if x == y {
			return true
		}
		fx, okX := new(big.Float).SetString(string(x))
		fy, okY := new(big.Float).SetString(string(y))
		return okX && okY && fx.Cmp(fy) == 0
	}
	return a == b
}

// secretValue reports whether v, the value of a secret key, is to be
// hidden: everything but a boolean, which says whether a feature is on and
// gives nothing away. profiles.RedactSecrets applies the same rule.
func secretValue(v any) bool {
	_, ok := v.(bool)
	return !ok
}

// sortedUnion returns the keys of a and b, each once, sorted.
func sortedUnion[A, B any](a map[string]A, b map[string]B) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
