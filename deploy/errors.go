package deploy

import (
	"fmt"
	"strings"

	"github.com/mdmforge/mdmforge/profiles"
)

// HintError is an error with what to do about it, which the CLI prints
// as "mdmforge: hint: …" lines.
type HintError struct {
	Err   error
	Hints []string
}

// Error is the message of the error the hints are about.
func (e *HintError) Error() string { return e.Err.Error() }

// Unwrap returns the error the hints are about.
func (e *HintError) Unwrap() error { return e.Err }

// ProblemsError is every problem a plan found in the policies and the
// tenant before anything was written: unknown or ambiguous groups, an app
// missing from the tenant, an object in the way. Each names its policy
// setting and position.
type ProblemsError struct {
	Diagnostics profiles.Diagnostics
	// Hints say what to do, once each, for all the problems.
	Hints []string
}

// Error lists the problems, one a line, as "FILE:LINE:COL: PATH: MESSAGE".
func (e *ProblemsError) Error() string {
	var b strings.Builder
	if len(e.Diagnostics) > 1 {
		fmt.Fprintf(&b, "%d problems, nothing written:", len(e.Diagnostics))
	}
	for i, d := range e.Diagnostics {
		if i > 0 || len(e.Diagnostics) > 1 {
			b.WriteString("\n  ")
		}
		if pos := d.Pos.String(); pos != "" {
			b.WriteString(pos + ": ")
		}
		if d.Path != "" {
			b.WriteString(d.Path + ": ")
		}
		b.WriteString(d.Message)
	}
	return b.String()
}
