package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Reading Apple's YAML is apart from writing the data file: the parser is
// where a schema update shows up, as a field the generator does not know,
// and it keeps each node's position so that such an error names the line.

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
