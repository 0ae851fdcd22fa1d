package propertylist

import (
	"bytes"
	"encoding/xml"
	"strings"
)

// decodesAsXMLPlist reports whether howett.net/plist reads data as XML: it
// does when the first element encoding/xml finds is one of a property
// list's, and falls back to the text format on anything else.
func decodesAsXMLPlist(data []byte) bool {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if start, ok := tok.(xml.StartElement); ok {
			switch start.Name.Local {
			case "plist", "array", "dict", "key", "string", "integer", "real", "true", "false", "date", "data":
				return true
			}
			return false
		}
	}
}

// xmlPlistDepth returns how many levels of <array> and <dict> (and of
// <plist> inside them, which the decoder also recurses into) data opens,
// counting no further than limit+1. It scans bytes instead of tokenizing,
// which is many times faster than encoding/xml on large profiles; it skips
// what encoding/xml skips (comments, CDATA, processing instructions and
// directives, quoted attribute values, and whatever is inside other
// elements, which the decoder reads as text), so it never counts fewer
// levels than the decoder would recurse into. Unterminated
// markup ends the scan: the decoder stops with an error there too.
func xmlPlistDepth(data []byte, limit int) int {
	open, deepest := 0, 0
	outerPlist := false // the document's <plist> element is not a level
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], '<')
		if j < 0 {
			return deepest
		}
		i += j
		if k := skipXMLMarkup(data, i); k != 0 {
			if k < 0 {
				return deepest
			}
			i = k
			continue
		}
		closing := i+1 < len(data) && data[i+1] == '/'
		name, end, empty := xmlTag(data, i)
		if end < 0 {
			return deepest
		}
		i = end
		container := name == "array" || name == "dict" || name == "plist"
		switch {
		case closing:
			if container && open > 0 {
				open--
			}
		case container:
			// An empty <array/> is a level too, as () is in text and an
			// empty array in binary, though nothing can nest inside it.
			if open == 0 {
				outerPlist = name == "plist"
			}
			levels := open + 1
			if outerPlist {
				levels--
			}
			if !empty {
				open++
			}
			deepest = max(deepest, levels)
			if deepest > limit {
				return deepest
			}
		case empty:
		default:
			// The decoder reads a <key>, <string> or other value as text,
			// skipping any elements inside it without recursing.
			if i = skipXMLElement(data, i); i < 0 {
				return deepest
			}
		}
	}
}

// skipXMLMarkup passes the comment, CDATA section, processing instruction
// or directive starting at data[i], returning the offset after it, 0 when
// data[i:] is an element tag instead, or -1 when it does not end.
func skipXMLMarkup(data []byte, i int) int {
	rest := data[i:]
	past := func(from int, end string) int {
		k := bytes.Index(data[from:], []byte(end))
		if k < 0 {
			return -1
		}
		return from + k + len(end)
	}
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		return past(i+4, "-->")
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		return past(i+9, "]]>")
	case bytes.HasPrefix(rest, []byte("<?")):
		return past(i+2, "?>")
	case bytes.HasPrefix(rest, []byte("<!")):
		return skipXMLDirective(data, i+2)
	}
	return 0
}

// skipXMLDirective passes a directive such as <!DOCTYPE …> from just after
// its "<!", as encoding/xml reads one: the first byte is taken as is,
// quoted text is opaque, unquoted angle brackets nest and comments inside
// are skipped.
func skipXMLDirective(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	i++ // the byte after "<!" is part of the directive's name
	var quote byte
	depth := 0
	for ; i < len(data); i++ {
		b := data[i]
		switch {
		case quote != 0:
			if b == quote {
				quote = 0
			}
		case b == '>' && depth == 0:
			return i + 1
		case b == '\'' || b == '"':
			quote = b
		case b == '>':
			depth--
		case b == '<':
			if bytes.HasPrefix(data[i:], []byte("<!--")) {
				k := bytes.Index(data[i+4:], []byte("-->"))
				if k < 0 {
					return -1
				}
				i += 4 + k + 2
				continue
			}
			depth++
		}
	}
	return -1
}

// xmlTag reads the start or end tag at data[i]: its local name (without a
// namespace prefix, as the decoder compares names), the offset after its
// ">", or -1 when it does not end, and whether it closes itself ("<a/>").
func xmlTag(data []byte, i int) (name string, end int, empty bool) {
	i++
	if i < len(data) && data[i] == '/' {
		i++
	}
	start := i
	for i < len(data) && strings.IndexByte(" \t\r\n/>", data[i]) < 0 {
		i++
	}
	full := data[start:i]
	if c := bytes.LastIndexByte(full, ':'); c >= 0 {
		full = full[c+1:]
	}
	var quote byte
	for ; i < len(data); i++ {
		b := data[i]
		switch {
		case quote != 0:
			if b == quote {
				quote = 0
			}
		case b == '"' || b == '\'':
			quote = b
		case b == '>':
			return string(full), i + 1, data[i-1] == '/'
		}
	}
	return string(full), -1, false
}

// skipXMLElement passes the content and end tag of the element whose start
// tag ends just before data[i], counting nested elements of any name.
func skipXMLElement(data []byte, i int) int {
	for nested := 1; ; {
		j := bytes.IndexByte(data[i:], '<')
		if j < 0 {
			return -1
		}
		i += j
		if k := skipXMLMarkup(data, i); k != 0 {
			if k < 0 {
				return -1
			}
			i = k
			continue
		}
		closing := i+1 < len(data) && data[i+1] == '/'
		_, end, empty := xmlTag(data, i)
		if end < 0 {
			return -1
		}
		i = end
		switch {
		case closing:
			if nested--; nested == 0 {
				return i
			}
		case !empty:
			nested++
		}
	}
}
