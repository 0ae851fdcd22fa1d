// Package profiles is mdmforge's library entry point: it reads policy
// files, checks them, and compiles them into Apple configuration profiles
// and the matching Outlook app configurations.
//
// # Policies
//
// A policy is YAML in format version 1 (see docs/policy.md). Decode parses
// one file strictly, keeping the position of every setting; Validate
// applies the rules, including those across files; Load does both for
// files and folders. Every finding is a Diagnostic with its YAML path and
// file:line:col, and all findings of a run are returned together.
// PolicySettings and LookupSetting describe the format itself, for people
// (mdmforge explain prints them), and JSONSchema describes it for editors.
//
// # Outputs
//
// Policy.Build compiles a valid policy into the outputs every MDM takes:
// the .mobileconfig and Outlook's Managed Devices plist. Output is
// deterministic: payload UUIDs are UUIDv5 values derived from payload
// identifiers (see PayloadUUID), so a rebuilt profile replaces the
// installed one in place, and the same policy always yields the same bytes.
//
// # Existing profiles
//
// Lint checks a profile written by anyone against Apple's schema and the
// Devices it is meant for; Import turns one back into a policy.
//
// # Neighbouring packages
//
// Apple's schema and its lookups are in profiles/schema; the comparison of
// two versions of the outputs, with what devices do about it, in
// profiles/diff; the Intune side (Graph bodies, the Managed Apps
// configuration, the NAME.intune bundle) in profiles/intune, which reads
// policies from this package; the roster pipeline, one profile per
// user, in profiles/roster. Signing is package signing.
package profiles
