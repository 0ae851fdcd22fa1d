package signing_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mdmforge/mdmforge/internal/testpki"
	"github.com/mdmforge/mdmforge/signing"
	"software.sslmate.com/src/go-pkcs12"
)

func TestLoadPKCS12GoEncoders(t *testing.T) {
	p := testPKI(t)
	encoders := map[string]*pkcs12.Encoder{
		"Modern":     pkcs12.Modern,
		"Modern2026": pkcs12.Modern2026,
		"Legacy":     pkcs12.Legacy,
		"LegacyRC2":  pkcs12.LegacyRC2,
	}
	for name, enc := range encoders {
		for _, withChain := range []bool{false, true} {
			for _, leaf := range []testpki.Leaf{p.RSA, p.P256} {
				var cas []*x509.Certificate
				if withChain {
					cas = []*x509.Certificate{p.Intermediate, p.Root}
				}
				data, err := enc.Encode(leaf.Key, leaf.Cert, cas, "s3cret")
				if err != nil {
					t.Fatalf("%s: encode: %v", name, err)
				}
				id, err := signing.LoadPKCS12(data, "s3cret")
				if err != nil {
					t.Fatalf("%s chain=%v: %v", name, withChain, err)
				}
				if !id.Certificate.Equal(leaf.Cert) {
					t.Errorf("%s: wrong signer certificate %q", name, id.Certificate.Subject.CommonName)
				}
				warnings, err := id.Check(p.Now)
				if err != nil {
					t.Fatalf("%s: check: %v", name, err)
				}
				if withChain {
					if len(id.Intermediates) != 1 || !id.Intermediates[0].Equal(p.Intermediate) {
						t.Errorf("%s: intermediates = %d certs, want just the intermediate", name, len(id.Intermediates))
					}
					if !hasWarning(warnings, "root certificate") || hasWarning(warnings, "incomplete") {
						t.Errorf("%s: warnings %q, want only the root-dropped warning", name, warnings)
					}
				} else if !hasWarning(warnings, "incomplete") {
					t.Errorf("%s: warnings %q, want an incomplete-chain warning", name, warnings)
				}
			}
		}
	}
}

// Some exporters write the CA certificates before the signer; the signer
// is found by its key, not by its position.
func TestLoadPKCS12SignerNotFirst(t *testing.T) {
	p := testPKI(t)
	data, err := pkcs12.Modern.Encode(p.RSA.Key, p.Intermediate, []*x509.Certificate{p.RSA.Cert}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	// The encoder refuses a key for the wrong certificate only if it checks;
	// whether it does or not, our loader must pick the matching one.
	id, err := signing.LoadPKCS12(data, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if !id.Certificate.Equal(p.RSA.Cert) {
		t.Fatalf("signer = %q, want the RSA leaf", id.Certificate.Subject.CommonName)
	}
}

func TestLoadPKCS12Refusals(t *testing.T) {
	p := testPKI(t)
	good, err := pkcs12.Modern.Encode(p.RSA.Key, p.RSA.Cert, []*x509.Certificate{p.Intermediate}, "right")
	if err != nil {
		t.Fatal(err)
	}
	mismatch, err := pkcs12.Legacy.Encode(p.OtherRSA, p.RSA.Cert, nil, "pw")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		data     []byte
		password string
		want     string
	}{
		{"wrong password", good, "wrong", "read .p12: wrong password"},
		{"several keys", twoKeyP12(t, p), "", "more than one private key"},
		{"key matches no certificate", mismatch, "pw", "private key does not match any of the 1 certificate(s) in the .p12 file"},
		{"empty", nil, "", "read .p12: file is empty"},
		{"garbage", []byte("definitely not a pfx"), "", "read .p12: error reading P12 data"},
		{"truncated", good[:len(good)/2], "right", "read .p12:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := signing.LoadPKCS12(tt.data, tt.password)
			wantErr(t, err, tt.want)
			if wrong := tt.name == "wrong password"; errors.Is(err, signing.ErrWrongPassword) != wrong {
				t.Errorf("errors.Is(err, ErrWrongPassword) = %v, want %v", !wrong, wrong)
			}
		})
	}

	// A caller probes with the empty password before prompting.
	_, err = signing.LoadPKCS12(good, "")
	if !errors.Is(err, signing.ErrWrongPassword) {
		t.Errorf("empty password on a protected file: %v, want ErrWrongPassword", err)
	}
	open, err := pkcs12.Passwordless.Encode(p.RSA.Key, p.RSA.Cert, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signing.LoadPKCS12(open, ""); err != nil {
		t.Errorf("passwordless .p12: %v", err)
	}
}

// twoKeyP12 builds an unencrypted PFX holding two key bags, something no
// encoder we have produces but hand-made or merged files can contain.
func twoKeyP12(t *testing.T, p *testpki.PKI) []byte {
	t.Helper()
	b, err := p.TwoKeyPKCS12()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadPEM(t *testing.T) {
	p := testPKI(t)
	pkcs8, err := testpki.KeyPEM(p.RSA.Key)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalECPrivateKey(p.P256.Key.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	sec1 := append([]byte("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER})...)
	tests := []struct {
		name        string
		cert, key   []byte
		chain       []byte
		leaf        *x509.Certificate
		wantInterms int
	}{
		{"separate chain", testpki.CertPEM(p.RSA.Cert), pkcs8, testpki.CertPEM(p.Intermediate), p.RSA.Cert, 1},
		{"chain after leaf", testpki.CertPEM(p.RSA.Cert, p.Intermediate, p.Root), pkcs8, nil, p.RSA.Cert, 1},
		{"chain before leaf", testpki.CertPEM(p.Intermediate, p.RSA.Cert), pkcs8, nil, p.RSA.Cert, 1},
		{"duplicates", testpki.CertPEM(p.RSA.Cert, p.Intermediate), pkcs8, testpki.CertPEM(p.Intermediate, p.RSA.Cert), p.RSA.Cert, 1},
		{"no chain", testpki.CertPEM(p.RSA.Cert), pkcs8, nil, p.RSA.Cert, 0},
		{"SEC1 key with EC PARAMETERS", testpki.CertPEM(p.P256.Cert), sec1, testpki.CertPEM(p.Intermediate), p.P256.Cert, 1},
		{"PKCS1 key", testpki.CertPEM(p.RSA.Cert), pem.EncodeToMemory(&pem.Block{
			Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(p.OtherRSA),
		}), nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := signing.LoadPEM(tt.cert, tt.key, tt.chain)
			if tt.leaf == nil {
				// The PKCS#1 case pairs OtherRSA with the RSA leaf on
				// purpose: parsing must succeed and the mismatch be named.
				wantErr(t, err, "private key does not match any of the 1 certificate(s)")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !id.Certificate.Equal(tt.leaf) {
				t.Errorf("signer = %q", id.Certificate.Subject.CommonName)
			}
			if len(id.Intermediates) != tt.wantInterms {
				t.Errorf("got %d intermediates, want %d", len(id.Intermediates), tt.wantInterms)
			}
		})
	}
}

func TestLoadPEMRefusals(t *testing.T) {
	p := testPKI(t)
	cert := testpki.CertPEM(p.RSA.Cert)
	key, err := testpki.KeyPEM(p.RSA.Key)
	if err != nil {
		t.Fatal(err)
	}
	other, err := testpki.KeyPEM(p.P256.Key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8Encrypted := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0x00}})
	legacyEncrypted := pem.EncodeToMemory(&pem.Block{
		Type:    "RSA PRIVATE KEY",
		Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00112233445566778899AABBCCDDEEFF"},
		Bytes:   []byte("ciphertext"),
	})
	edKey := func() []byte {
		_, k, _ := ed25519.GenerateKey(rand.Reader)
		b, _ := x509.MarshalPKCS8PrivateKey(k)
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: b})
	}()
	tests := []struct {
		name             string
		cert, key, chain []byte
		want             string
	}{
		{"encrypted PKCS#8", cert, pkcs8Encrypted, nil, "the key is encrypted (PKCS#8), which Go cannot decrypt; convert the certificate and key to a password-protected .p12 (openssl pkcs12 -export)"},
		{"legacy encrypted PEM", cert, legacyEncrypted, nil, "legacy PEM encryption, which is insecure and not supported; convert the certificate and key to a password-protected .p12"},
		{"key/cert mismatch", cert, other, nil, "private key does not match any of the 1 certificate(s) in the certificate data"},
		{"no certificate", nil, key, nil, "read certificate: no PEM CERTIFICATE block found"},
		{"no key", cert, cert, nil, "read private key: no PEM private key block found"},
		{"two keys", cert, append(append([]byte{}, key...), other...), nil, "more than one private key"},
		{"corrupt key", cert, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}), nil, "read private key:"},
		{"corrupt certificate", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2, 3}}), key, nil, "read certificate: certificate 1:"},
		{"corrupt chain", cert, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), "read chain: certificate 1:"},
		{"ed25519 key", cert, edKey, nil, "unsupported key type ed25519.PublicKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := signing.LoadPEM(tt.cert, tt.key, tt.chain)
			wantErr(t, err, tt.want)
			// Only an encrypted key gets the conversion command.
			if encrypted := strings.Contains(tt.name, "encrypted"); errors.Is(err, signing.ErrEncryptedKey) != encrypted {
				t.Errorf("errors.Is(err, ErrEncryptedKey) = %v, want %v", !encrypted, encrypted)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	p := testPKI(t)
	withChain := func(leaf testpki.Leaf, chain ...*x509.Certificate) *signing.Identity {
		return &signing.Identity{Certificate: leaf.Cert, Intermediates: chain, Signer: leaf.Key}
	}
	refusals := []struct {
		name string
		id   *signing.Identity
		want string
	}{
		{"key mismatch", &signing.Identity{Certificate: p.RSA.Cert, Signer: p.OtherRSA}, `private key does not match certificate "Profile Signer RSA"`},
		{"key of another type", &signing.Identity{Certificate: p.RSA.Cert, Signer: p.P256.Key}, "private key does not match certificate"},
		{"expired", withChain(p.Expired, p.Intermediate), `certificate "Expired Signer" expired on ` + p.Expired.Cert.NotAfter.UTC().Format(time.RFC3339)},
		{"not yet valid", withChain(p.NotYetValid, p.Intermediate), `certificate "Future Signer" is not valid until ` + p.NotYetValid.Cert.NotBefore.UTC().Format(time.RFC3339)},
		{"no digitalSignature", withChain(p.NoDigitalSignature, p.Intermediate), `certificate "Encipherment Only" is not allowed to sign: its key usage lacks digitalSignature`},
		{"CA certificate", &signing.Identity{Certificate: p.CASigner.Cert, Signer: p.CASigner.Key}, `certificate "CA Used As Signer" is a CA certificate (basicConstraints CA:TRUE); sign with a leaf certificate the CA issued`},
		{"nil identity", nil, "identity has no certificate"},
		{"no signer", &signing.Identity{Certificate: p.RSA.Cert}, "identity has no private key"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.id.Check(p.Now)
			wantErr(t, err, tt.want)
		})
	}

	warnings := []struct {
		name string
		id   *signing.Identity
		want []string // substrings, one per expected warning
	}{
		{"complete", withChain(p.RSA, p.Intermediate), nil},
		{"P-384 complete", withChain(p.P384, p.Intermediate), nil},
		{"leaf only", withChain(p.RSA), []string{`chain looks incomplete: the issuer of "Profile Signer RSA" (CN=mdmforge Test Intermediate CA`}},
		{"intermediate without root", withChain(p.P256, p.Intermediate), nil},
		{"root supplied", withChain(p.P256, p.Root, p.Intermediate), []string{`root certificate "mdmforge Test Root CA" was supplied`}},
		{"root but no intermediate", withChain(p.P256, p.Root), []string{"root certificate", "chain looks incomplete"}},
		// Any expired non-root in the chain is worth a warning; an expired
		// leaf stands in for an expired intermediate here.
		{"expired intermediate", withChain(p.RSA, p.Intermediate, p.Expired.Cert), []string{`intermediate certificate "Expired Signer" expired on`}},
	}
	for _, tt := range warnings {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.id.Check(p.Now)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("warnings = %q, want %d matching %q", got, len(tt.want), tt.want)
			}
			for _, w := range tt.want {
				if !hasWarning(got, w) {
					t.Errorf("warnings %q lack %q", got, w)
				}
			}
		})
	}
}
