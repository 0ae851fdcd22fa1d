package profiles

import (
	"fmt"
	"strings"
	"testing"
)

// plistProfile writes a small XML profile: the top level's housekeeping
// keys (unless top replaces them) and each payload's dictionary.
func plistProfile(top string, payloads ...string) string {
	if top == "" {
		top = topKeys
	}
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n<key>PayloadContent</key>\n<array>\n")
	for _, p := range payloads {
		b.WriteString("<dict>\n" + p + "</dict>\n")
	}
	b.WriteString("</array>\n" + top + "</dict>\n</plist>\n")
	return b.String()
}

const topKeys = `<key>PayloadIdentifier</key><string>com.example.p</string>
<key>PayloadType</key><string>Configuration</string>
<key>PayloadUUID</key><string>6F1D2B4C-3A5E-4F60-8A7B-9C0D1E2F3A4B</string>
<key>PayloadVersion</key><integer>1</integer>
`

// payloadKeys returns a payload's housekeeping keys.
func payloadKeys(typ string, n int) string {
	return fmt.Sprintf(`<key>PayloadIdentifier</key><string>com.example.p.%d</string>
<key>PayloadType</key><string>%s</string>
<key>PayloadUUID</key><string>6F1D2B4C-3A5E-4F60-8A7B-9C0D1E2F3A%02d</string>
<key>PayloadVersion</key><integer>1</integer>
`, n, typ, n)
}

const wifi = "<key>SSID_STR</key><string>Example</string>\n"

// tccEntry is one Camera entry of a privacy preferences payload.
func tccEntry(service, extra string) string {
	return `<key>Services</key><dict><key>` + service + `</key><array><dict>
<key>Identifier</key><string>com.example.app</string>
<key>IdentifierType</key><string>bundleID</string>
<key>CodeRequirement</key><string>identifier "com.example.app"</string>
` + extra + `</dict></array></dict>
`
}

func TestLint(t *testing.T) {
	iOS, macOS := Devices{Platform: "iOS"}, Devices{Platform: "macOS"}
	tests := []struct {
		name    string
		devices Devices
		src     string
		want    []want // every finding, exactly
	}{
		{"clean", iOS, plistProfile("", payloadKeys("com.apple.wifi.managed", 1)+wifi), nil},
		{"a per-app VPN with the VPN payload's keys", iOS, plistProfile("", payloadKeys("com.apple.vpn.managed.applayer", 1)+`<key>VPNUUID</key><string>A1B2C3D4-0000-4000-8000-000000000001</string>
<key>UserDefinedName</key><string>Example</string><key>VPNType</key><string>IKEv2</string>
<key>IKEv2</key><dict><key>RemoteAddress</key><string>vpn.example.com</string><key>RemoteIdentifier</key><string>vpn.example.com</string><key>LocalIdentifier</key><string>me</string><key>AuthenticationMethod</key><string>Certificate</string></dict>
<key>SafariDomains</key><array><string>example.com</string></array>
`), nil},
		{"a per-app VPN's inherited keys are checked", iOS, plistProfile("", payloadKeys("com.apple.vpn.managed.applayer", 1)+`<key>VPNUUID</key><string>A1B2C3D4-0000-4000-8000-000000000001</string>
<key>UserDefinedName</key><string>Example</string><key>VPNType</key><string>IKEv3</string>
`), []want{{Error, "PayloadContent[0].VPNType", "", `VPNType is text "IKEv3"; Apple allows`}}},
		{"VPN.AuthName and AuthPassword under an SSL plug-in", iOS, plistProfile("", payloadKeys("com.apple.vpn.managed", 1)+`<key>UserDefinedName</key><string>Example</string><key>VPNType</key><string>VPN</string><key>VPNSubType</key><string>com.example.vpn</string>
<key>VPN</key><dict><key>RemoteAddress</key><string>vpn.example.com</string><key>AuthName</key><string>me</string><key>AuthPassword</key><string>pw</string><key>AuthenticationMethod</key><string>Password</string></dict>
`), nil},
		{"Home Screen items of type Application and App", iOS, plistProfile("", payloadKeys("com.apple.homescreenlayout", 1)+`<key>Dock</key><array><dict><key>Type</key><string>Application</string><key>BundleID</key><string>com.apple.mobilesafari</string></dict>
<dict><key>Type</key><string>App</string><key>BundleID</key><string>com.apple.mobilemail</string></dict></array>
<key>Pages</key><array><array><dict><key>Type</key><string>Folder</string><key>DisplayName</key><string>Work</string><key>Pages</key><array><array><dict><key>Type</key><string>Application</string><key>BundleID</key><string>com.apple.Maps</string></dict></array></array></dict></array></array>
`), []want{{Warning, "PayloadContent[0].PayloadType", "", "supervised devices only"}}},
		{"Home Screen items of another type", iOS, plistProfile("", payloadKeys("com.apple.homescreenlayout", 1)+`<key>Dock</key><array><dict><key>Type</key><string>Program</string><key>BundleID</key><string>com.apple.mobilesafari</string></dict></array>
<key>Pages</key><array></array>
`), []want{{Warning, "PayloadContent[0].PayloadType", "", "supervised devices only"}, {Error, "PayloadContent[0].Dock[0].Type", "", `Apple allows "App", "Folder" or "WebClip" (devices also accept "Application")`}}},
		{"Wake On LAN as IOKit spells it, and Wake on LAN as Apple's YAML does", macOS, plistProfile("", payloadKeys("com.apple.MCX", 1)+`<key>com.apple.EnergySaver.desktop.ACPower</key><dict><key>Wake On LAN</key><integer>1</integer></dict>
<key>com.apple.EnergySaver.portable.ACPower</key><dict><key>Wake on LAN</key><integer>1</integer></dict>
<key>com.apple.EnergySaver.portable.BatteryPower</key><dict><key>Wake On LAN</key><integer>2</integer></dict>
`), []want{{Error, "PayloadContent[0].com.apple.EnergySaver.portable.BatteryPower.Wake On LAN", "", "is 2; Apple allows 0 or 1"}}},
		{"a screensaver without moduleName", macOS, plistProfile("", payloadKeys("com.apple.screensaver", 1)+"<key>askForPassword</key><true/>\n<key>askForPasswordDelay</key><integer>5</integer>\n"),
			[]want{{Warning, "PayloadContent[0]", "", "missing moduleName, which Apple's schema requires; Macs install"}}},
		{"a key of another payload is named", macOS, plistProfile("", payloadKeys("com.apple.loginwindow", 1)+"<key>DisableGuestAccount</key><true/>\n"),
			[]want{{Error, "PayloadContent[0].DisableGuestAccount", "11:1", "DisableGuestAccount is not a key of the com.apple.loginwindow payload in Apple's schema; it is a key of com.apple.MCX: move it into such a payload, if that is what was meant"}}},
		{"PayloadRemovalDisallowed false is no supervision matter", iOS, plistProfile(topKeys+"<key>PayloadRemovalDisallowed</key><false/>\n", payloadKeys("com.apple.wifi.managed", 1)+wifi), nil},
		{"PayloadRemovalDisallowed true is", iOS, plistProfile(topKeys+"<key>PayloadRemovalDisallowed</key><true/>\n", payloadKeys("com.apple.wifi.managed", 1)+wifi),
			[]want{{Warning, "PayloadRemovalDisallowed", "", "supervised devices only"}}},
		{"PayloadEnabled in a payload and at the top", iOS,
			plistProfile(topKeys+"<key>PayloadEnabled</key><true/>\n", payloadKeys("com.apple.wifi.managed", 1)+wifi+"<key>PayloadEnabled</key><false/>\n"), nil},
		{"PayloadEnabled not a boolean", iOS, plistProfile("", payloadKeys("com.apple.wifi.managed", 1)+wifi+"<key>PayloadEnabled</key><string>yes</string>\n"),
			[]want{{Error, "PayloadContent[0].PayloadEnabled", "", `PayloadEnabled wants true or false, got text "yes"`}}},
		{"every top-level key of Apple's profile format", macOS, plistProfile(topKeys+`<key>PayloadDisplayName</key><string>P</string>
<key>PayloadDescription</key><string></string>
<key>PayloadOrganization</key><string></string>
<key>PayloadScope</key><string>System</string>
<key>PayloadRemovalDisallowed</key><false/>
<key>HasRemovalPasscode</key><false/>
<key>IsEncrypted</key><false/>
<key>PayloadExpirationDate</key><date>2030-01-01T00:00:00Z</date>
<key>RemovalDate</key><date>2030-01-01T00:00:00Z</date>
<key>DurationUntilRemoval</key><real>3600</real>
<key>TargetDeviceType</key><integer>5</integer>
<key>ConsentText</key><dict><key>default</key><string>Agree?</string><key>en</key><string>Agree?</string></dict>
`, payloadKeys("com.apple.wifi.managed", 1)+wifi+"<key>PayloadDisplayName</key><string>W</string>\n<key>PayloadDescription</key><string></string>\n<key>PayloadOrganization</key><string>Example</string>\n"), nil},
		{"missing PayloadUUID is one finding among the others", iOS,
			plistProfile("", strings.Replace(payloadKeys("com.apple.wifi.managed", 1), "<key>PayloadUUID</key><string>6F1D2B4C-3A5E-4F60-8A7B-9C0D1E2F3A01</string>\n", "", 1)+wifi+"<key>AutoJoin</key><string>yes</string>\n"),
			[]want{{Error, "PayloadContent[0]", "6:1", "missing PayloadUUID, which Apple's schema requires"},
				{Error, "PayloadContent[0].AutoJoin", "11:1", "AutoJoin wants true or false"}}},
		{"empty top-level PayloadUUID and a missing PayloadVersion", iOS,
			plistProfile("<key>PayloadIdentifier</key><string>com.example.p</string>\n<key>PayloadType</key><string>Configuration</string>\n<key>PayloadUUID</key><string></string>\n",
				payloadKeys("com.apple.wifi.managed", 1)+wifi+"<key>SSID</key><string>x</string>\n"),
			[]want{{Error, "", "3:1", "missing PayloadVersion, which Apple's schema requires"},
				{Error, "PayloadUUID", "17:1", "PayloadUUID is empty"},
				{Error, "PayloadContent[0].SSID", "12:1", "SSID is not a key of the com.apple.wifi.managed payload"}}},
		{"missing PayloadType", iOS, plistProfile("", strings.Replace(payloadKeys("x", 1), "<key>PayloadType</key><string>x</string>\n", "", 1)),
			[]want{{Error, "PayloadContent[0]", "6:1", "missing PayloadType, which Apple's schema requires"}}},
		{"a payload that is not a dictionary", iOS, strings.Replace(plistProfile("", payloadKeys("com.apple.wifi.managed", 1)+wifi), "<array>\n", "<array>\n<string>x</string>\n", 1),
			[]want{{Error, "PayloadContent[0]", "6:1", `a payload is a dictionary, not text "x"`}}},
		{"text PayloadVersion", iOS, plistProfile("", strings.Replace(payloadKeys("com.apple.wifi.managed", 1), "<integer>1</integer>", "<string>1</string>", 1)+wifi),
			[]want{{Warning, "PayloadContent[0].PayloadVersion", "10:1", `PayloadVersion is text "1"; Apple's schema wants a whole number: write <integer>1</integer>`}}},
		{"PayloadVersion not allowed", iOS, plistProfile("", strings.Replace(payloadKeys("com.apple.wifi.managed", 1), "<integer>1</integer>", "<integer>3</integer>", 1)+wifi),
			[]want{{Error, "PayloadContent[0].PayloadVersion", "", "PayloadVersion is 3; Apple allows 1"}}},
		{"0 and 1 for booleans", iOS, plistProfile("", payloadKeys("com.apple.wifi.managed", 1)+wifi+"<key>AutoJoin</key><integer>1</integer>\n<key>HIDDEN_NETWORK</key><integer>0</integer>\n<key>IsHotspot</key><integer>2</integer>\n"),
			[]want{{Warning, "PayloadContent[0].AutoJoin", "", "AutoJoin wants true or false, got 1; devices read it as true, but stricter tools refuse it: write <true/>"},
				{Warning, "PayloadContent[0].HIDDEN_NETWORK", "", "write <false/>"},
				{Error, "PayloadContent[0].IsHotspot", "", "IsHotspot wants true or false, got 2"}}},
		{"a payload key at the top level", iOS, plistProfile(topKeys+"<key>AutoJoin</key><true/>\n", payloadKeys("com.apple.wifi.managed", 1)+wifi),
			[]want{{Error, "AutoJoin", "", "AutoJoin is a key of the com.apple.wifi.managed payload, not of the profile's top level"}}},
		{"a payload key at the top level, its payload missing", iOS, plistProfile(topKeys + "<key>SSID_STR</key><string>x</string>\n"),
			[]want{{Error, "SSID_STR", "", "SSID_STR is a key of com.apple.wifi.managed payloads, not of the profile's top level; it belongs in such a payload in PayloadContent"}}},
		{"a top-level key in a payload", iOS, plistProfile("", payloadKeys("com.apple.wifi.managed", 1)+wifi+"<key>PayloadRemovalDisallowed</key><true/>\n"),
			[]want{{Error, "PayloadContent[0].PayloadRemovalDisallowed", "", "PayloadRemovalDisallowed is a key of the profile's top level, not of a payload"}}},
		{"an unknown top-level key", iOS, plistProfile(topKeys + "<key>Nonsense</key><true/>\n"),
			[]want{{Error, "Nonsense", "", "Nonsense is not a key of the profile's top level in Apple's schema"}}},
		{"vendor keys in VendorConfig", macOS, plistProfile("", payloadKeys("com.apple.vpn.managed", 1)+`<key>VPNType</key><string>VPN</string>
<key>VPNSubType</key><string>com.example.vpn</string>
<key>UserDefinedName</key><string>VPN</string>
<key>VendorConfig</key><dict><key>Realm</key><string>EXAMPLE</string><key>tunnelMode</key><dict><key>split</key><true/></dict><key>Roles</key><string>x</string></dict>
`),
			[]want{{Warning, "PayloadContent[0].VendorConfig.Roles", "", `Roles is not a key Apple's schema lists in VendorConfig; did you mean "Role"?`}}},
		{"Apple's keys in VendorConfig are checked", macOS, plistProfile("", payloadKeys("com.apple.vpn.managed", 1)+`<key>VPNType</key><string>VPN</string>
<key>UserDefinedName</key><string>VPN</string>
<key>VendorConfig</key><dict><key>Realm</key><integer>1</integer></dict>
`),
			[]want{{Error, "PayloadContent[0].VendorConfig.Realm", "", "VendorConfig.Realm wants text, got 1"}}},
		{"custom settings are never descended into", macOS, plistProfile("", payloadKeys("com.apple.ManagedClient.preferences", 1)+`<key>PayloadContent</key><dict>
<key>com.example.app</key><dict>
<key>Forced</key><array><dict><key>mcx_preference_settings</key><dict><key>Anything</key><dict><key>Nested</key><array><integer>1</integer></array></dict></dict></dict></array>
<key>Set-Once</key><array><dict><key>mcx_data_timestamp</key><date>2024-01-01T00:00:00Z</date><key>mcx_preference_settings</key><dict><key>x</key><string>y</string></dict></dict></array>
<key>Often</key><array><dict><key>mcx_preference_settings</key><dict><key>x</key><string>y</string></dict></dict></array>
</dict>
</dict>
`),
			[]want{{Note, "PayloadContent[0].PayloadContent.com.example.app", "", "preference domain com.example.app is not in any schema mdmforge has"}}},
		{"a domain as the payload type, noted once", macOS, plistProfile("",
			payloadKeys("com.example.app", 1)+"<key>Anything</key><dict><key>x</key><true/></dict>\n<key>PayloadEnabled</key><true/>\n",
			payloadKeys("com.example.app", 2)+"<key>Other</key><integer>1</integer>\n"),
			[]want{{Note, "PayloadContent[0].PayloadType", "", "preference domain com.example.app is not in any schema mdmforge has; its keys are accepted unchecked"}}},
		{"a domain as the payload type on iOS", iOS, plistProfile("", payloadKeys("com.example.app", 1)),
			[]want{{Error, "PayloadContent[0].PayloadType", "", `"com.example.app" is not a payload type in Apple's schema`}}},
		{"a known domain near one of Apple's payload types", macOS, plistProfile("", payloadKeys("com.apple.timed", 1)+"<key>ExampleCorpSetting</key><true/>\n"), nil},
		{"a payload type that does not exist on macOS", macOS, plistProfile("", payloadKeys("com.apple.wifi.manged", 1)+wifi),
			[]want{{Error, "PayloadContent[0].PayloadType", "", `"com.apple.wifi.manged" is not a payload type in Apple's schema; did you mean "com.apple.wifi.managed"?`}}},
		{"keys newer than Apple's copy", iOS, plistProfile("", payloadKeys("com.apple.applicationaccess", 1)+"<key>allowMailSmartReplies</key><false/>\n<key>allowCamera</key><true/>\n"),
			[]want{{Note, "PayloadContent[0].PayloadType", "", "allowMailSmartReplies is not in Apple's schema copy (iOS 18.1, macOS 15.1); checked against ProfileManifests' facts, where mistakes are warnings"},
				{Warning, "PayloadContent[0].allowMailSmartReplies", "", "deprecated since iOS 26.4 (per ProfileManifests)"},
				{Warning, "PayloadContent[0].allowMailSmartReplies", "", "supervised devices only"}}},
		{"a newer key of the wrong type is a warning", iOS, plistProfile("", payloadKeys("com.apple.applicationaccess", 1)+"<key>allowMailSmartReplies</key><string>no</string>\n"),
			[]want{{Note, "PayloadContent[0].PayloadType", "", "allowMailSmartReplies is not in Apple's schema copy"},
				{Warning, "PayloadContent[0].allowMailSmartReplies", "", "deprecated since iOS 26.4"},
				{Warning, "PayloadContent[0].allowMailSmartReplies", "", "supervised devices only"},
				{Warning, "PayloadContent[0].allowMailSmartReplies", "", `allowMailSmartReplies wants true or false (per ProfileManifests), got text "no" (write <true/> or <false/>)`}}},
		{"a newer nested key", iOS, plistProfile("", payloadKeys("com.apple.dnsSettings.managed", 1)+"<key>DNSSettings</key><dict><key>DNSProtocol</key><string>HTTPS</string><key>ServerURL</key><string>https://dns.example.com/dns-query</string><key>AllowFailover</key><true/></dict>\n"),
			[]want{{Note, "PayloadContent[0].PayloadType", "", "DNSSettings.AllowFailover is not in Apple's schema copy"}}},
		{"a domain ProfileManifests describes", macOS, plistProfile("", payloadKeys("com.google.Chrome", 1)+"<key>AdsSettingForIntrusiveAdsSites</key><integer>5</integer>\n<key>HomepageLocation</key><string>https://example.com</string>\n<key>ExampleCorpSetting</key><true/>\n"),
			[]want{{Warning, "PayloadContent[0].AdsSettingForIntrusiveAdsSites", "", "AdsSettingForIntrusiveAdsSites is 5; ProfileManifests allows 1 or 2"}}},
		{"a domain ProfileManifests describes, in custom settings", macOS, plistProfile("", payloadKeys("com.apple.ManagedClient.preferences", 1)+`<key>PayloadContent</key><dict><key>com.google.Chrome</key><dict>
<key>Forced</key><array><dict><key>mcx_preference_settings</key><dict><key>HomepageLocation</key><integer>1</integer></dict></dict></array>
</dict></dict>
`),
			[]want{{Warning, "PayloadContent[0].PayloadContent.com.google.Chrome.Forced[0].mcx_preference_settings.HomepageLocation", "12:71", "HomepageLocation wants text (per ProfileManifests), got 1"}}},
		{"a near miss of a key ProfileManifests lists", macOS, plistProfile("", payloadKeys("com.google.Chrome", 1)+"<key>HomepageLocatoin</key><string>https://example.com</string>\n"),
			[]want{{Warning, "PayloadContent[0].HomepageLocatoin", "11:1", `HomepageLocatoin is not a key ProfileManifests lists in the settings of com.google.Chrome; did you mean "HomepageLocation"?`}}},
		{"an Apple payload as a domain in custom settings", macOS, plistProfile("", payloadKeys("com.apple.ManagedClient.preferences", 1)+`<key>PayloadContent</key><dict><key>com.apple.dock</key><dict>
<key>Forced</key><array><dict><key>mcx_preference_settings</key><dict><key>tilesize</key><string>big</string><key>some-other-setting</key><true/></dict></dict></array>
</dict></dict>
`),
			[]want{{Error, "PayloadContent[0].PayloadContent.com.apple.dock.Forced[0].mcx_preference_settings.tilesize", "", "tilesize wants a whole number, got text \"big\""}}},
		{"versions against --min-ios", Devices{Platform: "iOS", MinIOS: "17.0", Supervised: true}, plistProfile("", payloadKeys("com.apple.applicationaccess", 1)+"<key>allowAppsToBeHidden</key><false/>\n"),
			[]want{{Warning, "PayloadContent[0].allowAppsToBeHidden", "", "allowAppsToBeHidden needs iOS 18.0; --min-ios is 17.0, and older devices ignore it"}}},
		{"no iOS versions on macOS", Devices{Platform: "macOS", MinIOS: "9.0"}, plistProfile("", payloadKeys(tccPayload, 1)+tccEntry("Camera", "<key>Authorization</key><string>Allow</string>\n")), nil},
		{"MDM-only payload installed by hand", Devices{Platform: "macOS", Manual: true}, plistProfile("", payloadKeys(tccPayload, 1)+tccEntry("Camera", "<key>Allowed</key><true/>\n")),
			[]want{{Warning, "PayloadContent[0].PayloadType", "", "com.apple.TCC.configuration-profile-policy must be installed by MDM; --install is manual"}}},
		{"TCC with Authorization", macOS, plistProfile("", payloadKeys(tccPayload, 1)+tccEntry("Camera", "<key>Authorization</key><string>Allow</string>\n")), nil},
		{"TCC with Allowed", macOS, plistProfile("", payloadKeys(tccPayload, 1)+tccEntry("Camera", "<key>Allowed</key><true/>\n")), nil},
		{"TCC with 0 for Allowed", macOS, plistProfile("", payloadKeys(tccPayload, 1)+tccEntry("Camera", "<key>Allowed</key><integer>0</integer>\n<key>StaticCode</key><integer>1</integer>\n")),
			[]want{{Warning, "PayloadContent[0].Services.Camera[0].Allowed", "", "got 0; devices read it as false"},
				{Warning, "PayloadContent[0].Services.Camera[0].StaticCode", "", "got 1; devices read it as true"}}},
		{"TCC with neither", macOS, plistProfile("", payloadKeys(tccPayload, 1)+tccEntry("Camera", "")),
			[]want{{Error, "PayloadContent[0].Services.Camera[0]", "", "missing Services.Camera[0].Allowed (or Authorization), which Apple's schema requires"}}},
		{"TCC with both", macOS, plistProfile("", payloadKeys(tccPayload, 1)+tccEntry("Camera", "<key>Allowed</key><true/>\n<key>Authorization</key><string>Allow</string>\n")),
			[]want{{Warning, "PayloadContent[0].Services.Camera[0].Allowed", "", "sets both Allowed and Authorization"}}},
		{"TCC value Apple does not allow", macOS, plistProfile("", payloadKeys(tccPayload, 1)+tccEntry("Camera", "<key>Authorization</key><string>Allowed</string>\n")),
			[]want{{Error, "PayloadContent[0].Services.Camera[0].Authorization", "", `Apple allows "Allow", "Deny" or "AllowStandardUserToSetSystemService"`}}},
		{"TCC standard-user authorization for a service without it", macOS, plistProfile("",
			payloadKeys(tccPayload, 1)+tccEntry("Camera", "<key>Authorization</key><string>AllowStandardUserToSetSystemService</string>\n")),
			[]want{{Error, "PayloadContent[0].Services.Camera[0].Authorization", "", "only for the ListenEvent and ScreenCapture services"}}},
		{"TCC standard-user authorization for screen capture", macOS, plistProfile("",
			payloadKeys(tccPayload, 1)+tccEntry("ScreenCapture", "<key>Authorization</key><string>AllowStandardUserToSetSystemService</string>\n")), nil},
		{"platform inferred from a macOS-only payload", Devices{}, plistProfile("", payloadKeys(tccPayload, 1)+tccEntry("Camera", "<key>Authorization</key><string>Deny</string>\n")),
			[]want{{Note, "", "", "platform macOS inferred: payload com.apple.TCC.configuration-profile-policy is macOS-only"}}},
		{"no platform fits every payload: checked as iOS", Devices{}, plistProfile("", payloadKeys("com.apple.wifi.managed", 1)+wifi, payloadKeys(tccPayload, 2)+tccEntry("Camera", "<key>Authorization</key><string>Deny</string>\n"),
			payloadKeys("com.apple.eas.account", 3)),
			[]want{{Error, "", "3:1", "cannot infer the platform: no platform supports every payload: payload com.apple.TCC.configuration-profile-policy is macOS-only; payload com.apple.eas.account is not available on macOS (only iOS, visionOS); name one (lint --platform)"},
				{Error, "PayloadContent[1].PayloadType", "", "com.apple.TCC.configuration-profile-policy is not available on iOS"}}},
		{"encrypted payloads", iOS, "<plist version=\"1.0\"><dict>\n" + topKeys + "<key>IsEncrypted</key><true/>\n<key>EncryptedPayloadContent</key><data>AAAA</data>\n</dict></plist>",
			[]want{{Note, "EncryptedPayloadContent", "6:1", "the payloads are encrypted for their devices; lint cannot check them"}}},
		{"no payloads", iOS, "<plist version=\"1.0\"><dict>\n" + topKeys + "</dict></plist>",
			[]want{{Error, "", "1:22", "missing PayloadContent, which Apple's schema requires"}}},
		{"iPadOS is iOS", Devices{Platform: "ipados"}, plistProfile("", payloadKeys("com.apple.eas.account", 1)), nil},
		{"not a platform", Devices{Platform: "Android"}, plistProfile("", payloadKeys("com.apple.wifi.managed", 1)+wifi),
			[]want{{Error, "", "", `"Android" is not a platform; choose iOS, macOS, tvOS, visionOS or watchOS`}}},
		{"not a configuration profile", iOS, "<plist version=\"1.0\"><dict><key>PayloadType</key><string>com.apple.wifi.managed</string></dict></plist>",
			[]want{{Error, "", "1:28", `not a configuration profile (PayloadType is "com.apple.wifi.managed", want Configuration)`}}},
		{"not a dictionary", iOS, "<plist version=\"1.0\"><array/></plist>",
			[]want{{Error, "", "1:22", "the top level is an array, not a dictionary; a configuration profile is a dictionary with PayloadContent"}}},
		{"an empty file", iOS, "", []want{{Error, "", "", "not a property list: the file is empty"}}},
		{"white space only", iOS, " \r\n\t\n", []want{{Error, "", "", "not a property list: the file holds only white space"}}},
		{"a web page", iOS, "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Session expired</body></html>\n",
			[]want{{Error, "", "1:1", "not a property list (it looks like HTML): a web page, such as a sign-in page, was saved in place of the profile"}}},
		{"plain text", iOS, "hello\n", []want{{Error, "", "", "not a property list: the file is plain text"}}},
		{"malformed XML", iOS, "<plist version=\"1.0\">\n<dict>\n<key>A</key><string>x</strin>\n</dict></plist>\n",
			[]want{{Error, "", "3:30", "not a property list: XML syntax error: element <string> closed by </strin>"}}},
		{"an unescaped ampersand", iOS, "<plist version=\"1.0\">\n<dict>\n<key>A</key><string>a & b</string>\n</dict></plist>\n",
			[]want{{Error, "", "3:24", "not a property list: XML syntax error: invalid character entity & (no semicolon)"}}},
		{"cut-short XML", iOS, "<plist version=\"1.0\">\n<dict>\n<key>A</key><str",
			[]want{{Error, "", "3:17", "not a property list: XML syntax error: the file ends before the property list does"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectFindings(t, Lint("p.mobileconfig", []byte(tt.src), tt.devices), tt.want)
		})
	}
}
