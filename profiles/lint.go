package profiles

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/internal/propertylist"
	"github.com/mdmforge/mdmforge/profiles/schema"
)

// Lint checks an existing, unsigned configuration profile (XML or binary
// property list) against Apple's schema with the same rules policies get,
// for teams moving hand-made profiles into policies. Findings carry the key
// path (PayloadContent[0].SSID_STR) and, for XML, the key's line and column.
func Lint(name string, data []byte, devices Devices) Diagnostics {
	var ds Diagnostics
	fail := func(format string, args ...any) Diagnostics {
		return append(ds, Diagnostic{Severity: Error, Pos: Pos{File: name}, Message: fmt.Sprintf(format, args...)})
	}
	top, err := DecodeProfile(data)
	if err != nil {
		return fail("%v", err)
	}
	pos := xmlKeyPositions(name, data)
	at := func(path string) Pos {
		for p := path; p != ""; p = parentPath(p) {
			if ps, ok := pos[p]; ok {
				return ps
			}
		}
		return Pos{File: name}
	}
	locator := func(prefix string) func(string) (string, Pos) {
		return func(rel string) (string, Pos) {
			path := subPath(prefix, rel)
			return path, at(path)
		}
	}
	c := newSchemaCheck(devices, &ds)
	content, _ := top["PayloadContent"].([]any)
	topKeys := make(map[string]any, len(top))
	for k, v := range top {
		topKeys[k] = propertylist.Normalize(v)
	}
	topKeys["PayloadContent"] = []any{}
	ps, _ := schema.Lookup("Configuration")
	c.dict(topKeys, site{locate: locator("")}, "", ps.Key, ps.Keys, keyNames(ps.Keys), true, ps.Platforms[c.platform])

	ids, uuids := map[string]string{}, map[string]string{}
	for i, item := range content {
		m := propertylist.Normalize(item).(map[string]any)
		base := fmt.Sprintf("PayloadContent[%d]", i)
		for key, seen := range map[string]map[string]string{"PayloadIdentifier": ids, "PayloadUUID": uuids} {
			v, _ := m[key].(string)
			if first, dup := seen[v]; dup {
				ds = append(ds, Diagnostic{Severity: Error, Path: base + "." + key, Pos: at(base + "." + key),
					Message: fmt.Sprintf("%q is also the %s of %s; each payload needs its own", v, key, first)})
			}
			seen[v] = base
		}
		c.payload(m, site{typePath: base + ".PayloadType", typePos: at(base + ".PayloadType"), locate: locator(base)})
	}
	ds.Sort()
	return ds
}

// xmlKeyPositions maps the path of every key and array element of an XML
// property list to its position. Binary property lists have none.
func xmlKeyPositions(name string, data []byte) map[string]Pos {
	pos := map[string]Pos{}
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte("<")) {
		return pos
	}
	lines := []int{0}
	for i, b := range data {
		if b == '\n' {
			lines = append(lines, i+1)
		}
	}
	// A binary search, not a walk from the first line: a profile of many
	// keys would otherwise take time quadratic in its length.
	position := func(off int64) Pos {
		l := sort.Search(len(lines), func(i int) bool { return int64(lines[i]) > off }) - 1
		return Pos{File: name, Line: l + 1, Column: int(off) - lines[l] + 1}
	}
	type frame struct {
		path  string
		dict  bool
		key   string // dict: the key whose value comes next
		index int    // array: the next element's index
	}
	var stack []frame
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF || err != nil {
			return pos
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			if end, ok := tok.(xml.EndElement); ok && (end.Name.Local == "dict" || end.Name.Local == "array") && len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		if start.Name.Local == "plist" {
			continue
		}
		if start.Name.Local == "key" && len(stack) > 0 && stack[len(stack)-1].dict {
			if k, ok := xmlElementText(dec); ok {
				f := &stack[len(stack)-1]
				f.key = strings.TrimSpace(k)
				pos[subPath(f.path, f.key)] = position(off)
			}
			continue
		}
		// A value: its path is the enclosing key or array index.
		path := ""
		if len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.dict {
				path = subPath(f.path, f.key)
			} else {
				path = fmt.Sprintf("%s[%d]", f.path, f.index)
				f.index++
				pos[path] = position(off)
			}
		}
		switch start.Name.Local {
		case "dict":
			stack = append(stack, frame{path: path, dict: true})
		case "array":
			stack = append(stack, frame{path: path})
		}
	}
}

// xmlElementText reads the rest of an element whose start tag was just read
// and returns its text, as DecodeElement into a string would (text inside
// nested elements left out), without reflection: lint reads every key so.
func xmlElementText(dec *xml.Decoder) (string, bool) {
	var text []byte
	for depth := 1; ; {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		switch t := tok.(type) {
		case xml.CharData:
			if depth == 1 {
				text = append(text, t...)
			}
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth--; depth == 0 {
				return string(text), true
			}
		}
	}
}
