package profiles

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// The text form of a setting sits beside settings.go, which derives the
// settings, so that what a setting says and how it reads for people change
// together; a tool documenting policies prints the same text as
// mdmforge explain.

// WriteText writes s for people: its facts aligned in columns, the
// docs/policy.md section describing it, then its description wrapped to
// 76 columns.
func (s PolicySetting) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	field := func(label, value string) {
		if value != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", label, value)
		}
	}
	field("SETTING", s.Path)
	field("TYPE", s.Type)
	field("PRESENCE", map[bool]string{true: "required", false: "optional"}[s.Required])
	field("ALLOWED", strings.Join(s.Allowed, ", "))
	field("PATTERN", s.Pattern)
	field("DEFAULT", s.Default)
	field("COMPILES TO", s.CompilesTo)
	field("SETTINGS", strings.Join(s.Settings, ", "))
	field("REFERENCE", "docs/policy.md, "+policySection(s.Path))
	if err := tw.Flush(); err != nil {
		return err
	}
	if s.Description != "" {
		if _, err := fmt.Fprintf(w, "\n%s\n", wrapText(s.Description, 76)); err != nil {
			return err
		}
	}
	return nil
}

// WritePolicySettings writes a table of every policy setting with its type
// and what it compiles to, in the order of PolicySettings.
func WritePolicySettings(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SETTING\tTYPE\tCOMPILES TO")
	for _, s := range PolicySettings() {
		to := s.CompilesTo
		if to == "" {
			to = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Path, s.Type, to)
	}
	return tw.Flush()
}

// policySection names the docs/policy.md section of a setting.
func policySection(path string) string {
	top, _, _ := strings.Cut(path, ".")
	top = strings.TrimSuffix(top, "[]")
	if top == "version" || top == "target" {
		return "the top of the file"
	}
	return "section " + top
}

// wrapText breaks text into lines of at most width characters, at spaces.
func wrapText(text string, width int) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(text) {
		switch {
		case i == 0:
		case n+1+len(word) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}
