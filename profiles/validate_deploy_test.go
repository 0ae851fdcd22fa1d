package profiles

import (
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/templates"
)

// deployOK is head + exchangeOK, 12 lines, then the deploy sections from
// line 13.
const deployOK = head + exchangeOK

func TestDeployRules(t *testing.T) {
	const guid = "6f1c2a4e-8b3d-4e5f-9a0b-1c2d3e4f5a6b"
	tests := []struct {
		name string
		src  string
		want []want
	}{
		{"assignments by name and id", deployOK + "assignments:\n  include: [iOS users, " + guid + "]\n  exclude: [Executives]\n", nil},
		{"empty group", deployOK + "assignments:\n  include: [\"\", Sales]\n",
			[]want{{Error, "assignments.include[0]", "14:13", "empty; write a group's display name or object id"}}},
		{"group with spaces around", deployOK + "assignments:\n  include: [\" Sales\"]\n",
			[]want{{Error, "assignments.include[0]", "14:13", "starts or ends with a space"}}},
		{"group with a variable", deployOK + "assignments:\n  include: [\"${user.email}\"]\n",
			[]want{{Error, "assignments.include[0]", "14:13", "cannot use variables"}}},
		{"duplicate name, other case", deployOK + "assignments:\n  include:\n    - Sales\n    - sales\n",
			[]want{{Error, "assignments.include[1]", "16:7", `"sales" is listed twice (first at t.yaml:15:7)`}}},
		{"duplicate id, other case", deployOK + "assignments:\n  exclude: [" + guid + ", " + strings.ToUpper(guid) + "]\n  include: [x]\n",
			[]want{{Error, "assignments.exclude[1]", "", "is listed twice"}}},
		{"included and excluded", deployOK + "assignments:\n  include: [Sales]\n  exclude: [SALES]\n",
			[]want{{Error, "assignments.exclude[0]", "15:13", `"SALES" is both included (t.yaml:14:13) and excluded`}}},
		{"exclude without include", deployOK + "assignments:\n  exclude: [Sales]\n",
			[]want{{Warning, "assignments.exclude", "14:12", "nothing is assigned"}}},
		{"intune settings", deployOK + "target: intune\nassignments:\n  include: [Sales]\nintune:\n  profile: native\n  conditional_access: report-only\n", nil},
		{"intune off", deployOK + "intune:\n  profile: custom\n  conditional_access: \"off\"\n", nil},
		{"unknown profile", deployOK + "intune:\n  profile: nativ\n",
			[]want{{Error, "intune.profile", "14:12", `"nativ": choose custom`}}},
		{"native with payloads", deployOK + "intune:\n  profile: native\npayloads:\n  - name: wifi\n    type: com.apple.wifi.managed\n    keys: {SSID_STR: x}\n",
			[]want{{Error, "intune.profile", "14:12", "cannot carry payloads"}}},
		{"native with top-level keys", strings.Replace(deployOK, "  min_ios:", "  keys: {ConsentText: {default: hi}}\n  min_ios:", 1) + "intune:\n  profile: native\n",
			[]want{{Warning, "profile.keys", "5:9", "intune.profile: native does not deploy"}}},
		{"unknown conditional access", deployOK + "assignments:\n  include: [Sales]\nintune:\n  conditional_access: on\n",
			[]want{{Error, "intune.conditional_access", "16:23", `"on": choose off, report-only or enforce`}}},
		{"conditional access without include", deployOK + "intune:\n  conditional_access: enforce\n",
			[]want{{Error, "intune.conditional_access", "14:23", "needs assignments.include"}}},
		{"conditional access without exchange", head + "restrictions:\n  allowOpenFromManagedToUnmanaged: false\nassignments:\n  include: [Sales]\nintune:\n  conditional_access: enforce\n",
			[]want{{Error, "intune.conditional_access", "11:23", "needs an exchange block"}}},
		{"intune for another target", deployOK + "target: jamf\nintune:\n  profile: custom\n",
			[]want{{Warning, "intune", "14:1", "the policy's target is jamf"}}},
		{"assignments alone produce nothing", head + "assignments:\n  include: [Sales]\n",
			[]want{{Error, "", "1:1", "produces nothing"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectFindings(t, findings(tt.src), tt.want) })
	}
}

func TestIntuneDefaults(t *testing.T) {
	p, ds := Decode("t.yaml", []byte(deployOK))
	if ds.Errors() > 0 {
		t.Fatal(ds)
	}
	if p.IntuneProfile() != IntuneProfileCustom || p.ConditionalAccess() != ConditionalAccessOff {
		t.Errorf("defaults: profile %q, conditional access %q", p.IntuneProfile(), p.ConditionalAccess())
	}
	p, _ = Decode("t.yaml", []byte(deployOK+"intune:\n  profile: native\n  conditional_access: enforce\n"))
	if p.IntuneProfile() != IntuneProfileNative || p.ConditionalAccess() != ConditionalAccessEnforce {
		t.Errorf("set: profile %q, conditional access %q", p.IntuneProfile(), p.ConditionalAccess())
	}
}

func TestIsGroupID(t *testing.T) {
	for s, want := range map[string]bool{
		"6f1c2a4e-8b3d-4e5f-9a0b-1c2d3e4f5a6b":   true,
		"6F1C2A4E-8B3D-4E5F-9A0B-1C2D3E4F5A6B":   true,
		"{6f1c2a4e-8b3d-4e5f-9a0b-1c2d3e4f5a6b}": false,
		"6f1c2a4e8b3d4e5f9a0b1c2d3e4f5a6b":       false,
		"iOS users":                              false,
	} {
		if IsGroupID(s) != want {
			t.Errorf("IsGroupID(%q) = %v", s, !want)
		}
	}
}

// The starter's commented deploy sections are valid once uncommented.
func TestStarterDeploySections(t *testing.T) {
	tmpl, err := templates.Read(templates.Default)
	if err != nil {
		t.Fatal(err)
	}
	src, sections, ok := strings.Cut(string(tmpl), "\n# assignments:\n")
	if !ok {
		t.Fatal("the starter has no commented assignments section")
	}
	var b strings.Builder
	b.WriteString(src + "\nassignments:\n")
	for _, line := range strings.Split(sections, "\n") {
		b.WriteString(strings.TrimPrefix(line, "# ") + "\n")
	}
	p, ds := Decode("starter.yaml", []byte(b.String()))
	if ds.Errors() == 0 {
		ds = append(ds, Validate(p)...)
	}
	if len(ds) > 0 || p.Assignments == nil || p.ConditionalAccess() != ConditionalAccessReportOnly {
		t.Errorf("uncommented starter:\n%s\nfindings: %v", b.String(), ds)
	}
}
