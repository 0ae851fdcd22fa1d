// Command pmgen converts the facts extracted from the ProfileManifests
// project (../shared/profile-manifests: SOURCE and keys.jsonl, written by
// its extract.py) into the trimmed data file embedded by package schema,
// manifests.jsonl.
//
// It is run by go generate in profiles/schema:
//
//	go run ./internal/pmgen -src ../../../shared/profile-manifests -out manifests.jsonl
//
// ProfileManifests has no licence, so only facts are kept, as in the
// input: key names, types, platforms, versions, supervision, allowed
// values, ranges, formats and required flags. The generator applies
// ProfileManifests' inheritance (a key inherits its parent's platforms and
// versions, the manifest's at the top), merges the manifests of one domain
// (com.apple.applicationaccess has one per platform), and turns the
// "{{key}}"/"{{value}}" placeholders into one ANY key. See package
// github.com/mdmforge/mdmforge/profiles/schema/internal/record for the
// output format. The output is deterministic.
//
// The generator is strict: a field it does not know in keys.jsonl is an
// error, so that an extract with more facts is noticed.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mdmforge/mdmforge/profiles/schema/internal/record"
)

func main() {
	src := flag.String("src", "", "directory with ProfileManifests' facts (SOURCE, keys.jsonl)")
	out := flag.String("out", "manifests.jsonl", "data file to write")
	flag.Parse()
	if *src == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: pmgen -src DIR [-out FILE]")
		os.Exit(2)
	}
	data, st, err := generate(*src)
	if err == nil {
		err = os.WriteFile(*out, data, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pmgen:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "pmgen: wrote %s: %d manifests, %d domains, %d keys, %d bytes\n",
		*out, st.manifests, st.domains, st.keys, len(data))
}

type stats struct{ manifests, domains, keys int }

// input is one line of keys.jsonl. The fields mdmforge does not use are
// listed so that an unknown one is an error.
type input struct {
	Domain             string            `json:"domain"`
	Kind               string            `json:"kind"`
	Manifest           string            `json:"manifest"`
	Subdomain          string            `json:"subdomain"`
	ManifestPlatforms  []string          `json:"manifest_platforms"`
	ManifestMin        map[string]string `json:"manifest_min"`
	ManifestDeprecated map[string]string `json:"manifest_deprecated"`
	ManifestSupervised *bool             `json:"manifest_supervised"`
	Path               string            `json:"path"`
	Type               string            `json:"type"`
	Platforms          []string          `json:"platforms"`
	Min                map[string]string `json:"min"`
	Deprecated         map[string]string `json:"deprecated"`
	Supervised         *bool             `json:"supervised"`
	Allowed            []json.RawMessage `json:"allowed"`
	Range              []json.RawMessage `json:"range"`
	Format             string            `json:"format"`
	Required           bool              `json:"required"`
	RequireMode        string            `json:"require_mode"`

	// Not used: OS maximum versions (the last version, not the one that
	// removed it), application versions, and flags no check reads.
	ManifestMax  json.RawMessage `json:"manifest_max"`
	Max          json.RawMessage `json:"max"`
	AppMin       json.RawMessage `json:"app_min"`
	AppMax       json.RawMessage `json:"app_max"`
	AppDeprec    json.RawMessage `json:"app_deprecated"`
	Targets      json.RawMessage `json:"targets"`
	UserApproved json.RawMessage `json:"user_approved"`
	Sensitive    json.RawMessage `json:"sensitive"`
}

// platforms is the effective support of a node: platform → facts.
type platforms map[string]record.FactOS

// node is a domain or key being built.
type node struct {
	key      record.FactsKey
	os       platforms
	children map[string]*node
}

func (n *node) child(name string) *node {
	if n.children == nil {
		n.children = map[string]*node{}
	}
	return n.children[name]
}

var kinds = map[string]string{
	"apple-payload":     "payload",
	"apple-preferences": "apple-preferences",
	"application":       "application",
	"developer":         "developer",
}

var types = map[string]string{
	"string": "string", "integer": "integer", "real": "real", "float": "real", "boolean": "boolean",
	"date": "date", "data": "data", "array": "array", "dictionary": "dictionary",
}

// Placeholders of ProfileManifests: "{{key}}" describes the name of an
// entry (always a string), "{{value}}" the entry.
const (
	placeholderKey   = "{{key}}"
	placeholderValue = "{{value}}"
	wildcard         = "ANY"
	element          = "Item" // the name given to an array's element
)

func generate(src string) ([]byte, stats, error) {
	var st stats
	hdr, err := readSource(filepath.Join(src, "SOURCE"))
	if err != nil {
		return nil, st, err
	}
	f, err := os.Open(filepath.Join(src, "keys.jsonl"))
	if err != nil {
		return nil, st, err
	}
	defer f.Close()

	// One tree per manifest, then merged by domain in manifest order so
	// that the result does not depend on line order.
	manifests := map[string]*manifest{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var in input
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return nil, st, fmt.Errorf("keys.jsonl:%d: %v", line, err)
		}
		m := manifests[in.Manifest]
		if m == nil {
			kind, ok := kinds[in.Kind]
			if !ok {
				return nil, st, fmt.Errorf("keys.jsonl:%d: unknown kind %q", line, in.Kind)
			}
			os := platforms{}
			for _, p := range in.ManifestPlatforms {
				os[p] = record.FactOS{Min: in.ManifestMin[p], Deprecated: in.ManifestDeprecated[p],
					Supervised: in.ManifestSupervised != nil && *in.ManifestSupervised}
			}
			m = &manifest{name: in.Manifest, domain: in.Domain, kind: kind,
				root: &node{os: os}, paths: map[string]*node{}}
			manifests[in.Manifest] = m
		}
		if err := m.add(&in); err != nil {
			return nil, st, fmt.Errorf("keys.jsonl:%d: %s %s: %v", line, in.Domain, in.Path, err)
		}
		st.keys++
	}
	if err := sc.Err(); err != nil {
		return nil, st, err
	}
	if len(manifests) == 0 {
		return nil, st, fmt.Errorf("no facts in %s", filepath.Join(src, "keys.jsonl"))
	}
	st.manifests = len(manifests)

	domains := map[string]*node{}
	domainKind := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(manifests)) {
		m := manifests[name]
		d := domains[m.domain]
		if d == nil {
			d = &node{os: platforms{}}
			domains[m.domain] = d
			domainKind[m.domain] = m.kind
		}
		if m.kind == "payload" {
			domainKind[m.domain] = "payload"
		}
		merge(d, m.root)
	}
	st.domains = len(domains)

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(hdr); err != nil {
		return nil, st, err
	}
	for _, name := range slices.Sorted(maps.Keys(domains)) {
		d := domains[name]
		if err := enc.Encode(record.Domain{Domain: name, Kind: domainKind[name], OS: d.os.record()}); err != nil {
			return nil, st, err
		}
		if err := write(&buf, enc, d, 0); err != nil {
			return nil, st, err
		}
	}
	return buf.Bytes(), st, nil
}

// add puts one input line into the manifest's tree. Its parent is the
// longest prefix of its path, cut at a "." or "[]", that is a key already
// seen: names may contain dots (com.apple.autologout.AutoLogOutDelay), and
// the input lists every parent before its children (sorted by path).
func (m *manifest) add(in *input) error {
	parent, name, isElement := m.root, in.Path, false
	for i := len(in.Path) - 1; i > 0; i-- {
		var rest string
		elem := false
		switch {
		case in.Path[i] == '.':
			rest = in.Path[i+1:]
		case strings.HasPrefix(in.Path[i:], "[]") && i+2 == len(in.Path):
			rest, elem = element, true
		default:
			continue
		}
		if p, ok := m.paths[in.Path[:i]]; ok {
			parent, name, isElement = p, rest, elem
			break
		}
	}
	if parent != m.root && parent.key.Type != "dictionary" && parent.key.Type != "array" {
		// ProfileManifests lists the bits of a bitmask as subkeys of an
		// integer (weekdays → weekday): they are no keys of a profile.
		m.paths[in.Path] = parent
		return nil
	}
	if isElement != (parent.key.Type == "array") {
		return fmt.Errorf("%s under a %s", map[bool]string{true: "element", false: "key"}[isElement], parent.key.Type)
	}
	if strings.HasPrefix(name, "PFC_") && parent == m.root {
		// ProfileCreator's interface elements (PFC_SegmentedControl_0)
		// are listed as keys but never written into a profile.
		m.paths[in.Path] = parent
		return nil
	}
	switch name {
	case placeholderKey:
		m.paths[in.Path] = &node{os: parent.os} // names are strings; nothing to keep
		return nil
	case placeholderValue:
		name = wildcard
	}
	t, ok := types[in.Type]
	if !ok {
		return fmt.Errorf("unknown type %q", in.Type)
	}
	n := &node{key: record.FactsKey{Key: name, Type: t, Format: in.Format}}
	// "push" requires the key only when the profile is pushed by MDM,
	// which a check of a file cannot know.
	n.key.Required = in.Required && in.RequireMode != "push"
	n.key.Allowed = allowed(in.Allowed, t)
	if len(in.Range) == 2 {
		r := &record.Range{Min: number(in.Range[0]), Max: number(in.Range[1])}
		if r.Min != nil || r.Max != nil {
			n.key.Range = r
		}
	}
	n.os = inherit(parent.os, in)
	if prev := parent.child(name); prev != nil {
		merge(prev, n)
		n = prev
	} else {
		parent.children[name] = n
	}
	m.paths[in.Path] = n
	return nil
}

// manifest is the tree of one ProfileManifests manifest file.
type manifest struct {
	name, domain, kind string
	root               *node
	paths              map[string]*node // by input path
}

// inherit returns a key's platforms: its own list, else its parent's; per
// platform, its versions and supervision, else the parent's.
func inherit(parent platforms, in *input) platforms {
	names := in.Platforms
	if names == nil {
		names = slices.Collect(maps.Keys(parent))
	}
	out := platforms{}
	for _, p := range names {
		o := parent[p]
		if v, ok := in.Min[p]; ok {
			o.Min = v
		}
		if v, ok := in.Deprecated[p]; ok {
			o.Deprecated = v
		}
		if in.Supervised != nil {
			o.Supervised = *in.Supervised
		}
		out[p] = o
	}
	return out
}

// merge adds what b says and a does not to a: platforms a lacks, and
// children, recursively. What a says wins.
func merge(a, b *node) {
	for p, o := range b.os {
		if _, ok := a.os[p]; !ok {
			a.os[p] = o
		}
	}
	for _, name := range slices.Sorted(maps.Keys(b.children)) {
		c := b.children[name]
		if prev := a.child(name); prev != nil {
			merge(prev, c)
		} else {
			a.children[name] = c
		}
	}
}

// allowed keeps a list of scalar allowed values, as the key's type reads
// them: an integral number stays an integer unless the key is real. A list
// holding anything else is dropped, as no check could use it.
func allowed(list []json.RawMessage, t string) []json.RawMessage {
	if len(list) == 0 {
		return nil
	}
	out := make([]json.RawMessage, 0, len(list))
	for _, v := range list {
		switch {
		case len(v) == 0 || v[0] == '{' || v[0] == '[' || string(v) == "null":
			return nil
		case v[0] == '"' || string(v) == "true" || string(v) == "false":
			out = append(out, v)
		default:
			f, err := strconv.ParseFloat(string(v), 64)
			if err != nil {
				return nil
			}
			out = append(out, numberText(f, t == "real"))
		}
	}
	return out
}

func number(v json.RawMessage) *float64 {
	if len(v) == 0 || string(v) == "null" {
		return nil
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return nil
	}
	return &f
}

// numberText writes a number the same way whatever the input's spelling:
// integers without a fraction, reals with one.
func numberText(f float64, real bool) json.RawMessage {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if real && !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return json.RawMessage(s)
}

// write writes n's children, sorted by name, each with its platforms when
// they differ from n's.
func write(buf *bytes.Buffer, enc *json.Encoder, n *node, depth int) error {
	for _, name := range slices.Sorted(maps.Keys(n.children)) {
		c := n.children[name]
		k := c.key
		if !maps.Equal(c.os, n.os) {
			k.OS = c.os.record()
		}
		buf.WriteString(strings.Repeat("  ", depth))
		if err := enc.Encode(&k); err != nil {
			return err
		}
		if err := write(buf, enc, c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (ps platforms) record() map[string]*record.FactOS {
	out := make(map[string]*record.FactOS, len(ps))
	for p, o := range ps {
		out[p] = &o
	}
	return out
}

var commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// readSource reads extract.py's SOURCE: "repo: URL (...)", "commit: SHA",
// "date: 2026-08-18T15:00:54+00:00 (...)" lines among others.
func readSource(name string) (*record.FactsHeader, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	h := &record.FactsHeader{
		Format: record.FactsFormat,
		Facts: "facts only: key names, types, platforms, OS versions, supervision, allowed values, ranges, " +
			"formats and required flags; no titles, descriptions, defaults or other text. " +
			"The repository has no licence at this commit.",
	}
	for _, ln := range strings.Split(string(b), "\n") {
		label, value, ok := strings.Cut(ln, ":")
		if !ok {
			continue
		}
		first, _, _ := strings.Cut(strings.TrimSpace(value), " ")
		switch label {
		case "repo":
			h.Source = first
		case "commit":
			h.Commit = first
		case "date":
			h.Date, _, _ = strings.Cut(first, "T")
		}
	}
	if h.Source == "" || !commitRE.MatchString(h.Commit) || len(h.Date) != len("2006-01-02") {
		return nil, fmt.Errorf("%s: want repo:, commit: (40 hex digits) and date: lines", name)
	}
	return h, nil
}
