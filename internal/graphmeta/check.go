package graphmeta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing of a request body that Graph's metadata says the
// body's type does not have in the version it is sent to.
type Problem struct {
	// Path locates the value in the body: "" for the body itself,
	// "scheduledActionsForRule[0].ruleName" for a nested one.
	Path string
	// Type is the type the value was checked as, Version the Graph version.
	Type, Version string
	// Property is the property the type lacks, empty when the problem is
	// with the type itself (unknown, abstract, or not in Version).
	Property string
	Message  string
}

func (p Problem) String() string {
	where := p.Path
	if where == "" {
		where = "body"
	}
	return where + ": " + p.Message
}

const typePrefix = "#microsoft.graph."

// Check returns what of a JSON request body sent to version the metadata
// rejects: properties its @odata.type (or, without one, want) does not
// have there, recursively through nested objects whose type is known,
// from their @odata.type or from the property's type; an @odata.type
// that is not want or a type derived from it is a problem too (want may
// be empty: the body must then name its type). Instance annotations (keys
// with an "@") are not properties and are not checked.
// A body that is not a JSON object is one problem. Problems are in the
// order of the body's keys sorted, so the result is deterministic.
func (m *Metadata) Check(body []byte, version, want string) []Problem {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []Problem{{Version: version, Message: "not JSON: " + err.Error()}}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return []Problem{{Version: version, Message: "not a JSON object"}}
	}
	var c checker
	c.m, c.version = m, version
	c.object("", want, obj, true)
	return c.problems
}

type checker struct {
	m        *Metadata
	version  string
	problems []Problem
}

func (c *checker) addf(path, typ, prop, format string, args ...any) {
	c.problems = append(c.problems, Problem{Path: path, Type: typ, Version: c.version, Property: prop, Message: fmt.Sprintf(format, args...)})
}

// object checks one JSON object declared as type declared ("" when
// unknown); top requires a known type.
func (c *checker) object(path, declared string, obj map[string]any, top bool) {
	typ := declared
	if raw, ok := obj["@odata.type"]; ok {
		s, _ := raw.(string)
		name, ok := strings.CutPrefix(s, typePrefix)
		if !ok {
			c.addf(path, s, "", "@odata.type %q does not start with %q", s, typePrefix)
			return
		}
		typ = name
		if c.m.Types[typ] == nil {
			c.addf(path, typ, "", "@odata.type %s is not a type the metadata knows", typ)
			return
		}
		if declared != "" && c.m.Types[declared] != nil && !c.m.derives(typ, declared) {
			c.addf(path, typ, "", "@odata.type %s is not a %s", typ, declared)
			return
		}
	}
	t := c.m.Types[typ]
	if t == nil {
		if top {
			c.addf(path, typ, "", "the body has no @odata.type")
		}
		return // a value of a type outside the trimmed metadata: nothing to check it against
	}
	members := t.Versions[c.version]
	if members == nil {
		c.addf(path, typ, "", "type %s does not exist in Graph %s", typ, c.version)
		return
	}
	if t.Abstract {
		c.addf(path, typ, "", "type %s is abstract: the value needs the @odata.type of a concrete one", typ)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.Contains(k, "@") {
			continue // an instance annotation, e.g. @odata.type or payload@odata.mediaContentType
		}
		p := k
		if path != "" {
			p = path + "." + k
		}
		pt, ok := c.m.Member(typ, c.version, k)
		if !ok {
			c.addf(p, typ, k, "type %s has no property %s in Graph %s", typ, k, c.version)
			continue
		}
		elem, _ := ElementType(pt)
		c.value(p, elem, obj[k])
	}
}

// value checks a property's value, one of a collection's elements
// included, as its declared element type.
func (c *checker) value(path, elem string, v any) {
	switch v := v.(type) {
	case map[string]any:
		c.object(path, elem, v, false)
	case []any:
		for i, e := range v {
			c.value(fmt.Sprintf("%s[%d]", path, i), elem, e)
		}
	}
}

// derives reports whether type typ is base or derives from it.
func (m *Metadata) derives(typ, base string) bool {
	for n := 0; typ != "" && n < 32; n++ {
		if typ == base {
			return true
		}
		t := m.Types[typ]
		if t == nil {
			return false
		}
		typ = t.Base
	}
	return false
}

// Derives reports whether type typ is base or derives from it, as
// OData's isof(base) is true of it.
func (m *Metadata) Derives(typ, base string) bool { return m.derives(typ, base) }
