package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/mdmforge/mdmforge/internal/termsafe"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/spf13/pflag"
)

// Output formats for findings: text for people, github for GitHub Actions
// annotations, json for other programs.
const (
	formatText   = "text"
	formatGitHub = "github"
	formatJSON   = "json"
)

// findingsFormat is --format on commands that report findings.
type findingsFormat struct{ value string }

func (f *findingsFormat) register(fs *pflag.FlagSet, extra ...string) {
	names := append([]string{formatText, formatGitHub, formatJSON}, extra...)
	fs.StringVar(&f.value, "format", formatText, "`FORMAT` of findings: "+strings.Join(names, ", "))
	completeValues(fs, "format", names...)
}

func (f *findingsFormat) check(extra ...string) error {
	for _, n := range append([]string{formatText, formatGitHub, formatJSON}, extra...) {
		if f.value == n {
			return nil
		}
	}
	return fmt.Errorf("--format must be text, github or json, not %q", f.value)
}

// githubAnnotation is a GitHub Actions workflow command that shows msg on
// the file and line in a pull request, escaped as the runner requires.
func githubAnnotation(level, file string, line, col int, title, msg string) string {
	// Runner logs render terminal escapes, and pull requests bidi text.
	file, msg = termsafe.String(file), termsafe.Multiline(msg)
	prop := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	data := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	var b strings.Builder
	b.WriteString("::" + level + " ")
	var props []string
	if file != "" {
		props = append(props, "file="+prop.Replace(file))
	}
	if line > 0 {
		props = append(props, fmt.Sprintf("line=%d", line))
	}
	if col > 0 {
		props = append(props, fmt.Sprintf("col=%d", col))
	}
	if title != "" {
		props = append(props, "title="+prop.Replace(title))
	}
	b.WriteString(strings.Join(props, ","))
	b.WriteString("::")
	b.WriteString(data.Replace(msg))
	return b.String()
}

// jsonFinding is one finding for programs.
type jsonFinding struct {
	Severity string `json:"severity"`
	Path     string `json:"path,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Message  string `json:"message"`
}

func jsonFindings(ds profiles.Diagnostics) []jsonFinding {
	out := make([]jsonFinding, 0, len(ds))
	for _, d := range ds {
		out = append(out, jsonFinding{Severity: d.Severity.String(), Path: d.Path, File: d.Pos.File, Line: d.Pos.Line, Column: d.Pos.Column, Message: d.Message})
	}
	return out
}

// writeJSON writes v indented, with a trailing newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// report prints findings in the chosen format. Text goes to stderr, where
// people look; annotations and JSON go to stdout, where CI reads them.
func report(streams *IO, format string, ds profiles.Diagnostics) {
	switch format {
	case formatGitHub:
		for _, d := range ds {
			msg := d.Message
			if d.Path != "" {
				msg = d.Path + ": " + msg
			}
			fmt.Fprintln(streams.Out, githubAnnotation(d.Severity.String(), d.Pos.File, d.Pos.Line, d.Pos.Column, "mdmforge", msg))
		}
	case formatJSON:
		// The caller writes the JSON document, which holds the findings.
	default:
		for _, d := range ds {
			fmt.Fprintln(streams.Err, d.String())
		}
	}
}
