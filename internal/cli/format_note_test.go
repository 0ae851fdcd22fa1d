package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/profiles"
)

// TestReportNotes: a note is GitHub's "notice", and text output calls it
// a note; neither counts it as a warning.
func TestReportNotes(t *testing.T) {
	ds := profiles.Diagnostics{{Severity: profiles.Note, Pos: profiles.Pos{File: "p.mobileconfig"}, Message: "platform macOS inferred: x"}}
	var out, errb bytes.Buffer
	streams := &IO{In: strings.NewReader(""), Out: &out, Err: &errb}
	report(streams, formatGitHub, ds)
	if got := out.String(); !strings.HasPrefix(got, "::notice file=p.mobileconfig") {
		t.Errorf("github: %q", got)
	}
	out.Reset()
	report(streams, formatText, ds)
	if got := errb.String(); got != "note: platform macOS inferred: x\n    p.mobileconfig\n" {
		t.Errorf("text: %q", got)
	}
	if n := ds.Warnings(); n != 0 || warningSuffix(ds) != "" {
		t.Errorf("a note counted as %d warnings", n)
	}
}
