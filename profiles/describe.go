package profiles

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"sort"
	"time"

	"github.com/mdmforge/mdmforge/internal/propertylist"
	"github.com/mdmforge/mdmforge/internal/termsafe"
)

// Description is a configuration profile shaped for a person to review: its
// own identity and keys, then each payload's. It marshals to YAML and JSON
// as mdmforge inspect prints it.
type Description struct {
	Profile  PayloadDescription   `json:"profile" yaml:"profile"`
	Payloads []PayloadDescription `json:"payloads" yaml:"payloads"`
}

// PayloadDescription is one payload (or the profile itself) in a
// Description: the keys every payload has, then the others by name.
type PayloadDescription struct {
	Type        string         `json:"type" yaml:"type"`
	Identifier  string         `json:"identifier" yaml:"identifier"`
	UUID        string         `json:"uuid" yaml:"uuid"`
	DisplayName string         `json:"display_name,omitempty" yaml:"display_name,omitempty"`
	Keys        map[string]any `json:"keys" yaml:"keys"`
}

// Describe shapes a decoded profile (as DecodeProfile returns it) for
// review. A review is shared more widely than the profile, and read in a
// terminal, so secrets (IsSecretKey) become "<secret>", data its size and
// SHA-256 rather than base64, dates RFC 3339 text, and control characters
// and bidi overrides in keys and strings are escaped (termsafe), so a file
// cannot drive the terminal. top is left as it is.
func Describe(top map[string]any) Description {
	top = maps.Clone(top)
	content, _ := top["PayloadContent"].([]any)
	delete(top, "PayloadContent")
	d := Description{Profile: describePayload(top), Payloads: []PayloadDescription{}}
	for _, c := range content {
		m, _ := c.(map[string]any)
		d.Payloads = append(d.Payloads, describePayload(m))
	}
	return d
}

func describePayload(m map[string]any) PayloadDescription {
	red, _ := RedactSecrets("", m)
	// RedactSecrets shares a payload without secrets: copy before taking
	// keys out.
	m = maps.Clone(red.(map[string]any))
	p := PayloadDescription{Keys: map[string]any{}}
	take := func(k string) string {
		s, _ := m[k].(string)
		delete(m, k)
		return termsafe.String(s)
	}
	p.Type, p.Identifier, p.UUID, p.DisplayName = take("PayloadType"), take("PayloadIdentifier"), take("PayloadUUID"), take("PayloadDisplayName")
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.Keys[termsafe.String(k)] = reviewValue(m[k])
	}
	return p
}

// reviewValue makes plist values readable in YAML and JSON: data becomes a
// size and digest, dates RFC 3339 text, redacted secrets "<secret>", and
// strings and keys from the file are escaped for the terminal.
func reviewValue(v any) any {
	return propertylist.MapLeaves(escapeKeys(v), func(v any) any {
		switch x := v.(type) {
		case string:
			// YAML and JSON keep a multi-line value's lines in place.
			return termsafe.Multiline(x)
		case Redacted:
			return x.String()
		case []byte:
			return fmt.Sprintf("<data: %d bytes, sha256 %x>", len(x), sha256.Sum256(x))
		case time.Time:
			return x.UTC().Format(time.RFC3339)
		}
		return v
	})
}

// escapeKeys copies a plist tree with its dictionary keys escaped for the
// terminal; values are left to the caller.
func escapeKeys(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[termsafe.String(k)] = escapeKeys(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = escapeKeys(e)
		}
		return out
	}
	return v
}
