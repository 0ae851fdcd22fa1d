package profiles

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// syntaxProblem is a YAML mistake found in the source text: where it is,
// the YAML path of the setting it is in when that is clear, and what is
// wrong in an author's words.
type syntaxProblem struct {
	line, col int
	path      string
	msg       string
}

// The parser reports where it gave up, which is often a line or two from
// the mistake ("did not find expected key" at the key above a bad indent)
// and never with a column. findSyntaxProblem reads the block structure of
// the source itself, line by line, and returns the first line that breaks
// it: a tab in the indentation, a line indented deeper than the setting
// above allows or to no enclosing level, a list item among settings, a
// missing space after a colon, a second ": " in a plain value, and an
// unclosed quote or flow collection. It does not parse YAML in full, so it
// is used only once the parser has failed, and the parser's own words stay
// the fallback when it finds nothing.
func findSyntaxProblem(data []byte) (syntaxProblem, bool) {
	type level struct {
		indent int
		seq    bool // a list's items, rather than a mapping's keys
		path   string
		items  int
	}
	type prevLine struct {
		line, indent int
		key          string
		opens        bool   // nothing after the colon or dash: a block follows
		child        string // the path of what the block under it would be
		text         string // the line's content, when it is neither a setting nor an item
		end          int    // the column after that content
	}
	stack := []level{{indent: 0}}
	var prev *prevLine
	scalarAbove := -1 // inside a block scalar (| or >): lines indented more than this
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		n := i + 1
		raw := strings.TrimSuffix(lines[i], "\r")
		ind := len(raw) - len(strings.TrimLeft(raw, " "))
		if j := strings.IndexFunc(raw, func(r rune) bool { return r != ' ' && r != '\t' }); j > 0 && raw[j] != '#' && strings.Contains(raw[:j], "\t") {
			return syntaxProblem{n, strings.IndexByte(raw, '\t') + 1, "", "tab character in indentation; YAML indents with spaces"}, true
		}
		text := strings.TrimSpace(raw)
		if scalarAbove >= 0 {
			if text == "" || ind > scalarAbove {
				continue
			}
			scalarAbove = -1
		}
		if text == "" || text[0] == '#' || text == "---" || text == "..." || text[0] == '%' {
			continue
		}
		if prev == nil {
			stack[0].indent = ind // a document may be indented as a whole
		}
		col := func(off int) int { return utf8.RuneCountInString(raw[:off]) + 1 }
		// The list dashes that start the line, then the setting after them.
		content, k, dashes := raw[ind:], ind, 0
		var dashAt []int
		for content == "-" || strings.HasPrefix(content, "- ") {
			dashAt = append(dashAt, k)
			rest := strings.TrimLeft(content[1:], " ")
			k += len(content) - len(rest)
			content = rest
			dashes++
		}
		content = stripComment(content)
		key, value, hasKey := splitKey(content)

		// Where the line sits in the block structure.
		popped := -1
		for len(stack) > 1 && stack[len(stack)-1].indent > ind {
			popped = stack[len(stack)-1].indent
			stack = stack[:len(stack)-1]
		}
		top := &stack[len(stack)-1]
		switch {
		case ind > top.indent && popped >= 0:
			return syntaxProblem{n, ind + 1, "", fmt.Sprintf("this line is indented %s, which lines it up with nothing above: indent it %s to stay in the block above, or %s to end it", spaces(ind), spaces(popped), spaces(top.indent))}, true
		case ind > top.indent:
			if prev == nil || !prev.opens {
				if !hasKey && dashes == 0 {
					continue // the next line of a plain text value
				}
				p := syntaxProblem{line: n, col: ind + 1}
				if prev != nil && prev.text != "" && !strings.ContainsAny(prev.text, " :") {
					// "exchange" and a block under it: the colon was left out.
					return syntaxProblem{prev.line, prev.end, join(parentOf(prev.child), prev.text), fmt.Sprintf("no colon after %s: write %s: to put the lines below under it", prev.text, prev.text)}, true
				}
				if prev != nil {
					p.path = join(parentOf(prev.child), key)
					p.msg = fmt.Sprintf("this line is indented more than the setting above expects: %s on line %d already has a value, so nothing can go under it; indent this line as that one (%s)", prev.key, prev.line, spaces(prev.indent))
				} else {
					p.msg = "the first setting is indented; start it at the beginning of the line"
				}
				return p, true
			}
			stack = append(stack, level{indent: ind, seq: dashes > 0, path: prev.child})
		case dashes > 0 && !top.seq:
			if prev != nil && prev.opens && prev.indent == ind {
				// A list may start at its key's own indentation.
				stack = append(stack, level{indent: ind, seq: true, path: prev.child})
				break
			}
			p := syntaxProblem{line: n, col: ind + 1, path: top.path, msg: "a list item among settings: a list belongs under a setting with nothing after its colon (such as sync:), indented below it"}
			if prev != nil && prev.indent == ind && prev.key != "" {
				p.msg = fmt.Sprintf("a list item among settings: %s on line %d already has a value, and a list belongs under a setting with nothing after its colon, indented below it", prev.key, prev.line)
			}
			return p, true
		case dashes == 0 && top.seq:
			if len(stack) > 1 && stack[len(stack)-2].indent == ind {
				stack = stack[:len(stack)-1] // the list at its key's indentation ends
				break
			}
			return syntaxProblem{n, ind + 1, top.path, "a setting among list items: start it with \"- \" to make it an item, or indent it as the setting that holds the list"}, true
		}
		top = &stack[len(stack)-1]

		// The path of this line's setting, and of the block it may open.
		base := top.path
		if dashes > 0 {
			base = fmt.Sprintf("%s[%d]", top.path, top.items)
			top.items++
			for d := 1; d < dashes; d++ {
				// "- - x": the inner list's next items line up with its dash.
				stack = append(stack, level{indent: dashAt[d], seq: true, path: base, items: 1})
				base += "[0]"
			}
			if hasKey {
				stack = append(stack, level{indent: k, path: base})
			}
		}
		keyPath := base
		if hasKey {
			keyPath = join(base, key)
		}
		valueAt := len(raw) - len(strings.TrimLeft(raw[k:], " ")) // start of content
		if hasKey {
			valueAt = k + strings.Index(raw[k:], value)
		}

		if !hasKey {
			if m := noSpace.FindStringSubmatchIndex(content); m != nil {
				name, rest := content[m[2]:m[3]], content[m[4]:m[5]]
				return syntaxProblem{n, col(k + m[3] + 1), join(base, name), fmt.Sprintf("no space after the colon: YAML reads %q as text, not a setting; write %s: %s", content, name, rest)}, true
			}
		}
		// Text among settings, not below one: a setting without its colon
		// (account_name Work Contacts). Text alone under a key is its value.
		if name, rest, spaced := strings.Cut(content, " "); !hasKey && dashes == 0 && spaced && !strings.Contains(name, ":") &&
			!top.seq && ind == top.indent && content[0] != '"' && content[0] != '\'' &&
			(prev != nil && prev.indent == ind && !prev.opens || nextIsKey(lines[i+1:], ind)) {
			return syntaxProblem{n, col(ind + len(name)), join(top.path, name), fmt.Sprintf("no colon after %s: write %s: %s", name, name, strings.TrimSpace(rest))}, true
		}

		switch {
		case value == "":
		case value[0] == '"' || value[0] == '\'':
			if end := closingQuote(value); end < 0 {
				// A quoted value may go on over lines indented below it.
				j := i + 1
				for ; j < len(lines) && indentOf(lines[j]) > ind; j++ {
					if closingQuote(string(value[0])+strings.TrimSpace(lines[j])) >= 0 || strings.Contains(lines[j], string(value[0])) {
						break
					}
				}
				if j >= len(lines) || indentOf(lines[j]) <= ind {
					return syntaxProblem{n, col(valueAt), keyPath, fmt.Sprintf("this quote is not closed: end the value with %c", value[0])}, true
				}
				i = j
			}
		case value[0] == '{' || value[0] == '[':
			if off, ok := missingComma(value); ok {
				return syntaxProblem{n, col(valueAt + off), keyPath, fmt.Sprintf("a comma is missing before %s: separate the settings of a { } mapping with commas", strings.TrimSpace(value[off:off+strings.Index(value[off:], ":")]))}, true
			}
			depth := bracketDepth(value)
			j := i + 1
			for ; depth > 0 && j < len(lines); j++ {
				t := strings.TrimSpace(stripComment(strings.TrimSpace(lines[j])))
				if t == "" {
					continue
				}
				if indentOf(lines[j]) <= ind && !strings.HasPrefix(t, "}") && !strings.HasPrefix(t, "]") {
					break
				}
				depth += bracketDepth(t)
			}
			if depth > 0 {
				closer := map[byte]byte{'{': '}', '[': ']'}[value[0]]
				return syntaxProblem{n, col(valueAt), keyPath, fmt.Sprintf("this %c is not closed by %c before the next setting; close it, or write the values as indented lines", value[0], closer)}, true
			}
			i = j - 1
		case value[0] == '|' || value[0] == '>':
			scalarAbove = k
			if dashes > 0 && !hasKey {
				scalarAbove = ind
			}
		case value[0] != '&' && value[0] != '*' && value[0] != '!':
			if j := strings.Index(value, ": "); j >= 0 || strings.HasSuffix(value, ":") {
				if j < 0 {
					j = len(value) - 1
				}
				return syntaxProblem{n, col(valueAt + j), keyPath, fmt.Sprintf("a second colon in the value of %s: quote the value if the colon is part of it (%s: \"%s\"), or put the setting on a line of its own", key, key, value)}, true
			}
		}
		opens := (hasKey && (value == "" || value[0] == '&' && !strings.Contains(value, " "))) || (!hasKey && content == "")
		prev = &prevLine{line: n, indent: ind, key: key, opens: opens, child: keyPath}
		if !hasKey && dashes == 0 {
			prev.text, prev.end = content, col(ind+len(content))
		}
		if dashes > 0 {
			prev.indent = k
			if !hasKey {
				prev.indent = ind
			}
		}
		if prev.key == "" {
			prev.key = "the list item"
		}
	}
	return syntaxProblem{}, false
}

var (
	// keyLine is a setting: a plain or quoted name, a colon, then a space
	// or the end of the line.
	keyLine = regexp.MustCompile(`^("[^"]*"|'[^']*'|[^\s"'{}\[\],#&*!|>%@` + "`" + `][^#]*?)\s*:(?:\s+(.*))?$`)
	// noSpace is a name and a colon with the value stuck to it (host:a);
	// a colon before // is a URL, and a second colon a time or an address.
	noSpace = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_.-]*):([^\s/:].*)$`)
)

// splitKey splits "key: value" into its parts; ok is false when the line
// is not a setting (a list's plain value, text going on from above).
func splitKey(s string) (key, value string, ok bool) {
	m := keyLine.FindStringSubmatch(s)
	if m == nil {
		return "", "", false
	}
	key = m[1]
	if len(key) > 1 && (key[0] == '"' || key[0] == '\'') {
		key = key[1 : len(key)-1]
	}
	return key, strings.TrimSpace(m[2]), true
}

// stripComment drops a # comment that is outside quotes.
func stripComment(s string) string {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			if i == 0 || s[i-1] == ' ' || s[i-1] == '[' || s[i-1] == '{' || s[i-1] == ',' || s[i-1] == ':' {
				quote = c
			}
		case c == '#' && (i == 0 || s[i-1] == ' '):
			return strings.TrimRight(s[:i], " ")
		}
	}
	return s
}

// closingQuote returns the offset of the quote that closes the quoted value
// s starts with, or -1. Within single quotes a doubled quote stands for
// one, and within double quotes a backslash escapes the next character.
func closingQuote(s string) int {
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch {
		case q == '"' && s[i] == '\\':
			i++
		case s[i] == q && q == '\'' && i+1 < len(s) && s[i+1] == '\'':
			i++
		case s[i] == q:
			return i
		}
	}
	return -1
}

// bracketDepth counts the flow brackets s opens and not closes, outside
// quotes.
func bracketDepth(s string) int {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
	}
	return depth
}

func indentOf(line string) int {
	if strings.TrimSpace(line) == "" {
		return 1 << 30 // blank lines end nothing
	}
	return len(line) - len(strings.TrimLeft(line, " "))
}

// parentOf drops the last element of a YAML path.
func parentOf(path string) string {
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return ""
}

// missingComma finds, in a one-line flow mapping, a setting that follows a
// value with no comma between them ({name: p identifier: x}), and returns
// the offset of its name.
func missingComma(s string) (int, bool) {
	depth, colons, start := 0, 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '{' || c == '[':
			depth++
			colons, start = 0, i+1
		case c == '}' || c == ']':
			depth--
			colons = 0
		case c == ',':
			colons, start = 0, i+1
		case c == ':' && depth >= 1 && s[0] == '{' && (i+1 == len(s) || s[i+1] == ' '):
			colons++
			if colons == 2 {
				// The name starts after the last space before this colon.
				j := strings.LastIndexByte(strings.TrimRight(s[start:i], " "), ' ')
				return start + j + 1, true
			}
		}
	}
	return 0, false
}

// nextIsKey reports whether the next line with content is a setting
// indented ind spaces.
func nextIsKey(lines []string, ind int) bool {
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || t[0] == '#' {
			continue
		}
		_, _, ok := splitKey(stripComment(t))
		return ok && indentOf(l) == ind
	}
	return false
}

// spaces counts indentation in words: "1 space", "4 spaces".
func spaces(n int) string {
	if n == 1 {
		return "1 space"
	}
	return fmt.Sprintf("%d spaces", n)
}
