package profiles

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/mdmforge/mdmforge/internal/suggest"
	"github.com/mdmforge/mdmforge/profiles/schema"
)

// What real profiles hold beyond the letter of Apple's schema, and is
// still what devices accept: keys other tools write that Apple's YAML
// leaves out, dictionaries whose content belongs to a vendor, and the
// rules that let one key stand for another. Each is a fact about the
// profile format, kept here rather than patched into the embedded schema,
// so that the schema stays Apple's word.

// everywhere returns a key that every platform accepts at the level it is
// written, for keys that are part of the profile format but not of Apple's
// schema.
func everywhere(name string, t schema.Type) *schema.Key {
	k := &schema.Key{Name: name, Type: t, Platforms: map[schema.Platform]*schema.Support{}}
	for _, p := range schema.AllPlatforms() {
		k.Platforms[p] = &schema.Support{ManualInstall: true, Multiple: true}
	}
	return k
}

// deviceKeys are keys of a profile's and every payload's own dictionary
// that Apple's schema leaves out but devices honour. Profile Manager,
// iMazing and Jamf write PayloadEnabled (a payload with false is skipped).
var deviceKeys = map[string]*schema.Key{
	"PayloadEnabled": everywhere("PayloadEnabled", schema.Boolean),
}

// The deviations table: where devices and Apple's own documents accept
// more than Apple's YAML states, each with its source. Lint must not turn
// away a profile devices install, nor point its author at a spelling the
// device does not read.
//
// | payload | where | deviation | source |
// |---|---|---|---|
// | com.apple.vpn.managed(.applayer) | VPN | keys RemoteAddress, AuthName, AuthPassword | Apple's Configuration Profile Reference (2019) lists them in the VPN dictionary; SSL plug-ins (Cisco AnyConnect, Pulse Secure, GlobalProtect) read them there, as IPSec and IKEv2 read theirs |
// | com.apple.homescreenlayout | Type of Dock, Pages, folder pages | value "Application" beside "App" | the same YAML's BundleID text ("required if the type is 'Application'"), the Configuration Profile Reference, and Apple's example on the HomeScreenLayout page |
// | com.apple.MCX (EnergySaver) | com.apple.EnergySaver.*Power | key "Wake On LAN" beside "Wake on LAN" | IOKit's IOPMKeys.h: kIOPMWakeOnLANKey "Wake On LAN", the spelling power management reads |
// | com.apple.screensaver | the payload | moduleName may be missing: a warning, not an error | Macs install the CIS benchmark's screensaver profile (askForPassword and askForPasswordDelay only) |

// undocumented holds keys Apple's YAML leaves out of a dictionary although
// devices read them there, by payload type, dictionary and name (see the
// deviations table).
var undocumented = map[string]*schema.Key{}

func init() {
	for _, t := range []string{"com.apple.vpn.managed", "com.apple.vpn.managed.applayer"} {
		for _, k := range []string{"RemoteAddress", "AuthName", "AuthPassword"} {
			undocumented[t+" VPN "+k] = everywhere(k, schema.String)
		}
	}
	wake := everywhere("Wake On LAN", schema.Integer)
	wake.Allowed = []any{int64(0), int64(1)}
	for _, d := range []string{"desktop.ACPower", "portable.ACPower", "portable.BatteryPower"} {
		undocumented["com.apple.MCX com.apple.EnergySaver."+d+" Wake On LAN"] = wake
	}
}

// alsoAllowed holds values devices accept for a key beside Apple's
// rangelist, by payload type and key name (see the deviations table).
var alsoAllowed = map[string][]any{
	"com.apple.homescreenlayout Type": {"Application"},
}

// softRequired holds required keys whose absence devices tolerate, by
// payload type and key name, with why it is only a warning (see the
// deviations table).
var softRequired = map[string]string{
	"com.apple.screensaver moduleName": "Macs install a screensaver payload without it (the CIS benchmark's sets only askForPassword and askForPasswordDelay); add it only to choose the screen saver",
}

// vendorDictionaries are the keys whose dictionary is defined by the
// vendor of an extension or VPN client, not by Apple: the keys Apple lists
// in them are checked, any others are accepted.
var vendorDictionaries = map[string]bool{
	"VendorConfig":          true, // VPN, Wi-Fi and content filter plug-ins
	"ExtensionData":         true, // single sign-on extensions
	"ProviderConfiguration": true, // DNS proxies
}

// tccPayload is the privacy preferences (PPPC) payload.
const tccPayload = "com.apple.TCC.configuration-profile-policy"

// alternative returns the key that may replace a required one in the
// payload being checked: Apple's TCC schema marks Allowed required, and
// says "every payload needs to include either 'Authorization' or
// 'Allowed', but not both" (Authorization is macOS 11's replacement).
func (c *schemaCheck) alternative(key string) string {
	if c.payloadType == tccPayload && key == "Allowed" {
		return "Authorization"
	}
	return ""
}

// tcc checks what the TCC schema says in words: Authorization or Allowed,
// not both, and AllowStandardUserToSetSystemService only for the two
// services it applies to.
func (c *schemaCheck) tcc(m map[string]any, s site) {
	services, _ := m["Services"].(map[string]any)
	for _, service := range namesOf(services) {
		entries, _ := services[service].([]any)
		for i, e := range entries {
			entry, ok := e.(map[string]any)
			if !ok {
				continue
			}
			rel := fmt.Sprintf("Services.%s[%d]", service, i)
			_, allowed := entry["Allowed"]
			auth, hasAuth := entry["Authorization"]
			if allowed && hasAuth {
				path, pos := s.locate(rel + ".Allowed")
				c.add(Warning, path, pos, "%s sets both Allowed and Authorization; Apple's schema wants one, not both: remove Allowed (Authorization, macOS 11 and later, replaces it)", rel)
			}
			if auth == "AllowStandardUserToSetSystemService" && service != "ListenEvent" && service != "ScreenCapture" {
				path, pos := s.locate(rel + ".Authorization")
				c.add(Error, path, pos, "%s.Authorization is AllowStandardUserToSetSystemService, which Apple allows only for the ListenEvent and ScreenCapture services; use Allow or Deny", rel)
			}
		}
	}
}

// mcxKey finds the keys of com.apple.ManagedClient.preferences that the
// tools writing it (Profile Manager, mcxToProfile) use beside Apple's
// schema: "Often" beside Forced and Set-Once, and the mcx_data_timestamp
// of each settings entry.
func (c *schemaCheck) mcxKey(k string, lookup func(string) (*schema.Key, bool)) (*schema.Key, bool) {
	if c.payloadType != "com.apple.ManagedClient.preferences" {
		return nil, false
	}
	switch k {
	case "Often":
		return lookup("Set-Once")
	case "mcx_data_timestamp":
		if _, ok := lookup("mcx_preference_settings"); ok {
			return mcxTimestamp, true
		}
	}
	return nil, false
}

var mcxTimestamp = everywhere("mcx_data_timestamp", schema.Date)

// topOnly reports whether a key belongs to the profile's own dictionary
// alone (PayloadRemovalDisallowed, ConsentText), not to a payload's.
func topOnly(k string) bool {
	topOnlyOnce.Do(func() {
		topOnlyKeys = map[string]bool{}
		common := map[string]bool{}
		for _, ks := range schema.Common() {
			common[ks.Name] = true
		}
		ps, _ := schema.Lookup("Configuration")
		for _, ks := range ps.Keys {
			if !common[ks.Name] && ks.Name != "PayloadContent" {
				topOnlyKeys[ks.Name] = true
			}
		}
	})
	return topOnlyKeys[k]
}

var (
	topOnlyOnce sync.Once
	topOnlyKeys map[string]bool
)

// housekeeping checks the keys a profile and each of its payloads carry
// about themselves (PayloadType, PayloadIdentifier, PayloadUUID,
// PayloadVersion, PayloadDisplayName). mdmforge writes them for a policy;
// an existing profile has its own, and each one missing, empty or of the
// wrong type is one finding among the others.
func (c *schemaCheck) housekeeping(m map[string]any, s site, top bool) {
	lookup := commonKey
	if top {
		ps, _ := schema.Lookup("Configuration")
		lookup = ps.Key
		c.payloadType = "Configuration"
	}
	where, wherePos := s.locate("")
	for _, name := range namesOf(managedKeys) {
		ks, ok := lookup(name)
		if !ok {
			continue
		}
		v, set := m[name]
		if !set {
			if ks.Required {
				c.add(Error, where, wherePos, "missing %s, which Apple's schema requires%s", name, housekeepingHint(name))
			}
			continue
		}
		path, pos := s.locate(name)
		str, isText := v.(string)
		switch {
		case isText && str == "" && ks.Required:
			c.add(Error, path, pos, "%s is empty%s", name, housekeepingHint(name))
		case isText && ks.Type == schema.Integer && isWholeNumber(str):
			// Tools that write every value as text do this; devices have
			// installed such profiles, but Apple's format says integer.
			c.add(Warning, path, pos, "%s is text %q; Apple's schema wants a whole number: write <integer>%s</integer>", name, str, strings.TrimSpace(str))
		default:
			c.value(ks, v, s, name, ks.Platforms[c.platform])
		}
	}
}

// commonKey finds one of the keys common to every payload.
func commonKey(name string) (*schema.Key, bool) {
	commonOnce.Do(func() {
		commonKeys = map[string]*schema.Key{}
		for _, ks := range schema.Common() {
			commonKeys[ks.Name] = ks
		}
	})
	ks, ok := commonKeys[name]
	return ks, ok
}

var (
	commonOnce sync.Once
	commonKeys map[string]*schema.Key
)

func housekeepingHint(name string) string {
	switch name {
	case "PayloadUUID":
		return "; give it a unique value (uuidgen prints one), and keep it when you change the profile"
	case "PayloadIdentifier":
		return "; devices replace an installed profile or payload with the same identifier, so give it a reverse-DNS name such as com.example.wifi"
	case "PayloadType":
		return "; it names what the payload configures, such as com.apple.wifi.managed"
	}
	return ""
}

func isWholeNumber(s string) bool {
	_, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return err == nil
}

// setting names where the devices were described: a policy's setting, or
// lint's flag.
func (c *schemaCheck) setting(policy, flag string) string {
	if c.profile {
		return flag
	}
	return policy
}

// boolWord is how the author writes a boolean: as plist in a profile, as
// YAML in a policy.
func (c *schemaCheck) boolWord(b bool) string {
	switch {
	case c.profile && b:
		return "<true/>"
	case c.profile:
		return "<false/>"
	}
	return strconv.FormatBool(b)
}

func namesOf[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// mcxPayload carries preference domains on macOS, as Profile Manager's
// and mcxToProfile's "Custom Settings" write them.
const mcxPayload = "com.apple.ManagedClient.preferences"

// preferenceDomain checks a payload whose type is not one of Apple's
// payloads, and reports whether it was one: on macOS any preference domain
// (com.google.Chrome, com.apple.Terminal) may be a payload type, and the
// device writes its keys as that domain's managed preferences. A type a
// letter or two from one of Apple's payloads is a typo, not a domain, and
// is left to the unknown-type error, unless a source knows the domain
// (com.apple.timed is two letters from com.apple.lom).
func (c *schemaCheck) preferenceDomain(pt string, m map[string]any, s site, known bool) bool {
	if c.platform != schema.MacOS || !strings.Contains(strings.Trim(pt, "."), ".") || (!known && nearPayloadType(pt)) {
		return false
	}
	settings := make(map[string]any, len(m))
	for k, v := range m {
		if !managedKeys[k] && deviceKeys[k] == nil {
			settings[k] = v
		}
	}
	c.domainSettings(pt, settings, s, "", s.typePath, s.typePos)
	return true
}

// nearPayloadType reports whether a type is one or two edits (or only
// letter case) away from a payload type in Apple's schema.
func nearPayloadType(pt string) bool {
	near := suggest.Closest(pt, schema.Types())
	return near != "" && suggest.Distance(suggest.Fold(pt), suggest.Fold(near)) <= 2
}

// mcxDomains checks the preference domains of a ManagedClient payload:
// PayloadContent → domain → Forced, Set-Once or Often → each entry's
// mcx_preference_settings, which Apple types "any".
func (c *schemaCheck) mcxDomains(m map[string]any, s site) {
	content, _ := m["PayloadContent"].(map[string]any)
	for _, domain := range namesOf(content) {
		d, _ := content[domain].(map[string]any)
		domainPath, domainPos := s.locate(subPath("PayloadContent", domain))
		for _, how := range []string{"Forced", "Set-Once", "Often"} {
			entries, _ := d[how].([]any)
			for i, e := range entries {
				entry, _ := e.(map[string]any)
				settings, ok := entry["mcx_preference_settings"].(map[string]any)
				if !ok {
					continue
				}
				rel := fmt.Sprintf("PayloadContent.%s.%s[%d].mcx_preference_settings", domain, how, i)
				c.domainSettings(domain, settings, s, rel, domainPath, domainPos)
			}
		}
	}
}

// domainSettings checks the settings of one preference domain against
// what mdmforge knows of it: Apple's schema when the domain is one of its
// payloads (mistakes are errors), ProfileManifests' facts when they
// describe it (mistakes are warnings), else a note, once per domain, that
// no schema describes it. Keys no schema lists are accepted: an
// application reads whatever it reads.
func (c *schemaCheck) domainSettings(domain string, settings map[string]any, s site, rel, notePath string, notePos Pos) {
	saved := c.payloadType
	defer func() { c.payloadType = saved }()
	c.payloadType = domain
	if ps, ok := schema.Domain(domain); ok && ps.Platforms[c.platform] != nil && domain != "Configuration" {
		sup := ps.Platforms[c.platform]
		// Findings name a setting by its key within the domain; the path
		// says where the domain's settings are.
		inner := s
		inner.locate = func(r string) (string, Pos) {
			if rel == "" {
				return s.locate(r)
			}
			return s.locate(subPath(rel, r))
		}
		savedNewer, savedDomain := c.newer, c.domain
		c.domain = ps
		c.dict(settings, inner, "", ps.Key, ps.Keys, keyNames(ps.Keys), false, sup, true)
		c.newer, c.domain = savedNewer, savedDomain // a domain only ProfileManifests knows needs no note per key
		return
	}
	if !c.noted[domain] {
		c.noted[domain] = true
		c.add(Note, notePath, notePos, "preference domain %s is not in any schema mdmforge has; its keys are accepted unchecked", domain)
	}
}

// factsOf names whose facts a finding departs from, when they are not
// Apple's.
func factsOf(whose string) string {
	if whose == "Apple" {
		return ""
	}
	return " (per " + whose + ")"
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func itThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func possessive(whose string) string {
	if strings.HasSuffix(whose, "s") {
		return whose + "'"
	}
	return whose + "'s"
}

// perSource names ProfileManifests when a version comes from its facts.
func perSource(sup *schema.Support) string {
	if sup.Origin == schema.OriginProfileManifests {
		return " (per ProfileManifests)"
	}
	return ""
}

// appleCopy names the newest versions Apple's embedded schema knows, as
// "iOS 18.1, macOS 15.1".
func appleCopy() string {
	var vs []string
	for _, p := range []schema.Platform{schema.IOS, schema.MacOS} {
		if v := schema.AppleNewest(p); v != "" {
			vs = append(vs, string(p)+" "+v)
		}
	}
	return strings.Join(vs, ", ")
}

// lister names the source whose list of keys a near miss is measured
// against: a domain only ProfileManifests describes has its list.
func (c *schemaCheck) lister() string {
	if c.domain != nil && c.domain.Origin == schema.OriginProfileManifests {
		return "ProfileManifests"
	}
	return "Apple's schema"
}

// payloadHasKey reports whether Apple's payload type t has a key of its own
// named k.
func payloadHasKey(t, k string) bool {
	if t == "Configuration" {
		return false
	}
	ps, ok := schema.Lookup(t)
	if !ok {
		return false
	}
	for _, ks := range ps.Keys {
		if ks.Name == k {
			return true
		}
	}
	return false
}
