package profiles

import (
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The payloads a policy compiles into, and the conversion of the Apple keys
// it writes in YAML into plist values.

// genericPayload converts payloads[i] into plist values with the keys
// mdmforge sets, and returns where each key was written.
func (p *Policy) genericPayload(i int) (map[string]any, map[string]Pos, Diagnostics) {
	pl := &p.Payloads[i]
	base := fmt.Sprintf("payloads[%d]", i)
	keys, pos, errs := p.keysDict(&pl.Keys, base+".keys")
	if keys == nil {
		return nil, pos, errs
	}
	keys["PayloadType"] = pl.Type
	if _, kept := keys["PayloadVersion"]; !kept || !p.Profile.Imported {
		keys["PayloadVersion"] = int64(1)
	}
	keys["PayloadIdentifier"] = p.payloadIdentifier(pl)
	keys["PayloadUUID"] = p.payloadUUID(pl)
	switch {
	case !p.Profile.Imported:
		keys["PayloadDisplayName"] = firstNonEmpty(pl.DisplayName, pl.Name)
	case p.has(base + ".display_name"):
		// The source's name, even an empty one; without one, none: users
		// see PayloadDisplayName on the device.
		keys["PayloadDisplayName"] = pl.DisplayName
	}
	return keys, pos, errs
}

// keysDict converts a keys: mapping (profile.keys or a payload's) as
// plistDict does. An imported policy may also set PayloadVersion there:
// other tools write it as text ("1"), and the profile is rebuilt as it was.
func (p *Policy) keysDict(n *yaml.Node, path string) (map[string]any, map[string]Pos, Diagnostics) {
	keys, pos, errs := plistDict(p.File, n, path, p.resolveUUID)
	if !p.Profile.Imported {
		return keys, pos, errs
	}
	var kept Diagnostics
	for _, d := range errs {
		if d.Path != subPath(path, "PayloadVersion") || !strings.HasPrefix(d.Message, "is set by mdmforge") {
			kept = append(kept, d)
		}
	}
	return keys, pos, kept
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
// accept (propertylist.CheckDepth allows 128 levels; the profile adds two).
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
