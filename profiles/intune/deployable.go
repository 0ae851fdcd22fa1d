package intune

import (
	"fmt"
	"strings"

	"github.com/mdmforge/mdmforge/profiles"
)

// deployOrder is the order mdmforge apply creates a policy's objects in,
// by file. Outlook is configured (Save Contacts off) before the Exchange
// account syncs a contact, or it exports them a second time; the
// compliance policy exists before the account, so devices below iOS 13,
// which ignore the data-type locks, are never compliant; and Conditional
// Access comes last, once devices can be marked compliant at all.
var deployOrder = []string{
	"outlook-devices.json", "outlook-apps.json", "outlook-android.json", "compliance.json",
	"custom.json", "email.json", "restrictions.json",
	conditionalAccessFile,
}

// Deployable returns the Intune objects mdmforge apply creates for the
// policy, in the order it creates them: the Outlook app configurations and
// the compliance policy first, then the profile, by the route
// intune.profile chooses (custom: custom.json; native: email.json and
// restrictions.json), and last conditional-access.json when
// intune.conditional_access asks for it. Unlike the bundle, which offers
// both routes to admins who create objects by hand, it never returns both.
//
// It takes the options, and returns the warnings, of Objects, but only for
// the objects it returns. The native route is refused, with the reasons as
// errors, when the policy has payloads or Intune's email profile cannot
// express its exchange block (the reasons Objects leaves email.json out
// for). Like Objects, it does not validate otherwise: call
// profiles.Validate first.
//
// The Conditional Access body names its groups as the policy does; pass
// it through ResolveGroups before sending it.
func Deployable(p *profiles.Policy, opts profiles.Options) ([]Object, profiles.Diagnostics, error) {
	native := p.IntuneProfile() == profiles.IntuneProfileNative
	if native && len(p.Payloads) > 0 {
		d := policy{p}.errorf("intune.profile", "native: Intune's email profile and device restrictions cannot carry payloads, only a custom profile can; write profile: custom, or remove payloads")
		return nil, profiles.Diagnostics{d}, fmt.Errorf("%s: %s", p.Profile.Name, d.Message)
	}
	files, warnings, skips, err := buildSome(policy{p}, opts, func(file string) bool {
		switch file {
		case "custom.json":
			return !native
		case "email.json", "restrictions.json":
			return native
		}
		return true
	})
	if err != nil {
		return nil, nil, err
	}
	if why := skips["email.json"]; native && len(why) > 0 {
		ds := profiles.Diagnostics{policy{p}.errorf("intune.profile", "native: Intune's email profile cannot express the exchange block as the policy writes it; write profile: custom (the .mobileconfig carries any value), or change the settings below")}
		for _, d := range why {
			d.Severity = profiles.Error
			d.Message = strings.TrimSuffix(d.Message, "; email.json not written")
			ds = append(ds, d)
		}
		return nil, ds, fmt.Errorf("%s: intune.profile native: %d settings Intune's email profile cannot express", p.Profile.Name, len(why))
	}
	objs := make([]Object, 0, len(files))
	for _, name := range deployOrder {
		for _, f := range files {
			if f.name == name {
				objs = append(objs, f.object(p))
			}
		}
	}
	return objs, warnings, nil
}

func (p policy) errorf(path, format string, args ...any) profiles.Diagnostic {
	return profiles.Diagnostic{Severity: profiles.Error, Path: path, Pos: p.Pos(path), Message: fmt.Sprintf(format, args...)}
}
