package schema

import "sort"

// Platform is an Apple operating system as named in Apple's schema.
type Platform string

// The platforms of Apple's schema.
const (
	IOS      Platform = "iOS"
	MacOS    Platform = "macOS"
	TVOS     Platform = "tvOS"
	VisionOS Platform = "visionOS"
	WatchOS  Platform = "watchOS"
)

// AllPlatforms returns every platform, in Apple's order.
func AllPlatforms() []Platform {
	return []Platform{IOS, MacOS, TVOS, VisionOS, WatchOS}
}

// Type is the type of a key's value, as in Apple's schema without the angle
// brackets.
type Type string

// The value types. Date is a plist <date>; Any means any plist value,
// unvalidated.
const (
	String     Type = "string"
	Integer    Type = "integer"
	Real       Type = "real"
	Boolean    Type = "boolean"
	Date       Type = "date"
	Data       Type = "data"
	Array      Type = "array"
	Dictionary Type = "dictionary"
	Any        Type = "any"
)

// Mode says how a payload or key relates to User Enrollment or Shared iPad.
type Mode string

// The modes; "" means Apple does not say.
const (
	ModeAllowed   Mode = "allowed"   // usable with or without
	ModeRequired  Mode = "required"  // usable only with
	ModeForbidden Mode = "forbidden" // not usable with
	ModeIgnored   Mode = "ignored"   // accepted but ignored with
)

// Wildcard is the name Apple gives to a key that stands for any key name
// (for example the language codes of ConsentText). Lookups fall back to it.
const Wildcard = "ANY"

// Support is the effective support of a payload or key on one platform,
// after inheritance. Boolean fields are false when Apple does not say.
type Support struct {
	// Introduced is the first OS version that supports it. It is empty only
	// when Apple says "all" without an inherited version.
	Introduced string
	Deprecated string // version where it was deprecated, if any
	Removed    string // version where it was removed, if any

	Multiple        bool // the payload may appear more than once in a profile (payload level; keys inherit it)
	Supervised      bool // only on supervised devices
	ManualInstall   bool // Apple's allowmanualinstall: a profile with it may be installed by hand, not only through MDM
	DeviceChannel   bool // macOS: installable on the device channel
	UserChannel     bool // macOS: installable on the user channel
	RequiresDEP     bool // only on devices enrolled through Automated Device Enrollment
	UserApprovedMDM bool // macOS: only with user-approved MDM enrollment

	UserEnrollment Mode // behaviour under User Enrollment
	SharedIPad     SharedIPad

	// Origin is the source of this platform's entry: Apple's, or
	// ProfileManifests' where Apple's copy is older (see Facts).
	Origin Origin
}

// SharedIPad is Apple's Shared iPad information (iOS).
type SharedIPad struct {
	Mode          Mode
	DeviceChannel bool
	UserChannel   bool
}

// Available reports whether version lies in [Introduced, Removed). A nil
// Support (platform not supported) is never available. Deprecation does not
// affect availability.
func (s *Support) Available(version string) bool {
	if s == nil {
		return false
	}
	if s.Introduced != "" && CompareVersions(version, s.Introduced) < 0 {
		return false
	}
	return s.Removed == "" || CompareVersions(version, s.Removed) < 0
}

// IsDeprecated reports whether the item is deprecated in version.
func (s *Support) IsDeprecated(version string) bool {
	return s != nil && s.Deprecated != "" && CompareVersions(version, s.Deprecated) >= 0
}

// Notes lists what limits the support beyond its first version, for
// display: "supervised", "deprecated 17.0", "removed 18.0".
func (s *Support) Notes() []string {
	var notes []string
	if s.Supervised {
		notes = append(notes, "supervised")
	}
	if s.Deprecated != "" {
		notes = append(notes, "deprecated "+s.Deprecated)
	}
	if s.Removed != "" {
		notes = append(notes, "removed "+s.Removed)
	}
	return notes
}

// Range bounds a numeric value (Apple's range) or the number of elements of
// an array (Apple's repetition). Either end may be nil.
type Range struct {
	Min, Max *float64
}

// Contains reports whether v lies within the bounds (inclusive).
func (r *Range) Contains(v float64) bool {
	return r == nil || ((r.Min == nil || v >= *r.Min) && (r.Max == nil || v <= *r.Max))
}

// Payload is the schema of one payload type.
//
// All fields are shared and must not be modified.
type Payload struct {
	Type string // PayloadType, e.g. com.apple.eas.account; "Configuration" for the profile itself

	// Variant and File identify the Apple YAML file. When several files
	// describe one type (com.apple.MCX, com.apple.extensiblesso), Lookup
	// returns a merged Payload with an empty File and the per-file payloads
	// in Variants (the file named after the type first, Variant "", then
	// the others by Variant, e.g. "FileVault2" for
	// com.apple.MCX(FileVault2).yaml); otherwise Variant is "" and Variants
	// is nil. The merged Keys are the union, the first file defining a name
	// winning; its Platforms are the least restrictive combination (earliest
	// Introduced; Supervised, RequiresDEP, UserApprovedMDM, Deprecated and
	// Removed only if all files agree; ManualInstall and the channels if any
	// file allows them; Multiple also when several files apply, as their
	// payloads can be combined). Use Variants for per-file precision.
	Variant  string
	File     string
	Variants []*Payload

	// Inherits names the payload type whose keys this one also has, where
	// Apple's YAML says so in words rather than in keys (see inherits):
	// Keys then lists the payload's own keys first, then the inherited ones
	// it does not define itself.
	Inherits string

	// Origin is where the payload type is known from; Kind says whether it
	// is a payload or a preference domain. A payload type from Apple that
	// ProfileManifests extends (through Facts) keeps OriginApple.
	Origin Origin
	Kind   Kind

	// Platforms holds the platforms that support the payload; a platform
	// Apple marks n/a (or does not mention) is absent.
	Platforms map[Platform]*Support

	// Keys are the payload's own keys in Apple's order, without the common
	// keys (see Common), which Key also finds. Common keys carry the
	// platforms of CommonPayloadKeys.yaml, not the payload's.
	Keys []*Key

	common    bool            // Key falls back to Common()
	inherited map[string]bool // the names of the keys from Inherits
	index     map[string]*Key
	wildcard  *Key
}

// Key returns the payload key with the given name: one of Keys, else (except
// for Configuration) one of Common(), else the payload's ANY key if it has
// one.
func (p *Payload) Key(name string) (*Key, bool) {
	if k, ok := p.index[name]; ok {
		return k, true
	}
	if p.common {
		if k, ok := get().commonIndex[name]; ok {
			return k, true
		}
	}
	return p.wildcard, p.wildcard != nil
}

// Key is the schema of one payload key, possibly nested.
//
// Keys form a graph, not always a tree: two of Apple's payloads
// (com.apple.homescreenlayout, com.apple.applicationaccess.new) are
// recursive, so a walk over Keys and Item must remember the keys it has
// visited. All fields are shared and must not be modified.
type Key struct {
	Name     string // "ANY" (Wildcard) stands for any name
	Type     Type
	Required bool
	Origin   Origin // the source of the key's facts (Apple's wins where both have the key)

	// Default is the default value: nil, bool, int64, float64 (Real keys) or
	// string. Allowed lists the allowed values (Apple's rangelist) with the
	// same types. Range bounds numeric values.
	Default any
	Allowed []any
	Range   *Range

	Format     string // regular expression the string value must match (Go syntax, as written by Apple)
	ValueType  string // string format hint: hostname, url, ... (rare)
	Repetition *Range // for an array element: how many elements the array may have

	// Platforms holds the effective support per platform, after Apple's
	// inheritance: a key inherits its parent's (payload's or enclosing
	// key's) supportedOS, field by field, and overrides what it states.
	// Platforms where the key is n/a are absent.
	Platforms map[Platform]*Support

	Keys []*Key // dictionary: the subkeys, in Apple's order
	Item *Key   // array: the element schema (its Name is Apple's placeholder)

	index    map[string]*Key
	wildcard *Key
	open     bool // entries have arbitrary names (ProfileManifests' placeholders)
}

// Lookup returns the child key with the given name, falling back to an ANY
// child. For an array it looks in the element schema, so that
// Lookup("PayloadContent") then Lookup("URL") works whether PayloadContent
// is a dictionary or an array of dictionaries.
func (k *Key) Lookup(name string) (*Key, bool) {
	for k.Type == Array && k.Item != nil {
		k = k.Item
	}
	if k.index != nil {
		if c, ok := k.index[name]; ok {
			return c, true
		}
	} else {
		for _, c := range k.Keys {
			if c.Name == name {
				return c, true
			}
		}
	}
	return k.wildcard, k.wildcard != nil
}

// IsWildcard reports whether the key stands for any key name.
func (k *Key) IsWildcard() bool { return k.Name == Wildcard }

// Lookup returns the schema of a payload type; "Configuration" is the
// top-level profile dictionary.
func Lookup(payloadType string) (*Payload, bool) {
	p, ok := get().payloads[payloadType]
	return p, ok
}

// Types returns every payload type, sorted, including "Configuration".
func Types() []string {
	return append([]string(nil), get().types...)
}

// Common returns the keys common to every payload inside a profile's
// PayloadContent (PayloadType, PayloadUUID, ...), from Apple's
// CommonPayloadKeys.yaml.
func Common() []*Key {
	return append([]*Key(nil), get().common...)
}

// Source describes where embedded data comes from.
type Source struct {
	Origin     Origin
	Repository string // https://github.com/apple/device-management
	Path       string // mdm/profiles (Apple's only)
	Commit     string
	Date       string // commit date
	Release    string // commit subject, e.g. Release_iOS-18-1_macOS-15-1 (Apple's only)
	Facts      string // what was kept, and the licence situation (ProfileManifests' only)
}

// DataSource returns the origin of Apple's embedded data (see Sources for
// every source).
func DataSource() Source { return get().source }

func sortedKeys(m map[string]*Payload) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
