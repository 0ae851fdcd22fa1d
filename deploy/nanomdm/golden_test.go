package nanomdm

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/deploy/internal/plantest"
)

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
	plantest.Check(t, "nanomdm-update", p)
}
