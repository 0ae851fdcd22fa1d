package signing_test

import (
	"bytes"
	"crypto/x509"
	"testing"

	"github.com/mdmforge/mdmforge/internal/testpki"
	"github.com/mdmforge/mdmforge/signing"
)

// verifyArgs makes OpenSSL trust only root.pem: no default CA directory or
// store, so the intermediate can only come from the signed file itself.
var verifyArgs = []string{"cms", "-verify", "-inform", "DER", "-CAfile", "root.pem", "-no-CApath", "-no-CAstore"}

func TestInteropOpenSSLVerifiesOurSignature(t *testing.T) {
	o := needOpenSSL(t)
	p := testPKI(t)
	for _, size := range []int{600, 20000} {
		content := testpki.Profile(size)
		for name, leaf := range map[string]testpki.Leaf{"rsa": p.RSA, "p256": p.P256, "p384": p.P384} {
			der, err := identity(p, leaf).Sign(content, p.Now)
			if err != nil {
				t.Fatal(err)
			}
			o.write("ours.mobileconfig", der)
			o.run(append(verifyArgs, "-in", "ours.mobileconfig", "-out", "extracted.plist")...)
			if got := o.read("extracted.plist"); !bytes.Equal(got, content) {
				t.Errorf("%s/%d: OpenSSL extracted %d bytes that differ from the %d signed", name, size, len(got), len(content))
			}
		}
	}

	// Control: without embedded intermediates the same verification must
	// fail, or the test above would not prove the chain came from the file.
	leafOnly := &signing.Identity{Certificate: p.RSA.Cert, Signer: p.RSA.Key}
	der, err := leafOnly.Sign(testpki.Profile(600), p.Now)
	if err != nil {
		t.Fatal(err)
	}
	o.write("leaf-only.mobileconfig", der)
	if out, err := o.try(append(verifyArgs, "-in", "leaf-only.mobileconfig", "-out", "x.plist")...); err == nil {
		t.Fatalf("OpenSSL verified a leaf-only signature with only the root trusted:\n%s", out)
	}
}

func TestInteropWeVerifyOpenSSLSignatures(t *testing.T) {
	o := needOpenSSL(t)
	p := testPKI(t)
	small := testpki.Profile(1500)
	big := testpki.Profile(20000) // several 4 KiB chunks when streamed
	o.write("small.plist", small)
	o.write("big.plist", big)
	sign := func(tool, signer, in, out string, extra ...string) []byte {
		// -binary: without it OpenSSL rewrites LF as CRLF (S/MIME text
		// canonicalisation) and the embedded profile is no longer the input.
		args := []string{tool, "-sign", "-binary", "-nodetach", "-outform", "DER", "-signer", signer + ".pem", "-inkey", signer + ".key", "-in", in, "-out", out}
		o.run(append(args, extra...)...)
		return o.read(out)
	}
	tests := []struct {
		name        string
		der         []byte
		content     []byte
		digest      string
		wantWarning string
	}{
		{"cms sha256 rsa", sign("cms", "rsa", "small.plist", "a.der", "-md", "sha256", "-certfile", "intermediate.pem"), small, "SHA-256", ""},
		{"cms sha256 p256", sign("cms", "p256", "small.plist", "b.der", "-md", "sha256", "-certfile", "intermediate.pem"), small, "SHA-256", ""},
		{"cms stream BER", sign("cms", "rsa", "big.plist", "c.der", "-md", "sha256", "-certfile", "intermediate.pem", "-stream"), big, "SHA-256", ""},
		{"cms keyid", sign("cms", "rsa", "small.plist", "d.der", "-md", "sha256", "-certfile", "intermediate.pem", "-keyid"), small, "SHA-256", ""},
		{"cms noattr", sign("cms", "p384", "small.plist", "e.der", "-md", "sha256", "-certfile", "intermediate.pem", "-noattr"), small, "SHA-256", ""},
		{"smime sha1", sign("smime", "rsa", "small.plist", "f.der", "-md", "sha1", "-certfile", "intermediate.pem"), small, "SHA-1", "SHA-1 digest, which is obsolete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Make sure the stream case tests what it claims: indefinite
			// lengths, and eContent as a constructed OCTET STRING (0x24 0x80)
			// whose first chunk is a 4096-byte primitive one (04 82 10 00).
			if tt.name == "cms stream BER" && (tt.der[1] != 0x80 || !bytes.Contains(tt.der, []byte{0x24, 0x80, 0x04, 0x82, 0x10, 0x00})) {
				t.Fatal("expected OpenSSL -stream to write BER with chunked content")
			}
			s, err := signing.Parse(tt.der)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(s.Content, tt.content) {
				t.Fatalf("content: got %d bytes, want %d", len(s.Content), len(tt.content))
			}
			if s.DigestAlgorithm != tt.digest {
				t.Errorf("digest = %s, want %s", s.DigestAlgorithm, tt.digest)
			}
			v, err := s.Verify(signing.VerifyOptions{Roots: rootPool(p)})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantWarning == "" && len(v.Warnings) > 0 || tt.wantWarning != "" && !hasWarning(v.Warnings, tt.wantWarning) {
				t.Errorf("warnings = %q, want %q", v.Warnings, tt.wantWarning)
			}
		})
	}

	t.Run("detached", func(t *testing.T) {
		o.run("cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256", "-signer", "rsa.pem", "-inkey", "rsa.key",
			"-certfile", "intermediate.pem", "-in", "small.plist", "-out", "detached.der")
		_, err := signing.Parse(o.read("detached.der"))
		wantErr(t, err, "signature is detached: the profile content is not embedded (sign with -nodetach)")
	})
	t.Run("without intermediate", func(t *testing.T) {
		s, err := signing.Parse(sign("cms", "rsa", "small.plist", "g.der", "-md", "sha256"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Verify(signing.VerifyOptions{Roots: rootPool(p)})
		wantErr(t, err, "it was probably signed without its intermediate certificates")
	})
}

func TestInteropPKCS12FromOpenSSL(t *testing.T) {
	o := needOpenSSL(t)
	p := testPKI(t)
	variants := []struct {
		name  string
		extra []string
		chain bool
	}{
		{"OpenSSL 3 default (AES-256, PBKDF2)", nil, true},
		{"OpenSSL 3 default, leaf only", nil, false},
		{"legacy (3DES, RC2)", []string{"-legacy"}, true},
		{"legacy, leaf only", []string{"-legacy"}, false},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			args := []string{"pkcs12", "-export", "-inkey", "p256.key", "-in", "p256.pem", "-passout", "pass:hunter2", "-out", "id.p12"}
			if v.chain {
				args = append(args, "-certfile", "intermediate.pem")
			}
			o.run(append(args, v.extra...)...)
			data := o.read("id.p12")

			_, err := signing.LoadPKCS12(data, "wrong")
			wantErr(t, err, "read .p12: wrong password")

			id, err := signing.LoadPKCS12(data, "hunter2")
			if err != nil {
				t.Fatal(err)
			}
			warnings, err := id.Check(p.Now)
			if err != nil {
				t.Fatal(err)
			}
			if v.chain != !hasWarning(warnings, "chain looks incomplete") {
				t.Errorf("chain=%v but warnings = %q", v.chain, warnings)
			}
			if !v.chain {
				return
			}
			content := testpki.Profile(3000)
			der, err := id.Sign(content, p.Now)
			if err != nil {
				t.Fatal(err)
			}
			o.write("p12.mobileconfig", der)
			o.run(append(verifyArgs, "-in", "p12.mobileconfig", "-out", "p12.plist")...)
			if !bytes.Equal(o.read("p12.plist"), content) {
				t.Error("OpenSSL extracted different content")
			}
		})
	}
}

func TestInteropEncryptedPEMKeysFromOpenSSL(t *testing.T) {
	o := needOpenSSL(t)
	p := testPKI(t)
	cert := testpki.CertPEM(p.RSA.Cert)

	o.run("pkcs8", "-topk8", "-in", "rsa.key", "-v2", "aes-256-cbc", "-passout", "pass:pw", "-out", "enc8.key")
	_, err := signing.LoadPEM(cert, o.read("enc8.key"), nil)
	wantErr(t, err, "the key is encrypted (PKCS#8), which Go cannot decrypt; convert the certificate and key to a password-protected .p12")

	o.run("rsa", "-in", "rsa.key", "-aes256", "-traditional", "-passout", "pass:pw", "-out", "legacy.key")
	if !bytes.Contains(o.read("legacy.key"), []byte("Proc-Type: 4,ENCRYPTED")) {
		t.Fatal("openssl did not write a legacy encrypted PEM key")
	}
	_, err = signing.LoadPEM(cert, o.read("legacy.key"), nil)
	wantErr(t, err, "the key uses legacy PEM encryption, which is insecure and not supported")
}

// OpenSSL's own certificates: a self-signed leaf (CA:FALSE, digitalSignature)
// is a valid signer once trusted, while the CA:TRUE certificate that
// "openssl req -x509" writes with its usual v3_ca extensions is refused.
func TestInteropOpenSSLCertificates(t *testing.T) {
	o := needOpenSSL(t)
	o.write("req.cnf", []byte(`[req]
distinguished_name = dn
prompt = no
[dn]
CN = OpenSSL Self-Signed Signer
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyCertSign
`))
	o.write("small.plist", testpki.Profile(1500))
	for _, tt := range []struct{ ext, want string }{
		{"leaf", ""},
		{"ca", `verify: signer certificate "OpenSSL Self-Signed Signer" is a self-signed CA certificate (basicConstraints CA:TRUE); re-sign with a leaf certificate, for a test one "openssl req -x509 -newkey rsa:2048 -nodes -keyout signer.key -out signer.crt -days 365 -subj '/CN=Profile Signer' -addext basicConstraints=critical,CA:FALSE -addext keyUsage=critical,digitalSignature"`},
	} {
		t.Run(tt.ext, func(t *testing.T) {
			o.run("req", "-x509", "-config", o.file("req.cnf"), "-extensions", tt.ext, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
				"-nodes", "-days", "30", "-keyout", tt.ext+".key", "-out", tt.ext+".pem")
			o.run("cms", "-sign", "-binary", "-nodetach", "-outform", "DER", "-md", "sha256", "-signer", tt.ext+".pem", "-inkey", tt.ext+".key",
				"-in", "small.plist", "-out", tt.ext+".der")
			s, err := signing.Parse(o.read(tt.ext + ".der"))
			if err != nil {
				t.Fatal(err)
			}
			roots := x509.NewCertPool()
			roots.AddCert(s.Signer)
			_, err = s.Verify(signing.VerifyOptions{Roots: roots})
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, tt.want)
		})
	}
}
