package schema

import "strings"

// Explaining a key lives beside the schema rather than in the CLI because
// resolving a dotted path is schema knowledge: payload types and key names
// both contain dots, arrays name their element, and ANY keys and Apple's
// placeholder subkeys stand for any name. Anyone documenting a payload
// needs the same resolution mdmforge explain uses.

// Explanation is what Apple's schema says about a payload type or one of
// its keys, as Explain builds it. It marshals to the JSON that
// mdmforge explain --format json prints; WriteText writes it for people.
type Explanation struct {
	Payload    string            `json:"payload"`
	Key        string            `json:"key,omitempty"` // the key's path inside the payload, names joined by "."
	AppleFiles []string          `json:"apple_files,omitempty"`
	Type       string            `json:"type,omitempty"`
	Required   *bool             `json:"required,omitempty"`
	Default    any               `json:"default,omitempty"`
	Allowed    []any             `json:"allowed,omitempty"`
	Range      *Bounds           `json:"range,omitempty"`
	Format     string            `json:"format,omitempty"`
	ValueType  string            `json:"value_type,omitempty"`
	Element    *KeySummary       `json:"element,omitempty"`
	Length     *Bounds           `json:"length,omitempty"` // number of elements of an array
	Platforms  []PlatformSupport `json:"platforms"`
	Keys       []KeySummary      `json:"keys,omitempty"`
	CommonKeys []string          `json:"common_keys,omitempty"`

	Entries *KeySummary `json:"entries,omitempty"` // what keys of any other name are

	// Source is "profilemanifests" when the payload type or key is known
	// from ProfileManifests alone (see Facts); it is left out for Apple's.
	// Kind is set for a preference domain (application, apple-preferences,
	// developer). ExtraKeys lists, for one of Apple's payloads, the keys
	// only ProfileManifests knows (mdmforge explain TYPE.KEY shows them).
	Source    string   `json:"source,omitempty"`
	Kind      string   `json:"kind,omitempty"`
	ExtraKeys []string `json:"profilemanifests_keys,omitempty"`

	// Inherits names the payload whose keys this one also has, as Apple's
	// description says (com.apple.vpn.managed for a per-app VPN); Keys
	// lists them after the payload's own, with From set.
	Inherits string `json:"inherits,omitempty"`

	wildcard bool     // Key resolved to an ANY key
	keysOf   string   // the array element whose keys Keys are
	column   Platform // the platform whose versions the table of keys shows
}

// Bounds is a Range as explained: nil ends are left out of the JSON.
type Bounds struct {
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
}

// KeySummary is one row of a payload's or key's table of keys.
type KeySummary struct {
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	Required   bool              `json:"required"`
	Introduced map[string]string `json:"introduced"`       // by platform; "" when Apple gives no version
	Source     string            `json:"source,omitempty"` // "profilemanifests" for a key Apple's schema lacks
	From       string            `json:"from,omitempty"`   // the payload the key is inherited from (see Explanation.Inherits)

	ios string // the platform column of the text table
}

// PlatformSupport is one platform's row of an explanation: Support in
// plain values.
type PlatformSupport struct {
	Platform        string `json:"platform"`
	Introduced      string `json:"introduced,omitempty"`
	Deprecated      string `json:"deprecated,omitempty"`
	Removed         string `json:"removed,omitempty"`
	Supervised      bool   `json:"supervised"`
	ManualInstall   bool   `json:"manual_install"`
	UserEnrollment  string `json:"user_enrollment,omitempty"`
	Multiple        *bool  `json:"multiple,omitempty"` // payloads only
	DeviceChannel   bool   `json:"device_channel,omitempty"`
	UserChannel     bool   `json:"user_channel,omitempty"`
	RequiresDEP     bool   `json:"requires_automated_enrollment,omitempty"`
	UserApprovedMDM bool   `json:"requires_user_approved_mdm,omitempty"`
	SharedIPad      string `json:"shared_ipad,omitempty"`
	Source          string `json:"source,omitempty"` // "profilemanifests" where Apple's copy is older
}

// NotFoundError reports a path that names no payload type, or no key under
// the payload type or key it starts with. Its message suggests a close
// name when one is a plausible typo.
type NotFoundError struct {
	// Nearest is the payload type or key (TYPE.KEY...) under which the
	// path stopped resolving: the place to look for the right name. It is
	// "" when no payload type matches.
	Nearest string
	// Scalar is true when Nearest holds a value, not keys, so no name
	// under it can resolve.
	Scalar bool

	msg string
}

func (e *NotFoundError) Error() string { return e.msg }

// Explain resolves path, a payload type optionally followed by key names
// (TYPE[.KEY...], nested keys separated by dots), and explains what it
// names. Configuration is the profile's top level. An error is a
// *NotFoundError.
func Explain(path string) (*Explanation, error) {
	p, steps, err := resolve(path)
	if err != nil {
		return nil, err
	}
	if len(steps) == 0 {
		return explainPayload(p), nil
	}
	e := explainKey(p, steps)
	if steps[len(steps)-1].key.Origin == OriginApple {
		// Apple's key as Apple describes it, with the platforms Apple's
		// copy is too old to know, and what ProfileManifests adds under
		// it, by name only.
		if _, fsteps, err := resolveIn(path, Facts); err == nil {
			k := fsteps[len(fsteps)-1].key
			e.Platforms = supports(k.Platforms, false)
			for k.Type == Array && k.Item != nil {
				k = k.Item
			}
			for _, c := range k.Keys {
				if c.Origin == OriginProfileManifests && !c.IsWildcard() {
					e.ExtraKeys = append(e.ExtraKeys, c.Name)
				}
			}
		}
	}
	return e, nil
}

// KeysUnder returns the keys that may follow path (TYPE[.KEY...]): a
// payload's own and common keys, a dictionary's subkeys, or an array's
// element and the keys of its elements. An error is a *NotFoundError.
func KeysUnder(path string) ([]*Key, error) {
	p, steps, err := resolve(path)
	if err != nil {
		return nil, err
	}
	if len(steps) == 0 {
		return payloadNode(p).keys, nil
	}
	return keyNode(path, steps[len(steps)-1].key).keys, nil
}

func explainPayload(p *Payload) *Explanation {
	e := &Explanation{Payload: p.Type, AppleFiles: appleFiles(p), Platforms: supports(p.Platforms, true),
		Source: pmOnly(p.Origin), column: column(p.Platforms), Inherits: p.Inherits}
	if p.Kind.IsPreferenceDomain() {
		e.Kind = string(p.Kind)
	}
	for _, k := range p.Keys {
		row := keyRow(k, e.column)
		if p.InheritedKey(k.Name) {
			row.From = p.Inherits
		}
		e.Keys = append(e.Keys, row)
	}
	if p.Origin == OriginApple {
		if f, ok := Facts(p.Type); ok {
			e.Platforms = supports(f.Platforms, true)
			for _, k := range f.Keys {
				if k.Origin == OriginProfileManifests && !k.IsWildcard() {
					e.ExtraKeys = append(e.ExtraKeys, k.Name)
				}
			}
		}
	}
	if p.Type != "Configuration" {
		for _, k := range Common() {
			e.CommonKeys = append(e.CommonKeys, k.Name)
		}
	}
	return e
}

func explainKey(p *Payload, path []step) *Explanation {
	k := path[len(path)-1].key
	names := make([]string, len(path))
	for i, st := range path {
		names[i] = st.name
	}
	req := k.Required
	e := &Explanation{
		Payload:   p.Type,
		Key:       strings.Join(names, "."),
		Type:      typeName(k),
		Required:  &req,
		Default:   k.Default,
		Allowed:   k.Allowed,
		Range:     bounds(k.Range),
		Format:    k.Format,
		ValueType: k.ValueType,
		Platforms: supports(k.Platforms, false),
		wildcard:  k.IsWildcard(),
		Source:    pmOnly(k.Origin),
		column:    column(k.Platforms),
	}
	if k.Origin != OriginProfileManifests {
		e.AppleFiles = appleFiles(p)
	}
	if k.Type == Array && k.Item != nil {
		row := keyRow(k.Item, e.column)
		e.Element = &row
		e.Length = bounds(k.Item.Repetition)
		k = k.Item
		for k.Type == Array && k.Item != nil {
			k = k.Item
		}
		e.keysOf = k.Name
	}
	for _, c := range k.Keys {
		e.Keys = append(e.Keys, keyRow(c, e.column))
	}
	if k.Type == Dictionary {
		if p := placeholder(k.Keys); p != nil {
			row := keyRow(p, e.column)
			e.Entries = &row
		}
	}
	return e
}

func bounds(r *Range) *Bounds {
	if r == nil || (r.Min == nil && r.Max == nil) {
		return nil
	}
	return &Bounds{Min: r.Min, Max: r.Max}
}

func appleFiles(p *Payload) []string {
	if p.File != "" {
		return []string{p.File}
	}
	var out []string
	for _, v := range p.Variants {
		out = append(out, v.File)
	}
	return out
}

// pmOnly is an Explanation's Source: set only for ProfileManifests, so
// that the JSON of what Apple describes is unchanged.
func pmOnly(o Origin) string {
	if o == OriginProfileManifests {
		return string(o)
	}
	return ""
}

// column is the platform whose versions a table of keys shows: iOS, or
// the first platform when iOS has none (a macOS preference domain).
func column(m map[Platform]*Support) Platform {
	if m[IOS] != nil {
		return IOS
	}
	for _, pl := range AllPlatforms() {
		if m[pl] != nil {
			return pl
		}
	}
	return IOS
}

func keyRow(k *Key, col Platform) KeySummary {
	row := KeySummary{Name: k.Name, Type: typeName(k), Required: k.Required, Introduced: map[string]string{}, ios: "-",
		Source: pmOnly(k.Origin)}
	for _, pl := range AllPlatforms() {
		if s := k.Platforms[pl]; s != nil {
			row.Introduced[string(pl)] = s.Introduced
		}
	}
	if s := k.Platforms[col]; s != nil {
		row.ios = orAll(s.Introduced)
		if notes := s.Notes(); len(notes) > 0 {
			row.ios += " (" + strings.Join(notes, ", ") + ")"
		}
	}
	return row
}

// typeName is a key's type, with what an array holds: "array of string".
func typeName(k *Key) string {
	t := string(k.Type)
	for depth := 0; k.Type == Array && k.Item != nil && depth < 8; depth++ {
		k = k.Item
		t += " of " + string(k.Type)
	}
	return t
}

func supports(m map[Platform]*Support, payload bool) []PlatformSupport {
	out := []PlatformSupport{}
	for _, pl := range AllPlatforms() {
		s := m[pl]
		if s == nil {
			continue
		}
		row := PlatformSupport{
			Platform:        string(pl),
			Introduced:      s.Introduced,
			Deprecated:      s.Deprecated,
			Removed:         s.Removed,
			Supervised:      s.Supervised,
			ManualInstall:   s.ManualInstall,
			UserEnrollment:  string(s.UserEnrollment),
			DeviceChannel:   s.DeviceChannel,
			UserChannel:     s.UserChannel,
			RequiresDEP:     s.RequiresDEP,
			UserApprovedMDM: s.UserApprovedMDM,
			SharedIPad:      string(s.SharedIPad.Mode),
			Source:          pmOnly(s.Origin),
		}
		if payload {
			multiple := s.Multiple
			row.Multiple = &multiple
		}
		out = append(out, row)
	}
	return out
}

// PayloadSummary is one payload type with its platforms, as listed by
// Summaries.
type PayloadSummary struct {
	Type      string            `json:"type"`
	Platforms []PlatformSupport `json:"platforms"`
}

// Summaries lists every payload type a profile may contain, sorted, with
// its platforms; Configuration, the profile itself, is left out.
func Summaries() []PayloadSummary {
	out := []PayloadSummary{}
	for _, t := range Types() {
		if t == "Configuration" {
			continue
		}
		p, _ := Lookup(t)
		out = append(out, PayloadSummary{Type: t, Platforms: supports(p.Platforms, true)})
	}
	return out
}
