package signing_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mdmforge/mdmforge/internal/testpki"
	"github.com/mdmforge/mdmforge/signing"
)

func TestSignRoundTrip(t *testing.T) {
	p := testPKI(t)
	content := testpki.Profile(2048)
	for name, leaf := range map[string]testpki.Leaf{"RSA-2048": p.RSA, "P-256": p.P256, "P-384": p.P384} {
		t.Run(name, func(t *testing.T) {
			at := signingTime(p)
			der, err := identity(p, leaf).Sign(content, at)
			if err != nil {
				t.Fatal(err)
			}
			if !signing.IsSigned(der) {
				t.Fatal("IsSigned = false for our own output")
			}
			s, err := signing.Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(s.Content, content) {
				t.Fatal("content changed in round trip")
			}
			if s.DigestAlgorithm != "SHA-256" {
				t.Errorf("digest = %s, want SHA-256", s.DigestAlgorithm)
			}
			if !s.SigningTime.Equal(at) {
				t.Errorf("signing time = %v, want %v", s.SigningTime, at)
			}
			if !s.Signer.Equal(leaf.Cert) {
				t.Errorf("signer = %q", s.Signer.Subject.CommonName)
			}
			v, err := s.Verify(signing.VerifyOptions{Roots: rootPool(p)})
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Warnings) != 0 {
				t.Errorf("warnings: %q", v.Warnings)
			}
			if len(v.Chains) != 1 || len(v.Chains[0]) != 3 || !v.Chains[0][2].Equal(p.Root) {
				t.Errorf("chains = %v, want leaf → intermediate → root", v.Chains)
			}
		})
	}
}

// TestSignStructure checks the DER against what Apple and RFC 5652 expect,
// independently of our own parser.
func TestSignStructure(t *testing.T) {
	p := testPKI(t)
	// Root and duplicates in Intermediates must not leak into the output.
	id := &signing.Identity{
		Certificate:   p.RSA.Cert,
		Intermediates: []*x509.Certificate{p.Root, p.Intermediate, p.Intermediate},
		Signer:        p.RSA.Key,
	}
	der, err := id.Sign([]byte("<plist/>"), signingTime(p))
	if err != nil {
		t.Fatal(err)
	}
	// Go's asn1 decoder accepts only DER lengths, so decoding with it also
	// proves the output is not BER.
	var ci struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if rest, err := asn1.Unmarshal(der, &ci); err != nil || len(rest) != 0 {
		t.Fatalf("outer ContentInfo: %v, %d trailing bytes", err, len(rest))
	}
	var sd struct {
		Version          int
		DigestAlgorithms []asn1.RawValue `asn1:"set"`
		Encap            struct {
			Type    asn1.ObjectIdentifier
			Content []byte `asn1:"explicit,tag:0"`
		}
		Certificates []asn1.RawValue `asn1:"tag:0,set"`
		SignerInfos  []struct {
			Version         int
			SID             asn1.RawValue
			DigestAlgorithm asn1.RawValue
			SignedAttrs     []struct {
				Type   asn1.ObjectIdentifier
				Values asn1.RawValue `asn1:"set"`
			} `asn1:"tag:0,set"`
			SignatureAlgorithm struct {
				Algorithm  asn1.ObjectIdentifier
				Parameters asn1.RawValue `asn1:"optional"`
			}
			Signature []byte
		} `asn1:"set"`
	}
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil || len(rest) != 0 {
		t.Fatalf("SignedData: %v", err)
	}
	if sd.Version != 1 || sd.SignerInfos[0].Version != 1 {
		t.Errorf("versions %d/%d, want 1/1 (issuerAndSerialNumber, id-data)", sd.Version, sd.SignerInfos[0].Version)
	}
	if string(sd.Encap.Content) != "<plist/>" || !sd.Encap.Type.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}) {
		t.Errorf("encapsulated content = %q of type %v", sd.Encap.Content, sd.Encap.Type)
	}
	sha256DER := []byte{0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01}
	if len(sd.DigestAlgorithms) != 1 || !bytes.Equal(sd.DigestAlgorithms[0].FullBytes, sha256DER) ||
		!bytes.Equal(sd.SignerInfos[0].DigestAlgorithm.FullBytes, sha256DER) {
		t.Errorf("digest algorithm is not SHA-256 without parameters")
	}
	if got := sd.SignerInfos[0].SignatureAlgorithm.Algorithm; !got.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}) {
		t.Errorf("signature algorithm = %v, want sha256WithRSAEncryption", got)
	}
	var raws [][]byte
	for _, c := range sd.Certificates {
		raws = append(raws, c.FullBytes)
	}
	want := [][]byte{p.RSA.Cert.Raw, p.Intermediate.Raw}
	slices.SortFunc(want, bytes.Compare)
	if !slices.EqualFunc(raws, want, bytes.Equal) {
		t.Errorf("certificates: got %d, want exactly leaf and intermediate in DER SET OF order", len(raws))
	}
	var types []string
	for _, a := range sd.SignerInfos[0].SignedAttrs {
		types = append(types, a.Type.String())
	}
	// DER sorts SET OF by encoding, and the encodings differ in length
	// first: contentType (26 bytes), signingTime (30), messageDigest (49).
	// OpenSSL writes the same order.
	if want := []string{"1.2.840.113549.1.9.3", "1.2.840.113549.1.9.5", "1.2.840.113549.1.9.4"}; !slices.Equal(types, want) {
		t.Errorf("signed attributes = %v, want %v", types, want)
	}
}

func TestSignReproducible(t *testing.T) {
	p := testPKI(t)
	content := testpki.Profile(4096)
	at := signingTime(p)
	a, err := identity(p, p.RSA).Sign(content, at)
	if err != nil {
		t.Fatal(err)
	}
	// A different but equivalent chain order must not change a byte.
	shuffled := &signing.Identity{
		Certificate:   p.RSA.Cert,
		Intermediates: []*x509.Certificate{p.Root, p.Intermediate},
		Signer:        p.RSA.Key,
	}
	b, err := shuffled.Sign(content, at.Add(999*time.Millisecond).In(time.FixedZone("X", 3600)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("same content, identity and signing time gave different bytes")
	}
	c, err := identity(p, p.RSA).Sign(content, at.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, c) {
		t.Fatal("a different signing time gave the same bytes")
	}
}

// TestSignConcurrent signs from many goroutines with one Identity, as a
// batch build does; run with -race. RSA output is deterministic, so every
// result must equal the reference.
func TestSignConcurrent(t *testing.T) {
	p := testPKI(t)
	ids := map[string]*signing.Identity{"RSA": identity(p, p.RSA), "P-256": identity(p, p.P256)}
	at := signingTime(p)
	for name, id := range ids {
		t.Run(name, func(t *testing.T) {
			ref, err := id.Sign(testpki.Profile(1000), at)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			for g := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 8 {
						content := testpki.Profile(1000 + g*8 + i)
						der, err := id.Sign(content, at)
						if err != nil {
							errs <- err
							return
						}
						s, err := signing.Parse(der)
						if err == nil {
							_, err = s.Verify(signing.VerifyOptions{Roots: rootPool(p)})
						}
						if err != nil {
							errs <- err
							return
						}
						if name == "RSA" && g == 0 && i == 0 && !bytes.Equal(der, ref) {
							t.Error("concurrent RSA signature differs from the sequential one")
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

func TestSignRefusals(t *testing.T) {
	p := testPKI(t)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	at := signingTime(p)
	tests := []struct {
		name    string
		id      *signing.Identity
		content []byte
		at      time.Time
		want    string
	}{
		{"nil identity", nil, []byte("x"), at, "sign: identity has no certificate"},
		{"no key", &signing.Identity{Certificate: p.RSA.Cert}, []byte("x"), at, "sign: identity has no private key"},
		{"empty content", identity(p, p.RSA), nil, at, "sign: content is empty"},
		{"zero time", identity(p, p.RSA), []byte("x"), time.Time{}, "sign: signing time is zero"},
		{"mismatched key", &signing.Identity{Certificate: p.RSA.Cert, Signer: p.OtherRSA}, []byte("x"), at, `sign: private key does not match certificate "Profile Signer RSA"`},
		{"ed25519", &signing.Identity{Certificate: p.RSA.Cert, Signer: edKey}, []byte("x"), at, "sign: private key does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.id.Sign(tt.content, tt.at)
			wantErr(t, err, tt.want)
		})
	}
}

func TestVerifyFailures(t *testing.T) {
	p := testPKI(t)
	content := testpki.Profile(1500)
	at := signingTime(p)
	good, err := identity(p, p.RSA).Sign(content, at)
	if err != nil {
		t.Fatal(err)
	}
	parse := func(t *testing.T, der []byte) *signing.Signed {
		t.Helper()
		s, err := signing.Parse(der)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	t.Run("content changed", func(t *testing.T) {
		s := parse(t, good)
		s.Content = append([]byte{}, s.Content...)
		s.Content[100] ^= 1
		_, err := s.Verify(signing.VerifyOptions{Roots: rootPool(p)})
		wantErr(t, err, "verify: message digest mismatch")
	})
	t.Run("signature changed", func(t *testing.T) {
		bad := append([]byte{}, good...)
		bad[len(bad)-10] ^= 0xff // inside the trailing signature value
		_, err := parse(t, bad).Verify(signing.VerifyOptions{Roots: rootPool(p)})
		wantErr(t, err, "verify: signature does not match the signer certificate")
	})
	t.Run("untrusted root", func(t *testing.T) {
		_, err := parse(t, good).Verify(signing.VerifyOptions{Roots: x509.NewCertPool()})
		wantErr(t, err, "verify: certificate chain: certificate signed by unknown authority")
	})
	t.Run("system roots", func(t *testing.T) {
		_, err := parse(t, good).Verify(signing.VerifyOptions{})
		wantErr(t, err, "verify: certificate chain:")
	})
	t.Run("after expiry", func(t *testing.T) {
		_, err := parse(t, good).Verify(signing.VerifyOptions{Roots: rootPool(p), Time: p.RSA.Cert.NotAfter.Add(time.Hour)})
		wantErr(t, err, "certificate has expired or is not yet valid")
	})
	t.Run("intermediate not embedded", func(t *testing.T) {
		leafOnly := &signing.Identity{Certificate: p.RSA.Cert, Signer: p.RSA.Key}
		der, err := leafOnly.Sign(content, at)
		if err != nil {
			t.Fatal(err)
		}
		s := parse(t, der)
		_, err = s.Verify(signing.VerifyOptions{Roots: rootPool(p)})
		wantErr(t, err, `the profile does not embed the signer's issuer "CN=mdmforge Test Intermediate CA,O=mdmforge tests"; it was probably signed without its intermediate certificates`)

		// Trusting the intermediate directly verifies, but says the file
		// alone would not.
		pool := rootPool(p)
		pool.AddCert(p.Intermediate)
		v, err := s.Verify(signing.VerifyOptions{Roots: pool})
		if err != nil {
			t.Fatal(err)
		}
		if !hasWarning(v.Warnings, `does not embed the full chain (missing "mdmforge Test Intermediate CA")`) {
			t.Errorf("warnings = %q", v.Warnings)
		}
	})
	t.Run("signed while expired", func(t *testing.T) {
		der, err := identity(p, p.Expired).Sign(content, at)
		if err != nil {
			t.Fatal(err)
		}
		_, err = parse(t, der).Verify(signing.VerifyOptions{Roots: rootPool(p)})
		wantErr(t, err, "certificate has expired or is not yet valid")
	})
	t.Run("expired since signing", func(t *testing.T) {
		old := p.Expired.Cert.NotAfter.Add(-time.Hour)
		der, err := identity(p, p.Expired).Sign(content, old)
		if err != nil {
			t.Fatal(err)
		}
		v, err := parse(t, der).Verify(signing.VerifyOptions{Roots: rootPool(p)})
		if err != nil {
			t.Fatal(err)
		}
		if !hasWarning(v.Warnings, "the signer certificate expired on") {
			t.Errorf("warnings = %q", v.Warnings)
		}
	})
	t.Run("signer without digitalSignature", func(t *testing.T) {
		der, err := identity(p, p.NoDigitalSignature).Sign(content, at)
		if err != nil {
			t.Fatal(err)
		}
		_, err = parse(t, der).Verify(signing.VerifyOptions{Roots: rootPool(p)})
		wantErr(t, err, `verify: signer certificate "Encipherment Only" is not allowed to sign: its key usage lacks digitalSignature; re-sign with a certificate whose key usage includes digitalSignature`)
	})
	t.Run("CA certificate as signer", func(t *testing.T) {
		ca := &signing.Identity{Certificate: p.CASigner.Cert, Signer: p.CASigner.Key}
		der, err := ca.Sign(content, at)
		if err != nil {
			t.Fatal(err)
		}
		_, err = parse(t, der).Verify(signing.VerifyOptions{Roots: rootPool(p)})
		wantErr(t, err, `verify: signer certificate "CA Used As Signer" is a CA certificate (basicConstraints CA:TRUE); re-sign with a leaf certificate the CA issued`)
	})
	t.Run("zero value", func(t *testing.T) {
		_, err := (&signing.Signed{}).Verify(signing.VerifyOptions{})
		wantErr(t, err, "verify: no signer certificate")
		_, err = (*signing.Signed)(nil).Verify(signing.VerifyOptions{})
		wantErr(t, err, "verify: no signer certificate")
	})
}
