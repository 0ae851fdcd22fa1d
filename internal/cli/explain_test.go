package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/schema"
)

func TestExplainExitCodes(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"explain", "com.apple.eas.account"}, ExitOK},
		{[]string{"explain", "--list"}, ExitOK},
		{[]string{"explain", "--format", "json", "Configuration"}, ExitOK},
		{[]string{"explain", "com.apple.eas.acount"}, ExitFailure},
		{[]string{"explain", "com.apple.eas.account.Nope"}, ExitFailure},
		{[]string{"explain"}, ExitUsage},
		{[]string{"explain", "a", "b"}, ExitUsage},
		{[]string{"explain", "--list", "com.apple.eas.account"}, ExitUsage},
		{[]string{"explain", "--format", "yaml", "com.apple.eas.account"}, ExitUsage},
		{[]string{"schema"}, ExitOK},
		{[]string{"schema", "x"}, ExitUsage},
	} {
		if code, _, stderr := run(t, tt.args...); code != tt.code {
			t.Errorf("mdmforge %s: exit %d, want %d\n%s", strings.Join(tt.args, " "), code, tt.code, stderr)
		}
	}
}

func TestExplainDeterministic(t *testing.T) {
	for _, args := range [][]string{
		{"explain", "com.apple.applicationaccess"},
		{"explain", "--list"},
		{"explain", "--format", "json", "com.apple.security.scep.PayloadContent"},
	} {
		_, first, _ := run(t, args...)
		for range 3 {
			if _, again, _ := run(t, args...); again != first {
				t.Fatalf("mdmforge %s: output differs between runs", strings.Join(args, " "))
			}
		}
	}
}

func TestExplainJSON(t *testing.T) {
	_, out, _ := run(t, "explain", "--format", "json", "com.apple.security.scep.PayloadContent.Keysize")
	var e struct {
		Payload   string
		Key       string
		Type      string
		Default   float64
		Allowed   []float64
		Platforms []struct{ Platform, Introduced string }
	}
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if e.Payload != "com.apple.security.scep" || e.Key != "PayloadContent.Keysize" || e.Type != "integer" ||
		e.Default != 1024 || len(e.Allowed) != 3 || e.Platforms[0].Platform != "iOS" || e.Platforms[0].Introduced != "4.0" {
		t.Errorf("unexpected explanation: %+v", e)
	}

	_, out, _ = run(t, "explain", "--list", "--format", "json")
	var list []schema.PayloadSummary
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != len(schema.Types())-1 {
		t.Errorf("--list has %d types, Apple's schema %d besides Configuration", len(list), len(schema.Types())-1)
	}
}

func TestSchemaCommandPrintsJSONSchema(t *testing.T) {
	want, err := profiles.JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	code, out, stderr := run(t, "schema")
	if code != ExitOK || stderr != "" || !bytes.Equal([]byte(out), want) {
		t.Errorf("exit %d, stderr %q, stdout equal to JSONSchema: %v", code, stderr, out == string(want))
	}
}

// TestExplainHints checks that each way a path fails to resolve points to
// the command showing the names there are; the hints are the CLI's, the
// place resolution stopped is schema.NotFoundError's.
func TestExplainHints(t *testing.T) {
	for target, want := range map[string]string{
		"com.example.nothing":                      "mdmforge: hint: run 'mdmforge explain --list' for every payload type\n",
		"com.apple.eas.account.Nope":               "mdmforge: hint: run 'mdmforge explain com.apple.eas.account' for its keys\n",
		"com.apple.security.scep.PayloadContent.X": "mdmforge: hint: run 'mdmforge explain com.apple.security.scep.PayloadContent' for its keys\n",
		"com.apple.eas.account.Host.Name":          "mdmforge: hint: run 'mdmforge explain com.apple.eas.account.Host' for it\n",
	} {
		code, _, stderr := run(t, "explain", target)
		if code != ExitFailure || !strings.HasSuffix(stderr, want) {
			t.Errorf("%s: exit %d, stderr %q; want the hint %q", target, code, stderr, want)
		}
	}
}
