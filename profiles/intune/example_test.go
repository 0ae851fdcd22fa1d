package intune_test

import (
	"fmt"
	"log"

	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/intune"
)

const policy = `version: 1
profile:
  name: contacts
  identifier: com.example.contacts
  display_name: Work contacts
  min_ios: "16.0"
exchange:
  host: outlook.office365.com
  email: ${user.email}
  username: ${user.upn}
  auth: oauth
  sync: [contacts]
  users_can_change_sync: false
outlook:
  save_contacts: true
`

func decode() *profiles.Policy {
	p, ds := profiles.Decode("contacts.yaml", []byte(policy))
	if ds.Errors() > 0 {
		log.Fatal(ds)
	}
	if ds := profiles.Validate(p); ds.Errors() > 0 {
		log.Fatal(ds)
	}
	return p
}

// Objects gives each Graph body with where to POST it.
func ExampleObjects() {
	objs, warnings, err := intune.Objects(decode(), profiles.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range objs {
		fmt.Println(o.File, "→ POST", o.URL())
	}
	fmt.Println(len(warnings), "warnings")
	// Output:
	// email.json → POST https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations
	// custom.json → POST https://graph.microsoft.com/v1.0/deviceManagement/deviceConfigurations
	// outlook-devices.json → POST https://graph.microsoft.com/v1.0/deviceAppManagement/mobileAppConfigurations
	// outlook-apps.json → POST https://graph.microsoft.com/beta/deviceAppManagement/targetedManagedAppConfigurations
	// outlook-android.json → POST https://graph.microsoft.com/beta/deviceAppManagement/mobileAppConfigurations
	// compliance.json → POST https://graph.microsoft.com/v1.0/deviceManagement/deviceCompliancePolicies
	// 0 warnings
}

// Bundle gives the files of the NAME.intune folder mdmforge build writes.
func ExampleBundle() {
	outs, _, err := intune.Bundle(decode(), profiles.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range outs {
		fmt.Println(o.Name)
	}
	// Output:
	// email.json
	// custom.json
	// outlook-devices.json
	// outlook-apps.json
	// outlook-android.json
	// compliance.json
	// README.md
}

// Deployable gives the objects mdmforge apply creates, in its order: here
// Intune's native email profile rather than the custom profile, and a
// report-only Conditional Access policy whose groups the engine resolves.
func ExampleDeployable() {
	src := policy + `assignments:
  include: [iOS users]
intune:
  profile: native
  conditional_access: report-only
`
	p, ds := profiles.Decode("contacts.yaml", []byte(src))
	if ds = append(ds, profiles.Validate(p)...); ds.Errors() > 0 {
		log.Fatal(ds)
	}
	objs, _, err := intune.Deployable(p, profiles.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range objs {
		if o, err = intune.ResolveGroups(o, func(string) (string, error) { return "6f1c2a4e-8b3d-4e5f-9a0b-1c2d3e4f5a6b", nil }); err != nil {
			log.Fatal(err)
		}
		fmt.Println(o.Kind, "→ POST", o.URL())
	}
	// Output:
	// outlook-devices → POST https://graph.microsoft.com/v1.0/deviceAppManagement/mobileAppConfigurations
	// outlook-apps → POST https://graph.microsoft.com/beta/deviceAppManagement/targetedManagedAppConfigurations
	// outlook-android → POST https://graph.microsoft.com/beta/deviceAppManagement/mobileAppConfigurations
	// compliance → POST https://graph.microsoft.com/v1.0/deviceManagement/deviceCompliancePolicies
	// email → POST https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations
	// conditional-access → POST https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies
}

// EmailServices reads back from an Exchange payload the easServices value
// email.json holds for it.
func ExampleEmailServices() {
	fmt.Println(intune.EmailServices(map[string]any{"EnableContacts": true, "EnableCalendars": true}))
	// Output: contacts,calendars
}
