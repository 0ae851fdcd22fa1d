package profiles

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mdmforge/mdmforge/profiles/schema"
	"go.yaml.in/yaml/v3"
)

func jsonSchema(t *testing.T) (raw []byte, doc map[string]any) {
	t.Helper()
	raw, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return raw, doc
}

func TestJSONSchemaShape(t *testing.T) {
	raw, doc := jsonSchema(t)
	if !json.Valid(raw) {
		t.Fatal("not valid JSON")
	}
	if !bytes.HasSuffix(raw, []byte("}\n")) || bytes.HasSuffix(raw, []byte("\n\n")) {
		t.Error("want one trailing newline")
	}
	if !bytes.HasPrefix(raw, []byte("{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n")) {
		t.Errorf("want $schema first, indented by two spaces; got %.80q", raw)
	}
	if bytes.Contains(raw, []byte(`\u003c`)) || bytes.Contains(raw, []byte(`\u0026`)) {
		t.Error("HTML-escaped characters in the output")
	}
	// A bound to notice a blow-up (the recursion or sharing gone wrong);
	// the schema is about 330 kB.
	if len(raw) > 600_000 {
		t.Errorf("schema is %d bytes; expected well under 600 kB", len(raw))
	}
	t.Logf("schema: %d bytes, %d $defs", len(raw), len(doc["$defs"].(map[string]any)))
}

func TestJSONSchemaDeterministic(t *testing.T) {
	first, _ := jsonSchema(t)
	for range 5 {
		if again, _ := jsonSchema(t); !bytes.Equal(first, again) {
			t.Fatal("two runs differ")
		}
	}
}

func TestJSONSchemaPayloadTypes(t *testing.T) {
	_, doc := jsonSchema(t)
	defs := doc["$defs"].(map[string]any)
	entry := defs["payload"].(map[string]any)
	enum := entry["properties"].(map[string]any)["type"].(map[string]any)["enum"].([]any)
	inEnum := map[string]bool{}
	for _, e := range enum {
		inEnum[e.(string)] = true
	}
	conditional := map[string]bool{}
	for _, c := range entry["allOf"].([]any) {
		c := c.(map[string]any)
		typ := c["if"].(map[string]any)["properties"].(map[string]any)["type"].(map[string]any)["const"].(string)
		conditional[typ] = true
		keys := c["then"].(map[string]any)["properties"].(map[string]any)["keys"].(map[string]any)
		if keys["$ref"] != "#/$defs/"+typ {
			t.Errorf("%s: keys refer to %v", typ, keys["$ref"])
		}
	}
	n := 0
	for _, typ := range schema.Types() {
		if typ == "Configuration" {
			if inEnum[typ] {
				t.Error("Configuration is the profile, not a payload type")
			}
			continue
		}
		n++
		if !inEnum[typ] || !conditional[typ] || defs[typ] == nil {
			t.Errorf("%s: in enum %v, checked %v, defined %v", typ, inEnum[typ], conditional[typ], defs[typ] != nil)
		}
	}
	if len(enum) != n {
		t.Errorf("enum has %d types, Apple's schema %d", len(enum), n)
	}

	// The keys mdmforge sets never appear under keys, and are refused there.
	for _, typ := range enum {
		def := defs[typ.(string)].(map[string]any)
		props, _ := def["properties"].(map[string]any)
		req, _ := def["required"].([]any)
		for _, k := range mdmforgeKeys {
			if _, ok := props[k]; ok {
				t.Errorf("%s: %s is a property", typ, k)
			}
			for _, r := range req {
				if r == k {
					t.Errorf("%s: %s is required", typ, k)
				}
			}
		}
	}
}

// TestJSONSchemaReferences checks every $ref resolves and every pattern is a
// regular expression both Go and ECMA-262 read alike.
func TestJSONSchemaReferences(t *testing.T) {
	_, doc := jsonSchema(t)
	defs := doc["$defs"].(map[string]any)
	used := map[string]bool{}
	var walk func(path string, x any)
	walk = func(path string, x any) {
		switch x := x.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok {
				name, ok := strings.CutPrefix(r, "#/$defs/")
				if !ok || defs[name] == nil {
					t.Errorf("%s: $ref %q does not resolve", path, r)
				}
				if strings.ContainsAny(name, " /~%[]") {
					t.Errorf("%s: $ref %q needs escaping", path, r)
				}
				used[name] = true
				if len(x) > 1 {
					// Draft-07 tools, yaml-language-server among them,
					// ignore a $ref's siblings.
					t.Errorf("%s: $ref has siblings", path)
				}
			}
			if p, ok := x["pattern"].(string); ok && !ecmaRegexp(p) {
				t.Errorf("%s: pattern %q", path, p)
			}
			for k, v := range x {
				walk(path+"/"+k, v)
			}
		case []any:
			for i, v := range x {
				walk(fmt.Sprintf("%s/%d", path, i), v)
			}
		}
	}
	walk("#", doc)
	for name := range defs {
		if !used[name] {
			t.Errorf("$defs/%s is not used", name)
		}
	}
	// The recursive payloads refer to themselves through $defs.
	for _, def := range []string{"com.apple.homescreenlayout:PagesItem", "com.apple.applicationaccess.new:whiteListItem", "Configuration"} {
		if defs[def] == nil {
			t.Errorf("no $defs/%s for the recursive payload", def)
		}
	}
}

// TestJSONSchemaDescribesEverySetting keeps policyProps in step with Policy.
func TestJSONSchemaDescribesEverySetting(t *testing.T) {
	paths := map[string]bool{"": true}
	var walk func(t reflect.Type, path string)
	walk = func(t reflect.Type, path string) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t == reflect.TypeFor[yaml.Node]():
		case t.Kind() == reflect.Slice:
			paths[path+"[]"] = true
			walk(t.Elem(), path+"[]")
		case t.Kind() == reflect.Struct:
			for _, f := range reflect.VisibleFields(t) {
				name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
				if f.IsExported() && name != "-" {
					p := joinPath(path, name)
					paths[p] = true
					walk(f.Type, p)
				}
			}
		}
	}
	walk(reflect.TypeFor[Policy](), "")
	for p := range paths {
		if strings.TrimSpace(policyProps[p].desc) == "" && !strings.HasSuffix(p, "[]") {
			t.Errorf("%q has no description in policyProps", p)
		}
	}
	for p := range policyProps {
		if !paths[p] {
			t.Errorf("policyProps[%q] describes no setting", p)
		}
	}
}

const scepPolicy = `version: 1
profile: {name: p, identifier: com.example.p}
exchange:
  host: mail.example.com
  auth: certificate
  certificate: identity
  sync: [mail, contacts]
  mail_days: 14
payloads:
  - name: identity
    type: com.apple.security.scep
    display_name: Exchange identity
    keys:
      PayloadDescription: Identity for the Exchange account
      PayloadContent:
        URL: https://scep.example.com/scep
        Keysize: 2048
        Key Type: RSA
        Subject: [[[CN, "${user.upn}"]]]
        CAFingerprint: !!binary AAEC
  - name: home
    type: com.apple.homescreenlayout
    keys:
      Pages:
        - - {Type: App, BundleID: com.apple.mobilemail}
          - Type: Folder
            DisplayName: Work
            Pages:
              - - {Type: App, BundleID: com.microsoft.Office.Outlook}
`

func TestJSONSchemaAccepts(t *testing.T) {
	_, doc := jsonSchema(t)
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	for name, policy := range map[string]string{
		"example":     string(data),
		"scep":        scepPolicy,
		"minimal":     "version: 1\nprofile: {name: p, identifier: com.example.p}\nrestrictions: {allowOpenFromManagedToUnmanaged: false}\n",
		"removal":     "version: 1\nprofile: {name: p, identifier: com.example.p, removal: {date: 2027-06-30, after: 90d}}\n",
		"dates":       "version: 1\nprofile: {name: p, identifier: com.example.p, removal: {date: \"2027-06-30T18:00:00Z\"}}\n",
		"outlook":     "version: 1\nprofile: {name: p, identifier: com.example.p}\noutlook: {save_contacts: false, contact_fields: {birthday: false}}\n",
		"placeholder": "version: 1\nprofile: {name: p, identifier: com.example.p, keys: {ConsentText: {en: Hello, fr: Bonjour}}}\nrestrictions: {allowOpenFromManagedToUnmanaged: false}\n",
		"top level":   "version: 1\nprofile: {name: p, identifier: com.example.p, keys: {TargetDeviceType: 1, PayloadScope: User}}\nrestrictions: {allowOpenFromManagedToUnmanaged: false}\n",
		"never":       "version: 1\nprofile: {name: p, identifier: com.example.p}\npayloads: [{name: e, type: com.apple.MCX, keys: {com.apple.EnergySaver.desktop.ACPower: {Display Sleep Timer: 0, Disk Sleep Timer: 10}}}]\n",
		"common key":  "version: 1\nprofile: {name: p, identifier: com.example.p}\npayloads: [{name: w, type: com.apple.wifi.managed, keys: {SSID_STR: x, PayloadDescription: Office Wi-Fi}}]\n",
		"variable":    "version: 1\nprofile: {name: p, identifier: com.example.p}\npayloads: [{name: m, type: com.apple.mdm, keys: {IdentityCertificateUUID: x, Topic: t, ServerURL: \"https://${device.id}\", AccessRights: 8191}}]\n",
	} {
		t.Run(name, func(t *testing.T) {
			if errs := validateJSONSchema(doc, decodeYAML(t, policy)); len(errs) > 0 {
				t.Errorf("rejected:\n%s", strings.Join(errs, "\n"))
			}
		})
	}
}

func TestJSONSchemaRejects(t *testing.T) {
	_, doc := jsonSchema(t)
	const head = "version: 1\nprofile: {name: p, identifier: com.example.p}\n"
	scep := func(content string) string {
		return head + "payloads:\n  - name: id\n    type: com.apple.security.scep\n    keys:\n      PayloadContent: " + content + "\n"
	}
	for _, tc := range []struct {
		name, policy, want string
		decodeToo          bool // mdmforge validate rejects it too
	}{
		{"misspelt setting", head + "exchange: {hots: mail.example.com, auth: oauth}\n", "/exchange: hots is not allowed", true},
		{"wrong enum", head + "exchange: {auth: oath}\n", "/exchange/auth: \"oath\" is not one of", true},
		{"missing auth", head + "exchange: {host: mail.example.com}\n", "/exchange: missing auth", true},
		{"wrong version", "version: 2\nprofile: {name: p, identifier: com.example.p}\n", "/version: 2 is not 1", true},
		{"no version", "profile: {name: p, identifier: com.example.p}\n", ": missing version", true},
		{"no data type", head + "exchange: {auth: oauth, sync: []}\n", "/exchange/sync: fewer than 1 items", true},
		{"data type twice", head + "exchange: {auth: oauth, sync: [mail, mail]}\n", "/exchange/sync: items are not unique", true},
		{"wrong data type", head + "exchange: {auth: oauth, sync: [contact]}\n", "/exchange/sync/0: \"contact\" is not one of", true},
		{"mail days", head + "exchange: {auth: oauth, mail_days: 5}\n", "/exchange/mail_days: 5 is not one of", true},
		{"quoted number", head + "exchange: {auth: oauth, mail_days: \"7\"}\n", "/exchange/mail_days: want integer", true},
		{"unquoted version", "version: 1\nprofile: {name: p, identifier: com.example.p, min_ios: 13.0}\nrestrictions: {requireManagedPasteboard: true}\n", "/profile/min_ios: want string", true},
		{"unquoted whole version", "version: 1\nprofile: {name: p, identifier: com.example.p, min_ios: 16}\nrestrictions: {requireManagedPasteboard: true}\n", "/profile/min_ios: want string", true},
		{"yes is text", head + "exchange: {auth: oauth, ssl: yes}\n", "/exchange/ssl: want boolean", true},
		{"bad name", "version: 1\nprofile: {name: -p, identifier: com.example.p}\n", "/profile/name: \"-p\" does not match", true},
		{"bad duration", "version: 1\nprofile: {name: p, identifier: com.example.p, removal: {after: 3w}}\n", "/profile/removal/after: \"3w\" does not match", true},
		{"misspelt restriction", head + "restrictions: {allowOpenFromManagedToUnmanged: false}\n", "/restrictions: allowOpenFromManagedToUnmanged is not allowed", true},
		{"misspelt contact field", head + "outlook: {contact_fields: {birthdate: false}}\n", "/outlook/contact_fields: birthdate is not allowed", true},
		{"profile key with a setting", "version: 1\nprofile: {name: p, identifier: com.example.p, keys: {PayloadDescription: x}}\n", "/profile/keys: property name \"PayloadDescription\"", true},
		{"profile key's value", "version: 1\nprofile: {name: p, identifier: com.example.p, keys: {TargetDeviceType: 9}}\n", "/profile/keys/TargetDeviceType: 9 is not one of", true},
		{"placeholder entry", "version: 1\nprofile: {name: p, identifier: com.example.p, keys: {ConsentText: {en: 1}}}\n", "/profile/keys/ConsentText/en: want string", true},
		{"misspelt Apple key", head + "payloads: [{name: w, type: com.apple.wifi.managed, keys: {SSID: x}}]\n", "/payloads/0/keys: SSID is not allowed", true},
		{"misspelt nested Apple key", scep("{URL: https://scep.example.com, Keysise: 2048}"), "/payloads/0/keys/PayloadContent: Keysise is not allowed", true},
		{"unknown payload type", head + "payloads: [{name: x, type: com.apple.security.scpe}]\n", "/payloads/0/type: \"com.apple.security.scpe\" is not one of", false},
		{"profile type", head + "payloads: [{name: x, type: Configuration}]\n", "/payloads/0/type: \"Configuration\" is not one of", false},
		{"payload without name", head + "payloads: [{type: com.apple.security.scep}]\n", "/payloads/0: missing name", false},
		{"mdmforge's key", head + "payloads: [{name: x, type: com.apple.security.pem, keys: {PayloadContent: !!binary AA==, PayloadUUID: x}}]\n", "/payloads/0/keys: property name \"PayloadUUID\"", false},
		{"wrong Apple type", scep(`{URL: "https://scep.example.com", Keysize: big}`), "/payloads/0/keys/PayloadContent/Keysize: want integer", false},
		{"Apple enum", scep(`{URL: "https://scep.example.com", Keysize: 1000}`), "/payloads/0/keys/PayloadContent/Keysize: 1000 is not one of", false},
		{"Apple required key", scep(`{Keysize: 2048}`), "/payloads/0/keys/PayloadContent: missing URL", false},
		{"Apple array", scep(`{URL: "https://scep.example.com", Subject: [[[CN]]]}`), "/payloads/0/keys/PayloadContent/Subject/0/0: fewer than 2 items", false},
		{"Apple range", head + "payloads: [{name: x, type: com.apple.mobiledevice.passwordpolicy, keys: {maxPINAgeInDays: 1000}}]\n", "/payloads/0/keys/maxPINAgeInDays: 1000 is above 730", false},
		{"Apple format", head + "payloads: [{name: m, type: com.apple.mdm, keys: {IdentityCertificateUUID: x, Topic: t, ServerURL: \"http://mdm.example.com\", AccessRights: 1}}]\n", "/payloads/0/keys/ServerURL: \"http://mdm.example.com\" does not match", false},
		{"Apple value or range", head + "payloads: [{name: e, type: com.apple.MCX, keys: {com.apple.EnergySaver.desktop.ACPower: {Display Sleep Timer: 181}}}]\n", "Display Sleep Timer: 181 matches none of", false},
		{"recursive payload", head + "payloads: [{name: h, type: com.apple.homescreenlayout, keys: {Pages: [[{Type: Folder, Pages: [[{Type: Widget}]]}]]}}]\n", "/payloads/0/keys/Pages/0/0/Pages/0/0/Type: \"Widget\" is not one of", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := validateJSONSchema(doc, decodeYAML(t, tc.policy))
			found := false
			for _, e := range errs {
				found = found || strings.Contains(e, tc.want)
			}
			if !found {
				t.Errorf("want an error containing %q, got:\n%s", tc.want, strings.Join(errs, "\n"))
			}
			if tc.decodeToo {
				// The schema agrees with mdmforge's own checks.
				p, ds := Decode("p.yaml", []byte(tc.policy))
				if p != nil && ds.Errors() == 0 {
					ds = append(ds, p.Validate()...)
				}
				if ds.Errors() == 0 {
					t.Errorf("the schema rejects it, but mdmforge accepts it")
				}
			}
		})
	}
}

func decodeYAML(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// validateJSONSchema checks instance against root with the subset of JSON
// Schema 2020-12 that JSONSchema writes, and returns one message per
// failure, each starting with the instance's JSON pointer. Values decoded
// from YAML are read as an editor's YAML 1.2 parser reads them: dates are
// strings. A keyword outside the subset is itself a failure, so the
// generator cannot emit what this test does not check.
func validateJSONSchema(root map[string]any, instance any) []string {
	v := &subsetValidator{root: root}
	v.check(root, instance, "")
	return v.errs
}

type subsetValidator struct {
	root map[string]any
	errs []string
}

var annotations = map[string]bool{
	"$schema": true, "$defs": true, "title": true, "description": true, "default": true,
	"deprecated": true, "format": true, "contentEncoding": true,
}

func (v *subsetValidator) errorf(path, format string, args ...any) {
	v.errs = append(v.errs, path+": "+fmt.Sprintf(format, args...))
}

// valid reports whether x matches s, without recording failures.
func (v *subsetValidator) valid(s any, x any) bool {
	sub := &subsetValidator{root: v.root}
	sub.check(s, x, "")
	return len(sub.errs) == 0
}

func (v *subsetValidator) check(schemaValue any, x any, path string) {
	if b, ok := schemaValue.(bool); ok {
		if !b {
			v.errorf(path, "no value is allowed")
		}
		return
	}
	s := schemaValue.(map[string]any)
	if t, ok := x.(time.Time); ok {
		x = t.Format(time.RFC3339)
	}
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, kw := range keys {
		arg := s[kw]
		switch kw {
		case "$ref":
			name, _ := strings.CutPrefix(arg.(string), "#/$defs/")
			def, ok := v.root["$defs"].(map[string]any)[name]
			if !ok {
				v.errorf(path, "unresolved $ref %v", arg)
				continue
			}
			v.check(def, x, path)
		case "type":
			if !hasType(x, arg.(string)) {
				v.errorf(path, "want %s, got %T %v", arg, x, x)
				return // the other keywords would only repeat it
			}
		case "properties":
			m, ok := x.(map[string]any)
			if !ok {
				continue
			}
			for name, ps := range arg.(map[string]any) {
				if val, ok := m[name]; ok {
					v.check(ps, val, path+"/"+name)
				}
			}
		case "additionalProperties":
			m, ok := x.(map[string]any)
			if !ok {
				continue
			}
			props, _ := s["properties"].(map[string]any)
			for _, name := range sortedNames(m) {
				if _, known := props[name]; known {
					continue
				}
				if arg == false {
					v.errorf(path, "%s is not allowed", name)
					continue
				}
				v.check(arg, m[name], path+"/"+name)
			}
		case "propertyNames":
			m, ok := x.(map[string]any)
			if !ok {
				continue
			}
			for _, name := range sortedNames(m) {
				if !v.valid(arg, name) {
					v.errorf(path, "property name %q is not allowed", name)
				}
			}
		case "required":
			m, ok := x.(map[string]any)
			if !ok {
				continue
			}
			for _, r := range arg.([]any) {
				if _, ok := m[r.(string)]; !ok {
					v.errorf(path, "missing %s", r)
				}
			}
		case "enum":
			found := false
			for _, e := range arg.([]any) {
				found = found || jsonEqual(e, x)
			}
			if !found {
				v.errorf(path, "%s is not one of %v", show(x), arg)
			}
		case "const":
			if !jsonEqual(arg, x) {
				v.errorf(path, "%s is not %v", show(x), arg)
			}
		case "pattern":
			if str, ok := x.(string); ok && !regexp.MustCompile(arg.(string)).MatchString(str) {
				v.errorf(path, "%q does not match %s", str, arg)
			}
		case "minimum", "maximum":
			if f, ok := toFloat(x); ok {
				if kw == "minimum" && f < arg.(float64) {
					v.errorf(path, "%v is below %v", show(x), arg)
				}
				if kw == "maximum" && f > arg.(float64) {
					v.errorf(path, "%v is above %v", show(x), arg)
				}
			}
		case "items":
			if a, ok := x.([]any); ok {
				for i, e := range a {
					v.check(arg, e, fmt.Sprintf("%s/%d", path, i))
				}
			}
		case "minItems", "maxItems":
			if a, ok := x.([]any); ok {
				if kw == "minItems" && float64(len(a)) < arg.(float64) {
					v.errorf(path, "fewer than %v items", arg)
				}
				if kw == "maxItems" && float64(len(a)) > arg.(float64) {
					v.errorf(path, "more than %v items", arg)
				}
			}
		case "uniqueItems":
			if a, ok := x.([]any); ok && arg == true {
				for i := range a {
					for j := i + 1; j < len(a); j++ {
						if jsonEqual(a[i], a[j]) {
							v.errorf(path, "items are not unique")
						}
					}
				}
			}
		case "not":
			if v.valid(arg, x) {
				v.errorf(path, "%s matches a schema it must not", show(x))
			}
		case "anyOf":
			ok := false
			for _, sub := range arg.([]any) {
				ok = ok || v.valid(sub, x)
			}
			if !ok {
				v.errorf(path, "%s matches none of %v", show(x), arg)
			}
		case "allOf":
			for _, sub := range arg.([]any) {
				v.check(sub, x, path)
			}
		case "if":
			if v.valid(arg, x) {
				if then, ok := s["then"]; ok {
					v.check(then, x, path)
				}
			} else if els, ok := s["else"]; ok {
				v.check(els, x, path)
			}
		case "then", "else":
			// with if
		default:
			if !annotations[kw] {
				v.errorf(path, "the test validator does not know keyword %q", kw)
			}
		}
	}
}

func hasType(x any, t string) bool {
	switch t {
	case "object":
		_, ok := x.(map[string]any)
		return ok
	case "array":
		_, ok := x.([]any)
		return ok
	case "string":
		_, ok := x.(string)
		return ok
	case "boolean":
		_, ok := x.(bool)
		return ok
	case "number":
		_, ok := toFloat(x)
		return ok
	case "integer":
		f, ok := toFloat(x)
		return ok && f == math.Trunc(f)
	case "null":
		return x == nil
	}
	panic("unknown type " + t)
}

func toFloat(x any) (float64, bool) {
	switch n := x.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// jsonEqual compares a value from the schema (JSON) with one from YAML.
func jsonEqual(a, b any) bool {
	if fa, ok := toFloat(a); ok {
		fb, ok := toFloat(b)
		return ok && fa == fb
	}
	return reflect.DeepEqual(a, b)
}

func show(x any) string {
	if s, ok := x.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(x)
}

func sortedNames(m map[string]any) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// The validator itself: the keywords behave as the specification says.
func TestSubsetValidator(t *testing.T) {
	root := map[string]any{"$defs": map[string]any{
		"node": map[string]any{"type": "object", "properties": map[string]any{"next": map[string]any{"$ref": "#/$defs/node"}, "v": map[string]any{"type": "integer"}}},
	}}
	for _, tc := range []struct {
		schema string
		value  any
		ok     bool
	}{
		{`{"type":"integer"}`, 1, true},
		{`{"type":"integer"}`, 1.5, false},
		{`{"type":"number"}`, 1, true},
		{`{"type":"string"}`, time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC), true},
		{`{"enum":[1,"a"]}`, "a", true},
		{`{"enum":[1,"a"]}`, 2, false},
		{`{"const":1}`, 1, true},
		{`{"required":["a"]}`, map[string]any{}, false},
		{`{"properties":{"a":true},"additionalProperties":false}`, map[string]any{"b": 1}, false},
		{`{"additionalProperties":{"type":"string"}}`, map[string]any{"b": 1}, false},
		{`{"propertyNames":{"not":{"enum":["x"]}}}`, map[string]any{"x": 1}, false},
		{`{"items":{"type":"string"},"minItems":1,"maxItems":2}`, []any{"a", "b", "c"}, false},
		{`{"uniqueItems":true}`, []any{"a", "a"}, false},
		{`{"pattern":"^a"}`, "ba", false},
		{`{"minimum":1,"maximum":3}`, 4, false},
		{`{"anyOf":[{"enum":[0]},{"minimum":1}]}`, 0, true},
		{`{"anyOf":[{"enum":[0]},{"minimum":1}]}`, -1, false},
		{`{"allOf":[{"if":{"required":["t"]},"then":{"required":["u"]}}]}`, map[string]any{"t": 1}, false},
		{`{"allOf":[{"if":{"required":["t"]},"then":{"required":["u"]}}]}`, map[string]any{"x": 1}, true},
		{`{"$ref":"#/$defs/node"}`, map[string]any{"next": map[string]any{"next": map[string]any{"v": "x"}}}, false},
		{`{"$ref":"#/$defs/node"}`, map[string]any{"next": map[string]any{"next": map[string]any{"v": 1}}}, true},
	} {
		var s any
		if err := json.Unmarshal([]byte(tc.schema), &s); err != nil {
			t.Fatal(err)
		}
		v := &subsetValidator{root: root}
		v.check(s, tc.value, "")
		if (len(v.errs) == 0) != tc.ok {
			t.Errorf("%s on %v: errors %v, want ok=%v", tc.schema, tc.value, v.errs, tc.ok)
		}
	}
}
