package intune

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/graph"
	"github.com/mdmforge/mdmforge/internal/fakegraph"
	"github.com/mdmforge/mdmforge/profiles"
)

// applyFails runs an apply that must fail without writing and returns its
// error message with its hints.
func applyFails(t *testing.T, e *env, ps []*profiles.Policy, o Options) string {
	t.Helper()
	_, err := Apply(context.Background(), e.g, ps, nil, o)
	if err == nil {
		t.Fatal("apply succeeded")
	}
	if n := e.srv.Writes(); n != 0 {
		t.Errorf("a failed apply wrote %d times: %v", n, e.writes())
	}
	msg := err.Error()
	var pe *deploy.ProblemsError
	if errors.As(err, &pe) {
		msg += "\nhints: " + strings.Join(pe.Hints, "; ")
	}
	var he *deploy.HintError
	if errors.As(err, &he) {
		msg += "\nhints: " + strings.Join(he.Hints, "; ")
	}
	return msg
}

func wantAll(t *testing.T, msg string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("the error does not say %q:\n%s", p, msg)
		}
	}
}

func TestBadInput(t *testing.T) {
	unmarked := func(e *env) {
		e.srv.Seed("v1.0", collCompliance, map[string]any{"@odata.type": "#microsoft.graph.iosCompliancePolicy",
			"displayName": "Work Contacts – Compliance"})
	}
	cases := []struct {
		name   string
		setup  func(e *env)
		edits  []string
		o      Options
		expect []string
	}{
		{"unknown group", nil, []string{"include: [Sales-iOS]", "include: [Sales-iOs-Pilot]"}, Options{},
			[]string{"contacts.yaml:", "assignments.include[0]", `no group is named "Sales-iOs-Pilot"; groups with similar names: "Sales-iOS"`}},
		{"group name in other case", nil, []string{"include: [Sales-iOS]", "include: [sales-ios]"}, Options{},
			[]string{"assignments.include[0]", `no group is named "sales-ios"`, `similar names: "Sales-iOS"`}},
		{"ambiguous group", func(e *env) { e.srv.AddGroup("Executives") }, nil, Options{},
			[]string{"assignments.exclude[0]", `2 groups are named "Executives"`, "00000000-0000-4000-8000-000000000002", "object id instead"}},
		{"group id not found", nil, []string{"include: [Sales-iOS]", "include: [6f1c2a4e-8b3d-4e5f-9a0b-1c2d3e4f5a6b]"}, Options{},
			[]string{"assignments.include[0]", "no group has the object id 6f1c2a4e-8b3d-4e5f-9a0b-1c2d3e4f5a6b"}},
		{"outlook missing", nil, nil, Options{},
			[]string{"contacts.yaml:", "outlook: Outlook for iOS is not in the tenant", "Apps > iOS/iPadOS > Add > iOS store app", `"Microsoft Outlook"`}},
		{"unmarked object", unmarked, nil, Options{},
			[]string{"profile.identifier", `compliance "Work Contacts – Compliance"`, "that mdmforge did not make", "hints: --adopt takes over"}},
		{"adopt ambiguous", func(e *env) { unmarked(e); unmarked(e) }, nil, Options{Adopt: true},
			[]string{`2 unmarked objects are named "Work Contacts – Compliance"`, "--adopt takes over one object only"}},
		{"all problems at once", func(e *env) { unmarked(e); e.srv.AddGroup("Executives") },
			[]string{"include: [Sales-iOS]", "include: [Nobody]"}, Options{},
			[]string{"3 problems, nothing written", `no group is named "Nobody"`, `2 groups are named "Executives"`, "that mdmforge did not make"}},
		{"deny 403 groups", func(e *env) { e.srv.Deny(http.StatusForbidden) }, nil, Options{},
			[]string{"403", "groups", "hints: the app registration needs the Microsoft Graph application permission Group.Read.All"}},
		{"deny 401", func(e *env) { e.srv.Deny(http.StatusUnauthorized) }, nil, Options{},
			[]string{"401 InvalidAuthenticationToken: Lifetime validation failed, the token is expired.",
				"hints: if the token is right, the app registration needs the Microsoft Graph application permission Group.Read.All"}},
		{"deny 403 apps", func(e *env) { e.srv.Deny(http.StatusForbidden) }, []string{"assignments:\n  include: [Sales-iOS]\n  exclude: [Executives]\n", ""}, Options{},
			[]string{"403", "hints: the app registration needs the Microsoft Graph application permission DeviceManagementApps.Read.All"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, fakegraph.Options{})
			if c.name == "outlook missing" {
				e.srv.AddGroup("Sales-iOS")
				e.srv.AddGroup("Executives")
			} else {
				e.tenant()
				if c.setup != nil {
					c.setup(e)
				}
			}
			msg := applyFails(t, e, []*profiles.Policy{policy(t, "contacts.yaml", c.edits...)}, c.o)
			wantAll(t, msg, c.expect...)
			if _, err := Plan(context.Background(), e.g, []*profiles.Policy{policy(t, "contacts.yaml", c.edits...)}, c.o); err == nil {
				t.Error("plan succeeded")
			}
		})
	}
}

// TestAndroidOutlookMissing: without Outlook for Android in the tenant,
// its configuration is left out with a note, and the rest deploys.
func TestAndroidOutlookMissing(t *testing.T) {
	e := newEnv(t, fakegraph.Options{})
	e.srv.AddGroup("Sales-iOS")
	e.srv.AddGroup("Executives")
	e.srv.AddApp("iosVppApp", "Microsoft Outlook", "com.microsoft.office.outlook") // VPP, bundle id in other case
	ps := []*profiles.Policy{policy(t, "contacts.yaml")}
	p := e.plan(ps, Options{})
	if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "Outlook for Android") || !strings.Contains(p.Notes[0], "managed Google Play") {
		t.Errorf("notes: %q", p.Notes)
	}
	for _, s := range p.Steps {
		if s.Kind == "outlook-android" {
			t.Errorf("planned %s", s.Kind)
		}
	}
	e.apply(ps, Options{})
	for _, o := range e.srv.Objects(collAppConfigs) {
		if apps, _ := o["targetedMobileApps"].([]any); len(apps) != 1 {
			t.Errorf("targetedMobileApps: %v", o["targetedMobileApps"])
		}
	}
}

// TestAndroidOutlookRemovedIsNotPruned: when Outlook for Android leaves
// the tenant after its configuration was made, the configuration is left
// as it is (a note), not pruned: the policy still builds it.
func TestAndroidOutlookRemovedIsNotPruned(t *testing.T) {
	e := newEnv(t, fakegraph.Options{})
	e.srv.AddGroup("Sales-iOS")
	e.srv.AddGroup("Executives")
	e.srv.AddApp("iosStoreApp", "Microsoft Outlook", "com.microsoft.Office.Outlook")
	android := e.srv.AddApp("androidManagedStoreApp", "Microsoft Outlook", "com.microsoft.office.outlook")
	ps := []*profiles.Policy{policy(t, "contacts.yaml")}
	e.apply(ps, Options{})
	if !e.srv.Update(collMobileApps, android, map[string]any{"packageId": "com.example.other"}) {
		t.Fatal("no such app")
	}
	p := e.plan(ps, Options{Prune: true})
	if p.Changed() {
		t.Errorf("the plan changes:\n%s", render(t, p, "text"))
	}
	if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "is left out: Outlook for Android") {
		t.Errorf("notes: %q", p.Notes)
	}
}

// TestPermissionHints: writes name the ReadWrite permission, reads the
// Read one.
func TestPermissionHints(t *testing.T) {
	e := &engine{}
	for _, c := range []struct {
		coll  string
		write bool
		want  string
	}{
		{collConfigurations, true, "DeviceManagementConfiguration.ReadWrite.All"},
		{collCompliance, false, "DeviceManagementConfiguration.Read.All"},
		{collManagedApps, true, "DeviceManagementApps.ReadWrite.All"},
		{collConditional, true, "Policy.ReadWrite.ConditionalAccess"},
		{"groups", false, "Group.Read.All"},
	} {
		err := e.explain(&graph.Error{Status: http.StatusForbidden, Message: "denied"}, c.coll, c.write)
		var he *deploy.HintError
		if !errors.As(err, &he) || !strings.Contains(strings.Join(he.Hints, " "), c.want) {
			t.Errorf("%s write=%v: %v", c.coll, c.write, err)
		}
	}
	plain := &graph.Error{Status: http.StatusBadRequest}
	if err := e.explain(plain, collCompliance, true); err != error(plain) {
		t.Errorf("a 400 got a permission hint: %v", err)
	}
}

// TestReadOnlyPermissions: an app registration with the Read permissions
// but not the ReadWrite ones plans, and its apply stops at the first write
// with a hint naming the ReadWrite permission, having changed nothing.
func TestReadOnlyPermissions(t *testing.T) {
	e := newEnv(t, fakegraph.Options{}).tenant()
	e.srv.DenyWrites(http.StatusForbidden)
	ps := []*profiles.Policy{policy(t, "contacts.yaml")}
	p := e.plan(ps, Options{})
	if !p.Changed() {
		t.Fatal("the plan has no changes")
	}
	before := e.srv.State()
	_, err := Apply(context.Background(), e.g, ps, nil, Options{})
	var he *deploy.HintError
	if !errors.As(err, &he) || graph.StatusOf(err) != http.StatusForbidden {
		t.Fatalf("apply: %v", err)
	}
	wantAll(t, err.Error()+"\nhints: "+strings.Join(he.Hints, "; "),
		`create outlook-devices "Work Contacts (Outlook) – iOS managed devices"`, "403 Forbidden",
		"hints: the app registration needs the Microsoft Graph application permission DeviceManagementApps.ReadWrite.All")
	if after := e.srv.State(); string(after) != string(before) {
		t.Errorf("the tenant changed:\n%s", after)
	}
	if n := e.srv.Writes(); n != 1 {
		t.Errorf("%d write attempts, want the one refused: %v", n, e.writes())
	}
}
