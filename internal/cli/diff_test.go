package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiffFormats pins every format's output for two folders of built files
// in testdata/golden/diff. Refresh with: go test ./internal/cli -run TestDiffFormats -update
func TestDiffFormats(t *testing.T) {
	t.Chdir(filepath.Join("..", "..", "testdata", "golden", "diff"))
	for _, tt := range []struct{ format, golden string }{
		{"text", "want.txt"},
		{"json", "want.json"},
		{"markdown", "want.md"},
		{"github", "want.github.txt"},
	} {
		code, stdout, stderr := run(t, "diff", "before", "after", "--format", tt.format)
		if code != ExitFailure || stderr != "" {
			t.Errorf("%s: exit %d, want 1; stderr:\n%s", tt.format, code, stderr)
		}
		if tt.format == "json" && !json.Valid([]byte(stdout)) {
			t.Errorf("json: not valid JSON:\n%s", stdout)
		}
		if *update {
			if err := os.WriteFile(tt.golden, []byte(stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(tt.golden)
		if err != nil {
			t.Fatalf("%v (run go test ./internal/cli -run TestDiffFormats -update to create it)", err)
		}
		if stdout != string(want) {
			t.Errorf("%s output differs from %s; if intended, rerun with -update\n--- got ---\n%s", tt.format, tt.golden, stdout)
		}
		// Deterministic: a second run gives the same bytes.
		if _, again, _ := run(t, "diff", "before", "after", "--format", tt.format); again != stdout {
			t.Errorf("%s: two runs differ", tt.format)
		}
	}
}

// TestDiffExitCodes pins diff(1)'s convention, which testscript's "! exec"
// cannot tell apart: 0 same, 1 different, 2 trouble.
func TestDiffExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a/p.yaml", "version: 1\nprofile: {name: p, identifier: com.example.p}\nrestrictions: {allowOpenFromManagedToUnmanaged: false}\n")
	b := write("b/p.yaml", "version: 1\nprofile: {name: p, identifier: com.example.p}\nrestrictions: {allowOpenFromManagedToUnmanaged: true}\n")
	invalid := write("invalid.yaml", "version: 1\nprofile: {name: p, identifier: nope}\n")
	garbage := write("garbage.mobileconfig", "not a profile\n")
	badJSON := write("x/p.outlook.json", "{\"a\": 1} trailing")
	goodJSON := write("y/p.outlook.json", "{\"a\": 1}")
	out := filepath.Join(dir, "out")
	if code, _, stderr := run(t, "build", a, "--out", out); code != ExitOK {
		t.Fatalf("build: %s", stderr)
	}
	built := filepath.Join(out, "p.mobileconfig")
	tests := []struct {
		args []string
		code int
		err  string // in stderr
	}{
		{[]string{"diff", a, a}, ExitOK, ""},
		{[]string{"diff", a, out}, ExitOK, ""},
		{[]string{"diff", built, a}, ExitOK, ""},
		{[]string{"diff", a, b}, ExitFailure, ""},
		{[]string{"diff", a, b, "--format", "json"}, ExitFailure, ""},
		{[]string{"diff", out, b}, ExitFailure, ""},
		{[]string{"diff", garbage, built}, 2, "garbage.mobileconfig: not a property list (XML or binary) or a signed profile"},
		{[]string{"diff", built, garbage}, 2, "garbage.mobileconfig: not a property list"},
		{[]string{"diff", goodJSON, badJSON}, 2, "p.outlook.json: not JSON: data after the value"},
		{[]string{"diff", invalid, a}, 2, "invalid.yaml: 2 errors in 1 file"},
		{[]string{"diff", filepath.Join(dir, "missing.mobileconfig"), built}, 2, "missing.mobileconfig: no such file or directory"},
		{[]string{"diff", garbage, out}, 2, "has no garbage.mobileconfig to compare"},
		{[]string{"diff", a}, 2, "diff compares two inputs"},
		{[]string{"diff", a, b, "--format", "yaml"}, 2, "--format must be text, json, markdown or github"},
		{[]string{"diff", a, b, "--no-such-flag"}, 2, "unknown flag"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, tt.args...)
		if code != tt.code {
			t.Errorf("mdmforge %s: exit %d, want %d\n%s", strings.Join(tt.args[1:], " "), code, tt.code, stderr)
		}
		if tt.err != "" && !strings.Contains(stderr, tt.err) {
			t.Errorf("mdmforge %s: stderr lacks %q:\n%s", strings.Join(tt.args[1:], " "), tt.err, stderr)
		}
		if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
			t.Errorf("mdmforge %s printed a stack trace:\n%s", strings.Join(tt.args[1:], " "), stderr)
		}
	}
}

// TestDiffPolicyAgainstFolder compares a policy with the folder it was built
// into: signed copies and other policies' files there are left out, and a
// file the policy no longer builds is reported as removed.
func TestDiffPolicyAgainstFolder(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p.yaml")
	q := filepath.Join(dir, "q.yaml")
	os.WriteFile(p, []byte("version: 1\nprofile: {name: p, identifier: com.example.p}\nrestrictions: {allowOpenFromManagedToUnmanaged: false}\noutlook: {save_contacts: false}\n"), 0o644)
	os.WriteFile(q, []byte("version: 1\nprofile: {name: q, identifier: com.example.q}\nrestrictions: {allowOpenFromManagedToUnmanaged: false}\n"), 0o644)
	out := filepath.Join(dir, "out")
	if code, _, stderr := run(t, "build", p, q, "--out", out); code != ExitOK {
		t.Fatalf("build: %s", stderr)
	}
	os.WriteFile(filepath.Join(out, "p.signed.mobileconfig"), []byte("not looked at"), 0o644)
	if code, stdout, stderr := run(t, "diff", p, out); code != ExitOK || !strings.HasPrefix(stdout, "no differences") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	os.WriteFile(p, []byte("version: 1\nprofile: {name: p, identifier: com.example.p}\nrestrictions: {allowOpenFromManagedToUnmanaged: false}\n"), 0o644)
	code, stdout, _ := run(t, "diff", out, p)
	if code != ExitFailure || !strings.Contains(stdout, "- p.outlook.json\n- p.outlook.plist\n") || strings.Contains(stdout, "q.") {
		t.Errorf("exit %d\n%s", code, stdout)
	}
}

func TestDiffTextValues(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want string
	}{
		{"a\"b", `"a\"b"`},
		{int64(1), "1"},
		{1.0, "1.0"},
		{2.5, "2.5"},
		{[]byte{0}, "<data: 1 bytes, sha256 6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d>"},
		{map[string]any{"b": true, "a": []any{int64(1), "x"}}, `{"a": [1, "x"], "b": true}`},
		{map[string]any{"long": strings.Repeat("x", 90)}, "<dictionary of 1 key>"},
	} {
		if got := diffValue(tt.v, ""); got != tt.want {
			t.Errorf("diffValue(%#v) = %s, want %s", tt.v, got, tt.want)
		}
	}
	if got := diffMDCode("a|`b`"); got != "`` a\\|`b` ``" {
		t.Errorf("diffMDCode: %s", got)
	}
	if got := string(diffRawJSON(math.NaN())); got != `"NaN"` {
		t.Errorf("NaN in JSON: %s", got)
	}
}
