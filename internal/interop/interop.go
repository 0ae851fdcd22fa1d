// Package interop finds the external tools the interoperability tests run
// against (OpenSSL, Python). On a developer machine without them the tests
// skip; CI sets MDMFORGE_REQUIRE_INTEROP=1 so a missing tool fails instead of
// silently passing.
package interop

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Required reports whether interop tests must run rather than skip.
func Required() bool { return os.Getenv("MDMFORGE_REQUIRE_INTEROP") == "1" }

// Unavailable is the one place that decides what a missing tool means: a
// skip on a developer machine, a failure in CI.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("%s (MDMFORGE_REQUIRE_INTEROP=1 requires interop tests to run)", msg)
	}
	t.Skipf("%s; interop test skipped (CI requires it)", msg)
}

// Tool returns the path of name on PATH, or reports it Unavailable.
func Tool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Unavailable(t, "%s not on PATH", name)
	}
	return path
}
