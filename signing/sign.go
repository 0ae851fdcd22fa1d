package signing

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"
)

var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}

	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidSHA224 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}

	oidRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidSHA1WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	oidSHA256WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidSHA224WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}
	oidECPublicKey   = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidECDSAWithSHA1 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	oidECDSAWithSHA2 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3} // prefix of ecdsa-with-SHA224..512
	oidECDSAWithS256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
)

// The structures below mirror RFC 5652. Pre-encoded parts are carried as
// asn1.RawValue with FullBytes so encoding/asn1 copies them verbatim and
// the output is exactly what we computed and signed.

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue // [0] EXPLICIT, built by hand: see Sign
}

type encapContentInfo struct {
	EContentType asn1.ObjectIdentifier
	EContent     []byte `asn1:"explicit,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
	EncapContent     encapContentInfo
	Certificates     asn1.RawValue // [0] IMPLICIT SET OF Certificate
	SignerInfos      []signerInfo  `asn1:"set"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

type signerInfo struct {
	Version            int
	SID                issuerAndSerial
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue // [0] IMPLICIT SET OF Attribute
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue // SET OF AttributeValue, pre-encoded
}

// Sign wraps content (the XML property list) in a DER-encoded CMS
// SignedData structure, as Apple expects for signed configuration profiles.
//
// The content is attached, the digest is SHA-256, the signed attributes are
// contentType, messageDigest and signingTime, and the certificate set holds
// the signer and its intermediates but never a root. signingTime is written
// verbatim (truncated to whole seconds, in UTC) instead of the current time,
// so that, together with RSA PKCS#1 v1.5 being deterministic, the same
// content, identity and signingTime give byte-identical output. ECDSA
// signatures are randomised and differ on every call.
//
// Sign does not judge the certificate's validity; call Check first.
func (id *Identity) Sign(content []byte, signingTime time.Time) ([]byte, error) {
	if id == nil || id.Certificate == nil {
		return nil, errors.New("sign: identity has no certificate")
	}
	if id.Signer == nil {
		return nil, errors.New("sign: identity has no private key")
	}
	if len(content) == 0 {
		return nil, errors.New("sign: content is empty")
	}
	if signingTime.IsZero() {
		return nil, errors.New("sign: signing time is zero; pass time.Now() or a fixed time for reproducible output")
	}
	pub := id.Signer.Public()
	// A KMS signer may take a network round trip per call, so catch the
	// wrong key before spending one on a signature nobody can verify.
	if !keysEqual(pub, id.Certificate.PublicKey) {
		return nil, fmt.Errorf("sign: private key does not match certificate %s", certName(id.Certificate))
	}
	var sigAlg pkix.AlgorithmIdentifier
	switch pub.(type) {
	case *rsa.PublicKey:
		// RFC 4055 wants explicit NULL parameters for RSA algorithms.
		sigAlg = pkix.AlgorithmIdentifier{Algorithm: oidSHA256WithRSA, Parameters: asn1.NullRawValue}
	case *ecdsa.PublicKey:
		// RFC 5758: ecdsa-with-SHA256 has absent parameters.
		sigAlg = pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithS256}
	default:
		return nil, fmt.Errorf("sign: %v", supportedKey(pub))
	}
	// RFC 5754: SHA-2 AlgorithmIdentifiers should omit the parameters;
	// Apple's own signed profiles do so too.
	digestAlg := pkix.AlgorithmIdentifier{Algorithm: oidSHA256}

	digest := sha256.Sum256(content)
	attrs, err := signedAttributes(digest[:], signingTime)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	// The signature covers the attributes encoded as an ordinary SET OF,
	// while the SignerInfo stores them under an implicit [0] tag.
	toSign, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: attrs})
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	attrsDigest := sha256.Sum256(toSign)
	sig, err := id.Signer.Sign(rand.Reader, attrsDigest[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}

	certs, err := certificateSet(id.Certificate, id.Intermediates)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	sd := signedData{
		// Version 1: issuerAndSerialNumber signer and id-data content.
		Version:          1,
		DigestAlgorithms: []pkix.AlgorithmIdentifier{digestAlg},
		EncapContent:     encapContentInfo{EContentType: oidData, EContent: content},
		Certificates:     asn1.RawValue{FullBytes: certs},
		SignerInfos: []signerInfo{{
			Version: 1,
			SID: issuerAndSerial{
				Issuer: asn1.RawValue{FullBytes: id.Certificate.RawIssuer},
				Serial: id.Certificate.SerialNumber,
			},
			DigestAlgorithm:    digestAlg,
			SignedAttrs:        asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: attrs},
			SignatureAlgorithm: sigAlg,
			Signature:          sig,
		}},
	}
	if sd.SignerInfos[0].SID.Serial == nil {
		return nil, errors.New("sign: certificate has no serial number")
	}
	inner, err := asn1.Marshal(sd)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	// encoding/asn1 ignores field tags on a RawValue, so the explicit [0]
	// wrapper is spelled out as a constructed context-specific value.
	out, err := asn1.Marshal(contentInfo{
		ContentType: oidSignedData,
		Content:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner},
	})
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return out, nil
}

// signedAttributes returns the DER contents (without the SET header) of
// the signed attributes, sorted as DER requires for a SET OF.
func signedAttributes(digest []byte, signingTime time.Time) ([]byte, error) {
	// encoding/asn1 picks UTCTime for 1950-2049 and GeneralizedTime
	// otherwise, which is exactly the rule in RFC 5652 section 11.3.
	values := []struct {
		oid asn1.ObjectIdentifier
		v   any
	}{
		{oidContentType, oidData},
		{oidMessageDigest, digest},
		{oidSigningTime, signingTime.UTC().Truncate(time.Second)},
	}
	enc := make([][]byte, 0, len(values))
	for _, a := range values {
		v, err := asn1.Marshal(a.v)
		if err != nil {
			return nil, err
		}
		set, err := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSet, IsCompound: true, Bytes: v})
		if err != nil {
			return nil, err
		}
		b, err := asn1.Marshal(attribute{Type: a.oid, Values: asn1.RawValue{FullBytes: set}})
		if err != nil {
			return nil, err
		}
		enc = append(enc, b)
	}
	return joinSorted(enc), nil
}

// certificateSet returns the [0] IMPLICIT SET OF Certificate with the
// signer and its intermediates. Roots are left out: a device must already
// trust the root, and shipping it invites users to trust whatever root the
// file brings. Sorting and de-duplication mean neither the order nor
// repetitions in Intermediates change the output.
func certificateSet(leaf *x509.Certificate, intermediates []*x509.Certificate) ([]byte, error) {
	enc := [][]byte{leaf.Raw}
	for _, c := range intermediates {
		if c == nil || bytes.Equal(c.RawSubject, c.RawIssuer) {
			// A self-issued certificate is a root (or a key-rollover link
			// no device needs). Comparing names instead of checking the
			// self-signature keeps a public-key operation out of Sign.
			continue
		}
		enc = append(enc, c.Raw)
	}
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: joinSorted(enc)})
}

// joinSorted concatenates DER elements in the order X.690 section 11.6
// prescribes for SET OF, dropping exact duplicates. Plain byte order is
// that order here: every element is a complete TLV, so none is a proper
// prefix of another and the zero-padding rule never applies.
func joinSorted(enc [][]byte) []byte {
	slices.SortFunc(enc, bytes.Compare)
	return bytes.Join(slices.CompactFunc(enc, bytes.Equal), nil)
}
