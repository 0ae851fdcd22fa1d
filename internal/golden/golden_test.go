package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeT records a failure instead of ending the test, so that Check's
// failures can be tested.
type fakeT struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, args ...any) {
	f.failed = true
	f.msg = format
}
func (f *fakeT) Fatalf(format string, args ...any) { f.Errorf(format, args...) }
func (f *fakeT) Fatal(args ...any)                 { f.failed = true }

func TestCheck(t *testing.T) {
	// Compare even under -update, which would otherwise rewrite the files.
	defer func(u bool) { *update = u }(*update)
	*update = false
	path := filepath.Join(t.TempDir(), "want.txt")
	if err := os.WriteFile(path, []byte("same\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, path, got string
		fail            bool
	}{
		{"same", path, "same\n", false},
		{"different", path, "other\n", true},
		{"missing", path + ".missing", "same\n", true},
	} {
		f := &fakeT{TB: t}
		Check(f, tt.path, []byte(tt.got))
		if f.failed != tt.fail {
			t.Errorf("%s: failed = %v, want %v", tt.name, f.failed, tt.fail)
		}
	}
}

func TestCommand(t *testing.T) {
	if got, want := Command(), "go test ./internal/golden -update"; got != want {
		t.Errorf("Command() = %q, want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(Root(), "go.mod")); err != nil || !strings.HasSuffix(filepath.ToSlash(startDir), "/internal/golden") {
		t.Errorf("Root() = %q: %v", Root(), err)
	}
}
