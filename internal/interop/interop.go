// Package interop finds the external tools the interoperability tests run
// against (OpenSSL, Python). On a developer machine without them the tests
// skip; CI sets MDMFORGE_REQUIRE_INTEROP=1 so a missing tool fails instead of
// silently passing.
package interop

import (
	"os"
	"os/exec"
	"testing"
)

// Required reports whether interop tests must run rather than skip.
func Required() bool { return os.Getenv("MDMFORGE_REQUIRE_INTEROP") == "1" }

// Tool returns the path of name on PATH, or skips (fails under CI) the test.
func Tool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if Required() {
			t.Fatalf("%s is required for interop tests (MDMFORGE_REQUIRE_INTEROP=1) but not on PATH", name)
		}
		t.Skipf("%s not on PATH; interop test skipped (CI requires it)", name)
	}
	return path
}
