package intune

import (
	"bytes"
	"testing"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/internal/plantest"
	"github.com/mdmforge/mdmforge/internal/fakegraph"
	"github.com/mdmforge/mdmforge/profiles"
)

// render is p in one format, for tests that read the plan rather than
// pin it.
func render(t *testing.T, p *deploy.Plan, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := p.Render(&buf, format); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGoldenPlans renders the plans of the scenarios. Each starts
// from the base policy applied to a fresh tenant, unless it says
// otherwise.
func TestGoldenPlans(t *testing.T) {
	// other is a second policy, of its own identifier, without Outlook.
	other := func(t *testing.T) *profiles.Policy {
		return policy(t, "other.yaml", "identifier: com.example.mdm.contacts", "identifier: com.example.mdm.calendars",
			"display_name: Work Contacts", "display_name: Work Calendars", "  name: contacts\n", "  name: calendars\n",
			"outlook:\n  save_contacts: false\n  users_can_change_save_contacts: false\n", "")
	}
	base := func(t *testing.T) *profiles.Policy { return policy(t, "contacts.yaml") }
	applied := func(t *testing.T) *env {
		e := newEnv(t, fakegraph.Options{}).tenant()
		e.apply([]*profiles.Policy{base(t)}, Options{})
		return e
	}
	cases := []struct {
		name    string
		formats []string
		plan    func(t *testing.T) *deploy.Plan
	}{
		{"create", []string{"txt", "md"}, func(t *testing.T) *deploy.Plan {
			e := newEnv(t, fakegraph.Options{}).tenant()
			return e.plan([]*profiles.Policy{base(t)}, Options{})
		}},
		// Without assignments: a note, and the markdown has no empty
		// heading for the creates that have nothing more to show.
		{"create-unassigned", []string{"txt", "md"}, func(t *testing.T) *deploy.Plan {
			e := newEnv(t, fakegraph.Options{}).tenant()
			p := policy(t, "contacts.yaml", "assignments:\n  include: [Sales-iOS]\n  exclude: [Executives]\n", "")
			return e.plan([]*profiles.Policy{p}, Options{})
		}},
		{"no-op", []string{"txt"}, func(t *testing.T) *deploy.Plan {
			return applied(t).plan([]*profiles.Policy{base(t)}, Options{})
		}},
		{"update-reauth", []string{"txt", "md", "json", "github"}, func(t *testing.T) *deploy.Plan {
			p := policy(t, "contacts.yaml", "host: outlook.office365.com", "host: mail.example.com")
			return applied(t).plan([]*profiles.Policy{p}, Options{})
		}},
		{"rename", []string{"txt"}, func(t *testing.T) *deploy.Plan {
			p := policy(t, "contacts.yaml", "display_name: Work Contacts", "display_name: Company Contacts")
			return applied(t).plan([]*profiles.Policy{p}, Options{})
		}},
		{"assignments", []string{"txt"}, func(t *testing.T) *deploy.Plan {
			e := applied(t)
			e.srv.AddGroup("Sales-iPad")
			p := policy(t, "contacts.yaml", "include: [Sales-iOS]", "include: [Sales-iOS, Sales-iPad]", "  exclude: [Executives]\n", "")
			return e.plan([]*profiles.Policy{p}, Options{})
		}},
		{"adopt", []string{"txt"}, func(t *testing.T) *deploy.Plan {
			e := newEnv(t, fakegraph.Options{}).tenant()
			e.srv.Seed("v1.0", collCompliance, map[string]any{
				"@odata.type": "#microsoft.graph.iosCompliancePolicy", "displayName": "Work Contacts – Compliance",
				"description": "Made by hand.", "osMinimumVersion": "12.0",
				"scheduledActionsForRule": []any{map[string]any{"ruleName": "PasswordRequired",
					"scheduledActionConfigurations": []any{map[string]any{"actionType": "block", "gracePeriodHours": 0}}}},
			})
			return e.plan([]*profiles.Policy{base(t)}, Options{Adopt: true})
		}},
		{"prune", []string{"txt"}, func(t *testing.T) *deploy.Plan {
			e := applied(t)
			p := policy(t, "contacts.yaml", "outlook:\n  save_contacts: false\n  users_can_change_save_contacts: false\n", "")
			return e.plan([]*profiles.Policy{p}, Options{Prune: true})
		}},
		{"conditional-access", []string{"txt"}, func(t *testing.T) *deploy.Plan {
			e := applied(t)
			p := policy(t, "contacts.yaml", "assignments:", "intune:\n  conditional_access: report-only\nassignments:")
			return e.plan([]*profiles.Policy{p}, Options{})
		}},
		// The run no longer has other.yaml: its objects are another
		// identifier's, and deleted all the same.
		{"prune-removed", []string{"txt", "md", "github"}, func(t *testing.T) *deploy.Plan {
			e := applied(t)
			e.apply([]*profiles.Policy{other(t)}, Options{})
			return e.plan([]*profiles.Policy{base(t)}, Options{Prune: true})
		}},
		{"prune-removed-notes", []string{"txt"}, func(t *testing.T) *deploy.Plan {
			e := applied(t)
			e.apply([]*profiles.Policy{other(t)}, Options{})
			return e.plan([]*profiles.Policy{base(t)}, Options{})
		}},
		{"prune-notes", []string{"txt"}, func(t *testing.T) *deploy.Plan {
			e := applied(t)
			p := policy(t, "contacts.yaml", "outlook:\n  save_contacts: false\n  users_can_change_save_contacts: false\n", "")
			return e.plan([]*profiles.Policy{p}, Options{})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plantest.Check(t, c.name, c.plan(t), c.formats...)
		})
	}
}
