package profiles

import (
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/profiles/schema"
)

// payloadPolicy wraps payload entries in a minimal policy.
func payloadPolicy(profileExtra, payloads string) string {
	return "version: 1\nprofile:\n  name: t\n  identifier: com.example.t\n" + profileExtra + "payloads:\n" + payloads
}

func TestSchemaFindings(t *testing.T) {
	const scep = `  - name: identity
    type: com.apple.security.scep
    keys:
      PayloadContent:
        URL: https://scep.example.com/scep
`
	tests := []struct {
		name    string
		profile string
		src     string
		want    []want
	}{
		{"valid SCEP", "", scep, nil},
		{"unknown payload type", "", "  - name: w\n    type: com.apple.wifi.manged\n",
			[]want{{Error, "payloads[0].type", "7:11", `not a payload type in Apple's schema; did you mean "com.apple.wifi.managed"?`}}},
		{"unknown key", "", "  - name: w\n    type: com.apple.wifi.managed\n    keys:\n      SSID: Example\n",
			[]want{{Error, "payloads[0].keys.SSID", "9:7", `SSID is not a key of the payload in Apple's schema; did you mean "SSID_STR"?`}}},
		{"YAML yes for a boolean", "", "  - name: w\n    type: com.apple.wifi.managed\n    keys:\n      SSID_STR: Example\n      AutoJoin: yes\n",
			[]want{{Error, "payloads[0].keys.AutoJoin", "10:7", `AutoJoin wants true or false, got text "yes" (write true or false)`}}},
		{"quoted number", "", strings.Replace(scep, "        URL:", "        Keysize: \"2048\"\n        URL:", 1),
			[]want{{Error, "payloads[0].keys.PayloadContent.Keysize", "10:9", `PayloadContent.Keysize wants a whole number, got text "2048" (remove the quotes for a number)`}}},
		{"value not allowed", "", strings.Replace(scep, "        URL:", "        Keysize: 1000\n        URL:", 1),
			[]want{{Error, "payloads[0].keys.PayloadContent.Keysize", "10:9", "is 1000; Apple allows 1024, 2048 or 4096"}}},
		{"out of range", "", "  - name: pw\n    type: com.apple.mobiledevice.passwordpolicy\n    keys:\n      maxFailedAttempts: 20\n",
			[]want{{Error, "payloads[0].keys.maxFailedAttempts", "9:7", "is 20, outside Apple's range [2, 11]"}}},
		{"format", "", "  - name: v\n    type: com.apple.eas.account\n    keys:\n      PayloadCertificateUUID: not-a-uuid\n",
			[]want{{Error, "payloads[0].keys.PayloadCertificateUUID", "9:7", "does not match Apple's format"}}},
		{"missing required nested key", "", "  - name: identity\n    type: com.apple.security.scep\n    keys:\n      PayloadContent:\n        Keysize: 2048\n",
			[]want{{Error, "payloads[0].keys.PayloadContent", "9:7", "missing PayloadContent.URL, which Apple's schema requires"}}},
		{"missing required key", "", "  - name: identity\n    type: com.apple.security.scep\n",
			[]want{{Error, "payloads[0].keys", "", "missing PayloadContent, which Apple's schema requires"}}},
		{"deep wrong type", "", strings.Replace(scep, "        URL:", "        SubjectAltName:\n          ntPrincipalName: [a, b]\n        URL:", 1),
			[]want{{Error, "payloads[0].keys.PayloadContent.SubjectAltName.ntPrincipalName", "11:11", "wants text, got a list"}}},
		{"data given as text", "", "  - name: p\n    type: com.apple.security.pkcs12\n    keys:\n      PayloadContent: MIIabc\n",
			[]want{{Error, "payloads[0].keys.PayloadContent", "9:7", "wants data (write !!binary followed by base64)"}}},
		{"data as !!binary", "", "  - name: p\n    type: com.apple.security.pkcs12\n    keys:\n      PayloadContent: !!binary TUlJYWJj\n", nil},
		{"introduced after min_ios", "  min_ios: \"17.0\"\n", "  - name: r\n    type: com.apple.applicationaccess\n    keys:\n      allowAppsToBeHidden: false\n",
			[]want{{Warning, "payloads[0].keys.allowAppsToBeHidden", "10:7", "allowAppsToBeHidden needs iOS 18.0; profile.min_ios is 17.0"}, {Warning, "payloads[0].keys.allowAppsToBeHidden", "10:7", "supervised devices only"}}},
		{"deprecated key", "", "  - name: r\n    type: com.apple.applicationaccess\n    keys:\n      allowPhotoStream: false\n",
			[]want{{Warning, "payloads[0].keys.allowPhotoStream", "9:7", "allowPhotoStream is deprecated since iOS 17.0"}}},
		{"supervised key", "", "  - name: r\n    type: com.apple.applicationaccess\n    keys:\n      allowAirDrop: false\n",
			[]want{{Warning, "payloads[0].keys.allowAirDrop", "9:7", "allowAirDrop takes effect on supervised devices only"}}},
		{"MDM-only payload installed by hand", "  install: manual\n", "  - name: d\n    type: com.apple.dnsProxy.managed\n    keys:\n      AppBundleIdentifier: com.example.dns\n      ProviderBundleIdentifier: com.example.dns.provider\n",
			[]want{{Warning, "payloads[0].type", "8:11", "com.apple.dnsProxy.managed must be installed by MDM; profile.install is manual"}}},
		{"MDM-only key installed by hand", "  install: manual\n", "  - name: r\n    type: com.apple.applicationaccess\n    keys:\n      allowOpenFromManagedToUnmanaged: false\n      allowUnmanagedToReadManagedContacts: false\n",
			[]want{{Warning, "payloads[0].keys.allowUnmanagedToReadManagedContacts", "11:7", "must be installed by MDM"}}},
		{"not on the platform", "  platform: macOS\n", "  - name: e\n    type: com.apple.eas.account\n",
			[]want{{Error, "payloads[0].type", "8:11", "com.apple.eas.account is not available on macOS (available on iOS 4.0, visionOS 1.1)"}}},
		{"bad platform", "  platform: iPadOS\n", "  - name: e\n    type: com.apple.eas.account\n",
			[]want{{Error, "profile.platform", "5:13", `"iPadOS" is not a platform; choose iOS, macOS, tvOS, visionOS or watchOS`}}},
		{"one-per-profile payload twice", "", "  - name: a\n    type: com.apple.app.lock\n    keys:\n      App: {Identifier: com.example.a}\n  - name: b\n    type: com.apple.app.lock\n    keys:\n      App: {Identifier: com.example.b}\n",
			[]want{{Error, "payloads[1].type", "11:11", "a profile may hold only one com.apple.app.lock payload"}, {Warning, "payloads[0].type", "", "supervised"}, {Warning, "payloads[1].type", "", "supervised"}}},
		{"Apple type without a dot", "  platform: macOS\n", "  - name: lw\n    type: loginwindow\n    keys:\n      DisableLoginItemsSuppression: true\n", nil},
		{"uuid reference", "", scep + "  - name: vpn\n    type: com.apple.eas.account\n    keys:\n      PayloadCertificateUUID: !uuid identity\n", nil},
		{"uuid reference to nothing", "", scep + "  - name: vpn\n    type: com.apple.eas.account\n    keys:\n      PayloadCertificateUUID: !uuid identiy\n",
			[]want{{Error, "payloads[1].keys.PayloadCertificateUUID", "14:31", `!uuid identiy: no payloads entry is named "identiy"; did you mean "identity"?`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectFindings(t, findings(payloadPolicy(tt.profile, tt.src)), tt.want) })
	}
}

// TestSchemaTypesCompiled checks values reach the profile with the plist
// type Apple's schema wants, and references resolve to the target's UUID.
func TestSchemaTypesCompiled(t *testing.T) {
	src := payloadPolicy("", `  - name: identity
    type: com.apple.security.scep
    keys:
      PayloadContent:
        URL: https://scep.example.com/scep
  - name: exchange-account
    type: com.apple.eas.account
    keys:
      PayloadCertificateUUID: !uuid identity
  - name: wifi
    type: com.apple.wifi.managed
    keys:
      SSID_STR: Example
      EncryptionType: WPA2
      Password: x
`)
	p, ds := Decode("t.yaml", []byte(src))
	if ds = append(ds, Validate(p)...); ds.Errors() > 0 {
		t.Fatal(ds)
	}
	tree, err := p.ProfileTree(Options{})
	if err != nil {
		t.Fatal(err)
	}
	content := tree["PayloadContent"].([]any)
	scepUUID := content[0].(map[string]any)["PayloadUUID"]
	if got := content[1].(map[string]any)["PayloadCertificateUUID"]; got != scepUUID || got != PayloadUUID("com.example.t.identity") {
		t.Errorf("!uuid identity became %v, want the SCEP payload's UUID %v", got, scepUUID)
	}
}

// TestAllowedBesideRange covers Apple's "0, or 1 to 180" keys (the MCX
// energy saver timers): either kind of value is fine, neither is an error.
func TestAllowedBesideRange(t *testing.T) {
	lo, hi := 1.0, 180.0
	ks := &schema.Key{Name: "Display Sleep Timer", Type: schema.Integer, Allowed: []any{int64(0)}, Range: &schema.Range{Min: &lo, Max: &hi}}
	for v, ok := range map[int64]bool{0: true, 1: true, 180: true, 181: false, -1: false} {
		var ds Diagnostics
		c := newSchemaCheck(Devices{}, &ds)
		c.value(ks, v, site{locate: func(string) (string, Pos) { return "k", Pos{} }}, "k", nil)
		if got := ds.Errors() == 0; got != ok {
			t.Errorf("%d: accepted=%v, want %v (%v)", v, got, ok, ds)
		}
	}
}
