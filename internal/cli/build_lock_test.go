package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/outdir"
)

// TestBuildLocksBeforeWork: while another build holds --out, a build is
// refused before it reads anything, so the one that started first wins.
// The inputs here would fail later (a roster that does not exist), which
// shows the order.
func TestBuildLocksBeforeWork(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "p.yaml")
	if err := os.WriteFile(policy, []byte("version: 1\nprofile: {name: p, identifier: com.example.p}\nrestrictions: {allowOpenFromManagedToUnmanaged: false}\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	held, err := outdir.Open(out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	for _, args := range [][]string{
		{"build", policy, "--out", out, "--roster", filepath.Join(dir, "missing.csv")},
		{"build", filepath.Join(dir, "missing.yaml"), "--out", out},
	} {
		code, _, stderr := run(t, args...)
		if code != ExitFailure || !strings.Contains(stderr, "another mdmforge build is writing "+out) || strings.Contains(stderr, "missing") {
			t.Errorf("%v: exit %d, want the lock refusal first:\n%s", args[1:], code, stderr)
		}
	}
}
