// Package schema holds Apple's published schema of configuration profile
// payloads, embedded, and explains it: for every payload type and key, its
// value type, presence, default, allowed values, range, format, and per
// platform the versions that introduced, deprecated or removed it and
// whether it needs supervision, MDM installation, and so on.
//
// Lookup, Types and Common give the data. Explain resolves a dotted path
// (TYPE[.KEY...]) to what it names and returns an Explanation, which
// marshals to JSON or writes itself as text (WriteText); KeysUnder lists
// what may follow a path, and Summaries lists every payload type with its
// platforms. The checks of a profile against the schema are in package
// profiles (Validate, Lint).
//
// # Source
//
// The data comes from the mdm/profiles/*.yaml files of Apple's repository
// https://github.com/apple/device-management (MIT licence, see
// LICENSE.apple.txt beside this file; the commit is recorded in the data
// file and returned by DataSource). Only facts are kept; Apple's titles and
// descriptions are not. The generator in internal/gen converts the YAML
// into apple.jsonl, which is embedded and parsed once, on first use.
//
// # Regenerating
//
// With Apple's files in ../shared/apple-device-management (beside the
// repository; it holds LICENSE.txt, SOURCE and profiles/), run from the
// repository root:
//
//	go generate ./profiles/schema
//
// To update to a newer Apple release, replace those files (SOURCE is
// "<commit> <date> <subject>") and regenerate. Tests fail when the embedded
// data does not match the files in ../shared.
//
// # Data model
//
//   - Lookup("Configuration") is the profile's top-level dictionary
//     (Apple's TopLevel.yaml); Common returns the keys every payload inside
//     PayloadContent has (CommonPayloadKeys.yaml), which Payload.Key also
//     finds.
//   - Support information is inherited as Apple specifies: a key starts
//     from its parent's supportedOS (the payload's, or the enclosing key's)
//     and overrides, per platform and per field, what it states itself.
//     Platforms is always the effective result; an absent platform means
//     not supported (Apple's "n/a").
//   - Dictionary keys have subkeys (Key.Keys), arrays an element schema
//     (Key.Item). A key named ANY (Wildcard) stands for any name; the
//     lookup methods fall back to it.
//   - Two Apple files may describe the same payload type (com.apple.MCX has
//     six, com.apple.extensiblesso two); Lookup then returns a merged
//     payload and the per-file ones in Payload.Variants.
//
// # A second source: ProfileManifests
//
// Apple's copy stops at a release, and describes payloads, not the
// preference domains of applications that macOS profiles set. Facts,
// Domain and LookupKey add the facts of the ProfileManifests project
// (https://github.com/ProfileManifests/ProfileManifests; the commit is in
// manifests.jsonl and returned by Sources). That repository has no
// licence, so only facts are embedded: key names, types, platforms, OS
// versions, supervision, allowed values, ranges, formats and required
// flags, none of its text. Apple's facts win where both speak; every
// payload, key and per-platform support carries its Origin. The generator
// in internal/pmgen converts ../shared/profile-manifests/keys.jsonl into
// manifests.jsonl, and go generate runs it with Apple's.
//
// The file formats are described in package internal/record.
package schema

//go:generate go run ./internal/gen -src ../../../shared/apple-device-management -out apple.jsonl -license LICENSE.apple.txt
//go:generate go run ./internal/pmgen -src ../../../shared/profile-manifests -out manifests.jsonl
