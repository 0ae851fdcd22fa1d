package fleet_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/fleet"
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
  include: [Sales]
`

// Plan, then Apply, then Plan again: the second plan has nothing to do.
func Example() {
	fake := fakemdm.NewFleet("fleet-token", []string{"Sales"})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := map[string]string{fleet.EnvURL: srv.URL, fleet.EnvToken: "fleet-token"}
	c, err := fleet.FromEnv(func(k string) string { return env[k] }, fleet.ClientOptions{})
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
	plan, err := fleet.Plan(ctx, c, policies, fleet.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	plan.Render(os.Stdout, deploy.FormatText)
	res, err := fleet.Apply(ctx, c, policies, plan, fleet.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("created %d with %d writes\n", res.Created, res.Writes)
	plan, _ = fleet.Plan(ctx, c, policies, fleet.Options{})
	fmt.Println(plan.Summary())
	// Output:
	// + create profile "Work Contacts" from contacts.yaml
	//     assignments:
	//       + include Sales (1)
	//
	// fleet: 1 to create
	// created 1 with 1 writes
	// fleet: no changes (1 object)
}
