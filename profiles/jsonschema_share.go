package profiles

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// Sharing is a pass of its own over the finished schema: Apple repeats
// large blocks (TCC services, VPN types) across payloads, and writing each
// once under $defs keeps the schema small enough for editors to load.

// minShared is the size in bytes of compact JSON from which a subschema
// that occurs more than once is written once into $defs and referred to.
const minShared = 200

// share moves subschemas of Apple keys that occur more than once (the
// TCC services' common element, the VPN types' shared blocks, …) into $defs
// and refers to them, largest first.
func (g *jsonSchemaGen) share() {
	type site struct {
		parent *object // holds node under key
		key    string
		node   *object
		def    string // the $defs entry it was found in, for naming
		name   string // the Apple key's name
		up     *site  // the enclosing site, nil at a $defs entry
		canon  string
	}
	var sites []*site
	memo := map[*object]string{}
	var walk func(n *object, def, name string, up *site)
	visit := func(parent *object, key string, def, name string, up *site) {
		n, ok := parent.get(key).(*object)
		if !ok || n.get("$ref") != nil {
			return
		}
		st := &site{parent: parent, key: key, node: n, def: def, name: name, up: up, canon: canonical(n, memo)}
		sites = append(sites, st)
		walk(n, def, name, st)
	}
	walk = func(n *object, def, name string, up *site) {
		if props, ok := n.get("properties").(*object); ok {
			for _, k := range props.keys {
				visit(props, k, def, k, up)
			}
		}
		visit(n, "items", def, name+"Item", up)
		visit(n, "additionalProperties", def, name+"Value", up)
	}
	for _, d := range g.defs.keys {
		if d != payloadDef {
			walk(g.defs.get(d).(*object), d, "", nil)
		}
	}

	// Group equal subschemas; the classes in order of size, largest first,
	// so that a subschema is shared before the parts it contains.
	classes := map[string][]*site{}
	var order []string
	for _, st := range sites {
		if len(st.canon) < minShared {
			continue
		}
		if _, ok := classes[st.canon]; !ok {
			order = append(order, st.canon)
		}
		classes[st.canon] = append(classes[st.canon], st)
	}
	sort.SliceStable(order, func(i, j int) bool { return len(order[i]) > len(order[j]) })
	gone := map[*site]bool{} // replaced by a reference to an earlier copy
	alive := func(st *site) bool {
		for s := st; s != nil; s = s.up {
			if gone[s] {
				return false
			}
		}
		return true
	}
	for _, c := range order {
		var live []*site
		for _, st := range classes[c] {
			if alive(st) {
				live = append(live, st)
			}
		}
		if len(live) < 2 {
			continue
		}
		first := live[0]
		name := g.uniqueDef(first.def + ":" + safeDefName.ReplaceAllString(first.name, "_"))
		g.defs.set(name, first.node)
		for i, st := range live {
			st.parent.set(st.key, ref(name))
			if i > 0 {
				gone[st] = true
			}
		}
	}
}

// canonical is the compact JSON of n, memoized: equal subschemas have equal
// forms, as the generator sets members in a fixed order.
func canonical(n *object, memo map[*object]string) string {
	if s, ok := memo[n]; ok {
		return s
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range n.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(k))
		b.WriteByte(':')
		switch v := n.vals[k].(type) {
		case *object:
			b.WriteString(canonical(v, memo))
		default:
			j, _ := json.Marshal(v)
			b.Write(j)
		}
	}
	b.WriteByte('}')
	memo[n] = b.String()
	return memo[n]
}
