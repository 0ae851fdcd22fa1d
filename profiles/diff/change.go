package diff

import (
	"fmt"
)

// ChangeKind says whether a value was added, removed or changed.
type ChangeKind string

const (
	// Added is a value, payload or file only in the second side.
	Added ChangeKind = "added"
	// Removed is a value, payload or file only in the first side.
	Removed ChangeKind = "removed"
	// Changed is a value in both sides that differs in value or type.
	Changed ChangeKind = "changed"
)

// Scope says what part of a file a Change is in.
type Scope string

const (
	// ScopeFile is a value of a file that is not a profile (an app
	// configuration, a Graph request body), or the file's bytes.
	ScopeFile Scope = "file"
	// ScopeProfile is the top level of a profile, outside its payloads.
	ScopeProfile Scope = "profile"
	// ScopePayload is a payload of a profile, named by Payload.
	ScopePayload Scope = "payload"
	// ScopeSignature is the CMS signature of a signed profile.
	ScopeSignature Scope = "signature"
)

// Change is one difference. Before is absent (nil with an empty BeforeType)
// for Added, After for Removed.
type Change struct {
	Kind  ChangeKind
	Scope Scope
	// Within is the JSON key holding the profile the change is in, for a
	// profile embedded in a JSON body (the payload of Intune's custom.json),
	// and empty otherwise.
	Within string
	// Payload is the PayloadIdentifier of the payload, for ScopePayload.
	// PayloadType is its PayloadType; for ScopeFile changes in a Microsoft
	// Graph body it is the body's @odata.type.
	Payload, PayloadType string
	// Path is the key path inside the payload, the profile's top level or the
	// file: EnableMail, IKEv2.RemoteAddress, Subject[0][1],
	// customSettings["com.microsoft.outlook.Contacts.LocalSyncEnabled"]. It
	// is empty when a whole payload is added or removed, or for a file
	// compared by its bytes.
	Path string
	// Before and After are the values: plist values (string, bool, int64,
	// float64, time.Time, []byte, []any, map[string]any), JSON values
	// (json.Number for numbers), a *Signer, or for files compared by bytes
	// "sha256:" and the hex digest.
	Before, After any
	// BeforeType and AfterType name the values' types: string, integer,
	// real, boolean, date, data, array or dict for plists; string, number,
	// boolean, null, array or object for JSON; certificate; bytes.
	BeforeType, AfterType string
	// Hidden marks a PayloadUUID change that Options.UUIDs leaves out of
	// reports. Consequences still sees it.
	Hidden bool
	// Secret marks a change to the value of a secret key
	// (profiles.IsSecretKey), or to a value inside one: reports say that it
	// changed and never show Before or After. Values that are not secret themselves may still hold
	// secrets, such as a whole payload added; show them through
	// profiles.RedactSecrets.
	Secret bool
}

// Options control what a comparison reports.
type Options struct {
	// UUIDs shows PayloadUUID changes; without it they are marked Hidden.
	UUIDs bool
}

// Signer identifies the certificate that signed a profile.
type Signer struct {
	Subject string `json:"subject"`
	SHA256  string `json:"sha256"` // fingerprint of the certificate's DER, upper-case hex
}

// String is the subject and the fingerprint, as reports show them.
func (s *Signer) String() string { return fmt.Sprintf("%s (SHA-256 %s)", s.Subject, s.SHA256) }

// Signers compares the signers of two profiles; nil means unsigned. A
// certificate with the same subject but another fingerprint is a change.
func Signers(a, b *Signer) []Change {
	c := Change{Scope: ScopeSignature, Path: "signer"}
	switch {
	case a == nil && b == nil:
		return nil
	case a == nil:
		c.Kind, c.After, c.AfterType = Added, b, "certificate"
	case b == nil:
		c.Kind, c.Before, c.BeforeType = Removed, a, "certificate"
	case *a == *b:
		return nil
	default:
		c.Kind, c.Before, c.After, c.BeforeType, c.AfterType = Changed, a, b, "certificate", "certificate"
	}
	return []Change{c}
}
