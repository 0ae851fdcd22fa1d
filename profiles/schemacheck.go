package profiles

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/mdmforge/mdmforge/profiles/schema"
)

// Platforms a policy may target, as Apple's schema names them.
var platforms = []string{"iOS", "macOS", "tvOS", "visionOS", "watchOS"}

// managedKeys are set by mdmforge itself, never by the author.
var managedKeys = map[string]bool{
	"PayloadType": true, "PayloadVersion": true, "PayloadIdentifier": true,
	"PayloadUUID": true, "PayloadDisplayName": true,
}

// site says where a payload came from, so schema findings about its keys
// are reported where the author wrote them: a policy setting, or a key of
// a .mobileconfig.
type site struct {
	typePath string                         // where the payload type is written
	typePos  Pos                            // and its position
	locate   func(rel string) (string, Pos) // a key path inside the payload → path and position
	// quiet lists keys whose version warnings a more specific rule gives.
	quiet map[string]bool
}

// Devices describes the devices a profile is for, which decides the
// version, supervision and install-channel findings.
type Devices struct {
	// Platform is iOS, macOS, tvOS, visionOS or watchOS. Empty means
	// Lint infers it from the profile (InferPlatform); a policy without
	// profile.platform is checked as iOS.
	Platform string
	MinIOS   string // oldest iOS the profile is for; empty skips version findings
	Manual   bool   // installed by hand rather than by MDM
	// Supervised says every device is supervised, so supervised-only
	// settings take effect and are not warned about.
	Supervised bool
}

// schemaCheck checks payloads against Apple's published schema.
type schemaCheck struct {
	ds          *Diagnostics
	payloadType string // of the payload being checked, for secret keys
	platform    schema.Platform
	minOS       string // compared only for iOS, where min_ios applies
	manual      bool   // the profile is meant to be installed by hand
	supervised  bool   // every device is supervised
	seen        map[string]int
	// profile says an existing profile is checked (lint), not a policy:
	// findings suggest fixes in plist terms.
	profile bool
	// inside lists the payload types of the profile being checked, so a
	// payload key written at the top level can be sent where it belongs.
	inside []string
	// noted holds the preference domains already given their note.
	noted map[string]bool
	// newer collects the keys of the payload being checked that only
	// ProfileManifests knows, for one note naming them; inNewer is set
	// while the value of one is checked.
	newer   []string
	inNewer bool
	// domain is the preference domain whose settings are being checked.
	domain *schema.Payload
}

func newSchemaCheck(t Devices, ds *Diagnostics) *schemaCheck {
	c := &schemaCheck{ds: ds, platform: schema.IOS, manual: t.Manual, supervised: t.Supervised, seen: map[string]int{}, noted: map[string]bool{}}
	if t.Platform != "" {
		c.platform = schema.Platform(t.Platform)
	}
	if c.platform == schema.IOS && osVersion.MatchString(t.MinIOS) {
		c.minOS = t.MinIOS
	}
	return c
}

func (c *schemaCheck) add(sev Severity, path string, pos Pos, format string, args ...any) {
	*c.ds = append(*c.ds, Diagnostic{Severity: sev, Path: path, Pos: pos, Message: fmt.Sprintf(format, args...)})
}

// payload checks one payload dictionary. Unknown types, keys, types of
// values, allowed values, ranges, formats and required keys are errors;
// version, supervision and install-channel mismatches are warnings.
func (c *schemaCheck) payload(m map[string]any, s site) {
	pt, _ := m["PayloadType"].(string)
	c.payloadType = pt
	typePos := s.typePos
	if _, set := m["PayloadType"]; c.profile && (!set || pt == "") {
		return // housekeeping reports it; no schema applies to the keys
	}
	// Apple's schema, and ProfileManifests' facts where Apple is silent:
	// keys newer than Apple's copy, and preference domains.
	ps, ok := schema.Facts(pt)
	if (!ok || ps.Kind.IsPreferenceDomain()) && c.preferenceDomain(pt, m, s, ok) {
		return
	}
	if !ok || pt == "Configuration" {
		c.add(Error, s.typePath, typePos, "%q is not a payload type in Apple's schema%s", pt, didYouMean(pt, schema.Types()))
		return
	}
	sup := ps.Platforms[c.platform]
	if sup == nil {
		c.add(Error, s.typePath, typePos, "%s is not available on %s (%s)", pt, c.platform, supportedOn(ps.Platforms))
		return
	}
	c.seen[pt]++
	if c.seen[pt] == 2 && !sup.Multiple {
		c.add(Error, s.typePath, typePos, "a profile may hold only one %s payload", pt)
	}
	c.support(sup, nil, s.typePath, typePos, pt)
	c.newer = c.newer[:0]
	c.dict(m, s, "", ps.Key, ps.Keys, keyNames(ps.Keys), true, sup, false)
	if len(c.newer) > 0 {
		c.add(Note, s.typePath, typePos, "%s %s not in Apple's schema copy (%s); checked against ProfileManifests' facts, where mistakes are warnings",
			strings.Join(c.newer, ", "), isAre(len(c.newer)), appleCopy())
	}
	switch pt {
	case tccPayload:
		c.tcc(m, s)
	case mcxPayload:
		c.mcxDomains(m, s)
	}
}

// dict checks the keys of a dictionary whose schema lookup is given. An
// open dictionary (a vendor's, such as VendorConfig) may hold keys the
// schema does not list: those it does list are checked, the others are the
// vendor's business.
func (c *schemaCheck) dict(m map[string]any, s site, rel string, lookup func(string) (*schema.Key, bool), known []*schema.Key, names []string, top bool, parent *schema.Support, open bool) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if top && managedKeys[k] {
			continue
		}
		kr := subPath(rel, k)
		ks, ok := lookup(k)
		if !ok && !top && placeholder(known) != nil {
			// Apple describes dictionaries of free-form names through one
			// placeholder subkey (ConsentText → ConsentTextItem → ANY,
			// UserPrinterList → Printer): every entry is an instance of it.
			ks, ok = placeholder(known), true
		}
		if !ok && top {
			ks, ok = deviceKeys[k]
		}
		if !ok {
			ks, ok = undocumented[c.payloadType+" "+rel+" "+k]
		}
		if !ok {
			ks, ok = c.mcxKey(k, lookup)
		}
		if !ok && open {
			// The vendor's or the application's key: only a near miss of
			// one Apple lists is worth a word.
			if hint := didYouMean(k, names); hint != "" {
				path, pos := s.locate(kr)
				c.add(Warning, path, pos, "%s is not a key %s lists in %s%s", k, c.lister(), c.where(rel), hint)
			}
			continue
		}
		if !ok {
			path, pos := s.locate(kr)
			c.add(Error, path, pos, "%s", c.unknownKey(k, rel, top, names))
			continue
		}
		m[k] = c.value(ks, m[k], s, kr, parent)
	}
	for _, ks := range known {
		if _, set := m[ks.Name]; ks.Required && ks.Origin != schema.OriginProfileManifests && !set && !open && !ks.IsWildcard() && !(top && managedKeys[ks.Name]) && (top || placeholder(known) == nil) {
			alt := c.alternative(ks.Name)
			if _, altSet := m[alt]; alt != "" && altSet {
				continue
			}
			path, pos := s.locate(rel)
			name := subPath(rel, ks.Name)
			if alt != "" {
				name += " (or " + alt + ")"
			}
			if why := softRequired[c.payloadType+" "+name]; why != "" {
				c.add(Warning, path, pos, "missing %s, which Apple's schema requires; %s", name, why)
				continue
			}
			c.add(Error, path, pos, "missing %s, which Apple's schema requires", name)
		}
	}
}

// unknownKey words the finding about a key no schema knows here, sending
// a key written at the wrong level to the level it belongs to.
func (c *schemaCheck) unknownKey(k, rel string, top bool, names []string) string {
	switch {
	case top && rel == "" && c.payloadType == "Configuration":
		for _, t := range c.inside {
			if payloadHasKey(t, k) {
				return fmt.Sprintf("%s is a key of the %s payload, not of the profile's top level; move it into that payload's dictionary in PayloadContent", k, t)
			}
		}
		if c.profile {
			// No payload of the profile has it: name the payload types
			// that do, so the author sees what was meant.
			var in []string
			for _, t := range schema.Types() {
				if payloadHasKey(t, k) {
					in = append(in, t)
				}
			}
			if len(in) > 0 && len(in) <= 3 {
				return fmt.Sprintf("%s is a key of %s payloads, not of the profile's top level; it belongs in such a payload in PayloadContent", k, orList(in))
			}
		}
	case top && rel == "" && topOnly(k):
		return fmt.Sprintf("%s is a key of the profile's top level, not of a payload; Apple's schema defines it only there: move it out of PayloadContent", k)
	}
	where := c.where(rel)
	if rel == "" && c.profile && c.domain == nil && c.payloadType != "Configuration" {
		// In a profile the path says only PayloadContent[0]: name the type.
		where = "the " + c.payloadType + " payload"
	}
	hint := didYouMean(k, names)
	if rel == "" && hint == "" && c.payloadType != "Configuration" {
		if in := payloadsWithKey(k, c.payloadType); len(in) > 0 && len(in) <= 3 {
			hint = "; it is a key of " + orList(in) + ": move it into such a payload, if that is what was meant"
		}
	}
	return fmt.Sprintf("%s is not a key of %s in Apple's schema%s", k, where, hint)
}

// payloadsWithKey lists the payload types other than except that have a
// key named k of their own, per Apple's schema or ProfileManifests' facts,
// the latter marked.
func payloadsWithKey(k, except string) []string {
	if _, common := commonKey(k); common {
		return nil
	}
	var in []string
	for _, t := range schema.FactTypes() {
		if t == except || t == "Configuration" {
			continue
		}
		p, ok := schema.Facts(t)
		if !ok || p.Kind.IsPreferenceDomain() {
			continue
		}
		ks, ok := p.Key(k)
		if !ok || ks.IsWildcard() {
			continue
		}
		if ks.Origin == schema.OriginProfileManifests {
			t += " (per ProfileManifests)"
		}
		in = append(in, t)
	}
	return in
}

// placeholder returns the schema of entries with free-form names in a
// dictionary Apple describes through one placeholder subkey, or nil. When
// the placeholder itself only holds an ANY key (ConsentTextItem), that is
// the entries' schema; otherwise the placeholder is (Printer).
func placeholder(known []*schema.Key) *schema.Key {
	if len(known) != 1 || known[0].Type != schema.Dictionary || known[0].IsWildcard() {
		return nil
	}
	if p := known[0]; len(p.Keys) == 1 && p.Keys[0].IsWildcard() {
		return p.Keys[0]
	}
	return known[0]
}

func (c *schemaCheck) where(rel string) string {
	if rel == "" && c.domain != nil {
		return "the settings of " + c.domain.Type
	}
	if rel == "" && c.payloadType == "Configuration" {
		return "the profile's top level"
	}
	if rel == "" {
		return "the payload"
	}
	return rel
}

// value checks one value and returns it, converted where the schema's type
// is unambiguous (a whole number given for a real).
func (c *schemaCheck) value(ks *schema.Key, v any, s site, rel string, parent *schema.Support) any {
	path, pos := s.locate(rel)
	sup := ks.Platforms[c.platform]
	switch {
	case s.quiet[rel]:
	case sup == nil && parent != nil:
		c.add(Warning, path, pos, "%s is not supported on %s (%s); devices ignore it", rel, c.platform, supportedOn(ks.Platforms))
	case sup != nil && sup.Supervised && isDefaultBool(ks, v):
		// A supervised-only switch left at Apple's default changes nothing
		// anywhere (PayloadRemovalDisallowed false, as Apple Configurator
		// writes it), so supervision is not worth a word.
		unsup := *sup
		unsup.Supervised = false
		c.support(&unsup, parent, path, pos, rel)
	case sup != nil:
		c.support(sup, parent, path, pos, rel)
	}
	// ProfileManifests' facts are looser than Apple's (a manifest
	// describes what its editor offers), so departures from them are
	// warnings, and say whose facts they are.
	sev, whose := Error, "Apple"
	if ks.Origin == schema.OriginProfileManifests {
		sev, whose = Warning, "ProfileManifests"
		if !c.inNewer && !ks.IsWildcard() {
			// Named once, where it starts: its subkeys are ProfileManifests'
			// too.
			c.newer = append(c.newer, rel)
			c.inNewer = true
			defer func() { c.inNewer = false }()
		}
	}
	if ks.Type == schema.Any {
		// Apple leaves the value to whoever reads it (a preference
		// domain's settings, an extension's data): nothing to check.
		return v
	}
	if got := plistType(v); got != ks.Type {
		if ks.Type == schema.Real && got == schema.Integer {
			return float64(v.(int64))
		}
		if n, ok := v.(int64); ok && ks.Type == schema.Boolean && (n == 0 || n == 1) {
			// Devices read 0 and 1 as false and true; stricter readers
			// (Apple Business Manager, some MDMs) refuse the profile.
			c.add(Warning, path, pos, "%s wants true or false, got %d; devices read it as %v, but stricter tools refuse it: write %s", rel, n, n == 1, c.boolWord(n == 1))
			return v
		}
		got := describeValue(v)
		if c.profile {
			got = describePlistValue(v, ks.Type)
		}
		if IsSecretKey(c.payloadType, ks.Name) {
			got = article(plistType(v)) // never quote a secret
		}
		c.add(sev, path, pos, "%s wants %s%s, got %s", rel, article(ks.Type), factsOf(whose), got)
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		c.dict(x, s, rel, ks.Lookup, ks.Keys, keyNames(ks.Keys), false, sup, vendorDictionaries[ks.Name] || ks.Open())
	case []any:
		if ks.Item != nil {
			for i, e := range x {
				x[i] = c.value(ks.Item, e, s, fmt.Sprintf("%s[%d]", rel, i), sup)
			}
		}
	}
	// Apple lists special values beside a range ("0, or 1 to 180"): a value
	// is fine when it is either.
	f, isNumber := number(v)
	inList := len(ks.Allowed) > 0 && (allowed(ks.Allowed, v) || allowed(alsoAllowed[c.payloadType+" "+ks.Name], v))
	inRange := ks.Range != nil && isNumber && ks.Range.Contains(f)
	switch {
	case inList || inRange:
	case len(ks.Allowed) > 0 && ks.Range != nil:
		c.add(sev, path, pos, "%s is %s; %s allows %s, or %s", rel, describeValue(v), whose, allowedList(ks.Allowed), rangeText(ks.Range))
	case len(ks.Allowed) > 0:
		also := ""
		if extra := alsoAllowed[c.payloadType+" "+ks.Name]; len(extra) > 0 {
			also = " (devices also accept " + allowedList(extra) + ")"
		}
		c.add(sev, path, pos, "%s is %s; %s allows %s%s", rel, describeValue(v), whose, allowedList(ks.Allowed), also)
	case ks.Range != nil && isNumber:
		c.add(sev, path, pos, "%s is %s, outside %s range %s", rel, describeValue(v), possessive(whose), rangeText(ks.Range))
	}
	if str, ok := v.(string); ok && ks.Format != "" && !strings.Contains(str, "${") {
		if re := formatRegexp(ks.Format); re != nil && !re.MatchString(str) {
			quoted := strconv.Quote(str)
			if IsSecretKey(c.payloadType, ks.Name) {
				quoted = "(secret)"
			}
			c.add(sev, path, pos, "%s %s does not match %s format %s", rel, quoted, possessive(whose), ks.Format)
		}
	}
	return v
}

// support warns about what the platform's support entry implies for a
// payload or key at the profile's minimum version and install channel. A
// key inherits its parent's support, so only what differs from the parent
// (the payload, or the enclosing key) is reported, once, where it starts.
func (c *schemaCheck) support(sup, parent *schema.Support, path string, pos Pos, what string) {
	if parent == nil {
		parent = &schema.Support{ManualInstall: true}
	}
	if c.minOS != "" && sup.Introduced != "" && schema.CompareVersions(sup.Introduced, c.minOS) > 0 &&
		(parent.Introduced == "" || schema.CompareVersions(sup.Introduced, parent.Introduced) > 0 || parent == nil) {
		c.add(Warning, path, pos, "%s needs %s %s%s; %s is %s, and older devices ignore it", what, c.platform, sup.Introduced, perSource(sup), c.setting("profile.min_ios", "--min-ios"), c.minOS)
	}
	switch {
	case sup.Removed != "" && sup.Removed != parent.Removed:
		c.add(Warning, path, pos, "%s was removed in %s %s%s", what, c.platform, sup.Removed, perSource(sup))
	case sup.Deprecated != "" && sup.Deprecated != parent.Deprecated:
		c.add(Warning, path, pos, "%s is deprecated since %s %s%s", what, c.platform, sup.Deprecated, perSource(sup))
	}
	if sup.Supervised && !parent.Supervised && !c.supervised {
		c.add(Warning, path, pos, "%s takes effect on supervised devices only", what)
	}
	if c.manual && !sup.ManualInstall && parent.ManualInstall {
		c.add(Warning, path, pos, "%s must be installed by MDM; %s is manual", what, c.setting("profile.install", "--install"))
	}
}

// isDefaultBool reports whether v is a boolean equal to the key's default.
func isDefaultBool(ks *schema.Key, v any) bool {
	b, ok := v.(bool)
	d, hasDefault := ks.Default.(bool)
	return ok && hasDefault && b == d
}
