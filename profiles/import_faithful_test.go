package profiles

import (
	"strings"
	"testing"

	"howett.net/plist"
)

// profileXML wraps payload dictionaries and top-level keys (plist XML
// fragments) in a profile whose identifiers are the given ones.
func profileXML(top, payload string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
<key>PayloadContent</key><array><dict>
<key>PayloadType</key><string>com.apple.webClip.managed</string>
<key>PayloadUUID</key><string>0b0f6c9e-5c43-4c39-9a53-2b0a1f2e3d4c</string>
<key>Label</key><string>Help</string><key>URL</key><string>https://help.example.com</string>
` + payload + `</dict></array>
<key>PayloadType</key><string>Configuration</string>
<key>PayloadUUID</key><string>6D3C1E2A-8B4F-4A7D-9E0C-5F6A7B8C9D0E</string>
` + top + `</dict></plist>`)
}

const (
	bareIDs     = "<key>PayloadIdentifier</key><string>6D3C1E2A-8B4F-4A7D-9E0C-5F6A7B8C9D0E</string>"
	payloadSame = "<key>PayloadIdentifier</key><string>6D3C1E2A-8B4F-4A7D-9E0C-5F6A7B8C9D0E</string>"
)

// TestImportFaithful checks each way other tools' profiles differ from
// what mdmforge writes: built back, the profile must be the source.
func TestImportFaithful(t *testing.T) {
	for _, tc := range []struct{ name, top, payload string }{
		{"bare UUID identifiers, payload id = profile id (Jamf)", bareIDs + "<key>PayloadVersion</key><integer>1</integer>", payloadSame + "<key>PayloadVersion</key><integer>1</integer>"},
		{"no display names anywhere", bareIDs + "<key>PayloadVersion</key><integer>1</integer>", "<key>PayloadIdentifier</key><string>help</string><key>PayloadVersion</key><integer>1</integer>"},
		{"empty strings kept", bareIDs + "<key>PayloadVersion</key><integer>1</integer><key>PayloadDisplayName</key><string></string><key>PayloadOrganization</key><string></string><key>PayloadDescription</key><string></string>",
			payloadSame + "<key>PayloadVersion</key><integer>1</integer><key>PayloadDisplayName</key><string></string><key>PayloadDescription</key><string></string>"},
		{"text PayloadVersion", bareIDs + "<key>PayloadVersion</key><string>1</string>", payloadSame + "<key>PayloadVersion</key><string>1</string>"},
		{"PayloadEnabled and PayloadScope", bareIDs + "<key>PayloadVersion</key><integer>1</integer><key>PayloadScope</key><string>System</string><key>PayloadEnabled</key><true/>",
			payloadSame + "<key>PayloadVersion</key><integer>1</integer><key>PayloadEnabled</key><false/>"},
		{"integer where the schema says real (safariAcceptCookies), integer for a boolean", bareIDs + "<key>PayloadVersion</key><integer>1</integer>",
			"<key>PayloadIdentifier</key><string>com.example.w</string><key>PayloadVersion</key><integer>1</integer><key>Precomposed</key><integer>1</integer><key>safariAcceptCookies</key><integer>2</integer>"},
		{"integer DurationUntilRemoval, PayloadRemovalDisallowed false", bareIDs + "<key>PayloadVersion</key><integer>1</integer><key>DurationUntilRemoval</key><integer>60</integer><key>PayloadRemovalDisallowed</key><false/>", payloadSame + "<key>PayloadVersion</key><integer>1</integer>"},
		{"data and dates", bareIDs + "<key>PayloadVersion</key><integer>1</integer><key>RemovalDate</key><date>2027-06-30T18:00:00Z</date><key>DurationUntilRemoval</key><real>86400</real>",
			payloadSame + "<key>PayloadVersion</key><integer>1</integer><key>Icon</key><data>iVBORw0KGgo=</data><key>d</key><date>2024-01-02T03:04:05Z</date>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := profileXML(tc.top, tc.payload)
			im, err := ImportProfile("help.mobileconfig", src, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			p, ds := Decode("p.yaml", im.Policy)
			if ds.Errors() > 0 {
				t.Fatalf("imported policy does not decode:\n%v\n%s", ds, im.Policy)
			}
			// Schema findings (PayloadEnabled, 0/1 booleans) are lint's; the
			// policy's own rules must take what devices take.
			for _, d := range Validate(p) {
				if d.Severity == Error && strings.HasPrefix(d.Path, "profile.") && !strings.HasPrefix(d.Path, "profile.keys") || d.Path == "profile.identifier" || strings.HasSuffix(d.Path, ".identifier") || strings.HasSuffix(d.Path, ".uuid") || strings.HasSuffix(d.Path, ".name") {
					t.Errorf("imported policy: %v", d)
				}
			}
			built, err := p.Mobileconfig(Options{})
			if err != nil {
				t.Fatal(err)
			}
			var a, b map[string]any
			if _, err := plist.Unmarshal(src, &a); err != nil {
				t.Fatal(err)
			}
			if _, err := plist.Unmarshal(built, &b); err != nil {
				t.Fatal(err)
			}
			if d := TreeDiffs(a, b, 0); len(d) > 0 {
				t.Errorf("rebuilt profile differs at %v\n%s\n%s", d, im.Policy, built)
			}
		})
	}
}

// TestImportRefusesWhatPoliciesCannotSay: import names the key and returns
// no policy rather than one that builds into another profile.
func TestImportRefusesWhatPoliciesCannotSay(t *testing.T) {
	for _, tc := range []struct{ name, top, payload, want string }{
		{"payload without PayloadVersion", bareIDs + "<key>PayloadVersion</key><integer>1</integer>", payloadSame, "PayloadContent[0].PayloadVersion (added by build)"},
		{"profile without PayloadVersion", bareIDs, payloadSame + "<key>PayloadVersion</key><integer>1</integer>", "PayloadVersion (added by build)"},
		{"an integer beyond int64", bareIDs + "<key>PayloadVersion</key><integer>1</integer>", payloadSame + "<key>PayloadVersion</key><integer>1</integer><key>big</key><integer>18446744073709551615</integer>", "payloads[0].keys.big"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im, err := ImportProfile("help.mobileconfig", profileXML(tc.top, tc.payload), ImportOptions{})
			if err == nil {
				t.Fatalf("import succeeded:\n%s", im.Policy)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "cannot express") {
				t.Errorf("error %q does not name %q", err, tc.want)
			}
			t.Log(err)
		})
	}
}

// TestNewPoliciesKeepDefaults: without profile.imported, build still
// names the profile and its payloads and leaves empty text out.
func TestNewPoliciesKeepDefaults(t *testing.T) {
	p, ds := Decode("p.yaml", []byte(`version: 1
profile: {name: help, identifier: com.example.help, organization: ""}
payloads:
  - {name: clip, type: com.apple.webClip.managed, keys: {Label: Help, URL: https://help.example.com, Precomposed: true}}
`))
	if ds = append(ds, Validate(p)...); ds.Errors() > 0 {
		t.Fatal(ds)
	}
	tree, err := p.ProfileTree(Options{})
	if err != nil {
		t.Fatal(err)
	}
	pl := tree["PayloadContent"].([]any)[0].(map[string]any)
	if tree["PayloadDisplayName"] != "help" || pl["PayloadDisplayName"] != "clip" {
		t.Errorf("display names not defaulted: %v, %v", tree["PayloadDisplayName"], pl["PayloadDisplayName"])
	}
	if _, set := tree["PayloadOrganization"]; set {
		t.Error("empty organization written")
	}
}

// TestImportRecordsPlatform: the inferred platform goes into the policy,
// with the reason beside it.
func TestImportRecordsPlatform(t *testing.T) {
	src := []byte(strings.Replace(string(profileXML(bareIDs+"<key>PayloadVersion</key><integer>1</integer>", payloadSame+"<key>PayloadVersion</key><integer>1</integer>")),
		"com.apple.webClip.managed", "com.google.Chrome", 1))
	im, err := ImportProfile("chrome.mobileconfig", src, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if im.Platform != "macOS" || !strings.Contains(string(im.Policy), "platform: macOS # inferred: "+im.PlatformWhy) {
		t.Errorf("platform %q (%s) not recorded:\n%s", im.Platform, im.PlatformWhy, im.Policy)
	}
}

// TestImportQuotesYAML11Booleans: text that YAML 1.1 readers take for a
// boolean (FileVault's Enable: On) is written quoted.
func TestImportQuotesYAML11Booleans(t *testing.T) {
	im, err := ImportProfile("fv.mobileconfig", profileXML(bareIDs+"<key>PayloadVersion</key><integer>1</integer>",
		payloadSame+"<key>PayloadVersion</key><integer>1</integer><key>Enable</key><string>On</string><key>Other</key><string>Only</string>"), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(im.Policy), `Enable: "On"`) || !strings.Contains(string(im.Policy), "Other: Only\n") {
		t.Errorf("On not quoted, or Only quoted:\n%s", im.Policy)
	}
}

// TestImportRefusesEncrypted: an encrypted profile's payloads cannot be
// read, so there is nothing to import.
func TestImportRefusesEncrypted(t *testing.T) {
	src := []byte(`<plist version="1.0"><dict>
<key>EncryptedPayloadContent</key><data>AAEC</data><key>IsEncrypted</key><true/>
<key>PayloadIdentifier</key><string>com.example.enc</string><key>PayloadType</key><string>Configuration</string>
<key>PayloadUUID</key><string>6D3C1E2A-8B4F-4A7D-9E0C-5F6A7B8C9D0E</string><key>PayloadVersion</key><integer>1</integer>
</dict></plist>`)
	if _, err := ImportProfile("enc.mobileconfig", src, ImportOptions{}); err == nil || !strings.Contains(err.Error(), "encrypted") {
		t.Errorf("got %v, want the encrypted payloads named", err)
	}
}
