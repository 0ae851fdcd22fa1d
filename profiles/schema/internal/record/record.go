// Package record defines the line formats of the embedded data files:
// Apple's schema (apple.jsonl, below) and ProfileManifests' facts
// (manifests.jsonl, see FactsFormat). It is shared by the generators
// (internal/gen, internal/pmgen), which write them, and package schema,
// which reads them.
//
// The file is JSON Lines. The first line is a [Header]. Then, for each Apple
// YAML file, sorted by payload type and variant, one [Payload] line followed
// by one [Key] line per payload key in Apple's order, depth first. A key
// line is indented by two spaces per nesting level: its parent is the
// nearest preceding line that is indented one level less (the payload line
// for unindented keys). A dictionary's children are its subkeys; an array
// has exactly one child, the description of its elements.
//
// All supportedOS data is stored raw, as Apple wrote it: a key's OS record
// holds only the fields the key overrides. package schema applies the
// inheritance rule when it loads the file.
package record

import "encoding/json"

// Format identifies the file format; bump it when the layout changes.
const Format = "mdmforge-apple-profile-schema/1"

// Header is the first line of the file.
type Header struct {
	Format  string `json:"format"`
	Source  string `json:"source"`            // repository URL
	Path    string `json:"path"`              // directory of the YAML files in that repository
	Commit  string `json:"commit"`            // commit of Source the data was generated from
	Date    string `json:"date,omitempty"`    // commit date
	Release string `json:"release,omitempty"` // commit subject, e.g. Release_iOS-18-1_macOS-15-1
	License string `json:"license"`
}

// Payload starts the description of one Apple YAML file.
type Payload struct {
	Payload string `json:"payload"` // payload type; TopLevel.yaml is written as Configuration
	// Variant distinguishes several files describing the same payload type:
	// "" for the file named after the type, otherwise the part of the file
	// name in parentheses (com.apple.MCX(FileVault2).yaml → FileVault2).
	Variant string         `json:"variant,omitempty"`
	File    string         `json:"file"`
	OS      map[string]*OS `json:"os,omitempty"`
}

// Key describes one payload key.
type Key struct {
	Key        string            `json:"key"`
	Type       string            `json:"type"` // string, integer, real, boolean, date, data, array, dictionary, any
	Required   bool              `json:"required,omitempty"`
	Default    json.RawMessage   `json:"default,omitempty"`
	Allowed    []json.RawMessage `json:"allowed,omitempty"` // Apple's rangelist
	Range      *Range            `json:"range,omitempty"`
	Format     string            `json:"format,omitempty"`    // regular expression
	ValueType  string            `json:"valuetype,omitempty"` // valuetype, or the deprecated subtype without <>
	Repetition *Range            `json:"repetition,omitempty"`
	OS         map[string]*OS    `json:"os,omitempty"`
	// Ref, when set, is the path (key names from the payload) of an ancestor
	// whose subkeys this key shares: Apple's YAML uses an alias there and the
	// structure is recursive. Such a key has no child lines.
	Ref []string `json:"ref,omitempty"`
}

// Range is a numeric bound; either end may be absent.
type Range struct {
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
}

// OS is one platform's entry of Apple's supportedOS. Nil pointers and empty
// strings mean "not stated here" (inherit).
type OS struct {
	Introduced         string      `json:"introduced,omitempty"` // a version, "n/a" or (rarely) "all"
	Deprecated         string      `json:"deprecated,omitempty"`
	Removed            string      `json:"removed,omitempty"`
	Multiple           *bool       `json:"multiple,omitempty"`
	Supervised         *bool       `json:"supervised,omitempty"`
	AllowManualInstall *bool       `json:"allowmanualinstall,omitempty"`
	DeviceChannel      *bool       `json:"devicechannel,omitempty"`
	UserChannel        *bool       `json:"userchannel,omitempty"`
	RequiresDEP        *bool       `json:"requiresdep,omitempty"`
	UserApprovedMDM    *bool       `json:"userapprovedmdm,omitempty"`
	UserEnrollment     string      `json:"userenrollment,omitempty"` // userenrollment.mode
	SharedIPad         *SharedIPad `json:"sharedipad,omitempty"`
}

// SharedIPad is Apple's sharedipad object.
type SharedIPad struct {
	Mode          string `json:"mode,omitempty"`
	DeviceChannel *bool  `json:"devicechannel,omitempty"`
	UserChannel   *bool  `json:"userchannel,omitempty"`
}
