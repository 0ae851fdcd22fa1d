package fakegraph

import (
	"strings"
	"testing"
	"time"
)

func TestParseTenant(t *testing.T) {
	tn, err := ParseTenant([]byte(`{
	  "groups": ["Sales", "Sales", "Support"],
	  "apps": [{"type": "iosStoreApp", "displayName": "Outlook", "id": "com.microsoft.Office.Outlook"}],
	  "objects": [{"version": "beta", "collection": "deviceManagement/deviceConfigurations",
	    "object": {"@odata.type": "#microsoft.graph.iosCustomConfiguration", "displayName": "Old",
	      "assignments": [{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "group": "Support"}}]}}],
	  "faults": {"seed": 3, "rate": 0.5, "kinds": ["throttle", "slow"], "delay": "20ms"},
	  "writeLimit": 100, "writeWindow": "20s"
	}`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := tn.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Token() != DefaultToken || s.opts.Faults.Delay != 20*time.Millisecond || len(s.opts.Faults.Kinds) != 2 ||
		s.opts.WriteLimit != 100 || s.opts.WriteWindow != 20*time.Second {
		t.Errorf("options: %+v", s.opts)
	}
	if n := len(s.Objects(pathGroups)); n != 3 {
		t.Errorf("%d groups, want 3 (names may repeat)", n)
	}
	if !strings.Contains(string(s.State()), `"group": "Support"`) {
		t.Errorf("the seeded assignment lost its group:\n%s", s.State())
	}
}

func TestParseTenantErrors(t *testing.T) {
	_, err := ParseTenant([]byte(`{"objects": [{"version": "v2", "collection": "nope"}],
	  "apps": [{"type": "win32App"}], "faults": {"rate": 2, "kinds": ["boom"], "delay": "soon"}, "writeLimit": 5}`))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`version "v2"`, `collection "nope"`, "no object", "win32App", "faults.rate 2", `unknown fault "boom"`, "faults.delay", "writeWindow"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q:\n%v", want, err)
		}
	}
	if _, err := ParseTenant([]byte(`{"group": []}`)); err == nil || !strings.Contains(err.Error(), `unknown field "group"`) {
		t.Errorf("unknown field: %v", err)
	}
	tn, _ := ParseTenant([]byte(`{"objects": [{"version": "beta", "collection": "groups", "object": {}}]}`))
	if tn != nil {
		t.Errorf("groups are seeded by name, not as objects")
	}
	tn, err = ParseTenant([]byte(`{"objects": [{"version": "beta", "collection": "deviceManagement/deviceConfigurations",
	  "object": {"@odata.type": "#microsoft.graph.nothing", "assignments": [{"target": {"group": "Nobody"}}]}},
	  {"version": "beta", "collection": "deviceManagement/deviceConfigurations", "object": {"@odata.type": "#microsoft.graph.nothing"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tn.Start(); err == nil || !strings.Contains(err.Error(), `no group "Nobody"`) || !strings.Contains(err.Error(), "objects[1]: fakegraph: Seed: unknown type nothing") {
		t.Errorf("Start: %v", err)
	}
}
