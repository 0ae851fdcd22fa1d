package profiles

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/internal/termsafe"
)

// Pos is a position in a policy file. Line and Column are 1-based; zero
// means unknown, so a Pos may name just a file.
type Pos struct {
	File   string
	Line   int
	Column int
}

func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Column == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Severity tells whether a Diagnostic stops a build.
type Severity int

const (
	// Error findings stop validate and build.
	Error Severity = iota
	// Warning findings are reported but do not stop anything.
	Warning
	// Note findings tell what a check assumed or could not check (the
	// platform lint inferred, a preference domain no schema describes);
	// nothing is wrong.
	Note
)

func (s Severity) String() string {
	switch s {
	case Warning:
		return "warning"
	case Note:
		return "note"
	}
	return "error"
}

// Diagnostic is one finding about a policy: where it is, in the file and in
// the YAML document, and what is wrong.
type Diagnostic struct {
	Severity Severity
	Path     string // YAML path such as exchange.oauth.sign_in_url; empty for whole-file findings
	Pos      Pos
	Message  string
}

// String renders the diagnostic in the CUE shape: the YAML path and message,
// then the position on an indented line.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.Severity.String())
	b.WriteString(": ")
	// Paths and messages quote keys and values from files.
	if d.Path != "" {
		b.WriteString(termsafe.String(d.Path))
		b.WriteString(": ")
	}
	b.WriteString(termsafe.String(d.Message))
	if pos := d.Pos.String(); pos != "" {
		b.WriteString("\n    ")
		b.WriteString(termsafe.String(pos))
	}
	return b.String()
}

// Diagnostics is every finding of a run.
type Diagnostics []Diagnostic

// Errors counts the findings of severity Error.
func (ds Diagnostics) Errors() int {
	n := 0
	for _, d := range ds {
		if d.Severity == Error {
			n++
		}
	}
	return n
}

// Warnings counts the findings of severity Warning.
func (ds Diagnostics) Warnings() int {
	n := 0
	for _, d := range ds {
		if d.Severity == Warning {
			n++
		}
	}
	return n
}

// WarningsAsErrors returns the findings with every warning made an error,
// and how many it made: a strict run, for callers that must not publish
// what validation warned about. ds is left as it is.
func (ds Diagnostics) WarningsAsErrors() (Diagnostics, int) {
	if ds.Warnings() == 0 {
		return ds, 0
	}
	out := make(Diagnostics, len(ds))
	n := 0
	for i, d := range ds {
		if d.Severity == Warning {
			d.Severity = Error
			n++
		}
		out[i] = d
	}
	return out, n
}

// Sort orders findings by file, line and column so output is stable however
// the checks ran.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// Err returns nil when there are no errors, and otherwise an error that
// summarises them; the individual findings are in ds.
func (ds Diagnostics) Err() error {
	n := ds.Errors()
	if n == 0 {
		return nil
	}
	return &InvalidError{Diagnostics: ds}
}

// InvalidError reports that one or more policies failed validation.
type InvalidError struct {
	Diagnostics Diagnostics
}

func (e *InvalidError) Error() string {
	files := map[string]bool{}
	for _, d := range e.Diagnostics {
		if d.Severity == Error {
			files[d.Pos.File] = true
		}
	}
	return fmt.Sprintf("%s in %s", plural(e.Diagnostics.Errors(), "error"), plural(len(files), "file"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// String renders every finding, one after the other.
func (ds Diagnostics) String() string {
	var b strings.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.String())
	}
	return b.String()
}
