// Command gen converts Apple's configuration-profile schema (the
// mdm/profiles/*.yaml files of github.com/apple/device-management) into the
// compact data file embedded by package schema.
//
// It is run by go generate in profiles/schema:
//
//	go run ./internal/gen -src ../../../shared/apple-device-management -out apple.jsonl -license LICENSE.apple.txt
//
// -src is a directory holding Apple's LICENSE.txt, a SOURCE file
// ("<commit> <date> <subject>") and profiles/*.yaml. Only facts are kept:
// titles, descriptions and notes are dropped. See package
// github.com/mdmforge/mdmforge/profiles/schema/internal/record for the output
// format. The output is deterministic.
//
// The generator is strict: a field it does not know in Apple's YAML is an
// error, so that a schema update that adds information is noticed rather
// than silently lost.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/mdmforge/mdmforge/profiles/schema/internal/record"
	"go.yaml.in/yaml/v3"
)

const (
	sourceRepo = "https://github.com/apple/device-management"
	sourcePath = "mdm/profiles"
)

func main() {
	src := flag.String("src", "", "directory with Apple's device-management data (LICENSE.txt, SOURCE, profiles/*.yaml)")
	out := flag.String("out", "apple.jsonl", "data file to write")
	lic := flag.String("license", "LICENSE.apple.txt", "where to copy Apple's LICENSE.txt (empty: don't)")
	flag.Parse()
	if *src == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -src DIR [-out FILE] [-license FILE]")
		os.Exit(2)
	}
	if err := run(*src, *out, *lic); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, out, lic string) error {
	data, st, err := generate(src)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	if lic != "" {
		b, err := os.ReadFile(filepath.Join(src, "LICENSE.txt"))
		if err != nil {
			return err
		}
		if err := os.WriteFile(lic, b, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %s: %d files, %d payload types, %d keys, %d bytes\n",
		out, st.files, st.types, st.keys, len(data))
	return nil
}

type stats struct{ files, types, keys int }

// file is one parsed YAML file.
type file struct {
	payload record.Payload
	keys    []line
}

// line is one key line with its nesting depth.
type line struct {
	depth int
	key   *record.Key
}

// generate reads src and returns the data file contents.
func generate(src string) ([]byte, stats, error) {
	var st stats
	hdr, err := readSource(filepath.Join(src, "SOURCE"))
	if err != nil {
		return nil, st, err
	}
	names, err := filepath.Glob(filepath.Join(src, "profiles", "*.yaml"))
	if err != nil {
		return nil, st, err
	}
	if len(names) == 0 {
		return nil, st, fmt.Errorf("no profiles/*.yaml in %s", src)
	}
	var files []*file
	byType := map[string][]*file{}
	for _, name := range names {
		f, err := parseFile(name)
		if err != nil {
			return nil, st, err
		}
		byType[f.payload.Payload] = append(byType[f.payload.Payload], f)
		files = append(files, f)
		st.keys += len(f.keys)
	}
	// Name the variants of payload types described by several files.
	for _, group := range byType {
		if len(group) == 1 {
			continue
		}
		seen := map[string]string{}
		for _, f := range group {
			f.payload.Variant = variant(f.payload)
			if prev, dup := seen[f.payload.Variant]; dup {
				return nil, st, fmt.Errorf("%s and %s both describe %s variant %q",
					prev, f.payload.File, f.payload.Payload, f.payload.Variant)
			}
			seen[f.payload.Variant] = f.payload.File
		}
	}
	st.files, st.types = len(files), len(byType)
	sort.Slice(files, func(i, j int) bool {
		a, b := files[i].payload, files[j].payload
		if a.Payload != b.Payload {
			return a.Payload < b.Payload
		}
		return a.Variant < b.Variant
	})

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(hdr); err != nil {
		return nil, st, err
	}
	for _, f := range files {
		if err := enc.Encode(&f.payload); err != nil {
			return nil, st, err
		}
		for _, l := range f.keys {
			buf.WriteString(strings.Repeat("  ", l.depth))
			if err := enc.Encode(l.key); err != nil {
				return nil, st, err
			}
		}
	}
	return buf.Bytes(), st, nil
}

// variant names one of several files describing the same payload type: ""
// for the file named after the type, X for TYPE(X).yaml, else the file name
// without .yaml.
func variant(p record.Payload) string {
	stem := strings.TrimSuffix(p.File, ".yaml")
	switch {
	case stem == p.Payload:
		return ""
	case strings.HasPrefix(stem, p.Payload+"(") && strings.HasSuffix(stem, ")"):
		return stem[len(p.Payload)+1 : len(stem)-1]
	}
	return stem
}

func readSource(name string) (*record.Header, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	f := strings.Fields(strings.TrimSpace(string(b)))
	if len(f) == 0 || !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(f[0]) {
		return nil, fmt.Errorf("%s: want \"<40-hex commit> [date] [subject]\"", name)
	}
	h := &record.Header{
		Format:  record.Format,
		Source:  sourceRepo,
		Path:    sourcePath,
		Commit:  f[0],
		License: "MIT, Copyright Apple Inc., see LICENSE.apple.txt",
	}
	if len(f) > 1 {
		h.Date = f[1]
	}
	if len(f) > 2 {
		h.Release = strings.Join(f[2:], " ")
	}
	return h, nil
}

// parser holds the state for one YAML file.
type parser struct {
	file string
	out  *file
	// stack of the subkeys sequences being expanded, with the path of the
	// key owning each; used to detect recursive aliases.
	stack []frame
}

type frame struct {
	seq  *yaml.Node
	path []string
}

func parseFile(name string) (*file, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	base := filepath.Base(name)
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", base, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, fmt.Errorf("%s: not a single YAML document", base)
	}
	p := &parser{file: base, out: &file{}}
	if err := p.top(doc.Content[0]); err != nil {
		return nil, err
	}
	return p.out, nil
}

func (p *parser) errf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.file, n.Line, fmt.Sprintf(format, args...))
}

type field struct {
	name string
	key  *yaml.Node
	val  *yaml.Node
}

// fields returns the entries of a mapping, aliases resolved, rejecting
// duplicate and unknown names. known lists accepted names; ignored names
// are accepted and skipped.
func (p *parser) fields(n *yaml.Node, known, ignored []string) ([]field, error) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return nil, p.errf(n, "want a mapping")
	}
	var out []field
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return nil, p.errf(k, "non-scalar mapping key")
		}
		if seen[k.Value] {
			return nil, p.errf(k, "duplicate field %q", k.Value)
		}
		seen[k.Value] = true
		switch {
		case contains(ignored, k.Value):
		case contains(known, k.Value):
			out = append(out, field{k.Value, k, v})
		default:
			return nil, p.errf(k, "unknown field %q (update the generator)", k.Value)
		}
	}
	return out, nil
}

func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) str(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", p.errf(n, "want a scalar")
	}
	return n.Value, nil
}

func (p *parser) boolean(n *yaml.Node) (*bool, error) {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		return nil, p.errf(n, "want a boolean, got %q", n.Value)
	}
	return &b, nil
}

func (p *parser) number(n *yaml.Node) (*float64, error) {
	var f float64
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || n.Decode(&f) != nil ||
		math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, p.errf(n, "want a number, got %q", n.Value)
	}
	return &f, nil
}

// value converts a scalar (default or rangelist entry) to JSON, keeping
// integers and reals apart: reals always carry a '.' or an exponent.
func (p *parser) value(n *yaml.Node) (json.RawMessage, error) {
	if n.Kind != yaml.ScalarNode {
		return nil, p.errf(n, "want a scalar value")
	}
	switch n.Tag {
	case "!!bool":
		b, err := p.boolean(n)
		if err != nil {
			return nil, err
		}
		return json.RawMessage(strconv.FormatBool(*b)), nil
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			return nil, p.errf(n, "bad integer %q", n.Value)
		}
		return json.RawMessage(strconv.FormatInt(i, 10)), nil
	case "!!float":
		f, err := p.number(n)
		if err != nil {
			return nil, err
		}
		s := strconv.FormatFloat(*f, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return json.RawMessage(s), nil
	case "!!str":
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(n.Value); err != nil {
			return nil, err
		}
		return json.RawMessage(bytes.TrimRight(buf.Bytes(), "\n")), nil
	}
	return nil, p.errf(n, "unsupported value %q (tag %s)", n.Value, n.Tag)
}

func (p *parser) top(n *yaml.Node) error {
	fs, err := p.fields(n, []string{"payload", "payloadkeys"}, []string{"title", "description", "notes"})
	if err != nil {
		return err
	}
	var keys *yaml.Node
	havePayload := false
	for _, f := range fs {
		switch f.name {
		case "payload":
			havePayload = true
			if err := p.payload(f.val); err != nil {
				return err
			}
		case "payloadkeys":
			keys = f.val
		}
	}
	if !havePayload {
		return p.errf(n, "no payload")
	}
	if keys == nil {
		return nil
	}
	return p.keys(keys, nil, 0)
}

func (p *parser) payload(n *yaml.Node) error {
	fs, err := p.fields(n, []string{"payloadtype", "supportedOS"}, []string{"content"})
	if err != nil {
		return err
	}
	pl := &p.out.payload
	pl.File = p.file
	for _, f := range fs {
		switch f.name {
		case "payloadtype":
			if pl.Payload, err = p.str(f.val); err != nil {
				return err
			}
		case "supportedOS":
			if pl.OS, err = p.supportedOS(f.val); err != nil {
				return err
			}
		}
	}
	if pl.Payload == "" {
		return p.errf(n, "no payloadtype")
	}
	if pl.Payload == "TopLevel" {
		// The profile's outer dictionary; its PayloadType is Configuration.
		pl.Payload = "Configuration"
	}
	return nil
}

var (
	platforms = []string{"iOS", "macOS", "tvOS", "visionOS", "watchOS"}
	versionRE = regexp.MustCompile(`^(n/a|all|[0-9]+(\.[0-9]+)*)$`)
	modes     = []string{"allowed", "required", "forbidden", "ignored"}
	types     = []string{"string", "integer", "real", "boolean", "date", "data", "array", "dictionary", "any"}
)

func (p *parser) supportedOS(n *yaml.Node) (map[string]*record.OS, error) {
	fs, err := p.fields(n, platforms, nil)
	if err != nil {
		return nil, err
	}
	out := map[string]*record.OS{}
	for _, f := range fs {
		o, err := p.os(f.val)
		if err != nil {
			return nil, err
		}
		out[f.name] = o
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func (p *parser) os(n *yaml.Node) (*record.OS, error) {
	o := &record.OS{}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return o, nil
	}
	fs, err := p.fields(n, []string{
		"introduced", "deprecated", "removed", "multiple", "supervised", "allowmanualinstall",
		"devicechannel", "userchannel", "requiresdep", "userapprovedmdm", "userenrollment", "sharedipad",
	}, nil)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		switch f.name {
		case "introduced", "deprecated", "removed":
			v, err := p.str(f.val)
			if err != nil {
				return nil, err
			}
			if !versionRE.MatchString(v) {
				return nil, p.errf(f.val, "bad version %q", v)
			}
			switch f.name {
			case "introduced":
				o.Introduced = v
			case "deprecated":
				o.Deprecated = v
			case "removed":
				o.Removed = v
			}
		case "userenrollment":
			// behavior is prose.
			ue, err := p.fields(f.val, []string{"mode"}, []string{"behavior"})
			if err != nil {
				return nil, err
			}
			for _, m := range ue {
				if o.UserEnrollment, err = p.mode(m.val); err != nil {
					return nil, err
				}
			}
		case "sharedipad":
			sp, err := p.fields(f.val, []string{"mode", "devicechannel", "userchannel"}, nil)
			if err != nil {
				return nil, err
			}
			o.SharedIPad = &record.SharedIPad{}
			for _, s := range sp {
				switch s.name {
				case "mode":
					o.SharedIPad.Mode, err = p.mode(s.val)
				case "devicechannel":
					o.SharedIPad.DeviceChannel, err = p.boolean(s.val)
				case "userchannel":
					o.SharedIPad.UserChannel, err = p.boolean(s.val)
				}
				if err != nil {
					return nil, err
				}
			}
		default:
			b, err := p.boolean(f.val)
			if err != nil {
				return nil, err
			}
			switch f.name {
			case "multiple":
				o.Multiple = b
			case "supervised":
				o.Supervised = b
			case "allowmanualinstall":
				o.AllowManualInstall = b
			case "devicechannel":
				o.DeviceChannel = b
			case "userchannel":
				o.UserChannel = b
			case "requiresdep":
				o.RequiresDEP = b
			case "userapprovedmdm":
				o.UserApprovedMDM = b
			}
		}
	}
	return o, nil
}

func (p *parser) mode(n *yaml.Node) (string, error) {
	s, err := p.str(n)
	if err != nil {
		return "", err
	}
	if !contains(modes, s) {
		return "", p.errf(n, "bad mode %q", s)
	}
	return s, nil
}

// keys parses a payloadkeys or subkeys sequence whose owner key has the
// given path (nil for the payload) and whose entries sit at depth.
func (p *parser) keys(n *yaml.Node, path []string, depth int) error {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		return p.errf(n, "want a sequence of keys")
	}
	p.stack = append(p.stack, frame{n, path})
	defer func() { p.stack = p.stack[:len(p.stack)-1] }()
	names := map[string]bool{}
	for _, kn := range n.Content {
		k, sub, err := p.key(kn)
		if err != nil {
			return err
		}
		if names[k.Key] {
			return p.errf(kn, "duplicate key %q", k.Key)
		}
		names[k.Key] = true
		p.out.keys = append(p.out.keys, line{depth, k})
		if sub == nil || len(sub.Content) == 0 {
			if k.Type == "array" {
				return p.errf(kn, "array %q without element description", k.Key)
			}
			continue
		}
		switch k.Type {
		case "array":
			if len(sub.Content) != 1 {
				return p.errf(kn, "array %q has %d subkeys, want 1", k.Key, len(sub.Content))
			}
		case "dictionary":
		default:
			return p.errf(kn, "%s key %q has subkeys", k.Type, k.Key)
		}
		kpath := append(append([]string(nil), path...), k.Key)
		if owner := p.onStack(sub); owner != nil {
			// A recursive alias: share the ancestor's subkeys.
			if len(owner) == 0 {
				return p.errf(kn, "key %q refers to the payload's own keys", k.Key)
			}
			k.Ref = append([]string(nil), owner...)
			continue
		}
		if err := p.keys(sub, kpath, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) onStack(seq *yaml.Node) []string {
	for _, f := range p.stack {
		if f.seq == seq {
			if f.path == nil {
				return []string{}
			}
			return f.path
		}
	}
	return nil
}

// key parses one key, returning it and its (resolved) subkeys node.
func (p *parser) key(n *yaml.Node) (*record.Key, *yaml.Node, error) {
	fs, err := p.fields(n, []string{
		"key", "type", "presence", "default", "rangelist", "range", "format",
		"valuetype", "subtype", "repetition", "supportedOS", "subkeys",
	}, []string{"title", "content", "subkeytype"})
	if err != nil {
		return nil, nil, err
	}
	k := &record.Key{}
	var sub *yaml.Node
	for _, f := range fs {
		switch f.name {
		case "key":
			k.Key, err = p.str(f.val)
		case "type":
			var t string
			if t, err = p.str(f.val); err == nil {
				k.Type = strings.TrimSuffix(strings.TrimPrefix(t, "<"), ">")
				if !contains(types, k.Type) {
					err = p.errf(f.val, "unknown type %q", t)
				}
			}
		case "presence":
			var s string
			if s, err = p.str(f.val); err == nil {
				switch s {
				case "required":
					k.Required = true
				case "optional":
				default:
					err = p.errf(f.val, "bad presence %q", s)
				}
			}
		case "default":
			k.Default, err = p.value(f.val)
		case "rangelist":
			if f.val.Kind != yaml.SequenceNode {
				err = p.errf(f.val, "rangelist: want a sequence")
				break
			}
			k.Allowed = []json.RawMessage{}
			for _, v := range f.val.Content {
				var r json.RawMessage
				if r, err = p.value(resolve(v)); err != nil {
					break
				}
				k.Allowed = append(k.Allowed, r)
			}
		case "range", "repetition":
			var r *record.Range
			if r, err = p.rng(f.val); err == nil {
				if f.name == "range" {
					k.Range = r
				} else {
					k.Repetition = r
				}
			}
		case "format":
			k.Format, err = p.str(f.val)
			if err == nil {
				if _, rerr := regexp.Compile(k.Format); rerr != nil {
					err = p.errf(f.val, "format %q is not a Go regexp: %v", k.Format, rerr)
				}
			}
		case "valuetype", "subtype":
			var s string
			if s, err = p.str(f.val); err == nil {
				k.ValueType = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
			}
		case "supportedOS":
			k.OS, err = p.supportedOS(f.val)
		case "subkeys":
			sub = f.val
			if sub.Kind != yaml.SequenceNode {
				err = p.errf(sub, "subkeys: want a sequence")
			}
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if k.Key == "" || k.Type == "" {
		return nil, nil, p.errf(n, "key without name or type")
	}
	return k, sub, nil
}

func (p *parser) rng(n *yaml.Node) (*record.Range, error) {
	fs, err := p.fields(n, []string{"min", "max"}, nil)
	if err != nil {
		return nil, err
	}
	r := &record.Range{}
	for _, f := range fs {
		v, err := p.number(f.val)
		if err != nil {
			return nil, err
		}
		if f.name == "min" {
			r.Min = v
		} else {
			r.Max = v
		}
	}
	return r, nil
}
