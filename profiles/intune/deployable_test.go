package intune

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/golden"

	"github.com/mdmforge/mdmforge/profiles"
)

// examplePlus is the bundled example with deploy sections appended.
func examplePlus(t *testing.T, extra string) *profiles.Policy {
	t.Helper()
	src, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	return intunePolicy(t, string(src)+extra)
}

func kinds(objs []Object) string {
	var ks []string
	for _, o := range objs {
		ks = append(ks, o.Kind)
	}
	return strings.Join(ks, " ")
}

func TestDeployableRoutes(t *testing.T) {
	const groups = "assignments:\n  include: [iOS users]\n  exclude: [Executives]\n"
	for _, tt := range []struct {
		name, extra, want string
	}{
		{"custom by default", "", "outlook-devices outlook-apps outlook-android compliance custom"},
		{"custom", "intune:\n  profile: custom\n", "outlook-devices outlook-apps outlook-android compliance custom"},
		{"native", "intune:\n  profile: native\n", "outlook-devices outlook-apps outlook-android compliance email restrictions"},
		{"custom, report-only", groups + "intune:\n  conditional_access: report-only\n", "outlook-devices outlook-apps outlook-android compliance custom conditional-access"},
		{"native, enforce", groups + "intune:\n  profile: native\n  conditional_access: enforce\n", "outlook-devices outlook-apps outlook-android compliance email restrictions conditional-access"},
		{"conditional access off", groups + "intune:\n  conditional_access: \"off\"\n", "outlook-devices outlook-apps outlook-android compliance custom"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			objs, warnings, err := Deployable(examplePlus(t, tt.extra), profiles.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(warnings) > 0 {
				t.Errorf("warnings: %v", warnings)
			}
			if got := kinds(objs); got != tt.want {
				t.Errorf("kinds %q, want %q", got, tt.want)
			}
			for _, o := range objs {
				if o.File != o.Kind+".json" {
					t.Errorf("%s has kind %s", o.File, o.Kind)
				}
			}
		})
	}
}

// The objects Deployable returns are the bundle's, byte for byte: the
// route only chooses among them.
func TestDeployableIsTheBundle(t *testing.T) {
	p := examplePlus(t, "assignments:\n  include: [iOS users]\nintune:\n  profile: native\n  conditional_access: report-only\n")
	objs, _, err := Deployable(p, profiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	all, _, err := Objects(p, profiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string]Object{}
	for _, o := range all {
		byFile[o.File] = o
	}
	for _, o := range objs {
		b, ok := byFile[o.File]
		if !ok || string(b.Body) != string(o.Body) || b.Collection != o.Collection || b.Beta != o.Beta || b.Kind != o.Kind {
			t.Errorf("%s differs from the bundle's", o.File)
		}
	}
	if _, ok := byFile["custom.json"]; !ok {
		t.Error("the bundle no longer offers custom.json with native")
	}
}

// Warnings about a file the route does not deploy are not the route's.
func TestDeployableWarnsOnlyOfItsObjects(t *testing.T) {
	src := intuneHead + exchangeBlock("${user.shortname}@example.com", "${user.upn}", "[contacts]")
	p := intunePolicy(t, src)
	objs, warnings, err := Deployable(p, profiles.Options{})
	if err != nil || len(warnings) != 0 || kinds(objs) != "compliance custom" {
		t.Errorf("custom route: %s, %v, %v", kinds(objs), warnings, err)
	}
	if _, warnings, _ := Objects(p, profiles.Options{}); len(warnings) == 0 {
		t.Error("the bundle no longer warns that email.json is left out")
	}
}

func TestDeployableRefusesNative(t *testing.T) {
	t.Run("email profile cannot express the account", func(t *testing.T) {
		src := intuneHead + exchangeBlock("${user.shortname}@example.com", "jdoe", "[contacts]") + "intune:\n  profile: native\n"
		p := intunePolicy(t, src) // valid: only the deployment is refused
		objs, ds, err := Deployable(p, profiles.Options{})
		if err == nil || objs != nil {
			t.Fatalf("native accepted: %v", kinds(objs))
		}
		if ds.Errors() != 3 || ds.Errors() != len(ds) {
			t.Fatalf("want 3 errors, got %v", ds)
		}
		msg := ds.String()
		for _, want := range []string{"intune.profile: native: Intune's email profile cannot express", "t.yaml:15:12",
			"exchange.email: ", `not "${user.shortname}@example.com"`, "exchange.username: ", `not "jdoe"`} {
			if !strings.Contains(msg, want) {
				t.Errorf("findings do not contain %q:\n%s", want, msg)
			}
		}
		if strings.Contains(msg, "email.json not written") {
			t.Errorf("the bundle's wording leaked into the refusal:\n%s", msg)
		}
		// validate --target intune reports the same, each finding once.
		check := Check(p)
		if check.Errors() != 3 || len(check) != 3 {
			t.Errorf("Check: %v", check)
		}
	})
	t.Run("payloads", func(t *testing.T) {
		p, ds := profiles.Decode("t.yaml", []byte(intuneHead+"payloads:\n  - name: wifi\n    type: com.apple.wifi.managed\n    keys: {SSID_STR: x}\nintune:\n  profile: native\n"))
		if ds.Errors() > 0 {
			t.Fatal(ds)
		}
		_, ds, err := Deployable(p, profiles.Options{})
		if err == nil || ds.Errors() != 1 || ds[0].Path != "intune.profile" || !strings.Contains(ds[0].Message, "cannot carry payloads") {
			t.Errorf("got %v, %v", ds, err)
		}
	})
}

func TestDeployableRefusesOtherTargets(t *testing.T) {
	if _, _, err := Deployable(examplePlus(t, ""), profiles.Options{Target: profiles.Jamf}); err == nil {
		t.Error("built for jamf")
	}
}

// A Conditional Access policy without groups would apply to every user:
// Deployable refuses it even when Validate was not called.
func TestConditionalAccessNeedsGroups(t *testing.T) {
	p, ds := profiles.Decode("t.yaml", []byte(intuneHead+exchangeBlock("${user.email}", "${user.upn}", "[contacts]")+"intune:\n  conditional_access: enforce\n"))
	if ds.Errors() > 0 {
		t.Fatal(ds)
	}
	if _, _, err := Deployable(p, profiles.Options{}); err == nil || !strings.Contains(err.Error(), "needs assignments.include") {
		t.Errorf("got %v", err)
	}
}

// TestConditionalAccessGolden pins conditional-access.json. Refresh with:
// go test ./profiles/intune -update
func TestConditionalAccessGolden(t *testing.T) {
	p := examplePlus(t, "assignments:\n  include: [iOS users, 6f1c2a4e-8b3d-4e5f-9a0b-1c2d3e4f5a6b]\n  exclude: [Executives]\nintune:\n  conditional_access: report-only\n")
	outs, _, err := Bundle(p, profiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	data := output(t, outs, conditionalAccessFile)
	golden.Check(t, filepath.Join("..", "..", "testdata", "golden", "intune", conditionalAccessFile), data)
	m := decodeJSON(t, conditionalAccessFile, data)
	if m["state"] != "enabledForReportingButNotEnforced" {
		t.Errorf("state %v", m["state"])
	}
	readme := string(output(t, outs, "README.md"))
	section := readmeSections(readme)[conditionalAccessFile]
	for _, want := range []string{"Microsoft Entra admin center", "**Protection** > **Conditional Access**", "**Office 365 Exchange Online**",
		"`iOS users`, `6f1c2a4e-8b3d-4e5f-9a0b-1c2d3e4f5a6b`; **Exclude** > **Users and groups**: `Executives`",
		"**Require device to be marked as compliant**", "**Enable policy**: **Report-only**", "POST https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies",
		"Policy.ReadWrite.ConditionalAccess"} {
		if !strings.Contains(section, want) {
			t.Errorf("README section does not contain %q:\n%s", want, section)
		}
	}
	if !strings.Contains(readme, "`custom.json`, or `email.json` with `restrictions.json`.\n3. Last the Conditional Access policy, `conditional-access.json`") {
		t.Errorf("README does not create the Conditional Access policy last:\n%s", readme)
	}

	p = examplePlus(t, "assignments:\n  include: [iOS users]\nintune:\n  conditional_access: enforce\n")
	objs, _, err := Deployable(p, profiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ca := objs[len(objs)-1]
	if m := decodeJSON(t, ca.File, ca.Body); m["state"] != "enabled" || ca.Version() != "v1.0" || ca.Collection != "identity/conditionalAccess/policies" {
		t.Errorf("enforce: state %v, %s %s", m["state"], ca.Version(), ca.Collection)
	}
}

func TestResolveGroups(t *testing.T) {
	p := examplePlus(t, "assignments:\n  include: [iOS users, Sales]\n  exclude: [Executives]\nintune:\n  conditional_access: enforce\n")
	objs, _, err := Deployable(p, profiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{"iOS users": "id-1", "Sales": "id-2", "Executives": "id-3"}
	var asked []string
	resolve := func(g string) (string, error) {
		asked = append(asked, g)
		if id, ok := ids[g]; ok {
			return id, nil
		}
		return "", errors.New("no group " + g)
	}
	for _, o := range objs {
		got, err := ResolveGroups(o, resolve)
		if err != nil {
			t.Fatal(err)
		}
		if o.Kind != "conditional-access" {
			if string(got.Body) != string(o.Body) {
				t.Errorf("%s changed", o.File)
			}
			continue
		}
		users := decodeJSON(t, o.File, got.Body)["conditions"].(map[string]any)["users"].(map[string]any)
		if g := users["includeGroups"].([]any); len(g) != 2 || g[0] != "id-1" || g[1] != "id-2" {
			t.Errorf("includeGroups %v", g)
		}
		if g := users["excludeGroups"].([]any); len(g) != 1 || g[0] != "id-3" {
			t.Errorf("excludeGroups %v", g)
		}
		if strings.Contains(string(o.Body), "id-1") {
			t.Error("ResolveGroups changed its argument's body")
		}
	}
	if strings.Join(asked, ",") != "iOS users,Sales,Executives" {
		t.Errorf("asked for %v", asked)
	}
	ids = map[string]string{}
	if _, err := ResolveGroups(objs[len(objs)-1], resolve); err == nil || err.Error() != "no group iOS users" {
		t.Errorf("unresolved group: %v", err)
	}
}
