package propertylist

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"
)

const plistHeader = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
`

// AppendXML encodes a plist tree as an XML property list in the layout
// Apple's tools write (tab indentation, the root dictionary at column 0,
// keys sorted), ending in one newline. It handles exactly the value types a
// compiled tree holds, without reflection: a roster build encodes one
// profile per user.
func AppendXML(b []byte, v any) ([]byte, error) {
	b = append(b, plistHeader...)
	b, err := appendValue(b, v, 0)
	if err != nil {
		return nil, err
	}
	return append(b, "</plist>\n"...), nil
}

func indent(b []byte, depth int) []byte {
	for range depth {
		b = append(b, '\t')
	}
	return b
}

func appendValue(b []byte, v any, depth int) ([]byte, error) {
	b = indent(b, depth)
	var err error
	switch x := v.(type) {
	case string:
		b = append(b, "<string>"...)
		if b, err = appendText(b, x); err != nil {
			return nil, err
		}
		b = append(b, "</string>\n"...)
	case bool:
		if x {
			b = append(b, "<true/>\n"...)
		} else {
			b = append(b, "<false/>\n"...)
		}
	case int64:
		b = append(b, "<integer>"...)
		b = strconv.AppendInt(b, x, 10)
		b = append(b, "</integer>\n"...)
	case float64:
		b = append(b, "<real>"...)
		b = strconv.AppendFloat(b, x, 'g', -1, 64)
		b = append(b, "</real>\n"...)
	case []byte:
		b = append(b, "<data>"...)
		b = base64.StdEncoding.AppendEncode(b, x)
		b = append(b, "</data>\n"...)
	case time.Time:
		b = append(b, "<date>"...)
		b = x.UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
		b = append(b, "</date>\n"...)
	case []any:
		if len(x) == 0 {
			return append(b, "<array/>\n"...), nil
		}
		b = append(b, "<array>\n"...)
		for _, e := range x {
			if b, err = appendValue(b, e, depth+1); err != nil {
				return nil, err
			}
		}
		b = indent(b, depth)
		b = append(b, "</array>\n"...)
	case map[string]any:
		if len(x) == 0 {
			return append(b, "<dict/>\n"...), nil
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = append(b, "<dict>\n"...)
		for _, k := range keys {
			b = indent(b, depth+1)
			b = append(b, "<key>"...)
			if b, err = appendText(b, k); err != nil {
				return nil, err
			}
			b = append(b, "</key>\n"...)
			if b, err = appendValue(b, x[k], depth+1); err != nil {
				return nil, err
			}
		}
		b = indent(b, depth)
		b = append(b, "</dict>\n"...)
	default:
		return nil, fmt.Errorf("cannot encode %T in a property list", v)
	}
	return b, nil
}

// CheckText reports why s cannot be written as XML character data, or nil
// when it can: the check AppendXML applies to every string and key, for
// callers that must refuse a value before they build a tree around it.
func CheckText(s string) error {
	_, err := appendText(nil, s)
	return err
}

// appendText escapes s for XML character data. Characters XML 1.0 cannot
// carry at all (most control characters) are refused rather than written
// into a file no parser accepts; a carriage return is written as a
// character reference so parsers do not turn it into a newline.
func appendText(b []byte, s string) ([]byte, error) {
	for i, r := range s {
		switch {
		case r == '&':
			b = append(b, "&amp;"...)
		case r == '<':
			b = append(b, "&lt;"...)
		case r == '>':
			b = append(b, "&gt;"...)
		case r == '\r':
			b = append(b, "&#13;"...)
		case r == '\t' || r == '\n':
			b = append(b, byte(r))
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF || (r == utf8.RuneError && !validRuneAt(s, i)):
			return nil, fmt.Errorf("text %q holds a character XML cannot carry (U+%04X)", truncate(s, 40), r)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return b, nil
}

func validRuneAt(s string, i int) bool {
	r, size := utf8.DecodeRuneInString(s[i:])
	return r != utf8.RuneError || size == 3
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
