package profiles

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/mdmforge/mdmforge/internal/suggest"
)

// PolicySetting describes one setting of the policy format, for people: what
// mdmforge explain prints. It is derived from the Policy type, which the
// decoder reads, and from the descriptions, enumerations and patterns the
// JSON Schema carries, so the three cannot disagree.
type PolicySetting struct {
	Path        string   `json:"setting"` // exchange.sync; payloads[].name for the entries of a list
	Type        string   `json:"type"`    // in an author's words: text, true or false, list of text, …
	Required    bool     `json:"required"`
	Allowed     []string `json:"allowed,omitempty"`
	Pattern     string   `json:"pattern,omitempty"` // a regular expression the value must match
	Default     string   `json:"default,omitempty"`
	CompilesTo  string   `json:"compiles_to,omitempty"` // the Apple or Microsoft key it sets, and where
	Description string   `json:"description"`
	Settings    []string `json:"settings,omitempty"` // a block's own settings
}

// PolicySettings lists every setting of the policy format, in the order
// docs/policy.md and the Policy type give them.
func PolicySettings() []PolicySetting {
	var out []PolicySetting
	var walk func(t reflect.Type, path string, required bool)
	walk = func(t reflect.Type, path string, required bool) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		s := describeSetting(t, path, required)
		if path != "" {
			out = append(out, s)
		}
		switch {
		case t == nodeType:
		case t.Kind() == reflect.Struct:
			req := policyProps[path].required
			for _, f := range reflect.VisibleFields(t) {
				name := f.Tag.Get("yaml")
				if !f.IsExported() || name == "" || name == "-" {
					continue
				}
				walk(f.Type, join(path, name), contains(req, name))
			}
		case t.Kind() == reflect.Slice && elem(t).Kind() == reflect.Struct:
			walk(t.Elem(), path+"[]", false)
		}
	}
	walk(reflect.TypeFor[Policy](), "", false)
	// A list's entries are described with their list, unless they are blocks.
	kept := out[:0]
	for _, s := range out {
		if strings.HasSuffix(s.Path, "[]") && !strings.HasPrefix(s.Type, "block") {
			continue
		}
		kept = append(kept, s)
	}
	return kept
}

// LookupSetting returns the setting at path. The entries of a list may be
// written payloads[].name, payloads[0].name or payloads.name.
func LookupSetting(path string) (PolicySetting, bool) {
	want := unindex(path)
	for _, s := range PolicySettings() {
		if s.Path == want || strings.ReplaceAll(s.Path, "[]", "") == want {
			return s, true
		}
	}
	return PolicySetting{}, false
}

// NearestSetting returns the setting path closest to a misspelt one, for a
// "did you mean" suggestion, or "" when none is close.
func NearestSetting(path string) string {
	var paths []string
	for _, s := range PolicySettings() {
		paths = append(paths, s.Path, strings.ReplaceAll(s.Path, "[]", ""))
	}
	return suggest.Closest(path, paths)
}

func elem(t reflect.Type) reflect.Type {
	t = t.Elem()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func describeSetting(t reflect.Type, path string, required bool) PolicySetting {
	prop := policyProps[path]
	s := PolicySetting{Path: path, Required: required, Description: prop.desc, Pattern: prop.pattern, Type: typeWords(t)}
	allowed := prop.enum
	if t.Kind() == reflect.Slice {
		allowed = policyProps[path+"[]"].enum
	}
	if prop.constant != nil {
		allowed = []any{prop.constant}
	}
	for _, a := range allowed {
		s.Allowed = append(s.Allowed, fmt.Sprint(a))
	}
	if m := defaultRE.FindStringSubmatch(prop.desc); m != nil {
		s.Default = strings.TrimSuffix(m[1], ".")
	}
	s.CompilesTo = compilesTo(path, prop.desc)
	if t.Kind() == reflect.Struct && t != nodeType {
		for _, f := range reflect.VisibleFields(t) {
			if name := f.Tag.Get("yaml"); f.IsExported() && name != "" && name != "-" {
				s.Settings = append(s.Settings, name)
			}
		}
	}
	return s
}

// typeWords names a setting's type in the words docs/policy.md uses.
func typeWords(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == nodeType:
		return "mapping of Apple keys"
	case t.Kind() == reflect.String:
		return "text"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() == reflect.Int:
		return "whole number"
	case t.Kind() == reflect.Struct:
		return "block of settings"
	case t.Kind() == reflect.Slice && elem(t).Kind() == reflect.Struct:
		return "list of blocks"
	case t.Kind() == reflect.Slice:
		return "list of " + typeWords(t.Elem())
	}
	return t.String()
}

var (
	// defaultRE finds the default a description states: "Default: true."
	// or "Apple's default: false." up to the end of that sentence.
	defaultRE = regexp.MustCompile(`(?:[Dd]efault|[Aa]pple's default|defaults to):? (.+?)(?:\.\s|\.?$)`)
	// appleKeyRE is the key a description starts with, by the convention
	// of policyProps ("Host: host name…", "PayloadDisplayName. Default…").
	appleKeyRE = regexp.MustCompile(`^(com\.microsoft\.[A-Za-z.<>]+|Enable…UserOverridable|EnableMail … EnableNotes|[A-Z][A-Za-z]+(?: and [A-Z][A-Za-z]+)?)[:;.,( ]`)
	notKeys    = map[string]bool{"The": true, "An": true, "A": true, "Optional": true, "Output": true, "How": true, "When": true, "Other": true, "Reference": true, "Apple's": true, "Outlook": true}
)

// compilesTo says what a setting becomes in the outputs.
func compilesTo(path, desc string) string {
	switch path {
	case "payloads[].name":
		return "the last part of the entry's PayloadIdentifier (default: profile.identifier + \".\" + name)"
	case "version", "target", "profile.min_ios", "profile.platform", "profile.install":
		return "nothing in the outputs; it tells mdmforge how to build and check them"
	case "profile.name":
		return "the output file names (NAME.mobileconfig, …)"
	case "profile":
		return "the profile's top level (Configuration)"
	case "exchange":
		return "a com.apple.eas.account payload"
	case "restrictions":
		return "a com.apple.applicationaccess payload"
	case "outlook":
		return "NAME.outlook.json (Intune Managed Apps) and NAME.outlook.plist (Managed Devices)"
	case "payloads", "payloads[]":
		return "one Apple payload per entry"
	case "assignments", "assignments.include", "assignments.exclude", "assignments.include[]", "assignments.exclude[]":
		return "the assignments of every Intune object mdmforge apply creates; nothing in the files"
	case "intune", "intune.profile":
		return "which Intune objects mdmforge apply creates; nothing in the files"
	case "intune.conditional_access":
		return "a conditionalAccessPolicy (NAME.intune/conditional-access.json) that mdmforge apply creates"
	case "exchange.auth":
		return "OAuth (oauth), or PayloadCertificateUUID (certificate), in com.apple.eas.account"
	case "profile.keys":
		return "those keys at the profile's top level"
	case "payloads[].type":
		return "PayloadType in the entry's payload"
	case "outlook.display_name":
		return "displayName of the Intune app configuration policy"
	case "payloads[].keys":
		return "those keys in the entry's payload"
	}
	if strings.HasPrefix(path, "restrictions.") {
		return strings.TrimPrefix(path, "restrictions.") + " in com.apple.applicationaccess"
	}
	m := appleKeyRE.FindStringSubmatch(desc)
	if m == nil || notKeys[m[1]] {
		return ""
	}
	m[1] = strings.TrimSuffix(m[1], ".")
	switch top, _, _ := strings.Cut(path, "."); top {
	case "exchange":
		return m[1] + " in com.apple.eas.account"
	case "profile":
		return m[1] + " at the profile's top level"
	case "payloads[]":
		return m[1] + " in the entry's payload"
	}
	return m[1]
}
