package record

import "encoding/json"

// The facts of ProfileManifests (manifests.jsonl) have a format of their
// own, as their shape differs from Apple's: versions per platform without
// Apple's install channels, preference domains beside payloads, and the
// inheritance already applied by the generator.
//
// The file is JSON Lines. The first line is a [FactsHeader]. Then, for each
// domain (payload type or preference domain), sorted by name, one [Domain]
// line followed by its keys depth first, each a [FactsKey] line indented by
// two spaces per nesting level, children sorted by name; an array has one
// child, its element. A key holds "os" only when its platforms differ from
// its parent's (the domain's for unindented keys), and then in full: the
// platforms listed are the ones that support it.

// FactsFormat identifies the layout of manifests.jsonl.
const FactsFormat = "mdmforge-profilemanifests-facts/1"

// FactsHeader is the first line of manifests.jsonl.
type FactsHeader struct {
	Format string `json:"format"`
	Source string `json:"source"` // repository URL
	Commit string `json:"commit"`
	Date   string `json:"date"`  // commit date, YYYY-MM-DD
	Facts  string `json:"facts"` // what was kept, and the licence situation
}

// Domain starts the facts of one payload type or preference domain.
type Domain struct {
	Domain string             `json:"domain"`
	Kind   string             `json:"kind"` // payload, apple-preferences, application or developer
	OS     map[string]*FactOS `json:"os"`
}

// FactsKey is one key of a domain. Wildcard is "ANY": ProfileManifests'
// "{{value}}" placeholder, which stands for entries of any name.
type FactsKey struct {
	Key      string             `json:"key"`
	Type     string             `json:"type"`
	Required bool               `json:"required,omitempty"`
	Allowed  []json.RawMessage  `json:"allowed,omitempty"`
	Range    *Range             `json:"range,omitempty"`
	Format   string             `json:"format,omitempty"`
	OS       map[string]*FactOS `json:"os,omitempty"`
}

// FactOS is ProfileManifests' support of a domain or key on one platform:
// the first OS version (empty when not stated), the version that
// deprecated it, and whether it needs supervision.
type FactOS struct {
	Min        string `json:"min,omitempty"`
	Deprecated string `json:"deprecated,omitempty"`
	Supervised bool   `json:"supervised,omitempty"`
}
