package profiles

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.yaml.in/yaml/v3"
	"howett.net/plist"
)

// Output is one file a policy compiles into.
type Output struct {
	Name   string // file name, e.g. contacts.mobileconfig
	Data   []byte
	Secret bool // holds a password or key: to be readable by its owner only
}

// Options control compilation.
type Options struct {
	// Target is the MDM whose variable syntax the outputs use. The zero
	// value means the policy's own target, or Generic when it names none.
	Target Target
}

// uuidNamespace roots every UUID mdmforge derives. It must never change:
// devices match a new profile to the installed one by identifier and UUID.
var uuidNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/mdmforge/mdmforge/payload-uuid"))

// PayloadUUID derives the UUID for a payload identifier. The same identifier
// always yields the same UUID, so a rebuilt profile updates devices in place
// instead of installing beside the old one.
func PayloadUUID(identifier string) string {
	return strings.ToUpper(uuid.NewSHA1(uuidNamespace, []byte(identifier)).String())
}

// Build compiles a valid policy into its outputs: NAME.mobileconfig when it
// has Apple payloads, and NAME.outlook.plist when it configures Outlook.
// Each output is decoded back and checked before it is returned. Build does
// not validate; call Validate first.
//
// The plist is the one Outlook output every MDM takes (Intune's "XML data",
// Jamf Pro, Workspace ONE). The Managed Apps channel exists only in Intune,
// so its Graph body is part of the Intune bundle (profiles/intune,
// outlook-apps.json), not of Build: written here too, it was a byte-for-byte copy for Intune and a
// file no other MDM can use.
func (p *Policy) Build(opts Options) ([]Output, error) {
	var outs []Output
	name := p.Profile.Name
	if p.Exchange != nil || p.Restrictions != nil || len(p.Payloads) > 0 {
		data, err := p.Mobileconfig(opts)
		if err != nil {
			return nil, err
		}
		outs = append(outs, Output{Name: name + ".mobileconfig", Data: data, Secret: p.HoldsSecret()})
	}
	if p.Outlook != nil {
		data, err := p.OutlookManagedDevices(opts)
		if err != nil {
			return nil, err
		}
		outs = append(outs, Output{Name: name + ".outlook.plist", Data: data})
	}
	return outs, nil
}

// Mobileconfig returns the profile as an unsigned XML property list.
func (p *Policy) Mobileconfig(opts Options) ([]byte, error) {
	tree, err := p.ProfileTree(opts)
	if err != nil {
		return nil, err
	}
	data, err := encodePlist(tree)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.Profile.Name, err)
	}
	if err := readBack(data, tree); err != nil {
		return nil, fmt.Errorf("%s: the encoded profile does not read back: %w", p.Profile.Name, err)
	}
	return data, nil
}

// ProfileTree returns the profile as plist values (map[string]any, []any,
// string, bool, int64, float64, []byte, time.Time), variables written in the
// target's syntax.
func (p *Policy) ProfileTree(opts Options) (map[string]any, error) {
	raw, err := p.rawTree()
	if err != nil {
		return nil, err
	}
	rendered, err := renderTree(raw, p.TargetFor(opts.Target))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.Profile.Name, err)
	}
	return rendered.(map[string]any), nil
}

// rawTree is the compiled profile with its variables still as ${name}.
func (p *Policy) rawTree() (map[string]any, error) {
	top, err := p.topDict()
	if err != nil {
		return nil, err
	}
	var content []any
	if e := p.Exchange; e != nil {
		content = append(content, p.exchangePayload(e))
	}
	if r := p.Restrictions; r != nil {
		content = append(content, p.restrictionsPayload(r))
	}
	for i := range p.Payloads {
		keys, _, errs := p.genericPayload(i)
		if len(errs) > 0 {
			return nil, errs.Err()
		}
		content = append(content, coercePayload(keys))
	}
	top["PayloadContent"] = content
	return top, nil
}

// topLevelFields are the top-level keys a policy sets through profile
// settings rather than profile.keys.
var topLevelFields = map[string]string{
	"PayloadContent":           "payloads",
	"PayloadOrganization":      "profile.organization",
	"PayloadDescription":       "profile.description",
	"PayloadRemovalDisallowed": "profile.removal.disallowed",
	"RemovalDate":              "profile.removal.date",
	"DurationUntilRemoval":     "profile.removal.after",
}

// managedTopKeys are the top-level keys mdmforge writes itself, and where
// a policy sets them.
var managedTopKeys = map[string]string{
	"PayloadType":        "is set by mdmforge (Configuration)",
	"PayloadVersion":     "is set by mdmforge (1)",
	"PayloadIdentifier":  "set it with profile.identifier",
	"PayloadUUID":        "set it with profile.uuid",
	"PayloadDisplayName": "set it with profile.display_name",
}

// topKeys converts profile.keys, the top-level keys without a setting of
// their own.
func (p *Policy) topKeys() (map[string]any, map[string]Pos, Diagnostics) {
	keys, pos, all := plistDict(p.File, &p.Profile.Keys, "profile.keys", p.resolveUUID)
	var ds Diagnostics
	for _, d := range all {
		// The generic "set by mdmforge" finding names payload settings.
		if k := strings.TrimPrefix(d.Path, "profile.keys."); managedTopKeys[k] != "" {
			continue
		}
		ds = append(ds, d)
	}
	for k := range keys {
		if f, ok := topLevelFields[k]; ok {
			ds = append(ds, Diagnostic{Severity: Error, Path: "profile.keys." + k, Pos: pos[k], Message: "set it with " + f})
		} else if f := managedTopKeys[k]; f != "" {
			ds = append(ds, Diagnostic{Severity: Error, Path: "profile.keys." + k, Pos: pos[k], Message: f})
		}
	}
	return keys, pos, ds
}

// topDict is the profile's top level, without its payloads.
func (p *Policy) topDict() (map[string]any, error) {
	info := p.Profile
	extra, _, ds := p.topKeys()
	if len(ds) > 0 {
		return nil, ds.Err()
	}
	top := extra
	for k, v := range map[string]any{
		"PayloadDisplayName": firstNonEmpty(info.DisplayName, info.Name),
		"PayloadIdentifier":  info.Identifier,
		"PayloadType":        "Configuration",
		"PayloadUUID":        firstNonEmpty(info.UUID, PayloadUUID(info.Identifier)),
		"PayloadVersion":     int64(1),
	} {
		top[k] = v
	}
	setString(top, "PayloadOrganization", info.Organization)
	setString(top, "PayloadDescription", info.Description)
	if r := info.Removal; r != nil {
		setBool(top, "PayloadRemovalDisallowed", r.Disallowed)
		if r.Date != "" {
			t, err := parseDate(r.Date)
			if err != nil {
				return nil, err
			}
			top["RemovalDate"] = t
		}
		if r.After != "" {
			d, err := parseDuration(r.After)
			if err != nil {
				return nil, err
			}
			top["DurationUntilRemoval"] = d.Seconds()
		}
	}
	return top, nil
}

// genericPayload converts payloads[i] into plist values with the keys
// mdmforge sets, and returns where each key was written.
func (p *Policy) genericPayload(i int) (map[string]any, map[string]Pos, Diagnostics) {
	pl := &p.Payloads[i]
	keys, pos, errs := plistDict(p.File, &pl.Keys, fmt.Sprintf("payloads[%d].keys", i), p.resolveUUID)
	if keys == nil {
		return nil, pos, errs
	}
	keys["PayloadType"] = pl.Type
	keys["PayloadVersion"] = int64(1)
	keys["PayloadIdentifier"] = p.payloadIdentifier(pl)
	keys["PayloadUUID"] = p.payloadUUID(pl)
	keys["PayloadDisplayName"] = firstNonEmpty(pl.DisplayName, pl.Name)
	return keys, pos, errs
}

func (p *Policy) payloadIdentifier(pl *Payload) string {
	return firstNonEmpty(pl.Identifier, p.Profile.Identifier+"."+pl.Name)
}

func (p *Policy) payloadUUID(pl *Payload) string {
	return firstNonEmpty(pl.UUID, PayloadUUID(p.payloadIdentifier(pl)))
}

// resolveUUID returns the PayloadUUID of the payload a !uuid tag names.
func (p *Policy) resolveUUID(name string) (string, error) {
	pl := p.payload(name)
	if pl == nil {
		return "", fmt.Errorf("no payloads entry is named %q%s", name, didYouMean(name, p.payloadNames()))
	}
	return p.payloadUUID(pl), nil
}

func (p *Policy) exchangePayload(e *Exchange) map[string]any {
	id := p.Profile.Identifier + ".exchange"
	m := map[string]any{
		"PayloadType":        "com.apple.eas.account",
		"PayloadVersion":     int64(1),
		"PayloadIdentifier":  id,
		"PayloadUUID":        PayloadUUID(id),
		"PayloadDisplayName": firstNonEmpty(e.AccountName, p.Profile.DisplayName, p.Profile.Name),
		"OAuth":              e.Auth == "oauth",
		"SSL":                e.SSL == nil || *e.SSL,
	}
	setString(m, "Host", e.Host)
	setString(m, "EmailAddress", e.Email)
	setString(m, "UserName", e.Username)
	if e.Auth == "password" {
		setString(m, "Password", e.Password)
	}
	if o := e.OAuth; o != nil && e.Auth == "oauth" {
		setString(m, "OAuthSignInURL", o.SignInURL)
		setString(m, "OAuthTokenRequestURL", o.TokenRequestURL)
	}
	if pl := p.payload(e.Certificate); e.Auth == "certificate" && pl != nil {
		m["PayloadCertificateUUID"] = p.payloadUUID(pl)
	}
	sync := e.syncSet()
	overridable := e.UsersCanChangeSync == nil || *e.UsersCanChangeSync
	for _, t := range dataTypes {
		key := "Enable" + strings.ToUpper(t[:1]) + t[1:]
		m[key] = sync[t]
		// Apple spells these …Overridable; the S/MIME keys are …Overrideable.
		m[key+"UserOverridable"] = overridable
	}
	if e.MailDays != nil {
		m["MailNumberOfPastDaysToSync"] = int64(*e.MailDays)
	}
	setBool(m, "PreventMove", e.PreventMove)
	setBool(m, "PreventAppSheet", e.PreventAppSheet)
	return m
}

func (p *Policy) restrictionsPayload(r *Restrictions) map[string]any {
	id := p.Profile.Identifier + ".restrictions"
	m := map[string]any{
		"PayloadType":        "com.apple.applicationaccess",
		"PayloadVersion":     int64(1),
		"PayloadIdentifier":  id,
		"PayloadUUID":        PayloadUUID(id),
		"PayloadDisplayName": "Restrictions",
	}
	rv, rt := reflect.ValueOf(r).Elem(), reflect.TypeOf(r).Elem()
	for i := 0; i < rt.NumField(); i++ {
		setBool(m, rt.Field(i).Tag.Get("yaml"), rv.Field(i).Interface().(*bool))
	}
	return m
}

// OutlookSettings returns Outlook's app configuration keys in a fixed order.
// managedApps selects the Managed Apps (Intune App SDK) channel, which alone
// takes the ContactSync field keys; the Managed Devices channel alone takes
// the allowed-accounts keys.
func (p *Policy) OutlookSettings(managedApps bool) []Setting {
	o := p.Outlook
	var s []Setting
	add := func(key string, v any) { s = append(s, Setting{Key: key, Value: v}) }
	if o.SaveContacts != nil {
		add("com.microsoft.outlook.Contacts.LocalSyncEnabled", *o.SaveContacts)
	}
	if o.UsersCanChangeSaveContacts != nil {
		add("com.microsoft.outlook.Contacts.LocalSyncEnabled.UserChangeAllowed", *o.UsersCanChangeSaveContacts)
	}
	if managedApps {
		if f := o.ContactFields; f != nil {
			fv, ft := reflect.ValueOf(f).Elem(), reflect.TypeOf(f).Elem()
			for i := 0; i < ft.NumField(); i++ {
				if b := fv.Field(i).Interface().(*bool); b != nil {
					add("com.microsoft.outlook.ContactSync."+ft.Field(i).Tag.Get("outlook"), *b)
				}
			}
		}
		return s
	}
	if o.WorkAccountsOnly != nil {
		mode := "Disabled"
		if *o.WorkAccountsOnly {
			mode = "Enabled"
		}
		add("IntuneMAMAllowedAccountsOnly", mode)
		// Outlook matches the allowed account by UPN; Microsoft requires
		// MDMs other than Intune to send it too.
		add("IntuneMAMUPN", "${user.upn}")
	}
	return s
}

// Setting is one app configuration key and its typed value.
type Setting struct {
	Key   string
	Value any // bool or string
}

// OutlookManagedDevices returns the Managed Devices app configuration as a
// property list whose <dict> is what Intune's "XML data" field, Jamf Pro and
// Workspace ONE take.
func (p *Policy) OutlookManagedDevices(opts Options) ([]byte, error) {
	dict := map[string]any{}
	for _, s := range p.OutlookSettings(false) {
		dict[s.Key] = s.Value
	}
	rendered, err := renderTree(dict, p.TargetFor(opts.Target))
	if err != nil {
		return nil, err
	}
	data, err := encodePlist(rendered)
	if err != nil {
		return nil, err
	}
	var back map[string]any
	if _, err := plist.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(normalize(back), normalize(rendered)) {
		return nil, fmt.Errorf("%s: the Outlook app configuration does not read back", p.Profile.Name)
	}
	return data, nil
}

// readBack decodes an encoded profile and checks it is a profile holding
// exactly the values it was encoded from: the last line of defence before a
// file reaches devices.
func readBack(data []byte, want map[string]any) error {
	var got map[string]any
	if _, err := plist.Unmarshal(data, &got); err != nil {
		return fmt.Errorf("not a property list: %w", err)
	}
	if err := CheckProfileTree(got); err != nil {
		return err
	}
	if !reflect.DeepEqual(normalize(got), normalize(want)) {
		return fmt.Errorf("decoded values differ from the compiled ones")
	}
	return nil
}

// TargetFor resolves the MDM a policy is built for: the given one, else the
// policy's target:, else Generic.
func (p *Policy) TargetFor(t Target) Target {
	if t != "" {
		return t
	}
	if t, err := ParseTarget(p.Target); err == nil {
		return t
	}
	return Generic
}

// renderTree writes every string in a plist tree in the target's variable
// syntax. It works on typed values, so the encoder escapes what variables
// expand to like any other text.
func renderTree(v any, target Target) (any, error) {
	return substitute(v, func(vr Variable) (string, error) {
		syn, ok := vr.Syntax[target]
		if !ok {
			return "", targetLacks(vr, target)
		}
		return syn, nil
	})
}

// substitute returns a copy of a plist tree with every variable in its
// strings replaced by replace's answer.
func substitute(v any, replace func(Variable) (string, error)) (any, error) {
	switch x := v.(type) {
	case string:
		out, verr := expand(x, replace)
		if verr != nil {
			return nil, errors.New(verr.Msg)
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := substitute(e, replace)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := substitute(e, replace)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

// encodeJSON writes a JSON document as every mdmforge output has it:
// 2-space indent, HTML characters as they are, one trailing newline.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func encodePlist(v any) ([]byte, error) {
	return appendPlist(make([]byte, 0, 4096), v)
}

// CheckProfile decodes an XML or binary property list and checks that it is
// a configuration profile: a Configuration dictionary with an identifier, a
// UUID and a list of payloads that each have a type, identifier and UUID.
func CheckProfile(data []byte) error {
	_, err := DecodeProfile(data)
	return err
}

// DecodeProfile decodes a configuration profile once and checks it as
// CheckProfile does, refusing nesting the decoder cannot take before it
// starts.
func DecodeProfile(data []byte) (map[string]any, error) {
	if err := CheckPlistDepth(data); err != nil {
		return nil, err
	}
	var top map[string]any
	if _, err := plist.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("not a property list: %w", err)
	}
	if err := CheckProfileTree(top); err != nil {
		return nil, err
	}
	return top, nil
}

// CheckProfileTree applies CheckProfile's checks to a decoded profile.
func CheckProfileTree(top map[string]any) error {
	if t, _ := top["PayloadType"].(string); t != "Configuration" {
		return fmt.Errorf("not a configuration profile (PayloadType is %q, want Configuration)", t)
	}
	for _, k := range []string{"PayloadIdentifier", "PayloadUUID"} {
		if s, _ := top[k].(string); s == "" {
			return fmt.Errorf("the profile has no %s", k)
		}
	}
	content, ok := top["PayloadContent"].([]any)
	if !ok {
		if enc, _ := top["IsEncrypted"].(bool); enc {
			return nil
		}
		return fmt.Errorf("the profile has no PayloadContent list")
	}
	for i, c := range content {
		pl, ok := c.(map[string]any)
		if !ok {
			return fmt.Errorf("PayloadContent[%d] is not a dictionary", i)
		}
		for _, k := range []string{"PayloadType", "PayloadIdentifier", "PayloadUUID"} {
			if s, _ := pl[k].(string); s == "" {
				return fmt.Errorf("PayloadContent[%d] has no %s", i, k)
			}
		}
	}
	return nil
}

// normalize maps decoded plist values onto one representation per type, so
// trees can be compared whatever produced them.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x)
		}
	case int:
		return int64(x)
	case time.Time:
		return x.UTC()
	}
	return v
}

// plistDict converts a YAML mapping of Apple keys into plist values, by the
// YAML type of each value: text, whole and real numbers, true/false, dates
// (!!timestamp), data (!!binary, base64), lists and mappings.
//
// A value tagged !uuid NAME becomes the PayloadUUID of the payload named NAME.
// The returned map gives the position of every key, by its path relative to
// the mapping (PayloadContent.URL, Subject[0]).
func plistDict(file string, n *yaml.Node, path string, uuidOf func(string) (string, error)) (map[string]any, map[string]Pos, Diagnostics) {
	c := plistConverter{file: file, base: path, uuidOf: uuidOf, pos: map[string]Pos{}}
	if n.Kind == 0 || isNull(n) {
		return map[string]any{}, c.pos, nil
	}
	v := c.value(n, "")
	if m, ok := v.(map[string]any); ok {
		for _, k := range []string{"PayloadType", "PayloadUUID", "PayloadIdentifier", "PayloadVersion", "PayloadDisplayName"} {
			if _, set := m[k]; set {
				c.errorAt(k, "is set by mdmforge; remove it (use the entry's name, type, identifier, uuid and display_name)")
			}
		}
		return m, c.pos, c.diags
	}
	if len(c.diags) == 0 {
		c.errorf("", n, "want a mapping of Apple keys, got %s", describe(n))
	}
	return nil, c.pos, c.diags
}

type plistConverter struct {
	file   string
	base   string // YAML path of the mapping being converted
	uuidOf func(string) (string, error)
	pos    map[string]Pos
	diags  Diagnostics
	budget nodeBudget
	depth  int
}

// maxKeyDepth keeps a payload's keys within what property list readers
// accept (CheckPlistDepth allows 128 levels; the profile adds two).
const maxKeyDepth = 120

func subPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (c *plistConverter) errorAt(rel, format string, args ...any) {
	c.diags = append(c.diags, Diagnostic{Severity: Error, Path: subPath(c.base, rel), Pos: c.pos[rel], Message: fmt.Sprintf(format, args...)})
}

func (c *plistConverter) errorf(rel string, n *yaml.Node, format string, args ...any) {
	pos := Pos{File: c.file, Line: n.Line, Column: n.Column}
	c.diags = append(c.diags, Diagnostic{Severity: Error, Path: subPath(c.base, rel), Pos: pos, Message: fmt.Sprintf(format, args...)})
}

func (c *plistConverter) value(n *yaml.Node, path string) any {
	if ok, report := c.budget.spend(); !ok {
		if report {
			c.errorf(path, n, tooManyNodes)
		}
		return ""
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		c.depth++
		defer func() { c.depth-- }()
		if c.depth > maxKeyDepth {
			c.errorf(path, n, "nests more than %d levels deep, more than property list readers accept", maxKeyDepth)
			return ""
		}
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				c.errorf(path, k, "want a key name, got %s", describe(k))
				continue
			}
			kp := subPath(path, k.Value)
			if _, dup := m[k.Value]; dup {
				c.errorf(kp, k, "set twice")
				continue
			}
			c.pos[kp] = Pos{File: c.file, Line: k.Line, Column: k.Column}
			m[k.Value] = c.value(n.Content[i+1], kp)
		}
		return m
	case yaml.SequenceNode:
		a := make([]any, len(n.Content))
		for i, e := range n.Content {
			ip := fmt.Sprintf("%s[%d]", path, i)
			c.pos[ip] = Pos{File: c.file, Line: e.Line, Column: e.Column}
			a[i] = c.value(e, ip)
		}
		return a
	}
	switch n.Tag {
	case "!uuid":
		u, err := c.uuidOf(n.Value)
		if err != nil {
			c.errorf(path, n, "!uuid %s: %v", n.Value, err)
		}
		return u
	case "!!str":
		return n.Value
	case "!!bool":
		b, _ := strconv.ParseBool(strings.ToLower(n.Value))
		return b
	case "!!int":
		i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
		if err != nil {
			c.errorf(path, n, "number %s is out of range", n.Value)
		}
		return i
	case "!!float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			c.errorf(path, n, "%s is not a number a property list can hold", n.Value)
		}
		return f
	case "!!timestamp":
		t, err := parseDate(n.Value)
		if err != nil {
			c.errorf(path, n, "%q is not a date such as 2027-06-30T18:00:00Z", n.Value)
		}
		return t
	case "!!binary":
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(n.Value), ""))
		if err != nil {
			c.errorf(path, n, "!!binary value is not base64")
		}
		return b
	case "!!null":
		c.errorf(path, n, "has no value; property lists have no null (remove the key)")
		return ""
	}
	c.errorf(path, n, "unsupported YAML tag %s", n.Tag)
	return ""
}

func setString(m map[string]any, key, v string) {
	if v != "" {
		m[key] = v
	}
}

func setBool(m map[string]any, key string, v *bool) {
	if v != nil {
		m[key] = *v
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
