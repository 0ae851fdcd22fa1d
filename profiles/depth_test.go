package profiles

import (
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/plisttest"
	"github.com/mdmforge/mdmforge/internal/propertylist"
	"howett.net/plist"
)

// TestDeepProfileRefusedByCommands checks that lint and import, which
// decode what users give them, refuse a million nested arrays with a
// finding instead of dying.
func TestDeepProfileRefusedByCommands(t *testing.T) {
	data := plisttest.NestedXML(1_000_000)
	ds := Lint("deep.mobileconfig", data, Devices{})
	if len(ds) != 1 || ds[0].Pos.File != "deep.mobileconfig" || !strings.Contains(ds[0].Message, "nests more than 128 levels") {
		t.Errorf("lint: %v", ds)
	}
	if _, err := Import("deep.mobileconfig", data); err == nil || !strings.Contains(err.Error(), "nests more than 128 levels") {
		t.Errorf("import: %v", err)
	}
	bin := plisttest.Binary(plisttest.Chain(10_000))
	if ds := Lint("deep.plist", bin, Devices{}); len(ds) != 1 || !strings.Contains(ds[0].Message, "nests more than 128 levels") {
		t.Errorf("lint, binary: %v", ds)
	}
}

// TestCheckDepthAcceptsProfiles checks that ordinary profiles in every
// format pass, including text that only looks like nesting.
func TestCheckDepthAcceptsProfiles(t *testing.T) {
	p, ds := Decode("p.yaml", []byte(head+exchangeOK))
	if ds.Errors() > 0 {
		t.Fatal(ds)
	}
	data, err := p.Mobileconfig(Options{Target: Intune})
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if _, err := plist.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	bin, err := plist.Marshal(v, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	text := []byte(`{ a = "(((((" ; b = <0fab> ; c = <*I5> ; // ((((
	d = /* { */ ( x, "\"(" ) ; }`)
	deepString := []byte("<plist><string>" + strings.Repeat("(", 1000) + "</string></plist>")
	for name, data := range map[string][]byte{"xml": data, "binary": bin, "text": text, "xml string": deepString} {
		if err := propertylist.CheckDepth(data); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// BenchmarkLintManyKeys lints a profile of 100,000 keys, whose key
// positions once took time quadratic in the file's length. It lives here,
// beside the profile it builds, rather than in a lint test file.
func BenchmarkLintManyKeys(b *testing.B) {
	data := plisttest.ManyKeysProfile(100_000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Lint("many.mobileconfig", data, Devices{})
	}
}
