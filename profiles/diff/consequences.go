package diff

import (
	"strings"
)

// ConsequenceKind names something devices do because of a change.
type ConsequenceKind string

const (
	// Reauthenticate: devices re-install the Exchange account and users
	// sign in again.
	Reauthenticate ConsequenceKind = "reauthenticate"
	// DuplicateProfile: devices install the profile beside the old one
	// instead of replacing it.
	DuplicateProfile ConsequenceKind = "duplicate-profile"
	// PayloadRemoved: devices remove the payload when the profile is
	// updated.
	PayloadRemoved ConsequenceKind = "payload-removed"
	// PayloadAdded: devices install the payload when the profile is
	// updated.
	PayloadAdded ConsequenceKind = "payload-added"
	// PayloadReinstalled: devices install the payload anew instead of
	// updating it, because its PayloadUUID changed.
	PayloadReinstalled ConsequenceKind = "payload-reinstalled"
	// SignerChanged: a manual re-install is rejected unless signed by the
	// same identity.
	SignerChanged ConsequenceKind = "signer-changed"
)

// consequenceTable is every consequence, the change that causes it and what
// devices then do; {type} and {id} stand for the payload's type and
// identifier. It is the one place the wording lives.
var consequenceTable = []struct {
	Kind    ConsequenceKind
	When    string
	Message string
}{
	{Reauthenticate, "any change in a com.apple.eas.account payload, other than its PayloadUUID, or in an Intune email profile (iosEasEmailProfileConfiguration)",
		"devices re-install the Exchange account and users sign in again"},
	{DuplicateProfile, "the profile's top-level PayloadIdentifier changed",
		"devices install this as a second profile beside the old one instead of replacing it"},
	{PayloadRemoved, "a payload is no longer in the profile",
		"devices remove the {type} payload ({id}) when the profile is updated"},
	{PayloadAdded, "a payload is new in the profile",
		"devices install the {type} payload ({id}) when the profile is updated"},
	{PayloadReinstalled, "a payload's PayloadUUID changed while its identifier stayed, shown even when --uuids is not given",
		"devices install the {type} payload ({id}) anew instead of updating it, because its PayloadUUID changed"},
	{SignerChanged, "a signed profile is signed by another certificate, or no longer signed",
		"a manual re-install is rejected unless the replacement is signed by the same identity"},
}

// Consequence is something devices do because of the changes to a file.
type Consequence struct {
	Kind ConsequenceKind
	// Scope, Within, Payload and PayloadType locate it as for a Change.
	Scope       Scope
	Within      string
	Payload     string
	PayloadType string
	// Message says what devices do, in one sentence for people.
	Message string
}

// emailProfileType is the @odata.type of Intune's native Exchange email
// profile, which Intune re-pushes on any change.
const emailProfileType = "#microsoft.graph.iosEasEmailProfileConfiguration"

// Consequences returns what devices do about changes from Trees,
// JSON and Signers, hidden ones included, once each, in a stable
// order. When the profile's identifier changed, devices keep the old
// profile, so its payloads are neither removed nor updated and only the
// duplicate is reported.
func Consequences(changes []Change) []Consequence {
	renamed := map[string]bool{} // by Within
	for _, c := range changes {
		if c.Scope == ScopeProfile && c.Path == "PayloadIdentifier" && c.Kind == Changed {
			renamed[c.Within] = true
		}
	}
	var out []Consequence
	seen := map[Consequence]bool{}
	add := func(kind ConsequenceKind, c Change) {
		q := Consequence{Kind: kind, Scope: c.Scope, Within: c.Within, Payload: c.Payload, PayloadType: c.PayloadType}
		for _, row := range consequenceTable {
			if row.Kind == kind {
				q.Message = strings.NewReplacer("{type}", c.PayloadType, "{id}", c.Payload).Replace(row.Message)
			}
		}
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	for _, c := range changes {
		switch c.Scope {
		case ScopeProfile:
			if c.Path == "PayloadIdentifier" && c.Kind == Changed {
				add(DuplicateProfile, c)
			}
		case ScopePayload:
			switch {
			case renamed[c.Within]:
			case c.Path == "" && c.Kind == Removed:
				add(PayloadRemoved, c)
			case c.Path == "" && c.Kind == Added:
				add(PayloadAdded, c)
			case c.Path == "PayloadUUID":
				add(PayloadReinstalled, c)
			case c.PayloadType == "com.apple.eas.account":
				add(Reauthenticate, c)
			}
		case ScopeFile:
			if c.PayloadType == emailProfileType {
				add(Reauthenticate, c)
			}
		case ScopeSignature:
			if c.Kind != Added {
				add(SignerChanged, c)
			}
		}
	}
	return out
}
