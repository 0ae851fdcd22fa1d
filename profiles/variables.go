package profiles

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/internal/suggest"
)

// Target is an MDM whose delivery-time variable syntax the output uses.
type Target string

// The MDMs mdmforge writes variables for. Generic is an MDM that fills in
// nothing, so a policy built for it may not use variables; NanoMDM is
// such an MDM too (it queues a profile as it was built), named apart so
// that plan and apply can deploy to it and errors can say what it does.
const (
	Intune       Target = "intune"
	Jamf         Target = "jamf"
	WorkspaceOne Target = "workspaceone"
	Kandji       Target = "kandji"
	Fleet        Target = "fleet"
	NanoMDM      Target = "nanomdm"
	Generic      Target = "generic"
)

// targets lists every Target, in the order help and errors show them.
var targets = []Target{Intune, Jamf, WorkspaceOne, Kandji, Fleet, NanoMDM, Generic}

// Variable is a neutral variable a policy may use as ${name}, and how each
// target MDM writes it. This table is the only place that knows MDM syntax
// (sources: docs/policy.md, variables).
type Variable struct {
	Name   string            // e.g. user.email
	Sample string            // a plausible value, used to check formats such as email addresses
	Syntax map[Target]string // the target's spelling; a missing target lacks the variable
}

// variables lists every neutral variable. Intune's tokens are lower case
// because Intune matches them case-sensitively and documents them so,
// except {{DEVICEREGISTRATION}}, which Microsoft documents in upper case
// for Platform SSO's RegistrationToken (an Intune-only value: another MDM
// has its own registration, so other targets lack it);
// Fleet's take the ${…} form so no following text can extend the name.
var variables = []Variable{
	{Name: "user.email", Sample: "user@example.com", Syntax: map[Target]string{
		Intune: "{{mail}}", Jamf: "$EMAIL", WorkspaceOne: "{EmailAddress}", Kandji: "$EMAIL", Fleet: "${FLEET_VAR_HOST_END_USER_IDP_USERNAME}"}},
	{Name: "user.upn", Sample: "user@example.com", Syntax: map[Target]string{
		Intune: "{{userprincipalname}}", Jamf: "$USERNAME", WorkspaceOne: "{UserPrincipalName}", Fleet: "${FLEET_VAR_HOST_END_USER_IDP_USERNAME}"}},
	{Name: "user.name", Sample: "Example User", Syntax: map[Target]string{
		Intune: "{{username}}", Jamf: "$FULLNAME", Kandji: "$FULL_NAME", Fleet: "${FLEET_VAR_HOST_END_USER_IDP_FULL_NAME}"}},
	{Name: "user.shortname", Sample: "user", Syntax: map[Target]string{
		Intune: "{{partialupn}}", WorkspaceOne: "{EnrollmentUser}", Kandji: "$EMAIL_PREFIX", Fleet: "${FLEET_VAR_HOST_END_USER_IDP_USERNAME_LOCAL_PART}"}},
	{Name: "user.id", Sample: "00000000-0000-0000-0000-000000000000", Syntax: map[Target]string{
		Intune: "{{userid}}", WorkspaceOne: "{EnrollmentUserId}"}},
	{Name: "device.id", Sample: "00000000-0000-0000-0000-000000000000", Syntax: map[Target]string{
		Intune: "{{deviceid}}", Jamf: "$JSSID"}},
	{Name: "device.serial", Sample: "F2LX00000000", Syntax: map[Target]string{
		Intune: "{{serialnumber}}", Jamf: "$SERIALNUMBER", WorkspaceOne: "{DeviceSerialNumber}", Kandji: "$SERIAL_NUMBER", Fleet: "${FLEET_VAR_HOST_HARDWARE_SERIAL}"}},
	{Name: "device.udid", Sample: "00008030-000000000000002E", Syntax: map[Target]string{
		Jamf: "$UDID", WorkspaceOne: "{DeviceUid}", Kandji: "$UDID", Fleet: "${FLEET_VAR_HOST_UUID}"}},
	{Name: "device.name", Sample: "Example iPhone", Syntax: map[Target]string{
		Jamf: "$DEVICENAME", Kandji: "$DEVICE_NAME"}},
	{Name: "tenant.id", Sample: "00000000-0000-0000-0000-000000000000", Syntax: map[Target]string{
		Intune: "{{accountid}}"}},
	{Name: "device.registration_token", Sample: "registration-token", Syntax: map[Target]string{
		Intune: "{{DEVICEREGISTRATION}}"}},
}

// Targets lists every Target, in the order help and errors show them.
func Targets() []Target { return append([]Target(nil), targets...) }

// Variables lists every neutral variable and its spelling in each target.
// The result is a copy; changing it changes nothing here.
func Variables() []Variable {
	out := make([]Variable, len(variables))
	for i, v := range variables {
		out[i] = v
		out[i].Syntax = make(map[Target]string, len(v.Syntax))
		for t, s := range v.Syntax {
			out[i].Syntax[t] = s
		}
	}
	return out
}

// ParseTarget returns the Target named s.
func ParseTarget(s string) (Target, error) {
	for _, t := range targets {
		if string(t) == s {
			return t, nil
		}
	}
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = string(t)
	}
	return "", fmt.Errorf("%q is not a target; choose %s%s", s, orList(names), didYouMean(s, names))
}

// targetLacks explains that target has no spelling for v.
func targetLacks(v Variable, target Target) error {
	if target == Generic {
		return fmt.Errorf("${%s} cannot be used for target generic, which fills in no variables; choose the MDM with --target or target:, or build one profile per user with --roster", v.Name)
	}
	if target == NanoMDM {
		return fmt.Errorf("${%s} cannot be used for target nanomdm, which queues each profile as it was built and fills in no variables; build one profile per user with --roster (its enrollment_id column names each user's enrollments)", v.Name)
	}
	var has []string
	for _, w := range variables {
		if _, ok := w.Syntax[target]; ok {
			has = append(has, "${"+w.Name+"}")
		}
	}
	return fmt.Errorf("${%s} has no equivalent in %s (it has %s)", v.Name, target, strings.Join(has, ", "))
}

func lookupVariable(name string) (Variable, bool) {
	for _, v := range variables {
		if v.Name == name {
			return v, true
		}
	}
	return Variable{}, false
}

func variableNames() []string {
	names := make([]string, len(variables))
	for i, v := range variables {
		names[i] = v.Name
	}
	sort.Strings(names)
	return names
}

// varError is a bad variable reference at byte offset Off of its string.
type varError struct {
	Off int
	Msg string
}

// expand rewrites every ${name} in s with replace(name). "$${" stands for a
// literal "${"; a '$' not followed by '{' is left alone. The first bad
// reference stops expansion and is returned.
func expand(s string, replace func(Variable) (string, error)) (string, *varError) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			b.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", &varError{i, `"${" is not closed by "}" (write "$${" for a literal "${")`}
			}
			name := s[i+2 : i+end]
			v, ok := lookupVariable(name)
			if !ok {
				msg := fmt.Sprintf("unknown variable ${%s}", name)
				if sug := suggest.Closest(name, variableNames()); sug != "" {
					msg += fmt.Sprintf("; did you mean ${%s}?", sug)
				} else {
					msg += " (known: " + strings.Join(variableNames(), ", ") + ")"
				}
				return "", &varError{i, msg}
			}
			out, err := replace(v)
			if err != nil {
				return "", &varError{i, err.Error()}
			}
			b.WriteString(out)
			i += end + 1
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), nil
}

// render writes s with every variable in target's syntax.
func render(s string, target Target) (string, error) {
	out, verr := expand(s, func(v Variable) (string, error) {
		syn, ok := v.Syntax[target]
		if !ok {
			return "", targetLacks(v, target)
		}
		return syn, nil
	})
	if verr != nil {
		return "", fmt.Errorf("%s", verr.Msg)
	}
	return out, nil
}

// Render writes s with every ${…} variable in target's spelling, and $${
// as a literal ${: what every output for that MDM holds. It fails on a
// variable the target lacks or a bad reference.
func Render(s string, target Target) (string, error) { return render(s, target) }

// VariablesIn lists, by name, the variables s refers to, up to its first
// bad reference (which Validate reports).
func VariablesIn(s string) []string { return variablesIn(s) }

// sample writes s with every variable replaced by a plausible value, so
// formats can be checked before any MDM fills the real one in. ok is false
// when s has a bad reference, which is reported on its own.
func sample(s string) (out string, ok bool) {
	out, verr := expand(s, func(v Variable) (string, error) { return v.Sample, nil })
	return out, verr == nil
}
