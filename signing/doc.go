// Package signing signs Apple configuration profiles and parses and
// verifies signed ones.
//
// It knows nothing of policies: it signs the bytes of any profile, such as
// those package profiles compiles, so that a deployment tool can sign what
// it did not build.
//
// A signed profile is a DER-encoded CMS ContentInfo holding SignedData
// (RFC 5652) with the XML property list attached as id-data content. Sign
// produces exactly that, with a SHA-256 digest, the signed attributes
// contentType, messageDigest and signingTime, and the signer certificate
// plus its intermediates; the root is never embedded. Embedding the
// intermediates matters: without them devices cannot build the chain and
// show the profile as "Unverified".
//
// Identities come from a .p12 file (LoadPKCS12), from PEM files (LoadPEM),
// or can be assembled by hand around any crypto.Signer, such as a key held
// in a KMS. Check tells whether an identity is fit to sign at a given time.
//
// Parse accepts DER and BER input, including the indefinite-length,
// chunked encoding that "openssl cms -sign -stream" writes, and Verify
// checks the signature and the certificate chain.
package signing
