package signing_test

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"github.com/mdmforge/mdmforge/internal/testpki"
	"github.com/mdmforge/mdmforge/signing"
	"github.com/smallstep/pkcs7"
)

func TestParseRefusals(t *testing.T) {
	p := testPKI(t)
	content := testpki.Profile(1000)
	good, err := identity(p, p.RSA).Sign(content, signingTime(p))
	if err != nil {
		t.Fatal(err)
	}

	detached := func() []byte {
		sd, err := pkcs7.NewSignedData(content)
		if err != nil {
			t.Fatal(err)
		}
		sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
		if err := sd.AddSigner(p.RSA.Cert, p.RSA.Key, pkcs7.SignerInfoConfig{}); err != nil {
			t.Fatal(err)
		}
		sd.Detach()
		der, err := sd.Finish()
		if err != nil {
			t.Fatal(err)
		}
		return der
	}()
	enveloped, err := pkcs7.Encrypt(content, []*x509.Certificate{p.RSA.Cert})
	if err != nil {
		t.Fatal(err)
	}
	degenerate, err := pkcs7.DegenerateCertificate(p.RSA.Cert.Raw)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "signed profile is empty"},
		{"truncated", good[:len(good)/2], "signed profile is truncated or corrupt"},
		{"truncated header", good[:15], "signed profile is truncated or corrupt"},
		{"trailing data", append(append([]byte{}, good...), '\n'), "signed profile has trailing data after the CMS structure (1 bytes)"},
		{"garbage", []byte("\x00\x01garbage\xff"), "input is not a signed profile (expected a DER CMS SignedData structure)"},
		{"random DER", []byte{0x30, 0x03, 0x02, 0x01, 0x05}, "input is not a signed profile"},
		{"xml plist", content, "input is an unsigned property list, not a signed profile"},
		{"xml plist with BOM", append([]byte("\xef\xbb\xbf\n"), content...), "input is an unsigned property list"},
		{"binary plist", []byte("bplist00\xd1\x01\x02"), "input is an unsigned property list"},
		{"PEM", pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: good}), "input is PEM-encoded; a signed profile is binary DER"},
		{"S/MIME", []byte("MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime\r\n"), "input is an S/MIME message"},
		{"enveloped", enveloped, "input is CMS content of type 1.2.840.113549.1.7.3, not SignedData"},
		{"detached", detached, "signature is detached: the profile content is not embedded"},
		{"certificates only", degenerate, "signed profile has no usable signer info"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := signing.Parse(tt.data)
			if s != nil {
				t.Errorf("got a result alongside the error")
			}
			wantErr(t, err, tt.want)
		})
	}
}

func TestIsSigned(t *testing.T) {
	p := testPKI(t)
	der, err := identity(p, p.P256).Sign([]byte("<plist/>"), signingTime(p))
	if err != nil {
		t.Fatal(err)
	}
	// BER indefinite-length header, as "openssl cms -sign -stream" writes.
	ber := append([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}, 0xa0, 0x80)
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"our DER", der, true},
		{"BER header", ber, true},
		{"xml plist", testpki.Profile(100), false},
		{"binary plist", []byte("bplist00"), false},
		{"empty", nil, false},
		{"one byte", []byte{0x30}, false},
		{"enveloped", bytes.Replace(ber, []byte{0x07, 0x02}, []byte{0x07, 0x03}, 1), false},
		{"huge length", []byte{0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9}, false},
		{"oid cut short", der[:8], false},
	}
	for _, tt := range tests {
		if got := signing.IsSigned(tt.data); got != tt.want {
			t.Errorf("%s: IsSigned = %v, want %v", tt.name, got, tt.want)
		}
	}
}
