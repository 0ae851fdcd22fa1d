package intune

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/internal/fakegraph"
	"github.com/mdmforge/mdmforge/profiles"
)

// writes are the write requests the fake answered since its log was reset.
func (e *env) writes() []fakegraph.Request {
	var out []fakegraph.Request
	for _, r := range e.srv.Requests() {
		if r.Write {
			out = append(out, r)
		}
	}
	return out
}

func (e *env) allObjects() int {
	n := 0
	for _, c := range []string{collConfigurations, collCompliance, collAppConfigs, collManagedApps, collConditional} {
		n += len(e.srv.Objects(c))
	}
	return n
}

// TestApplyThenNothingToDo applies each scenario's change and checks that
// the tenant then matches: the next plan has no change and the next
// apply makes no write at all.
func TestApplyThenNothingToDo(t *testing.T) {
	cases := []struct {
		name  string
		edits []string
		o     Options
		// objects is how many objects the tenant holds afterwards.
		objects int
		// seed makes the tenant before; nil applies the base policy.
		seed func(e *env)
	}{
		{"adopt", nil, Options{Adopt: true}, 5, func(e *env) { e.srv.Seed("v1.0", collCompliance, handMadeCompliance(24)) }},
		{"compliance actions", nil, Options{}, 5, func(e *env) {
			c := handMadeCompliance(24)
			c["description"] = "Requires iOS 13.0 or later. Older iOS ignores the Exchange account's data-type choice and locks, and would sync mail, calendars, reminders and notes as well.\nmdmforge:com.example.mdm.contacts/compliance"
			c["osMinimumVersion"] = "13.0"
			e.srv.Seed("v1.0", collCompliance, c)
		}},
		{"create", nil, Options{}, 5, nil},
		{"update-reauth", []string{"host: outlook.office365.com", "host: mail.example.com"}, Options{}, 5, nil},
		{"rename", []string{"display_name: Work Contacts", "display_name: Company Contacts"}, Options{}, 5, nil},
		{"assignments", []string{"  exclude: [Executives]\n", ""}, Options{}, 5, nil},
		{"outlook-setting", []string{"users_can_change_save_contacts: false", "users_can_change_save_contacts: true"}, Options{}, 5, nil},
		{"native", []string{"assignments:", "intune:\n  profile: native\nassignments:"}, Options{}, 7, nil}, // the custom profile stays, noted
		{"native-prune", []string{"assignments:", "intune:\n  profile: native\nassignments:"}, Options{Prune: true}, 6, nil},
		{"conditional-access", []string{"assignments:", "intune:\n  conditional_access: enforce\nassignments:"}, Options{}, 6, nil},
		{"native-to-custom-prune", nil, Options{Prune: true}, 5, func(e *env) {
			e.apply([]*profiles.Policy{policy(e.t.(*testing.T), "contacts.yaml", "assignments:", "intune:\n  profile: native\nassignments:")}, Options{})
		}},
		{"adopt conditional access", []string{"assignments:", "intune:\n  conditional_access: report-only\nassignments:"}, Options{Adopt: true}, 6, func(e *env) {
			e.srv.Seed("v1.0", collConditional, map[string]any{"displayName": "Work Contacts – Require compliant iOS devices for Exchange Online",
				"state": "disabled"})
		}},
		{"conditional access off", []string{"assignments:", "intune:\n  conditional_access: \"off\"\nassignments:"}, Options{Prune: true}, 5, func(e *env) {
			e.apply([]*profiles.Policy{policy(e.t.(*testing.T), "contacts.yaml", "assignments:", "intune:\n  conditional_access: report-only\nassignments:")}, Options{})
		}},
		{"prune", []string{"outlook:\n  save_contacts: false\n  users_can_change_save_contacts: false\n", ""}, Options{Prune: true}, 2, nil},
		// A policy file removed from the run: its objects (another
		// identifier's) are deleted with --prune, and stay without it.
		{"policy file removed", nil, Options{Prune: true}, 5, applyBaseAndOther},
		{"policy file removed without prune", nil, Options{}, 7, applyBaseAndOther},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, fakegraph.Options{}).tenant()
			if c.seed != nil {
				c.seed(e)
			} else {
				e.apply([]*profiles.Policy{policy(t, "contacts.yaml")}, Options{})
			}
			ps := []*profiles.Policy{policy(t, "contacts.yaml", c.edits...)}
			before := e.plan(ps, c.o)
			r := e.apply(ps, c.o)
			if c.name != "create" && r.Created != before.Counts()[deploy.Create] {
				t.Errorf("created %d, planned %d", r.Created, before.Counts()[deploy.Create])
			}
			after := e.plan(ps, c.o)
			if after.Changed() {
				t.Errorf("after apply, the plan still changes:\n%s", render(t, after, "text"))
			}
			e.srv.ResetLog()
			r = e.apply(ps, c.o)
			if r.Writes != 0 || len(e.writes()) != 0 {
				t.Errorf("second apply wrote %d times: %v", r.Writes, e.writes())
			}
			if n := e.allObjects(); n != c.objects {
				t.Errorf("tenant holds %d objects, want %d", n, c.objects)
			}
		})
	}
}

// applyBaseAndOther applies the base policy and a second one of another
// identifier (without Outlook: a compliance policy and a custom profile).
func applyBaseAndOther(e *env) {
	t := e.t.(*testing.T)
	e.apply([]*profiles.Policy{policy(t, "contacts.yaml"), policy(t, "other.yaml",
		"identifier: com.example.mdm.contacts", "identifier: com.example.mdm.calendars",
		"display_name: Work Contacts", "display_name: Work Calendars",
		"outlook:\n  save_contacts: false\n  users_can_change_save_contacts: false\n", "")}, Options{})
}

// handMadeCompliance is a compliance policy made in the admin center,
// with a grace period before devices are marked non-compliant.
func handMadeCompliance(grace int) map[string]any {
	return map[string]any{
		"@odata.type": "#microsoft.graph.iosCompliancePolicy", "displayName": "Work Contacts – Compliance",
		"description": "Made by hand.", "osMinimumVersion": "12.0",
		"scheduledActionsForRule": []any{map[string]any{"ruleName": "PasswordRequired",
			"scheduledActionConfigurations": []any{map[string]any{"actionType": "block", "gracePeriodHours": grace}}}},
	}
}

// TestRenameUpdatesInPlace: a new display name is PATCHed onto the same
// objects, with the profile's bytes resent (the payload's display name
// changed too).
func TestRenameUpdatesInPlace(t *testing.T) {
	e := newEnv(t, fakegraph.Options{}).tenant()
	e.apply([]*profiles.Policy{policy(t, "contacts.yaml")}, Options{})
	e.srv.ResetLog()
	e.apply([]*profiles.Policy{policy(t, "contacts.yaml", "display_name: Work Contacts", "display_name: Company Contacts")}, Options{})
	var patches int
	for _, r := range e.writes() {
		if r.Method != "PATCH" {
			t.Errorf("rename made a %s: %s", r.Method, r)
		}
		patches++
	}
	if patches != 5 {
		t.Errorf("%d PATCHes, want 5", patches)
	}
	for _, o := range e.srv.Objects(collConfigurations) {
		if !strings.HasPrefix(o["displayName"].(string), "Company Contacts") {
			t.Errorf("not renamed: %v", o["displayName"])
		}
	}
}

// TestProfileChangeResendsPayload: a change inside the .mobileconfig
// PATCHes payload with its names, and devices get the new bytes.
func TestProfileChangeResendsPayload(t *testing.T) {
	e := newEnv(t, fakegraph.Options{}).tenant()
	e.apply([]*profiles.Policy{policy(t, "contacts.yaml")}, Options{})
	p := policy(t, "contacts.yaml", "host: outlook.office365.com", "host: mail.example.com")
	plan := e.plan([]*profiles.Policy{p}, Options{})
	var step *deploy.Step
	for i := range plan.Steps {
		if plan.Steps[i].Kind == "custom-profile" {
			step = &plan.Steps[i]
		}
	}
	if step == nil || step.Action != deploy.Update || len(step.Profile) == 0 {
		t.Fatalf("custom profile step: %+v", step)
	}
	if !strings.Contains(strings.Join(step.Consequences, "\n"), "sign in again") {
		t.Errorf("no re-authentication consequence: %v", step.Consequences)
	}
	e.apply([]*profiles.Policy{p}, Options{})
	for _, o := range e.srv.Objects(collConfigurations) {
		if o["@odata.type"] != "#microsoft.graph.iosCustomConfiguration" {
			continue
		}
		if !strings.Contains(decodePayload(t, o["payload"]), "mail.example.com") {
			t.Errorf("the tenant's payload was not updated")
		}
	}
}

func decodePayload(t *testing.T, v any) string {
	t.Helper()
	var b []byte
	s, _ := v.(string)
	if err := json.Unmarshal([]byte(`"`+s+`"`), &b); err != nil {
		t.Fatalf("payload: %v", err)
	}
	return string(b)
}

// TestSavedPlan: apply --plan applies a plan that still holds, and refuses
// one the tenant moved away from, naming the step, writing nothing.
func TestSavedPlan(t *testing.T) {
	e := newEnv(t, fakegraph.Options{}).tenant()
	ps := []*profiles.Policy{policy(t, "contacts.yaml")}
	saved := e.plan(ps, Options{})
	var file bytes.Buffer
	if err := saved.Write(&file); err != nil {
		t.Fatal(err)
	}
	read, err := deploy.ReadPlan(&file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(context.Background(), e.g, ps, read, Options{}); err != nil {
		t.Fatalf("apply --plan: %v", err)
	}

	// Someone edits the compliance policy in the admin center after the
	// plan of a change was made.
	changed := []*profiles.Policy{policy(t, "contacts.yaml", `min_ios: "13.0"`, `min_ios: "15.0"`)}
	saved = e.plan(changed, Options{})
	for _, o := range e.srv.Objects(collCompliance) {
		e.srv.Seed("v1.0", collCompliance, map[string]any{"@odata.type": o["@odata.type"], "displayName": "unrelated"})
	}
	e.srv.ResetLog()
	if _, err := Apply(context.Background(), e.g, changed, saved, Options{}); err != nil {
		t.Fatalf("a change elsewhere in the tenant refused the plan: %v", err)
	}
	if len(e.writes()) == 0 {
		t.Fatal("the saved plan was not applied")
	}

	saved = e.plan([]*profiles.Policy{policy(t, "contacts.yaml", `min_ios: "13.0"`, `min_ios: "16.0"`)}, Options{})
	other := []*profiles.Policy{policy(t, "contacts.yaml", `min_ios: "13.0"`, `min_ios: "17.0"`)}
	e.srv.ResetLog()
	_, err = Apply(context.Background(), e.g, other, saved, Options{})
	if err == nil || !strings.Contains(err.Error(), "changed since the plan was made") || !strings.Contains(err.Error(), "compliance") {
		t.Errorf("apply of a stale plan: %v", err)
	}
	if w := e.writes(); len(w) != 0 {
		t.Errorf("a refused plan wrote: %v", w)
	}

	// The tenant's own object is edited by hand after the plan was made.
	saved = e.plan(other, Options{})
	for _, o := range e.srv.Objects(collCompliance) {
		if o["displayName"] != "unrelated" {
			e.srv.Update(collCompliance, o["id"].(string), map[string]any{"osMinimumVersion": "14.0"})
		}
	}
	e.srv.ResetLog()
	_, err = Apply(context.Background(), e.g, other, saved, Options{})
	if err == nil || !strings.Contains(err.Error(), "changed since the plan was made") || !strings.Contains(err.Error(), "osMinimumVersion") {
		t.Errorf("apply of a plan the tenant changed under: %v", err)
	}
	if w := e.writes(); len(w) != 0 {
		t.Errorf("a refused plan wrote: %v", w)
	}
}
