package nanomdm_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mdmforge/mdmforge/deploy/nanomdm"
	"github.com/mdmforge/mdmforge/internal/nanomdmtest"
	"github.com/mdmforge/mdmforge/profiles"
)

// Plan and apply a policy to a NanoMDM server: the first apply queues the
// profile to the device, the second finds nothing to do.
func Example() {
	srv := nanomdmtest.New(nanomdmtest.Options{}) // a real NanoMDM, in process
	defer srv.Close()
	device, _ := srv.Enroll()

	dir, _ := os.MkdirTemp("", "nanomdm-example")
	defer os.RemoveAll(dir)
	policy := filepath.Join(dir, "p.yaml")
	os.WriteFile(policy, []byte("version: 1\nprofile: {name: p, identifier: com.example.p}\n"+
		"restrictions: {allowOpenFromManagedToUnmanaged: false}\nassignments:\n  include: ["+device.ID()+"]\n"), 0o644)
	policies, _ := profiles.Load(policy)

	env := map[string]string{nanomdm.EnvURL: srv.URL, nanomdm.EnvAPIKey: nanomdmtest.APIKey, nanomdm.EnvNoPush: "1"}
	cfg, err := nanomdm.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		fmt.Println(err)
		return
	}
	client := nanomdm.NewClient(cfg, srv.Client())
	profs, _, err := nanomdm.FromPolicies(policies, nanomdm.BuildOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	o := nanomdm.Options{StatePath: filepath.Join(dir, nanomdm.DefaultStatePath)}
	for range 2 {
		plan, err := nanomdm.Plan(context.Background(), client, profs, o)
		if err != nil {
			fmt.Println(err)
			return
		}
		r, err := nanomdm.Apply(context.Background(), client, profs, plan, o)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s; %d created, %d requests\n", plan.Summary(), r.Created, r.Writes)
	}
	cmd, _ := device.Next()
	fmt.Println("the device gets", cmd.RequestType)
	// Output:
	// nanomdm: 1 to create; 1 created, 1 requests
	// nanomdm: no changes (1 object); 0 created, 0 requests
	// the device gets InstallProfile
}
