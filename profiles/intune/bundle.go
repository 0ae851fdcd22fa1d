package intune

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/mdmforge/mdmforge/profiles"
)

// Property names and shapes were checked against Microsoft's Graph
// reference (microsoftgraph/microsoft-graph-docs-contrib,
// api-reference/{beta,v1.0}/resources/intune-*.md) and against requests the
// Intune admin center sends; docs/intune.md says what each file is for.

const graphRoot = "https://graph.microsoft.com/"

// Object is one Intune object of a policy: the Microsoft Graph request body
// that creates it and the collection it is POSTed to.
type Object struct {
	// File names the object's file in the bundle, e.g. email.json.
	File string
	// Kind is File without .json: custom, email, restrictions,
	// outlook-devices, outlook-apps, outlook-android, compliance or
	// conditional-access. A policy has at most one object of each kind,
	// so the policy's identifier and the kind identify the object.
	Kind string
	// Title says what the object is, with its Graph type, e.g. "iOS
	// compliance policy (iosCompliancePolicy)".
	Title string
	// Collection is the Graph collection that creates the object, as a
	// path under the Graph version: deviceManagement/deviceConfigurations.
	Collection string
	// Beta is set when a property of Body exists only in Graph beta, so
	// the object must be created through beta rather than v1.0.
	Beta bool
	// Body is the JSON request body, byte for byte the bundle's file.
	Body []byte
	// Secret is set when Body carries a password or key (custom.json holds
	// the profile, its secrets included), to be stored readable by its
	// owner only.
	Secret bool
}

// Version is the Graph version the object is created through: "beta" or
// "v1.0".
func (o Object) Version() string { return graphVersion(o.Beta) }

func graphVersion(beta bool) string {
	if beta {
		return "beta"
	}
	return "v1.0"
}

// URL is where Body is POSTed to create the object.
func (o Object) URL() string { return graphRoot + o.Version() + "/" + o.Collection }

// bundleFile is one object of the bundle with what its README says of it.
type bundleFile struct {
	name     string
	title    string
	endpoint string // path under the Graph version, e.g. deviceManagement/deviceConfigurations
	beta     bool   // some property exists only in Graph beta
	betaWhy  string
	before   []string // steps before the POST
	after    []string // steps after it
	// portal is the same object clicked together in the Intune admin
	// center, step by step, and portalXML a block of XML to paste there.
	portal    []string
	portalXML string
	data      []byte
	notes     profiles.Diagnostics // warnings about what the file cannot say as the profile does
}

func (f bundleFile) version() string { return graphVersion(f.beta) }

// policy gives the bundle's builders the policy's fields and methods
// under their own names.
type policy struct{ *profiles.Policy }

func (p policy) warnf(path, format string, args ...any) profiles.Diagnostic {
	return profiles.Diagnostic{Severity: profiles.Warning, Path: path, Pos: p.Pos(path), Message: fmt.Sprintf(format, args...)}
}

// Objects returns the Intune objects that deploy the policy, in the order
// they are best created:
//
//   - email.json: the native Exchange email profile (exchange);
//   - custom.json: the .mobileconfig as a custom iOS profile (exchange,
//     restrictions or payloads);
//   - restrictions.json: Intune's device restrictions equivalent of the
//     restrictions block;
//   - outlook-devices.json, outlook-apps.json, outlook-android.json: the
//     Outlook app configurations for iOS managed devices, Intune managed
//     apps and Android Enterprise (outlook);
//   - compliance.json: an iOS compliance policy requiring the iOS version
//     the Exchange account's data-type locks need (exchange).
//
// Variables are written as Intune tokens whatever the policy's target; a
// non-Intune opts.Target is an error. Intune's email profile takes no
// tokens, so an exchange email or username must be exactly ${user.email}
// or ${user.upn} (or ${user.shortname} for the username). Like
// profiles.Policy.Build, Objects does not validate: call profiles.Validate
// first.
//
// When Intune's native email profile cannot express the exchange block (a
// composite email address, a password, OAuth URLs), email.json is left out
// and the returned warnings say why; the custom profile carries the
// account in any case.
func Objects(p *profiles.Policy, opts profiles.Options) ([]Object, profiles.Diagnostics, error) {
	files, warnings, err := build(policy{p}, opts)
	if err != nil {
		return nil, nil, err
	}
	objs := make([]Object, len(files))
	for i, f := range files {
		objs[i] = f.object(p)
	}
	return objs, warnings, nil
}

// Check returns the findings Bundle gives for the policy, its error as a
// finding on the policy's file, without keeping the files: what a policy
// meant for Intune is warned of before anything is built.
//
// A native intune.profile that Deployable refuses is reported too, as
// errors: the policy could be built, but not deployed as it asks.
func Check(p *profiles.Policy) profiles.Diagnostics {
	_, warnings, err := Bundle(p, profiles.Options{Target: profiles.Intune})
	if err != nil {
		return append(profiles.Diagnostics{{Severity: profiles.Error, Pos: profiles.Pos{File: p.File}, Message: err.Error()}}, warnings...)
	}
	// Payloads with native are Validate's finding already.
	if p.IntuneProfile() == profiles.IntuneProfileNative && len(p.Payloads) == 0 {
		if _, ds, err := Deployable(p, profiles.Options{Target: profiles.Intune}); err != nil {
			// The reasons email.json is left out are now errors: keep
			// each finding once.
			refused := map[string]bool{}
			for _, d := range ds {
				refused[d.Path] = true
			}
			kept := ds
			for _, w := range warnings {
				if !(refused[w.Path] && strings.HasSuffix(w.Message, "; email.json not written")) {
					kept = append(kept, w)
				}
			}
			warnings = kept
		}
	}
	return warnings
}

// Bundle returns the files of the policy's NAME.intune folder: the body of
// each of its Objects, named by Object.File, and a README.md saying, for
// each, how to create it in the Intune admin center or with Graph and what
// to do next. It takes the options, and returns the warnings, of Objects.
func Bundle(p *profiles.Policy, opts profiles.Options) ([]profiles.Output, profiles.Diagnostics, error) {
	files, warnings, err := build(policy{p}, opts)
	if err != nil {
		return nil, nil, err
	}
	if len(files) == 0 {
		return nil, warnings, nil
	}
	outs := make([]profiles.Output, 0, len(files)+1)
	for _, f := range files {
		o := f.object(p)
		outs = append(outs, profiles.Output{Name: o.File, Data: o.Body, Secret: o.Secret})
	}
	readme, err := policy{p}.readme(files)
	if err != nil {
		return nil, nil, err
	}
	return append(outs, profiles.Output{Name: "README.md", Data: readme}), warnings, nil
}

func (f bundleFile) object(p *profiles.Policy) Object {
	return Object{
		File:       f.name,
		Kind:       strings.TrimSuffix(f.name, ".json"),
		Title:      f.title,
		Collection: f.endpoint,
		Beta:       f.beta,
		Body:       f.data,
		Secret:     f.name == "custom.json" && p.HoldsSecret(),
	}
}

// build writes the policy's objects and collects their warnings.
func build(p policy, opts profiles.Options) ([]bundleFile, profiles.Diagnostics, error) {
	files, warnings, _, err := buildSome(p, opts, nil)
	return files, warnings, err
}

// buildSome writes those of the policy's objects whose file want accepts
// (every one for nil), with their warnings, and the reasons each file
// left out of them cannot express the policy, by file name.
func buildSome(p policy, opts profiles.Options, want func(file string) bool) ([]bundleFile, profiles.Diagnostics, map[string]profiles.Diagnostics, error) {
	if opts.Target != "" && opts.Target != profiles.Intune {
		return nil, nil, nil, fmt.Errorf("%s: the Intune bundle writes variables as Intune tokens; it cannot be built for target %s", p.Profile.Name, opts.Target)
	}
	opts.Target = profiles.Intune
	hasProfile := p.Exchange != nil || p.Restrictions != nil || len(p.Payloads) > 0
	steps := []struct {
		file  string
		when  bool
		build func() (bundleFile, error)
	}{
		{"email.json", p.Exchange != nil, p.emailProfile},
		{"custom.json", hasProfile, func() (bundleFile, error) { return p.customProfile(opts) }},
		{"restrictions.json", p.Restrictions != nil, p.deviceRestrictions},
		{"outlook-devices.json", p.Outlook != nil, p.outlookDevices},
		{"outlook-apps.json", p.Outlook != nil, func() (bundleFile, error) { return p.outlookApps(opts) }},
		{"outlook-android.json", p.Outlook != nil, p.outlookAndroid},
		{"compliance.json", p.Exchange != nil, p.compliancePolicy},
		{conditionalAccessFile, p.ConditionalAccess() != profiles.ConditionalAccessOff, p.conditionalAccess},
	}
	var files []bundleFile
	var warnings profiles.Diagnostics
	skips := map[string]profiles.Diagnostics{}
	for _, s := range steps {
		if !s.when || want != nil && !want(s.file) {
			continue
		}
		f, err := s.build()
		var sk *skipped
		if errors.As(err, &sk) {
			warnings = append(warnings, sk.why...)
			skips[s.file] = sk.why
			continue
		}
		if err != nil {
			return nil, nil, nil, err
		}
		warnings = append(warnings, f.notes...)
		files = append(files, f)
	}
	for _, f := range files {
		if !json.Valid(f.data) {
			return nil, nil, nil, fmt.Errorf("%s: intune %s is not valid JSON", p.Profile.Name, f.name)
		}
	}
	return files, warnings, skips, nil
}

// skipped is a file of the bundle that cannot express the policy; the
// rest of the bundle (the custom profile carries everything) is still
// written.
type skipped struct{ why profiles.Diagnostics }

func (s *skipped) Error() string { return s.why.String() }

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

// objectName is the display name of one of the bundle's objects.
func (p policy) objectName(suffix string) (string, error) {
	return profiles.Render(firstNonEmpty(p.Profile.DisplayName, p.Profile.Name)+" – "+suffix, profiles.Intune)
}

// head renders the display name and description every object has.
func (p policy) head(file, suffix string) (name, desc string, err error) {
	if name, err = p.objectName(suffix); err != nil {
		return "", "", fmt.Errorf("%s: intune %s: profile.display_name: %w", p.Profile.Name, file, err)
	}
	if desc, err = profiles.Render(p.Profile.Description, profiles.Intune); err != nil {
		return "", "", fmt.Errorf("%s: intune %s: profile.description: %w", p.Profile.Name, file, err)
	}
	return name, desc, nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
