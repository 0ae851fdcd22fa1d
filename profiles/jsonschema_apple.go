package profiles

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/profiles/schema"
)

// Apple's payload types enter the JSON Schema here: each type's keys become
// a $defs entry built from package schema, with availability in the
// descriptions, so that an editor checks payloads[].keys as Validate does.

// payloadTypes returns Apple's payload types a policy may use: all but the
// profile itself.
func payloadTypes() []string {
	var out []string
	for _, t := range schema.Types() {
		if t != configurationType {
			out = append(out, t)
		}
	}
	return out
}

// payloadItem adds the Apple payload types to a payloads entry: the enum of
// types, and for each type the schema of its keys.
func (g *jsonSchemaGen) payloadItem(s *object) {
	props := s.get("properties").(*object)
	props.get("type").(*object).set("enum", strs(payloadTypes()))
	var all []any
	for _, t := range payloadTypes() {
		all = append(all, newObject().
			set("if", newObject().
				set("properties", newObject().set("type", newObject().set("const", t))).
				set("required", []any{"type"})).
			set("then", newObject().
				set("properties", newObject().set("keys", ref(t)))))
	}
	s.set("allOf", all)
}

const payloadDef = "payload"

func ref(def string) *object { return newObject().set("$ref", "#/$defs/"+def) }

const configurationType = "Configuration"

// topLevelReserved are the profile's top-level keys that profile.keys must
// not set: mdmforge's own, and those with a setting of their own.
func topLevelReserved() []string {
	out := append([]string(nil), mdmforgeKeys...)
	for k := range topLevelFields {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	sort.Strings(out[len(mdmforgeKeys):])
	return out
}

func notOneOf(names []string) *object {
	return newObject().set("not", newObject().set("enum", strs(names)))
}

// payloadDefs writes the schema of each Apple payload type's keys into
// $defs, under the type's name.
func (g *jsonSchemaGen) payloadDefs() error {
	for _, t := range payloadTypes() {
		if err := g.appleDef(t, mdmforgeKeys); err != nil {
			return err
		}
	}
	return nil
}

// appleDef writes the schema of an Apple payload type's keys, but those
// excluded, into $defs under the type's name.
func (g *jsonSchemaGen) appleDef(t string, exclude []string) error {
	p, ok := schema.Lookup(t)
	if !ok {
		return fmt.Errorf("jsonschema: payload type %s not found", t)
	}
	g.payload = t
	g.cyclic = findCycles(p.Keys)
	g.taken[t] = true
	def := newObject()
	g.defs.set(t, def) // before the nested definitions it may add
	desc := "The keys of a " + t + " payload."
	if t == configurationType {
		desc = "The profile's top-level keys."
	}
	if a := availability(p.Platforms, nil); a != "" {
		desc += " " + a + "."
	}
	def.set("description", desc)
	def.set("type", "object")
	all := p.Keys
	if t != configurationType {
		// Validation accepts the common keys under any payload's keys.
		all = append(append([]*schema.Key(nil), p.Keys...), schema.Common()...)
	}
	var keys []*schema.Key
	for _, k := range all {
		if !slices.Contains(exclude, k.Name) && !slices.ContainsFunc(keys, func(x *schema.Key) bool { return x.Name == k.Name }) {
			keys = append(keys, k)
		}
	}
	g.dictionary(def, keys, p.Platforms, false)
	return nil
}

// dictionary adds the properties, required keys and wildcard of a
// dictionary's keys to s. A nested dictionary Apple describes through one
// placeholder subkey (ConsentText → ConsentTextItem) takes entries of any
// name, as validation does, and requires none.
func (g *jsonSchemaGen) dictionary(s *object, keys []*schema.Key, parent map[schema.Platform]*schema.Support, nested bool) {
	var entry *schema.Key
	if nested {
		entry = placeholder(keys)
	}
	props := newObject()
	var required []string
	var wildcard *schema.Key
	for _, k := range keys {
		if k.IsWildcard() {
			wildcard = k
			continue
		}
		props.set(k.Name, g.key(k, parent))
		if k.Required && entry == nil {
			required = append(required, k.Name)
		}
	}
	if len(props.keys) > 0 {
		s.set("properties", props)
	}
	if len(required) > 0 {
		s.set("required", strs(required))
	}
	switch {
	case wildcard != nil:
		s.set("additionalProperties", g.key(wildcard, parent))
	case entry != nil:
		s.set("additionalProperties", g.key(entry, parent))
	default:
		// Closed, as validation is: a misspelt Apple key is flagged
		// while typing, not only by mdmforge validate.
		s.set("additionalProperties", false)
	}
}

// key describes one Apple key. A key that contains itself is written once
// into $defs and referred to.
func (g *jsonSchemaGen) key(k *schema.Key, parent map[schema.Platform]*schema.Support) *object {
	if !g.cyclic[k] {
		return g.keyBody(k, parent)
	}
	name, ok := g.defNames[k]
	if !ok {
		name = g.defName(k)
		g.defNames[k] = name
		def := newObject()
		g.defs.set(name, def)
		def.merge(g.keyBody(k, parent))
	}
	return ref(name)
}

func (g *jsonSchemaGen) defName(k *schema.Key) string {
	return g.uniqueDef(g.payload + ":" + safeDefName.ReplaceAllString(k.Name, "_"))
}

// uniqueDef returns base, or base with a number when base is taken, and
// takes it.
func (g *jsonSchemaGen) uniqueDef(base string) string {
	name := base
	for i := 2; g.taken[name]; i++ {
		name = fmt.Sprintf("%s.%d", base, i)
	}
	g.taken[name] = true
	return name
}

var safeDefName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (g *jsonSchemaGen) keyBody(k *schema.Key, parent map[schema.Platform]*schema.Support) *object {
	s := newObject()
	var desc []string
	if a := availability(k.Platforms, parent); a != "" {
		desc = append(desc, a+".")
	}
	uuidRef := k.Type == schema.String && strings.HasSuffix(k.Name, "UUID")
	if uuidRef {
		desc = append(desc, uuidRefDesc)
	}
	if len(desc) > 0 {
		s.set("description", strings.Join(desc, " "))
	}
	if deprecatedEverywhere(k.Platforms) {
		s.set("deprecated", true)
	}
	switch k.Type {
	case schema.String:
		s.set("type", "string")
		switch {
		case uuidRef:
			// Usually !uuid NAME, which an editor sees as the NAME: Apple's
			// UUID format would reject it.
		case k.Format != "" && ecmaRegexp(k.Format):
			// Values with variables are checked once the MDM fills them in.
			s.set("pattern", "(?:"+k.Format+`)|\$\{`)
		}
	case schema.Integer:
		s.set("type", "integer")
	case schema.Real:
		s.set("type", "number")
	case schema.Boolean:
		s.set("type", "boolean")
	case schema.Date:
		s.set("type", "string")
		s.set("format", "date-time")
	case schema.Data:
		s.set("type", "string")
		s.set("contentEncoding", "base64")
	case schema.Array:
		s.set("type", "array")
		if it := k.Item; it != nil {
			s.set("items", g.key(it, k.Platforms))
			if r := it.Repetition; r != nil {
				if r.Min != nil {
					s.set("minItems", *r.Min)
				}
				if r.Max != nil {
					s.set("maxItems", *r.Max)
				}
			}
		}
	case schema.Dictionary:
		s.set("type", "object")
		g.dictionary(s, k.Keys, k.Platforms, true)
	case schema.Any:
		// any plist value
	}
	var bounds *object
	if r := k.Range; r != nil && (k.Type == schema.Integer || k.Type == schema.Real) {
		bounds = newObject()
		if r.Min != nil {
			bounds.set("minimum", *r.Min)
		}
		if r.Max != nil {
			bounds.set("maximum", *r.Max)
		}
	}
	switch {
	case len(k.Allowed) > 0 && bounds != nil:
		// Apple means either: the energy saver's timers allow 0 (never) or
		// 1 to 180 minutes.
		s.set("anyOf", []any{newObject().set("enum", k.Allowed), bounds})
	case len(k.Allowed) > 0:
		s.set("enum", k.Allowed)
	case bounds != nil:
		s.merge(bounds)
	}
	if k.Default != nil {
		s.set("default", k.Default)
	}
	return s
}

const uuidRefDesc = "Another payload's PayloadUUID: write !uuid NAME for the payloads entry NAME."

// findCycles returns the keys reachable from themselves.
func findCycles(keys []*schema.Key) map[*schema.Key]bool {
	out := map[*schema.Key]bool{}
	onPath := map[*schema.Key]bool{}
	done := map[*schema.Key]bool{}
	var walk func(k *schema.Key)
	walk = func(k *schema.Key) {
		if onPath[k] {
			out[k] = true
			return
		}
		if done[k] {
			return
		}
		onPath[k] = true
		if k.Item != nil {
			walk(k.Item)
		}
		for _, c := range k.Keys {
			walk(c)
		}
		onPath[k] = false
		done[k] = true
	}
	for _, k := range keys {
		walk(k)
	}
	return out
}

// availability summarizes where a key or payload is available, when that
// differs from its parent: "iOS 13.0+, visionOS 1.1+ (supervised)".
func availability(ps, parent map[schema.Platform]*schema.Support) string {
	if parent != nil && samePlatforms(ps, parent) {
		return ""
	}
	var parts []string
	for _, pl := range schema.AllPlatforms() {
		s := ps[pl]
		if s == nil {
			continue
		}
		p := string(pl)
		if s.Introduced != "" {
			p += " " + s.Introduced + "+"
		}
		if notes := s.Notes(); len(notes) > 0 {
			p += " (" + strings.Join(notes, ", ") + ")"
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		if parent != nil {
			return "Not available on any platform"
		}
		return ""
	}
	return strings.Join(parts, ", ")
}

func samePlatforms(a, b map[schema.Platform]*schema.Support) bool {
	if len(a) != len(b) {
		return false
	}
	for pl, x := range a {
		y := b[pl]
		if y == nil || x.Introduced != y.Introduced || x.Deprecated != y.Deprecated ||
			x.Removed != y.Removed || x.Supervised != y.Supervised {
			return false
		}
	}
	return true
}

func deprecatedEverywhere(ps map[schema.Platform]*schema.Support) bool {
	if len(ps) == 0 {
		return false
	}
	for _, s := range ps {
		if s.Deprecated == "" && s.Removed == "" {
			return false
		}
	}
	return true
}

// ecmaRegexp reports whether a Go regular expression means the same in
// ECMA-262, the dialect of JSON Schema's pattern: it compiles in Go and uses
// none of the syntax only Go (RE2) has.
func ecmaRegexp(re string) bool {
	if _, err := regexp.Compile(re); err != nil {
		return false
	}
	for _, goOnly := range []string{`(?`, `\A`, `\z`, `\Q`, `\C`, `[[:`, `\p`, `\P`, `\x{`} {
		if strings.Contains(re, goOnly) && !(goOnly == `(?` && onlyNonCapturing(re)) {
			return false
		}
	}
	return true
}

// onlyNonCapturing reports whether every "(?" in re opens a plain
// non-capturing group "(?:", which ECMA-262 has too.
func onlyNonCapturing(re string) bool {
	return strings.Count(re, "(?") == strings.Count(re, "(?:")
}
