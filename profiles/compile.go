package profiles

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/google/uuid"
	"github.com/mdmforge/mdmforge/internal/propertylist"
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
		if !p.Profile.Imported {
			// An imported payload keeps the types its source had.
			keys = coercePayload(keys)
		}
		content = append(content, keys)
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

// removalKeys are the top-level keys an imported policy may set in
// profile.keys instead of profile.removal, for values the removal settings
// would write otherwise (an <integer> DurationUntilRemoval, a date with a
// fraction of a second).
var removalKeys = map[string]bool{"PayloadRemovalDisallowed": true, "RemovalDate": true, "DurationUntilRemoval": true}

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
	keys, pos, all := p.keysDict(&p.Profile.Keys, "profile.keys")
	var ds Diagnostics
	for _, d := range all {
		// The generic "set by mdmforge" finding names payload settings.
		if k := strings.TrimPrefix(d.Path, "profile.keys."); managedTopKeys[k] != "" {
			continue
		}
		ds = append(ds, d)
	}
	for k := range keys {
		if f, ok := topLevelFields[k]; ok && !(p.Profile.Imported && removalKeys[k] && !p.has(f)) {
			ds = append(ds, Diagnostic{Severity: Error, Path: "profile.keys." + k, Pos: pos[k], Message: "set it with " + f})
		} else if f := managedTopKeys[k]; f != "" && !(k == "PayloadVersion" && p.Profile.Imported) {
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
	if _, kept := top["PayloadVersion"]; !kept || !info.Imported {
		top["PayloadVersion"] = int64(1)
	}
	top["PayloadIdentifier"] = info.Identifier
	top["PayloadType"] = "Configuration"
	top["PayloadUUID"] = firstNonEmpty(info.UUID, PayloadUUID(info.Identifier))
	if info.Imported {
		// Exactly what the source had: no default name, and empty text
		// kept, since devices show what is there.
		for _, f := range []struct{ key, setting, v string }{
			{"PayloadDisplayName", "profile.display_name", info.DisplayName},
			{"PayloadOrganization", "profile.organization", info.Organization},
			{"PayloadDescription", "profile.description", info.Description},
		} {
			if p.has(f.setting) {
				top[f.key] = f.v
			}
		}
	} else {
		top["PayloadDisplayName"] = firstNonEmpty(info.DisplayName, info.Name)
		setString(top, "PayloadOrganization", info.Organization)
		setString(top, "PayloadDescription", info.Description)
	}
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
	if !reflect.DeepEqual(propertylist.Normalize(got), propertylist.Normalize(want)) {
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
	return propertylist.AppendXML(make([]byte, 0, 4096), v)
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
	if err := propertylist.CheckDepth(data); err != nil {
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
