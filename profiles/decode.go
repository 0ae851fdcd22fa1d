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
	"unicode/utf8"

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

// maxNodes bounds how many values one policy may expand to. The parser
// keeps YAML aliases unexpanded in its node tree, so without a bound a few
// lines of nested aliases ("billion laughs") would expand without end here.
const maxNodes = 200_000

// nodeBudget counts values visited and reports exhaustion once.
type nodeBudget struct {
	used     int
	reported bool
}

// spend reports whether another value may be visited; the first refusal
// returns true for report so the caller can say why once.
func (b *nodeBudget) spend() (ok, report bool) {
	b.used++
	if b.used <= maxNodes {
		return true, false
	}
	report = !b.reported
	b.reported = true
	return false, report
}

const tooManyNodes = "the document expands to more than 200000 values; check its YAML aliases (*name)"

// expansionBudget is how many bytes a policy of size bytes may hold once
// its YAML aliases are expanded: 16 times its size, and at least 1 MiB.
// Without aliases a policy expands to at most about 8.5 times its size
// (a two-byte "a," list item counts 17), so only aliases reach the
// budget; 16 times leaves legitimate sharing (a block of keys reused in
// a few payloads) ample room, while the largest policy (MaxPolicySize)
// stays within 16 MiB of profile, where a few lines of nested aliases
// would otherwise produce gigabytes.
func expansionBudget(size int) int64 { return max(16*int64(size), 1<<20) }

// nodeOverhead is what each expanded value counts besides its text: about
// the markup a property list spends on it (<string></string> is 17 bytes),
// so that aliases to empty values are not free.
const nodeOverhead = 16

// maxExpandedDepth bounds nesting with aliases expanded. It is the
// parser's own limit on nesting without them, which aliases bypass: a
// chain of anchors each holding the previous one in a list would
// otherwise make the decoders below recurse once per anchor.
const maxExpandedDepth = 10_000

// checkExpansion measures, without recursion and visiting each node of the
// file once, how many bytes (text plus nodeOverhead per value) and levels
// the document holds with every alias expanded. An anchored value's totals
// are remembered, so an alias costs a lookup however large its target. It
// reports one finding, at the alias that crosses the budget or refers to
// a value containing it, and returns false; the caller then stops.
func (d *decoder) checkExpansion(root *yaml.Node, budget int64) bool {
	type total struct {
		bytes int64
		depth int
	}
	anchored := map[*yaml.Node]total{}
	open := map[*yaml.Node]bool{} // anchored values being walked
	type frame struct {
		n     *yaml.Node
		next  int // index in n.Content of the next child
		sum   total
		depth int // deepest child so far
	}
	stack := []frame{{n: root, sum: total{bytes: nodeOverhead + int64(len(root.Value))}}}
	if root.Anchor != "" {
		open[root] = true
	}
	// largest is the alias with the largest target so far: whom to name
	// when sums of several aliases cross the budget together.
	var largest *yaml.Node
	var largestBytes int64
	refuse := func(alias *yaml.Node, format string, args ...any) bool {
		d.errorf(pathTo(root, alias), d.at(alias), format, args...)
		return false
	}
	tooLarge := func(alias *yaml.Node) bool {
		return refuse(alias, "the policy expands to more than %d bytes through alias *%s (a policy may expand through aliases to 16 times its size, at least 1 MiB); share less through YAML aliases", budget, alias.Value)
	}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.next == len(f.n.Content) {
			t := total{bytes: f.sum.bytes, depth: f.depth + 1}
			if f.n.Anchor != "" {
				anchored[f.n] = t
				delete(open, f.n)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return true
			}
			p := &stack[len(stack)-1]
			p.sum.bytes += t.bytes
			p.depth = max(p.depth, t.depth)
			if p.sum.bytes > budget && largest != nil {
				return tooLarge(largest)
			}
			continue
		}
		child := f.n.Content[f.next]
		f.next++
		if child.Kind != yaml.AliasNode {
			if child.Anchor != "" {
				open[child] = true
			}
			stack = append(stack, frame{n: child, sum: total{bytes: nodeOverhead + int64(len(child.Value))}})
			if len(stack) > maxExpandedDepth {
				return refuse(child, "the policy nests more than %d levels deep", maxExpandedDepth)
			}
			continue
		}
		target := child.Alias
		if open[target] {
			return refuse(child, "alias *%s refers to a value that contains it; YAML aliases must not loop", child.Value)
		}
		t, ok := anchored[target]
		if !ok {
			// The parser resolves an alias to an anchor defined earlier,
			// so its value was walked already; anything else is refused
			// rather than walked.
			return refuse(child, "alias *%s refers to an unknown anchor", child.Value)
		}
		f.sum.bytes += t.bytes
		f.depth = max(f.depth, t.depth)
		if largest == nil || t.bytes > largestBytes {
			largest, largestBytes = child, t.bytes
		}
		if len(stack)+t.depth > maxExpandedDepth {
			return refuse(child, "alias *%s makes the policy nest more than %d levels deep", child.Value, maxExpandedDepth)
		}
		// Every frame's value is part of the document, so once one holds
		// more than the budget the whole does too.
		if f.sum.bytes > budget {
			return tooLarge(child)
		}
	}
	return true
}

// checkTags refuses explicitly tagged scalars whose text the tag cannot
// hold, and tags on lists and mappings other than !!seq and !!map, anywhere in the document (settings and payload keys alike), since
// the decoders would otherwise read them by the tag and lose the text:
// !!bool "yes" became false. Untagged values keep their usual reading.
func (d *decoder) checkTags(root *yaml.Node) {
	type item struct {
		n    *yaml.Node
		path string
	}
	var bad []item
	stack := []item{{n: root}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := it.n
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				stack = append(stack, item{n.Content[i], it.path}, item{n.Content[i+1], join(it.path, n.Content[i].Value)})
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				stack = append(stack, item{c, fmt.Sprintf("%s[%d]", it.path, i)})
			}
		}
		if n.Style&yaml.TaggedStyle != 0 && tagMismatch(n) != "" {
			bad = append(bad, it)
		}
	}
	// The stack walks backwards; findings read in file order.
	for i := len(bad) - 1; i >= 0; i-- {
		if d.badTag == nil {
			d.badTag = map[*yaml.Node]bool{}
		}
		d.badTag[bad[i].n] = true
		d.errorf(bad[i].path, d.at(bad[i].n), "%s", tagMismatch(bad[i].n))
	}
}

// tagMismatch says why an explicitly tagged scalar's text is not a value
// of its tag, or returns "".
func tagMismatch(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode && n.Tag != "!!map", n.Kind == yaml.SequenceNode && n.Tag != "!!seq":
		// Nothing reads a tag on a list or mapping, so it would be
		// dropped without a word.
		return fmt.Sprintf("unsupported YAML tag %s on %s", n.Tag, describe(n))
	case n.Kind != yaml.ScalarNode:
		return ""
	}
	v := n.Value
	switch n.Tag {
	case "!!bool":
		if l := strings.ToLower(v); l != "true" && l != "false" {
			return fmt.Sprintf("want true or false, got %q (a !!bool tag does not turn text into a boolean)", v)
		}
	case "!!int":
		if _, err := strconv.ParseInt(strings.ReplaceAll(v, "_", ""), 0, 64); err != nil {
			return fmt.Sprintf("want a whole number, got %q (a !!int tag does not turn text into a number)", v)
		}
	case "!!float":
		if _, err := strconv.ParseFloat(strings.ReplaceAll(v, "_", ""), 64); err != nil {
			return fmt.Sprintf("want a number, got %q (a !!float tag does not turn text into a number)", v)
		}
	case "!!null":
		switch v {
		case "", "~", "null", "Null", "NULL":
		default:
			return fmt.Sprintf("want nothing, got %q (a !!null tag would drop the text)", v)
		}
	}
	return ""
}

// pathTo returns the YAML path of node within root, as findings name it,
// by a walk without recursion that does not follow aliases.
func pathTo(root, node *yaml.Node) string {
	type frame struct {
		n    *yaml.Node
		next int
		path string
	}
	stack := []frame{{n: root}}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.n == node {
			return f.path
		}
		if f.next == len(f.n.Content) {
			stack = stack[:len(stack)-1]
			continue
		}
		i := f.next
		f.next++
		p := f.path
		switch f.n.Kind {
		case yaml.MappingNode:
			if i%2 == 1 {
				p = join(p, f.n.Content[i-1].Value)
			}
		case yaml.SequenceNode:
			p = fmt.Sprintf("%s[%d]", p, i)
		}
		stack = append(stack, frame{n: f.n.Content[i], path: p})
	}
	return ""
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

// checkEncoding rejects what YAML parsers report badly or not at all: text
// that is not UTF-8, and UTF-16 files saved by Windows editors.
func (d *decoder) checkEncoding(data []byte) bool {
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		d.errorf("", Pos{File: d.file}, "file is UTF-16; save it as UTF-8")
		return false
	}
	if utf8.Valid(data) {
		if i := bytes.IndexByte(data, 0); i >= 0 {
			line, col := lineCol(data, i)
			d.errorf("", Pos{File: d.file, Line: line, Column: col}, "file holds a NUL byte; a policy is UTF-8 text")
			return false
		}
		return true
	}
	i := 0
	for i < len(data) {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	line, col := lineCol(data, i)
	d.errorf("", Pos{File: d.file, Line: line, Column: col}, "file is not UTF-8 text (byte 0x%02x); save it as UTF-8", data[i])
	return false
}

func lineCol(data []byte, off int) (int, int) {
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a YAML parser error into one positioned finding. The
// parser names the line where it gave up, often not the one with the
// mistake, in its own terms and without a column, so the source is read for
// the mistake first (findSyntaxProblem); the parser's words are the
// fallback.
func (d *decoder) syntaxError(data []byte, err error) {
	if p, ok := findSyntaxProblem(data); ok {
		d.errorf(p.path, Pos{File: d.file, Line: p.line, Column: p.col}, "%s", p.msg)
		return
	}
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		d.errorf("", Pos{File: d.file, Line: line}, "invalid YAML: %s", m[2])
		return
	}
	d.errorf("", Pos{File: d.file}, "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
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
