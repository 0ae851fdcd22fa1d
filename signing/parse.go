package signing

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/smallstep/pkcs7"
)

// Signed is a parsed signed profile. Parse fills it in without checking
// any signature; call Verify for that.
type Signed struct {
	// Content is the embedded profile, normally an XML property list.
	Content []byte
	// Certificates are all certificates embedded in the file, in file order.
	Certificates []*x509.Certificate
	// Signer is the embedded certificate the signer info points at.
	Signer *x509.Certificate
	// DigestAlgorithm names the signer's digest, such as "SHA-256" or
	// "SHA-1", or is the dotted OID when the algorithm is unknown.
	DigestAlgorithm string
	// SigningTime is the signed signingTime attribute, or zero if absent.
	SigningTime time.Time

	hash          crypto.Hash // 0 when DigestAlgorithm is unsupported
	sigAlg        asn1.ObjectIdentifier
	signature     []byte
	signedAttrs   []byte // DER SET OF Attribute, nil without signed attributes
	messageDigest []byte
	contentType   asn1.ObjectIdentifier
}

// Parse decodes a signed profile: a DER or BER CMS ContentInfo carrying
// SignedData with the profile as attached content. BER input, such as the
// indefinite-length, chunked content from "openssl cms -sign -stream", is
// accepted.
//
// Parse only decodes; it returns an error for empty, truncated or garbage
// input, for an unsigned property list, for CMS types other than SignedData,
// for detached signatures and for anything but exactly one signer.
func Parse(data []byte) (s *Signed, err error) {
	// The CMS parser is third-party code fed with untrusted input and has
	// panicked on crafted input before (GHSA-mq3g-qwhv-4hgw); a panic must
	// not take down a program that merely inspects a file.
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("malformed signed profile: %v", r)
		}
	}()
	return parse(data)
}

func parse(data []byte) (*Signed, error) {
	if len(data) == 0 {
		return nil, errors.New("signed profile is empty")
	}
	if err := sniff(data); err != nil {
		return nil, err
	}
	// Before any decoder that recurses sees the data.
	if err := checkNesting(data); err != nil {
		return nil, err
	}
	// The BER decoder stops after the first object and ignores what follows,
	// so check the outer length here: bytes appended to a signed profile are
	// not covered by the signature and should not pass unnoticed.
	if n, ok := definiteLength(data); ok && n < len(data) {
		return nil, fmt.Errorf("signed profile has trailing data after the CMS structure (%d bytes)", len(data)-n)
	}
	p7, err := pkcs7.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("signed profile is truncated or corrupt: %s", strings.TrimPrefix(err.Error(), "pkcs7: "))
	}
	signers := signersFromPKCS7(p7)
	if len(signers) == 0 {
		// pkcs7 ignores decoding errors inside SignedData and returns what
		// it got so far. Its SignerInfo type only knows issuerAndSerial
		// signer identifiers, so a subjectKeyIdentifier (SignedData
		// version 3, as "openssl cms -keyid" writes) ends up here too; for
		// DER input we can decode those ourselves.
		signers = signersFromDER(data)
	}
	switch len(signers) {
	case 0:
		return nil, errors.New("signed profile has no usable signer info: the SignedData is corrupt or uses an unsupported encoding")
	case 1:
	default:
		return nil, fmt.Errorf("signed profile has %d signers; only single-signer profiles are supported", len(signers))
	}
	if len(p7.Content) == 0 {
		return nil, errors.New("signature is detached: the profile content is not embedded (sign with -nodetach)")
	}
	si := signers[0]
	s := &Signed{
		Content:      p7.Content,
		Certificates: p7.Certificates,
		sigAlg:       si.sigAlg,
		signature:    si.signature,
	}
	s.DigestAlgorithm, s.hash = digestName(si.digestAlg)
	for _, c := range p7.Certificates {
		if si.identifies(c) {
			s.Signer = c
			break
		}
	}
	if s.Signer == nil {
		return nil, errors.New("signed profile does not embed its signer certificate")
	}
	if si.signedAttrs == nil {
		return s, nil
	}
	// The signature covers the attributes as an ordinary SET OF, with the
	// elements in file order: the bytes the signer wrote, sorted or not.
	s.signedAttrs, err = asn1.Marshal(asn1.RawValue{Tag: asn1.TagSet, IsCompound: true, Bytes: si.signedAttrs})
	if err != nil {
		return nil, fmt.Errorf("signed profile has corrupt signed attributes: %v", err)
	}
	for rest := si.signedAttrs; len(rest) > 0; {
		var a attribute
		if rest, err = asn1.Unmarshal(rest, &a); err != nil {
			return nil, fmt.Errorf("signed profile has a corrupt signed attribute: %v", err)
		}
		switch {
		case a.Type.Equal(oidMessageDigest):
			if _, err := asn1.Unmarshal(a.Values.Bytes, &s.messageDigest); err != nil {
				return nil, fmt.Errorf("signed profile has a corrupt messageDigest attribute: %v", err)
			}
		case a.Type.Equal(oidContentType):
			if _, err := asn1.Unmarshal(a.Values.Bytes, &s.contentType); err != nil {
				return nil, fmt.Errorf("signed profile has a corrupt contentType attribute: %v", err)
			}
		case a.Type.Equal(oidSigningTime):
			// A malformed signingTime only loses information; the
			// signature over it is still checked by Verify.
			var t time.Time
			if _, err := asn1.Unmarshal(a.Values.Bytes, &t); err == nil {
				s.SigningTime = t
			}
		}
	}
	return s, nil
}

// parsedSigner is the part of a SignerInfo that Verify needs, whichever
// decoder produced it.
type parsedSigner struct {
	issuer      []byte   // with serial, for issuerAndSerialNumber
	serial      *big.Int //
	ski         []byte   // for subjectKeyIdentifier
	digestAlg   asn1.ObjectIdentifier
	signedAttrs []byte // contents of the SET OF Attribute; nil if absent
	sigAlg      asn1.ObjectIdentifier
	signature   []byte
}

func (p *parsedSigner) identifies(c *x509.Certificate) bool {
	if p.ski != nil {
		return len(c.SubjectKeyId) > 0 && bytes.Equal(c.SubjectKeyId, p.ski)
	}
	return p.serial != nil && c.SerialNumber != nil &&
		c.SerialNumber.Cmp(p.serial) == 0 && bytes.Equal(c.RawIssuer, p.issuer)
}

func signersFromPKCS7(p7 *pkcs7.PKCS7) []parsedSigner {
	out := make([]parsedSigner, 0, len(p7.Signers))
	for _, si := range p7.Signers {
		ps := parsedSigner{
			issuer:    si.IssuerAndSerialNumber.IssuerName.FullBytes,
			serial:    si.IssuerAndSerialNumber.SerialNumber,
			digestAlg: si.DigestAlgorithm.Algorithm,
			sigAlg:    si.DigestEncryptionAlgorithm.Algorithm,
			signature: si.EncryptedDigest,
		}
		if len(si.AuthenticatedAttributes) > 0 {
			ps.signedAttrs = []byte{}
			for _, a := range si.AuthenticatedAttributes {
				// Value was decoded from DER, so FullBytes holds the
				// original SET OF values and re-encoding is exact.
				b, err := asn1.Marshal(attribute{Type: a.Type, Values: a.Value})
				if err != nil {
					return nil
				}
				ps.signedAttrs = append(ps.signedAttrs, b...)
			}
		}
		out = append(out, ps)
	}
	return out
}

// signersFromDER decodes the SignerInfos of a DER SignedData, accepting
// both signer identifier forms. It returns nil for BER or malformed input.
func signersFromDER(data []byte) []parsedSigner {
	var ci struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if rest, err := asn1.Unmarshal(data, &ci); err != nil || len(rest) > 0 {
		return nil
	}
	var sd struct {
		Version          int
		DigestAlgorithms asn1.RawValue
		EncapContent     asn1.RawValue
		Certificates     asn1.RawValue `asn1:"optional,tag:0"`
		CRLs             asn1.RawValue `asn1:"optional,tag:1"`
		SignerInfos      []struct {
			Version            int
			SID                asn1.RawValue
			DigestAlgorithm    pkix.AlgorithmIdentifier
			SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
			SignatureAlgorithm pkix.AlgorithmIdentifier
			Signature          []byte
			UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
		} `asn1:"set"`
	}
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil || len(rest) > 0 {
		return nil
	}
	var out []parsedSigner
	for _, si := range sd.SignerInfos {
		ps := parsedSigner{
			digestAlg: si.DigestAlgorithm.Algorithm,
			sigAlg:    si.SignatureAlgorithm.Algorithm,
			signature: si.Signature,
		}
		switch {
		case si.SID.Class == asn1.ClassContextSpecific && si.SID.Tag == 0 && !si.SID.IsCompound:
			ps.ski = si.SID.Bytes
		case si.SID.Class == asn1.ClassUniversal && si.SID.Tag == asn1.TagSequence:
			var ias issuerAndSerial
			if _, err := asn1.Unmarshal(si.SID.FullBytes, &ias); err != nil {
				return nil
			}
			ps.issuer, ps.serial = ias.Issuer.FullBytes, ias.Serial
		default:
			return nil
		}
		if len(si.SignedAttrs.FullBytes) > 0 {
			ps.signedAttrs = si.SignedAttrs.Bytes
		}
		out = append(out, ps)
	}
	return out
}

// sniff rejects inputs that are clearly not a CMS SignedData with a
// message that says what they are instead.
func sniff(data []byte) error {
	oid, ok := outerOID(data)
	if ok && bytes.Equal(oid, signedDataOIDBytes) {
		return nil
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case bytes.HasPrefix(trimmed, []byte("bplist")),
		bytes.HasPrefix(trimmed, []byte("<?xml")),
		bytes.HasPrefix(trimmed, []byte("<!DOCTYPE plist")),
		bytes.HasPrefix(trimmed, []byte("<plist")):
		return errors.New("input is an unsigned property list, not a signed profile")
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN")):
		return errors.New("input is PEM-encoded; a signed profile is binary DER (convert with \"openssl cms -cmsout -inform PEM -outform DER\")")
	case bytes.HasPrefix(trimmed, []byte("MIME-Version:")):
		return errors.New("input is an S/MIME message; a signed profile is binary DER (sign with \"-outform DER -nodetach\")")
	case ok && bytes.HasPrefix(oid, pkcs7OIDPrefix):
		var id asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(append([]byte{0x06, byte(len(oid))}, oid...), &id); err == nil {
			return fmt.Errorf("input is CMS content of type %s, not SignedData", id)
		}
	}
	return errors.New("input is not a signed profile (expected a DER CMS SignedData structure)")
}

var (
	// DER contents of the OIDs, without tag and length.
	signedDataOIDBytes = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}
	pkcs7OIDPrefix     = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07}
)

// outerOID returns the contents of the OID that opens the outer SEQUENCE,
// reading only the first few bytes so that it costs nothing on large files.
func outerOID(data []byte) ([]byte, bool) {
	if len(data) < 2 || data[0] != 0x30 {
		return nil, false
	}
	i := 2
	switch l := data[1]; {
	case l <= 0x80: // short form, or 0x80 for BER indefinite length
	case l <= 0x84:
		i += int(l & 0x7f)
	default:
		return nil, false
	}
	if len(data) < i+2 || data[i] != 0x06 {
		return nil, false
	}
	n := int(data[i+1])
	if n == 0 || n >= 0x80 || len(data) < i+2+n {
		return nil, false
	}
	return data[i+2 : i+2+n], true
}

// definiteLength returns the total size of the outer DER element, or false
// when it uses BER indefinite length or the header is malformed.
func definiteLength(data []byte) (int, bool) {
	if len(data) < 2 || data[1] == 0x80 {
		return 0, false
	}
	if data[1] < 0x80 {
		return 2 + int(data[1]), true
	}
	n := int(data[1] & 0x7f)
	if n > 4 || len(data) < 2+n {
		return 0, false
	}
	var l uint64
	for _, b := range data[2 : 2+n] {
		l = l<<8 | uint64(b)
	}
	total := uint64(2+n) + l
	if total > uint64(len(data)) {
		return 0, false // truncated: the decoder reports that better
	}
	return int(total), true
}

// IsSigned reports whether data looks like a signed profile: a DER or BER
// SEQUENCE that starts with the CMS signedData content type. It reads only
// the first bytes and validates nothing else; an XML or binary property
// list gives false.
func IsSigned(data []byte) bool {
	oid, ok := outerOID(data)
	return ok && bytes.Equal(oid, signedDataOIDBytes)
}

func digestName(oid asn1.ObjectIdentifier) (string, crypto.Hash) {
	switch {
	case oid.Equal(oidSHA1):
		return "SHA-1", crypto.SHA1
	case oid.Equal(oidSHA224):
		return "SHA-224", crypto.SHA224
	case oid.Equal(oidSHA256):
		return "SHA-256", crypto.SHA256
	case oid.Equal(oidSHA384):
		return "SHA-384", crypto.SHA384
	case oid.Equal(oidSHA512):
		return "SHA-512", crypto.SHA512
	}
	return oid.String(), 0
}
