package profiles

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/internal/propertylist"
)

// Template is a compiled profile whose user variables are filled in per
// user, for builds that write one finished profile for each user (NanoMDM,
// web enrollment portals, profiles handed to users directly). It is
// immutable and safe for concurrent use.
type Template struct {
	name   string
	tree   map[string]any
	vars   []string
	checks []formatCheck
}

// formatCheck is a policy field with a format that validate checks on
// sample values (an email address, a host); a roster's values must pass
// the same check once filled in.
type formatCheck struct {
	path  string // exchange.email
	value string // as the policy writes it: ${user.email}
	ok    func(string) bool
	want  string // "an email address"
}

// formatChecks lists the fields with a format that use variables; the same
// rules as validate's, which checks them with sample values.
func (p *Policy) formatChecks() []formatCheck {
	e := p.Exchange
	if e == nil {
		return nil
	}
	all := []formatCheck{
		{"exchange.host", e.Host, validHost, "a host name or IP address"},
		{"exchange.email", e.Email, validEmail, "an email address"},
	}
	if e.OAuth != nil {
		all = append(all,
			formatCheck{"exchange.oauth.sign_in_url", e.OAuth.SignInURL, validHTTPSURL, "an https:// URL"},
			formatCheck{"exchange.oauth.token_request_url", e.OAuth.TokenRequestURL, validHTTPSURL, "an https:// URL"})
	}
	var checks []formatCheck
	for _, c := range all {
		if len(variablesIn(c.value)) > 0 {
			checks = append(checks, c)
		}
	}
	return checks
}

// Template compiles the policy's profile for per-user rendering. Only
// user.* variables can be filled in from a roster; a device variable is an
// error. The template is rendered with sample values and read back once, so
// a per-user failure can only come from a user's values.
func (p *Policy) Template() (*Template, error) {
	if p.Exchange == nil && p.Restrictions == nil && len(p.Payloads) == 0 {
		return nil, fmt.Errorf("%s: the policy compiles into no profile", p.Profile.Name)
	}
	tree, err := p.rawTree()
	if err != nil {
		return nil, err
	}
	t := &Template{name: p.Profile.Name, tree: tree, checks: p.formatChecks()}
	used := map[string]bool{}
	var bad error
	walkStrings(tree, "", func(rel, s string) {
		expand(s, func(v Variable) (string, error) {
			name, ok := strings.CutPrefix(v.Name, "user.")
			if !ok && bad == nil {
				bad = fmt.Errorf("%s: ${%s} cannot be filled in per user (at %s); a roster fills in user.* variables only", p.Profile.Name, v.Name, rel)
			}
			used[name] = true
			return "", nil
		})
	})
	if bad != nil {
		return nil, bad
	}
	for name := range used {
		t.vars = append(t.vars, name)
	}
	sort.Strings(t.vars)
	sampleTree, err := substitute(tree, func(v Variable) (string, error) { return v.Sample, nil })
	if err != nil {
		return nil, err
	}
	data, err := encodePlist(sampleTree)
	if err == nil {
		err = readBack(data, sampleTree.(map[string]any))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: the profile does not read back: %w", p.Profile.Name, err)
	}
	return t, nil
}

// variables lists the user variables the profile needs, without the "user."
// prefix (email, upn, …), sorted: the roster columns a build needs.
func (t *Template) Variables() []string { return t.vars }

// Render fills in a user's values (keyed as variables names them), encodes
// the profile and reads it back to check it holds exactly those values.
func (t *Template) Render(values map[string]string) ([]byte, error) {
	tree, err := substitute(t.tree, func(v Variable) (string, error) {
		val, ok := values[strings.TrimPrefix(v.Name, "user.")]
		if !ok {
			return "", fmt.Errorf("no value for ${%s}", v.Name)
		}
		return val, nil
	})
	if err != nil {
		return nil, err
	}
	data, err := encodePlist(tree)
	if err != nil {
		return nil, err
	}
	back, err := propertylist.ReadXML(data)
	if err != nil {
		return nil, fmt.Errorf("%s: the profile does not read back: %w", t.name, err)
	}
	if !reflect.DeepEqual(back, tree) {
		return nil, errors.New(t.name + ": the profile does not read back: decoded values differ")
	}
	return data, nil
}

// CheckValues reports the first problem with a user's values, without
// rendering: a missing or empty value the profile needs, a character XML
// cannot carry, or a value that does not make what its field needs (an
// email address, a host, an https URL), as validate would report it in
// the policy. Each message starts with the roster's column names.
func (t *Template) CheckValues(values map[string]string) error {
	for _, name := range t.vars {
		v, ok := values[name]
		if !ok || strings.TrimSpace(v) == "" {
			return fmt.Errorf("no %s (needed for ${user.%s})", name, name)
		}
		if err := propertylist.CheckText(v); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	for _, c := range t.checks {
		var cols []string
		got, verr := expand(c.value, func(v Variable) (string, error) {
			name := strings.TrimPrefix(v.Name, "user.")
			if !slices.Contains(cols, name) {
				cols = append(cols, name)
			}
			return values[name], nil
		})
		if verr != nil || c.ok(got) {
			continue // a bad reference is the policy's error, reported by validate
		}
		if c.value == "${user."+cols[0]+"}" {
			return fmt.Errorf("%s: %q is not %s, which %s needs", cols[0], got, c.want, c.path)
		}
		return fmt.Errorf("%s: %s %q becomes %q, which is not %s", strings.Join(cols, ", "), c.path, c.value, got, c.want)
	}
	return nil
}
