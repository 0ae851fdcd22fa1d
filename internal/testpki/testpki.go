// Package testpki generates a throw-away PKI for the signing tests.
//
// Nothing here is ever written to the repository: every key and certificate
// is created in memory when a test binary first asks for it, so no secret
// material can be committed by accident.
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"
	"time"
)

// Leaf is an end-entity certificate with its private key.
type Leaf struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// PKI is a root CA, an intermediate CA and the leaves it issued.
type PKI struct {
	// Now is the reference time all validity periods are relative to.
	Now time.Time

	Root            *x509.Certificate
	RootKey         *rsa.PrivateKey
	Intermediate    *x509.Certificate
	IntermediateKey *rsa.PrivateKey

	RSA  Leaf // RSA-2048 leaf with digitalSignature
	P256 Leaf // ECDSA P-256 leaf
	P384 Leaf // ECDSA P-384 leaf

	Expired            Leaf // valid until a day before Now
	NotYetValid        Leaf // valid from a day after Now
	NoDigitalSignature Leaf // KeyUsage set, but only keyEncipherment
	// CASigner is a CA certificate (basicConstraints CA:TRUE) with
	// digitalSignature, issued by Root: a CA misused as a profile signer.
	CASigner Leaf
	// Hostile is a valid leaf whose subject holds a terminal escape
	// sequence and a right-to-left override, for output quoting.
	Hostile Leaf

	// OtherRSA is an RSA key that matches no certificate.
	OtherRSA *rsa.PrivateKey

	// OtherRoot is an unrelated self-signed CA, for "untrusted root" cases.
	OtherRoot *x509.Certificate
}

// HostileName is the common name of PKI.Hostile: it clears the terminal and
// reverses the text after it when printed raw.
const HostileName = "Evil\x1b[2J Signer \u202eRSA"

var (
	once   sync.Once
	shared *PKI
	errGen error
)

// Get returns the PKI of this test binary, generating it on first use.
// RSA key generation dominates the cost, so it happens once per binary.
func Get() (*PKI, error) {
	once.Do(func() { shared, errGen = generate() })
	return shared, errGen
}

func generate() (*PKI, error) {
	p := &PKI{Now: time.Now().Truncate(time.Second)}
	var err error
	rsaKeys := make([]*rsa.PrivateKey, 4)
	var wg sync.WaitGroup
	errs := make([]error, len(rsaKeys))
	for i := range rsaKeys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rsaKeys[i], errs[i] = rsa.GenerateKey(rand.Reader, 2048)
		}()
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return nil, e
		}
	}
	p.RootKey, p.IntermediateKey, p.OtherRSA = rsaKeys[0], rsaKeys[1], rsaKeys[3]
	leafRSA := rsaKeys[2]

	serial := int64(1)
	next := func() *big.Int { serial++; return big.NewInt(serial) }
	day := 24 * time.Hour

	rootTmpl := &x509.Certificate{
		SerialNumber:          next(),
		Subject:               pkix.Name{CommonName: "mdmforge Test Root CA", Organization: []string{"mdmforge tests"}},
		NotBefore:             p.Now.Add(-10 * day),
		NotAfter:              p.Now.Add(3650 * day),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	if p.Root, err = create(rootTmpl, rootTmpl, p.RootKey.Public(), p.RootKey); err != nil {
		return nil, err
	}
	intTmpl := &x509.Certificate{
		SerialNumber:          next(),
		Subject:               pkix.Name{CommonName: "mdmforge Test Intermediate CA", Organization: []string{"mdmforge tests"}},
		NotBefore:             p.Now.Add(-9 * day),
		NotAfter:              p.Now.Add(3000 * day),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	if p.Intermediate, err = create(intTmpl, p.Root, p.IntermediateKey.Public(), p.RootKey); err != nil {
		return nil, err
	}

	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, err
	}

	leaf := func(cn string, key crypto.Signer, notBefore, notAfter time.Time, ku x509.KeyUsage) (Leaf, error) {
		spki, err := x509.MarshalPKIXPublicKey(key.Public())
		if err != nil {
			return Leaf{}, err
		}
		// Real signing certificates carry a subject key identifier; Go adds
		// one only to CA certificates unless asked.
		ski := sha1.Sum(spki)
		tmpl := &x509.Certificate{
			SerialNumber:          next(),
			SubjectKeyId:          ski[:],
			Subject:               pkix.Name{CommonName: cn, Organization: []string{"mdmforge tests"}},
			NotBefore:             notBefore,
			NotAfter:              notAfter,
			KeyUsage:              ku,
			BasicConstraintsValid: true,
		}
		c, err := create(tmpl, p.Intermediate, key.Public(), p.IntermediateKey)
		return Leaf{Cert: c, Key: key}, err
	}
	valid := func(cn string, key crypto.Signer) (Leaf, error) {
		return leaf(cn, key, p.Now.Add(-day), p.Now.Add(365*day), x509.KeyUsageDigitalSignature)
	}
	steps := []struct {
		dst *Leaf
		f   func() (Leaf, error)
	}{
		{&p.RSA, func() (Leaf, error) { return valid("Profile Signer RSA", leafRSA) }},
		{&p.P256, func() (Leaf, error) { return valid("Profile Signer P-256", p256) }},
		{&p.P384, func() (Leaf, error) { return valid("Profile Signer P-384", p384) }},
		{&p.Expired, func() (Leaf, error) {
			return leaf("Expired Signer", leafRSA, p.Now.Add(-5*day), p.Now.Add(-day), x509.KeyUsageDigitalSignature)
		}},
		{&p.NotYetValid, func() (Leaf, error) {
			return leaf("Future Signer", leafRSA, p.Now.Add(day), p.Now.Add(5*day), x509.KeyUsageDigitalSignature)
		}},
		{&p.NoDigitalSignature, func() (Leaf, error) {
			return leaf("Encipherment Only", leafRSA, p.Now.Add(-day), p.Now.Add(365*day), x509.KeyUsageKeyEncipherment)
		}},
		{&p.Hostile, func() (Leaf, error) { return valid(HostileName, p256) }},
		{&p.CASigner, func() (Leaf, error) {
			tmpl := &x509.Certificate{
				SerialNumber:          next(),
				Subject:               pkix.Name{CommonName: "CA Used As Signer", Organization: []string{"mdmforge tests"}},
				NotBefore:             p.Now.Add(-day),
				NotAfter:              p.Now.Add(365 * day),
				KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
				BasicConstraintsValid: true,
				IsCA:                  true,
			}
			c, err := create(tmpl, p.Root, p384.Public(), p.RootKey)
			return Leaf{Cert: c, Key: p384}, err
		}},
	}
	for _, s := range steps {
		if *s.dst, err = s.f(); err != nil {
			return nil, err
		}
	}
	otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	otherTmpl := *rootTmpl
	otherTmpl.SerialNumber = next()
	otherTmpl.Subject = pkix.Name{CommonName: "Unrelated Root CA", Organization: []string{"mdmforge tests"}}
	if p.OtherRoot, err = create(&otherTmpl, &otherTmpl, otherKey.Public(), otherKey); err != nil {
		return nil, err
	}
	return p, nil
}

func create(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, fmt.Errorf("create %q: %w", tmpl.Subject.CommonName, err)
	}
	return x509.ParseCertificate(der)
}

// CertPEM encodes certificates as concatenated PEM blocks.
func CertPEM(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// KeyPEM encodes an unencrypted PKCS#8 private key.
func KeyPEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// Profile returns a syntactically valid XML configuration profile whose
// size is at least minSize bytes, padded with a long PayloadDescription.
func Profile(minSize int) []byte {
	const head = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>PayloadContent</key>
	<array/>
	<key>PayloadDescription</key>
	<string>`
	const tail = `</string>
	<key>PayloadDisplayName</key>
	<string>mdmforge test profile</string>
	<key>PayloadIdentifier</key>
	<string>com.example.mdmforge.test</string>
	<key>PayloadType</key>
	<string>Configuration</string>
	<key>PayloadUUID</key>
	<string>5B9E7C1A-2F4D-4E8B-9C3A-1D2E3F4A5B6C</string>
	<key>PayloadVersion</key>
	<integer>1</integer>
</dict>
</plist>
`
	pad := minSize - len(head) - len(tail)
	if pad < 1 {
		pad = 1
	}
	desc := make([]byte, pad)
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 "
	for i := range desc {
		desc[i] = alphabet[i%len(alphabet)]
	}
	out := make([]byte, 0, len(head)+pad+len(tail))
	out = append(out, head...)
	out = append(out, desc...)
	return append(out, tail...)
}

// TwoKeyPKCS12 returns an unencrypted, MAC-less .p12 holding two private
// keys and one certificate, which no ordinary tool writes but a loader must
// refuse clearly.
func (p *PKI) TwoKeyPKCS12() (out []byte, err error) {
	type safeBag struct {
		ID    asn1.ObjectIdentifier
		Value asn1.RawValue
	}
	type certBag struct {
		ID   asn1.ObjectIdentifier
		Data []byte `asn1:"tag:0,explicit"`
	}
	type contentInfo struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue
	}
	type pfx struct {
		Version  int
		AuthSafe contentInfo
	}
	var (
		oidData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
		oidKeyBag  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
		oidCertBag = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
		oidX509    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	)
	must := func(b []byte, e error) []byte {
		if e != nil && err == nil {
			err = e
		}
		return b
	}
	explicit0 := func(inner []byte) asn1.RawValue {
		return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner}
	}
	octets := func(b []byte) []byte { return must(asn1.Marshal(b)) }
	bags := []safeBag{
		{oidKeyBag, explicit0(must(x509.MarshalPKCS8PrivateKey(p.RSA.Key)))},
		{oidKeyBag, explicit0(must(x509.MarshalPKCS8PrivateKey(p.P256.Key)))},
		{oidCertBag, explicit0(must(asn1.Marshal(certBag{oidX509, p.RSA.Cert.Raw})))},
	}
	safeContents := must(asn1.Marshal(bags))
	authSafe := must(asn1.Marshal([]contentInfo{{oidData, explicit0(octets(safeContents))}}))
	out = must(asn1.Marshal(pfx{3, contentInfo{oidData, explicit0(octets(authSafe))}}))
	return out, err
}
