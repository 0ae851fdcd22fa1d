package diff

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mdmforge/mdmforge/profiles"
)

// Format is a way to render a Report.
type Format string

const (
	// FormatText is for a terminal: by file and payload, + added, - removed,
	// ~ changed, and "!" before each consequence.
	FormatText Format = "text"
	// FormatMarkdown is for a pull-request comment: a table per file and
	// the consequences as a warning callout.
	FormatMarkdown Format = "markdown"
	// FormatJSON is for programs: one document with every change and
	// consequence, secrets marked "redacted" instead of given.
	FormatJSON Format = "json"
	// FormatGitHub is GitHub Actions workflow commands: a warning
	// annotation per consequence, on the file it comes from, and a summary
	// notice.
	FormatGitHub Format = "github"
)

// Render writes the report in format f to w. Nothing is written when f is
// not a Format; the output is otherwise written at once, as one Write, and
// its error returned.
func (r *Report) Render(w io.Writer, f Format) error {
	var out bytes.Buffer
	switch f {
	case FormatText:
		r.writeText(&out)
	case FormatMarkdown:
		r.writeMarkdown(&out)
	case FormatGitHub:
		r.writeGitHub(&out)
	case FormatJSON:
		if err := writeJSON(&out, r.document()); err != nil {
			return err
		}
	default:
		return fmt.Errorf("no format %q: choose text, markdown, json or github", string(f))
	}
	_, err := w.Write(out.Bytes())
	return err
}

func (r *Report) counts() (changes, consequences, hidden int) {
	hidden = r.Hidden
	for _, f := range r.Files {
		changes += len(f.Changes)
		consequences += len(f.Consequences)
		hidden += f.Hidden
	}
	return
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Summary is the one-line verdict every format ends with, such as "2 files
// differ: 3 changes, 1 consequence".
func (r *Report) Summary() string {
	changes, consequences, hidden := r.counts()
	var s string
	if !r.Different() {
		s = fmt.Sprintf("no differences between %s and %s", r.Before, r.After)
	} else {
		verb := "differ"
		if len(r.Files) == 1 {
			verb = "differs"
		}
		s = plural(len(r.Files), "file", "files") + " " + verb
		n := map[string]int{}
		for _, f := range r.Files {
			n[string(f.Status)]++
		}
		if n["added"]+n["removed"] > 0 {
			var parts []string
			for _, st := range []string{"added", "removed", "changed"} {
				if n[st] > 0 {
					parts = append(parts, fmt.Sprintf("%d %s", n[st], st))
				}
			}
			s += " (" + strings.Join(parts, ", ") + ")"
		}
		if n["changed"] > 0 {
			s += fmt.Sprintf(": %s, %s", plural(changes, "change", "changes"), plural(consequences, "consequence", "consequences"))
		}
		if carry := r.carrying(); carry == 1 {
			s += " (1 carries a .mobileconfig change)"
		} else if carry > 1 {
			s += fmt.Sprintf(" (%d carry a .mobileconfig change)", carry)
		}
	}
	if hidden > 0 {
		s += " (" + hiddenNote(hidden) + ")"
	}
	return s
}

// carrying counts the files shown as carrying a profile's change.
func (r *Report) carrying() int {
	n := 0
	for _, f := range r.Files {
		if f.Carries != "" {
			n++
		}
	}
	return n
}

func hiddenNote(n int) string {
	if n == 1 {
		return "1 PayloadUUID change hidden; --uuids shows it"
	}
	return fmt.Sprintf("%d PayloadUUID changes hidden; --uuids shows them", n)
}

// group is the changes and consequences of one part of a file: its
// signature, its own values, a profile's top level or one payload.
type group struct {
	scope                Scope
	within               string
	payload, payloadType string
	marker               string
	changes              []Change
	consequences         []Consequence
}

func (g *group) title() string {
	var t string
	switch g.scope {
	case ScopeFile:
		return ""
	case ScopePayload:
		t = fmt.Sprintf("%s (%s)", g.payloadType, g.payload)
	default:
		t = string(g.scope)
	}
	if g.within != "" {
		t = g.within + ": " + t
	}
	return t
}

func (g *group) rank() int {
	switch g.scope {
	case ScopeSignature:
		return 0
	case ScopeFile:
		return 1
	case ScopeProfile:
		return 2
	}
	return 3
}

func (f *File) groups() []*group {
	byKey := map[[3]string]*group{}
	get := func(scope Scope, within, payload, payloadType string) *group {
		k := [3]string{string(scope), within, payload}
		g := byKey[k]
		if g == nil {
			g = &group{scope: scope, within: within, payload: payload, payloadType: payloadType, marker: "~"}
			byKey[k] = g
		}
		return g
	}
	for _, c := range f.Changes {
		g := get(c.Scope, c.Within, c.Payload, c.PayloadType)
		if c.Scope == ScopePayload && c.Path == "" {
			g.marker = map[ChangeKind]string{Added: "+", Removed: "-"}[c.Kind]
			continue
		}
		g.changes = append(g.changes, c)
	}
	for _, q := range f.Consequences {
		g := get(q.Scope, q.Within, q.Payload, q.PayloadType)
		g.consequences = append(g.consequences, q)
	}
	out := make([]*group, 0, len(byKey))
	for _, g := range byKey {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.within != b.within {
			return a.within < b.within
		}
		if a.rank() != b.rank() {
			return a.rank() < b.rank()
		}
		return a.payload < b.payload
	})
	return out
}

var markers = map[ChangeKind]string{Added: "+", Removed: "-", Changed: "~"}

func markerOf(c Change) string { return markers[c.Kind] }

// changeLine is a change without its marker: KEY: BEFORE → AFTER.
func changeLine(c Change) string {
	key := c.Path
	if key == "" {
		key = "contents"
		if c.BeforeType != "bytes" {
			key = "(whole file)"
		}
	}
	switch {
	case c.Secret && c.Kind == Changed:
		return key + ": " + secretChanged + typeNote(c)
	case c.Kind == Added:
		return key + ": " + showValue(c.After, c.AfterType)
	case c.Kind == Removed:
		return key + ": " + showValue(c.Before, c.BeforeType)
	}
	return key + ": " + showValue(c.Before, c.BeforeType) + " → " + showValue(c.After, c.AfterType) + typeNote(c)
}

// secretChanged stands for both values of a changed secret: that it
// changed is for review, the values are not.
const secretChanged = "<secret, changed>"

func typeNote(c Change) string {
	if c.Kind == Changed && c.BeforeType != c.AfterType {
		return fmt.Sprintf(" (type changed from %s to %s)", c.BeforeType, c.AfterType)
	}
	return ""
}

// showValue shows a value on one line: strings quoted, reals with a decimal
// point, data as its size and digest, dates in RFC 3339, and short
// dictionaries and arrays inline.
func showValue(v any, typ string) string {
	if typ == "bytes" {
		return fmt.Sprint(v)
	}
	if s := inline(v); utf8.RuneCountInString(s) <= 80 {
		return s
	}
	switch x := v.(type) {
	case map[string]any:
		return fmt.Sprintf("<dictionary of %s>", plural(len(x), "key", "keys"))
	case []any:
		return fmt.Sprintf("<array of %s>", plural(len(x), "item", "items"))
	}
	return inline(v)
}

func inline(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case json.Number:
		return x.String()
	case float64:
		return realString(x)
	case float32:
		return realString(float64(x))
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case []byte:
		return fmt.Sprintf("<data: %d bytes, sha256 %x>", len(x), sha256.Sum256(x))
	case *Signer:
		return x.String()
	case profiles.Redacted:
		return x.String()
	case nil:
		return "null"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconv.Quote(k) + ": " + inline(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = inline(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

func realString(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eIN") {
		s += ".0"
	}
	return s
}
