package profiles

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"math"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxPlistDepth is how deeply the dictionaries and arrays of a property
// list a user gives mdmforge may nest. Profiles nest a handful of levels;
// the property list decoder recurses once per level, so a file of a
// million nested arrays would otherwise exhaust the stack and kill the
// process instead of being refused.
const MaxPlistDepth = 128

// errPlistTooDeep is the one message for every format, so users learn the
// limit whatever their file's format.
var errPlistTooDeep = fmt.Errorf("the property list nests more than %d levels deep", MaxPlistDepth)

// CheckPlistDepth refuses a property list that nests dictionaries and
// arrays more than MaxPlistDepth levels deep, or, in binary form, whose
// objects refer to themselves or are shared so often that decoding would
// expand them into far more values than the file holds. It reads the data
// without recursion and without decoding values, so it is safe on any
// input; call it before handing data a user supplied to plist.Unmarshal.
//
// It follows the decoder's own choice of format (binary when the data
// starts with "bplist", XML when its first element is a property list
// element, old-style text otherwise). Malformed input it cannot measure
// is left to the decoder to refuse, except binary structure errors, which
// are reported here because the decoder may crash on some of them.
func CheckPlistDepth(data []byte) error {
	switch {
	case bytes.HasPrefix(data, []byte("bplist")):
		return checkBinaryPlist(data)
	case decodesAsXMLPlist(data):
		if xmlPlistDepth(data, MaxPlistDepth) > MaxPlistDepth {
			return errPlistTooDeep
		}
		return nil
	}
	if textPlistDepth(data, MaxPlistDepth) > MaxPlistDepth {
		return errPlistTooDeep
	}
	return nil
}

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

// binaryPlistBudget is how many bytes a binary property list of size bytes
// may decode into, its text and data plus plistValueOverhead per value: 16
// times its size, at least 1 MiB and at most 64 MiB. Writers share each
// repeated string or number once, so real profiles expand a few times;
// each array referring many times to the one before (a DAG) would
// otherwise decode, print and convert into gigabytes from a few kilobytes.
// 64 MiB is far above any profile a device accepts.
func binaryPlistBudget(size int) uint64 {
	return uint64(min(max(16*int64(size), 1<<20), 64<<20))
}

const binaryPlistBudgetWords = "16 times the file's size, at least 1 MiB, at most 64 MiB"

// plistValueOverhead is what each decoded value counts besides its text or
// data: about the markup it prints to in XML, so that empty values are not
// free either.
const plistValueOverhead = 16

// checkBinaryPlist walks the object graph of a binary property list
// (bplist00) from its top object, iteratively, and refuses references that
// lead outside the file, loops, nesting deeper than MaxPlistDepth and
// shared objects that decoding would copy into more bytes than
// binaryPlistBudget allows (a few hundred bytes of arrays each referring
// twice to the next would otherwise decode into 2^128 values). Each
// object's totals are remembered, so the walk is linear in the references.
func checkBinaryPlist(data []byte) error {
	if len(data) < 40 {
		return nil // too short for a trailer: the decoder says so
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("not a valid binary property list: "+format, args...)
	}
	trailer := data[len(data)-32:]
	offSize, refSize := int(trailer[6]), uint64(trailer[7])
	numObjects := binary.BigEndian.Uint64(trailer[8:])
	top := binary.BigEndian.Uint64(trailer[16:])
	table := binary.BigEndian.Uint64(trailer[24:])
	trailerAt := uint64(len(data) - 32)
	switch {
	case offSize < 1 || offSize > 8 || refSize < 1 || refSize > 8:
		return bad("offsets of %d bytes and references of %d bytes", offSize, refSize)
	case table < 8 || table >= trailerAt:
		return bad("the offset table is outside the file")
	case numObjects > (trailerAt-table)/uint64(offSize):
		return bad("the offset table is too short for %d objects", numObjects)
	case top >= numObjects:
		return bad("the top object %d does not exist", top)
	}
	// uintAt reads an n-byte big-endian number, if the file holds it.
	uintAt := func(at uint64, n int) (uint64, bool) {
		if at > uint64(len(data)) || uint64(len(data))-at < uint64(n) {
			return 0, false
		}
		var v uint64
		for _, b := range data[at : at+uint64(n)] {
			v = v<<8 | uint64(b)
		}
		return v, true
	}
	// object finds object id and, for an array or dictionary, the span of
	// its references (a dictionary's keys, then its values); container is
	// false for other objects, whose size is what decoding makes of them.
	type span struct{ next, end uint64 }
	object := func(id uint64) (refs span, container bool, size uint64, err error) {
		if id >= numObjects {
			return span{}, false, 0, bad("a reference to object %d, of %d", id, numObjects)
		}
		off, _ := uintAt(table+id*uint64(offSize), offSize)
		if off >= table {
			return span{}, false, 0, bad("object %d starts beyond the object table", id)
		}
		tag := data[off]
		switch tag & 0xF0 {
		case 0x40, 0x50, 0x60, 0xA0, 0xD0: // data, text, arrays, dictionaries
		case 0x10, 0x20, 0x30, 0x80: // numbers, dates, UIDs
			return span{}, false, 8, nil
		default:
			return span{}, false, 1, nil
		}
		count, start := uint64(tag&0x0F), off+1
		if count == 0x0F {
			// The length follows as an integer object of 2^n bytes, of
			// which the decoder keeps the low 64 bits.
			sizeTag, _ := uintAt(off+1, 1)
			n := uint64(1) << (sizeTag & 0x0F)
			at, width := off+2, int(n)
			if n == 16 {
				at, width = at+8, 8
			}
			v, ok := uintAt(at, width)
			if n > 8 && n != 16 || !ok {
				return span{}, false, 0, bad("object %d has an invalid length", id)
			}
			count, start = v, off+2+n
		}
		switch tag & 0xF0 {
		case 0x40, 0x50:
			return span{}, false, count, nil
		case 0x60:
			// UTF-16 units, up to three bytes each once decoded to UTF-8;
			// saturated, since count is the file's word.
			return span{}, false, min(count, math.MaxUint64/3) * 3, nil
		case 0xD0:
			if count > math.MaxUint64/2 {
				return span{}, false, 0, bad("object %d is too long", id)
			}
			count *= 2
		}
		if start > table || count > (table-start)/refSize {
			return span{}, false, 0, bad("object %d runs past the object table", id)
		}
		return span{start, start + count*refSize}, true, 0, nil
	}

	refs, container, _, err := object(top)
	if err != nil || !container {
		return err
	}
	// A walked container's levels (1 + the deepest container inside it)
	// and how many bytes decoding it makes, shared objects counted once
	// per reference. onStack marks those whose children are being walked.
	const onStack = 0
	type done struct {
		levels int
		bytes  uint64
	}
	walked := map[uint64]done{top: {levels: onStack}}
	budget := binaryPlistBudget(len(data))
	tooMany := bad("shared objects expand into more than %d bytes (%s)", budget, binaryPlistBudgetWords)
	type frame struct {
		id     uint64
		refs   span // references still to walk
		deeper int  // levels of the deepest container inside so far
		bytes  uint64
	}
	stack := []frame{{id: top, refs: refs, bytes: plistValueOverhead}}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.refs.next == f.refs.end {
			// All children walked: record the container and hand its
			// totals to its parent.
			d := done{levels: f.deeper + 1, bytes: f.bytes}
			walked[f.id] = d
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				p := &stack[len(stack)-1]
				p.deeper = max(p.deeper, d.levels)
				if p.bytes += d.bytes; p.bytes > budget {
					return tooMany
				}
			}
			continue
		}
		child, _ := uintAt(f.refs.next, int(refSize))
		f.refs.next += refSize
		refs, container, size, err := object(child)
		if err != nil {
			return err
		}
		d, seen := walked[child]
		switch {
		case !container:
			// Saturating: a leaf's size is the file's word, up to 2^64.
			f.bytes += min(size, budget) + plistValueOverhead
		case seen && d.levels == onStack:
			return bad("object %d contains itself", child)
		case seen:
			// Walked before through another reference: the decoder copies
			// it again here, at this depth.
			if len(stack)+d.levels > MaxPlistDepth {
				return errPlistTooDeep
			}
			f.deeper = max(f.deeper, d.levels)
			f.bytes += d.bytes
		default:
			if len(stack) >= MaxPlistDepth {
				return errPlistTooDeep
			}
			walked[child] = done{levels: onStack}
			stack = append(stack, frame{id: child, refs: refs, bytes: plistValueOverhead})
			continue
		}
		if f.bytes > budget {
			return tooMany
		}
	}
	return nil
}
