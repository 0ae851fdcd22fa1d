package jamf_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/jamf"
	"github.com/mdmforge/mdmforge/internal/fakemdm"
	"github.com/mdmforge/mdmforge/profiles"
)

const policy = `version: 1
profile:
  name: contacts
  identifier: com.example.mdm.contacts
  display_name: Work Contacts
exchange:
  account_name: Work Contacts
  host: outlook.office365.com
  email: ${user.email}
  auth: oauth
  ssl: true
assignments:
  include: [Sales iPads]
`

// Plan, then Apply, then Plan again: the second plan has nothing to do.
func Example() {
	fake := fakemdm.NewJamf("mdmforge-ci", "secret", fakemdm.JamfGroup{ID: 1, Name: "Sales iPads"})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	// Real code passes os.Getenv; the secret may also be in a file
	// (MDMFORGE_JAMF_CLIENT_SECRET_FILE).
	env := map[string]string{jamf.EnvURL: srv.URL, jamf.EnvClientID: "mdmforge-ci", jamf.EnvClientSecret: "secret"}
	c, err := jamf.FromEnv(func(k string) string { return env[k] }, jamf.ClientOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, ds := profiles.Decode("contacts.yaml", []byte(policy))
	if ds = append(ds, profiles.Validate(p)...); ds.Errors() > 0 {
		fmt.Println(ds)
		return
	}
	policies := []*profiles.Policy{p}
	ctx := context.Background()
	plan, err := jamf.Plan(ctx, c, policies, jamf.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	plan.Render(os.Stdout, deploy.FormatText)
	res, err := jamf.Apply(ctx, c, policies, plan, jamf.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("created %d with %d writes\n", res.Created, res.Writes)
	plan, _ = jamf.Plan(ctx, c, policies, jamf.Options{})
	fmt.Println(plan.Summary())
	// Output:
	// + create profile "Work Contacts" from contacts.yaml
	//     assignments:
	//       + include Sales iPads (1)
	//
	// jamf: 1 to create
	// created 1 with 1 writes
	// jamf: no changes (1 object)
}
