package profiles_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/mdmforge/mdmforge/profiles"
)

func Example() {
	src := []byte(`version: 1
target: intune
profile:
  name: contacts
  identifier: com.example.contacts
  min_ios: "13.0"
exchange:
  host: outlook.office365.com
  email: ${user.email}
  username: ${user.upn}
  auth: oauth
  sync: [contacts]
  users_can_change_sync: false
outlook:
  save_contacts: false
  users_can_change_save_contacts: false
`)
	policy, findings := profiles.Decode("contacts.yaml", src)
	findings = append(findings, profiles.Validate(policy)...)
	if findings.Errors() > 0 {
		fmt.Println(findings)
		return
	}
	outputs, err := policy.Build(profiles.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range outputs {
		fmt.Println(o.Name)
	}
	// Output:
	// contacts.mobileconfig
	// contacts.outlook.plist
}

func ExampleDecode() {
	_, findings := profiles.Decode("p.yaml", []byte("version: 1\nexchange:\n  ssl: yes\n"))
	for _, d := range findings {
		fmt.Println(d)
	}
	// Output:
	// error: exchange.ssl: want true or false, got "yes" (YAML 1.1 yes/no/on/off are text in mdmforge)
	//     p.yaml:3:8
}

func ExamplePayloadUUID() {
	// The UUID depends only on the identifier, so it survives every edit of
	// the payload's settings.
	fmt.Println(profiles.PayloadUUID("com.example.contacts") == profiles.PayloadUUID("com.example.contacts"))
	// Output: true
}

func ExampleLookupSetting() {
	s, ok := profiles.LookupSetting("payloads[0].type")
	fmt.Println(ok, s.Path, s.Type, s.Required)
	// Output: true payloads[].type text true
}

func ExamplePolicySetting_WriteText() {
	s, _ := profiles.LookupSetting("profile.min_ios")
	if err := s.WriteText(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// SETTING:      profile.min_ios
	// TYPE:         text
	// PRESENCE:     optional
	// PATTERN:      ^[0-9]+(\.[0-9]+){0,2}$
	// COMPILES TO:  nothing in the outputs; it tells mdmforge how to build and check them
	// REFERENCE:    docs/policy.md, section profile
	//
	// The oldest iOS the profile is meant for, quoted ("13.0"); warnings compare
	// settings with it. Written nowhere.
}

func ExampleWritePolicySettings() {
	var b bytes.Buffer
	if err := profiles.WritePolicySettings(&b); err != nil {
		fmt.Println(err)
	}
	lines := strings.Split(b.String(), "\n")
	for _, line := range lines[:3] {
		fmt.Println(strings.Fields(line)[:2])
	}
	// Output:
	// [SETTING TYPE]
	// [version whole]
	// [target text]
}

func ExampleDescribe() {
	profile := map[string]any{
		"PayloadType": "Configuration", "PayloadIdentifier": "com.example.wifi",
		"PayloadUUID": "5C2B3C51-7E25-4F0B-9A64-7B6E3D0C9A11", "PayloadDisplayName": "Office Wi-Fi",
		"PayloadContent": []any{map[string]any{
			"PayloadType": "com.apple.wifi.managed", "PayloadIdentifier": "com.example.wifi.office",
			"PayloadUUID": "0E9D3F7A-2B1C-4D5E-8F60-1A2B3C4D5E6F",
			"SSID_STR":    "Office\x1b[2J", "Password": "hunter2",
		}},
	}
	review := profiles.Describe(profile)
	fmt.Println(review.Profile.DisplayName)
	for _, p := range review.Payloads {
		fmt.Println(p.Type, p.Keys)
	}
	// Output:
	// Office Wi-Fi
	// com.apple.wifi.managed map[Password:<secret> SSID_STR:Office\x1b[2J]
}

// ImportProfile turns a profile another tool wrote into a policy that
// builds back into it: here Jamf Pro's bare-UUID identifiers, shared by the
// payload, and a payload without a display name.
func ExampleImportProfile() {
	src := []byte(`<plist version="1.0"><dict>
<key>PayloadContent</key><array><dict>
	<key>LoginwindowText</key><string>Property of Example</string>
	<key>PayloadEnabled</key><true/>
	<key>PayloadIdentifier</key><string>1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9</string>
	<key>PayloadType</key><string>com.apple.loginwindow</string>
	<key>PayloadUUID</key><string>0B0F6C9E-5C43-4C39-9A53-2B0A1F2E3D4C</string>
	<key>PayloadVersion</key><integer>1</integer>
</dict></array>
<key>PayloadIdentifier</key><string>1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9</string>
<key>PayloadType</key><string>Configuration</string>
<key>PayloadUUID</key><string>1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9</string>
<key>PayloadVersion</key><integer>1</integer>
</dict></plist>`)
	im, err := profiles.ImportProfile("login.mobileconfig", src, profiles.ImportOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s\n%s", im.PlatformWhy, im.Policy)
	// Output:
	// payload com.apple.loginwindow is macOS-only
	// # Imported from login.mobileconfig by mdmforge import. Its identifiers and UUIDs are kept,
	// # so the first build updates the profile devices already have.
	// version: 1
	// profile:
	//   name: login
	//   identifier: 1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9
	//   uuid: 1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9
	//   imported: true
	//   platform: macOS # inferred: payload com.apple.loginwindow is macOS-only
	// payloads:
	//   - name: loginwindow
	//     type: com.apple.loginwindow
	//     identifier: 1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9
	//     uuid: 0B0F6C9E-5C43-4C39-9A53-2B0A1F2E3D4C
	//     keys:
	//       LoginwindowText: Property of Example
	//       PayloadEnabled: true
}
