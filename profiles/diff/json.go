package diff

import (
	"bytes"
	"encoding/base64"
	"encoding/json"

	"github.com/mdmforge/mdmforge/profiles"
)

// JSON compares two JSON documents decoded with json.Decoder.UseNumber.
// Lists of named settings are compared as maps from name to value, so their
// order does not matter: customSettings (by name), settings (by
// appConfigKey) and managedProperty (by key). In a Microsoft Graph body, a
// base64 profile in payload (Intune's custom.json) is compared as a profile,
// and base64 JSON in payloadJson as JSON.
func JSON(a, b any, opts Options) []Change {
	var out, embedded []Change
	secretPayload := false
	emit := func(c Change) {
		// A base64 profile compared as text, because the other side is not
		// one, is as secret as what it holds.
		c.Secret = c.Secret || secretPayload && c.Path == "payload"
		out = append(out, c)
	}
	base := Change{Scope: ScopeFile}
	oa, okA := a.(map[string]any)
	ob, okB := b.(map[string]any)
	if okA && okB {
		base.PayloadType = stringOf(ob["@odata.type"])
		if base.PayloadType == "" {
			base.PayloadType = stringOf(oa["@odata.type"])
		}
		pa, okA := embeddedProfile(oa["payload"])
		pb, okB := embeddedProfile(ob["payload"])
		switch {
		case okA && okB:
			embedded = compareProfile(pa, pb, "payload", opts)
			oa, ob = without(oa, "payload"), without(ob, "payload")
		case okA:
			_, secretPayload = profiles.RedactSecrets("", pa)
		case okB:
			_, secretPayload = profiles.RedactSecrets("", pb)
		}
		if ja, ok := embeddedJSON(oa["payloadJson"]); ok {
			if jb, ok := embeddedJSON(ob["payloadJson"]); ok {
				oa, ob = without(oa, "payloadJson"), without(ob, "payloadJson")
				oa["payloadJson"], ob["payloadJson"] = ja, jb
			}
		}
		a, b = oa, ob
	}
	w := &walker{base: base, emit: emit, typeOf: jsonType, equal: jsonEqual}
	w.walk("", keyedJSON(a), keyedJSON(b))
	// The embedded profile's changes come after the body's own.
	return append(out, embedded...)
}

func embeddedProfile(v any) (map[string]any, bool) {
	s, ok := v.(string)
	if !ok {
		return nil, false
	}
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	top, err := profiles.DecodeProfile(data)
	return top, err == nil
}

func embeddedJSON(v any) (any, bool) {
	s, ok := v.(string)
	if !ok {
		return nil, false
	}
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil || dec.More() {
		return nil, false
	}
	return out, true
}

// keyedArrays are the JSON lists of named settings, by the key naming each
// entry.
var keyedArrays = map[string]string{
	"customSettings":  "name",
	"settings":        "appConfigKey",
	"managedProperty": "key",
}

// keyedJSON turns the lists in keyedArrays into maps from each entry's name
// to the rest of the entry (its only remaining value, when it has one).
// Lists with an entry lacking the name, or two entries of one name, stay
// lists.
func keyedJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			e = keyedJSON(e)
			if list, ok := e.([]any); ok && keyedArrays[k] != "" {
				if m, ok := keyList(list, keyedArrays[k]); ok {
					e = m
				}
			}
			out[k] = e
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = keyedJSON(e)
		}
		return out
	}
	return v
}

func keyList(list []any, key string) (map[string]any, bool) {
	out := make(map[string]any, len(list))
	for _, e := range list {
		obj, ok := e.(map[string]any)
		if !ok {
			return nil, false
		}
		name, ok := obj[key].(string)
		if _, dup := out[name]; !ok || dup {
			return nil, false
		}
		rest := without(obj, key)
		if len(rest) == 1 {
			for _, v := range rest {
				out[name] = v
			}
		} else {
			out[name] = rest
		}
	}
	return out, true
}
