package kandji

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/profiles"
)

var update = flag.Bool("update", false, "rewrite golden files from the current output")

// checkGolden compares each format of the plan with
// testdata/golden/plan/kandji-NAME.FORMAT, the plan a reviewer reads in a
// terminal or a pull request's comment.
func checkGolden(t *testing.T, name string, p *deploy.Plan) {
	t.Helper()
	for ext, format := range map[string]string{"txt": deploy.FormatText, "md": deploy.FormatMarkdown} {
		var buf bytes.Buffer
		if err := p.Render(&buf, format); err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("../../testdata/golden/plan", "kandji-"+name+"."+ext)
		if *update {
			if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./deploy/kandji -update to create it)", err)
		}
		if !bytes.Equal(want, buf.Bytes()) {
			t.Errorf("%s differs; if the change is intended, run go test ./deploy/kandji -update\n--- got ---\n%s", golden, buf.Bytes())
		}
	}
}

// TestGoldenPlan: after an apply, the policy's server changes, and a
// second policy is new.
func TestGoldenPlan(t *testing.T) {
	e := newEnv(t)
	e.apply([]*profiles.Policy{policy(t, "contacts.yaml")}, Options{})
	changed := policy(t, "contacts.yaml", "host: outlook.office365.com", "host: mail.example.com")
	other := policy(t, "calendars.yaml", "identifier: com.example.mdm.contacts", "identifier: com.example.mdm.calendars",
		"display_name: Work Contacts", "display_name: Work Calendars", "sync: [contacts]", "sync: [calendars]")
	checkGolden(t, "update", e.plan([]*profiles.Policy{changed, other}, Options{}))
}
