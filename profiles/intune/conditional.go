package intune

import (
	"encoding/json"
	"fmt"

	"github.com/mdmforge/mdmforge/profiles"
)

const conditionalAccessFile = "conditional-access.json"

// ExchangeOnlineAppID is the application id of Office 365 Exchange Online,
// the cloud app the Conditional Access policy guards (Microsoft Entra ID's
// first-party application list).
const ExchangeOnlineAppID = "00000002-0000-0ff1-ce00-000000000000"

// The conditionalAccessPolicy of Graph v1.0
// (identity/conditionalAccess/policies), as Microsoft's "Require compliant
// device" policy has it, narrowed to iOS and Exchange Online. Its
// description is left out: Graph documents it as "Not used".
type graphConditionalAccessPolicy struct {
	ODataType     string                      `json:"@odata.type"`
	DisplayName   string                      `json:"displayName"`
	State         string                      `json:"state"`
	Conditions    graphConditionalAccessSet   `json:"conditions"`
	GrantControls graphConditionalAccessGrant `json:"grantControls"`
}

type graphConditionalAccessSet struct {
	ClientAppTypes []string                       `json:"clientAppTypes"`
	Applications   graphConditionalAccessApps     `json:"applications"`
	Users          graphConditionalAccessUsers    `json:"users"`
	Platforms      graphConditionalAccessPlatform `json:"platforms"`
}

type graphConditionalAccessApps struct {
	IncludeApplications []string `json:"includeApplications"`
}

type graphConditionalAccessUsers struct {
	IncludeGroups []string `json:"includeGroups"`
	ExcludeGroups []string `json:"excludeGroups"`
}

type graphConditionalAccessPlatform struct {
	IncludePlatforms []string `json:"includePlatforms"`
}

type graphConditionalAccessGrant struct {
	Operator        string   `json:"operator"`
	BuiltInControls []string `json:"builtInControls"`
}

// conditionalAccessStates maps intune.conditional_access onto Graph's
// conditionalAccessPolicyState.
var conditionalAccessStates = map[string]string{
	profiles.ConditionalAccessReportOnly: "enabledForReportingButNotEnforced",
	profiles.ConditionalAccessEnforce:    "enabled",
}

// conditionalAccess is the Conditional Access policy the scenario needs:
// iOS devices reach Exchange Online only when Intune marks them compliant,
// which the compliance policy ties to the iOS version the data-type locks
// need. It is written for the groups of assignments, as the policy names
// them; see ResolveGroups.
func (p policy) conditionalAccess() (bundleFile, error) {
	state, ok := conditionalAccessStates[p.ConditionalAccess()]
	if !ok {
		return bundleFile{}, fmt.Errorf("%s: intune %s: intune.conditional_access is %q, not report-only or enforce", p.Profile.Name, conditionalAccessFile, p.ConditionalAccess())
	}
	// A policy for every user would lock out everyone without a compliant
	// iOS device, administrators included; Validate reports it too, and it
	// is refused here in case Validate was not called.
	if p.Assignments == nil || len(p.Assignments.Include) == 0 {
		return bundleFile{}, fmt.Errorf("%s: intune %s: intune.conditional_access needs assignments.include", p.Profile.Name, conditionalAccessFile)
	}
	name, err := p.objectName("Require compliant iOS devices for Exchange Online")
	if err != nil {
		return bundleFile{}, fmt.Errorf("%s: intune %s: profile.display_name: %w", p.Profile.Name, conditionalAccessFile, err)
	}
	body := graphConditionalAccessPolicy{
		ODataType:   "#microsoft.graph.conditionalAccessPolicy",
		DisplayName: name,
		State:       state,
		Conditions: graphConditionalAccessSet{
			ClientAppTypes: []string{"all"},
			Applications:   graphConditionalAccessApps{IncludeApplications: []string{ExchangeOnlineAppID}},
			Users: graphConditionalAccessUsers{
				IncludeGroups: append([]string{}, p.Assignments.Include...),
				ExcludeGroups: append([]string{}, p.Assignments.Exclude...),
			},
			Platforms: graphConditionalAccessPlatform{IncludePlatforms: []string{"iOS"}},
		},
		GrantControls: graphConditionalAccessGrant{Operator: "OR", BuiltInControls: []string{"compliantDevice"}},
	}
	data, err := encodeJSON(body)
	stateLabel := "**Report-only**"
	if state == "enabled" {
		stateLabel = "**On**"
	}
	return bundleFile{
		name:     conditionalAccessFile,
		title:    "Conditional Access policy requiring compliant iOS devices for Exchange Online (conditionalAccessPolicy)",
		endpoint: "identity/conditionalAccess/policies",
		portal: []string{
			"Go to the **Microsoft Entra admin center** (https://entra.microsoft.com) > **Protection** > **Conditional Access** > **Policies** > **New policy**.",
			"**Name**: `" + name + "`.",
			"**Assignments** > **Users** > **Include** > **Select users and groups** > **Users and groups**: " + groupList(p.Assignments.Include) + groupExclusions(p.Assignments.Exclude) + ".",
			"**Target resources** > **Resources (formerly cloud apps)** > **Include** > **Select resources**: **Office 365 Exchange Online**.",
			"**Conditions** > **Device platforms**: **Configure** **Yes**, **Include** > **Select device platforms**: **iOS**; **Client apps**: leave **Not configured** (all client apps).",
			"**Access controls** > **Grant** > **Grant access**: **Require device to be marked as compliant**.",
			"**Enable policy**: " + stateLabel + "; then **Create**.",
		},
		before: []string{
			"create and assign `compliance.json`, so that devices can be marked compliant before the policy asks for it.",
			"replace each entry of `conditions.users.includeGroups` and `excludeGroups` with the object id of that Entra ID group: the file holds the groups as the policy's `assignments` names them.",
		},
		after: []string{
			"Needs the application permissions `Policy.ReadWrite.ConditionalAccess` and `Policy.Read.All`, not Intune's.",
			"With `state` `enabledForReportingButNotEnforced` (report-only), Entra ID logs whom the policy would block without blocking them: check **Sign-in logs** > **Report-only** before setting `enforce`.",
			"Users in these groups then reach Exchange Online from iOS only on devices Intune marks compliant: enrolled, and running the iOS version `compliance.json` requires.",
		},
		data: data,
	}, err
}

func groupList(groups []string) string {
	s := ""
	for i, g := range groups {
		if i > 0 {
			s += ", "
		}
		s += "`" + g + "`"
	}
	return s
}

func groupExclusions(groups []string) string {
	if len(groups) == 0 {
		return ""
	}
	return "; **Exclude** > **Users and groups**: " + groupList(groups)
}

// ResolveGroups returns the object with the groups of its Conditional
// Access policy replaced by their object ids, which Graph requires there.
// The body Objects and Deployable build for kind conditional-access holds
// conditions.users.includeGroups and excludeGroups as the policy's
// assignments.include and assignments.exclude write them, display names or
// ids, in their order; id is called with each entry (ids as well, which it
// returns unchanged) and returns the group's object id. Objects of other
// kinds are returned as they are: their assignments are a separate request.
func ResolveGroups(o Object, id func(group string) (string, error)) (Object, error) {
	if o.Kind != "conditional-access" {
		return o, nil
	}
	var body graphConditionalAccessPolicy
	if err := json.Unmarshal(o.Body, &body); err != nil {
		return Object{}, fmt.Errorf("intune %s: %w", o.File, err)
	}
	for _, groups := range []*[]string{&body.Conditions.Users.IncludeGroups, &body.Conditions.Users.ExcludeGroups} {
		ids := make([]string, 0, len(*groups))
		for _, g := range *groups {
			gid, err := id(g)
			if err != nil {
				return Object{}, err
			}
			ids = append(ids, gid)
		}
		*groups = ids
	}
	data, err := encodeJSON(body)
	if err != nil {
		return Object{}, err
	}
	o.Body = data
	return o, nil
}
