package profiles

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

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
	Platform string // iOS, macOS, tvOS, visionOS or watchOS; empty means iOS
	MinIOS   string // oldest iOS the profile is for; empty skips version findings
	Manual   bool   // installed by hand rather than by MDM
}

// schemaCheck checks payloads against Apple's published schema.
type schemaCheck struct {
	ds          *Diagnostics
	payloadType string // of the payload being checked, for secret keys
	platform    schema.Platform
	minOS       string // compared only for iOS, where min_ios applies
	manual      bool   // the profile is meant to be installed by hand
	seen        map[string]int
}

func newSchemaCheck(t Devices, ds *Diagnostics) *schemaCheck {
	c := &schemaCheck{ds: ds, platform: schema.IOS, manual: t.Manual, seen: map[string]int{}}
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
	ps, ok := schema.Lookup(pt)
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
	c.dict(m, s, "", ps.Key, ps.Keys, keyNames(ps.Keys), true, sup)
}

// dict checks the keys of a dictionary whose schema lookup is given.
func (c *schemaCheck) dict(m map[string]any, s site, rel string, lookup func(string) (*schema.Key, bool), known []*schema.Key, names []string, top bool, parent *schema.Support) {
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
		if !ok {
			path, pos := s.locate(kr)
			c.add(Error, path, pos, "%s is not a key of %s in Apple's schema%s", k, c.where(rel), didYouMean(k, names))
			continue
		}
		m[k] = c.value(ks, m[k], s, kr, parent)
	}
	for _, ks := range known {
		if _, set := m[ks.Name]; ks.Required && !set && !ks.IsWildcard() && !(top && managedKeys[ks.Name]) && (top || placeholder(known) == nil) {
			path, pos := s.locate(rel)
			c.add(Error, path, pos, "missing %s, which Apple's schema requires", subPath(rel, ks.Name))
		}
	}
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
	case sup != nil:
		c.support(sup, parent, path, pos, rel)
	}
	if got := plistType(v); got != ks.Type && ks.Type != schema.Any {
		if ks.Type == schema.Real && got == schema.Integer {
			return float64(v.(int64))
		}
		got := describeValue(v)
		if IsSecretKey(c.payloadType, ks.Name) {
			got = article(plistType(v)) // never quote a secret
		}
		c.add(Error, path, pos, "%s wants %s, got %s", rel, article(ks.Type), got)
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		c.dict(x, s, rel, ks.Lookup, ks.Keys, keyNames(ks.Keys), false, sup)
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
	inList := len(ks.Allowed) > 0 && allowed(ks.Allowed, v)
	inRange := ks.Range != nil && isNumber && ks.Range.Contains(f)
	switch {
	case inList || inRange:
	case len(ks.Allowed) > 0 && ks.Range != nil:
		c.add(Error, path, pos, "%s is %s; Apple allows %s, or %s", rel, describeValue(v), allowedList(ks.Allowed), rangeText(ks.Range))
	case len(ks.Allowed) > 0:
		c.add(Error, path, pos, "%s is %s; Apple allows %s", rel, describeValue(v), allowedList(ks.Allowed))
	case ks.Range != nil && isNumber:
		c.add(Error, path, pos, "%s is %s, outside Apple's range %s", rel, describeValue(v), rangeText(ks.Range))
	}
	if str, ok := v.(string); ok && ks.Format != "" && !strings.Contains(str, "${") {
		if re := formatRegexp(ks.Format); re != nil && !re.MatchString(str) {
			quoted := strconv.Quote(str)
			if IsSecretKey(c.payloadType, ks.Name) {
				quoted = "(secret)"
			}
			c.add(Error, path, pos, "%s %s does not match Apple's format %s", rel, quoted, ks.Format)
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
		c.add(Warning, path, pos, "%s needs %s %s; profile.min_ios is %s, and older devices ignore it", what, c.platform, sup.Introduced, c.minOS)
	}
	switch {
	case sup.Removed != "" && sup.Removed != parent.Removed:
		c.add(Warning, path, pos, "%s was removed in %s %s", what, c.platform, sup.Removed)
	case sup.Deprecated != "" && sup.Deprecated != parent.Deprecated:
		c.add(Warning, path, pos, "%s is deprecated since %s %s", what, c.platform, sup.Deprecated)
	}
	if sup.Supervised && !parent.Supervised {
		c.add(Warning, path, pos, "%s takes effect on supervised devices only", what)
	}
	if c.manual && !sup.ManualInstall && parent.ManualInstall {
		c.add(Warning, path, pos, "%s must be installed by MDM; profile.install is manual", what)
	}
}

func plistType(v any) schema.Type {
	switch v.(type) {
	case string:
		return schema.String
	case bool:
		return schema.Boolean
	case int64:
		return schema.Integer
	case float64:
		return schema.Real
	case []byte:
		return schema.Data
	case time.Time:
		return schema.Date
	case []any:
		return schema.Array
	case map[string]any:
		return schema.Dictionary
	}
	return schema.Any
}

func article(t schema.Type) string {
	switch t {
	case schema.Integer:
		return "a whole number"
	case schema.Real:
		return "a number"
	case schema.Boolean:
		return "true or false"
	case schema.Data:
		return "data (write !!binary followed by base64)"
	case schema.Date:
		return "a date such as 2027-06-30T18:00:00Z"
	case schema.Array:
		return "a list"
	case schema.Dictionary:
		return "a mapping"
	}
	return "text"
}

func describeValue(v any) string {
	switch x := v.(type) {
	case string:
		if _, err := strconv.ParseFloat(x, 64); err == nil {
			return fmt.Sprintf("text %q (remove the quotes for a number)", x)
		}
		if boolWords[strings.ToLower(x)] || x == "True" || x == "False" {
			return fmt.Sprintf("text %q (write true or false)", x)
		}
		return fmt.Sprintf("text %q", x)
	case bool, int64, float64:
		return fmt.Sprint(x)
	case []byte:
		return fmt.Sprintf("%d bytes of data", len(x))
	case time.Time:
		return "date " + x.Format(time.RFC3339)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%v", v)
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func allowed(list []any, v any) bool {
	for _, a := range list {
		if a == v {
			return true
		}
		if x, ok := number(a); ok {
			if y, ok := number(v); ok && x == y {
				return true
			}
		}
	}
	return false
}

func allowedList(list []any) string {
	s := make([]string, len(list))
	for i, a := range list {
		if str, ok := a.(string); ok {
			s[i] = strconv.Quote(str)
		} else {
			s[i] = fmt.Sprint(a)
		}
	}
	return orList(s)
}

func rangeText(r *schema.Range) string {
	lo, hi := "", ""
	if r.Min != nil {
		lo = fmt.Sprint(*r.Min)
	}
	if r.Max != nil && !math.IsInf(*r.Max, 1) {
		hi = fmt.Sprint(*r.Max)
	}
	return fmt.Sprintf("[%s, %s]", lo, hi)
}

func keyNames(keys []*schema.Key) []string {
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		if !k.IsWildcard() {
			names = append(names, k.Name)
		}
	}
	return names
}

func supportedOn(ps map[schema.Platform]*schema.Support) string {
	var on []string
	for _, p := range schema.AllPlatforms() {
		if s := ps[p]; s != nil {
			on = append(on, fmt.Sprintf("%s %s", p, s.Introduced))
		}
	}
	if len(on) == 0 {
		return "no platform"
	}
	return "available on " + strings.Join(on, ", ")
}

var formats sync.Map // Apple format → *regexp.Regexp, or nil when Go cannot compile it

func formatRegexp(f string) *regexp.Regexp {
	if re, ok := formats.Load(f); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(f)
	if err != nil {
		re = nil
	}
	formats.Store(f, re)
	return re
}

// coercePayload gives a generic payload's values the plist type Apple's
// schema wants where YAML's is merely narrower: a whole number written for a
// real. Validation reports every real mismatch; this only keeps the
// compiled profile exact.
func coercePayload(m map[string]any) map[string]any {
	pt, _ := m["PayloadType"].(string)
	if ps, ok := schema.Lookup(pt); ok {
		coerceDict(m, ps.Key)
	}
	return m
}

func coerceDict(m map[string]any, lookup func(string) (*schema.Key, bool)) {
	for k, v := range m {
		if ks, ok := lookup(k); ok {
			m[k] = coerce(ks, v)
		}
	}
}

func coerce(ks *schema.Key, v any) any {
	switch x := v.(type) {
	case int64:
		if ks.Type == schema.Real {
			return float64(x)
		}
	case map[string]any:
		coerceDict(x, ks.Lookup)
	case []any:
		if ks.Item != nil {
			for i, e := range x {
				x[i] = coerce(ks.Item, e)
			}
		}
	}
	return v
}

// Where the keys of the built-in blocks come from in a policy.
var (
	topFields = map[string]string{
		"PayloadDisplayName":       "profile.display_name",
		"PayloadOrganization":      "profile.organization",
		"PayloadDescription":       "profile.description",
		"PayloadRemovalDisallowed": "profile.removal.disallowed",
		"RemovalDate":              "profile.removal.date",
		"DurationUntilRemoval":     "profile.removal.after",
	}
	exchangeFields = map[string]string{
		"PayloadDisplayName":         "exchange.account_name",
		"EmailAddress":               "exchange.email",
		"Host":                       "exchange.host",
		"UserName":                   "exchange.username",
		"Password":                   "exchange.password",
		"OAuth":                      "exchange.auth",
		"OAuthSignInURL":             "exchange.oauth.sign_in_url",
		"OAuthTokenRequestURL":       "exchange.oauth.token_request_url",
		"SSL":                        "exchange.ssl",
		"MailNumberOfPastDaysToSync": "exchange.mail_days",
		"PreventMove":                "exchange.prevent_move",
		"PreventAppSheet":            "exchange.prevent_app_sheet",
		"PayloadCertificateUUID":     "exchange.certificate",
	}
)

// fieldSite locates the keys of a built-in block through a table, falling
// back to the block itself.
func (p *Policy) fieldSite(block string, fields func(key string) string) site {
	return site{typePath: block, typePos: p.at(block), locate: func(rel string) (string, Pos) {
		key, _, _ := strings.Cut(rel, ".")
		path := block
		if f := fields(key); f != "" {
			path = f
		}
		return path, p.at(path)
	}}
}

func exchangeField(key string) string {
	switch {
	case strings.HasSuffix(key, "UserOverridable") && strings.HasPrefix(key, "Enable"):
		return "exchange.users_can_change_sync"
	case strings.HasPrefix(key, "Enable"):
		return "exchange.sync"
	}
	return exchangeFields[key]
}

// schema checks every payload the policy compiles into, and its top level,
// against Apple's schema.
func (v *validation) schema() {
	p := v.p
	info := p.Profile
	if info.Platform != "" && !slices.Contains(platforms, info.Platform) {
		return // reported on its own; nothing can be checked for it
	}
	c := newSchemaCheck(Devices{Platform: info.Platform, MinIOS: info.MinIOS, Manual: info.Install == "manual"}, &v.ds)
	if top, err := p.topDict(); err == nil {
		top["PayloadContent"] = []any{} // the payloads are checked one by one below
		ps, _ := schema.Lookup("Configuration")
		_, keyPos, _ := p.topKeys()
		s := p.fieldSite("profile", func(k string) string { return topFields[k] })
		fields := s.locate
		s.locate = func(rel string) (string, Pos) {
			for r := rel; r != ""; r = parentPath(r) {
				if at, ok := keyPos[r]; ok {
					return "profile.keys." + rel, at
				}
			}
			return fields(rel)
		}
		c.dict(top, s, "", ps.Key, ps.Keys, keyNames(ps.Keys), true, ps.Platforms[c.platform])
	}
	if e := p.Exchange; e != nil {
		s := p.fieldSite("exchange", exchangeField)
		// The lock's iOS 13 requirement has its own, clearer rule.
		s.quiet = map[string]bool{}
		for _, t := range dataTypes {
			key := "Enable" + strings.ToUpper(t[:1]) + t[1:]
			s.quiet[key], s.quiet[key+"UserOverridable"] = true, true
		}
		c.payload(p.exchangePayload(e), s)
	}
	if r := p.Restrictions; r != nil {
		c.payload(p.restrictionsPayload(r), p.fieldSite("restrictions", func(k string) string { return "restrictions." + k }))
	}
	for i := range p.Payloads {
		keys, pos, errs := p.genericPayload(i)
		if len(errs) > 0 || p.Payloads[i].Type == "" {
			continue // reported by the payloads rules
		}
		base := fmt.Sprintf("payloads[%d]", i)
		c.payload(keys, site{typePath: base + ".type", typePos: p.at(base + ".type"), locate: func(rel string) (string, Pos) {
			for r := rel; r != ""; r = parentPath(r) {
				if at, ok := pos[r]; ok {
					return base + ".keys." + rel, at
				}
			}
			return base + ".keys", p.at(base + ".keys")
		}})
	}
}

// parentPath drops the last key or index of a relative key path.
func parentPath(rel string) string {
	i := strings.LastIndexAny(rel, ".[")
	if i < 0 {
		return ""
	}
	return rel[:i]
}
