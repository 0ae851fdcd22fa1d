package profiles

import (
	"github.com/mdmforge/mdmforge/profiles/schema"
)

// Coercion lives apart from the checks because it changes values rather
// than judging them: compilation calls it, after validation, so that a whole
// number written for a real is a <real> in the profile.

// coercePayload gives a generic payload's values the plist type Apple's
// schema wants where YAML's is merely narrower: a whole number written for a
// real. Validation reports every real mismatch; this only keeps the
// compiled profile exact.
func coercePayload(m map[string]any) map[string]any {
	pt, _ := m["PayloadType"].(string)
	if ps, ok := schema.Lookup(pt); ok {
		coerceDict(m, ps.Key)
	}
	return m
}

func coerceDict(m map[string]any, lookup func(string) (*schema.Key, bool)) {
	for k, v := range m {
		if ks, ok := lookup(k); ok {
			m[k] = coerce(ks, v)
		}
	}
}

func coerce(ks *schema.Key, v any) any {
	switch x := v.(type) {
	case int64:
		if ks.Type == schema.Real {
			return float64(x)
		}
	case map[string]any:
		coerceDict(x, ks.Lookup)
	case []any:
		if ks.Item != nil {
			for i, e := range x {
				x[i] = coerce(ks.Item, e)
			}
		}
	}
	return v
}
