// Package diff compares two versions of what mdmforge deploys and says what
// devices do about the difference: the review of a change before it
// reaches them.
//
// It owns the semantic comparison of the files mdmforge writes, the
// consequences of their changes, and the reports made of them:
//
//   - Trees, Plists, JSON and Signers compare values already decoded: two
//     configuration profiles as plist trees (payloads matched by
//     PayloadIdentifier), two plists, two JSON documents (named settings
//     lists by name, the profile inside Intune's custom.json as a profile),
//     and two profiles' signers. Each returns Changes in a stable order.
//   - Consequences turns changes into what devices do: users signing in to
//     an Exchange account again, a second profile installed beside the old
//     one, payloads installed, removed or installed anew, a signing identity
//     a manual re-install rejects. Carries tells a file of an Intune bundle
//     that only repeats its profile's change.
//   - Load reads a side (a policy or a folder of policies, built as
//     mdmforge build would; a built file; a folder of built files), and
//     FileSide and FolderSide make one of files held in memory. Compare pairs
//     the files of two sides, compares each by its format and returns a
//     Report, which Render writes as text, markdown, json or github.
//
// Secrets are never shown: a change to the value of a secret key
// (profiles.IsSecretKey) is marked Secret and a Report holds
// profiles.Redacted in place of such values, in every format.
//
// The package writes nothing but what it is given: Render writes to the
// io.Writer passed, and Load reports skipped files through
// LoadOptions.Warn.
package diff
