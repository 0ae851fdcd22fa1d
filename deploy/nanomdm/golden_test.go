package nanomdm

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/deploy"
)

var update = flag.Bool("update", false, "rewrite golden files from the current output")

// checkGolden compares each format of the plan with
// testdata/golden/plan/nanomdm-NAME.FORMAT, the plan a reviewer reads in a
// terminal or a pull request's comment.
func checkGolden(t *testing.T, name string, p *deploy.Plan) {
	t.Helper()
	for ext, format := range map[string]string{"txt": deploy.FormatText, "md": deploy.FormatMarkdown} {
		var buf bytes.Buffer
		if err := p.Render(&buf, format); err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("../../testdata/golden/plan", "nanomdm-"+name+"."+ext)
		if *update {
			if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./deploy/nanomdm -update to create it)", err)
		}
		if !bytes.Equal(want, buf.Bytes()) {
			t.Errorf("%s differs; if the change is intended, run go test ./deploy/nanomdm -update\n--- got ---\n%s", golden, buf.Bytes())
		}
	}
}

// TestGoldenPlan: after an apply to one enrollment, the policy's server
// changes and a second enrollment is added.
func TestGoldenPlan(t *testing.T) {
	s := newServer(t, false)
	c := s.client(testAPIKey)
	dir := t.TempDir()
	const d1, d2 = "00008030-001A2B3C4D5E802E", "00008110-000C15A40E38801E"
	mustApply(t, c, build(t, BuildOptions{}, policy(t, dir, contactsPolicy, d1)), opts(dir))
	changed := policy(t, dir, strings.Replace(contactsPolicy, "host: outlook.office365.com", "host: mail.example.com", 1), d1, d2)
	profs := build(t, BuildOptions{}, changed)
	for i := range profs {
		profs[i].Policy = filepath.Base(profs[i].Policy) // as a run in the policies' folder names it
	}
	p, err := Plan(context.Background(), c, profs, opts(dir))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "update", p)
}
