// Package graphmeta is Microsoft Graph's published metadata, trimmed to
// the types mdmforge sends to Intune: for each type, its base type and,
// for each Graph version (v1.0, beta) it exists in, every property it
// has there, inherited ones included.
//
// It is for tests: the fake Graph of internal/fakegraph rejects what Graph
// rejects, and profiles/intune's bodies are checked against it. The data
// is generated from ../shared/graph-metadata (microsoftgraph/msgraph-metadata)
// by ./gen, run by go generate; the generated file is committed twice, as
// testdata/graph/metadata.json at the repository's root and as the copy
// embedded here, so that the checks are as strict on a fresh clone
// without ../shared. Both carry Microsoft's MIT notice beside them.
package graphmeta

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

//go:generate go run ./gen -src ../../../shared/graph-metadata -out metadata.json -license LICENSE.microsoft.txt -copy ../../testdata/graph

//go:embed metadata.json
var data []byte

// Format names the layout of metadata.json; a change that older readers
// would misread changes it.
const Format = "mdmforge-graph-metadata/1"

// Versions are the Graph versions the metadata describes.
var Versions = []string{"v1.0", "beta"}

// Metadata is the trimmed metadata: where it came from and its types.
type Metadata struct {
	Format  string `json:"format"`
	Source  string `json:"source"`
	Commit  string `json:"commit"`
	Date    string `json:"date,omitempty"`
	License string `json:"license"`
	// Types are keyed by name without the microsoft.graph namespace, as
	// @odata.type has it after "#microsoft.graph.".
	Types map[string]*Type `json:"types"`
}

// Type is one entity or complex type.
type Type struct {
	// Kind is "entity" or "complex".
	Kind string `json:"kind"`
	// Base is the base type's name, empty for a root type.
	Base string `json:"base,omitempty"`
	// Abstract is set for a type Graph cannot create as such (v1.0 CSDL).
	Abstract bool `json:"abstract,omitempty"`
	// Versions holds the type's members in each version it exists in,
	// keyed "v1.0" and "beta"; a version missing has no such type.
	Versions map[string]*Members `json:"versions"`
}

// Members are a type's properties in one version, inherited ones
// included, each with its type as the CSDL writes it without the graph
// namespace: "Edm.String", "keyValuePair", "Collection(keyValuePair)".
// The type is empty where it is unknown: for a property only beta has, as
// the beta CSDL is not part of the source.
type Members struct {
	Properties map[string]string `json:"properties"`
	// Navigation are the navigation properties, sent inline only on some
	// creates (e.g. a compliance policy's scheduledActionsForRule).
	Navigation map[string]string `json:"navigation,omitempty"`
}

// Load decodes the embedded metadata.
func Load() (*Metadata, error) { return Parse(data) }

// Parse decodes metadata in the format Load reads.
func Parse(b []byte) (*Metadata, error) {
	var m Metadata
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("graph metadata: %w", err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("graph metadata: format %q, want %q", m.Format, Format)
	}
	return &m, nil
}

// Member returns the type of property name of type typ in version, and
// whether typ has it there, as a structural or navigation property.
func (m *Metadata) Member(typ, version, name string) (propType string, ok bool) {
	t := m.Types[typ]
	if t == nil {
		return "", false
	}
	v := t.Versions[version]
	if v == nil {
		return "", false
	}
	if pt, ok := v.Properties[name]; ok {
		return pt, true
	}
	pt, ok := v.Navigation[name]
	return pt, ok
}

// ElementType returns the type of one element of a property of type pt:
// X for Collection(X), and whether pt is a collection.
func ElementType(pt string) (elem string, collection bool) {
	if s, ok := strings.CutPrefix(pt, "Collection("); ok && strings.HasSuffix(s, ")") {
		return strings.TrimSuffix(s, ")"), true
	}
	return pt, false
}
