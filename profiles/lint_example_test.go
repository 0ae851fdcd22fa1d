package profiles_test

import (
	"fmt"

	"github.com/mdmforge/mdmforge/profiles"
)

// ExampleLint lints a hand-made Wi-Fi profile without naming its platform:
// the note says which was inferred, and every finding comes in one run,
// the missing PayloadUUID beside the others.
func ExampleLint() {
	src := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0">
<dict>
	<key>PayloadContent</key>
	<array>
		<dict>
			<key>AutoJoin</key>
			<integer>1</integer>
			<key>PayloadEnabled</key>
			<true/>
			<key>PayloadIdentifier</key>
			<string>com.example.wifi</string>
			<key>PayloadType</key>
			<string>com.apple.wifi.managed</string>
			<key>PayloadVersion</key>
			<integer>1</integer>
			<key>SSID</key>
			<string>Example</string>
		</dict>
	</array>
	<key>PayloadIdentifier</key>
	<string>com.example</string>
	<key>PayloadType</key>
	<string>Configuration</string>
	<key>PayloadUUID</key>
	<string>1D2E3F4A-5B6C-4D7E-8F9A-0B1C2D3E4F50</string>
	<key>PayloadVersion</key>
	<integer>1</integer>
</dict>
</plist>`)
	findings := profiles.Lint("wifi.mobileconfig", src, profiles.Devices{})
	fmt.Println(findings)
	fmt.Println(findings.Errors(), "errors,", findings.Warnings(), "warnings")
	// Output:
	// warning: platform iOS inferred: every payload is available on iOS, which comes first of iOS, macOS, tvOS, visionOS, watchOS; this is a guess: pass --platform to say which
	//     wifi.mobileconfig
	// error: PayloadContent[0]: missing PayloadUUID, which Apple's schema requires; give it a unique value (uuidgen prints one), and keep it when you change the profile
	//     wifi.mobileconfig:6:3
	// warning: PayloadContent[0].AutoJoin: AutoJoin wants true or false, got 1; devices read it as true, but stricter tools refuse it: write <true/>
	//     wifi.mobileconfig:7:4
	// error: PayloadContent[0].SSID: SSID is not a key of the com.apple.wifi.managed payload in Apple's schema; did you mean "SSID_STR"?
	//     wifi.mobileconfig:17:4
	// 2 errors, 2 warnings
}

// A Wi-Fi payload fits every platform, so the platform InferPlatform
// chooses for it is only the first in order: a guess to confirm.
func ExamplePlatformGuessed() {
	wifi := map[string]any{"PayloadContent": []any{map[string]any{"PayloadType": "com.apple.wifi.managed"}}}
	tcc := map[string]any{"PayloadContent": []any{map[string]any{"PayloadType": "com.apple.TCC.configuration-profile-policy"}}}
	p, _ := profiles.InferPlatform(wifi)
	fmt.Println(p, profiles.PlatformGuessed(wifi))
	p, _ = profiles.InferPlatform(tcc)
	fmt.Println(p, profiles.PlatformGuessed(tcc))
	// Output:
	// iOS true
	// macOS false
}
