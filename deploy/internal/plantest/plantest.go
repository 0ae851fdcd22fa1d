// Package plantest checks deploy plans against the golden files in
// testdata/golden/plan, for the tests of the deploy packages only.
package plantest

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/internal/golden"
)

// Formats maps a golden file's extension to the plan format it holds.
var Formats = map[string]string{
	"txt":    deploy.FormatText,
	"md":     deploy.FormatMarkdown,
	"json":   deploy.FormatJSON,
	"github": deploy.FormatGitHub,
}

// Check renders p in the format of each extension (txt and md when none is
// given: the plan a reviewer reads in a terminal or a pull request's
// comment) and compares it with testdata/golden/plan/NAME.EXT.
func Check(t *testing.T, name string, p *deploy.Plan, exts ...string) {
	t.Helper()
	if len(exts) == 0 {
		exts = []string{"txt", "md"}
	}
	for _, ext := range exts {
		format, ok := Formats[ext]
		if !ok {
			t.Fatalf("no plan format for golden extension %q", ext)
		}
		var buf bytes.Buffer
		if err := p.Render(&buf, format); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join(golden.Root(), "testdata", "golden", "plan", name+"."+ext), buf.Bytes())
	}
}
