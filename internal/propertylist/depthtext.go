package propertylist

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// textPlistDepth returns how deeply the parentheses (arrays) and braces
// (dictionaries) of an old-style text property list nest, counting no
// further than limit+1. It reads the text as howett.net/plist does
// (UTF-8, or UTF-16 by byte order mark or zero bytes) and skips what its
// parser skips: quoted strings, comments between values, <data> and
// GNUstep <*…> and <[…]> values. Unquoted strings are read whole, because
// "//" inside one is not a comment.
func textPlistDepth(data []byte, limit int) int {
	s, ok := textPlistString(data)
	if !ok {
		return 0
	}
	open, deepest := 0, 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			for i < len(s) && s[i] != '\n' && s[i] != '\r' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			k := strings.Index(s[i+2:], "*/")
			if k < 0 {
				return deepest
			}
			i += 2 + k + 2
		case c == '"':
			for i++; ; i++ {
				if i >= len(s) {
					return deepest
				}
				if s[i] == '\\' {
					i++ // an escaped character, which may be a quote
				} else if s[i] == '"' {
					i++
					break
				}
			}
		case c == '<':
			end := byte('>')
			if i+1 < len(s) && s[i+1] == '[' {
				end = ']'
			}
			k := strings.IndexByte(s[i+1:], end)
			if k < 0 {
				return deepest
			}
			i += 1 + k + 1
		case c == '(' || c == '{':
			open++
			deepest = max(deepest, open)
			if deepest > limit {
				return deepest
			}
			i++
		case c == ')' || c == '}':
			if open > 0 {
				open--
			}
			i++
		default:
			r, w := utf8.DecodeRuneInString(s[i:])
			if !textQuotable(r) {
				// An unquoted string: it runs until a character that
				// would need quoting.
				for i < len(s) {
					r, w = utf8.DecodeRuneInString(s[i:])
					if textQuotable(r) {
						break
					}
					i += w
				}
				continue
			}
			i += w
		}
	}
	return deepest
}

// textQuotable reports whether r ends an unquoted string in howett.net/plist's
// text parser: controls, space, the punctuation "'(),;<=>[\]`{} and DEL,
// and the characters from 128 to 255.
func textQuotable(r rune) bool {
	switch {
	case r < 0x21 || r >= 0x7f && r <= 0xff:
		return true
	case r > 0xff:
		return false
	}
	return strings.IndexByte("\"'(),;<=>[\\]`{}", byte(r)) >= 0
}

// textPlistString decodes data as howett.net/plist's text parser guesses
// its encoding.
func textPlistString(data []byte) (string, bool) {
	u16 := func(b []byte, order binary.ByteOrder) (string, bool) {
		if len(b)%2 != 0 {
			return "", false
		}
		units := make([]uint16, len(b)/2)
		for i := range units {
			units[i] = order.Uint16(b[2*i:])
		}
		return string(utf16.Decode(units)), true
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return string(data[3:]), true
	case len(data) < 2:
	case data[0] == 0xFE && data[1] == 0xFF:
		return u16(data[2:], binary.BigEndian)
	case data[0] == 0 && data[1] != 0:
		return u16(data, binary.BigEndian)
	case data[0] == 0xFF && data[1] == 0xFE:
		return u16(data[2:], binary.LittleEndian)
	case data[0] != 0 && data[1] == 0:
		return u16(data, binary.LittleEndian)
	}
	return string(data), true
}
