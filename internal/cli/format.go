package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/mdmforge/mdmforge/internal/annotation"

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
			level := d.Severity.String()
			if d.Severity == profiles.Note {
				level = "notice" // GitHub's word for it
			}
			fmt.Fprintln(streams.Out, annotation.GitHub(level, d.Pos.File, d.Pos.Line, d.Pos.Column, "mdmforge", msg))
		}
	case formatJSON:
		// The caller writes the JSON document, which holds the findings.
	default:
		for _, d := range ds {
			fmt.Fprintln(streams.Err, d.String())
		}
	}
}
