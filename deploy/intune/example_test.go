package intune_test

import (
	"context"
	"fmt"
	"os"

	"github.com/mdmforge/mdmforge/deploy/graph"
	"github.com/mdmforge/mdmforge/deploy/intune"
	"github.com/mdmforge/mdmforge/internal/fakegraph"
	"github.com/mdmforge/mdmforge/profiles"
)

const examplePolicy = `version: 1
target: intune
profile:
  name: contacts
  identifier: com.example.mdm.contacts
  display_name: Work Contacts
payloads:
  - type: com.apple.applicationaccess
    keys:
      allowOpenFromManagedToUnmanaged: false
assignments:
  include: [Sales-iOS]
`

// Plan against a tenant (here the tests' fake Graph), apply, and plan
// again: the second plan has nothing to do.
func ExamplePlan() {
	srv := fakegraph.New(fakegraph.Options{})
	defer srv.Close()
	srv.AddGroup("Sales-iOS")
	cred, _ := graph.Credential(graph.AuthOptions{Kind: "token", Getenv: func(name string) string { return map[string]string{graph.EnvToken: "a-token"}[name] }})
	g := graph.New(graph.Options{BaseURL: srv.URL, Credential: cred, HTTPClient: srv.Client()})

	p, ds := profiles.Decode("contacts.yaml", []byte(examplePolicy))
	if ds.Errors() > 0 {
		fmt.Println(ds)
		return
	}
	ctx := context.Background()
	plan, err := intune.Plan(ctx, g, []*profiles.Policy{p}, intune.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = plan.Render(os.Stdout, "text")
	if _, err := intune.Apply(ctx, g, []*profiles.Policy{p}, plan, intune.Options{Progress: os.Stdout}); err != nil {
		fmt.Println(err)
		return
	}
	again, _ := intune.Plan(ctx, g, []*profiles.Policy{p}, intune.Options{})
	fmt.Println(again.Summary())
	// Output:
	// + create custom-profile "Work Contacts – Custom profile" from contacts.yaml
	//     assignments:
	//       + include Sales-iOS (00000000-0000-4000-8000-000000000001)
	//
	// intune: 1 to create
	// created custom-profile "Work Contacts – Custom profile" (id 00000000-0000-4000-8000-000000000002)
	// intune: no changes (1 object)
}
