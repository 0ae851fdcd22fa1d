package profiles

import "testing"

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
			p := intunePolicy(t, tc.src)
			outs, err := p.Build(Options{Target: Intune})
			if err != nil {
				t.Fatal(err)
			}
			bundle, _, err := p.IntuneBundle(Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range append(outs, bundle...) {
				want := tc.secret && (o.Name == "t.mobileconfig" || o.Name == "custom.json")
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
