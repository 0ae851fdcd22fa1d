package diff_test

import (
	"fmt"
	"os"

	"github.com/mdmforge/mdmforge/profiles/diff"
)

// profile is a small configuration profile with one Exchange payload,
// syncing contacts and, when calendars is true, calendars.
func profile(calendars bool) []byte {
	sync := "<false/>"
	if calendars {
		sync = "<true/>"
	}
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>PayloadContent</key>
	<array>
		<dict>
			<key>EnableCalendars</key>` + sync + `
			<key>EnableContacts</key><true/>
			<key>Host</key><string>outlook.office365.com</string>
			<key>PayloadIdentifier</key><string>com.example.contacts.exchange</string>
			<key>PayloadType</key><string>com.apple.eas.account</string>
			<key>PayloadUUID</key><string>6F1B7A7E-3D0C-4C55-9E4B-7C1D2A3B4C5D</string>
			<key>PayloadVersion</key><integer>1</integer>
		</dict>
	</array>
	<key>PayloadDisplayName</key><string>Work Contacts</string>
	<key>PayloadIdentifier</key><string>com.example.contacts</string>
	<key>PayloadType</key><string>Configuration</string>
	<key>PayloadUUID</key><string>0E7F2A61-5B8C-4D3E-A1F0-9C8B7A6D5E4F</string>
	<key>PayloadVersion</key><integer>1</integer>
</dict>
</plist>
`)
}

// Compare two versions of a profile held in memory and render the review
// as text; the same Report renders as markdown, json or github.
func Example() {
	before := diff.FileSide("main/contacts.mobileconfig", profile(false))
	after := diff.FileSide("contacts.mobileconfig", profile(true))
	r, err := diff.Compare(before, after, diff.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := r.Render(os.Stdout, diff.FormatText); err != nil {
		fmt.Println(err)
	}
	fmt.Println("different:", r.Different())
	// Output:
	// ~ contacts.mobileconfig
	//   ~ com.apple.eas.account (com.example.contacts.exchange)
	//       ~ EnableCalendars: false → true
	//       ! devices re-install the Exchange account and users sign in again
	//
	// 1 file differs: 1 change, 1 consequence
	// different: true
}

// Compare two decoded profiles and list what devices do about the changes.
func ExampleConsequences() {
	payload := func(allowCamera bool) map[string]any {
		return map[string]any{"PayloadType": "com.apple.applicationaccess", "PayloadIdentifier": "com.example.p.restrictions",
			"PayloadUUID": "8D4C3B2A-1F0E-4D9C-8B7A-6F5E4D3C2B1A", "PayloadVersion": int64(1), "allowCamera": allowCamera}
	}
	before := map[string]any{"PayloadType": "Configuration", "PayloadIdentifier": "com.example.p",
		"PayloadUUID": "1A2B3C4D-5E6F-4A1B-8C2D-3E4F5A6B7C8D", "PayloadVersion": int64(1), "PayloadContent": []any{payload(true)}}
	after := map[string]any{"PayloadType": "Configuration", "PayloadIdentifier": "com.example.q",
		"PayloadUUID": "1A2B3C4D-5E6F-4A1B-8C2D-3E4F5A6B7C8D", "PayloadVersion": int64(1), "PayloadContent": []any{payload(false)}}
	changes := diff.Trees(before, after, diff.Options{})
	for _, c := range changes {
		fmt.Printf("%s %s %s: %v → %v\n", c.Kind, c.Scope, c.Path, c.Before, c.After)
	}
	for _, q := range diff.Consequences(changes) {
		fmt.Println(q.Kind+":", q.Message)
	}
	// Output:
	// changed profile PayloadIdentifier: com.example.p → com.example.q
	// changed payload allowCamera: true → false
	// duplicate-profile: devices install this as a second profile beside the old one instead of replacing it
}
