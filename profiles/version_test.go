package profiles

import (
	"strings"
	"testing"
)

// TestMinIOSQuoted: an unquoted version is a number to every YAML reader
// but mdmforge, and loses digits there (13.10 is 13.1), so the decoder
// refuses it, as the JSON Schema does, and keeps a quoted one as written.
func TestMinIOSQuoted(t *testing.T) {
	for _, v := range []string{"13.0", "13.10", "16", "17.0_1"} {
		src := "version: 1\nprofile:\n  name: p\n  identifier: com.example.p\n  min_ios: " + v + "\nrestrictions: {requireManagedPasteboard: true}\n"
		_, ds := Decode("p.yaml", []byte(src))
		if strings.Contains(v, "_") {
			continue // text to YAML 1.2: the version check reports it
		}
		if ds.Errors() != 1 || ds[0].Path != "profile.min_ios" || ds[0].Pos.Line != 5 || ds[0].Pos.Column != 12 ||
			!strings.Contains(ds[0].Message, `write the version in quotes, "`+v+`"`) {
			t.Errorf("min_ios: %s unquoted: want one positioned error with the quoted fix, got\n%v", v, ds)
		}
		p, ds := Decode("p.yaml", []byte(strings.Replace(src, v, `"`+v+`"`, 1)))
		if ds.Errors() > 0 || p.Profile.MinIOS != v {
			t.Errorf("min_ios: %q quoted: want it kept as written, got %q\n%v", v, p.Profile.MinIOS, ds)
		}
	}
}
