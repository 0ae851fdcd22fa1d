package profiles

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mdmforge/mdmforge/profiles/schema"
)

// Validate applies every rule to the policies and returns all findings,
// including those that span files (two policies with one name or
// identifier). Decode findings are not repeated here.
func Validate(policies ...*Policy) Diagnostics {
	var ds Diagnostics
	names := map[string]*Policy{}
	ids := map[string]*Policy{}
	for _, p := range policies {
		if p == nil {
			continue
		}
		ds = append(ds, p.Validate()...)
		// Names are compared without case: macOS and Windows file systems
		// would write both policies to one file.
		if n := strings.ToLower(p.Profile.Name); n != "" {
			if first, dup := names[n]; dup {
				ds = append(ds, p.errorf("profile.name", "%q is also the name of %s; outputs would overwrite each other", p.Profile.Name, first.at("profile.name")))
			} else {
				names[n] = p
			}
		}
		if id := p.Profile.Identifier; id != "" {
			if first, dup := ids[id]; dup {
				ds = append(ds, p.errorf("profile.identifier", "%q is also the identifier of %s; devices would replace one profile with the other", id, first.at("profile.identifier")))
			} else {
				ids[id] = p
			}
		}
	}
	ds.Sort()
	return ds
}

// at finds the position of path, or of the nearest enclosing setting that
// has one, so a missing setting is reported where it belongs.
func (p *Policy) at(path string) Pos {
	for {
		if pos, ok := p.pos[path]; ok {
			return pos
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			if pos, ok := p.pos[""]; ok {
				return pos
			}
			return Pos{File: p.File}
		}
		path = path[:i]
	}
}

func (p *Policy) has(path string) bool { _, ok := p.pos[path]; return ok }

func (p *Policy) errorf(path, format string, args ...any) Diagnostic {
	return Diagnostic{Severity: Error, Path: path, Pos: p.at(path), Message: fmt.Sprintf(format, args...)}
}

func (p *Policy) warnf(path, format string, args ...any) Diagnostic {
	return Diagnostic{Severity: Warning, Path: path, Pos: p.at(path), Message: fmt.Sprintf(format, args...)}
}

// Validate applies the rules for one policy.
func (p *Policy) Validate() Diagnostics {
	v := &validation{p: p}
	v.profile()
	v.variables()
	if e := p.Exchange; e != nil {
		v.exchange(e)
	}
	if r := p.Restrictions; r != nil {
		v.restrictions(r)
	}
	if o := p.Outlook; o != nil {
		v.outlook(o)
	}
	v.payloads()
	if a := p.Assignments; a != nil {
		v.assignments(a)
	}
	if in := p.Intune; in != nil {
		v.intune(in)
	}
	v.identifiers()
	v.schema()
	if p.Exchange == nil && p.Restrictions == nil && p.Outlook == nil && len(p.Payloads) == 0 {
		v.add(p.errorf("", "the policy produces nothing: add exchange, restrictions, outlook or payloads"))
	}
	v.ds.Sort()
	return v.ds
}

type validation struct {
	p  *Policy
	ds Diagnostics
}

func (v *validation) add(d Diagnostic) { v.ds = append(v.ds, d) }

func (v *validation) profile() {
	p := v.p
	switch {
	case !p.has("version"):
		v.add(p.errorf("version", "missing; write version: %d", FormatVersion))
	case p.Version != FormatVersion:
		v.add(p.errorf("version", "this mdmforge reads policy format %d, not %d", FormatVersion, p.Version))
	}
	info := p.Profile
	switch {
	case !p.has("profile"):
		v.add(p.errorf("profile", "missing; a policy needs profile.name and profile.identifier"))
		return
	case info.Name == "":
		v.add(p.errorf("profile.name", "missing; it names the output files"))
	case !safeName.MatchString(info.Name) || len(info.Name) > 100:
		v.add(p.errorf("profile.name", "%q is not a safe file name: use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100", info.Name))
	case ValidFileName(info.Name) != nil:
		v.add(p.errorf("profile.name", "%q %v; choose another name, such as %s", info.Name, ValidFileName(info.Name), renameHint(info.Name)))
	case strings.HasSuffix(strings.ToLower(info.Name), ".signed"):
		v.add(p.errorf("profile.name", "%q ends in .signed, which names the signed copy of another profile; choose another name", info.Name))
	}
	switch {
	case info.Identifier == "":
		v.add(p.errorf("profile.identifier", "missing; write a reverse-DNS identifier such as com.example.contacts"))
	case !reverseDNS.MatchString(info.Identifier) && !strings.Contains(info.Identifier, "${") && !info.Imported:
		// Devices take any identifier, and an imported one must stay as it
		// is: changing it installs a second profile.
		v.add(p.warnf("profile.identifier", "%q is not a reverse-DNS identifier such as com.example.contacts; devices accept it, but choose one before the profile is deployed", info.Identifier))
	}
	if info.MinIOS != "" && !osVersion.MatchString(info.MinIOS) {
		v.add(p.errorf("profile.min_ios", "%q is not an iOS version such as 13.0", info.MinIOS))
	}
	if p.Target != "" {
		if _, err := ParseTarget(p.Target); err != nil {
			v.add(p.errorf("target", "%v", err))
		}
	}
	if _, _, ds := p.topKeys(); len(ds) > 0 {
		v.ds = append(v.ds, ds...)
	}
	if info.Platform != "" && !slices.Contains(platforms, info.Platform) {
		v.add(p.errorf("profile.platform", "%q is not a platform; choose %s%s", info.Platform, orList(platforms), didYouMean(info.Platform, platforms)))
	}
	if info.Install != "" && info.Install != "mdm" && info.Install != "manual" {
		v.add(p.errorf("profile.install", "%q: choose mdm (the profile is uploaded to an MDM) or manual (users install it)", info.Install))
	}
	if r := info.Removal; r != nil {
		if r.Date != "" {
			if _, err := parseDate(r.Date); err != nil {
				v.add(p.errorf("profile.removal.date", "%q is not a date such as 2027-06-30 or 2027-06-30T18:00:00Z", r.Date))
			}
		}
		if r.After != "" {
			if _, err := parseDuration(r.After); err != nil {
				v.add(p.errorf("profile.removal.after", "%q is not a duration such as 90d, 36h, 45m or 30s, of at most 100 years", r.After))
			}
		}
	}
}

// variables checks every ${…} reference in every string the policy sets.
func (v *validation) variables() {
	v.p.eachString(func(path string, pos Pos, s string, offsets bool) {
		if _, verr := expand(s, func(Variable) (string, error) { return "", nil }); verr != nil {
			if offsets {
				pos.Column += utf8.RuneCountInString(s[:verr.Off])
			}
			v.add(Diagnostic{Severity: Error, Path: path, Pos: pos, Message: verr.Msg})
		}
	})
	// Identity settings must not vary by user: devices match profiles and
	// payloads by them.
	for _, s := range v.p.strings {
		if !strings.Contains(*s.val, "${") {
			continue
		}
		switch {
		case s.path == "profile.identifier", s.path == "profile.name", s.path == "profile.uuid", s.path == "exchange.certificate",
			strings.HasPrefix(s.path, "payloads[") && (strings.HasSuffix(s.path, "].identifier") || strings.HasSuffix(s.path, "].uuid") || strings.HasSuffix(s.path, "].name")):
			v.add(Diagnostic{Severity: Error, Path: s.path, Pos: s.pos, Message: "cannot use variables: it must be the same for every user and device"})
		}
	}
}

func (v *validation) payloads() {
	p := v.p
	names := map[string]int{}
	for i, pl := range p.Payloads {
		base := fmt.Sprintf("payloads[%d]", i)
		switch {
		case pl.Name == "":
			v.add(p.errorf(base+".name", "missing; payloads are referred to and identified by name"))
		case !safeName.MatchString(pl.Name) || strings.Contains(pl.Name, "."):
			v.add(p.errorf(base+".name", "%q: use letters, digits, '_' and '-' only", pl.Name))
		case pl.Name == "exchange" || pl.Name == "restrictions":
			v.add(p.errorf(base+".name", "%q is used by the built-in block of that name; choose another", pl.Name))
		default:
			if j, dup := names[pl.Name]; dup {
				v.add(p.errorf(base+".name", "%q is also the name of payloads[%d]", pl.Name, j))
			}
			names[pl.Name] = i
		}
		if pl.Identifier != "" && !strings.Contains(pl.Identifier, "${") && !reverseDNS.MatchString(pl.Identifier) && !p.Profile.Imported {
			v.add(p.warnf(base+".identifier", "%q is not a reverse-DNS identifier such as com.example.contacts.wifi; devices accept it, but choose one before the profile is deployed", pl.Identifier))
		}
		switch {
		case pl.Type == "":
			v.add(p.errorf(base+".type", "missing; write Apple's PayloadType, e.g. com.apple.security.scep"))
		case pl.Type == "Configuration":
			v.add(p.errorf(base+".type", "Configuration is the profile itself, not a payload"))
		case !reverseDNS.MatchString(pl.Type) && !knownPayloadType(pl.Type):
			// Apple's own types include .GlobalPreferences and loginwindow.
			v.add(p.errorf(base+".type", "%q is not a payload type such as com.apple.security.scep", pl.Type))
		}
		if _, _, errs := p.keysDict(&pl.Keys, base+".keys"); len(errs) > 0 {
			v.ds = append(v.ds, errs...)
		}
	}
}

// identifiers checks that the profile and its payloads have identifiers and
// UUIDs of their own, overrides included: Apple requires them unique within a
// profile, and a UUID derived from a duplicate identifier would repeat too.
func (v *validation) identifiers() {
	p := v.p
	id := p.Profile.Identifier
	if id == "" {
		return
	}
	type owner struct{ path, what string }
	ids := map[string]owner{strings.ToLower(id): {"profile.identifier", "the profile"}}
	uuids := map[string]owner{strings.ToUpper(firstNonEmpty(p.Profile.UUID, PayloadUUID(id))): {"profile.uuid", "the profile"}}
	claimUUID := func(path, what, uuid string) {
		if first, dup := uuids[strings.ToUpper(uuid)]; dup {
			v.add(p.errorf(path, "%s has the PayloadUUID %s, as %s has (%s)", what, uuid, first.what, p.at(first.path)))
		} else {
			uuids[strings.ToUpper(uuid)] = owner{path, what}
		}
	}
	claim := func(path, what, ident, uuid string) {
		if first, dup := ids[strings.ToLower(ident)]; dup {
			v.add(p.errorf(path, "%s has the identifier %q, as %s has (%s); identifiers must be unique within a profile", what, ident, first.what, p.at(first.path)))
		} else {
			ids[strings.ToLower(ident)] = owner{path, what}
		}
		claimUUID(path, what, uuid)
	}
	for _, b := range []struct {
		set  bool
		name string
	}{{p.Exchange != nil, "exchange"}, {p.Restrictions != nil, "restrictions"}} {
		if b.set {
			claim(b.name, "the "+b.name+" block", id+"."+b.name, PayloadUUID(id+"."+b.name))
		}
	}
	names := map[string]bool{}
	for i := range p.Payloads {
		pl := &p.Payloads[i]
		if pl.Name == "" || names[pl.Name] {
			continue // reported as a missing or repeated name
		}
		names[pl.Name] = true
		path := fmt.Sprintf("payloads[%d].name", i)
		if pl.Identifier != "" {
			path = fmt.Sprintf("payloads[%d].identifier", i)
		}
		if p.Profile.Imported && p.payloadIdentifier(pl) == id {
			// Jamf Pro gives payloads the profile's identifier, and devices
			// install such profiles; only the UUID must then be unique.
			claimUUID(path, fmt.Sprintf("payloads[%d] (%s)", i, pl.Name), p.payloadUUID(pl))
			continue
		}
		claim(path, fmt.Sprintf("payloads[%d] (%s)", i, pl.Name), p.payloadIdentifier(pl), p.payloadUUID(pl))
	}
}

func knownPayloadType(t string) bool {
	_, ok := schema.Lookup(t)
	return ok
}

func (p *Policy) payload(name string) *Payload {
	for i := range p.Payloads {
		if p.Payloads[i].Name == name {
			return &p.Payloads[i]
		}
	}
	return nil
}

func (p *Policy) payloadNames() []string {
	var names []string
	for _, pl := range p.Payloads {
		names = append(names, pl.Name)
	}
	return names
}
