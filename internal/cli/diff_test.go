package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mdmforge/mdmforge/internal/golden"

	"howett.net/plist"
)

// TestDiffFormats pins every format's output for two folders of built files
// in testdata/golden/diff, and in testdata/golden/diff/intune for two
// builds of an Intune policy (from its before.yaml and after.yaml, manifest
// left out), where the bundle's copies of the profile's change are folded.
// Refresh with: go test ./internal/cli -run TestDiffFormats -update
func TestDiffFormats(t *testing.T) {
	for _, dir := range []string{".", "intune"} {
		t.Run(dir, func(t *testing.T) {
			t.Chdir(filepath.Join("..", "..", "testdata", "golden", "diff", dir))
			testDiffFormats(t)
		})
	}
}

func testDiffFormats(t *testing.T) {
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
		golden.Check(t, tt.golden, []byte(stdout))
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
	invalid := write("invalid.yaml", "version: 1\nprofile: {name: p, identifier: \"com.example.${user.id}\"}\n")
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
	if code != ExitFailure || !strings.Contains(stdout, "- p.outlook.plist\n") || strings.Contains(stdout, "q.") {
		t.Errorf("exit %d\n%s", code, stdout)
	}
}

// secretProfile is a profile holding every kind of secret: an Exchange
// password, a VPN shared secret, a .p12 and its password; extra payloads
// are added to its list.
func secretProfile(password, psk string, p12 []byte, extra ...map[string]any) map[string]any {
	payload := func(typ, id string, keys map[string]any) map[string]any {
		keys["PayloadType"], keys["PayloadIdentifier"], keys["PayloadUUID"], keys["PayloadVersion"] = typ, id, "UUID-"+id, 1
		return keys
	}
	content := []any{
		payload("com.apple.eas.account", "com.example.p.exchange", map[string]any{"Host": "h", "Password": password}),
		payload("com.apple.vpn.managed", "com.example.p.vpn", map[string]any{
			"VPNType": "IKEv2", "IKEv2": map[string]any{"RemoteAddress": "vpn.example.com", "SharedSecret": psk}}),
		payload("com.apple.security.pkcs12", "com.example.p.identity", map[string]any{"PayloadContent": p12, "Password": password + "-p12"}),
	}
	for _, e := range extra {
		content = append(content, payload("com.apple.security.scep", "com.example.p.scep", e))
	}
	return map[string]any{"PayloadType": "Configuration", "PayloadIdentifier": "com.example.p", "PayloadUUID": "UUID-p",
		"PayloadVersion": 1, "PayloadContent": content}
}

// TestDiffRedactsSecrets changes every secret of a profile and adds a
// payload holding one: every format reports the changes, and none shows a
// secret, its base64 or its digest.
func TestDiffRedactsSecrets(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, v any, format int) {
		data, err := plist.MarshalIndent(v, format, "\t")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	oldP12, newP12 := []byte("old private key"), []byte("new private key")
	write("before.mobileconfig", secretProfile("old-pass", "old-psk", oldP12), plist.XMLFormat)
	write("after.mobileconfig", secretProfile("new-pass", "new-psk", newP12,
		map[string]any{"PayloadContent": map[string]any{"URL": "https://scep.example.com", "Challenge": "the-challenge"}}), plist.BinaryFormat)
	var secrets []string
	for _, s := range []string{"old-pass", "new-pass", "old-psk", "new-psk", "the-challenge"} {
		secrets = append(secrets, s, base64.StdEncoding.EncodeToString([]byte(s)))
	}
	for _, p12 := range [][]byte{oldP12, newP12} {
		sum := sha256.Sum256(p12)
		secrets = append(secrets, string(p12), base64.StdEncoding.EncodeToString(p12), hex.EncodeToString(sum[:]))
	}
	for _, format := range []string{"text", "json", "markdown", "github"} {
		code, stdout, stderr := run(t, "diff", filepath.Join(dir, "before.mobileconfig"), filepath.Join(dir, "after.mobileconfig"), "--format", format)
		if code != ExitFailure {
			t.Fatalf("%s: exit %d\n%s", format, code, stderr)
		}
		for _, s := range secrets {
			if strings.Contains(stdout, s) {
				t.Errorf("%s output shows %q:\n%s", format, s, stdout)
			}
		}
		if format == "text" {
			for _, want := range []string{"~ Password: <secret, changed>", "~ IKEv2.SharedSecret: <secret, changed>", "~ PayloadContent: <secret, changed>"} {
				if !strings.Contains(stdout, want) {
					t.Errorf("text lacks %q:\n%s", want, stdout)
				}
			}
		}
		if format != "json" {
			continue
		}
		var doc struct {
			Files []struct {
				Changes []struct {
					Path     string
					Kind     string
					Before   json.RawMessage
					After    json.RawMessage
					Redacted bool
				}
			}
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatal(err)
		}
		redacted := map[string]bool{}
		for _, c := range doc.Files[0].Changes {
			redacted[c.Path] = c.Redacted
			if c.Path != "" && c.Redacted && (c.Before != nil || c.After != nil) {
				t.Errorf("json: a secret change carries values: %+v", c)
			}
			if c.Path == "" && !bytes.Contains(c.After, []byte(`"Challenge": "<secret>"`)) {
				t.Errorf("json: the added payload's secret is not marked: %s", c.After)
			}
		}
		want := map[string]bool{"Password": true, "IKEv2.SharedSecret": true, "PayloadContent": true, "": true}
		if len(redacted) != len(want) {
			t.Errorf("json: changes %v, want %v", redacted, want)
		}
		for path := range want {
			if !redacted[path] {
				t.Errorf("json: the change to %q is not redacted: %v", path, redacted)
			}
		}
	}
}

// TestDeepPlistRefused feeds diff and inspect the files that used to crash
// the process with a stack overflow: each is refused, naming the file, in
// well under the time the decoder once took.
func TestDeepPlistRefused(t *testing.T) {
	dir := t.TempDir()
	deepXML := []byte("<plist>" + strings.Repeat("<array>", 1_000_000) + strings.Repeat("</array>", 1_000_000) + "</plist>")
	var deepText bytes.Buffer
	deepText.WriteString(strings.Repeat("(", 1_000_000))
	files := map[string][]byte{"deep.mobileconfig": deepXML, "deep.plist": deepXML, "deep-text.plist": deepText.Bytes()}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Each is compared with a good file of its kind, on either side.
	okPlist, okProfile := filepath.Join(dir, "ok.plist"), filepath.Join(dir, "ok.mobileconfig")
	os.WriteFile(okPlist, []byte("<plist><dict/></plist>"), 0o644)
	os.WriteFile(okProfile, []byte("<plist><dict><key>PayloadType</key><string>Configuration</string><key>PayloadIdentifier</key><string>p</string>"+
		"<key>PayloadUUID</key><string>u</string><key>PayloadContent</key><array/></dict></plist>"), 0o644)
	for name := range files {
		p, ok := filepath.Join(dir, name), okPlist
		if filepath.Ext(name) == ".mobileconfig" {
			ok = okProfile
		}
		for _, args := range [][]string{{"diff", p, ok}, {"diff", ok, p}, {"inspect", p}} {
			start := time.Now()
			code, _, stderr := run(t, args...)
			want := "mdmforge: error: " + p + ": the property list nests more than 128 levels deep\n"
			if code == ExitOK || stderr != want {
				t.Errorf("mdmforge %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, stderr)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("mdmforge %s took %v", strings.Join(args, " "), d)
			}
		}
	}
}

// TestPolicyFolderWithNamedPipe checks that a named pipe with a policy's
// name, in a folder of policies, is reported instead of opened (which
// would wait forever), by validate and by diff.
func TestPolicyFolderWithNamedPipe(t *testing.T) {
	if _, err := exec.LookPath("mkfifo"); err != nil {
		t.Skip("no mkfifo")
	}
	dir := t.TempDir()
	policies := filepath.Join(dir, "policies")
	os.Mkdir(policies, 0o755)
	os.WriteFile(filepath.Join(policies, "p.yaml"), []byte("version: 1\nprofile: {name: p, identifier: com.example.p}\nrestrictions: {allowOpenFromManagedToUnmanaged: false}\n"), 0o644)
	pipe := filepath.Join(policies, "q.yaml")
	if out, err := exec.Command("mkfifo", pipe).CombinedOutput(); err != nil {
		t.Skipf("mkfifo: %v %s", err, out)
	}
	code, _, stderr := run(t, "validate", policies)
	if code != ExitFailure || !strings.Contains(stderr, "error: is a named pipe, not a policy file\n    "+pipe+"\n") {
		t.Errorf("validate: exit %d\n%s", code, stderr)
	}
	code, _, stderr = run(t, "diff", policies, policies)
	if code != 2 || !strings.Contains(stderr, "error: is a named pipe, not a policy file\n    "+pipe+"\n") {
		t.Errorf("diff: exit %d\n%s", code, stderr)
	}
}

// BenchmarkDiff measures a whole review, reading, comparing and rendering:
// two folders of built files, and two versions of an Intune policy built
// and compared with their bundles.
func BenchmarkDiff(b *testing.B) {
	for _, dir := range []string{".", "intune"} {
		for _, format := range []string{"text", "json", "markdown"} {
			b.Run(dir+"/"+format, func(b *testing.B) {
				b.Chdir(filepath.Join("..", "..", "testdata", "golden", "diff", dir))
				before, after := "before", "after"
				if dir == "intune" {
					before, after = "before.yaml", "after.yaml"
				}
				b.ReportAllocs()
				for b.Loop() {
					var out, errb bytes.Buffer
					if code := Run([]string{"diff", before, after, "--format", format}, &IO{In: strings.NewReader(""), Out: &out, Err: &errb}); code != ExitFailure {
						b.Fatalf("exit %d: %s", code, errb.String())
					}
				}
			})
		}
	}
}
