package profiles

import (
	"bytes"
	"encoding/xml"
	"errors"
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
	if d, bad := notAProfile(name, data); bad {
		return append(ds, d)
	}
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
		platform, why, fits := inferPlatform(top)
		switch {
		case platform == "":
			ds = append(ds, Diagnostic{Severity: Error, Pos: at(""), Message: "cannot infer the platform: " + why + "; name one (lint --platform)"})
		case len(fits) > 1:
			// Chosen by the order of platforms alone: the checks that
			// follow may be the wrong platform's.
			ds = append(ds, Diagnostic{Severity: Warning, Pos: Pos{File: name}, Message: fmt.Sprintf("platform %s inferred: %s; %s", platform, why, guessText(why, fits, "--platform"))})
		default:
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

// notAProfile returns the one finding for a file that is not a property
// list with a dictionary at its top, in the terms of what the file is: an
// empty file, a web page saved in place of a profile, an XML syntax error
// at its line and column, a top level of another type. The plist
// decoder's own words (a "text property list", Go's types) would send the
// admin looking in the wrong place. An empty file would otherwise decode
// as an empty dictionary and get a finding for every required key.
func notAProfile(name string, data []byte) (Diagnostic, bool) {
	bad := func(pos Pos, msg string) (Diagnostic, bool) {
		return Diagnostic{Severity: Error, Pos: pos, Message: msg}, true
	}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\ufeff")))
	switch {
	case len(data) == 0:
		return bad(Pos{File: name}, "not a property list: the file is empty")
	case len(trimmed) == 0:
		return bad(Pos{File: name}, "not a property list: the file holds only white space")
	case looksLikeHTML(trimmed):
		return bad(Pos{File: name, Line: 1, Column: 1}, "not a property list (it looks like HTML): a web page, such as a sign-in page, was saved in place of the profile")
	}
	if trimmed[0] == '<' {
		if pos, msg, ok := xmlSyntaxError(name, data); ok {
			return bad(pos, "not a property list: XML syntax error: "+msg)
		}
	}
	var root any
	if _, err := plist.Unmarshal(data, &root); err != nil {
		return Diagnostic{}, false // Lint words the decoder's error
	}
	if _, ok := root.(map[string]any); ok {
		return Diagnostic{}, false
	}
	pos := xmlKeyPositions(name, data)[""]
	if pos.File == "" {
		pos = Pos{File: name}
	}
	if _, isText := root.(string); isText && trimmed[0] != '<' && !bytes.HasPrefix(data, []byte("bplist")) {
		// The OpenStep text format reads any word as a string.
		return bad(pos, "not a property list: the file is plain text, not an XML or binary property list")
	}
	return bad(pos, fmt.Sprintf("the top level is %s, not a dictionary; a configuration profile is a dictionary with PayloadContent", topLevelKind(root)))
}

func topLevelKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "text"
	case bool:
		return "a boolean"
	case uint64, int64, float64:
		return "a number"
	case []byte:
		return "data"
	}
	return "not a dictionary"
}

// looksLikeHTML reports whether a file starts as a web page does.
func looksLikeHTML(b []byte) bool {
	head := strings.ToLower(string(b[:min(len(b), 512)]))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html") ||
		(!strings.Contains(head, "<plist") && strings.Contains(head, "<html"))
}

// xmlSyntaxError finds the first XML syntax error of data, as a strict
// XML reader sees it, with its line and column.
func xmlSyntaxError(name string, data []byte) (Pos, string, bool) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return Pos{}, "", false
		}
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			line, col := dec.InputPos()
			if line != se.Line {
				col = 0 // the column is not known for the error's line
			}
			msg := se.Msg
			if msg == "unexpected EOF" {
				msg = "the file ends before the property list does (is it cut short?)"
			}
			return Pos{File: name, Line: se.Line, Column: col}, msg, true
		}
		if err != nil {
			return Pos{}, "", false
		}
	}
}
