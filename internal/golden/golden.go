// Package golden compares a test's output with a golden file, for tests
// only. It registers the one -update flag of the test binaries that import
// it, so that go test ./... -update refreshes every golden file; a package
// whose tests import it must not register its own.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files (and test scripts' expected output) from the current output")

// startDir is the test's package folder: go test starts the binary there,
// and it is read before any test can t.Chdir away.
var startDir, _ = os.Getwd()

// Update reports whether the test binary runs with -update, for tests that
// refresh something other than a file, such as testscript's scripts.
func Update() bool { return *update }

// Check compares got with the golden file at path, relative to the current
// folder, or under -update writes got there, making its folder. A missing
// or different file fails the test with the command that refreshes it.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run %s to create it)", err, Command())
	}
	if !bytes.Equal(want, got) {
		shown := path
		if rel, err := filepath.Rel(Root(), path); err == nil && filepath.IsAbs(path) {
			shown = filepath.ToSlash(rel) // as the module names it, not this machine
		}
		t.Errorf("%s differs; if the change is intended, run %s\n--- got ---\n%s", shown, Command(), got)
	}
}

// Command is the command that refreshes the golden files of the test's
// package: "go test ./PKG -update".
func Command() string {
	root := Root()
	rel, err := filepath.Rel(root, startDir)
	if root == "" || err != nil {
		return "go test -update"
	}
	return "go test ./" + filepath.ToSlash(rel) + " -update"
}

var root = sync.OnceValue(func() string {
	for dir := startDir; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
})

// Root is the module's folder (the nearest one above the test's package
// holding go.mod), where testdata/golden lives; "" if there is none.
func Root() string { return root() }
