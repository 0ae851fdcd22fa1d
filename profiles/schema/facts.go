package schema

// Facts layers a second source under Apple's schema. Apple's copy stops at
// a release (iOS 18.1, macOS 15.1) and describes payloads only, while
// profiles in use carry newer keys and, on macOS, preference domains of
// applications. ProfileManifests describes both; its facts fill in where
// Apple is silent and never override what Apple states.

// Origin names the source a fact comes from.
type Origin string

// The sources of facts.
const (
	OriginApple            Origin = "apple"            // Apple's device-management schema
	OriginProfileManifests Origin = "profilemanifests" // the ProfileManifests project, facts only
)

// Kind says what a payload type is: one of Apple's payloads or a preference
// domain (macOS managed preferences of Apple or an application).
type Kind string

// The kinds. Apple's schema holds payloads (and a few Apple preference
// domains it documents as payloads); ProfileManifests adds the others.
const (
	KindPayload          Kind = "payload"           // a payload Apple defines
	KindApplePreferences Kind = "apple-preferences" // preferences of an Apple app or service (com.apple.Terminal)
	KindApplication      Kind = "application"       // preferences of a third-party application (com.google.Chrome)
	KindDeveloper        Kind = "developer"         // preferences of developer tools
)

// IsPreferenceDomain reports whether the kind is a macOS preference domain
// rather than a payload Apple defines: such a domain is set through
// com.apple.ManagedClient.preferences or as a PayloadType of its own.
func (k Kind) IsPreferenceDomain() bool {
	return k == KindApplePreferences || k == KindApplication || k == KindDeveloper
}

// Facts returns what every source says about a payload type or preference
// domain: Apple's payload when Apple has one, with the keys and platforms
// ProfileManifests adds where Apple is silent, else ProfileManifests' own.
// Keys, Supports and the Payload carry their Origin. Apple's facts win
// where both speak; ProfileManifests' fill a key Apple lacks, and a
// platform Apple lacks when it was introduced after Apple's copy (see
// AppleNewest).
//
// Lookup stays Apple's alone, for explain's tables and for callers that
// must not rely on looser facts.
func Facts(payloadType string) (*Payload, bool) {
	if p, ok := getFacts().payload(payloadType); ok {
		return p, true
	}
	return Lookup(payloadType)
}

// FactTypes returns every payload type and preference domain Facts knows,
// sorted.
func FactTypes() []string {
	return append([]string(nil), getFacts().types...)
}

// Domain returns the facts about a macOS preference domain, as named in
// com.apple.ManagedClient.preferences or as a PayloadType: an application's
// (com.google.Chrome), Apple's (com.apple.Terminal) or a payload Apple
// documents by domain. The domain ".GlobalPreferences" is also found as
// "com.apple.GlobalPreferences".
func Domain(name string) (*Payload, bool) {
	if p, ok := Facts(name); ok {
		return p, true
	}
	if name == "com.apple.GlobalPreferences" {
		return Facts(".GlobalPreferences")
	}
	return nil, false
}

// LookupKey returns the key at path (key names from the payload, array
// elements not named) under a payload type or preference domain, from
// every source, and the origin of what it says on platform: the key's own
// origin, or ProfileManifests when only it says the key exists on that
// platform. A key Apple's schema has but not on platform is still returned,
// with OriginApple.
func LookupKey(payloadType string, path []string, platform Platform) (*Key, Origin, bool) {
	p, ok := Facts(payloadType)
	if !ok || len(path) == 0 {
		return nil, "", false
	}
	k, ok := p.Key(path[0])
	for _, name := range path[1:] {
		if !ok {
			break
		}
		k, ok = k.Lookup(name)
	}
	if !ok {
		return nil, "", false
	}
	return k, k.OriginOn(platform), true
}

// OriginOn returns where the key's support on platform is known from: the
// Support's origin when the key is supported there, else the key's.
func (k *Key) OriginOn(platform Platform) Origin {
	if s := k.Platforms[platform]; s != nil && s.Origin != "" {
		return s.Origin
	}
	if k.Origin == "" {
		return OriginApple
	}
	return k.Origin
}

// Open reports whether what a value of the key holds is not described, so
// a check must not descend into it: no unknown-key, type or required-key
// findings beneath it. That is the case for a key typed "any", a
// dictionary of any names with values typed "any"
// (mcx_preference_settings), a dictionary Apple describes without subkeys
// or as the vendor's (VendorConfig), and a dictionary whose entries have
// arbitrary names in ProfileManifests (its "{{key}}" placeholder).
func (k *Key) Open() bool {
	if k.Type == Any || k.open {
		return true
	}
	if k.Type == Dictionary && (len(k.Keys) == 0 || len(k.Keys) == 1 && k.Keys[0].IsWildcard() && k.Keys[0].Type == Any) {
		return true
	}
	return k.Type == Dictionary && k.Name == "VendorConfig"
}
