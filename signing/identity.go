package signing

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// Identity is what Sign needs: the signer certificate, the intermediate
// certificates that lead from it towards a root, and the private key.
//
// Signer is a crypto.Signer rather than a concrete key type so that a key
// held in a KMS or HSM can be used. An Identity must not be modified once it
// is in use; after that, Sign may be called from many goroutines at once.
type Identity struct {
	// Certificate is the signer (leaf) certificate.
	Certificate *x509.Certificate
	// Intermediates are the CA certificates between Certificate and a root.
	// They are embedded in every signed profile so devices can build the
	// chain; self-signed certificates found here are never embedded.
	Intermediates []*x509.Certificate
	// Signer holds the private key matching Certificate. Only RSA and ECDSA
	// keys are supported.
	Signer crypto.Signer

	// roots are self-signed certificates that came with the loaded chain.
	// They are kept only so Check can tell a complete chain from a broken
	// one and say that the root will not be embedded.
	roots []*x509.Certificate
}

// ErrWrongPassword is returned by LoadPKCS12 when the password does not
// open the file, so that a caller can ask for the password again. A file
// without a password reports it for any non-empty password, and a
// password-protected file for the empty one.
var ErrWrongPassword = errors.New("read .p12: wrong password")

// LoadPKCS12 reads a .p12/.pfx file holding one private key, its certificate
// and optionally the CA chain. Both OpenSSL 3's default encryption
// (AES-256-CBC, PBKDF2, SHA-256 MAC) and legacy files (3DES/RC2, SHA-1 MAC,
// "openssl pkcs12 -legacy") are accepted.
//
// The signer certificate is the one whose public key matches the private
// key, wherever it sits in the file; root certificates are set aside and
// never embedded in signed profiles.
func LoadPKCS12(data []byte, password string) (*Identity, error) {
	if len(data) == 0 {
		return nil, errors.New("read .p12: file is empty")
	}
	key, cert, cas, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		switch {
		case errors.Is(err, pkcs12.ErrIncorrectPassword), errors.Is(err, pkcs12.ErrDecryption):
			// Files without a MAC only show a wrong password as bad padding.
			return nil, ErrWrongPassword
		// go-pkcs12 has no sentinel error for this case;
		// TestLoadPKCS12Refusals pins the wording.
		case strings.Contains(err.Error(), "expected exactly one key bag"):
			return nil, errors.New("read .p12: the file holds more than one private key; export a .p12 that contains only the signing identity")
		}
		return nil, fmt.Errorf("read .p12: %s", strings.TrimPrefix(err.Error(), "pkcs12: "))
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("read .p12: unsupported private key type %T", key)
	}
	return newIdentity(signer, append([]*x509.Certificate{cert}, cas...), ".p12 file")
}

// LoadPEM builds an Identity from PEM data: cert holds the signer
// certificate, optionally followed by its chain; key holds the private key
// (PKCS#8, PKCS#1 or SEC 1); chain, which may be nil, holds more CA
// certificates.
//
// Encrypted PEM keys are refused. Go cannot decrypt PKCS#8 "ENCRYPTED
// PRIVATE KEY" blocks, and the legacy "Proc-Type: 4,ENCRYPTED" format is
// unauthenticated and deprecated in Go, so rather than support it half-way
// the error tells the user to convert the key to a password-protected .p12.
func LoadPEM(cert, key, chain []byte) (*Identity, error) {
	certs, err := pemCertificates(cert, "certificate")
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return nil, errors.New("read certificate: no PEM CERTIFICATE block found")
	}
	more, err := pemCertificates(chain, "chain")
	if err != nil {
		return nil, err
	}
	signer, err := pemPrivateKey(key)
	if err != nil {
		return nil, err
	}
	return newIdentity(signer, append(certs, more...), "certificate data")
}

const encryptedKeyFix = "convert the certificate and key to a password-protected .p12 (openssl pkcs12 -export) and load that instead"

// ErrEncryptedKey is wrapped by LoadPEM's error when the private key is
// encrypted, which Go cannot read, so that a caller who knows the file
// names can give the exact command that converts them.
var ErrEncryptedKey = errors.New("encrypted private key")

// encryptedKey is an error about an encrypted key that wraps
// ErrEncryptedKey without repeating its words.
type encryptedKey string

func (e encryptedKey) Error() string { return string(e) }
func (e encryptedKey) Unwrap() error { return ErrEncryptedKey }

func pemPrivateKey(data []byte) (crypto.Signer, error) {
	var found crypto.Signer
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		var (
			key any
			err error
		)
		switch block.Type {
		case "ENCRYPTED PRIVATE KEY":
			return nil, encryptedKey("read private key: the key is encrypted (PKCS#8), which Go cannot decrypt; " + encryptedKeyFix)
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
				return nil, encryptedKey("read private key: the key uses legacy PEM encryption, which is insecure and not supported; " + encryptedKeyFix)
			}
		default:
			// "EC PARAMETERS" from "openssl ecparam -genkey", certificates in
			// a combined file, and so on: not ours to judge.
			continue
		}
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		default:
			key, err = x509.ParseECPrivateKey(block.Bytes)
		}
		if err != nil {
			return nil, fmt.Errorf("read private key: %s", strings.TrimPrefix(err.Error(), "x509: "))
		}
		if found != nil {
			return nil, errors.New("read private key: more than one private key found; keep only the signing key")
		}
		s, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("read private key: unsupported key type %T", key)
		}
		found = s
	}
	if found == nil {
		return nil, errors.New("read private key: no PEM private key block found")
	}
	return found, nil
}

func pemCertificates(data []byte, what string) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return certs, nil
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("read %s: certificate %d: %s", what, len(certs)+1, strings.TrimPrefix(err.Error(), "x509: "))
		}
		certs = append(certs, c)
	}
}

// newIdentity picks the certificate matching the key as the signer and
// sorts the rest into intermediates and roots, dropping duplicates.
func newIdentity(signer crypto.Signer, certs []*x509.Certificate, source string) (*Identity, error) {
	if err := supportedKey(signer.Public()); err != nil {
		return nil, err
	}
	id := &Identity{Signer: signer}
	for _, c := range certs {
		if c != nil && keysEqual(signer.Public(), c.PublicKey) {
			id.Certificate = c
			break
		}
	}
	if id.Certificate == nil {
		n := 0
		for _, c := range certs {
			if c != nil {
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("no certificate found in the %s", source)
		}
		return nil, fmt.Errorf("private key does not match any of the %d certificate(s) in the %s", n, source)
	}
	seen := map[string]bool{string(id.Certificate.Raw): true}
	for _, c := range certs {
		if c == nil || seen[string(c.Raw)] {
			continue
		}
		seen[string(c.Raw)] = true
		if isSelfSigned(c) {
			id.roots = append(id.roots, c)
		} else {
			id.Intermediates = append(id.Intermediates, c)
		}
	}
	return id, nil
}

// Check reports whether the identity is fit to sign profiles at time now.
//
// It returns an error when the private key does not match the certificate,
// the certificate is expired or not yet valid, is a CA certificate, or its
// key usage extension is present but lacks digitalSignature. Warnings describe problems that
// still allow signing: a chain that seems to lack an intermediate (devices
// then show the profile as "Unverified") or a root certificate supplied in
// the chain (it is never embedded).
func (id *Identity) Check(now time.Time) (warnings []string, err error) {
	if id == nil || id.Certificate == nil {
		return nil, errors.New("identity has no certificate")
	}
	if id.Signer == nil {
		return nil, errors.New("identity has no private key")
	}
	c := id.Certificate
	name := certName(c)
	if err := supportedKey(id.Signer.Public()); err != nil {
		return nil, err
	}
	if !keysEqual(id.Signer.Public(), c.PublicKey) {
		return nil, fmt.Errorf("private key does not match certificate %s", name)
	}
	if now.Before(c.NotBefore) {
		return nil, fmt.Errorf("certificate %s is not valid until %s", name, c.NotBefore.UTC().Format(time.RFC3339))
	}
	if now.After(c.NotAfter) {
		return nil, fmt.Errorf("certificate %s expired on %s", name, c.NotAfter.UTC().Format(time.RFC3339))
	}
	if err := signerProblem(c, "sign"); err != nil {
		return nil, err
	}

	for _, r := range id.roots {
		warnings = append(warnings, fmt.Sprintf("root certificate %s was supplied in the chain; roots are not embedded in signed profiles", certName(r)))
	}
	pool := make([]*x509.Certificate, 0, len(id.Intermediates)+len(id.roots))
	for _, ic := range id.Intermediates {
		if ic == nil {
			continue
		}
		if isSelfSigned(ic) {
			warnings = append(warnings, fmt.Sprintf("root certificate %s was supplied in the chain; roots are not embedded in signed profiles", certName(ic)))
		} else if now.After(ic.NotAfter) {
			warnings = append(warnings, fmt.Sprintf("intermediate certificate %s expired on %s", certName(ic), ic.NotAfter.UTC().Format(time.RFC3339)))
		}
		pool = append(pool, ic)
	}
	pool = append(pool, id.roots...)
	// Roots are normally not supplied, so a chain may end at a CA whose
	// issuer is missing: that issuer is presumably the root the device
	// trusts. Only a leaf whose issuer is missing means an intermediate is
	// lacking, since leaves issued straight from a root are rare.
	if !isSelfSigned(c) && findIssuer(c, pool) == nil {
		warnings = append(warnings, fmt.Sprintf(
			"chain looks incomplete: the issuer of %s (%s) was not supplied; devices that do not already have it will show signed profiles as unverified",
			certName(c), c.Issuer.String()))
	}
	return warnings, nil
}

// signerProblem refuses certificates that must not sign profiles: a key
// usage without digitalSignature (RFC 5280 4.2.1.3), and CA certificates,
// which sign certificates, not content; a leaf issued by the CA is the fix.
// A certificate without a key usage extension may be used for anything.
// fix is the verb for the remedy: "sign" or "re-sign".
func signerProblem(c *x509.Certificate, fix string) error {
	name := certName(c)
	if c.BasicConstraintsValid && c.IsCA {
		if isSelfSigned(c) {
			// What "openssl req -x509" writes unless told otherwise.
			return fmt.Errorf("certificate %s is a self-signed CA certificate (basicConstraints CA:TRUE); %s with a leaf certificate, for a test one "+
				"\"openssl req -x509 -newkey rsa:2048 -nodes -keyout signer.key -out signer.crt -days 365 -subj '/CN=Profile Signer' -addext basicConstraints=critical,CA:FALSE -addext keyUsage=critical,digitalSignature\"", name, fix)
		}
		return fmt.Errorf("certificate %s is a CA certificate (basicConstraints CA:TRUE); %s with a leaf certificate the CA issued", name, fix)
	}
	if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return fmt.Errorf("certificate %s is not allowed to sign: its key usage lacks digitalSignature; %s with a certificate whose key usage includes digitalSignature", name, fix)
	}
	return nil
}

// findIssuer checks only the signature, not CA constraints or SHA-1
// policy: it answers "was this supplied?", the device judges the rest.
func findIssuer(c *x509.Certificate, pool []*x509.Certificate) *x509.Certificate {
	for _, p := range pool {
		if bytes.Equal(p.RawSubject, c.RawIssuer) &&
			p.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil {
			return p
		}
	}
	return nil
}

// isSelfSigned reports whether c is a root: self-issued and signed by its
// own key.
func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

func supportedKey(pub crypto.PublicKey) error {
	switch pub.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
		return nil
	}
	return fmt.Errorf("unsupported key type %T: only RSA and ECDSA keys can sign profiles", pub)
}

func keysEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && b != nil && k.Equal(b)
}

func certName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return fmt.Sprintf("%q", c.Subject.CommonName)
	}
	return fmt.Sprintf("%q", c.Subject.String())
}
