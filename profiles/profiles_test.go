package profiles

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/golden"
	"github.com/mdmforge/mdmforge/templates"
)

const example = "../examples/contacts-only-eas.yaml"

func buildExample(t *testing.T) []Output {
	t.Helper()
	policies, ds := Load(example)
	if ds.Errors() > 0 || len(policies) != 1 {
		t.Fatalf("example does not load: %v", ds)
	}
	outs, err := policies[0].Build(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return outs
}

// TestExampleGolden pins the two outputs of the headline example. Refresh
// with: go test ./profiles -update
func TestExampleGolden(t *testing.T) {
	outs := buildExample(t)
	want := []string{"contacts-only-eas.mobileconfig", "contacts-only-eas.outlook.plist"}
	if len(outs) != len(want) {
		t.Fatalf("got %d outputs, want %v", len(outs), want)
	}
	for i, o := range outs {
		if o.Name != want[i] {
			t.Errorf("output %d is %s, want %s", i, o.Name, want[i])
		}
		golden.Check(t, filepath.Join("..", "testdata", "golden", o.Name), o.Data)
		if !bytes.HasSuffix(o.Data, []byte("\n")) || bytes.HasSuffix(o.Data, []byte("\n\n")) {
			t.Errorf("%s does not end in exactly one newline", o.Name)
		}
	}
}

func TestExampleOutlookLock(t *testing.T) {
	outs := buildExample(t)
	for _, o := range outs[1:] {
		s := string(o.Data)
		for _, key := range []string{"com.microsoft.outlook.Contacts.LocalSyncEnabled", "com.microsoft.outlook.Contacts.LocalSyncEnabled.UserChangeAllowed"} {
			re := regexp.MustCompile(`<key>` + regexp.QuoteMeta(key) + `</key>\s*<false/>`)
			if !re.MatchString(s) {
				t.Errorf("%s does not set %s to false", o.Name, key)
			}
		}
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	a, b := buildExample(t), buildExample(t)
	for i := range a {
		if !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s differs between two builds", a[i].Name)
		}
	}
}

func TestStarterTemplateIsTheExample(t *testing.T) {
	tmpl, err := templates.Read(templates.Default)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tmpl, ex) {
		t.Errorf("templates/%s and %s have drifted apart; the example is the starter", templates.Default, example)
	}
	if _, ds := Decode("starter.yaml", tmpl); ds.Errors() > 0 {
		t.Errorf("starter does not decode: %v", ds)
	}
}

func TestPayloadUUID(t *testing.T) {
	a, b := PayloadUUID("com.example.a"), PayloadUUID("com.example.b")
	if a == b {
		t.Fatal("different identifiers share a UUID")
	}
	if a != PayloadUUID("com.example.a") {
		t.Fatal("UUID is not stable")
	}
	if !regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`).MatchString(a) {
		t.Fatalf("%s is not an upper-case version 5 UUID", a)
	}
}

// TestUUIDsSurviveEdits checks the property that keeps devices from
// installing duplicates: editing settings keeps every UUID.
func TestUUIDsSurviveEdits(t *testing.T) {
	src, _ := os.ReadFile(example)
	edited := bytes.Replace(src, []byte("display_name: Work Contacts"), []byte("display_name: Contacts (work)"), 1)
	edited = bytes.Replace(edited, []byte("host: outlook.office365.com"), []byte("host: mail.example.com"), 1)
	uuids := func(data []byte) []string {
		p, ds := Decode("p.yaml", data)
		if ds.Errors() > 0 {
			t.Fatal(ds)
		}
		out, err := p.Mobileconfig(Options{})
		if err != nil {
			t.Fatal(err)
		}
		return regexp.MustCompile(`[0-9A-F]{8}-[0-9A-F-]{27}`).FindAllString(string(out), -1)
	}
	a, b := uuids(src), uuids(edited)
	if strings.Join(a, ",") != strings.Join(b, ",") || len(a) != 3 {
		t.Errorf("UUIDs changed with an edit: %v -> %v", a, b)
	}
}

// TestExamplesFolderHoldsOnlyPolicies keeps the README's main command
// building exactly the example policies: the CI pipelines under
// examples/ci are YAML too, and must not be read as policies.
func TestExamplesFolderHoldsOnlyPolicies(t *testing.T) {
	policies, ds := Load("../examples")
	if ds.Errors() > 0 || len(policies) != 1 || policies[0].File != filepath.Join("..", "examples", "contacts-only-eas.yaml") {
		t.Errorf("examples/ loads %d policies (%v)", len(policies), ds)
	}
}
