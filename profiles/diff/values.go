package diff

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mdmforge/mdmforge/profiles"
)

// How a change and its values read on one line, in every format but JSON.

var markers = map[ChangeKind]string{Added: "+", Removed: "-", Changed: "~"}

func markerOf(c Change) string { return markers[c.Kind] }

// changeLine is a change without its marker: KEY: BEFORE → AFTER.
func changeLine(c Change) string {
	key := c.Path
	if key == "" {
		key = "contents"
		if c.BeforeType != "bytes" {
			key = "(whole file)"
		}
	}
	switch {
	case c.Secret && c.Kind == Changed:
		return key + ": " + secretChanged + typeNote(c)
	case c.Kind == Added:
		return key + ": " + showValue(c.After, c.AfterType)
	case c.Kind == Removed:
		return key + ": " + showValue(c.Before, c.BeforeType)
	}
	return key + ": " + showValue(c.Before, c.BeforeType) + " → " + showValue(c.After, c.AfterType) + typeNote(c)
}

// secretChanged stands for both values of a changed secret: that it
// changed is for review, the values are not.
const secretChanged = "<secret, changed>"

func typeNote(c Change) string {
	if c.Kind == Changed && c.BeforeType != c.AfterType {
		return fmt.Sprintf(" (type changed from %s to %s)", c.BeforeType, c.AfterType)
	}
	return ""
}

// showValue shows a value on one line: strings quoted, reals with a decimal
// point, data as its size and digest, dates in RFC 3339, and short
// dictionaries and arrays inline.
func showValue(v any, typ string) string {
	if typ == "bytes" {
		return fmt.Sprint(v)
	}
	if s := inline(v); utf8.RuneCountInString(s) <= 80 {
		return s
	}
	switch x := v.(type) {
	case map[string]any:
		return fmt.Sprintf("<dictionary of %s>", plural(len(x), "key", "keys"))
	case []any:
		return fmt.Sprintf("<array of %s>", plural(len(x), "item", "items"))
	}
	return inline(v)
}

func inline(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case json.Number:
		return x.String()
	case float64:
		return realString(x)
	case float32:
		return realString(float64(x))
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case []byte:
		return fmt.Sprintf("<data: %d bytes, sha256 %x>", len(x), sha256.Sum256(x))
	case *Signer:
		return x.String()
	case profiles.Redacted:
		return x.String()
	case nil:
		return "null"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconv.Quote(k) + ": " + inline(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = inline(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

func realString(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eIN") {
		s += ".0"
	}
	return s
}
