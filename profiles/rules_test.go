package profiles

import (
	"fmt"
	"strings"
	"testing"
)

const head = `version: 1
profile:
  name: t
  identifier: com.example.t
  min_ios: "13.0"
`

// exchangeOK is a valid account the cases below vary.
const exchangeOK = `exchange:
  host: outlook.office365.com
  email: ${user.email}
  username: ${user.upn}
  auth: oauth
  sync: [contacts]
  users_can_change_sync: false
`

// want is one expected finding: "error exchange.auth @8:9: substring".
type want struct {
	sev  Severity
	path string
	pos  string // line:col, or "" to skip
	msg  string
}

func (w want) String() string {
	return fmt.Sprintf("%s %s @%s: %s", w.sev, w.path, w.pos, w.msg)
}

func findings(src string) Diagnostics {
	p, ds := Decode("t.yaml", []byte(src))
	if p != nil && ds.Errors() == 0 {
		ds = append(ds, Validate(p)...)
	}
	return ds
}

func matches(d Diagnostic, w want) bool {
	if d.Severity != w.sev || d.Path != w.path || !strings.Contains(d.Message, w.msg) {
		return false
	}
	return w.pos == "" || fmt.Sprintf("%d:%d", d.Pos.Line, d.Pos.Column) == w.pos
}

func TestRules(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []want // every finding, exactly
	}{
		{"valid", head + exchangeOK, nil},
		{"missing version", strings.Replace(head, "version: 1\n", "", 1) + exchangeOK,
			[]want{{Error, "version", "", "missing; write version: 1"}}},
		{"future version", strings.Replace(head, "version: 1", "version: 2", 1) + exchangeOK,
			[]want{{Error, "version", "1:10", "reads policy format 1, not 2"}}},
		{"missing profile", "version: 1\n" + exchangeOK,
			[]want{{Error, "profile", "", "a policy needs profile.name"}, {Warning, "exchange.users_can_change_sync", "8:26", "set profile.min_ios"}}},
		{"unsafe name", strings.Replace(head, "name: t", "name: ../etc", 1) + exchangeOK,
			[]want{{Error, "profile.name", "3:9", "not a safe file name"}}},
		{"identifier not reverse-DNS", strings.Replace(head, "com.example.t", "contacts", 1) + exchangeOK,
			[]want{{Warning, "profile.identifier", "4:15", "not a reverse-DNS identifier"}}},
		{"imported identifier not reverse-DNS", strings.Replace(head, "com.example.t", "8A2C6B1E-7D4F-4E3A-9B5C-1D2E3F405162\n  imported: true", 1) + exchangeOK, nil},
		{"payload identifier not reverse-DNS", head + "payloads:\n  - {name: w, type: com.apple.webClip.managed, identifier: 5F1E, keys: {URL: https://example.com, Label: W}}\n",
			[]want{{Warning, "payloads[0].identifier", "7:60", "not a reverse-DNS identifier"}}},
		{"imported payload identifier is the profile's", strings.Replace(head, "com.example.t", "com.example.t\n  imported: true", 1) +
			"payloads:\n  - {name: a, type: com.apple.webClip.managed, identifier: com.example.t, uuid: 0B0F6C9E-5C43-4C39-9A53-2B0A1F2E3D4C, keys: {URL: https://example.com, Label: A}}\n" +
			"  - {name: b, type: com.apple.webClip.managed, identifier: com.example.t, uuid: 0B0F6C9E-5C43-4C39-9A53-2B0A1F2E3D4C, keys: {URL: https://example.com, Label: B}}\n",
			[]want{{Error, "payloads[1].identifier", "9:60", "has the PayloadUUID 0B0F6C9E"}}},
		{"payload identifier is the profile's", head +
			"payloads:\n  - {name: a, type: com.apple.webClip.managed, identifier: com.example.t, keys: {URL: https://example.com, Label: A}}\n",
			[]want{{Error, "payloads[0].identifier", "7:60", "has the identifier \"com.example.t\", as the profile has"}, {Error, "payloads[0].identifier", "7:60", "has the PayloadUUID"}}},
		{"identifier with variable", strings.Replace(head, "com.example.t", "com.example.${user.id}", 1) + exchangeOK,
			[]want{{Error, "profile.identifier", "4:15", "cannot use variables"}}},
		{"bad min_ios", strings.Replace(head, `"13.0"`, "thirteen", 1) + exchangeOK,
			[]want{{Error, "profile.min_ios", "5:12", "not an iOS version"}}},
		{"nothing to build", head, []want{{Error, "", "1:1", "produces nothing"}}},
		{"bad host", head + strings.Replace(exchangeOK, "outlook.office365.com", "https://outlook.office365.com/EWS", 1),
			[]want{{Error, "exchange.host", "7:9", "not a host name"}}},
		{"ip host", head + strings.Replace(exchangeOK, "outlook.office365.com", "10.0.0.1", 1), nil},
		{"bad email", head + strings.Replace(exchangeOK, "${user.email}", "someone", 1),
			[]want{{Error, "exchange.email", "8:10", "not an email address"}}},
		{"email built from a variable", head + strings.Replace(exchangeOK, "${user.email}", "${user.shortname}@example.com", 1), nil},
		{"unknown variable", head + strings.Replace(exchangeOK, "${user.email}", "${user.mail}", 1),
			[]want{{Error, "exchange.email", "8:10", `unknown variable ${user.mail}; did you mean ${user.email}?`}}},
		{"variable later in the text", head + strings.Replace(exchangeOK, "${user.email}", "x${usr.shortname}@example.com", 1),
			[]want{{Error, "exchange.email", "8:11", "unknown variable ${usr.shortname}"}}},
		{"unclosed variable", head + strings.Replace(exchangeOK, "${user.email}", "${user.email", 1),
			[]want{{Error, "exchange.email", "8:10", `"${" is not closed`}}},
		{"escaped dollar", head + strings.Replace(exchangeOK, "username: ${user.upn}", "username: $${literal}", 1), nil},
		{"missing auth", head + strings.Replace(exchangeOK, "  auth: oauth\n", "", 1),
			[]want{{Error, "exchange.auth", "", "missing; choose oauth, password or certificate"}}},
		{"misspelt auth", head + strings.Replace(exchangeOK, "auth: oauth", "auth: oath", 1),
			[]want{{Error, "exchange.auth", "10:9", `did you mean "oauth"?`}}},
		{"oauth with password", head + exchangeOK + "  password: hunter2\n",
			[]want{{Error, "exchange.password", "13:13", "OAuth accounts must not carry a password"}}},
		{"password auth with password", head + strings.Replace(exchangeOK, "auth: oauth", "auth: password", 1) + "  password: hunter2\n",
			[]want{{Warning, "exchange.password", "13:13", "plain text"}}},
		{"sign-in URL without host", head + strings.Replace(exchangeOK, "  host: outlook.office365.com\n", "", 1) +
			"  oauth:\n    sign_in_url: https://login.example.com/authorize\n",
			[]want{{Error, "exchange.oauth.sign_in_url", "13:18", "needs exchange.host"}}},
		{"sign-in URL not https", head + exchangeOK + "  oauth:\n    sign_in_url: http://login.example.com/\n",
			[]want{{Error, "exchange.oauth.sign_in_url", "14:18", "not an https:// URL"}}},
		{"oauth URLs without oauth", head + strings.Replace(exchangeOK, "auth: oauth", "auth: password", 1) + "  oauth:\n    token_request_url: https://login.example.com/token\n",
			[]want{{Warning, "exchange.oauth", "13:3", "ignores the OAuth URLs"}}},
		{"no data type", head + strings.Replace(exchangeOK, "[contacts]", "[]", 1),
			[]want{{Error, "exchange.sync", "11:9", "sync at least one data type"}}},
		{"unknown data type", head + strings.Replace(exchangeOK, "[contacts]", "[contacts, contact]", 1),
			[]want{{Error, "exchange.sync[1]", "11:20", `did you mean "contacts"?`}}},
		{"data type twice", head + strings.Replace(exchangeOK, "[contacts]", "[contacts, contacts]", 1),
			[]want{{Error, "exchange.sync[1]", "11:20", "listed twice"}}},
		{"lock on old iOS", strings.Replace(head, `"13.0"`, `"12.4"`, 1) + exchangeOK,
			[]want{{Warning, "exchange.users_can_change_sync", "12:26", "need iOS 13 or later; older iOS syncs every type, but profile.min_ios is 12.4"}}},
		{"lock without min_ios", strings.Replace(head, "  min_ios: \"13.0\"\n", "", 1) + exchangeOK,
			[]want{{Warning, "exchange.users_can_change_sync", "", "set profile.min_ios to 13.0"}}},
		{"all types, unlocked, old iOS", strings.Replace(head, `"13.0"`, `"12.0"`, 1) +
			strings.NewReplacer("  sync: [contacts]\n", "", "  users_can_change_sync: false\n", "").Replace(exchangeOK), nil},
		{"mail days without mail", head + exchangeOK + "  mail_days: 14\n",
			[]want{{Warning, "exchange.mail_days", "13:14", "mail is not synced"}}},
		{"mail days not allowed", head + exchangeOK + "  mail_days: 10\n",
			[]want{{Error, "exchange.mail_days", "13:14", "MailNumberOfPastDaysToSync is 10; Apple allows 0, 1, 3, 7, 14 or 31"}}},
		{"no username", head + strings.Replace(exchangeOK, "  username: ${user.upn}\n", "", 1),
			[]want{{Warning, "exchange", "6:1", "username is not set"}}},
		{"certificate auth without certificate", head + strings.Replace(exchangeOK, "auth: oauth", "auth: certificate", 1),
			[]want{{Error, "exchange.certificate", "", "needs the name of a payloads entry"}}},
		{"certificate names no payload", head + strings.Replace(exchangeOK, "auth: oauth", "auth: certificate", 1) + "  certificate: idenity\n" +
			"payloads:\n  - name: identity\n    type: com.apple.security.scep\n    keys:\n      PayloadContent:\n        URL: https://scep.example.com\n",
			[]want{{Error, "exchange.certificate", "13:16", `did you mean "identity"?`}}},
		{"certificate names a non-identity payload", head + strings.Replace(exchangeOK, "auth: oauth", "auth: certificate", 1) + "  certificate: wifi\n" +
			"payloads:\n  - name: wifi\n    type: com.apple.wifi.managed\n    keys:\n      SSID_STR: Example\n",
			[]want{{Error, "exchange.certificate", "13:16", "not an identity payload"}}},
		{"certificate auth", head + strings.Replace(exchangeOK, "auth: oauth", "auth: certificate", 1) + "  certificate: identity\n" +
			"payloads:\n  - name: identity\n    type: com.apple.security.scep\n    keys:\n      PayloadContent:\n        URL: https://scep.example.com\n", nil},
		{"contacts keys without managed-open block", head + "restrictions:\n  allowManagedToWriteUnmanagedContacts: false\n",
			[]want{{Warning, "restrictions.allowManagedToWriteUnmanagedContacts", "7:41", "no effect unless allowOpenFromManagedToUnmanaged is false"}}},
		{"contacts keys with managed-open block", head + "restrictions:\n  allowOpenFromManagedToUnmanaged: false\n  allowUnmanagedToReadManagedContacts: false\n", nil},
		{"account modification is supervised", head + "restrictions:\n  allowAccountModification: false\n",
			[]want{{Warning, "restrictions.allowAccountModification", "7:29", "supervised devices only"}}},
		{"managed pasteboard needs iOS 15", head + "restrictions:\n  requireManagedPasteboard: true\n",
			[]want{{Warning, "restrictions.requireManagedPasteboard", "7:29", "needs iOS 15"}}},
		{"save contacts on with EAS contacts", head + exchangeOK + "outlook:\n  save_contacts: true\n  users_can_change_save_contacts: false\n",
			[]want{{Warning, "outlook.save_contacts", "14:18", "users get every contact twice"}}},
		{"save contacts changeable with EAS contacts", head + exchangeOK + "outlook:\n  save_contacts: false\n",
			[]want{{Warning, "outlook", "13:1", "users may turn Save Contacts back on"}}},
		{"save contacts without EAS contacts", head + "outlook:\n  save_contacts: true\n", nil},
		{"unknown top-level key", head + exchangeOK + "  \nprofile_x: 1\n",
			[]want{{Error, "profile_x", "14:1", `unknown setting "profile_x"; did you mean "profile"?`}}},
		{"removal disallowed", strings.Replace(head, "  min_ios", "  removal:\n    disallowed: true\n    date: 2027-06-30\n    after: 90d\n  min_ios", 1) + exchangeOK,
			[]want{{Warning, "profile.removal.disallowed", "6:17", "supervised devices only"}}},
		{"bad removal date and duration", strings.Replace(head, "  min_ios", "  removal:\n    date: next year\n    after: 3 weeks\n  min_ios", 1) + exchangeOK,
			[]want{{Error, "profile.removal.date", "6:11", "not a date"}, {Error, "profile.removal.after", "7:12", "not a duration"}}},
		{"name of a signed copy", strings.Replace(head, "name: t", "name: t.signed", 1) + exchangeOK,
			[]want{{Error, "profile.name", "3:9", "ends in .signed"}}},
		{"removal after overflows", strings.Replace(head, "  min_ios", "  removal:\n    after: 200000d\n  min_ios", 1) + exchangeOK,
			[]want{{Error, "profile.removal.after", "6:12", "of at most 100 years"}}},
		{"sync with no value is unset, so every type syncs", head + strings.Replace(exchangeOK, "  sync: [contacts]\n", "  sync:\n", 1), nil},
		{"payload identifier repeats the exchange block's", head + exchangeOK + "payloads:\n  - name: w\n    type: com.apple.wifi.managed\n    identifier: com.example.t.exchange\n    keys: {SSID_STR: x}\n",
			[]want{{Error, "payloads[0].identifier", "16:17", `payloads[0] (w) has the identifier "com.example.t.exchange", as the exchange block has (t.yaml:6:1)`},
				{Error, "payloads[0].identifier", "16:17", "has the PayloadUUID"}}},
		{"payload identifier with a variable", head + "payloads:\n  - name: w\n    type: com.apple.wifi.managed\n    identifier: com.example.${user.id}\n    keys: {SSID_STR: x}\n",
			[]want{{Error, "payloads[0].identifier", "9:17", "cannot use variables"}}},
		{"profile uuid with a variable", strings.Replace(head, "  min_ios", "  uuid: ${user.id}\n  min_ios", 1) + exchangeOK,
			[]want{{Error, "profile.uuid", "5:9", "cannot use variables"}}},
		{"reserved key under profile.keys", strings.Replace(head, "  min_ios", "  keys:\n    PayloadUUID: x\n  min_ios", 1) + exchangeOK,
			[]want{{Error, "profile.keys.PayloadUUID", "6:5", "set it with profile.uuid"}}},
		{"all errors in one run", head + strings.Replace(exchangeOK, "auth: oauth", "auth: oath", 1) +
			"payloads:\n  - name: c\n    type: com.apple.webClip.managed\n    keys: {Lable: A, URL: https://example.com}\n",
			[]want{{Error, "exchange.auth", "10:9", `did you mean "oauth"?`}, {Error, "payloads[0].keys.Lable", "16:12", `did you mean "Label"?`},
				{Error, "payloads[0].keys", "16:11", "missing Label, which Apple's schema requires"}}},
		{"payload keys nested too deep", head + "payloads:\n  - name: w\n    type: com.apple.wifi.managed\n" + "    keys:\n      K: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
			[]want{{Error, "payloads[0].keys.K" + strings.Repeat("[0]", 119), "10:" + fmt.Sprint(10+119), "nests more than 120 levels deep"}}},
		{"secret of the wrong type is not quoted", head + "payloads:\n  - name: w\n    type: com.apple.wifi.managed\n    keys: {SSID_STR: x, Password: 12345678}\n",
			[]want{{Error, "payloads[0].keys.Password", "9:25", "Password wants text, got a whole number"}}},
		{"payload sets reserved key", head + "payloads:\n  - name: wifi\n    type: com.apple.wifi.managed\n    keys:\n      PayloadUUID: x\n      SSID_STR: Example\n",
			[]want{{Error, "payloads[0].keys.PayloadUUID", "10:7", "is set by mdmforge"}}},
		{"payload without type and a bad name", head + "payloads:\n  - name: my.wifi\n",
			[]want{{Error, "payloads[0].name", "7:11", "use letters, digits"}, {Error, "payloads[0].type", "7:5", "missing"}}},
		{"payload null value", head + "payloads:\n  - name: wifi\n    type: com.apple.wifi.managed\n    keys:\n      SSID_STR:\n",
			[]want{{Error, "payloads[0].keys.SSID_STR", "10:16", "property lists have no null"}}},
		{"two payloads one name", head + "payloads:\n  - name: a\n    type: com.apple.wifi.managed\n  - name: a\n    type: com.apple.wifi.managed\n",
			[]want{{Error, "payloads[1].name", "9:11", "also the name of payloads[0]"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectFindings(t, findings(tt.src), tt.want) })
	}
}

// expectFindings checks ds holds exactly the wanted findings, in any order.
func expectFindings(t *testing.T, ds Diagnostics, want []want) {
	t.Helper()
	used := make([]bool, len(ds))
	for _, w := range want {
		found := false
		for i, d := range ds {
			if !used[i] && matches(d, w) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("missing finding %v", w)
		}
	}
	for i, d := range ds {
		if !used[i] {
			t.Errorf("unexpected finding:\n%s", d)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want want
	}{
		{"empty", "", want{Error, "", "", "file is empty"}},
		{"only comments", "# nothing\n", want{Error, "", "", "file is empty"}},
		{"not a mapping", "- a\n- b\n", want{Error, "", "1:1", "want a mapping of policy settings"}},
		{"malformed", "version: 1\nprofile: [\n", want{Error, "profile", "2:10", "this [ is not closed by ]"}},
		{"malformed, in the parser's words", "version: 1\nprofile: *nothing\n", want{Error, "", "", "invalid YAML: unknown anchor 'nothing' referenced"}},
		{"tab indentation", "version: 1\nprofile:\n\tname: t\n", want{Error, "", "3:1", "tab character in indentation"}},
		{"unknown key", head + "exchange:\n  hots: x\n", want{Error, "exchange.hots", "7:3", `did you mean "host"?`}},
		{"unknown key far from any", head + "exchange:\n  zzzzzzzz: x\n", want{Error, "exchange.zzzzzzzz", "7:3", "known: account_name, host"}},
		{"snake case Apple key", head + "restrictions:\n  allow_open_from_managed_to_unmanaged: false\n",
			want{Error, "restrictions.allow_open_from_managed_to_unmanaged", "7:3", `did you mean "allowOpenFromManagedToUnmanaged"?`}},
		{"yes for a boolean", head + "exchange:\n  ssl: yes\n", want{Error, "exchange.ssl", "7:8", "want true or false, got \"yes\""}},
		{"text for a boolean", head + "exchange:\n  ssl: sometimes\n", want{Error, "exchange.ssl", "7:8", "want true or false, got text \"sometimes\""}},
		{"quoted number", head + "exchange:\n  mail_days: \"7\"\n", want{Error, "exchange.mail_days", "7:14", "remove the quotes"}},
		{"real for a number", head + "exchange:\n  mail_days: 7.5\n", want{Error, "exchange.mail_days", "7:14", "want a whole number, got number 7.5"}},
		{"boolean for text", head + "exchange:\n  host: true\n", want{Error, "exchange.host", "7:9", "want text, got boolean true"}},
		{"mapping for text", head + "exchange:\n  host: {a: b}\n", want{Error, "exchange.host", "7:9", "want text, got a mapping"}},
		{"scalar for a list", head + "exchange:\n  sync: contacts\n", want{Error, "exchange.sync", "7:9", "want a list, got text \"contacts\""}},
		{"scalar for a block", head + "exchange: yes\n", want{Error, "exchange", "6:11", "want a mapping of settings"}},
		{"duplicate key", head + "exchange:\n  host: a.example.com\n  host: b.example.com\n", want{Error, "exchange.host", "8:3", "set twice; first set at line 7"}},
		{"two documents", head + "---\nversion: 1\n", want{Error, "", "6:1", "one policy"}},
		{"not UTF-8", "version: 1\nprofile:\n  name: caf\xe9\n", want{Error, "", "3:12", "not UTF-8"}},
		{"UTF-16", "\xff\xfev\x00", want{Error, "", "", "UTF-16"}},
		{"NUL byte", "version: 1\x00\n", want{Error, "", "1:11", "NUL byte"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := Decode("t.yaml", []byte(tt.src))
			if len(ds) != 1 || !matches(ds[0], tt.want) {
				t.Errorf("got %v\nwant exactly %v", ds, tt.want)
			}
		})
	}
}

func TestDecodeReportsEveryError(t *testing.T) {
	src := head + "exchange:\n  ssl: yes\n  hots: x\n  mail_days: \"7\"\noutlook:\n  save_contact: false\n"
	_, ds := Decode("t.yaml", []byte(src))
	if len(ds) != 4 {
		t.Fatalf("want 4 findings in one run, got %d:\n%v", len(ds), ds)
	}
}

func TestAliasBombIsBounded(t *testing.T) {
	// Ten levels of ten aliases each: 10^10 values if expanded.
	src := head + "payloads:\n  - name: p\n    type: com.example.p\n    keys:\n      a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for c := 'b'; c <= 'j'; c++ {
		p := "*" + string(c-1)
		src += fmt.Sprintf("      %c: &%c [%s]\n", c, c, strings.Repeat(p+", ", 9)+p)
	}
	ds := findings(src)
	if len(ds) != 1 || !strings.Contains(ds[0].Message, "expands to more than") {
		t.Errorf("alias bomb not reported once; got %v", ds)
	}
}

func TestUTF8BOMIsAccepted(t *testing.T) {
	if _, ds := Decode("t.yaml", []byte("\xef\xbb\xbf"+head+exchangeOK)); len(ds) != 0 {
		t.Errorf("a UTF-8 byte order mark should be accepted: %v", ds)
	}
}

func TestDiagnosticString(t *testing.T) {
	d := Diagnostic{Severity: Error, Path: "exchange.auth", Pos: Pos{File: "p.yaml", Line: 3, Column: 9}, Message: "bad"}
	if got, want := d.String(), "error: exchange.auth: bad\n    p.yaml:3:9"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
