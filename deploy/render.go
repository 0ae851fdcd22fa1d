package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/mdmforge/mdmforge/internal/annotation"
	"github.com/mdmforge/mdmforge/internal/termsafe"
)

// The formats Render writes.
const (
	// FormatText is for a terminal: a line per step, its changes
	// indented below it, "!" before each consequence.
	FormatText = "text"
	// FormatMarkdown is for a pull-request comment: a table of the steps,
	// then each step's changes.
	FormatMarkdown = "markdown"
	// FormatJSON is the plan itself, as Write writes it.
	FormatJSON = "json"
	// FormatGitHub is GitHub Actions workflow commands: a notice per step
	// that writes, on its policy file, a warning per consequence, and a
	// summary notice.
	FormatGitHub = "github"
)

// Render writes the plan in a format (text, markdown, json or github) to
// w, at once, as one Write. Everything it shows is in the plan, so a plan
// read back with ReadPlan renders the same.
func (p *Plan) Render(w io.Writer, format string) error {
	var out bytes.Buffer
	switch format {
	case FormatText:
		p.writeText(&out)
	case FormatMarkdown:
		p.writeMarkdown(&out)
	case FormatGitHub:
		p.writeGitHub(&out)
	case FormatJSON:
		if err := p.Write(&out); err != nil {
			return err
		}
	default:
		return fmt.Errorf("no format %q: choose text, markdown, json or github", format)
	}
	_, err := w.Write(out.Bytes())
	return err
}

var actionMarks = map[Action]string{Create: "+", Update: "~", Assign: "~", Delete: "-", NoChange: "="}

var changeMarks = map[ChangeKind]string{Added: "+", Removed: "-", Changed: "~"}

// Summary is the one line every format ends with: "intune: 2 to create, 1
// to update, 3 unchanged", or "intune: no changes (3 objects)".
func (p *Plan) Summary() string {
	n := p.Counts()
	if !p.Changed() {
		return fmt.Sprintf("%s: no changes (%s)", p.Target, plural(n[NoChange], "object", "objects"))
	}
	var parts []string
	for _, a := range []struct {
		act  Action
		word string
	}{{Create, "to create"}, {Update, "to update"}, {Assign, "to assign"}, {Delete, "to delete"}, {NoChange, "unchanged"}} {
		if n[a.act] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[a.act], a.word))
		}
	}
	return p.Target + ": " + strings.Join(parts, ", ")
}

func strconvQuote(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func (s Step) heading() string {
	h := string(s.Action) + " " + s.Kind + " " + quote(s.Name)
	if s.Adopted {
		h += " (adopted: mdmforge marks it as its own)"
	}
	if s.ID != "" {
		h += " id " + s.ID
	}
	if s.Policy != "" {
		h += " from " + s.Policy
	}
	return h
}

func (p *Plan) writeText(w io.Writer) {
	for _, s := range p.Steps {
		fmt.Fprintf(w, "%s %s\n", actionMarks[s.Action], termsafe.String(s.heading()))
		for _, c := range s.Changes {
			fmt.Fprintf(w, "    %s %s\n", changeMarks[c.Kind], termsafe.String(c.line()))
		}
		if lines := profileLines(s.Profile); len(lines) > 0 {
			fmt.Fprintln(w, "    payload (the configuration profile):")
			for _, l := range lines {
				fmt.Fprintf(w, "      %s\n", termsafe.String(l))
			}
		}
		if a := s.Assignments; a != nil {
			fmt.Fprintln(w, "    assignments:")
			for _, l := range a.lines() {
				fmt.Fprintf(w, "      %s\n", termsafe.String(l))
			}
		}
		for _, q := range s.Consequences {
			fmt.Fprintf(w, "    ! %s\n", termsafe.String(q))
		}
	}
	for _, n := range p.Notes {
		fmt.Fprintf(w, "note: %s\n", termsafe.String(n))
	}
	if len(p.Steps) > 0 || len(p.Notes) > 0 {
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, p.Summary())
}

// lines shows the assignments that change, and those that stay.
func (a *AssignmentChange) lines() []string {
	var out []string
	for _, x := range a.Removed() {
		out = append(out, "- "+x.String())
	}
	for _, x := range a.Added() {
		out = append(out, "+ "+x.String())
	}
	for _, x := range a.After {
		if len(minus([]Assignment{x}, a.Before)) == 0 {
			out = append(out, "= "+x.String())
		}
	}
	if len(a.After) == 0 && len(a.Before) == 0 {
		out = append(out, "(none)")
	}
	return out
}

// line is a change without its mark: PATH: BEFORE → AFTER.
func (c Change) line() string {
	switch {
	case c.Secret:
		return c.Path + ": <secret, " + string(c.Kind) + ">"
	case c.Kind == Added:
		return c.Path + ": " + showJSON(c.After)
	case c.Kind == Removed:
		return c.Path + ": " + showJSON(c.Before)
	}
	return c.Path + ": " + showJSON(c.Before) + " → " + showJSON(c.After)
}

// showJSON shows a value on one line, long ones by their size.
func showJSON(raw json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	s := buf.String()
	if utf8.RuneCountInString(s) <= 100 || strings.HasPrefix(s, `"`) && utf8.RuneCountInString(s) <= 300 {
		return s
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	switch x := v.(type) {
	case map[string]any:
		return fmt.Sprintf("<object of %s>", plural(len(x), "key", "keys"))
	case []any:
		return fmt.Sprintf("<array of %s>", plural(len(x), "item", "items"))
	case string:
		if r := []rune(x); len(r) > 300 {
			return strconvQuote(string(r[:200])) + fmt.Sprintf("… (%d characters)", len(r))
		}
	}
	return s
}

// profileDoc is the part of profiles/diff's JSON report a plan shows.
type profileDoc struct {
	Files []struct {
		Status  string `json:"status"`
		Changes []struct {
			Kind        string          `json:"kind"`
			Scope       string          `json:"scope"`
			Payload     string          `json:"payload"`
			PayloadType string          `json:"payload_type"`
			Path        string          `json:"path"`
			Before      json.RawMessage `json:"before"`
			After       json.RawMessage `json:"after"`
			Redacted    bool            `json:"redacted"`
		} `json:"changes"`
	} `json:"files"`
}

// profileChange is one change of an embedded profile: where it is (the
// profile's top level, or a payload by type and identifier) and what.
type profileChange struct {
	where  string
	change Change
	whole  bool // a payload added or removed whole
}

// profileChanges reads the changes of an embedded profile from
// profiles/diff's JSON report.
func profileChanges(raw json.RawMessage) ([]profileChange, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var doc profileDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	var out []profileChange
	for _, f := range doc.Files {
		for _, c := range f.Changes {
			where := c.Scope
			if c.Scope == "payload" {
				where = c.PayloadType + " (" + c.Payload + ")"
			}
			ch := Change{Kind: ChangeKind(c.Kind), Path: c.Path, Before: c.Before, After: c.After}
			if c.Redacted && len(c.Before) == 0 && len(c.After) == 0 {
				ch.Secret = true
			}
			out = append(out, profileChange{where: where, change: ch, whole: c.Path == ""})
		}
	}
	return out, nil
}

// profileLines are the changes of an embedded profile, one a line:
// "~ com.apple.eas.account (com.example.p.exchange) Host: "a" → "b"".
func profileLines(raw json.RawMessage) []string {
	changes, err := profileChanges(raw)
	if err != nil {
		return []string{"(the profile's difference cannot be shown: " + err.Error() + ")"}
	}
	var out []string
	for _, pc := range changes {
		mark := changeMarks[pc.change.Kind]
		if pc.whole {
			out = append(out, mark+" "+pc.where+": the whole payload")
			continue
		}
		out = append(out, mark+" "+pc.where+" "+pc.change.line())
	}
	return out
}

func mdCode(s string) string {
	s = strings.ReplaceAll(termsafe.String(s), "|", `\|`)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

func (p *Plan) writeMarkdown(w io.Writer) {
	fmt.Fprintf(w, "### mdmforge plan: %s\n\n", p.Target)
	fmt.Fprintf(w, "%s.\n", p.Summary())
	// The steps that write come first; the unchanged ones, most of a
	// large tenant's, fold away so that the comment shows the change.
	var changing, unchanged []Step
	for _, s := range p.Steps {
		if s.Action == NoChange {
			unchanged = append(unchanged, s)
		} else {
			changing = append(changing, s)
		}
	}
	if len(changing) > 0 {
		mdStepTable(w, changing)
	}
	if len(unchanged) > 0 {
		fmt.Fprintf(w, "\n<details><summary>%s</summary>\n", plural(len(unchanged), "object unchanged", "objects unchanged"))
		mdStepTable(w, unchanged)
		fmt.Fprint(w, "\n</details>\n")
	}
	for _, s := range p.Steps {
		if s.Action == NoChange {
			continue
		}
		// A step with nothing more to say than its table row (a create
		// without assignments) gets no heading of its own.
		var d bytes.Buffer
		mdStepDetails(&d, s)
		if d.Len() > 0 {
			fmt.Fprintf(w, "\n#### %s %s %s %s\n", actionMarks[s.Action], s.Action, s.Kind, mdCode(s.Name))
			w.Write(d.Bytes())
		}
	}
	if len(p.Notes) > 0 {
		fmt.Fprint(w, "\nNotes:\n\n")
		for _, n := range p.Notes {
			fmt.Fprintf(w, "- %s\n", termsafe.String(n))
		}
	}
}

// mdStepDetails writes what a step's table row cannot show: its id,
// consequences, property changes and assignments.
func mdStepDetails(w io.Writer, s Step) {
	if s.ID != "" {
		fmt.Fprintf(w, "\nid %s", mdCode(s.ID))
		if s.Adopted {
			fmt.Fprint(w, ", adopted: the update marks it as mdmforge's")
		}
		fmt.Fprintln(w)
	}
	if len(s.Consequences) > 0 {
		fmt.Fprint(w, "\n> [!WARNING]\n")
		for _, q := range s.Consequences {
			fmt.Fprintf(w, "> - %s\n", termsafe.String(q))
		}
	}
	pcs, perr := profileChanges(s.Profile)
	if len(s.Changes) > 0 || len(pcs) > 0 {
		fmt.Fprint(w, "\n| | property | before | after |\n|---|---|---|---|\n")
		for _, c := range s.Changes {
			fmt.Fprintln(w, mdRow(mdCode(c.Path), c))
		}
		for _, pc := range pcs {
			what := "payload: " + mdCode(pc.where)
			if !pc.whole {
				what += " " + mdCode(pc.change.Path)
			}
			fmt.Fprintln(w, mdRow(what, pc.change))
		}
	}
	if perr != nil {
		fmt.Fprintf(w, "\n(the profile's difference cannot be shown: %s)\n", termsafe.String(perr.Error()))
	}
	if a := s.Assignments; a != nil {
		fmt.Fprint(w, "\nAssignments:\n\n")
		for _, l := range a.lines() {
			fmt.Fprintf(w, "- %s\n", mdCode(l))
		}
	}
}

// mdStepTable writes a markdown table of steps, one a row.
func mdStepTable(w io.Writer, steps []Step) {
	fmt.Fprint(w, "\n| | action | kind | name | policy |\n|---|---|---|---|---|\n")
	for _, s := range steps {
		act := string(s.Action)
		if s.Adopted {
			act += " (adopt)"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", actionMarks[s.Action], act, s.Kind, mdCode(s.Name), mdOrEmpty(s.Policy))
	}
}

// mdRow is a markdown table row of a change: mark, what, before, after.
func mdRow(what string, c Change) string {
	before, after := showJSON(c.Before), showJSON(c.After)
	switch {
	case c.Secret:
		before, after = "<secret>", "<secret>"
	case len(c.Before) == 0 && len(c.After) == 0:
		before, after = "", ""
	}
	if c.Kind == Added {
		before = ""
	}
	if c.Kind == Removed {
		after = ""
	}
	return fmt.Sprintf("| %s | %s | %s | %s |", changeMarks[c.Kind], what, mdOrEmpty(before), mdOrEmpty(after))
}

func mdOrEmpty(s string) string {
	if s == "" {
		return ""
	}
	return mdCode(s)
}

func (p *Plan) writeGitHub(w io.Writer) {
	const title = "mdmforge plan"
	for _, s := range p.Steps {
		if s.Action == NoChange {
			continue
		}
		fmt.Fprintln(w, annotation.GitHub("notice", s.Policy, 0, 0, title, s.heading()))
		for _, q := range s.Consequences {
			fmt.Fprintln(w, annotation.GitHub("warning", s.Policy, 0, 0, title, s.Kind+" "+quote(s.Name)+": "+q))
		}
	}
	for _, n := range p.Notes {
		fmt.Fprintln(w, annotation.GitHub("notice", "", 0, 0, title, n))
	}
	fmt.Fprintln(w, annotation.GitHub("notice", "", 0, 0, title, p.Summary()))
}
