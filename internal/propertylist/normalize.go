package propertylist

import (
	"math"
	"time"
)

// Normalize maps decoded plist values onto one representation per type, so
// trees can be compared whatever produced them (a decoder, or code building
// a tree with int and local times). The profile round-trip checks and the diff
// engine both use it, because they must agree on what makes two values
// the same.
func Normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Normalize(e)
		}
		return out
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x)
		}
	case int:
		return int64(x)
	case time.Time:
		return x.UTC()
	}
	return v
}

// MapLeaves copies a plist tree with every value that is not a dictionary
// or an array replaced by f's answer: how a tree is redacted or made ready
// for JSON without each caller writing the walk again.
func MapLeaves(v any, f func(any) any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = MapLeaves(e, f)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = MapLeaves(e, f)
		}
		return out
	}
	return f(v)
}
