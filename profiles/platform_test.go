package profiles

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/profiles/schema"
)

func payloads(types ...string) []any {
	out := make([]any, len(types))
	for i, t := range types {
		out[i] = map[string]any{"PayloadType": t, "PayloadIdentifier": "p" + t, "PayloadUUID": "U" + t, "PayloadVersion": int64(1)}
	}
	return out
}

func TestInferPlatform(t *testing.T) {
	for _, tc := range []struct {
		name    string
		profile map[string]any
		want    string
		why     string // substring of the reason
	}{
		{"no payloads", map[string]any{}, "iOS", "no payloads"},
		{"iOS and macOS payloads", map[string]any{"PayloadContent": payloads("com.apple.wifi.managed")}, "iOS", "comes first of iOS, macOS"},
		{"TCC is macOS-only", map[string]any{"PayloadContent": payloads("com.apple.wifi.managed", "com.apple.TCC.configuration-profile-policy")},
			"macOS", "payload com.apple.TCC.configuration-profile-policy is macOS-only"},
		{"ManagedClient preferences", map[string]any{"PayloadContent": payloads("com.apple.ManagedClient.preferences")}, "macOS", "macOS-only"},
		{"system extensions", map[string]any{"PayloadContent": payloads("com.apple.system-extension-policy")}, "macOS", "macOS-only"},
		{"Chrome's domain", map[string]any{"PayloadContent": payloads("com.google.Chrome")}, "macOS", "payload com.google.Chrome is macOS-only"},
		{"custom domain", map[string]any{"PayloadContent": payloads("com.example.unknown.app")}, "macOS", "in no schema"},
		{"EAS is not on macOS", map[string]any{"PayloadContent": payloads("com.apple.eas.account")}, "iOS", "comes first"},
		{"a macOS-only restriction", map[string]any{"PayloadContent": []any{map[string]any{"PayloadType": "com.apple.applicationaccess", "allowCloudAddressBook": false, "allowCamera": true}}},
			"macOS", "key com.apple.applicationaccess.allowCloudAddressBook is macOS-only"},
		{"restrictions without a macOS-only key", map[string]any{"PayloadContent": []any{map[string]any{"PayloadType": "com.apple.applicationaccess", "allowCamera": true}}},
			"iOS", "comes first"},
		{"TargetDeviceType Mac", map[string]any{"TargetDeviceType": int64(5), "PayloadContent": payloads("com.apple.wifi.managed")}, "macOS", "TargetDeviceType 5 names macOS"},
		{"TargetDeviceType Apple TV", map[string]any{"TargetDeviceType": uint64(4)}, "tvOS", "TargetDeviceType 4"},
		{"TargetDeviceType any", map[string]any{"TargetDeviceType": int64(0), "PayloadContent": payloads("com.apple.TCC.configuration-profile-policy")}, "macOS", "macOS-only"},
		{"a typo beside an iOS-only payload", map[string]any{"PayloadContent": payloads("com.apple.eas.account", "com.apple.wifi.manged")}, "iOS", "comes first"},
		{"a custom domain beside Wi-Fi", map[string]any{"PayloadContent": payloads("com.apple.wifi.managed", "com.example.tool")}, "macOS", "payload com.example.tool is in no schema"},
		{"PayloadScope", map[string]any{"PayloadScope": "System", "PayloadContent": payloads("com.apple.wifi.managed")}, "macOS", "key PayloadScope is macOS-only"},
		{"PayloadScope beside an iOS-only payload", map[string]any{"PayloadScope": "System", "PayloadContent": payloads("com.apple.eas.account")}, "iOS", "comes first"},
		{"conflict", map[string]any{"PayloadContent": payloads("com.apple.eas.account", "com.apple.TCC.configuration-profile-policy")}, "", "no platform supports every payload"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, why := InferPlatform(tc.profile)
			if got != tc.want || !strings.Contains(why, tc.why) {
				t.Errorf("InferPlatform = %q, %q; want %q, …%q…", got, why, tc.want, tc.why)
			}
		})
	}
}

func TestParsePlatform(t *testing.T) {
	for in, want := range map[string]string{"iOS": "iOS", "ipados": "iOS", "iPadOS": "iOS", "MACOS": "macOS", "tvOS": "tvOS", "visionos": "visionOS", "watchOS": "watchOS", "android": ""} {
		if got, ok := ParsePlatform(in); got != want || ok != (want != "") {
			t.Errorf("ParsePlatform(%q) = %q, %v", in, got, ok)
		}
	}
}

func ExampleInferPlatform() {
	profile := map[string]any{
		"PayloadType": "Configuration",
		"PayloadContent": []any{
			map[string]any{"PayloadType": "com.apple.wifi.managed", "SSID_STR": "Office"},
			map[string]any{"PayloadType": "com.apple.TCC.configuration-profile-policy"},
		},
	}
	fmt.Println(InferPlatform(profile))

	profile["PayloadContent"] = []any{map[string]any{"PayloadType": "com.apple.wifi.managed"}}
	fmt.Println(InferPlatform(profile))
	// Output:
	// macOS payload com.apple.TCC.configuration-profile-policy is macOS-only
	// iOS every payload is available on iOS, which comes first of iOS, macOS, tvOS, visionOS, watchOS
}

// TestInferPlatformCorpus infers the platform of every real-shaped profile
// in testdata/profiles/{ios,macos,tvos}: it must be the folder's, or, when
// the profile holds nothing that only some platforms have (a Wi-Fi
// payload), the folder's must be among those that fit equally well.
func TestInferPlatformCorpus(t *testing.T) {
	n, exact := 0, 0
	for dir, want := range map[string]schema.Platform{"ios": schema.IOS, "macos": schema.MacOS, "tvos": schema.TVOS} {
		files, _ := filepath.Glob(filepath.Join("..", "testdata", "profiles", dir, "*.mobileconfig"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			top, err := DecodeProfile(b)
			if err != nil {
				continue // signed or broken: the corpus tests cover them
			}
			n++
			got, why, fits := inferPlatform(top)
			switch {
			case got == string(want):
				exact++
			case !slices.Contains(fits, want):
				t.Errorf("%s: inferred %s (%s); %s does not fit", f, got, why, want)
			}
		}
	}
	if n == 0 {
		t.Skip("no corpus in testdata/profiles")
	}
	t.Logf("%d of %d profiles inferred as their folder's platform; the others fit several", exact, n)
}
