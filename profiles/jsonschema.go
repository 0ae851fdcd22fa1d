package profiles

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/mdmforge/mdmforge/profiles/schema"
	"go.yaml.in/yaml/v3"
)

// jsonSchemaDialect is the JSON Schema version JSONSchema declares.
const jsonSchemaDialect = "https://json-schema.org/draft/2020-12/schema"

// JSONSchema returns a JSON Schema (draft 2020-12) of the policy format, for
// editors that complete and check YAML against a schema, such as VS Code
// with Red Hat's YAML extension.
//
// The policy's own settings are derived from Policy, so the schema follows
// the format: unknown settings are rejected, and enumerations and patterns
// are those validation applies. Under payloads, an entry's type must be one
// of Apple's payload types and its keys are checked against Apple's schema
// of that type (package schema): value types, allowed values, ranges,
// formats, defaults and required keys, and the platforms and versions in
// each key's description. The keys mdmforge sets itself (PayloadType,
// PayloadVersion, PayloadIdentifier, PayloadUUID, PayloadDisplayName) are
// rejected there; profile.keys is checked against the profile's top level
// in the same way. Apple's recursive payloads, and subschemas that occur
// more than once, are written once under $defs and referred to with $ref.
// Apart from $defs (reached by JSON pointer) and the deprecated annotation,
// only keywords draft-07 also has are used, so that draft-07 tools, such as
// yaml-language-server, read it alike.
//
// The schema helps authors but is not the authority: it cannot express
// every rule (those across settings or files, variables, !uuid references,
// the target platform), so Validate still decides. The output is
// deterministic, indented with two spaces and ends in a newline.
func JSONSchema() ([]byte, error) {
	g := &jsonSchemaGen{defs: newObject(), defNames: map[*schema.Key]string{}, taken: map[string]bool{}}
	root, err := g.policy()
	if err != nil {
		return nil, err
	}
	return encodeJSON(root)
}

// mdmforgeKeys are the payload keys mdmforge writes itself; a policy must
// not set them under a payload's keys.
var mdmforgeKeys = []string{"PayloadType", "PayloadVersion", "PayloadIdentifier", "PayloadUUID", "PayloadDisplayName"}

type jsonSchemaGen struct {
	defs     *object
	defNames map[*schema.Key]string // keys defined once in $defs (recursive ones)
	taken    map[string]bool        // $defs names in use
	payload  string                 // the payload type being described
	cyclic   map[*schema.Key]bool   // keys of the current payload that contain themselves
}

func (g *jsonSchemaGen) policy() (*object, error) {
	root := newObject()
	root.set("$schema", jsonSchemaDialect)
	root.set("title", "mdmforge policy")
	body, err := g.goType(reflect.TypeFor[Policy](), "")
	if err != nil {
		return nil, err
	}
	root.merge(body)
	if err := g.payloadDefs(); err != nil {
		return nil, err
	}
	g.share()
	root.set("$defs", g.defs)
	return root, nil
}

// goType describes a Go type of the policy model, found at path.
func (g *jsonSchemaGen) goType(t reflect.Type, path string) (*object, error) {
	prop := policyProps[path] // a setting without an entry goes undescribed (a test catches it)
	s := newObject()
	if prop.desc != "" {
		s.set("description", prop.desc)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[yaml.Node]():
		// Apple keys. Any other node is any value.
		switch path {
		case "payloads[].keys":
			s.set("type", "object")
			s.set("propertyNames", notOneOf(mdmforgeKeys))
		case "profile.keys":
			reserved := topLevelReserved()
			s.set("type", "object")
			s.set("propertyNames", notOneOf(reserved))
			s.set("allOf", []any{ref(configurationType)}) // a $ref beside other keywords is ignored before 2019-09
			if err := g.appleDef(configurationType, reserved); err != nil {
				return nil, err
			}
		}
		return s, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		s.set("type", "boolean")
	case reflect.Int, reflect.Int64, reflect.Int32:
		s.set("type", "integer")
	case reflect.String:
		s.set("type", "string")
	case reflect.Slice:
		s.set("type", "array")
		items, err := g.goType(t.Elem(), path+"[]")
		if err != nil {
			return nil, err
		}
		s.set("items", items)
	case reflect.Struct:
		s.set("type", "object")
		props := newObject()
		for _, f := range reflect.VisibleFields(t) {
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				return nil, fmt.Errorf("jsonschema: %s.%s has no yaml tag", t, f.Name)
			}
			fs, err := g.goType(f.Type, joinPath(path, name))
			if err != nil {
				return nil, err
			}
			props.set(name, fs)
		}
		s.set("properties", props)
		if len(prop.required) > 0 {
			s.set("required", strs(prop.required))
		}
		s.set("additionalProperties", false)
	default:
		return nil, fmt.Errorf("jsonschema: %s: unsupported Go type %s", path, t)
	}
	if prop.constant != nil {
		s.set("const", prop.constant)
	}
	if prop.enum != nil {
		s.set("enum", prop.enum)
	}
	if prop.pattern != "" {
		s.set("pattern", prop.pattern)
	}
	if prop.minItems > 0 {
		s.set("minItems", prop.minItems)
	}
	if prop.unique {
		s.set("uniqueItems", true)
	}
	if path == "payloads[]" {
		// In $defs, so that the long list of types reads apart from the
		// format's own settings.
		g.payloadItem(s)
		g.defs.set(payloadDef, s)
		g.taken[payloadDef] = true
		return ref(payloadDef), nil
	}
	return s, nil
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
