package profiles

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
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

// policyProp is what the schema says about one setting of the policy format,
// by YAML path ("exchange.sync", "payloads[].name"), beyond its Go type.
type policyProp struct {
	desc     string
	required []string // for a block: its required settings
	enum     []any
	constant any
	pattern  string
	minItems int
	unique   bool
}

var (
	dateRE      = `^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$`
	httpsRE     = `^[Hh][Tt][Tt][Pp][Ss]://`
	payloadName = `^[A-Za-z0-9][A-Za-z0-9_-]*$`
)

// policyProps describes every setting of the format; the descriptions are
// short forms of docs/policy.md. A test checks that each field of Policy has
// an entry and each entry a field.
var policyProps = map[string]policyProp{
	"": {
		desc:     "An mdmforge policy: compiles into an Apple configuration profile and Outlook app configurations. See docs/policy.md.",
		required: []string{"version", "profile"},
	},
	"version": {desc: "The policy format version: 1.", constant: FormatVersion},
	"target": {
		desc: "The MDM that delivers the outputs and fills in variables such as ${user.email}: intune, jamf, workspaceone, kandji, fleet, or generic (fills in none). mdmforge build --target overrides it; default generic.",
		enum: []any{"intune", "jamf", "workspaceone", "kandji", "fleet", "generic"},
	},
	"profile": {
		desc:     "The profile's own metadata: the top level of the .mobileconfig.",
		required: []string{"name", "identifier"},
	},
	"profile.name": {
		desc:    "Output file names (NAME.mobileconfig, …): letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100. Unique across the policies of a run.",
		pattern: `^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`,
	},
	"profile.identifier": {
		desc:    "PayloadIdentifier, reverse DNS (com.example.mdm.contacts); no variables. Every payload identifier and UUID derives from it: keep it once the profile is deployed.",
		pattern: reverseDNS.String(),
	},
	"profile.display_name": {desc: "PayloadDisplayName. Default: name."},
	"profile.organization": {desc: "PayloadOrganization."},
	"profile.description":  {desc: "PayloadDescription; also the Outlook app configuration's description."},
	"profile.platform": {
		desc: "The platform the profile is for; Apple's schema is checked for it. Default: iOS.",
		enum: strs(platforms),
	},
	"profile.install": {
		desc: "How the profile reaches devices: mdm (uploaded to an MDM) or manual (users install it; warns about MDM-only payloads and keys). Default: mdm.",
		enum: []any{"mdm", "manual"},
	},
	"profile.uuid": {
		desc: "PayloadUUID override, for a profile migrated from elsewhere. Default: a UUIDv5 of identifier.",
	},
	"profile.min_ios": {
		desc:    `The oldest iOS the profile is meant for, quoted ("13.0"); warnings compare settings with it. Written nowhere.`,
		pattern: osVersion.String(),
	},
	"profile.removal": {desc: "When and whether the profile may be removed."},
	"profile.removal.disallowed": {
		desc: "PayloadRemovalDisallowed: users cannot remove the profile. Honoured on supervised devices only.",
	},
	"profile.removal.date": {
		desc:    "RemovalDate: the device removes the profile then. 2027-06-30 or 2027-06-30T18:00:00Z.",
		pattern: dateRE,
	},
	"profile.removal.after": {
		desc:    "DurationUntilRemoval: a whole number and d, h, m or s, e.g. 90d.",
		pattern: durationRE.String(),
	},
	"exchange": {
		desc:     "An Exchange ActiveSync account: a com.apple.eas.account payload.",
		required: []string{"auth"},
	},
	"exchange.account_name": {desc: "PayloadDisplayName: the account's name in Settings. Default: profile.display_name."},
	"exchange.host":         {desc: "Host: host name or IP address, no scheme or path."},
	"exchange.email":        {desc: "EmailAddress, e.g. ${user.email}; without it iOS asks."},
	"exchange.username":     {desc: "UserName, e.g. ${user.upn}; needed for installs without user interaction, as MDM installs are."},
	"exchange.auth": {
		desc: "OAuth: how the account signs in.",
		enum: []any{"oauth", "password", "certificate"},
	},
	"exchange.oauth": {desc: "Optional OAuth endpoints; without them iOS discovers them."},
	"exchange.oauth.sign_in_url": {
		desc:    "OAuthSignInURL, https. With it iOS skips autodiscovery, so host is required.",
		pattern: httpsRE,
	},
	"exchange.oauth.token_request_url": {desc: "OAuthTokenRequestURL, https.", pattern: httpsRE},
	"exchange.password": {
		desc: "Password, auth: password only, stored in plain text in the profile. Leave it out and iOS asks the user.",
	},
	"exchange.certificate": {
		desc:    "PayloadCertificateUUID, auth: certificate only: the name of a payloads entry of type com.apple.security.scep, .pkcs12 or .acme.",
		pattern: payloadName,
	},
	"exchange.sync": {
		desc:     "EnableMail … EnableNotes: the data types to sync (iOS 13+); the others are turned off. Default: all five.",
		minItems: 1,
		unique:   true,
	},
	"exchange.sync[]": {
		desc: "A data type to sync.",
		enum: []any{"mail", "contacts", "calendars", "reminders", "notes"},
	},
	"exchange.users_can_change_sync": {
		desc: "Enable…UserOverridable (iOS 13+): false locks the data types so users cannot turn the others on. Default: true.",
	},
	"exchange.ssl":       {desc: "SSL. Default: true."},
	"exchange.mail_days": {desc: "MailNumberOfPastDaysToSync; 0 means no limit. Only with mail synced.", enum: []any{0, 1, 3, 7, 14, 31}},
	"exchange.prevent_move": {
		desc: "PreventMove: messages cannot be moved to other accounts.",
	},
	"exchange.prevent_app_sheet": {desc: "PreventAppSheet: mail can be sent from Apple Mail only."},
	"restrictions": {
		desc: "A com.apple.applicationaccess payload with the keys that govern where managed data may go; written only when set.",
	},
	"restrictions.allowOpenFromManagedToUnmanaged": {
		desc: "Apple's default: true. false: documents from managed apps and accounts open only in managed apps.",
	},
	"restrictions.allowOpenFromUnmanagedToManaged": {
		desc: "Apple's default: true. false: documents from unmanaged apps do not open in managed apps.",
	},
	"restrictions.allowManagedToWriteUnmanagedContacts": {
		desc: "Apple's default: false. iOS 12+; takes effect only when allowOpenFromManagedToUnmanaged is false; must be installed by MDM.",
	},
	"restrictions.allowUnmanagedToReadManagedContacts": {
		desc: "Apple's default: false. iOS 12+; takes effect only when allowOpenFromManagedToUnmanaged is false; must be installed by MDM.",
	},
	"restrictions.requireManagedPasteboard": {
		desc: "Apple's default: false. iOS 15+: copy and paste follow the two open-in keys.",
	},
	"restrictions.allowAccountModification": {
		desc: "Apple's default: true. Enforced on supervised devices only.",
	},
	"outlook": {
		desc: "Outlook for iOS and Android app configuration, written as NAME.outlook.plist (Managed Devices, any MDM) and, for target intune, NAME.intune/outlook-apps.json (Managed Apps).",
	},
	"outlook.display_name": {desc: "The Intune policy's displayName. Default: profile.display_name + \" (Outlook)\"."},
	"outlook.save_contacts": {
		desc: "com.microsoft.outlook.Contacts.LocalSyncEnabled: Outlook's Save Contacts export.",
	},
	"outlook.users_can_change_save_contacts": {
		desc: "com.microsoft.outlook.Contacts.LocalSyncEnabled.UserChangeAllowed.",
	},
	"outlook.contact_fields": {
		desc: "com.microsoft.outlook.ContactSync.<Field>Allowed (Managed Apps only): which fields Save Contacts may export. Each defaults to true.",
	},
	"outlook.work_accounts_only": {
		desc: "IntuneMAMAllowedAccountsOnly and IntuneMAMUPN (Managed Devices only): only the work account may be added.",
	},
	"payloads": {desc: "Other Apple payloads, written with Apple's key names."},
	"payloads[]": {
		desc:     "An Apple payload. mdmforge sets PayloadType, PayloadVersion, PayloadIdentifier, PayloadUUID and PayloadDisplayName from the entry's type, identifier, uuid and display_name.",
		required: []string{"name", "type"},
	},
	"payloads[].name": {
		desc:    "Reference name, unique in the policy: letters, digits, '_' and '-'. Also the payload identifier's suffix.",
		pattern: payloadName,
	},
	"payloads[].type":         {desc: "Apple's PayloadType, e.g. com.apple.security.scep."},
	"payloads[].display_name": {desc: "PayloadDisplayName. Default: name."},
	"payloads[].identifier": {
		desc: "PayloadIdentifier override. Default: profile.identifier + \".\" + name.",
	},
	"payloads[].uuid": {
		desc: "PayloadUUID override, for a payload migrated from elsewhere. Default: a UUIDv5 of the payload identifier.",
	},
	"payloads[].keys": {
		desc: "The payload's own keys, with Apple's names and plist types (a value may also be !uuid NAME, another payload's UUID).",
	},
	"profile.keys": {
		desc: "Other top-level keys of the profile, with Apple's names and plist types (ConsentText, TargetDeviceType, …).",
	},
}

func init() {
	for _, f := range reflect.VisibleFields(reflect.TypeFor[ContactFields]()) {
		name := f.Tag.Get("yaml")
		policyProps["outlook.contact_fields."+name] = policyProp{
			desc: "com.microsoft.outlook.ContactSync." + f.Tag.Get("outlook") + ". Default: true.",
		}
	}
}

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

func strs(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// object is a JSON object that keeps its members in the order they were
// set, so the schema reads in the order of the format it describes.
type object struct {
	keys []string
	vals map[string]any
}

func newObject() *object { return &object{vals: map[string]any{}} }

func (o *object) set(k string, v any) *object {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
	return o
}

func (o *object) get(k string) any { return o.vals[k] }

func (o *object) merge(from *object) {
	for _, k := range from.keys {
		o.set(k, from.vals[k])
	}
}

// MarshalJSON writes the members in order.
func (o *object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(k); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
		buf.WriteByte(':')
		if err := enc.Encode(o.vals[k]); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
