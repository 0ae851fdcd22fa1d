package profiles

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/internal/suggest"
)

// Target is an MDM whose delivery-time variable syntax the output uses.
type Target string

// Intune writes variables as Intune tokens such as {{mail}}.
const Intune Target = "intune"

// Variable is a neutral variable a policy may use as ${name}, and how each
// target MDM writes it. This table is the only place that knows MDM syntax.
type Variable struct {
	Name   string            // e.g. user.email
	Sample string            // a plausible value, used to check formats such as email addresses
	Syntax map[Target]string // the target's spelling; a missing target lacks the variable
}

// Variables lists every neutral variable. Intune's tokens are lower case
// because Intune matches them case-sensitively and only documents them so.
var Variables = []Variable{
	{Name: "user.email", Sample: "user@example.com", Syntax: map[Target]string{Intune: "{{mail}}"}},
	{Name: "user.upn", Sample: "user@example.com", Syntax: map[Target]string{Intune: "{{userprincipalname}}"}},
	{Name: "user.name", Sample: "Example User", Syntax: map[Target]string{Intune: "{{username}}"}},
	{Name: "user.shortname", Sample: "user", Syntax: map[Target]string{Intune: "{{partialupn}}"}},
	{Name: "user.id", Sample: "00000000-0000-0000-0000-000000000000", Syntax: map[Target]string{Intune: "{{userid}}"}},
	{Name: "device.id", Sample: "00000000-0000-0000-0000-000000000000", Syntax: map[Target]string{Intune: "{{deviceid}}"}},
	{Name: "device.serial", Sample: "F2LX00000000", Syntax: map[Target]string{Intune: "{{serialnumber}}"}},
	{Name: "device.udid", Sample: "00008030-000000000000002E", Syntax: map[Target]string{}},
	{Name: "tenant.id", Sample: "00000000-0000-0000-0000-000000000000", Syntax: map[Target]string{Intune: "{{accountid}}"}},
}

func lookupVariable(name string) (Variable, bool) {
	for _, v := range Variables {
		if v.Name == name {
			return v, true
		}
	}
	return Variable{}, false
}

func variableNames() []string {
	names := make([]string, len(Variables))
	for i, v := range Variables {
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
			return "", fmt.Errorf("${%s} has no equivalent in %s", v.Name, target)
		}
		return syn, nil
	})
	if verr != nil {
		return "", fmt.Errorf("%s", verr.Msg)
	}
	return out, nil
}

// sample writes s with every variable replaced by a plausible value, so
// formats can be checked before any MDM fills the real one in. ok is false
// when s has a bad reference, which is reported on its own.
func sample(s string) (out string, ok bool) {
	out, verr := expand(s, func(v Variable) (string, error) { return v.Sample, nil })
	return out, verr == nil
}
