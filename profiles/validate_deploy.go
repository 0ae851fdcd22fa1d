package profiles

import (
	"fmt"
	"regexp"
	"strings"
)

// The rules of the sections that say how a policy is deployed
// (assignments, intune) are apart from those of the blocks that compile
// into the profile: they change with the MDM's API, not with Apple's.

// objectID is an Entra ID object id as Graph writes it.
var objectID = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// IsGroupID reports whether an assignments entry is a group's object id
// (a GUID) rather than its display name. A group whose display name looks
// like a GUID is therefore named by its id.
func IsGroupID(s string) bool { return objectID.MatchString(s) }

var (
	intuneProfiles          = []string{IntuneProfileCustom, IntuneProfileNative}
	conditionalAccessValues = []string{ConditionalAccessOff, ConditionalAccessReportOnly, ConditionalAccessEnforce}
)

func (v *validation) assignments(a *Assignments) {
	p := v.p
	// Display names are compared without case as Graph's $filter compares
	// them, and ids without case as GUIDs are: either way one group.
	seen := map[string]string{} // folded entry → path of its first mention
	list := func(field string, groups []string) {
		for i, g := range groups {
			path := fmt.Sprintf("assignments.%s[%d]", field, i)
			key := strings.ToLower(g)
			switch {
			case strings.TrimSpace(g) == "":
				v.add(p.errorf(path, "empty; write a group's display name or object id"))
				continue
			case g != strings.TrimSpace(g):
				v.add(p.errorf(path, "%q starts or ends with a space; Entra ID would look for a group of exactly that name", g))
			case strings.Contains(g, "${"):
				v.add(p.errorf(path, "cannot use variables: a group is the same for every user and device"))
			}
			first, dup := seen[key]
			switch {
			case !dup:
				seen[key] = path
			case strings.HasPrefix(first, "assignments."+field+"["):
				v.add(p.errorf(path, "%q is listed twice (first at %s)", g, p.at(first)))
			default:
				v.add(p.errorf(path, "%q is both included (%s) and excluded; choose one", g, p.at(first)))
			}
		}
	}
	list("include", a.Include)
	list("exclude", a.Exclude)
	if len(a.Include) == 0 && len(a.Exclude) > 0 {
		v.add(p.warnf("assignments.exclude", "nothing is assigned: exclude only removes groups from those of include, and include lists none"))
	}
}

func (v *validation) intune(in *IntuneSettings) {
	p := v.p
	if p.Target != "" && p.Target != string(Intune) {
		v.add(p.warnf("intune", "only mdmforge plan and apply for Intune read it, and the policy's target is %s", p.Target))
	}
	switch in.Profile {
	case "", IntuneProfileCustom:
	case IntuneProfileNative:
		if len(p.Payloads) > 0 {
			v.add(p.errorf("intune.profile", "native: Intune's email profile and device restrictions cannot carry payloads, only a custom profile can; write profile: custom, or remove payloads"))
		}
		for _, path := range []string{"profile.keys", "profile.removal"} {
			if p.has(path) {
				v.add(p.warnf(path, "is written only into the .mobileconfig, which intune.profile: native does not deploy"))
			}
		}
	default:
		v.add(p.errorf("intune.profile", "%q: choose custom (the .mobileconfig as a custom profile) or native (Intune's email profile and device restrictions)%s", in.Profile, didYouMean(in.Profile, intuneProfiles)))
	}
	switch in.ConditionalAccess {
	case "", ConditionalAccessOff:
	case ConditionalAccessReportOnly, ConditionalAccessEnforce:
		if p.Assignments == nil || len(p.Assignments.Include) == 0 {
			v.add(p.errorf("intune.conditional_access", "needs assignments.include: a Conditional Access policy for every user would lock everyone without a compliant iOS device out of Exchange Online"))
		}
		if p.Exchange == nil {
			v.add(p.errorf("intune.conditional_access", "needs an exchange block: the Conditional Access policy guards the Exchange account this policy sets up"))
		}
	default:
		v.add(p.errorf("intune.conditional_access", "%q: choose %s%s", in.ConditionalAccess, orList(conditionalAccessValues), didYouMean(in.ConditionalAccess, conditionalAccessValues)))
	}
}
