package profiles

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func secretPayload(typ, id string, keys map[string]any) map[string]any {
	p := map[string]any{"PayloadType": typ, "PayloadIdentifier": id, "PayloadUUID": PayloadUUID(id), "PayloadVersion": int64(1)}
	for k, v := range keys {
		p[k] = v
	}
	return p
}

func TestIsSecretKey(t *testing.T) {
	for _, tt := range []struct {
		payloadType, key string
		want             bool
	}{
		{"com.apple.eas.account", "Password", true},
		{"com.apple.security.pkcs12", "Password", true},
		{"com.apple.security.pkcs12", "PayloadContent", true},
		{"com.apple.security.pkcs12", "PayloadCertificateFileName", false},
		{"com.apple.security.root", "PayloadContent", false},
		{"com.apple.security.scep", "Challenge", true},
		{"com.apple.vpn.managed", "SharedSecret", true},
		{"com.apple.vpn.managed", "AuthPassword", true},
		{"com.apple.vpn.managed", "XAuthPassword", true},
		{"com.apple.vpn.managed", "PSK", true},
		{"com.apple.vpn.managed", "PreSharedKey", true},
		{"com.apple.vpn.managed", "PrivateKey", true},
		{"com.apple.vpn.managed", "RemoteAddress", false},
		{"com.apple.wifi.managed", "CertificatePassword", true},
		{"com.apple.mail.managed", "IncomingPassword", true},
		{"", "Token", true},
		{"", "RegistrationToken", true},
		{"", "clientSecret", true},
		{"#microsoft.graph.iosEasEmailProfileConfiguration", "password", true},
		{"com.apple.eas.account", "UserName", false},
		{"com.apple.applicationaccess", "allowPasswordAutoFill", false},
		{"com.apple.eas.account", "PayloadContent", false},
	} {
		if got := IsSecretKey(tt.payloadType, tt.key); got != tt.want {
			t.Errorf("IsSecretKey(%q, %q) = %v, want %v", tt.payloadType, tt.key, got, tt.want)
		}
	}
}

func TestRedactSecrets(t *testing.T) {
	p12 := secretPayload("com.apple.security.pkcs12", "com.example.p.id", map[string]any{"PayloadContent": []byte{1, 2}, "Password": "hunter2"})
	vpn := secretPayload("com.apple.vpn.managed", "com.example.p.vpn", map[string]any{
		"IKEv2": map[string]any{"RemoteAddress": "vpn.example.com", "SharedSecret": "s3cret"},
		"PPP":   []any{map[string]any{"AuthPassword": "pw"}},
	})
	tree := map[string]any{"PayloadType": "Configuration", "PayloadIdentifier": "com.example.p", "PayloadContent": []any{p12, vpn}}
	before, _ := json.Marshal(tree)
	got, changed := RedactSecrets("", tree)
	if !changed {
		t.Fatal("nothing redacted")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(got)
	out := buf.Bytes()
	for _, secret := range []string{"hunter2", "s3cret", `"pw"`, base64.StdEncoding.EncodeToString([]byte{1, 2})} {
		if bytes.Contains(out, []byte(secret)) {
			t.Errorf("%s survives redaction: %s", secret, out)
		}
	}
	if !bytes.Contains(out, []byte("vpn.example.com")) || strings.Count(string(out), `"<secret>"`) != 4 {
		t.Errorf("redacted too much or too little: %s", out)
	}
	if again, _ := json.Marshal(tree); !bytes.Equal(before, again) {
		t.Error("RedactSecrets changed its argument")
	}
	plain := secretPayload("com.apple.applicationaccess", "com.example.p.restrictions", map[string]any{"allowCamera": false, "askForPassword": true})
	if got, changed := RedactSecrets("", plain); changed || !reflect.DeepEqual(got, plain) {
		t.Errorf("redacted a profile without secrets: %v", got)
	}
}

func TestOutputsHoldingSecretsAreMarked(t *testing.T) {
	head := "version: 1\nprofile: {name: t, identifier: com.example.t, min_ios: \"13.0\"}\n"
	exchange := func(auth string) string {
		return "exchange:\n  host: outlook.office365.com\n  email: ${user.email}\n  username: ${user.upn}\n  auth: " + auth + "\n" +
			"  sync: [contacts]\n  users_can_change_sync: false\n"
	}
	for _, tc := range []struct {
		name, src string
		secret    bool
	}{
		{"oauth", head + exchange("oauth"), false},
		{"eas password", head + exchange("password") + "  password: hunter2\n", true},
		{"pkcs12", head + "payloads:\n  - name: id\n    type: com.apple.security.pkcs12\n    keys:\n      PayloadContent: !!binary c2VjcmV0\n      Password: p12-pass\n", true},
		{"empty password", head + "payloads:\n  - name: w\n    type: com.apple.wifi.managed\n    keys:\n      SSID_STR: office\n      Password: \"\"\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := validPolicy(t, tc.src)
			outs, err := p.Build(Options{Target: Intune})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range outs {
				want := tc.secret && o.Name == "t.mobileconfig"
				if o.Secret != want {
					t.Errorf("%s: Secret = %v, want %v", o.Name, o.Secret, want)
				}
			}
			tmpl, err := p.Template()
			if err != nil {
				t.Fatal(err)
			}
			if tmpl.HoldsSecret() != tc.secret {
				t.Errorf("template: HoldsSecret = %v, want %v", tmpl.HoldsSecret(), tc.secret)
			}
		})
	}
}

// validPolicy decodes and validates a policy.
func validPolicy(t *testing.T, src string) *Policy {
	t.Helper()
	p, ds := Decode("t.yaml", []byte(src))
	if p == nil || ds.Errors() > 0 {
		t.Fatalf("policy does not decode:\n%v", ds)
	}
	if ds := Validate(p); ds.Errors() > 0 {
		t.Fatalf("policy is invalid:\n%v", ds)
	}
	return p
}
