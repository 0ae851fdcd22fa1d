// Package termsafe makes text from files safe to print on a terminal.
//
// Certificate subjects, profile strings and keys come from files anyone can
// write. Printed raw, an escape sequence in them can clear the screen, move
// the cursor or retitle the window, a newline can forge an output line such
// as "signature verified", and a bidi override can make a name read
// backwards. Every command that prints such text passes it through String.
package termsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// String returns s with every character that can control a terminal or
// reorder the text around it written as a Go escape: C0 controls (newline
// and tab included) and DEL as \xNN, C1 controls and the Unicode bidi
// controls as \uNNNN, and bytes that are not UTF-8 as \xNN. Everything else
// is left alone, so ordinary text prints unchanged; a string that needs no
// escaping is returned as is, without allocating.
func String(s string) string { return escape(s, false) }

// Multiline is String for text whose printer indents or quotes each line,
// as YAML and JSON encoders do: it keeps newlines and tabs, so a
// multi-line description stays readable, and escapes the rest.
func Multiline(s string) string { return escape(s, true) }

func escape(s string, keepLines bool) string {
	unsafe := func(r rune, n int) bool {
		return unsafeRune(r, n) && !(keepLines && (r == '\n' || r == '\t'))
	}
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unsafe(r, n) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && unsafe(r, n):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r, n):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func unsafeRune(r rune, n int) bool {
	switch {
	case r == utf8.RuneError && n == 1:
		return true // not UTF-8
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true // C0, DEL, C1
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true // Arabic letter mark, left-to-right and right-to-left marks
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // bidi embeddings, overrides and isolates
	}
	return false
}
