package diff

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
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

// rank orders the groups of a file as a reviewer reads them: the signature
// first, then the file's own values, the profile's top level, and its
// payloads by identifier.
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
