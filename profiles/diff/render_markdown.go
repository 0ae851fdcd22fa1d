package diff

import (
	"fmt"
	"io"
	"strings"
)

// mdCode is text as inline code in a Markdown table cell.
func mdCode(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if fence != "`" || strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

func (g *group) mdTitle() string {
	var t string
	switch g.scope {
	case ScopeFile:
		return ""
	case ScopePayload:
		t = mdCode(g.payloadType) + " (" + mdCode(g.payload) + ")"
	default:
		t = string(g.scope)
	}
	if g.within != "" {
		t = mdCode(g.within) + ": " + t
	}
	return t
}

func (r *Report) writeMarkdown(w io.Writer) {
	fmt.Fprintf(w, "### mdmforge diff: %s → %s\n\n", mdCode(r.Before), mdCode(r.After))
	fmt.Fprintf(w, "%s.\n", strings.Replace(r.Summary(), "--uuids", "`--uuids`", 1))
	carrying := false
	for _, f := range r.Files {
		if f.Carries != "" {
			// One list after the profile's table.
			if !carrying {
				fmt.Fprintln(w)
			}
			carrying = true
			fmt.Fprintf(w, "- %s: repeats the %s change above\n", mdCode(f.Path), mdCode(f.Carries))
			continue
		}
		carrying = false
		fmt.Fprintf(w, "\n#### %s %s (%s)\n", markers[f.Status], mdCode(f.Path), f.Status)
		groups := f.groups()
		var callouts, rows []string
		for _, g := range groups {
			where := g.mdTitle()
			for _, q := range g.consequences {
				if where != "" && !namesPayload(q) {
					callouts = append(callouts, fmt.Sprintf("> - **%s**: %s", where, q.Message))
				} else {
					callouts = append(callouts, "> - "+q.Message)
				}
			}
			if g.scope == ScopePayload && g.marker != "~" {
				rows = append(rows, fmt.Sprintf("| %s | %s | *payload* | | |", g.marker, where))
			}
			for _, c := range g.changes {
				key, before, after := c.Path, "", ""
				if key == "" {
					key = "contents"
				}
				if c.Kind != Added {
					before = mdCode(showValue(c.Before, c.BeforeType))
				}
				if c.Kind != Removed {
					after = mdCode(showValue(c.After, c.AfterType))
				}
				if c.Secret && c.Kind == Changed {
					after = mdCode(secretChanged)
				}
				if note := typeNote(c); note != "" {
					after += " *" + strings.TrimSpace(note) + "*"
				}
				rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s |", markerOf(c), where, mdCode(key), before, after))
			}
		}
		if len(callouts) > 0 {
			fmt.Fprintf(w, "\n> [!WARNING]\n%s\n", strings.Join(callouts, "\n"))
		}
		if len(rows) > 0 {
			fmt.Fprintf(w, "\n| | where | key | before | after |\n|---|---|---|---|---|\n%s\n", strings.Join(rows, "\n"))
		}
	}
}

// namesPayload reports whether a consequence's message already names its
// payload, which then needs no label.
func namesPayload(q Consequence) bool {
	return q.Payload != "" && strings.Contains(q.Message, "("+q.Payload+")")
}
