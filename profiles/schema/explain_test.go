package schema

import (
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
)

// TestExplainEveryKey explains every key of every payload by its path, so
// that names with dots or spaces, arrays, wildcards and the recursive
// payloads all resolve to the key they name.
func TestExplainEveryKey(t *testing.T) {
	n := 0
	for _, typ := range Types() {
		p, _ := Lookup(typ)
		if err := explainPayload(p).WriteText(io.Discard); err != nil {
			t.Fatal(err)
		}
		onPath := map[*Key]bool{}
		var walk func(names []string, k *Key)
		walk = func(names []string, k *Key) {
			if onPath[k] {
				return
			}
			onPath[k] = true
			defer delete(onPath, k)
			names = append(names[:len(names):len(names)], k.Name)
			target := typ + "." + strings.Join(names, ".")
			gotP, path, err := resolve(target)
			n++
			switch {
			case err != nil:
				t.Errorf("%s: %v", target, err)
				return
			case gotP != p || path[len(path)-1].key != k:
				t.Errorf("%s resolves to %s.%s", target, gotP.Type, path[len(path)-1].name)
				return
			}
			if err := explainKey(p, path).WriteText(io.Discard); err != nil {
				t.Fatal(err)
			}
			if k.Item != nil {
				walk(names, k.Item)
			}
			for _, c := range k.Keys {
				walk(names, c)
			}
		}
		for _, k := range p.Keys {
			walk(nil, k)
		}
	}
	t.Logf("%d key paths", n)
}

func TestResolve(t *testing.T) {
	for target, want := range map[string]string{
		"com.apple.eas.account":                                       "",
		"com.apple.eas.account.PayloadUUID":                           "PayloadUUID", // a common key
		".GlobalPreferences.com.apple.autologout.AutoLogOutDelay":     "com.apple.autologout.AutoLogOutDelay",
		"com.apple.MCX.FileVault2.Enable":                             "Enable", // payload type com.apple.MCX.FileVault2
		"Configuration.ConsentText.en":                                "ConsentText.en",
		"com.apple.homescreenlayout.Pages.Pages.Pages.Type":           "Pages.Pages.Pages.Type",
		"com.apple.dock.static-apps.tile-data.file-data._CFURLString": "static-apps.tile-data.file-data._CFURLString",
		"com.apple.ManagedClient.preferences.PayloadContent.com.apple.Safari.Forced.mcx_preference_settings.HomePage": "PayloadContent.com.apple.Safari.Forced.mcx_preference_settings.HomePage",
	} {
		p, path, err := resolve(target)
		if err != nil {
			t.Errorf("%s: %v", target, err)
			continue
		}
		names := make([]string, len(path))
		for i, st := range path {
			names[i] = st.name
		}
		if got := strings.Join(names, "."); got != want || !strings.HasPrefix(target, p.Type) {
			t.Errorf("%s: payload %s, key %q; want key %q", target, p.Type, got, want)
		}
	}
}

func TestResolveSuggests(t *testing.T) {
	for target, want := range map[string]string{
		"com.apple.eas.acount":                           `did you mean "com.apple.eas.account"?`,
		"com.apple.security.scep.PayloadContent.Keysise": `com.apple.security.scep.PayloadContent has no key "Keysise"; did you mean "Keysize"?`,
		"com.apple.eas.account.enable_mail":              `did you mean "EnableMail"?`,
		"com.apple.eas.account.Host.Name":                `com.apple.eas.account.Host is a string and has no keys`,
		"com.example.nothing":                            `"com.example.nothing" is not a payload type in Apple's schema`,
	} {
		_, _, err := resolve(target)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", target, err, want)
		}
	}
}

func TestNotFoundErrorNearest(t *testing.T) {
	for _, tt := range []struct {
		path, nearest string
		scalar        bool
	}{
		{"com.example.nothing", "", false},
		{"com.apple.eas.acount.Host", "", false},
		{"com.apple.eas.account.Nope", "com.apple.eas.account", false},
		{"com.apple.security.scep.PayloadContent.Nope", "com.apple.security.scep.PayloadContent", false},
		{"com.apple.eas.account.Host.Name", "com.apple.eas.account.Host", true},
	} {
		_, err := Explain(tt.path)
		nf, ok := err.(*NotFoundError)
		if !ok {
			t.Errorf("%s: error %v (%T), want a *NotFoundError", tt.path, err, err)
			continue
		}
		if nf.Nearest != tt.nearest || nf.Scalar != tt.scalar {
			t.Errorf("%s: Nearest %q, Scalar %v; want %q, %v", tt.path, nf.Nearest, nf.Scalar, tt.nearest, tt.scalar)
		}
	}
	if _, err := KeysUnder("com.apple.eas.account.Nope"); err == nil {
		t.Error("KeysUnder of an unknown key: no error")
	}
}

// TestExplainEveryFact explains every key ProfileManifests adds, in its own
// domains and under Apple's payloads, by its path.
func TestExplainEveryFact(t *testing.T) {
	n := 0
	for _, typ := range FactTypes() {
		p, _ := Facts(typ)
		if p.Origin == OriginProfileManifests {
			if err := explainPayload(p).WriteText(io.Discard); err != nil {
				t.Fatal(err)
			}
		}
		onPath := map[*Key]bool{}
		var walk func(names []string, k *Key)
		walk = func(names []string, k *Key) {
			if onPath[k] {
				return
			}
			onPath[k] = true
			defer delete(onPath, k)
			names = append(names[:len(names):len(names)], k.Name)
			if k.Origin == OriginProfileManifests {
				target := typ + "." + strings.Join(names, ".")
				// Explain tries Apple's schema first, and its suggestions
				// make a miss slow: every 50th path goes through it, the
				// others through the Facts half of its resolution.
				var e *Explanation
				fp, path, err := resolveIn(target, Facts)
				if err == nil {
					e = explainKey(fp, path)
				}
				if n%50 == 0 {
					e, err = Explain(target)
				}
				n++
				switch {
				case err != nil:
					t.Errorf("%s: %v", target, err)
					return
				case e.Source != string(OriginProfileManifests) && !e.wildcard:
					t.Errorf("%s resolves to Apple's %s.%s", target, e.Payload, e.Key)
					return
				}
				if err := e.WriteText(io.Discard); err != nil {
					t.Fatal(err)
				}
			}
			if k.Item != nil {
				walk(names, k.Item)
			}
			for _, c := range k.Keys {
				walk(names, c)
			}
		}
		for _, k := range p.Keys {
			walk(nil, k)
		}
	}
	if n < 6000 {
		t.Errorf("only %d key paths", n)
	}
	t.Logf("%d key paths", n)
}

func TestExplainNamesTheSource(t *testing.T) {
	text := func(path string) (*Explanation, string) {
		t.Helper()
		e, err := Explain(path)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := e.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		return e, b.String()
	}
	const pm = "ProfileManifests (facts only), e4b340f, 2026-08-18"
	for _, tc := range []struct {
		path       string
		want, not  []string
		source     string
		extraKeys  string
		appleFiles bool
	}{
		{path: "com.google.Chrome", source: "profilemanifests",
			want: []string{"SOURCE:   " + pm, "KIND:     preferences of an application", "NAME  ", "REQUIRED  macOS\n", "from ProfileManifests"},
			not:  []string{"SCHEMA:", "APPLE FILE"}},
		{path: "com.apple.applicationaccess.allowMailSmartReplies", source: "profilemanifests",
			want: []string{"SOURCE:    " + pm, "iOS       18.4"}, not: []string{"APPLE FILE"}},
		{path: "com.apple.applicationaccess", extraKeys: "allowMailSmartReplies", appleFiles: true,
			want: []string{"SCHEMA:", "ALSO IN PROFILEMANIFESTS:", "allowMailSmartReplies", "REQUIRED  iOS\n"}, not: []string{"SOURCE:"}},
		{path: "com.apple.dnsSettings.managed.DNSSettings", extraKeys: "AllowFailover", appleFiles: true,
			want: []string{"explain com.apple.dnsSettings.managed.DNSSettings.KEY"}},
		{path: "com.apple.applicationaccess.allowCallRecording", appleFiles: true,
			want: []string{"macOS     26.0", "from ProfileManifests"}, not: []string{"SOURCE:"}},
		{path: "com.apple.eas.account", appleFiles: true, not: []string{"ProfileManifests", "PROFILEMANIFESTS"}},
	} {
		e, out := text(tc.path)
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: no %q in\n%s", tc.path, w, out)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(out, w) {
				t.Errorf("%s: %q in\n%s", tc.path, w, out)
			}
		}
		if e.Source != tc.source || (len(e.AppleFiles) > 0) != tc.appleFiles {
			t.Errorf("%s: source %q, Apple files %v", tc.path, e.Source, e.AppleFiles)
		}
		if tc.extraKeys != "" && !slices.Contains(e.ExtraKeys, tc.extraKeys) {
			t.Errorf("%s: extra keys %v lack %s", tc.path, e.ExtraKeys, tc.extraKeys)
		}
	}
	// What Apple alone describes marshals as before.
	e, _ := Explain("com.apple.eas.account.EnableMail")
	b, _ := json.Marshal(e)
	if strings.Contains(string(b), "source") || strings.Contains(string(b), "profilemanifests") {
		t.Errorf("Apple's key marshals %s", b)
	}
}
