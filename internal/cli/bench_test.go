package cli

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/mdmforge/mdmforge/internal/testpki"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/signing"
)

// BenchmarkThroughput measures the per-user roster pipeline beside the raw
// signature primitives, in one run, so the ratios in the README compare
// like with like: compile (render, encode, read back), compile plus CMS
// signing with RSA-2048 and P-256, and the bare signatures, each on one
// core and on all cores. Read profiles/s from each line.
func BenchmarkThroughput(b *testing.B) {
	data, err := os.ReadFile("../../examples/contacts-only-eas.yaml")
	if err != nil {
		b.Fatal(err)
	}
	p, ds := profiles.Decode("p.yaml", data)
	if ds.Errors() > 0 {
		b.Fatal(ds)
	}
	tmpl, err := p.Template()
	if err != nil {
		b.Fatal(err)
	}
	pki, err := testpki.Get()
	if err != nil {
		b.Fatal(err)
	}
	identity := func(leaf testpki.Leaf) *signing.Identity {
		return &signing.Identity{Certificate: leaf.Cert, Intermediates: []*x509.Certificate{pki.Intermediate}, Signer: leaf.Key}
	}
	rsaID, ecID := identity(pki.RSA), identity(pki.P256)
	at := time.Now()
	values := map[string]string{"email": "user@example.com", "upn": "user@example.com"}
	digest := sha256.Sum256([]byte("profile"))

	work := map[string]func() error{
		"compile": func() error { _, err := tmpl.Render(values); return err },
		"compile+sign-rsa2048": func() error {
			d, err := tmpl.Render(values)
			if err == nil {
				_, err = rsaID.Sign(d, at)
			}
			return err
		},
		"compile+sign-p256": func() error {
			d, err := tmpl.Render(values)
			if err == nil {
				_, err = ecID.Sign(d, at)
			}
			return err
		},
		"raw-rsa2048": func() error { _, err := pki.RSA.Key.Sign(rand.Reader, digest[:], crypto.SHA256); return err },
		"raw-p256":    func() error { _, err := pki.P256.Key.Sign(rand.Reader, digest[:], crypto.SHA256); return err },
	}
	for _, name := range []string{"compile", "compile+sign-rsa2048", "raw-rsa2048", "compile+sign-p256", "raw-p256"} {
		f := work[name]
		b.Run(name+"/1core", func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				if err := f(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "profiles/s")
		})
		b.Run(fmt.Sprintf("%s/allcores", name), func(b *testing.B) {
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := f(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "profiles/s")
		})
	}
}
