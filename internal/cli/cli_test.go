package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(args, &IO{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("version: 1\nprofile: {name: g, identifier: com.example.g}\nrestrictions: {allowOpenFromManagedToUnmanaged: false}\n"), 0o644)
	os.WriteFile(bad, []byte("version: 1\nprofile: {name: b, identifier: \"com.example.${user.id}\"}\nrestrictions: {allowOpenFromManagedToUnmanaged: false}\n"), 0o644)
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"validate", good}, ExitOK},
		{[]string{"validate", bad}, ExitFailure},
		{[]string{"validate"}, ExitUsage},
		{[]string{"build", good}, ExitUsage},
		{[]string{"build", good, "--out", filepath.Join(dir, "out")}, ExitOK},
		{[]string{"build", bad, "--out", filepath.Join(dir, "out2")}, ExitFailure},
		{[]string{"validate", "--no-such-flag", good}, ExitUsage},
		{[]string{"init", "a", "b"}, ExitUsage},
		{[]string{"--version"}, ExitOK},
		{[]string{"no-such-command"}, ExitUsage},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, tt.args...)
		if code != tt.code {
			t.Errorf("mdmforge %s: exit %d, want %d\n%s", strings.Join(tt.args, " "), code, tt.code, stderr)
		}
		if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
			t.Errorf("mdmforge %s printed a stack trace:\n%s", strings.Join(tt.args, " "), stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out2")); !os.IsNotExist(err) {
		t.Errorf("a failed build created its output folder")
	}
}

// TestHelpIsProductCopy keeps every command's help complete: a long
// description and examples that start with "$ ".
func TestHelpIsProductCopy(t *testing.T) {
	root := newRootCmd(&IO{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}})
	for _, c := range root.Commands() {
		if c.Hidden || !c.Runnable() || c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		if c.Long == "" || c.Short == "" {
			t.Errorf("%s: missing Short or Long help", c.Name())
		}
		if !strings.HasPrefix(strings.TrimSpace(c.Example), "$ ") {
			t.Errorf("%s: Example must show commands starting with \"$ \"", c.Name())
		}
		if strings.Contains(c.Long+c.Example, "TODO") {
			t.Errorf("%s: help contains TODO", c.Name())
		}
	}
}

// TestRosterProgress checks the progress bar on a terminal, and that a
// non-terminal gets only the one-line summary.
func TestRosterProgress(t *testing.T) {
	dir := t.TempDir()
	roster := filepath.Join(dir, "users.csv")
	os.WriteFile(roster, []byte("email,upn\na@example.com,a@example.com\nb@example.com,b@example.com\n"), 0o644)
	for _, terminal := range []bool{true, false} {
		var out, errb bytes.Buffer
		code := Run([]string{"build", "../../examples/contacts-only-eas.yaml", "--roster", roster, "--out", filepath.Join(dir, "out")},
			&IO{In: strings.NewReader(""), Out: &out, Err: &errb, ErrTerminal: terminal})
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		bar := strings.Contains(errb.String(), "\rcontacts-only-eas [") && strings.Contains(errb.String(), "2/2 profiles")
		if bar != terminal {
			t.Errorf("terminal=%v: progress bar shown=%v:\n%q", terminal, bar, errb.String())
		}
		if !strings.Contains(errb.String(), "mdmforge: built 2 profiles into ") {
			t.Errorf("no summary line:\n%s", errb.String())
		}
	}
}
