package profiles

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/mdmforge/mdmforge/internal/suggest"
	"go.yaml.in/yaml/v3"
)

// MaxPolicySize bounds a policy file. Real policies are a few kilobytes; the
// bound keeps a stray log or disk image from being parsed for minutes.
const MaxPolicySize = 1 << 20

// Decode parses one policy file. name is used in positions only. It checks
// the document's shape (known keys, types, one document) and returns the
// policy with every finding; semantic rules are applied by Validate.
func Decode(name string, data []byte) (*Policy, Diagnostics) {
	d := &decoder{file: name, pos: map[string]Pos{}}
	p := &Policy{File: name, pos: d.pos}
	if !d.checkEncoding(data) {
		return nil, d.diags
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))

	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.errorf("", Pos{File: name}, "file is empty; a policy needs at least version and profile (mdmforge init writes a starter)")
			return nil, d.diags
		}
		d.syntaxError(data, err)
		return nil, d.diags
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		d.errorf("", d.at(&next), "a file holds one policy; found a second YAML document")
	} else if !errors.Is(err, io.EOF) {
		d.syntaxError(data, err)
		return nil, d.diags
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			d.errorf("", Pos{File: name}, "file is empty; a policy needs at least version and profile (mdmforge init writes a starter)")
			return nil, d.diags
		}
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		d.errorf("", d.at(root), "want a mapping of policy settings (version, profile, exchange, …), got %s", describe(root))
		return nil, d.diags
	}
	// Once for the whole file, before anything walks the tree with its
	// aliases expanded: the settings here, the payload keys in Compile.
	if !d.checkExpansion(root, expansionBudget(len(data))) {
		return nil, d.diags
	}
	d.checkTags(root)
	d.value(root, "", reflect.ValueOf(p).Elem())
	p.strings = d.strings
	return p, d.diags
}

type decoder struct {
	file    string
	diags   Diagnostics
	pos     map[string]Pos
	strings []stringField
	budget  nodeBudget
	badTag  map[*yaml.Node]bool // reported by checkTags, skipped after
}

// stringField remembers every string the policy set, with where it was, so
// variable references can be checked and reported in place.
type stringField struct {
	path string
	pos  Pos
	val  *string
}

func (d *decoder) at(n *yaml.Node) Pos { return Pos{File: d.file, Line: n.Line, Column: n.Column} }

func (d *decoder) errorf(path string, pos Pos, format string, args ...any) {
	d.diags = append(d.diags, Diagnostic{Severity: Error, Path: path, Pos: pos, Message: fmt.Sprintf(format, args...)})
}

var (
	nodeType    = reflect.TypeOf(yaml.Node{})
	boolWords   = map[string]bool{"yes": true, "no": true, "on": true, "off": true, "y": true, "n": true}
	numericText = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(\.[0-9]*)?$`)
)

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// value decodes n into v, which is addressable. Every mismatch becomes a
// finding and decoding continues, so one run reports all of them.
func (d *decoder) value(n *yaml.Node, path string, v reflect.Value) {
	if ok, report := d.budget.spend(); !ok {
		if report {
			d.errorf(path, d.at(n), tooManyNodes)
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if d.badTag[n] {
		return
	}
	// A block mapping or list is reported at its key, where the author
	// reads its name; scalars and flow collections at their value.
	if _, keyed := d.pos[path]; !keyed || n.Kind == yaml.ScalarNode || n.Style&yaml.FlowStyle != 0 {
		d.pos[path] = d.at(n)
	}
	if v.Type() == nodeType {
		v.Set(reflect.ValueOf(*n))
		return
	}
	// mdmforge's own tag, !uuid, names a payload inside payload keys only;
	// any other local tag means something this decoder cannot honour.
	if n.Kind == yaml.ScalarNode && !strings.HasPrefix(n.Tag, "!!") {
		d.errorf(path, d.at(n), "unsupported YAML tag %s here (mdmforge's !uuid is for payload keys)", n.Tag)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) && v.Type().Elem().Kind() != reflect.Struct {
			return // an empty value leaves the setting unset
		}
		e := reflect.New(v.Type().Elem())
		d.value(n, path, e.Elem())
		v.Set(e)
	case reflect.Struct:
		d.mapping(n, path, v)
	case reflect.Slice:
		if isNull(n) {
			return // "sync:" with nothing after it is unset, like leaving it out
		}
		if n.Kind != yaml.SequenceNode {
			d.errorf(path, d.at(n), "want a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.value(item, fmt.Sprintf("%s[%d]", path, i), s.Index(i))
		}
		v.Set(s)
	case reflect.String:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.ScalarNode || n.Tag == "!!bool" {
			d.errorf(path, d.at(n), "want text, got %s (quote it if you mean the text)", describe(n))
			return
		}
		if n.Style&yaml.TaggedStyle != 0 && n.Tag != "!!str" {
			// An explicit !!int 5 or !!binary says it is not text.
			d.errorf(path, d.at(n), "want text, got %s tagged %s (remove the tag)", describe(n), n.Tag)
			return
		}
		v.SetString(n.Value)
		d.strings = append(d.strings, stringField{path: path, pos: d.at(n), val: v.Addr().Interface().(*string)})
	case reflect.Bool:
		switch {
		case n.Kind == yaml.ScalarNode && n.Tag == "!!bool":
			b, _ := strconv.ParseBool(strings.ToLower(n.Value))
			v.SetBool(b)
		case n.Kind == yaml.ScalarNode && boolWords[strings.ToLower(n.Value)]:
			d.errorf(path, d.at(n), "want true or false, got %q (YAML 1.1 yes/no/on/off are text in mdmforge)", n.Value)
		default:
			d.errorf(path, d.at(n), "want true or false, got %s", describe(n))
		}
	case reflect.Int:
		switch {
		case n.Kind == yaml.ScalarNode && n.Tag == "!!int":
			i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
			if err != nil {
				d.errorf(path, d.at(n), "number %s is out of range", n.Value)
				return
			}
			v.SetInt(i)
		case n.Kind == yaml.ScalarNode && n.Tag == "!!str" && numericText.MatchString(n.Value) && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
			d.errorf(path, d.at(n), "want a number, got quoted text %q (remove the quotes)", n.Value)
		default:
			d.errorf(path, d.at(n), "want a whole number, got %s", describe(n))
		}
	default:
		panic("profiles: no decoder for " + v.Type().String())
	}
}

func (d *decoder) mapping(n *yaml.Node, path string, v reflect.Value) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(path, d.at(n), "want a mapping of settings, got %s", describe(n))
		return
	}
	fields := structFields(v.Type())
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := k.Value
		kpath := join(path, key)
		if k.Kind != yaml.ScalarNode {
			d.errorf(path, d.at(k), "want a setting name, got %s", describe(k))
			continue
		}
		if first, dup := seen[key]; dup {
			d.errorf(kpath, d.at(k), "set twice; first set at line %d", first.Line)
			continue
		}
		seen[key] = k
		d.pos[kpath] = d.at(k)
		idx, ok := fields.index[key]
		if !ok {
			msg := fmt.Sprintf("unknown setting %q", key)
			if s := suggest.Closest(key, fields.names); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else if s := elsewhere(key, path); s != "" {
				msg += s
			} else {
				msg += fmt.Sprintf(" (known: %s)", strings.Join(fields.names, ", "))
			}
			d.errorf(kpath, d.at(k), "%s", msg)
			continue
		}
		if versionText[kpath] && val.Kind == yaml.ScalarNode && (val.Tag == "!!float" || val.Tag == "!!int") {
			d.errorf(kpath, d.at(val), "write the version in quotes, %q: unquoted it is a number to YAML, which other tools and the JSON Schema read with digits lost (13.10 as 13.1)", val.Value)
			// Keep the text as written, so that the rules that read the
			// version judge what the author meant in the same run.
			if f := v.Field(idx); f.Kind() == reflect.String {
				f.SetString(val.Value)
			}
			continue
		}
		d.value(val, kpath, v.Field(idx))
	}
}

// versionText are the settings that hold OS versions. mdmforge sees the
// text as written, but a version left unquoted is a float to every other
// YAML reader, editors checking the JSON Schema included, and 13.10 is 13.1
// there; quoting is required so that every reader agrees.
var versionText = map[string]bool{"profile.min_ios": true}

type fieldSet struct {
	index map[string]int
	names []string
}

func structFields(t reflect.Type) fieldSet {
	fs := fieldSet{index: map[string]int{}}
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("yaml")
		if tag == "" || tag == "-" {
			continue
		}
		fs.index[tag] = i
		fs.names = append(fs.names, tag)
	}
	return fs
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// describe names what a node holds in the words a policy author uses.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return describe(n.Alias)
	}
	switch n.Tag {
	case "!!bool":
		return "boolean " + n.Value
	case "!!int", "!!float":
		return "number " + n.Value
	case "!!null":
		return "nothing"
	case "!!timestamp":
		return "date " + n.Value
	}
	return fmt.Sprintf("text %q", n.Value)
}
