package kandji

import (
	"testing"

	"github.com/mdmforge/mdmforge/deploy/internal/plantest"
	"github.com/mdmforge/mdmforge/profiles"
)

// TestGoldenPlan: after an apply, the policy's server changes, and a
// second policy is new.
func TestGoldenPlan(t *testing.T) {
	e := newEnv(t)
	e.apply([]*profiles.Policy{policy(t, "contacts.yaml")}, Options{})
	changed := policy(t, "contacts.yaml", "host: outlook.office365.com", "host: mail.example.com")
	other := policy(t, "calendars.yaml", "identifier: com.example.mdm.contacts", "identifier: com.example.mdm.calendars",
		"display_name: Work Contacts", "display_name: Work Calendars", "sync: [contacts]", "sync: [calendars]")
	plantest.Check(t, "kandji-update", e.plan([]*profiles.Policy{changed, other}, Options{}))
}
