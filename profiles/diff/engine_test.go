package diff

import (
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/golden"

	"github.com/mdmforge/mdmforge/internal/plisttest"
	"github.com/mdmforge/mdmforge/profiles"
	"howett.net/plist"
)

func diffPayload(typ, id string, keys map[string]any) map[string]any {
	p := map[string]any{"PayloadType": typ, "PayloadIdentifier": id, "PayloadUUID": profiles.PayloadUUID(id), "PayloadVersion": int64(1)}
	for k, v := range keys {
		p[k] = v
	}
	return p
}

func diffProfileTree(id string, payloads ...map[string]any) map[string]any {
	content := make([]any, len(payloads))
	for i, p := range payloads {
		content[i] = p
	}
	return map[string]any{"PayloadType": "Configuration", "PayloadIdentifier": id, "PayloadUUID": profiles.PayloadUUID(id),
		"PayloadVersion": int64(1), "PayloadContent": content}
}

func diffEAS(keys map[string]any) map[string]any {
	return diffPayload("com.apple.eas.account", "com.example.p.exchange", keys)
}

func diffRestrictions(keys map[string]any) map[string]any {
	return diffPayload("com.apple.applicationaccess", "com.example.p.restrictions", keys)
}

// shown drops the hidden changes, as reports do.
func diffShown(cs []Change) []Change {
	var out []Change
	for _, c := range cs {
		if !c.Hidden {
			out = append(out, c)
		}
	}
	return out
}

func diffKinds(qs []Consequence) []ConsequenceKind {
	var out []ConsequenceKind
	for _, q := range qs {
		out = append(out, q.Kind)
	}
	return out
}

func TestDiffTreesMatchesPayloadsByIdentifier(t *testing.T) {
	a := diffProfileTree("com.example.p", diffEAS(map[string]any{"Host": "h"}), diffRestrictions(map[string]any{"allowCamera": false}))
	b := diffProfileTree("com.example.p", diffRestrictions(map[string]any{"allowCamera": false}), diffEAS(map[string]any{"Host": "h"}))
	if cs := Trees(a, b, Options{}); len(cs) != 0 {
		t.Fatalf("reordered payloads reported as changes: %+v", cs)
	}
	b = diffProfileTree("com.example.p", diffRestrictions(map[string]any{"allowCamera": true}), diffEAS(map[string]any{"Host": "h"}))
	cs := Trees(a, b, Options{})
	want := []Change{{Kind: Changed, Scope: ScopePayload, Payload: "com.example.p.restrictions", PayloadType: "com.apple.applicationaccess",
		Path: "allowCamera", Before: false, After: true, BeforeType: "boolean", AfterType: "boolean"}}
	if !reflect.DeepEqual(cs, want) {
		t.Errorf("got %+v\nwant %+v", cs, want)
	}
}

func TestDiffTreesComparesTypes(t *testing.T) {
	a := diffProfileTree("com.example.p", diffEAS(map[string]any{"Port": uint64(1), "Name": "1"}))
	b := diffProfileTree("com.example.p", diffEAS(map[string]any{"Port": 1.0, "Name": int64(1)}))
	cs := Trees(a, b, Options{})
	if len(cs) != 2 {
		t.Fatalf("got %d changes, want 2: %+v", len(cs), cs)
	}
	if c := cs[0]; c.Path != "Name" || c.BeforeType != "string" || c.AfterType != "integer" {
		t.Errorf("Name: %+v", c)
	}
	if c := cs[1]; c.Path != "Port" || c.BeforeType != "integer" || c.AfterType != "real" || c.Before != int64(1) || c.After != 1.0 {
		t.Errorf("Port: %+v", c)
	}
	// The same value decoded as uint64 and int64 is the same integer.
	if cs := Trees(diffProfileTree("com.example.p", diffEAS(map[string]any{"N": uint64(7)})), diffProfileTree("com.example.p", diffEAS(map[string]any{"N": int64(7)})), Options{}); len(cs) != 0 {
		t.Errorf("uint64 7 and int64 7 differ: %+v", cs)
	}
}

func TestDiffTreesWalksNestedValues(t *testing.T) {
	vpn := func(addr string, subject []any, extra bool) map[string]any {
		ike := map[string]any{"RemoteAddress": addr, "Proposals": []any{map[string]any{"DHGroup": int64(14)}}}
		if extra {
			ike["EnablePFS"] = true
		}
		return diffPayload("com.apple.vpn.managed", "com.example.p.vpn", map[string]any{"IKEv2": ike, "Subject": subject})
	}
	a := diffProfileTree("com.example.p", vpn("vpn1.example.com", []any{[]any{"CN", "a"}}, false))
	b := diffProfileTree("com.example.p", vpn("vpn2.example.com", []any{[]any{"CN", "b"}, []any{"O", "x"}}, true))
	var got []string
	for _, c := range Trees(a, b, Options{}) {
		got = append(got, string(c.Kind)+" "+c.Path)
	}
	want := []string{"added IKEv2.EnablePFS", "changed IKEv2.RemoteAddress", "changed Subject[0][1]", "added Subject[1]"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// A dictionary key that is not a plain name is quoted.
	cs := Plists(map[string]any{"d": map[string]any{"a.b": 1}}, map[string]any{"d": map[string]any{"a.b": 2}})
	if len(cs) != 1 || cs[0].Path != `d["a.b"]` {
		t.Errorf("dotted key: %+v", cs)
	}
}

func TestDiffTreesHidesUUIDs(t *testing.T) {
	a := diffProfileTree("com.example.p", diffEAS(nil))
	b := diffProfileTree("com.example.p", diffEAS(nil))
	b["PayloadUUID"] = "11111111-1111-1111-1111-111111111111"
	b["PayloadContent"].([]any)[0].(map[string]any)["PayloadUUID"] = "22222222-2222-2222-2222-222222222222"
	cs := Trees(a, b, Options{})
	if len(cs) != 2 || len(diffShown(cs)) != 0 {
		t.Fatalf("want 2 hidden changes, got %+v", cs)
	}
	// The payload is installed anew whether or not the UUID line shows; the
	// profile's own UUID has no consequence and is not a re-authentication.
	if got := diffKinds(Consequences(cs)); !reflect.DeepEqual(got, []ConsequenceKind{PayloadReinstalled}) {
		t.Errorf("consequences %v, want [payload-reinstalled]", got)
	}
	cs = Trees(a, b, Options{UUIDs: true})
	if len(diffShown(cs)) != 2 || cs[0].Scope != ScopeProfile || cs[1].Scope != ScopePayload || cs[1].Path != "PayloadUUID" {
		t.Errorf("with UUIDs: %+v", cs)
	}
}

func TestConsequences(t *testing.T) {
	base := diffProfileTree("com.example.p", diffEAS(map[string]any{"EnableMail": false}), diffRestrictions(nil))
	tests := []struct {
		name string
		b    map[string]any
		want []ConsequenceKind
		msg  string
	}{
		{"exchange change", diffProfileTree("com.example.p", diffEAS(map[string]any{"EnableMail": true}), diffRestrictions(nil)),
			[]ConsequenceKind{Reauthenticate}, "devices re-install the Exchange account and users sign in again"},
		{"exchange key removed", diffProfileTree("com.example.p", diffEAS(nil), diffRestrictions(nil)),
			[]ConsequenceKind{Reauthenticate}, ""},
		{"restrictions change", diffProfileTree("com.example.p", diffEAS(map[string]any{"EnableMail": false}), diffRestrictions(map[string]any{"allowCamera": false})),
			nil, ""},
		{"payload removed", diffProfileTree("com.example.p", diffEAS(map[string]any{"EnableMail": false})),
			[]ConsequenceKind{PayloadRemoved}, "devices remove the com.apple.applicationaccess payload (com.example.p.restrictions) when the profile is updated"},
		{"payload added", diffProfileTree("com.example.p", diffEAS(map[string]any{"EnableMail": false}), diffRestrictions(nil), diffPayload("com.apple.wifi.managed", "com.example.p.wifi", nil)),
			[]ConsequenceKind{PayloadAdded}, "devices install the com.apple.wifi.managed payload (com.example.p.wifi) when the profile is updated"},
		{"identifier changed", diffProfileTree("com.example.q", diffEAS(map[string]any{"EnableMail": true})),
			[]ConsequenceKind{DuplicateProfile}, "devices install this as a second profile beside the old one instead of replacing it"},
	}
	for _, tt := range tests {
		qs := Consequences(Trees(base, tt.b, Options{}))
		if got := diffKinds(qs); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: consequences %v, want %v", tt.name, got, tt.want)
			continue
		}
		if tt.msg != "" && qs[0].Message != tt.msg {
			t.Errorf("%s: message %q, want %q", tt.name, qs[0].Message, tt.msg)
		}
	}
}

func TestDiffSigners(t *testing.T) {
	rsa := &Signer{Subject: "CN=A", SHA256: "AA"}
	renewed := &Signer{Subject: "CN=A", SHA256: "BB"}
	tests := []struct {
		a, b *Signer
		kind ChangeKind // "" for none
		cons bool
	}{
		{nil, nil, "", false},
		{rsa, &Signer{Subject: "CN=A", SHA256: "AA"}, "", false},
		{rsa, renewed, Changed, true},
		{rsa, nil, Removed, true},
		{nil, rsa, Added, false},
	}
	for i, tt := range tests {
		cs := Signers(tt.a, tt.b)
		if (len(cs) == 0) != (tt.kind == "") || len(cs) > 0 && cs[0].Kind != tt.kind {
			t.Errorf("%d: changes %+v, want kind %q", i, cs, tt.kind)
		}
		qs := Consequences(cs)
		if (len(qs) > 0) != tt.cons || tt.cons && qs[0].Message != "a manual re-install is rejected unless the replacement is signed by the same identity" {
			t.Errorf("%d: consequences %+v", i, qs)
		}
	}
}

func diffDecodeJSON(t *testing.T, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDiffJSONNamedSettings(t *testing.T) {
	a := diffDecodeJSON(t, `{"customSettings":[{"name":"x","value":"1"},{"name":"y","value":"false"}],"n":1}`)
	b := diffDecodeJSON(t, `{"customSettings":[{"name":"y","value":"true"},{"name":"x","value":"1"},{"name":"z.w","value":"2"}],"n":1.0}`)
	var got []string
	for _, c := range JSON(a, b, Options{}) {
		got = append(got, string(c.Kind)+" "+c.Path)
	}
	want := []string{"changed customSettings.y", `added customSettings["z.w"]`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	// Typed settings keep their type beside the value.
	a = diffDecodeJSON(t, `{"settings":[{"appConfigKey":"k","appConfigKeyType":"booleanType","appConfigKeyValue":"false"}]}`)
	b = diffDecodeJSON(t, `{"settings":[{"appConfigKey":"k","appConfigKeyType":"stringType","appConfigKeyValue":"false"}]}`)
	if cs := JSON(a, b, Options{}); len(cs) != 1 || cs[0].Path != "settings.k.appConfigKeyType" {
		t.Errorf("settings: %+v", cs)
	}
}

func TestDiffJSONEmbeddedProfile(t *testing.T) {
	body := func(p map[string]any) any {
		data, err := encodeXML(p)
		if err != nil {
			t.Fatal(err)
		}
		return diffDecodeJSON(t, `{"@odata.type":"#microsoft.graph.iosCustomConfiguration","payload":"`+base64.StdEncoding.EncodeToString(data)+`"}`)
	}
	a := body(diffProfileTree("com.example.p", diffEAS(map[string]any{"EnableMail": false})))
	b := body(diffProfileTree("com.example.p", diffEAS(map[string]any{"EnableMail": true})))
	cs := JSON(a, b, Options{})
	if len(cs) != 1 || cs[0].Within != "payload" || cs[0].Scope != ScopePayload || cs[0].Path != "EnableMail" {
		t.Fatalf("got %+v", cs)
	}
	if got := diffKinds(Consequences(cs)); !reflect.DeepEqual(got, []ConsequenceKind{Reauthenticate}) {
		t.Errorf("consequences %v", got)
	}
	// Intune's native email profile is re-pushed on any change.
	a = diffDecodeJSON(t, `{"@odata.type":"#microsoft.graph.iosEasEmailProfileConfiguration","easServices":"contacts"}`)
	b = diffDecodeJSON(t, `{"@odata.type":"#microsoft.graph.iosEasEmailProfileConfiguration","easServices":"contacts,calendars"}`)
	if got := diffKinds(Consequences(JSON(a, b, Options{}))); !reflect.DeepEqual(got, []ConsequenceKind{Reauthenticate}) {
		t.Errorf("email profile: consequences %v", got)
	}
}

// TestDiffGolden pins the changes and consequences between two versions of
// the example policy's profile. Refresh with: go test ./profiles/diff -update
func TestDiffGolden(t *testing.T) {
	policies, ds := profiles.Load(example)
	if ds.Errors() > 0 {
		t.Fatal(ds)
	}
	p := policies[0]
	before, err := p.ProfileTree(profiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sync := false
	p.Exchange.UsersCanChangeSync = &sync
	p.Exchange.Sync = []string{"contacts", "calendars"}
	p.Restrictions = nil
	p.Profile.DisplayName = "Work Contacts & Calendars"
	after, err := p.ProfileTree(profiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cs := Trees(before, after, Options{})
	got, err := json.MarshalIndent(struct {
		Changes      []Change
		Consequences []Consequence
	}{cs, Consequences(cs)}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden.Check(t, filepath.Join("..", "..", "testdata", "golden", "diff", "example.json"), got)
}

func TestDiffTreesMarksSecrets(t *testing.T) {
	a := diffProfileTree("com.example.p", diffEAS(map[string]any{"Password": "old", "OneTimePassword": false}),
		diffPayload("com.apple.vpn.managed", "com.example.p.vpn", map[string]any{"IKEv2": map[string]any{"SharedSecret": "a", "RemoteAddress": "x"}}))
	b := diffProfileTree("com.example.p", diffEAS(map[string]any{"Password": []byte("new"), "OneTimePassword": true}),
		diffPayload("com.apple.vpn.managed", "com.example.p.vpn", map[string]any{"IKEv2": map[string]any{"SharedSecret": "b", "RemoteAddress": "y"}}),
		diffPayload("com.apple.security.pkcs12", "com.example.p.id", map[string]any{"PayloadContent": []byte{1}}))
	secret := map[string]bool{}
	for _, c := range Trees(a, b, Options{}) {
		secret[c.Payload+" "+c.Path] = c.Secret
	}
	want := map[string]bool{
		"com.example.p.exchange Password":        true,
		"com.example.p.exchange OneTimePassword": false, // booleans are settings
		"com.example.p.vpn IKEv2.SharedSecret":   true,
		"com.example.p.vpn IKEv2.RemoteAddress":  false,
		"com.example.p.id ":                      false, // added whole: its values go through RedactSecrets
	}
	if !reflect.DeepEqual(secret, want) {
		t.Errorf("got %v\nwant %v", secret, want)
	}
	// A payload list the walker compares as a value still knows each
	// payload's type.
	cs := Plists(map[string]any{"PayloadContent": []any{diffPayload("com.apple.security.pkcs12", "i", map[string]any{"PayloadContent": []byte{1}})}},
		map[string]any{"PayloadContent": []any{diffPayload("com.apple.security.pkcs12", "i", map[string]any{"PayloadContent": []byte{2}})}})
	if len(cs) != 1 || !cs[0].Secret {
		t.Errorf("pkcs12 in a list: %+v", cs)
	}
}

// TestDiffJSONEmbeddedProfileDepth checks that a base64 profile inside a
// Graph body is depth-checked before it is decoded: a deep one is compared
// as the text it is, without crashing.
func TestDiffJSONEmbeddedProfileDepth(t *testing.T) {
	deep := base64.StdEncoding.EncodeToString(plisttest.NestedXML(100_000))
	cs := JSON(map[string]any{"payload": deep}, map[string]any{"payload": deep + "AA=="}, Options{})
	if len(cs) != 1 || cs[0].Path != "payload" || cs[0].Within != "" {
		t.Errorf("got %+v", cs)
	}
}

// TestDiffJSONEmbeddedProfileSecret checks that a base64 profile holding a
// password, compared as text because the other side is no profile, is
// marked secret: its base64 would give the password away.
func TestDiffJSONEmbeddedProfileSecret(t *testing.T) {
	encode := func(tree map[string]any) string {
		data, err := encodeXML(tree)
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(data)
	}
	withPassword := encode(diffProfileTree("com.example.p", diffEAS(map[string]any{"Password": "hunter2"})))
	without := encode(diffProfileTree("com.example.p", diffEAS(map[string]any{"Host": "h"})))
	cs := JSON(map[string]any{"payload": "not a profile"}, map[string]any{"payload": withPassword}, Options{})
	if len(cs) != 1 || cs[0].Path != "payload" || !cs[0].Secret {
		t.Errorf("got %+v", cs)
	}
	cs = JSON(map[string]any{"payload": "not a profile"}, map[string]any{"payload": without}, Options{})
	if len(cs) != 1 || cs[0].Path != "payload" || cs[0].Secret {
		t.Errorf("without a secret: %+v", cs)
	}
}

// TestCarries checks that a derived Intune file counts as repeating the
// profile's change only when every one of its changes is that change.
func TestCarries(t *testing.T) {
	custom := func(p map[string]any, name string) any {
		data, err := encodeXML(p)
		if err != nil {
			t.Fatal(err)
		}
		return diffDecodeJSON(t, `{"@odata.type":"#microsoft.graph.iosCustomConfiguration","payloadName":"`+name+`","payload":"`+base64.StdEncoding.EncodeToString(data)+`"}`)
	}
	email := func(services, host string) any {
		return diffDecodeJSON(t, `{"@odata.type":"#microsoft.graph.iosEasEmailProfileConfiguration","easServices":"`+services+`","hostName":"`+host+`"}`)
	}
	eas := func(calendars bool) map[string]any {
		return diffEAS(map[string]any{"EnableContacts": true, "EnableCalendars": calendars, "Host": "outlook.office365.com"})
	}
	pa, pb := diffProfileTree("com.example.p", eas(false)), diffProfileTree("com.example.p", eas(true))
	pa["PayloadDisplayName"], pb["PayloadDisplayName"] = "p", "p"
	source := Trees(pa, pb, Options{})
	other := diffProfileTree("com.example.p", diffEAS(map[string]any{"EnableContacts": true, "EnableNotes": true, "Host": "outlook.office365.com"}))
	other["PayloadDisplayName"] = "p"
	for _, tt := range []struct {
		name, file string
		a, b       any
		want       bool
	}{
		{"custom.json with the same change", "custom.json", custom(pa, "p"), custom(pb, "p"), true},
		{"custom.json with another change", "custom.json", custom(pa, "p"), custom(other, "p"), false},
		{"custom.json with a payloadName of its own", "custom.json", custom(pa, "p"), custom(pb, "q"), false},
		{"email.json mirroring the change", "email.json", email("contacts", "outlook.office365.com"), email("contacts,calendars", "outlook.office365.com"), true},
		{"email.json with a wrong mirror", "email.json", email("contacts", "outlook.office365.com"), email("contacts,notes", "outlook.office365.com"), false},
		{"email.json with a host of its own", "email.json", email("contacts", "outlook.office365.com"), email("contacts,calendars", "mail.example.com"), false},
		{"another file", "restrictions.json", email("contacts", "x"), email("contacts,calendars", "x"), false},
	} {
		derived := JSON(tt.a, tt.b, Options{})
		if got := Carries(tt.file, derived, pa, pb, source); got != tt.want {
			t.Errorf("%s: Carries = %v, want %v; changes %+v", tt.name, got, tt.want, derived)
		}
	}
}

const example = "../../examples/contacts-only-eas.yaml"

// encodeXML writes a plist tree as an XML property list.
func encodeXML(v any) ([]byte, error) { return plist.MarshalIndent(v, plist.XMLFormat, "\t") }
