package profiles

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/golden"

	"github.com/mdmforge/mdmforge/internal/propertylist"
	"howett.net/plist"
)

// TestImportRoundTrip imports real-world-shaped profiles (Wi-Fi with a SCEP
// identity, IKEv2 VPN with a PKCS#12 identity, restrictions, certificate
// trust, Exchange), checks the policies are valid, and builds them back:
// every key, value, identifier and UUID must come out as it went in.
func TestImportRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("../testdata/import/*.mobileconfig")
	if len(files) < 5 {
		t.Fatalf("want the five import fixtures, found %v", files)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			orig, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if ds := Lint(file, orig, Devices{}); ds.Errors() > 0 {
				t.Fatalf("fixture does not lint clean:\n%v", ds)
			}
			policy, err := Import(file, orig)
			if err != nil {
				t.Fatal(err)
			}
			want := filepath.Join("..", "testdata", "golden", "import", strings.TrimSuffix(filepath.Base(file), ".mobileconfig")+".yaml")
			golden.Check(t, want, policy)
			p, ds := Decode("imported.yaml", policy)
			if ds = append(ds, Validate(p)...); ds.Errors() > 0 {
				t.Fatalf("imported policy is invalid:\n%v\n%s", ds, policy)
			}
			rebuilt, err := p.Mobileconfig(Options{})
			if err != nil {
				t.Fatal(err)
			}
			var a, b map[string]any
			if _, err := plist.Unmarshal(orig, &a); err != nil {
				t.Fatal(err)
			}
			if _, err := plist.Unmarshal(rebuilt, &b); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(propertylist.Normalize(a), propertylist.Normalize(b)) {
				t.Errorf("rebuilt profile differs from the original\n--- original ---\n%s\n--- rebuilt ---\n%s", orig, rebuilt)
			}
		})
	}
}

func TestImportRefusesNonProfiles(t *testing.T) {
	for _, data := range []string{"", "not a plist", `<plist version="1.0"><dict><key>a</key><string>b</string></dict></plist>`} {
		if _, err := Import("x.mobileconfig", []byte(data)); err == nil {
			t.Errorf("Import(%q) succeeded", data)
		}
	}
}

// Platform SSO's {{DEVICEREGISTRATION}} is Intune's value: import makes it
// a variable and targets Intune, which builds it back, and a build for an
// MDM that registers devices its own way is refused rather than shipping an
// Intune token.
func TestImportDeviceRegistrationToken(t *testing.T) {
	file := filepath.Join("..", "testdata", "profiles", "macos", "platform-sso-entra.mobileconfig")
	orig, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(orig, []byte("{{DEVICEREGISTRATION}}")) {
		t.Fatal("corpus profile lacks the token")
	}
	im, err := ImportProfile(file, orig, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\ntarget: intune\n", "RegistrationToken: ${device.registration_token}\n"} {
		if !strings.Contains(string(im.Policy), want) {
			t.Errorf("policy lacks %q:\n%s", want, im.Policy)
		}
	}
	p, ds := Decode("p.yaml", im.Policy)
	if ds.Errors() > 0 {
		t.Fatal(ds)
	}
	if _, err := p.ProfileTree(Options{Target: Jamf}); err == nil || !strings.Contains(err.Error(), "${device.registration_token} has no equivalent in jamf") {
		t.Errorf("build for jamf: %v", err)
	}
}
