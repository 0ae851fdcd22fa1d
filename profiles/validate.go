package profiles

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mdmforge/mdmforge/internal/suggest"
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

var (
	reverseDNS  = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$`)
	safeName    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	hostLabel   = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
	osVersion   = regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,2}$`)
	durationRE  = regexp.MustCompile(`^([0-9]+)(d|h|m|s)$`)
	mailDays    = []int{0, 1, 3, 7, 14, 31}
	authMethods = []string{"oauth", "password", "certificate"}
)

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
	case !reverseDNS.MatchString(info.Identifier) && !strings.Contains(info.Identifier, "${"):
		v.add(p.errorf("profile.identifier", "%q is not a reverse-DNS identifier such as com.example.contacts", info.Identifier))
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

func (v *validation) exchange(e *Exchange) {
	p := v.p
	if h, ok := sample(e.Host); ok && h != "" && !validHost(h) {
		v.add(p.errorf("exchange.host", "%q is not a host name or IP address (no scheme, path or port)", e.Host))
	}
	if m, ok := sample(e.Email); ok && m != "" && !validEmail(m) {
		v.add(p.errorf("exchange.email", "%q is not an email address", e.Email))
	}
	if e.Username == "" {
		v.add(p.warnf("exchange", "username is not set; iOS needs it to install the account without asking, as MDM installs do (try ${user.upn})"))
	}
	switch e.Auth {
	case "":
		v.add(p.errorf("exchange.auth", "missing; choose %s", orList(authMethods)))
	case "oauth", "password", "certificate":
	default:
		msg := fmt.Sprintf("%q is not an authentication method; choose %s", e.Auth, orList(authMethods))
		if s := suggest.Closest(e.Auth, authMethods); s != "" {
			msg = fmt.Sprintf("%q is not an authentication method; did you mean %q?", e.Auth, s)
		}
		v.add(p.errorf("exchange.auth", "%s", msg))
	}
	if e.Password != "" {
		switch e.Auth {
		case "oauth":
			v.add(p.errorf("exchange.password", "OAuth accounts must not carry a password; remove it"))
		case "password":
			v.add(p.warnf("exchange.password", "the password is stored in plain text in the profile; leave it out and iOS asks the user"))
		case "certificate":
			v.add(p.errorf("exchange.password", "certificate accounts do not use a password; remove it"))
		}
	}
	if o := e.OAuth; o != nil {
		if e.Auth != "oauth" && e.Auth != "" {
			v.add(p.warnf("exchange.oauth", "iOS ignores the OAuth URLs unless auth is oauth"))
		}
		v.httpsURL("exchange.oauth.sign_in_url", o.SignInURL)
		v.httpsURL("exchange.oauth.token_request_url", o.TokenRequestURL)
		if o.SignInURL != "" && e.Host == "" {
			v.add(p.errorf("exchange.oauth.sign_in_url", "needs exchange.host: with a sign-in URL iOS skips autodiscovery and connects to the host"))
		}
	}
	switch {
	case e.Auth == "certificate" && e.Certificate == "":
		v.add(p.errorf("exchange.certificate", "missing; certificate authentication needs the name of a payloads entry holding the identity (com.apple.security.scep, com.apple.security.pkcs12, …)"))
	case e.Auth != "certificate" && e.Certificate != "":
		v.add(p.errorf("exchange.certificate", "only certificate authentication uses a certificate; set auth: certificate or remove it"))
	case e.Certificate != "":
		if pl := p.payload(e.Certificate); pl == nil {
			v.add(p.errorf("exchange.certificate", "no payloads entry is named %q%s", e.Certificate, didYouMean(e.Certificate, p.payloadNames())))
		} else if !identityPayloads[pl.Type] {
			v.add(p.errorf("exchange.certificate", "payload %q is %s, not an identity payload (com.apple.security.scep, .pkcs12, .acme)", pl.Name, pl.Type))
		}
	}

	sync := e.syncSet()
	seen := map[string]bool{}
	for i, t := range e.Sync {
		path := fmt.Sprintf("exchange.sync[%d]", i)
		switch {
		case !slices.Contains(dataTypes, t):
			v.add(p.errorf(path, "%q is not a data type; choose from %s%s", t, strings.Join(dataTypes, ", "), didYouMean(t, dataTypes)))
		case seen[t]:
			v.add(p.errorf(path, "%q is listed twice", t))
		}
		seen[t] = true
	}
	if e.Sync != nil && len(sync) == 0 {
		v.add(p.errorf("exchange.sync", "sync at least one data type (%s); iOS rejects an account with every type off", strings.Join(dataTypes, ", ")))
	}
	// Apple's schema reports values outside 0, 1, 3, 7, 14 and 31.
	if e.MailDays != nil && slices.Contains(mailDays, *e.MailDays) && !sync["mail"] {
		v.add(p.warnf("exchange.mail_days", "has no effect: mail is not synced"))
	}
	locks := e.UsersCanChangeSync != nil && !*e.UsersCanChangeSync
	if (locks || len(sync) < len(dataTypes)) && versionLess(p.Profile.MinIOS, "13.0") {
		path := "exchange.sync"
		if locks {
			path = "exchange.users_can_change_sync"
		}
		what := "the data-type choice and its lock need iOS 13 or later; older iOS syncs every type"
		if p.Profile.MinIOS == "" {
			v.add(p.warnf(path, "%s: set profile.min_ios to 13.0 or later to confirm your devices run it", what))
		} else {
			v.add(p.warnf(path, "%s, but profile.min_ios is %s", what, p.Profile.MinIOS))
		}
	}
}

var identityPayloads = map[string]bool{
	"com.apple.security.scep":   true,
	"com.apple.security.pkcs12": true,
	"com.apple.security.acme":   true,
}

func (v *validation) httpsURL(path, s string) {
	sampled, ok := sample(s)
	if s == "" || !ok {
		return
	}
	if !validHTTPSURL(sampled) {
		v.add(v.p.errorf(path, "%q is not an https:// URL", s))
	}
}

func validHTTPSURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}

func (v *validation) restrictions(r *Restrictions) {
	p := v.p
	open := r.AllowOpenFromManagedToUnmanaged
	if open == nil || *open {
		for _, key := range []string{"allowManagedToWriteUnmanagedContacts", "allowUnmanagedToReadManagedContacts"} {
			path := "restrictions." + key
			if p.has(path) {
				v.add(p.warnf(path, "has no effect unless allowOpenFromManagedToUnmanaged is false"))
			}
		}
	}
	// Apple: with allowAccountModification false, "the system disables
	// modification of accounts such as ... Mail, Contacts, and Calendar"
	// (supervised devices). Entering the password, or signing in again when
	// an OAuth token expires, is such a modification, so the managed account
	// stays without credentials; an identity certificate needs no user.
	if m := r.AllowAccountModification; m != nil && !*m {
		if e := p.Exchange; e != nil && (e.Auth == "oauth" || e.Auth == "password") {
			v.add(p.warnf("restrictions.allowAccountModification", "false also stops users from entering their credentials in the managed Exchange account (auth: %s), so on supervised devices it never signs in; sign in with an identity certificate (auth: certificate) or leave allowAccountModification true", e.Auth))
		}
	}
}

func (v *validation) outlook(o *Outlook) {
	p := v.p
	e := p.Exchange
	if e == nil || !e.syncSet()["contacts"] {
		return
	}
	switch {
	case o.SaveContacts != nil && *o.SaveContacts:
		v.add(p.warnf("outlook.save_contacts", "is on while the Exchange account syncs contacts: users get every contact twice; set it to false"))
	case o.UsersCanChangeSaveContacts == nil || *o.UsersCanChangeSaveContacts:
		v.add(p.warnf("outlook", "users may turn Save Contacts back on while the Exchange account syncs contacts, duplicating them; set users_can_change_save_contacts: false"))
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
		if pl.Identifier != "" && !strings.Contains(pl.Identifier, "${") && !reverseDNS.MatchString(pl.Identifier) {
			v.add(p.errorf(base+".identifier", "%q is not a reverse-DNS identifier such as com.example.contacts.wifi", pl.Identifier))
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
		if _, _, errs := plistDict(p.File, &pl.Keys, base+".keys", p.resolveUUID); len(errs) > 0 {
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
	claim := func(path, what, ident, uuid string) {
		if first, dup := ids[strings.ToLower(ident)]; dup {
			v.add(p.errorf(path, "%s has the identifier %q, as %s has (%s); identifiers must be unique within a profile", what, ident, first.what, p.at(first.path)))
		} else {
			ids[strings.ToLower(ident)] = owner{path, what}
		}
		if first, dup := uuids[strings.ToUpper(uuid)]; dup {
			v.add(p.errorf(path, "%s has the PayloadUUID %s, as %s has (%s)", what, uuid, first.what, p.at(first.path)))
		} else {
			uuids[strings.ToUpper(uuid)] = owner{path, what}
		}
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

// syncSet is the set of data types the account syncs. Apple's default, when
// the policy does not say, is every type.
func (e *Exchange) syncSet() map[string]bool {
	set := map[string]bool{}
	if e.Sync == nil {
		for _, t := range dataTypes {
			set[t] = true
		}
		return set
	}
	for _, t := range e.Sync {
		if slices.Contains(dataTypes, t) {
			set[t] = true
		}
	}
	return set
}

func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if len(h) == 0 || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if !hostLabel.MatchString(label) {
			return false
		}
	}
	return true
}

func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || strings.ContainsAny(s, " \t<>,;") {
		return false
	}
	return strings.Contains(s[at+1:], ".") && validHost(s[at+1:])
}

// versionLess reports whether iOS version a is older than b. An unset
// version counts as older: the author has not told us the devices are new.
// A malformed one is reported on its own and counts as new enough.
func versionLess(a, b string) bool {
	if a == "" {
		return true
	}
	if !osVersion.MatchString(a) {
		return false
	}
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}

func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad date %q", s)
}

func parseDuration(s string) (time.Duration, error) {
	m := durationRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	unit := map[string]time.Duration{"d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second}[m[2]]
	const limit = 100 * 365 * 24 * time.Hour
	if err != nil || n > int64(limit/unit) {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	return time.Duration(n) * unit, nil
}

// renameHint proposes a name for a profile whose name Windows refuses:
// without the trailing dots and spaces, and with the part Windows reads as a
// device name lengthened.
func renameHint(name string) string {
	name = strings.TrimRight(name, ". ")
	if windowsDevice(name) == "" {
		return name
	}
	base, rest, dotted := strings.Cut(name, ".")
	base = strings.TrimRight(base, " ") + "-profile"
	if dotted {
		return base + "." + rest
	}
	return base
}

func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

func didYouMean(word string, candidates []string) string {
	if s := suggest.Closest(word, candidates); s != "" && s != word {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}
