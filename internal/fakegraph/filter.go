package fakegraph

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mdmforge/mdmforge/internal/graphmeta"
)

// matcher reports whether an object passes a $filter.
type matcher func(o *object, s *Server) bool

// parseFilter reads the $filter forms mdmforge's client may send:
// "displayName eq 'NAME'" (a quote doubled inside NAME) and
// "isof('microsoft.graph.TYPE')", alone or joined by "or"; and, on a
// directory collection (caseFold), "startswith(displayName,'PREFIX')",
// which Entra ID has and Intune refuses (Microsoft365DSC#4597). Anything
// else is refused as Graph refuses a clause it cannot evaluate: a client
// that needs another form must learn it against the fake first.
func (s *Server) parseFilter(f, version string, caseFold bool) (matcher, *graphError) {
	if strings.TrimSpace(f) == "" {
		return func(*object, *Server) bool { return true }, nil
	}
	invalid := badRequest("Invalid filter clause: %s", f)
	var clauses []matcher
	rest := strings.TrimSpace(f)
	for {
		var m matcher
		var ok bool
		var typ string
		m, typ, rest, ok = parseClause(rest, caseFold)
		if !ok {
			return nil, invalid
		}
		if typ != "" && (s.meta.Types[typ] == nil || s.meta.Types[typ].Versions[version] == nil) {
			return nil, badRequest("Invalid filter clause: the type 'microsoft.graph.%s' is not defined in Graph %s.", typ, version)
		}
		clauses = append(clauses, m)
		rest = strings.TrimSpace(rest)
		if rest == "" {
			break
		}
		after, ok := strings.CutPrefix(rest, "or ")
		if !ok {
			return nil, invalid
		}
		rest = strings.TrimSpace(after)
	}
	return func(o *object, s *Server) bool {
		for _, c := range clauses {
			if c(o, s) {
				return true
			}
		}
		return false
	}, nil
}

// parseClause reads one clause from the start of f; typ is the type an
// isof names.
func parseClause(f string, caseFold bool) (m matcher, typ, rest string, ok bool) {
	if rest, ok := strings.CutPrefix(f, "displayName eq "); ok {
		name, rest, ok := quoted(rest)
		if !ok {
			return nil, "", "", false
		}
		return func(o *object, _ *Server) bool {
			have, _ := o.props["displayName"].(string)
			if caseFold {
				return strings.EqualFold(have, name)
			}
			return have == name
		}, "", rest, true
	}
	if rest, ok := strings.CutPrefix(f, "startswith(displayName,"); ok && caseFold {
		prefix, rest, ok := quoted(strings.TrimLeft(rest, " "))
		if !ok {
			return nil, "", "", false
		}
		if rest, ok = strings.CutPrefix(rest, ")"); !ok {
			return nil, "", "", false
		}
		return func(o *object, _ *Server) bool {
			have, _ := o.props["displayName"].(string)
			return len(have) >= len(prefix) && strings.EqualFold(have[:len(prefix)], prefix)
		}, "", rest, true
	}
	if rest, ok := strings.CutPrefix(f, "isof("); ok {
		name, rest, ok := quoted(rest)
		if !ok {
			return nil, "", "", false
		}
		rest, ok = strings.CutPrefix(rest, ")")
		typ, ns := strings.CutPrefix(name, "microsoft.graph.")
		if !ok || !ns {
			return nil, "", "", false
		}
		return func(o *object, s *Server) bool { return s.meta.Derives(o.typ, typ) }, typ, rest, true
	}
	return nil, "", "", false
}

// quoted reads an OData string literal, in which a doubled quote stands
// for one.
func quoted(f string) (string, string, bool) {
	if !strings.HasPrefix(f, "'") {
		return "", "", false
	}
	var b strings.Builder
	for i := 1; i < len(f); i++ {
		if f[i] != '\'' {
			b.WriteByte(f[i])
			continue
		}
		if i+1 < len(f) && f[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return b.String(), f[i+1:], true
	}
	return "", "", false
}

// checkValues checks the primitive values of a body against the types
// the metadata declares, as Graph's deserializer does: a string for
// Edm.String, a boolean for Edm.Boolean, an integer for Edm.Int32,
// base64 for Edm.Binary; null is accepted (nullability is not in the
// metadata). Complex values are walked by their declared or @odata.type.
func (s *Server) checkValues(v any, typ, version, path string) []graphmeta.Problem {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	if t, ok := obj["@odata.type"].(string); ok {
		typ = strings.TrimPrefix(t, typePrefix)
	}
	t := s.meta.Types[typ]
	if t == nil || t.Versions[version] == nil {
		return nil
	}
	var probs []graphmeta.Problem
	for _, k := range sortedKeys(obj) {
		pt, ok := s.meta.Member(typ, version, k)
		if !ok {
			continue // graphmeta.Check reports it
		}
		p := k
		if path != "" {
			p = path + "." + k
		}
		elem, coll := graphmeta.ElementType(pt)
		val := obj[k]
		if val == nil {
			continue
		}
		if coll {
			list, ok := val.([]any)
			if !ok {
				probs = append(probs, graphmeta.Problem{Path: p, Type: typ, Version: version, Property: k,
					Message: fmt.Sprintf("a %s needs a JSON array", pt)})
				continue
			}
			for i, e := range list {
				probs = append(probs, s.checkValue(fmt.Sprintf("%s[%d]", p, i), typ, k, elem, version, e)...)
			}
			continue
		}
		probs = append(probs, s.checkValue(p, typ, k, elem, version, val)...)
	}
	return probs
}

func (s *Server) checkValue(path, typ, prop, pt, version string, v any) []graphmeta.Problem {
	bad := func(want string) []graphmeta.Problem {
		b, _ := json.Marshal(v)
		return []graphmeta.Problem{{Path: path, Type: typ, Version: version, Property: prop,
			Message: fmt.Sprintf("cannot convert %s to %s: want %s", b, pt, want)}}
	}
	switch pt {
	case "Edm.String", "Edm.DateTimeOffset", "Edm.Guid", "Edm.Duration", "Edm.Date", "Edm.TimeOfDay":
		if _, ok := v.(string); !ok {
			return bad("a JSON string")
		}
	case "Edm.Binary":
		str, ok := v.(string)
		if !ok {
			return bad("a base64 JSON string")
		}
		if _, err := base64.StdEncoding.DecodeString(str); err != nil {
			return bad("base64")
		}
	case "Edm.Boolean":
		if _, ok := v.(bool); !ok {
			return bad("true or false")
		}
	case "Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte":
		if !isInteger(v) {
			return bad("an integer")
		}
	case "Edm.Double", "Edm.Single", "Edm.Decimal":
		if _, ok := v.(json.Number); !ok {
			if _, ok := v.(float64); !ok {
				return bad("a number")
			}
		}
	case "":
		return nil // a beta-only property: its type is not known
	default:
		if m, ok := v.(map[string]any); ok {
			return s.checkValues(m, pt, version, path)
		}
		if s.meta.Types[pt] != nil {
			return bad("a JSON object")
		}
		// An enum: Graph takes its member names as strings.
		if _, ok := v.(string); !ok {
			return bad("a member name as a JSON string")
		}
	}
	return nil
}

func isInteger(v any) bool {
	switch n := v.(type) {
	case json.Number:
		_, err := n.Int64()
		return err == nil
	case float64:
		return n == float64(int64(n))
	case int:
		return true
	}
	return false
}
