// Package propertylist owns mdmforge's own handling of property lists: the
// deterministic XML writer every .mobileconfig is encoded with, the strict
// XML reader that reads each rendered profile back, and the depth and
// expansion guard that runs before howett.net/plist decodes anything a
// user supplied.
//
// It is internal because its users are profiles and profiles/diff, whose
// public functions (profiles.DecodeProfile, Lint and Import; diff.Compare
// and diff.JSON) apply the guard themselves; its name differs from howett.net/plist's so
// that callers import both without an alias.
package propertylist
