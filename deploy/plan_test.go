package deploy

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func samplePlan() *Plan {
	p := &Plan{Format: FormatVersion, Target: "intune", Steps: []Step{
		{Action: Create, Policy: "contacts.yaml", Kind: "compliance", Name: "Work Contacts – Compliance",
			Assignments: &AssignmentChange{Before: []Assignment{}, After: []Assignment{{Kind: "include", Group: "Sales-iOS", ID: "g1"}}}},
		{Action: Update, Policy: "contacts.yaml", Kind: "custom-profile", Name: "Work Contacts – Custom profile", ID: "c1",
			Changes:      []Change{{Kind: Changed, Path: "displayName", Before: json.RawMessage(`"Old"`), After: json.RawMessage(`"Work Contacts – Custom profile"`)}, {Kind: Changed, Path: "secretThing", Secret: true}},
			Consequences: []string{"devices re-install the Exchange account and users sign in again"}},
		{Action: NoChange, Policy: "contacts.yaml", Kind: "outlook-apps", Name: "Work Contacts (Outlook)", ID: "a1"},
	}, Notes: []string{"something left alone"}}
	p.Seal([]byte("state"))
	return p
}

func TestPlanFileRoundTrip(t *testing.T) {
	p := samplePlan()
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadPlan(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := back.Write(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Errorf("a plan read back writes differently:\n%s\n%s", buf.Bytes(), again.Bytes())
	}
	var t1, t2 bytes.Buffer
	_ = p.Render(&t1, FormatText)
	_ = back.Render(&t2, FormatText)
	if t1.String() != t2.String() {
		t.Errorf("a plan read back renders differently")
	}
}

func TestReadPlanRefuses(t *testing.T) {
	for _, c := range []struct{ name, data, want string }{
		{"not json", "hello", "not a plan"},
		{"no format", `{"target":"intune"}`, "no format"},
		{"other format", `{"format":2,"target":"intune"}`, "format 2"},
		{"unknown field", `{"format":1,"target":"intune","fingerprint":"sha256:00","steps":[],"extra":1}`, "unknown field"},
		{"trailing data", `{"format":1,"target":"intune","fingerprint":"sha256:00","steps":[]} {}`, "data after"},
		{"no fingerprint", `{"format":1,"target":"intune","steps":[]}`, "no fingerprint"},
		{"bad action", `{"format":1,"target":"intune","fingerprint":"sha256:00","steps":[{"action":"explode","policy":"","kind":"","name":""}]}`, `no action "explode"`},
	} {
		_, err := ReadPlan(strings.NewReader(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestChangedAndSummary(t *testing.T) {
	p := samplePlan()
	if !p.Changed() {
		t.Error("a plan with a create does not change")
	}
	if got, want := p.Summary(), "intune: 1 to create, 1 to update, 1 unchanged"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	quiet := &Plan{Target: "intune", Steps: []Step{{Action: NoChange}, {Action: NoChange}}}
	if quiet.Changed() || quiet.Summary() != "intune: no changes (2 objects)" {
		t.Errorf("no-change plan: %v %q", quiet.Changed(), quiet.Summary())
	}
}

// TestFingerprint: the fingerprint covers the steps and the state, and
// Difference names the step that differs.
func TestFingerprint(t *testing.T) {
	a, b := samplePlan(), samplePlan()
	if a.Fingerprint != b.Fingerprint || !strings.HasPrefix(a.Fingerprint, "sha256:") {
		t.Fatalf("fingerprints %s %s", a.Fingerprint, b.Fingerprint)
	}
	b.Seal([]byte("other state"))
	if a.Fingerprint == b.Fingerprint {
		t.Error("the state is not in the fingerprint")
	}
	if d := Difference(a, b); d != "" {
		t.Errorf("same steps: %q", d)
	}
	b.Steps[1].Changes[0].After = json.RawMessage(`"New"`)
	b.Seal([]byte("state"))
	if a.Fingerprint == b.Fingerprint {
		t.Error("the steps are not in the fingerprint")
	}
	if d := Difference(a, b); !strings.Contains(d, `update custom-profile "Work Contacts – Custom profile"`) || !strings.Contains(d, `"New"`) {
		t.Errorf("difference: %q", d)
	}
	b.Steps = b.Steps[:1]
	if d := Difference(a, b); !strings.Contains(d, "no longer planned") {
		t.Errorf("difference: %q", d)
	}
}

// TestRenderRedactsAndEscapes: a secret change shows no value in any
// format, and terminal controls from names are escaped.
func TestRenderRedactsAndEscapes(t *testing.T) {
	p := samplePlan()
	p.Steps[1].Changes[1].Before = json.RawMessage(`"hunter2"`) // a careless engine
	p.Steps[0].Name = "evil\x1b[2Jname"
	for _, f := range []string{FormatText, FormatMarkdown, FormatGitHub} {
		var buf bytes.Buffer
		if err := p.Render(&buf, f); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if strings.Contains(out, "hunter2") {
			t.Errorf("%s shows a secret:\n%s", f, out)
		}
		if strings.Contains(out, "\x1b") {
			t.Errorf("%s writes a terminal control", f)
		}
	}
	if err := p.Render(&bytes.Buffer{}, "yaml"); err == nil || !strings.Contains(err.Error(), "choose text, markdown, json or github") {
		t.Errorf("unknown format: %v", err)
	}
}
