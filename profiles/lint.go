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
	"howett.net/plist"
)

// Lint checks an existing, unsigned configuration profile (XML or binary
// property list) against Apple's schema with the same rules policies get,
// for teams moving hand-made profiles into policies. Findings carry the key
// path (PayloadContent[0].SSID_STR) and, for XML, the key's line and column.
//
// Without devices.Platform, Lint infers the platform (InferPlatform) and
// says so in a Note finding. Lint never stops at the first problem: a
// missing PayloadUUID or a payload that is not a dictionary is one finding
// among the others, so one run shows everything to fix. Only a file that is
// not a property list, or not a configuration profile at all, gets a single
// finding.
func Lint(name string, data []byte, devices Devices) Diagnostics {
	var ds Diagnostics
	fail := func(pos Pos, format string, args ...any) Diagnostics {
		return append(ds, Diagnostic{Severity: Error, Pos: pos, Message: fmt.Sprintf(format, args...)})
	}
	if err := propertylist.CheckDepth(data); err != nil {
		return fail(Pos{File: name}, "%v", err)
	}
	// Into a dictionary, as DecodeProfile does: any other root (and any
	// text, which the OpenStep format reads as a string) is not a profile.
	var top map[string]any
	if _, err := plist.Unmarshal(data, &top); err != nil {
		return fail(Pos{File: name}, "not a property list: %v", err)
	}
	pos := xmlKeyPositions(name, data)
	at := func(path string) Pos {
		for p := path; ; p = parentPath(p) {
			if ps, ok := pos[p]; ok {
				return ps
			}
			if p == "" {
				return Pos{File: name}
			}
		}
	}
	if t, set := top["PayloadType"].(string); set && t != "Configuration" {
		// A payload or some other property list: its keys would all be
		// findings about a profile it never was.
		return fail(at("PayloadType"), "not a configuration profile (PayloadType is %q, want Configuration)", t)
	}
	locator := func(prefix string) func(string) (string, Pos) {
		return func(rel string) (string, Pos) {
			path := prefix
			if rel != "" {
				path = subPath(prefix, rel)
			}
			return path, at(path)
		}
	}
	if devices.Platform != "" {
		p, ok := ParsePlatform(devices.Platform)
		if !ok {
			return fail(Pos{File: name}, "%q is not a platform; choose iOS, macOS, tvOS, visionOS or watchOS", devices.Platform)
		}
		devices.Platform = p
	}
	if devices.Platform == "" {
		// Without a platform, the profile's payloads and keys tell it; the
		// note says which was chosen and why, so a surprising choice is
		// seen before its findings.
		platform, why := InferPlatform(top)
		if platform == "" {
			ds = append(ds, Diagnostic{Severity: Error, Pos: at(""), Message: "cannot infer the platform: " + why + "; name one (lint --platform)"})
		} else {
			ds = append(ds, Diagnostic{Severity: Note, Pos: Pos{File: name}, Message: fmt.Sprintf("platform %s inferred: %s", platform, why)})
		}
		devices.Platform = platform
	}
	c := newSchemaCheck(devices, &ds)
	c.profile = true
	topKeys := make(map[string]any, len(top))
	for k, v := range top {
		topKeys[k] = propertylist.Normalize(v)
	}
	content, isList := topKeys["PayloadContent"].([]any)
	for i, item := range content {
		m, ok := item.(map[string]any)
		if !ok {
			base := fmt.Sprintf("PayloadContent[%d]", i)
			ds = append(ds, Diagnostic{Severity: Error, Path: base, Pos: at(base),
				Message: fmt.Sprintf("a payload is a dictionary, not %s", describeValue(item))})
			continue
		}
		if t, ok := m["PayloadType"].(string); ok {
			c.inside = append(c.inside, t)
		}
	}
	if isList {
		topKeys["PayloadContent"] = []any{} // the payloads are checked one by one below
	}
	if _, set := topKeys["PayloadContent"]; !set && topKeys["IsEncrypted"] == true {
		// Apple: "If 'IsEncrypted' is 'true', this array isn't needed".
		topKeys["PayloadContent"] = []any{}
		ds = append(ds, Diagnostic{Severity: Note, Pos: at("IsEncrypted"), Path: "EncryptedPayloadContent",
			Message: "the payloads are encrypted for their devices; lint cannot check them"})
	}
	c.payloadType = "Configuration"
	ps, _ := schema.Lookup("Configuration")
	topSite := site{locate: locator("")}
	c.dict(topKeys, topSite, "", ps.Key, ps.Keys, keyNames(ps.Keys), true, ps.Platforms[c.platform], false)
	c.housekeeping(topKeys, topSite, true)

	ids, uuids := map[string]string{}, map[string]string{}
	for i, item := range content {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		base := fmt.Sprintf("PayloadContent[%d]", i)
		for _, key := range []string{"PayloadIdentifier", "PayloadUUID"} {
			seen := ids
			if key == "PayloadUUID" {
				seen = uuids
			}
			v, _ := m[key].(string)
			if v == "" {
				continue // missing or empty: its own finding
			}
			if first, dup := seen[v]; dup {
				ds = append(ds, Diagnostic{Severity: Error, Path: base + "." + key, Pos: at(base + "." + key),
					Message: fmt.Sprintf("%q is also the %s of %s; each payload needs its own", v, key, first)})
			}
			seen[v] = base
		}
		s := site{typePath: base + ".PayloadType", typePos: at(base + ".PayloadType"), locate: locator(base)}
		if _, set := m["PayloadType"]; !set {
			s.typePath, s.typePos = base, at(base)
		}
		c.payload(m, s)
		c.housekeeping(m, s, false)
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
		// A value: its path is the enclosing key or array index; the
		// root's is "", so findings about the profile's own dictionary
		// (a missing PayloadUUID) have a line too.
		path := ""
		if len(stack) == 0 {
			pos[""] = position(off)
		} else {
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
