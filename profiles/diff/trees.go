package diff

import (
	"fmt"

	"github.com/mdmforge/mdmforge/internal/propertylist"
)

// Trees compares two configuration profiles given as plist trees: their
// top-level keys, then their payloads matched by PayloadIdentifier, so
// reordered payloads are not a change. Keys are compared by value and type
// (integer 1 and real 1.0 differ), dictionaries and arrays to any depth,
// arrays by index. Changes come in a stable order: top level first, then
// payloads by identifier.
func Trees(a, b map[string]any, opts Options) []Change {
	return compareProfile(a, b, "", opts)
}

func compareProfile(a, b map[string]any, within string, opts Options) []Change {
	a, b = propertylist.Normalize(a).(map[string]any), propertylist.Normalize(b).(map[string]any)
	ca, okA := payloadsByID(a)
	cb, okB := payloadsByID(b)
	topA, topB := a, b
	if okA && okB {
		topA, topB = without(a, "PayloadContent"), without(b, "PayloadContent")
	}
	var out []Change
	emit := func(c Change) {
		if c.Path == "PayloadUUID" && (c.Scope == ScopeProfile || c.Scope == ScopePayload) {
			c.Hidden = !opts.UUIDs
		}
		out = append(out, c)
	}
	plistWalker(Change{Scope: ScopeProfile, Within: within}, emit).walk("", topA, topB)
	if !okA || !okB {
		return out
	}
	for _, id := range sortedUnion(ca, cb) {
		pa, inA := ca[id]
		pb, inB := cb[id]
		base := Change{Scope: ScopePayload, Within: within, Payload: id}
		switch {
		case !inA:
			base.Kind, base.PayloadType, base.After, base.AfterType = Added, stringOf(pb["PayloadType"]), pb, "dict"
			emit(base)
		case !inB:
			base.Kind, base.PayloadType, base.Before, base.BeforeType = Removed, stringOf(pa["PayloadType"]), pa, "dict"
			emit(base)
		default:
			base.PayloadType = stringOf(pb["PayloadType"])
			plistWalker(base, emit).walk("", pa, pb)
		}
	}
	return out
}

// payloadsByID indexes PayloadContent by PayloadIdentifier. A second payload
// with the same identifier is keyed "ID #2", and so on.
func payloadsByID(top map[string]any) (map[string]map[string]any, bool) {
	content, ok := top["PayloadContent"].([]any)
	if !ok {
		return nil, false
	}
	out := make(map[string]map[string]any, len(content))
	for _, c := range content {
		pl, ok := c.(map[string]any)
		if !ok {
			return nil, false
		}
		id := stringOf(pl["PayloadIdentifier"])
		key := id
		for n := 2; ; n++ {
			if _, dup := out[key]; !dup {
				break
			}
			key = fmt.Sprintf("%s #%d", id, n)
		}
		out[key] = pl
	}
	return out, true
}

func without(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

// Plists compares two plist values, such as two Outlook managed app
// configuration dictionaries, by value and type.
func Plists(a, b any) []Change {
	var out []Change
	plistWalker(Change{Scope: ScopeFile}, func(c Change) { out = append(out, c) }).walk("", propertylist.Normalize(a), propertylist.Normalize(b))
	return out
}
