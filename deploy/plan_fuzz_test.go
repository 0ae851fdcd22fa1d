package deploy

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadPlan: a plan file is read from disk by apply --plan, so any
// bytes must give a plan or an error, never a panic; and a plan it accepts
// renders in every format and survives Write and ReadPlan unchanged.
func FuzzReadPlan(f *testing.F) {
	seeds, _ := filepath.Glob("../testdata/golden/plan/*.json")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"format":1,"target":"intune","fingerprint":"sha256:00","steps":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadPlan(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, format := range []string{FormatText, FormatMarkdown, FormatJSON, FormatGitHub} {
			if err := p.Render(&bytes.Buffer{}, format); err != nil {
				t.Fatalf("an accepted plan does not render as %s: %v", format, err)
			}
		}
		var again bytes.Buffer
		if err := p.Write(&again); err != nil {
			t.Fatal(err)
		}
		q, err := ReadPlan(&again)
		if err != nil {
			t.Fatalf("a plan Write wrote is refused: %v\n%s", err, again.Bytes())
		}
		if q.Fingerprint != p.Fingerprint || len(q.Steps) != len(p.Steps) {
			t.Fatalf("Write and ReadPlan changed the plan")
		}
	})
}
