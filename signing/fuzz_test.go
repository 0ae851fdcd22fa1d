package signing

import (
	"crypto/x509"
	"testing"

	"github.com/mdmforge/mdmforge/internal/testpki"
)

// FuzzParse feeds arbitrary bytes to the parser and to Verify. It calls
// parse rather than Parse so that a panic inside the CMS library is a
// fuzzing failure instead of being turned into an error by Parse's
// recover, which is only a last line of defence.
func FuzzParse(f *testing.F) {
	p, err := testpki.Get()
	if err != nil {
		f.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(p.Root)
	// Small seeds keep the fuzzer's minimisation of new inputs short: each
	// execution that parses goes on to RSA and chain verification, which is
	// slow under coverage instrumentation.
	for _, id := range []*Identity{
		{Certificate: p.RSA.Cert, Intermediates: []*x509.Certificate{p.Intermediate}, Signer: p.RSA.Key},
		{Certificate: p.P256.Cert, Signer: p.P256.Key},
	} {
		der, err := id.Sign([]byte("<plist/>"), p.Now)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
		f.Add(der[:len(der)/2])
		f.Add(toIndefinite(der))
	}
	f.Add([]byte{})
	f.Add([]byte("garbage"))
	f.Add(testpki.Profile(200))
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0x00, 0x00})

	f.Fuzz(func(t *testing.T, data []byte) {
		IsSigned(data)
		s, err := parse(data)
		if err != nil {
			if s != nil {
				t.Fatal("result returned alongside an error")
			}
			return
		}
		if s.Signer == nil || len(s.Content) == 0 {
			t.Fatal("parse succeeded without a signer or content")
		}
		// A fixed time keeps the outcome independent of the clock.
		_, _ = s.Verify(VerifyOptions{Roots: roots, Time: p.Now})
	})
}

// toIndefinite rewrites the outer DER header as BER indefinite length.
func toIndefinite(der []byte) []byte {
	n, ok := definiteLength(der)
	if !ok || n != len(der) || der[1] < 0x81 {
		return der
	}
	hdr := 2 + int(der[1]&0x7f)
	out := append([]byte{0x30, 0x80}, der[hdr:]...)
	return append(out, 0x00, 0x00)
}
