package profiles

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

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
