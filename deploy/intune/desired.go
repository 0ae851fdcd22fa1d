package intune

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/profiles"
	bodies "github.com/mdmforge/mdmforge/profiles/intune"
)

// Kinds of object, as plans and markers name them, by the bundle file they
// are built as.
var kindOfFile = map[string]string{
	"custom.json":             "custom-profile",
	"email.json":              "email-profile",
	"restrictions.json":       "restrictions",
	"outlook-devices.json":    "outlook-devices",
	"outlook-apps.json":       "outlook-apps",
	"outlook-android.json":    "outlook-android",
	"compliance.json":         "compliance",
	"conditional-access.json": "conditional-access",
}

// kindOf names an object's kind from its file name.
func kindOf(o bodies.Object) string {
	if k, ok := kindOfFile[o.File]; ok {
		return k
	}
	return strings.TrimSuffix(o.File, ".json")
}

const markerPrefix = "mdmforge:"

// markerFor is the marker of an object: mdmforge:IDENTIFIER/KIND.
func markerFor(ident, kind string) string { return markerPrefix + ident + "/" + kind }

// The collections mdmforge lists and writes.
const (
	collConfigurations = "deviceManagement/deviceConfigurations"
	collCompliance     = "deviceManagement/deviceCompliancePolicies"
	collAppConfigs     = "deviceAppManagement/mobileAppConfigurations"
	collManagedApps    = "deviceAppManagement/targetedManagedAppConfigurations"
	collConditional    = "identity/conditionalAccess/policies"
)

// desired is one object a policy builds, ready to compare.
type desired struct {
	policy    *profiles.Policy
	file      string // the policy's file
	kind      string
	ident     string
	marker    string
	odataType string
	name      string
	// plainName is the display name without the marker, which a
	// Conditional Access policy made by hand has.
	plainName  string
	collection string
	version    string
	// body is what mdmforge sends, marker included, without the
	// navigation properties written through actions (actions, apps).
	body map[string]any
	// actions is a compliance policy's scheduledActionsForRule, apps a
	// Managed Apps configuration's apps; nil when the kind has none.
	actions, apps []any
	// profileName names the embedded .mobileconfig in plans.
	profileName string
}

// decodeJSON decodes a body keeping numbers as written.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// desiredObjects builds the objects of every policy, with the problems
// that stop a plan (two policies of one identifier) as diagnostics.
func desiredObjects(policies []*profiles.Policy) ([]*desired, profiles.Diagnostics, error) {
	var out []*desired
	var probs profiles.Diagnostics
	byIdent := map[string]*profiles.Policy{}
	for _, p := range policies {
		ident := p.Profile.Identifier
		if prev, ok := byIdent[ident]; ok {
			probs = append(probs, profiles.Diagnostic{Path: "profile.identifier", Pos: p.Pos("profile.identifier"),
				Message: fmt.Sprintf("%q is also the identifier of %s: the Intune objects of two policies would carry the same marker", ident, prev.File)})
			continue
		}
		byIdent[ident] = p
		objs, _, err := deployable(p)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p.File, err)
		}
		for _, o := range objs {
			d, err := newDesired(p, o)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: intune %s: %w", p.File, o.File, err)
			}
			out = append(out, d)
		}
	}
	return out, probs, nil
}

func newDesired(p *profiles.Policy, o bodies.Object) (*desired, error) {
	v, err := decodeJSON(o.Body)
	if err != nil {
		return nil, err
	}
	body, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the body is not a JSON object")
	}
	d := &desired{
		policy: p, file: p.File, kind: kindOf(o), ident: p.Profile.Identifier,
		collection: o.Collection, version: o.Version(), body: body,
		profileName: p.Profile.Name + ".mobileconfig",
	}
	d.marker = markerFor(d.ident, d.kind)
	d.odataType, _ = body["@odata.type"].(string)
	if d.collection == collConditional {
		// A Conditional Access policy has no description: the marker ends
		// its display name.
		d.plainName, _ = body["displayName"].(string)
		body["displayName"] = d.plainName + " [" + d.marker + "]"
	} else {
		desc, _ := body["description"].(string)
		if desc != "" {
			desc += "\n"
		}
		body["description"] = desc + d.marker
	}
	d.name, _ = body["displayName"].(string)
	if d.plainName == "" {
		d.plainName = d.name
	}
	switch d.kind {
	case "compliance":
		d.actions, _ = body["scheduledActionsForRule"].([]any)
		delete(body, "scheduledActionsForRule")
	case "outlook-apps":
		d.apps, _ = body["apps"].([]any)
		if d.apps == nil {
			d.apps = []any{}
		}
		delete(body, "apps")
	}
	return d, nil
}

// markerOf returns the marker an object of the tenant carries, and
// whether it carries one.
func markerOf(collection string, obj map[string]any) (string, bool) {
	if collection == collConditional {
		name, _ := obj["displayName"].(string)
		if i := strings.LastIndex(name, " ["+markerPrefix); i >= 0 && strings.HasSuffix(name, "]") {
			return name[i+2 : len(name)-1], true
		}
		return "", false
	}
	desc, _ := obj["description"].(string)
	desc = strings.TrimRight(desc, " \t\r\n")
	last := desc[strings.LastIndexByte(desc, '\n')+1:]
	last = strings.TrimSpace(last)
	if strings.HasPrefix(last, markerPrefix) && strings.Contains(last, "/") && !strings.ContainsAny(last, " \t") {
		return last, true
	}
	return "", false
}

// splitMarker returns a marker's profile identifier and kind.
func splitMarker(m string) (ident, kind string) {
	m = strings.TrimPrefix(m, markerPrefix)
	i := strings.LastIndexByte(m, '/')
	return m[:i], m[i+1:]
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
