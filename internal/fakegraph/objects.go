package fakegraph

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/internal/graphmeta"
)

const typePrefix = "#microsoft.graph."

// The collections the fake serves, as Seed, Objects and Update name them:
// Graph's paths after the version.
const (
	DeviceConfigurations             = "deviceManagement/deviceConfigurations"
	DeviceCompliancePolicies         = "deviceManagement/deviceCompliancePolicies"
	MobileAppConfigurations          = "deviceAppManagement/mobileAppConfigurations"
	TargetedManagedAppConfigurations = "deviceAppManagement/targetedManagedAppConfigurations"
	MobileApps                       = "deviceAppManagement/mobileApps"
	Groups                           = "groups"
	ConditionalAccessPolicies        = "identity/conditionalAccess/policies"
	// RoleScopeTags is beta only, as in Graph; it holds the built-in
	// tag "0", "Default".
	RoleScopeTags = "deviceManagement/roleScopeTags"
)

const (
	pathDeviceConfigurations = DeviceConfigurations
	pathCompliancePolicies   = DeviceCompliancePolicies
	pathMobileAppConfigs     = MobileAppConfigurations
	pathManagedAppConfigs    = TargetedManagedAppConfigurations
	pathMobileApps           = MobileApps
	pathGroups               = Groups
	pathConditionalAccess    = ConditionalAccessPolicies
	pathScopeTags            = RoleScopeTags
)

// collectionDef is what the fake knows of one Graph collection.
type collectionDef struct {
	path string
	// base is the collection's declared type; bodies are checked as it
	// or a type derived from it.
	base string
	// assignment is the type of the items of /assign's set; "" when the
	// collection has no /assign.
	assignment string
	// assignNoContent is set where /assign answers 204 rather than 200
	// with the new set: in the v1.0 CSDL, the assign actions bound to
	// managedDeviceMobileAppConfiguration and targetedManagedAppConfiguration
	// have no ReturnType.
	assignNoContent bool
	// inline are the navigation properties a create may carry.
	inline map[string]bool
	// expand are the navigation properties $expand takes.
	expand map[string]bool
	// readOnly collections only answer GET.
	readOnly bool
	// typed collections return @odata.type on every item: they hold
	// several derived types.
	typed bool
	// caseFold makes $filter's eq compare without case, as Entra ID does.
	caseFold bool
	// betaOnly collections are not in v1.0.
	betaOnly bool
	// perm is the permission Deny's message names.
	perm string
}

var collectionDefs = []*collectionDef{
	{path: pathDeviceConfigurations, base: "deviceConfiguration", assignment: "deviceConfigurationAssignment",
		expand: set("assignments"), typed: true, perm: "DeviceManagementConfiguration.ReadWrite.All"},
	{path: pathCompliancePolicies, base: "deviceCompliancePolicy", assignment: "deviceCompliancePolicyAssignment",
		inline: set("scheduledActionsForRule"), expand: set("assignments", "scheduledActionsForRule"), typed: true,
		perm: "DeviceManagementConfiguration.ReadWrite.All"},
	{path: pathMobileAppConfigs, base: "managedDeviceMobileAppConfiguration", assignment: "managedDeviceMobileAppConfigurationAssignment",
		assignNoContent: true, expand: set("assignments"), typed: true, perm: "DeviceManagementApps.ReadWrite.All"},
	// Graph's documentation creates a targetedManagedAppConfiguration
	// with inline apps (intune-mam-targetedmanagedappconfiguration-create:
	// "apps" is in the request's properties, and the admin center sends
	// them so); only PATCH refuses them (powershell-intune-samples#117).
	{path: pathManagedAppConfigs, base: "targetedManagedAppConfiguration", assignment: "targetedManagedAppPolicyAssignment",
		assignNoContent: true, inline: set("apps"), expand: set("apps", "assignments"), typed: true,
		perm: "DeviceManagementApps.ReadWrite.All"},
	{path: pathMobileApps, base: "mobileApp", readOnly: true, typed: true, perm: "DeviceManagementApps.Read.All"},
	{path: pathGroups, base: "group", readOnly: true, caseFold: true, perm: "Group.Read.All"},
	{path: pathConditionalAccess, base: "conditionalAccessPolicy", perm: "Policy.ReadWrite.ConditionalAccess"},
	{path: pathScopeTags, base: "roleScopeTag", readOnly: true, betaOnly: true, perm: "DeviceManagementRBAC.Read.All"},
}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

type collection struct {
	def  *collectionDef
	objs []*object // in creation order
}

func (c *collection) find(id string) (int, *object) {
	for i, o := range c.objs {
		if o.id == id {
			return i, o
		}
	}
	return -1, nil
}

// object is one stored object: the properties clients set and the
// server-set ones, and its navigation properties apart.
type object struct {
	id, typ string
	// version is the Graph version it was created through.
	version     string
	props       map[string]any
	assignments []map[string]any // {id, target}
	rules       []map[string]any // scheduledActionsForRule, with ids
	apps        []map[string]any // managedMobileApp
	// appGroupType is /targetApps' parameter; v1.0's type has no such
	// property, so it is kept apart.
	appGroupType string
}

// serverSet are the properties Graph sets: stripped from State, refused
// in a PATCH.
var serverSet = set("id", "createdDateTime", "lastModifiedDateTime", "modifiedDateTime", "version",
	"supportsScopeTags", "isAssigned", "deployedAppCount")

// visibleType returns the type an object of type typ is shown as in
// version: itself, or for a type the version lacks (a beta-only email
// profile listed through v1.0) its nearest base the version has.
func (s *Server) visibleType(typ, version string) string {
	for n := 0; typ != "" && n < 32; n++ {
		t := s.meta.Types[typ]
		if t == nil {
			return ""
		}
		if t.Versions[version] != nil {
			return typ
		}
		typ = t.Base
	}
	return ""
}

// expansion is a parsed $expand: navigation property → inner expansion.
type expansion map[string]expansion

// render returns an object as a GET through version returns it: every
// property the type declares there, those never set with their default,
// navigation properties only as expanded, and only those selected (nil:
// all).
func (s *Server) render(c *collection, o *object, version string, exp expansion, sel map[string]bool) map[string]any {
	typ := s.visibleType(o.typ, version)
	out := s.renderTyped(typ, version, o.props)
	switch {
	case typ == "targetedManagedAppConfiguration":
		out["deployedAppCount"] = len(o.apps)
		fallthrough
	case c.def.assignment != "":
		if _, ok := out["isAssigned"]; ok {
			out["isAssigned"] = len(o.assignments) > 0
		}
	}
	if sel != nil {
		for k := range out {
			if !sel[k] && k != "id" {
				delete(out, k)
			}
		}
	}
	if c.def.typed {
		out["@odata.type"] = typePrefix + typ
	}
	if e, ok := exp["assignments"]; ok {
		_ = e
		out["assignments"] = s.renderAssignments(c, o, version)
	}
	if e, ok := exp["scheduledActionsForRule"]; ok {
		rules := []any{}
		for _, r := range o.rules {
			rr := s.renderTyped("deviceComplianceScheduledActionForRule", version, r)
			if _, ok := e["scheduledActionConfigurations"]; ok {
				items := []any{}
				for _, a := range r["scheduledActionConfigurations"].([]any) {
					items = append(items, s.renderTyped("deviceComplianceActionItem", version, a.(map[string]any)))
				}
				rr["scheduledActionConfigurations"] = items
			}
			rules = append(rules, rr)
		}
		out["scheduledActionsForRule"] = rules
	}
	if _, ok := exp["apps"]; ok {
		out["apps"] = s.renderApps(o, version)
	}
	return out
}

func (s *Server) renderAssignments(c *collection, o *object, version string) []any {
	list := []any{}
	for _, a := range o.assignments {
		list = append(list, s.renderTyped(c.def.assignment, version, a))
	}
	return list
}

func (s *Server) renderApps(o *object, version string) []any {
	list := []any{}
	for _, a := range o.apps {
		list = append(list, s.renderTyped("managedMobileApp", version, a))
	}
	return list
}

// renderTyped returns the structural properties typ declares in version,
// from stored or with their default, complex values rendered the same
// way by their own (or @odata.type's) type.
func (s *Server) renderTyped(typ, version string, stored map[string]any) map[string]any {
	out := map[string]any{}
	t := s.meta.Types[typ]
	var members *graphmeta.Members
	if t != nil {
		members = t.Versions[version]
	}
	if members == nil {
		for k, v := range stored {
			out[k] = v
		}
		return out
	}
	for name, pt := range members.Properties {
		v, ok := stored[name]
		if !ok {
			out[name] = defaultValue(name, pt)
			continue
		}
		out[name] = s.renderValue(pt, version, v)
	}
	if ot, ok := stored["@odata.type"]; ok && t.Kind == "complex" {
		out["@odata.type"] = ot
	}
	return out
}

func (s *Server) renderValue(pt, version string, v any) any {
	elem, _ := graphmeta.ElementType(pt)
	switch v := v.(type) {
	case map[string]any:
		typ := elem
		if ot, ok := v["@odata.type"].(string); ok {
			typ = strings.TrimPrefix(ot, typePrefix)
		}
		if s.meta.Types[typ] == nil {
			return v
		}
		return s.renderTyped(typ, version, v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = s.renderValue(elem, version, e)
		}
		return out
	}
	return v
}

// defaultValue is what Graph returns for a property never set: false, 0,
// an empty collection, null for the rest (strings, objects, enums, and
// beta-only properties, whose type the metadata does not know).
func defaultValue(name, pt string) any {
	if _, coll := graphmeta.ElementType(pt); coll || name == "roleScopeTagIds" {
		return []any{}
	}
	switch pt {
	case "Edm.Boolean":
		return false
	case "Edm.Int32", "Edm.Int64", "Edm.Int16", "Edm.Byte", "Edm.Double", "Edm.Single", "Edm.Decimal":
		return 0
	}
	return nil
}

// State is the tenant as canonical JSON: for each collection written to,
// its objects without server-set properties and ids, with their
// assignments (groupId replaced by "group": NAME), targetApps and
// scheduled actions; mobile app ids in targetedMobileApps replaced by
// "app:BUNDLEID". Objects are sorted by their JSON, so a faulted run and
// a clean run that reached the same tenant compare equal.
func (s *Server) State() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	state := map[string][]json.RawMessage{}
	for _, path := range sortedKeys(s.collections) {
		c := s.collections[path]
		if c.def.readOnly {
			continue
		}
		items := []json.RawMessage{}
		for _, o := range c.objs {
			items = append(items, s.canonical(o))
		}
		sort.Slice(items, func(i, j int) bool { return string(items[i]) < string(items[j]) })
		state[path] = items
	}
	b, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		panic(err) // only JSON values are stored
	}
	return append(b, '\n')
}

func (s *Server) canonical(o *object) json.RawMessage {
	m := map[string]any{"@odata.type": typePrefix + o.typ}
	for k, v := range o.props {
		if !serverSet[k] {
			m[k] = v
		}
	}
	if apps, ok := m["targetedMobileApps"].([]any); ok {
		named := make([]any, len(apps))
		for i, id := range apps {
			named[i] = s.appName(id)
		}
		m["targetedMobileApps"] = named
	}
	if len(o.assignments) > 0 {
		var targets []string
		for _, a := range o.assignments {
			t := map[string]any{}
			for k, v := range a["target"].(map[string]any) {
				t[k] = v
			}
			if id, ok := t["groupId"].(string); ok {
				delete(t, "groupId")
				t["group"] = s.groupName(id)
			}
			b, _ := json.Marshal(t)
			targets = append(targets, string(b))
		}
		sort.Strings(targets)
		raw := make([]json.RawMessage, len(targets))
		for i, t := range targets {
			raw[i] = json.RawMessage(t)
		}
		m["assignments"] = raw
	}
	if len(o.rules) > 0 {
		var rules []any
		for _, r := range o.rules {
			var items []any
			for _, a := range r["scheduledActionConfigurations"].([]any) {
				items = append(items, withoutID(a.(map[string]any)))
			}
			rr := withoutID(r)
			rr["scheduledActionConfigurations"] = items
			rules = append(rules, rr)
		}
		m["scheduledActionsForRule"] = rules
	}
	if o.appGroupType != "" {
		m["appGroupType"] = o.appGroupType
	}
	if len(o.apps) > 0 {
		var apps []any
		for _, a := range o.apps {
			apps = append(apps, withoutID(a))
		}
		m["apps"] = apps
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

func withoutID(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if k != "id" {
			out[k] = v
		}
	}
	return out
}

func (s *Server) groupName(id string) string {
	if _, g := s.collections[pathGroups].find(id); g != nil {
		name, _ := g.props["displayName"].(string)
		return name
	}
	return "no group " + id
}

func (s *Server) appName(id any) any {
	sid, _ := id.(string)
	if _, a := s.collections[pathMobileApps].find(sid); a != nil {
		for _, k := range []string{"bundleId", "packageId"} {
			if v, ok := a.props[k].(string); ok {
				return "app:" + v
			}
		}
	}
	return id
}

// appendAssignment adds a target to a set unless an equal one is there,
// as Graph ignores a duplicate target; the id is Intune's
// "{policy}_{group}".
func appendAssignment(list []map[string]any, objID string, target map[string]any) []map[string]any {
	key, _ := json.Marshal(target)
	for _, a := range list {
		if k, _ := json.Marshal(a["target"]); string(k) == string(key) {
			return list
		}
	}
	suffix, _ := target["groupId"].(string)
	switch strings.TrimPrefix(asString(target["@odata.type"]), typePrefix) {
	case "allLicensedUsersAssignmentTarget":
		suffix = "acacacac-9df4-4c7d-9d50-4ef0226f57a9"
	case "allDevicesAssignmentTarget":
		suffix = "adadadad-808e-44e2-905a-0b7873a8a531"
	}
	id := objID + "_" + suffix
	if strings.HasPrefix(asString(target["@odata.type"]), typePrefix+"exclusion") {
		id += "_exclude"
	}
	return append(list, map[string]any{"id": id, "target": target})
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

// noTemplate is the notificationTemplateId Intune stores for an action
// without a notification template, whether "" or nothing was sent.
const noTemplate = "00000000-0000-0000-0000-000000000000"

// storeRules gives scheduled action rules and their configurations ids,
// and keeps them as Intune does, as tenant exports show them (IntuneCD,
// Microsoft365DSC): a rule's ruleName is not kept (it reads back null), a
// missing or empty notificationTemplateId reads back as the zero GUID, and
// a missing notificationMessageCCList as an empty list.
func (s *Server) storeRules(objID string, rules []any) []map[string]any {
	var out []map[string]any
	for i, r := range rules {
		m, ok := r.(map[string]any)
		if !ok {
			continue
		}
		rr := withoutID(m)
		delete(rr, "ruleName")
		rr["id"] = guid(2, len(out)+1) + "_" + objID[len(objID)-6:]
		var items []any
		cfgs, _ := m["scheduledActionConfigurations"].([]any)
		for j, a := range cfgs {
			if am, ok := a.(map[string]any); ok {
				item := withoutID(am)
				item["id"] = guid(3+i, j+1) + "_" + objID[len(objID)-6:]
				if t, _ := item["notificationTemplateId"].(string); t == "" {
					item["notificationTemplateId"] = noTemplate
				}
				if item["notificationMessageCCList"] == nil {
					item["notificationMessageCCList"] = []any{}
				}
				items = append(items, item)
			}
		}
		if items == nil {
			items = []any{}
		}
		rr["scheduledActionConfigurations"] = items
		out = append(out, rr)
	}
	return out
}

// storeApps keeps managedMobileApps with Intune's ids: the bundle id
// with ".ios", the package id with ".android".
func storeApps(apps []any) []map[string]any {
	var out []map[string]any
	seen := map[string]bool{}
	for _, a := range apps {
		m, ok := a.(map[string]any)
		if !ok {
			continue
		}
		ident, _ := m["mobileAppIdentifier"].(map[string]any)
		id := ""
		if b, ok := ident["bundleId"].(string); ok {
			id = b + ".ios"
		} else if p, ok := ident["packageId"].(string); ok {
			id = p + ".android"
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		app := withoutID(m)
		app["id"] = id
		out = append(out, app)
	}
	return out
}
