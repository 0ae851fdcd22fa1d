// Command gen trims Microsoft Graph's published metadata (the
// schemas/type-mappings/*.json and schemas/v1.0-Prod.csdl files of
// github.com/microsoftgraph/msgraph-metadata) to the types mdmforge sends
// to Intune, and writes the data file read by package graphmeta.
//
// It is run by go generate in internal/graphmeta:
//
//	go run ./gen -src ../../../shared/graph-metadata -out metadata.json -license LICENSE.microsoft.txt -copy ../../testdata/graph
//
// -src is a directory holding Microsoft's LICENSE, a SOURCE file
// ("<owner/repo> at commit <commit> <date>"), {v1.0,beta}-{entity,complex}-types.json
// and v1.0-Prod.csdl. The type mappings give each type's own properties in
// each version; the v1.0 CSDL gives base types, abstractness and property
// types. The beta CSDL is not in the source, so the base types of the few
// beta-only types are written below (from Microsoft's beta reference),
// and the properties only beta has have no type. The output is
// deterministic.
//
// The generator is strict: a root type missing from both versions, or a
// beta-only type of the closure with no base written below, is an error.
package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/internal/graphmeta"
)

const (
	sourceRepo = "https://github.com/microsoftgraph/msgraph-metadata"
	namespace  = "microsoft.graph"
)

// roots are the types mdmforge sends: every @odata.type of
// profiles/intune's bodies, what deploy's objects add (assignments and
// their targets, the compliance block action, Managed Apps targets,
// Conditional Access), and what the fake Graph of internal/fakegraph
// serves besides (the tenant's apps and groups).
// Their bases and the complex types of their properties are added.
var roots = []string{
	"allDevicesAssignmentTarget",
	"allLicensedUsersAssignmentTarget",
	"androidManagedStoreApp",
	"androidManagedStoreAppConfiguration",
	"androidMobileAppIdentifier",
	"appConfigurationSettingItem",
	"conditionalAccessPolicy",
	"deviceComplianceActionItem",
	"deviceCompliancePolicyAssignment",
	"deviceComplianceScheduledActionForRule",
	"deviceConfigurationAssignment",
	"exclusionGroupAssignmentTarget",
	"group",
	"groupAssignmentTarget",
	"iosCompliancePolicy",
	"iosCustomConfiguration",
	"iosEasEmailProfileConfiguration",
	"iosGeneralDeviceConfiguration",
	"iosMobileAppConfiguration",
	"iosMobileAppIdentifier",
	"iosStoreApp",
	"iosVppApp",
	"keyValuePair",
	"managedDeviceMobileAppConfigurationAssignment",
	"managedMobileApp",
	"roleScopeTag",
	"targetedManagedAppConfiguration",
	"targetedManagedAppPolicyAssignment",
}

// betaBases are the base types of beta-only types (absent from the v1.0
// CSDL), from api-reference/beta/resources/intune-{deviceconfig,apps,rbac}-*.md
// of microsoftgraph/microsoft-graph-docs-contrib.
var betaBases = map[string]string{
	"androidManagedStoreApp":              "mobileApp",
	"androidManagedStoreAppConfiguration": "managedDeviceMobileAppConfiguration",
	"iosEasEmailProfileConfiguration":     "easEmailProfileConfigurationBase",
	"easEmailProfileConfigurationBase":    "deviceConfiguration",
	"roleScopeTag":                        "entity",
}

func main() {
	src := flag.String("src", "", "directory with Microsoft's Graph metadata (LICENSE, SOURCE, type mappings, v1.0 CSDL)")
	out := flag.String("out", "metadata.json", "data file to write")
	lic := flag.String("license", "LICENSE.microsoft.txt", "where to copy Microsoft's LICENSE (empty: don't)")
	cp := flag.String("copy", "", "a folder to write a second copy of both files to (empty: none)")
	flag.Parse()
	if *src == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -src DIR [-out FILE] [-license FILE] [-copy DIR]")
		os.Exit(2)
	}
	if err := run(*src, *out, *lic, *cp); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, out, lic, cp string) error {
	data, err := generate(src)
	if err != nil {
		return err
	}
	license, err := os.ReadFile(filepath.Join(src, "LICENSE"))
	if err != nil {
		return err
	}
	writes := [][2]string{{out, ""}}
	if lic != "" {
		writes = append(writes, [2]string{lic, "license"})
	}
	if cp != "" {
		writes = append(writes, [2]string{filepath.Join(cp, filepath.Base(out)), ""})
		if lic != "" {
			writes = append(writes, [2]string{filepath.Join(cp, filepath.Base(lic)), "license"})
		}
	}
	for _, w := range writes {
		b := data
		if w[1] == "license" {
			b = license
		}
		if err := os.WriteFile(w[0], b, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %s: %d bytes\n", out, len(data))
	return nil
}

// mapping is one type-mappings file: namespace → type → own members.
type mapping map[string]map[string]struct {
	Properties           []string `json:"properties"`
	NavigationProperties []string `json:"navigationProperties"`
}

// csdlType is an EntityType or ComplexType of the CSDL.
type csdlType struct {
	Name       string       `xml:"Name,attr"`
	BaseType   string       `xml:"BaseType,attr"`
	Abstract   bool         `xml:"Abstract,attr"`
	Properties []csdlMember `xml:"Property"`
	Navigation []csdlMember `xml:"NavigationProperty"`
}

type csdlMember struct {
	Name string `xml:"Name,attr"`
	Type string `xml:"Type,attr"`
}

type csdl struct {
	Schemas []struct {
		Namespace string     `xml:"Namespace,attr"`
		Entities  []csdlType `xml:"EntityType"`
		Complexes []csdlType `xml:"ComplexType"`
	} `xml:"DataServices>Schema"`
}

// own is what one source says of one type in one version.
type own struct {
	kind       string
	props, nav []string
}

// source is everything read from -src.
type source struct {
	mappings map[string]map[string]own // version → type → own members
	v1       map[string]*csdlType      // v1.0 CSDL types of microsoft.graph
	v1kind   map[string]string
}

func read(src string) (*source, error) {
	s := &source{mappings: map[string]map[string]own{}, v1: map[string]*csdlType{}, v1kind: map[string]string{}}
	for _, v := range graphmeta.Versions {
		s.mappings[v] = map[string]own{}
		for _, kind := range []string{"entity", "complex"} {
			b, err := os.ReadFile(filepath.Join(src, v+"-"+kind+"-types.json"))
			if err != nil {
				return nil, err
			}
			var m mapping
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("%s-%s-types.json: %w", v, kind, err)
			}
			for name, t := range m[namespace] {
				s.mappings[v][name] = own{kind: kind, props: t.Properties, nav: t.NavigationProperties}
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(src, "v1.0-Prod.csdl"))
	if err != nil {
		return nil, err
	}
	var doc csdl
	if err := xml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("v1.0-Prod.csdl: %w", err)
	}
	for _, sc := range doc.Schemas {
		if sc.Namespace != namespace {
			continue
		}
		for kind, list := range map[string][]csdlType{"entity": sc.Entities, "complex": sc.Complexes} {
			for i := range list {
				s.v1[list[i].Name] = &list[i]
				s.v1kind[list[i].Name] = kind
			}
		}
	}
	if len(s.v1) == 0 {
		return nil, fmt.Errorf("v1.0-Prod.csdl: no types in namespace %s", namespace)
	}
	return s, nil
}

// local strips the graph alias or namespace from a CSDL type reference;
// types of other namespaces keep their full name.
func local(t string) string {
	if s, ok := strings.CutPrefix(t, "graph."); ok {
		return s
	}
	if s, ok := strings.CutPrefix(t, namespace+"."); ok && !strings.Contains(s, ".") {
		return s
	}
	return t
}

func localType(t string) string {
	if e, ok := graphmeta.ElementType(t); ok {
		return "Collection(" + local(e) + ")"
	}
	return local(t)
}

// base returns a type's base type name.
func (s *source) base(name string) (string, error) {
	if t := s.v1[name]; t != nil {
		return local(t.BaseType), nil
	}
	b, ok := betaBases[name]
	if !ok {
		return "", fmt.Errorf("type %s is not in the v1.0 CSDL and has no base type in betaBases", name)
	}
	return b, nil
}

// generate reads src and returns the data file contents.
func generate(src string) ([]byte, error) {
	commit, date, err := readSource(filepath.Join(src, "SOURCE"))
	if err != nil {
		return nil, err
	}
	s, err := read(src)
	if err != nil {
		return nil, err
	}
	types := map[string]*graphmeta.Type{}
	queue := append([]string(nil), roots...)
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if types[name] != nil {
			continue
		}
		t, refs, err := s.build(name)
		if err != nil {
			return nil, err
		}
		types[name] = t
		queue = append(queue, refs...)
	}
	for _, name := range roots {
		if len(types[name].Versions) == 0 {
			return nil, fmt.Errorf("root type %s is in no version's type mappings", name)
		}
	}
	m := graphmeta.Metadata{
		Format:  graphmeta.Format,
		Source:  sourceRepo,
		Commit:  commit,
		Date:    date,
		License: "MIT, Copyright (c) 2018 Microsoft Graph, see LICENSE.microsoft.txt",
		Types:   types,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(&m); err != nil { // maps are written in key order
		return nil, err
	}
	return buf.Bytes(), nil
}

// build collects one type's members, inherited ones included, in each
// version, and returns the types it references that must be kept too:
// its base and the complex types of its structural properties.
func (s *source) build(name string) (*graphmeta.Type, []string, error) {
	t := &graphmeta.Type{Versions: map[string]*graphmeta.Members{}}
	if c := s.v1[name]; c != nil {
		t.Kind, t.Abstract = s.v1kind[name], c.Abstract
	}
	var chain []string // name, its base, its base's base, …
	for n := name; n != ""; {
		chain = append(chain, n)
		b, err := s.base(n)
		if err != nil {
			return nil, nil, err
		}
		n = b
		if len(chain) > 32 {
			return nil, nil, fmt.Errorf("type %s: base type chain does not end", name)
		}
	}
	if len(chain) > 1 {
		t.Base = chain[1]
	}
	// Property types come from the v1.0 CSDL, from the type that declares them.
	propType, navType := map[string]string{}, map[string]string{}
	for _, n := range chain {
		if c := s.v1[n]; c != nil {
			for _, p := range c.Properties {
				propType[p.Name] = localType(p.Type)
			}
			for _, p := range c.Navigation {
				navType[p.Name] = localType(p.Type)
			}
		}
	}
	for _, v := range graphmeta.Versions {
		o, ok := s.mappings[v][name]
		if !ok {
			continue
		}
		if t.Kind == "" {
			t.Kind = o.kind
		}
		mem := &graphmeta.Members{Properties: map[string]string{}}
		for _, n := range chain {
			o := s.mappings[v][n]
			for _, p := range o.props {
				mem.Properties[p] = propType[p]
			}
			for _, p := range o.nav {
				if mem.Navigation == nil {
					mem.Navigation = map[string]string{}
				}
				mem.Navigation[p] = navType[p]
			}
		}
		t.Versions[v] = mem
	}
	var refs []string
	if t.Base != "" {
		refs = append(refs, t.Base)
	}
	for _, pt := range propType {
		e, _ := graphmeta.ElementType(pt)
		if s.v1kind[e] == "complex" {
			refs = append(refs, e)
		}
	}
	sort.Strings(refs)
	return t, refs, nil
}

// readSource reads "<owner/repo> at commit <40 hex> [date]".
func readSource(name string) (commit, date string, err error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return "", "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	m := regexp.MustCompile(`\bcommit ([0-9a-f]{40})(?: (\d{4}-\d\d-\d\d))?`).FindStringSubmatch(line)
	if m == nil {
		return "", "", fmt.Errorf("%s: want \"<owner/repo> at commit <40-hex commit> [date]\" on its first line", name)
	}
	return m[1], m[2], nil
}
