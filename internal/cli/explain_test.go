package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/schema"
)

// TestExplainEveryKey explains every key of every payload by its path, so
// that names with dots or spaces, arrays, wildcards and the recursive
// payloads all resolve to the key they name.
func TestExplainEveryKey(t *testing.T) {
	n := 0
	for _, typ := range schema.Types() {
		p, _ := schema.Lookup(typ)
		if err := explainPayload(p).write(io.Discard); err != nil {
			t.Fatal(err)
		}
		onPath := map[*schema.Key]bool{}
		var walk func(names []string, k *schema.Key)
		walk = func(names []string, k *schema.Key) {
			if onPath[k] {
				return
			}
			onPath[k] = true
			defer delete(onPath, k)
			names = append(names[:len(names):len(names)], k.Name)
			target := typ + "." + strings.Join(names, ".")
			gotP, path, err := resolveExplain(target)
			n++
			switch {
			case err != nil:
				t.Errorf("%s: %v", target, err)
				return
			case gotP != p || path[len(path)-1].key != k:
				t.Errorf("%s resolves to %s.%s", target, gotP.Type, path[len(path)-1].name)
				return
			}
			if err := explainKey(p, path).write(io.Discard); err != nil {
				t.Fatal(err)
			}
			if k.Item != nil {
				walk(names, k.Item)
			}
			for _, c := range k.Keys {
				walk(names, c)
			}
		}
		for _, k := range p.Keys {
			walk(nil, k)
		}
	}
	t.Logf("%d key paths", n)
}

func TestExplainResolves(t *testing.T) {
	for target, want := range map[string]string{
		"com.apple.eas.account":                                       "",
		"com.apple.eas.account.PayloadUUID":                           "PayloadUUID", // a common key
		".GlobalPreferences.com.apple.autologout.AutoLogOutDelay":     "com.apple.autologout.AutoLogOutDelay",
		"com.apple.MCX.FileVault2.Enable":                             "Enable", // payload type com.apple.MCX.FileVault2
		"Configuration.ConsentText.en":                                "ConsentText.en",
		"com.apple.homescreenlayout.Pages.Pages.Pages.Type":           "Pages.Pages.Pages.Type",
		"com.apple.dock.static-apps.tile-data.file-data._CFURLString": "static-apps.tile-data.file-data._CFURLString",
		"com.apple.ManagedClient.preferences.PayloadContent.com.apple.Safari.Forced.mcx_preference_settings.HomePage": "PayloadContent.com.apple.Safari.Forced.mcx_preference_settings.HomePage",
	} {
		p, path, err := resolveExplain(target)
		if err != nil {
			t.Errorf("%s: %v", target, err)
			continue
		}
		names := make([]string, len(path))
		for i, st := range path {
			names[i] = st.name
		}
		if got := strings.Join(names, "."); got != want || !strings.HasPrefix(target, p.Type) {
			t.Errorf("%s: payload %s, key %q; want key %q", target, p.Type, got, want)
		}
	}
}

func TestExplainSuggests(t *testing.T) {
	for target, want := range map[string]string{
		"com.apple.eas.acount":                           `did you mean "com.apple.eas.account"?`,
		"com.apple.security.scep.PayloadContent.Keysise": `com.apple.security.scep.PayloadContent has no key "Keysise"; did you mean "Keysize"?`,
		"com.apple.eas.account.enable_mail":              `did you mean "EnableMail"?`,
		"com.apple.eas.account.Host.Name":                `com.apple.eas.account.Host is a string and has no keys`,
		"com.example.nothing":                            `"com.example.nothing" is not a payload type in Apple's schema`,
	} {
		_, _, err := resolveExplain(target)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", target, err, want)
		}
	}
}

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
	var list []listedPayload
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
