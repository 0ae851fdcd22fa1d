package profiles

import (
	"maps"
	"os"
	"strings"
	"testing"

	"howett.net/plist"
)

func exampleTemplate(t testing.TB) *Template {
	t.Helper()
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	p, ds := Decode("p.yaml", data)
	if ds.Errors() > 0 {
		t.Fatal(ds)
	}
	tmpl, err := p.Template()
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func TestTemplateRender(t *testing.T) {
	tmpl := exampleTemplate(t)
	if got := strings.Join(tmpl.Variables(), ","); got != "email,upn" {
		t.Fatalf("variables %s, want email,upn", got)
	}
	// Values with XML's special characters, quotes, non-ASCII and a
	// carriage return must come back exactly, through an independent parser.
	values := map[string]string{"email": `o'brien&co@example.com`, "upn": "Zoë <\"admin\">\r\nx@example.com"}
	data, err := tmpl.Render(values)
	if err != nil {
		t.Fatal(err)
	}
	var top struct {
		PayloadContent []map[string]any `plist:"PayloadContent"`
	}
	if _, err := plist.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	eas := top.PayloadContent[0]
	if eas["EmailAddress"] != values["email"] || eas["UserName"] != values["upn"] {
		t.Errorf("got %q / %q", eas["EmailAddress"], eas["UserName"])
	}
	if _, err := tmpl.Render(map[string]string{"email": "a@example.com"}); err == nil || !strings.Contains(err.Error(), "no value for ${user.upn}") {
		t.Errorf("missing value: %v", err)
	}
	if _, err := tmpl.Render(map[string]string{"email": "a\x01@example.com", "upn": "u"}); err == nil {
		t.Error("a control character XML cannot carry was written")
	}
}

// A user's values get the checks validate gives the fields they fill in,
// whole or in part; an escaped $${ is text, not a variable.
func TestTemplateCheckValuesFormats(t *testing.T) {
	p, ds := Decode("p.yaml", []byte(`version: 1
profile: {name: t, identifier: com.example.t}
exchange:
  auth: oauth
  host: ${user.shortname}.mail.example.com
  email: ${user.email}
  username: $${user.upn}
  oauth: {sign_in_url: "https://login.example.com/${user.id}/", token_request_url: "https://login.example.com/token"}
`))
	if ds.Errors() > 0 {
		t.Fatal(ds)
	}
	tmpl, err := p.Template()
	if err != nil {
		t.Fatal(err)
	}
	good := map[string]string{"shortname": "ada", "email": "ada@example.com", "id": "42"}
	for change, want := range map[string]string{
		"":                "",
		"email=ada":       `email: "ada" is not an email address, which exchange.email needs`,
		"email=a@b":       `email: "a@b" is not an email address, which exchange.email needs`,
		"shortname=a_b":   `shortname: exchange.host "${user.shortname}.mail.example.com" becomes "a_b.mail.example.com", which is not a host name or IP address`,
		"id=%zz":          `id: exchange.oauth.sign_in_url "https://login.example.com/${user.id}/" becomes "https://login.example.com/%zz/", which is not an https:// URL`,
		"email=a\x01@b.c": "email: ",
	} {
		values := maps.Clone(good)
		if k, v, ok := strings.Cut(change, "="); ok {
			values[k] = v
		}
		err := tmpl.CheckValues(values)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", change, err)
		case want != "" && (err == nil || !strings.HasPrefix(err.Error(), want)):
			t.Errorf("%s: got %v, want %s", change, err, want)
		}
	}
}

func TestTemplateRefusesDeviceVariables(t *testing.T) {
	p, _ := Decode("p.yaml", []byte("version: 1\nprofile: {name: t, identifier: com.example.t}\nexchange: {auth: oauth, username: \"${device.serial}\"}\n"))
	if _, err := p.Template(); err == nil || !strings.Contains(err.Error(), "${device.serial} cannot be filled in per user") {
		t.Errorf("got %v", err)
	}
}

func BenchmarkTemplateRender(b *testing.B) {
	tmpl := exampleTemplate(b)
	values := map[string]string{"email": "user@example.com", "upn": "user@example.com"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Render(values); err != nil {
			b.Fatal(err)
		}
	}
}
