// Package profiles turns mdmforge policy files into Apple configuration
// profiles and Microsoft Outlook app configurations.
//
// A policy is YAML (see docs/policy.md). Decode parses one file strictly,
// keeping the position of every setting; Validate applies the rules,
// including those across files; Load does both for files and folders.
// Every finding is a Diagnostic with its YAML path and file:line:col, and
// all findings of a run are returned together.
//
// Build compiles a valid policy. Output is deterministic: payload UUIDs are
// UUIDv5 values derived from payload identifiers (see PayloadUUID), so a
// rebuilt profile replaces the installed one in place, and the same policy
// always yields the same bytes.
//
// The Intune bundle (Microsoft Graph bodies for each Intune object) is
// written by package profiles/intune, which reads policies from this one.
package profiles
