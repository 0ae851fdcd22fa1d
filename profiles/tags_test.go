package profiles

import (
	"strings"
	"testing"
)

// TestExplicitTagsNeverChangeMeaning: a tag is either honoured exactly or
// refused at its value, in settings and in payload keys alike.
func TestExplicitTagsNeverChangeMeaning(t *testing.T) {
	payload := func(v string) string {
		return head + "payloads:\n  - name: p\n    type: com.example.p\n    keys:\n      K: " + v + "\n"
	}
	ssl := func(v string) string {
		return head + strings.Replace(exchangeOK, "  auth: oauth", "  auth: oauth\n  ssl: "+v, 1)
	}
	for _, tt := range []struct {
		name, src, path, at, want string
	}{
		{"!!bool yes", ssl(`!!bool "yes"`), "exchange.ssl", "11:8", `want true or false, got "yes"`},
		{"!!bool no, plain", ssl(`!!bool no`), "exchange.ssl", "11:8", `want true or false, got "no"`},
		{"!!bool 1", ssl(`!!bool 1`), "exchange.ssl", "11:8", `want true or false, got "1"`},
		{"!!bool in keys", payload(`!!bool "yes"`), "payloads[0].keys.K", "10:10", `want true or false, got "yes"`},
		{"!!int text", payload(`!!int "ten"`), "payloads[0].keys.K", "10:10", `want a whole number, got "ten"`},
		{"!!float text", payload(`!!float "x"`), "payloads[0].keys.K", "10:10", `want a number, got "x"`},
		{"!!null text", ssl(`!!null "yes"`), "exchange.ssl", "11:8", `want nothing, got "yes"`},
		{"!!int on text", head + "exchange:\n  host: !!int 5\n", "exchange.host", "7:9", "want text, got number 5 tagged !!int"},
		{"!!binary on text", head + "exchange:\n  host: !!binary aGVsbG8=\n", "exchange.host", "7:9", "tagged !!binary"},
		{"custom tag on a setting", head + "exchange:\n  host: !secret x\n", "exchange.host", "7:9", "unsupported YAML tag !secret here"},
		{"custom tag on a mapping", payload(`!secret {a: 1}`), "payloads[0].keys.K", "10:10", "unsupported YAML tag !secret on a mapping"},
		{"custom tag on a list", head + "exchange:\n  host: x\n  sync: !set [mail]\n", "exchange.sync", "8:9", "unsupported YAML tag !set on a list"},
		{"custom tag in keys", payload(`!secret x`), "payloads[0].keys.K", "10:10", "unsupported YAML tag !secret"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ds := findings(tt.src)
			var got []string
			for _, d := range ds {
				got = append(got, d.String())
			}
			if len(ds) != 1 || ds[0].Path != tt.path || !strings.Contains(ds[0].Pos.String(), tt.at) || !strings.Contains(ds[0].Message, tt.want) {
				t.Errorf("got %q\nwant one finding at %s %s: %s", got, tt.path, tt.at, tt.want)
			}
		})
	}
	// Honoured exactly.
	for _, v := range []string{`!!bool true`, `!!bool "False"`, `!!str yes`, `!!map {a: 1}`, `!!seq [1]`, `!uuid p`} {
		if _, ds := Decode("t.yaml", []byte(payload(v))); len(ds) != 0 {
			t.Errorf("%s: %v", v, ds)
		}
	}
	if ds := findings(ssl(`!!bool "true"`)); len(ds) != 0 {
		t.Errorf("!!bool \"true\": %v", ds)
	}
}
