// Package plantest holds what the tests of the deploy packages share, for
// tests only: plans checked against the golden files in
// testdata/golden/plan, policies decoded from a base with edits, a retry
// wait that takes no time.
package plantest

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/internal/golden"
	"github.com/mdmforge/mdmforge/profiles"
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

// Policy decodes and validates src, named file, after replacing each old
// with its new in the pairs of edits (old, new, old, new, ...), once each.
// An edit whose old text is not there fails the test, so that a changed
// base cannot quietly make an edit a no-op.
func Policy(t testing.TB, src, file string, edits ...string) *profiles.Policy {
	t.Helper()
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(src, edits[i]) {
			t.Fatalf("policy edit: %q is not in the policy", edits[i])
		}
		src = strings.Replace(src, edits[i], edits[i+1], 1)
	}
	p, ds := profiles.Decode(file, []byte(src))
	if ds.Errors() > 0 {
		t.Fatalf("decode %s:\n%s", file, ds)
	}
	if ds := profiles.Validate(p); ds.Errors() > 0 {
		t.Fatalf("validate %s:\n%s", file, ds)
	}
	return p
}

// NoSleep is a client's wait between retries that takes no time but still
// ends when the context does, so that retry tests run at once.
func NoSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }
