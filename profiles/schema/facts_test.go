package schema_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/mdmforge/mdmforge/profiles/schema"
)

func TestFactsFillInWhereAppleIsSilent(t *testing.T) {
	// A key newer than Apple's copy.
	if p, _ := schema.Lookup("com.apple.applicationaccess"); p != nil {
		if k, ok := p.Key("allowMailSmartReplies"); ok && k.Name == "allowMailSmartReplies" {
			t.Fatal("Apple's copy has allowMailSmartReplies; the test needs a key it lacks")
		}
	}
	k, origin, ok := schema.LookupKey("com.apple.applicationaccess", []string{"allowMailSmartReplies"}, schema.IOS)
	if !ok || k.Type != schema.Boolean || origin != schema.OriginProfileManifests || k.Origin != schema.OriginProfileManifests {
		t.Fatalf("allowMailSmartReplies: %v %v %v", k, origin, ok)
	}
	if s := k.Platforms[schema.IOS]; s == nil || s.Introduced == "" || s.Origin != schema.OriginProfileManifests {
		t.Errorf("allowMailSmartReplies on iOS: %+v", s)
	}
	// Nested, under an Apple key.
	k, origin, ok = schema.LookupKey("com.apple.dnsSettings.managed", []string{"DNSSettings", "AllowFailover"}, schema.MacOS)
	if !ok || k.Type != schema.Boolean || origin != schema.OriginProfileManifests {
		t.Errorf("DNSSettings.AllowFailover: %v %v %v", k, origin, ok)
	}
	// The Apple keys around it are Apple's.
	k, origin, ok = schema.LookupKey("com.apple.dnsSettings.managed", []string{"DNSSettings", "DNSProtocol"}, schema.MacOS)
	if !ok || origin != schema.OriginApple || k.Origin != schema.OriginApple {
		t.Errorf("DNSSettings.DNSProtocol: %v %v %v", k, origin, ok)
	}
	// Lookup stays Apple's alone.
	p, _ := schema.Lookup("com.apple.dnsSettings.managed")
	d, _ := p.Key("DNSSettings")
	if c, ok := d.Lookup("AllowFailover"); ok && c.Name == "AllowFailover" {
		t.Error("Lookup returns ProfileManifests' AllowFailover")
	}
}

func TestAppleWins(t *testing.T) {
	// Apple types AutoLogOutDelay real, ProfileManifests integer.
	k, origin, ok := schema.LookupKey(".GlobalPreferences", []string{"com.apple.autologout.AutoLogOutDelay"}, schema.MacOS)
	if !ok || k.Type != schema.Real || origin != schema.OriginApple {
		t.Errorf("AutoLogOutDelay: %v %v %v", k.Type, origin, ok)
	}
	// A key both have keeps Apple's platforms where Apple speaks, and
	// gains a platform only where ProfileManifests' version is newer than
	// Apple's copy: allowCallRecording is iOS-only in Apple's 18.1, and on
	// macOS since 26.0 in ProfileManifests.
	k, origin, ok = schema.LookupKey("com.apple.applicationaccess", []string{"allowCallRecording"}, schema.MacOS)
	if !ok || k.Origin != schema.OriginApple || origin != schema.OriginProfileManifests {
		t.Fatalf("allowCallRecording on macOS: %v %v", origin, ok)
	}
	if s := k.Platforms[schema.MacOS]; s.Introduced != "26.0" {
		t.Errorf("allowCallRecording macOS %+v", s)
	}
	if _, origin, _ := schema.LookupKey("com.apple.applicationaccess", []string{"allowCallRecording"}, schema.IOS); origin != schema.OriginApple {
		t.Errorf("allowCallRecording on iOS: %v", origin)
	}
	apple, _ := schema.Lookup("com.apple.applicationaccess")
	a, _ := apple.Key("allowCallRecording")
	if a.Platforms[schema.MacOS] != nil {
		t.Error("Apple's own key was changed")
	}
	if v := schema.AppleNewest(schema.IOS); v != "18.1" {
		t.Errorf("AppleNewest(iOS) = %q", v)
	}
}

func TestDomains(t *testing.T) {
	chrome, ok := schema.Domain("com.google.Chrome")
	if !ok || chrome.Origin != schema.OriginProfileManifests || chrome.Kind != schema.KindApplication || !chrome.Kind.IsPreferenceDomain() {
		t.Fatalf("com.google.Chrome: %+v %v", chrome, ok)
	}
	if chrome.Platforms[schema.MacOS] == nil || chrome.Platforms[schema.IOS] != nil {
		t.Errorf("com.google.Chrome platforms %v", chrome.Platforms)
	}
	// A domain as PayloadType has the common payload keys.
	if k, ok := chrome.Key("PayloadUUID"); !ok || k.Origin != schema.OriginApple {
		t.Errorf("com.google.Chrome PayloadUUID: %v", ok)
	}
	ext, ok := chrome.Key("ExtensionSettings")
	if !ok || !ext.Open() {
		t.Fatalf("ExtensionSettings: open %v", ok && ext.Open())
	}
	// Any name under the placeholder, with its facts.
	e, ok := ext.Lookup("cjpalhdlnbpafiamejdnhcphjbkeiagm")
	if !ok || !e.IsWildcard() || e.Type != schema.Dictionary {
		t.Fatalf("an extension's entry: %v", e)
	}
	if m, ok := e.Lookup("installation_mode"); !ok || m.Type != schema.String || len(m.Allowed) == 0 {
		t.Errorf("installation_mode: %v", m)
	}
	for _, name := range []string{"com.microsoft.Edge", "org.mozilla.firefox", "com.apple.Safari", "com.microsoft.office"} {
		if _, ok := schema.Domain(name); !ok {
			t.Errorf("%s is not a known domain", name)
		}
	}
	if g, ok := schema.Domain("com.apple.GlobalPreferences"); !ok || g.Type != ".GlobalPreferences" {
		t.Errorf("com.apple.GlobalPreferences: %v", ok)
	}
	if _, ok := schema.Domain("com.example.nothing"); ok {
		t.Error("an unknown domain is known")
	}
	if p, _ := schema.Facts("com.apple.wifi.managed"); p.Kind.IsPreferenceDomain() || p.Origin != schema.OriginApple {
		t.Errorf("com.apple.wifi.managed: %v %v", p.Kind, p.Origin)
	}
}

func TestOpen(t *testing.T) {
	for _, tc := range []struct {
		payload string
		path    []string
		open    bool
	}{
		{"com.apple.ManagedClient.preferences", []string{"PayloadContent", "com.google.Chrome", "Forced", "mcx_preference_settings"}, true}, // any name, typed any
		{"com.apple.ManagedClient.preferences", []string{"PayloadContent", "com.google.Chrome", "Forced", "mcx_preference_settings", "HomepageLocation"}, true},
		{"com.apple.ManagedClient.preferences", []string{"PayloadContent", "com.google.Chrome", "Forced"}, false},
		{"com.apple.vpn.managed", []string{"VendorConfig"}, true}, // the vendor's
		{"com.apple.vpn.managed", []string{"VPN"}, false},
		{"com.apple.webcontent-filter", []string{"VendorConfig"}, true},
		{"com.apple.applicationaccess", []string{"allowCamera"}, false},
	} {
		k, _, ok := schema.LookupKey(tc.payload, tc.path, schema.MacOS)
		if !ok || k.Open() != tc.open {
			t.Errorf("%s %v: found %v, Open %v, want %v", tc.payload, tc.path, ok, ok && k.Open(), tc.open)
		}
	}
}

func TestFactTypes(t *testing.T) {
	types := schema.FactTypes()
	seen := map[string]bool{}
	for i, ty := range types {
		if i > 0 && types[i-1] >= ty {
			t.Fatalf("not sorted or duplicated at %q", ty)
		}
		seen[ty] = true
		if _, ok := schema.Facts(ty); !ok {
			t.Errorf("Facts(%q) fails", ty)
		}
	}
	for _, ty := range schema.Types() {
		if !seen[ty] {
			t.Errorf("Apple's %s missing", ty)
		}
	}
	if len(types) <= len(schema.Types())+100 {
		t.Errorf("%d types, Apple %d", len(types), len(schema.Types()))
	}
}

func TestSources(t *testing.T) {
	src := schema.Sources()
	if len(src) != 2 || src[0].Origin != schema.OriginApple || src[1].Origin != schema.OriginProfileManifests {
		t.Fatalf("%+v", src)
	}
	pm := src[1]
	if pm.Commit != "e4b340f9a83f6ab46c3dea53e71d6ed75e334d46" || pm.Date != "2026-08-18" || pm.Repository != "https://github.com/ProfileManifests/ProfileManifests" {
		t.Errorf("%+v", pm)
	}
}

// TestOnlyFacts checks that manifests.jsonl holds nothing but the fields of
// its format: ProfileManifests has no licence, so no text of it may ship.
func TestOnlyFacts(t *testing.T) {
	b, err := os.ReadFile("manifests.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"format": true, "source": true, "commit": true, "date": true, "facts": true,
		"domain": true, "kind": true, "os": true, "key": true, "type": true, "required": true,
		"allowed": true, "range": true}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		for k := range m {
			if !allowed[k] {
				t.Fatalf("line %d has %q", n, k)
			}
		}
	}
}

func ExampleLookupKey() {
	k, origin, _ := schema.LookupKey("com.apple.applicationaccess", []string{"allowMailSmartReplies"}, schema.IOS)
	fmt.Println(k.Type, origin)

	k, origin, _ = schema.LookupKey("com.apple.applicationaccess", []string{"allowCamera"}, schema.IOS)
	fmt.Println(k.Type, origin)
	// Output:
	// boolean profilemanifests
	// boolean apple
}

func ExampleDomain() {
	d, _ := schema.Domain("com.google.Chrome")
	k, _ := d.Key("ExtensionSettings")
	fmt.Println(d.Kind, d.Origin, k.Type, k.Open())
	// Output: application profilemanifests dictionary true
}

func TestProfileManifestsOwnView(t *testing.T) {
	combined, _, _ := schema.LookupKey("Configuration", []string{"PayloadScope"}, schema.IOS)
	if combined.Platforms[schema.IOS] == nil || combined.Origin != schema.OriginApple {
		t.Fatalf("Apple's PayloadScope: %+v", combined)
	}
	own, ok := schema.ProfileManifests("Configuration")
	if !ok {
		t.Fatal("no Configuration in ProfileManifests")
	}
	k, ok := own.Key("PayloadScope")
	if !ok || k.Platforms[schema.IOS] != nil || k.Platforms[schema.MacOS] == nil {
		t.Errorf("ProfileManifests' PayloadScope: %+v", k)
	}
	if _, ok := schema.ProfileManifests("com.apple.eas.account.nope"); ok {
		t.Error("unknown type found")
	}
}

func ExampleFacts() {
	apple, _ := schema.Lookup("com.apple.dnsSettings.managed")
	facts, _ := schema.Facts("com.apple.dnsSettings.managed")
	for _, p := range []*schema.Payload{apple, facts} {
		d, _ := p.Key("DNSSettings")
		if k, ok := d.Lookup("AllowFailover"); ok {
			fmt.Println("AllowFailover from", k.Origin)
		} else {
			fmt.Println("no AllowFailover")
		}
	}
	// Output:
	// no AllowFailover
	// AllowFailover from profilemanifests
}
