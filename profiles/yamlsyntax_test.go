package profiles

import (
	"strings"
	"testing"
)

// TestSyntaxErrors: each common YAML mistake is one finding, at the line
// and column of the mistake rather than where the parser gave up, in plain
// words, with the YAML path when it is clear.
func TestSyntaxErrors(t *testing.T) {
	const head = "version: 1\nprofile: {name: p, identifier: com.example.p}\n"
	for _, tc := range []struct {
		name, src, path, pos, want string
	}{
		{"bad indent two lines below a key", head + "exchange:\n  host: outlook.office365.com\n  auth: oauth\n    ssl: true\n  username: a\n",
			"exchange.ssl", "6:5", "indented more than the setting above expects: auth on line 5 already has a value"},
		{"indented less than its block", head + "exchange:\n  host: outlook.office365.com\n auth: oauth\n",
			"", "5:2", "indented 1 space, which lines it up with nothing above: indent it 2 spaces to stay in the block above, or 0 spaces to end it"},
		{"missing space after colon", head + "exchange:\n  host:outlook.office365.com\n  auth: oauth\n",
			"exchange.host", "4:8", `no space after the colon: YAML reads "host:outlook.office365.com" as text, not a setting; write host: outlook.office365.com`},
		{"missing space after colon, last line", head + "exchange:\n  host: outlook.office365.com\n  auth:oauth\n  ssl: true\n",
			"exchange.auth", "5:8", "no space after the colon"},
		{"unclosed double quote", head + "exchange:\n  host: \"outlook.office365.com\n  auth: oauth\n",
			"exchange.host", "4:9", "this quote is not closed: end the value with \""},
		{"unclosed single quote", head + "exchange:\n  host: 'outlook.office365.com\n  auth: oauth\n",
			"exchange.host", "4:9", "this quote is not closed: end the value with '"},
		{"unclosed flow map", "version: 1\nprofile: {name: p, identifier: com.example.p\nexchange:\n  auth: oauth\n",
			"profile", "2:10", "this { is not closed by } before the next setting"},
		{"unclosed flow list", head + "exchange:\n  auth: oauth\n  sync: [mail, contacts\n  ssl: true\n",
			"exchange.sync", "5:9", "this [ is not closed by ]"},
		{"list item under a mapping", head + "exchange:\n  host: outlook.office365.com\n  - contacts\n  auth: oauth\n",
			"exchange", "5:3", "a list item among settings: host on line 4 already has a value"},
		{"second colon in a value", "version: 1\nprofile:\n  name: p\n  identifier: com.example.p: x\n",
			"profile.identifier", "4:28", "a second colon in the value of identifier: quote the value"},
		{"missing colon after a block's name", head + "exchange\n  host: outlook.office365.com\n  auth: oauth\n",
			"exchange", "3:9", "no colon after exchange: write exchange: to put the lines below under it"},
		{"missing colon after a setting", head + "exchange:\n  account_name Work Contacts\n  host: outlook.office365.com\n",
			"exchange.account_name", "4:15", "no colon after account_name: write account_name: Work Contacts"},
		{"missing colon after the last setting", head + "exchange:\n  host: outlook.office365.com\n  auth oauth\n",
			"exchange.auth", "5:7", "no colon after auth: write auth: oauth"},
		{"missing comma in a flow map", "version: 1\nprofile: {name: p identifier: com.example.p}\n",
			"profile", "2:19", "a comma is missing before identifier"},
		{"tab", "version: 1\nprofile:\n\tname: p\n", "", "3:1", "tab character in indentation"},
		{"duplicate key", head + "exchange:\n  auth: oauth\n  auth: password\n", "exchange.auth", "5:3", "set twice; first set at line 4"},
		{"setting among list items", head + "exchange:\n  sync:\n    - mail\n    auth: oauth\n", "exchange.sync", "6:5", "a setting among list items"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ds := Decode("p.yaml", []byte(tc.src))
			if len(ds) != 1 || ds[0].Path != tc.path || ds[0].Pos.String() != "p.yaml:"+tc.pos || !strings.Contains(ds[0].Message, tc.want) {
				t.Errorf("want one finding %s: %s at p.yaml:%s, got\n%v", tc.path, tc.want, tc.pos, ds)
			}
		})
	}
}

// TestSyntaxScannerAcceptsValidYAML: the scanner must find nothing in YAML
// the parser accepts, or it would blame a good line for a mistake elsewhere.
func TestSyntaxScannerAcceptsValidYAML(t *testing.T) {
	for _, src := range []string{
		"version: 1\nprofile: {name: p, identifier: com.example.p}\nexchange:\n  sync:\n  - mail\n  - contacts\n  auth: oauth\n",
		"payloads:\n  - name: w\n    type: com.apple.wifi.managed\n    keys:\n      SSID_STR: x # comment\n      Nested:\n        - {a: 1, b: [1, 2]}\n        - - x\n          - y\n  - name: v\n",
		"profile:\n  description: |\n    text: with colons\n      - and dashes\n\n  name: p\n",
		"profile:\n  description: a long line\n    going on below\n  name: p\n",
		"profile: {\n  name: p,\n  identifier: x\n}\nexchange: [\n  a, b]\n",
		"profile:\n  description: \"quoted over\n    two lines\"\n  name: 'it''s'\n",
		"exchange:\n  oauth:\n    sign_in_url: https://login.example.com/a:b\n  host: \"a: b\"\n",
		"base: &b\n  x: 1\nother:\n  <<: *b\n",
		"key: \"a \\\" quote\"\n# comment\n---\n",
		"  version: 1\n  profile:\n    name: p\n\t# a tab before a comment is allowed\n",
		"profile: {name: p, keys: {ConsentText: {en: Hello, fr: Bonjour}}, url: \"https://a:b\"}\nx: {a: [1, 2], b: {c: d}}\n",
	} {
		if p, ok := findSyntaxProblem([]byte(src)); ok {
			t.Errorf("valid YAML, but the scanner reports line %d:%d: %s\n%s", p.line, p.col, p.msg, src)
		}
	}
}

// BenchmarkSyntaxError times the report of a mistake at the end of a policy
// of the largest size allowed: the source is read once, line by line.
func BenchmarkSyntaxError(b *testing.B) {
	var src strings.Builder
	src.WriteString("version: 1\nprofile: {name: p, identifier: com.example.p}\npayloads:\n")
	for src.Len() < MaxPolicySize-200 {
		src.WriteString("  - name: w\n    type: com.apple.wifi.managed\n    keys: {SSID_STR: \"x\", AutoJoin: true}\n")
	}
	src.WriteString("  - name: last\n    type: x\n      keys: {}\n")
	data := []byte(src.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, ds := Decode("p.yaml", data); len(ds) != 1 || ds[0].Pos.Column == 0 {
			b.Fatal(ds)
		}
	}
}
