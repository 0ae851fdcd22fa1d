package kandji_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/kandji"
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
`

// Plan, then Apply, then Plan again: the second plan has nothing to do.
func Example() {
	fake := fakemdm.NewKandji("kandji-token")
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := map[string]string{kandji.EnvURL: srv.URL, kandji.EnvToken: "kandji-token"}
	c, err := kandji.FromEnv(func(k string) string { return env[k] }, kandji.ClientOptions{})
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
	plan, err := kandji.Plan(ctx, c, policies, kandji.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	plan.Render(os.Stdout, deploy.FormatText)
	res, err := kandji.Apply(ctx, c, policies, plan, kandji.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("created %d with %d writes\n", res.Created, res.Writes)
	plan, _ = kandji.Plan(ctx, c, policies, kandji.Options{})
	fmt.Println(plan.Summary())
	// Output:
	// + create profile "Work Contacts" from contacts.yaml
	//
	// kandji: 1 to create
	// created 1 with 1 writes
	// kandji: no changes (1 object)
}
