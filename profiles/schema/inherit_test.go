package schema

import (
	"strings"
	"testing"
)

// A per-app VPN has every key of com.apple.vpn.managed, as Apple's YAML
// says in words, and its own win where both define a name.
func TestPerAppVPNInheritsVPNKeys(t *testing.T) {
	app, ok := Lookup("com.apple.vpn.managed.applayer")
	if !ok {
		t.Fatal("no com.apple.vpn.managed.applayer")
	}
	vpn, _ := Lookup("com.apple.vpn.managed")
	if app.Inherits != "com.apple.vpn.managed" {
		t.Errorf("Inherits = %q", app.Inherits)
	}
	for _, k := range vpn.Keys {
		if _, ok := app.Key(k.Name); !ok {
			t.Errorf("applayer lacks %s", k.Name)
		}
	}
	for _, path := range [][]string{{"VPN", "AuthenticationMethod"}, {"IKEv2", "RemoteAddress"}, {"VendorConfig"}, {"IPv4", "OverridePrimary"}, {"Proxies", "HTTPEnable"}} {
		if _, _, ok := LookupKey("com.apple.vpn.managed.applayer", path, IOS); !ok {
			t.Errorf("applayer has no %s", strings.Join(path, "."))
		}
	}
	if _, ok := app.Key("VPNUUID"); !ok || app.InheritedKey("VPNUUID") {
		t.Error("applayer lost its own VPNUUID")
	}
	// The VPN payload has no watchOS; a per-app VPN has, and so have the
	// keys it inherits, down to their subkeys. Where the VPN payload
	// rules a key out (ProviderDesignatedRequirement on iOS), so does the
	// per-app VPN.
	for _, path := range [][]string{{"VPNType"}, {"IKEv2", "RemoteAddress"}} {
		k, _, _ := LookupKey("com.apple.vpn.managed.applayer", path, WatchOS)
		if k == nil || k.Platforms[WatchOS] == nil {
			t.Errorf("%s: no watchOS support", strings.Join(path, "."))
		}
	}
	if k, _, _ := LookupKey("com.apple.vpn.managed.applayer", []string{"VPN", "ProviderDesignatedRequirement"}, IOS); k == nil || k.Platforms[IOS] != nil {
		t.Error("VPN.ProviderDesignatedRequirement gained iOS")
	}
}

func TestExplainPerAppVPNNamesWhereKeysComeFrom(t *testing.T) {
	e, err := Explain("com.apple.vpn.managed.applayer")
	if err != nil {
		t.Fatal(err)
	}
	if e.Inherits != "com.apple.vpn.managed" {
		t.Errorf("Inherits = %q", e.Inherits)
	}
	from := map[string]string{}
	for _, k := range e.Keys {
		from[k.Name] = k.From
	}
	if from["VPNType"] != "com.apple.vpn.managed" || from["VPNUUID"] != "" {
		t.Errorf("From: VPNType %q, VPNUUID %q", from["VPNType"], from["VPNUUID"])
	}
	var b strings.Builder
	if err := e.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "INHERITS:") || !strings.Contains(b.String(), "FROM") {
		t.Errorf("text does not say where the keys come from:\n%s", b.String())
	}
}
