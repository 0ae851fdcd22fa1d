package signing_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"log"
	"math/big"
	"os"
	"time"

	"github.com/mdmforge/mdmforge/signing"
)

// Example signs a profile, then parses and verifies the result.
func Example() {
	// Real code loads the identity with LoadPKCS12 or LoadPEM; a throw-away
	// self-signed certificate keeps the example self-contained.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "Example Signer"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}
	id := &signing.Identity{Certificate: cert, Signer: key}

	if _, err := id.Check(now); err != nil {
		log.Fatal(err)
	}
	profile := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict/></plist>
`)
	signed, err := id.Sign(profile, now)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed:", signing.IsSigned(signed), "unsigned:", signing.IsSigned(profile))

	s, err := signing.Parse(signed)
	if err != nil {
		log.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	v, err := s.Verify(signing.VerifyOptions{Roots: roots})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Signer.Subject.CommonName, s.DigestAlgorithm, string(s.Content) == string(profile), len(v.Warnings))
	// Output:
	// signed: true unsigned: false
	// Example Signer SHA-256 true 0
}

// ExampleLoadPKCS12 shows the usual flow with a .p12 exported from
// Keychain Access or OpenSSL.
func ExampleLoadPKCS12() {
	p12, err := os.ReadFile("signer.p12")
	if err != nil {
		log.Fatal(err)
	}
	id, err := signing.LoadPKCS12(p12, os.Getenv("SIGNER_PASSWORD"))
	if err != nil {
		log.Fatal(err)
	}
	// Check at the time that will be written into the profile.
	signingTime := time.Now()
	warnings, err := id.Check(signingTime)
	if err != nil {
		log.Fatal(err)
	}
	for _, w := range warnings {
		log.Println("warning:", w)
	}
	profile, err := os.ReadFile("wifi.mobileconfig")
	if err != nil {
		log.Fatal(err)
	}
	// With an RSA key, the same profile and signingTime always give the
	// same bytes, so a build can pin signingTime for reproducible output.
	signed, err := id.Sign(profile, signingTime)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("wifi.signed.mobileconfig", signed, 0o644); err != nil {
		log.Fatal(err)
	}
}
