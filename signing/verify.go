package signing

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"time"
)

// VerifyOptions controls Verify.
type VerifyOptions struct {
	// Roots are the trusted roots; nil means the system roots.
	Roots *x509.CertPool
	// Time is when the certificates must be valid. Zero means the signing
	// time recorded in the profile, or the current time if there is none.
	Time time.Time
}

// Verification is the outcome of a successful Verify.
type Verification struct {
	// Chains are the certificate chains from the signer to a trusted root,
	// as built by crypto/x509.
	Chains [][]*x509.Certificate
	// Warnings describe weaknesses that do not make the signature invalid,
	// such as a SHA-1 digest or intermediates missing from the file.
	Warnings []string
}

// Verify checks the message digest and the signature, refuses a signer
// certificate that is a CA or whose key usage lacks digitalSignature (as
// Check refuses them for signing), then builds a chain
// from the signer through the embedded certificates to opts.Roots and
// checks it is valid at the chosen time. Any extended key usage is accepted
// because certificates used for profile signing carry many different ones.
func (s *Signed) Verify(opts VerifyOptions) (*Verification, error) {
	if err := s.VerifySignature(); err != nil {
		return nil, err
	}

	at := opts.Time
	if at.IsZero() {
		at = s.SigningTime
	}
	if at.IsZero() {
		at = time.Now()
	}
	inter := x509.NewCertPool()
	for _, c := range s.Certificates {
		if c != s.Signer {
			inter.AddCert(c)
		}
	}
	chains, err := s.Signer.Verify(x509.VerifyOptions{
		Roots:         opts.Roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "x509: ")
		if !s.embeds(s.Signer.RawIssuer) && !bytes.Equal(s.Signer.RawIssuer, s.Signer.RawSubject) {
			msg += fmt.Sprintf(" (the profile does not embed the signer's issuer %q; it was probably signed without its intermediate certificates)", s.Signer.Issuer.String())
		}
		return nil, fmt.Errorf("verify: certificate chain: %s", msg)
	}

	v := &Verification{Chains: chains}
	if s.hash == crypto.SHA1 {
		v.Warnings = append(v.Warnings, "the profile is signed with a SHA-1 digest, which is obsolete; re-sign it with SHA-256")
	}
	if missing := s.missingIntermediates(chains); len(missing) > 0 {
		v.Warnings = append(v.Warnings, fmt.Sprintf(
			"the profile does not embed the full chain (missing %s); devices that do not already have these certificates will show it as unverified",
			strings.Join(missing, ", ")))
	}
	if opts.Time.IsZero() && !s.SigningTime.IsZero() && time.Now().After(s.Signer.NotAfter) {
		v.Warnings = append(v.Warnings, fmt.Sprintf(
			"the signer certificate expired on %s; it was valid when signed, but devices treat profiles with expired signers as unsigned",
			s.Signer.NotAfter.UTC().Format(time.RFC3339)))
	}
	return v, nil
}

// VerifySignature checks what Verify checks without the certificate chain:
// the message digest, the signature, and that the signer certificate may
// sign (digitalSignature, when it has a key usage, and not a CA). It says
// the file was signed by s.Signer and not changed since; who s.Signer is
// and whether anyone trusts it is Verify's question.
func (s *Signed) VerifySignature() error {
	if s == nil || s.Signer == nil {
		return errors.New("verify: no signer certificate")
	}
	if s.hash == 0 || !s.hash.Available() {
		return fmt.Errorf("verify: unsupported digest algorithm %s", s.DigestAlgorithm)
	}
	signed := s.Content
	if s.signedAttrs != nil {
		if s.contentType == nil {
			return errors.New("verify: signed attributes lack the required contentType attribute")
		}
		if !s.contentType.Equal(oidData) {
			return fmt.Errorf("verify: signed content type is %s, not data", s.contentType)
		}
		if s.messageDigest == nil {
			return errors.New("verify: signed attributes lack the required messageDigest attribute")
		}
		h := s.hash.New()
		h.Write(s.Content)
		if subtle.ConstantTimeCompare(h.Sum(nil), s.messageDigest) != 1 {
			return errors.New("verify: message digest mismatch: the content was changed after signing")
		}
		signed = s.signedAttrs
	}
	h := s.hash.New()
	h.Write(signed)
	if err := checkSignature(s.Signer.PublicKey, s.sigAlg, s.hash, h.Sum(nil), s.signature); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if err := signerProblem(s.Signer, "re-sign"); err != nil {
		return fmt.Errorf("verify: signer %w", err)
	}
	return nil
}

// missingIntermediates names the non-root certificates of the best chain
// that are not embedded in the file. They were found only because the
// caller's roots happened to contain them, which a device cannot rely on.
func (s *Signed) missingIntermediates(chains [][]*x509.Certificate) []string {
	var best []string
	for i, chain := range chains {
		var missing []string
		for _, c := range chain[1:] {
			if !isSelfSigned(c) && !s.embedsCert(c) {
				missing = append(missing, certName(c))
			}
		}
		if i == 0 || len(missing) < len(best) {
			best = missing
		}
	}
	return best
}

func (s *Signed) embeds(subject []byte) bool {
	for _, c := range s.Certificates {
		if bytes.Equal(c.RawSubject, subject) {
			return true
		}
	}
	return false
}

func (s *Signed) embedsCert(want *x509.Certificate) bool {
	for _, c := range s.Certificates {
		if bytes.Equal(c.Raw, want.Raw) {
			return true
		}
	}
	return false
}

// checkSignature verifies sig over digest. The algorithm is chosen from
// the signer's key and the digest algorithm; the signatureAlgorithm field
// only has to agree with them, as RFC 5652 signers write either the bare
// key algorithm (rsaEncryption, as OpenSSL does) or the combined one.
func checkSignature(pub crypto.PublicKey, sigAlg asn1.ObjectIdentifier, h crypto.Hash, digest, sig []byte) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		want := map[crypto.Hash]asn1.ObjectIdentifier{
			crypto.SHA1: oidSHA1WithRSA, crypto.SHA224: oidSHA224WithRSA, crypto.SHA256: oidSHA256WithRSA,
			crypto.SHA384: oidSHA384WithRSA, crypto.SHA512: oidSHA512WithRSA,
		}[h]
		if !sigAlg.Equal(oidRSAEncryption) && !sigAlg.Equal(want) {
			return fmt.Errorf("unsupported or inconsistent signature algorithm %s for an RSA key", sigAlg)
		}
		if err := rsa.VerifyPKCS1v15(k, h, digest, sig); err != nil {
			return errors.New("signature does not match the signer certificate")
		}
	case *ecdsa.PublicKey:
		ok := sigAlg.Equal(oidECPublicKey) || sigAlg.Equal(oidECDSAWithSHA1) ||
			(len(sigAlg) == len(oidECDSAWithSHA2)+1 && sigAlg[:len(oidECDSAWithSHA2)].Equal(oidECDSAWithSHA2))
		if !ok {
			return fmt.Errorf("unsupported signature algorithm %s for an ECDSA key", sigAlg)
		}
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return errors.New("signature does not match the signer certificate")
		}
	default:
		return fmt.Errorf("unsupported signer key type %T", pub)
	}
	return nil
}
