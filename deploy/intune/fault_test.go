package intune

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mdmforge/mdmforge/deploy/graph"
	"github.com/mdmforge/mdmforge/internal/fakegraph"
	"github.com/mdmforge/mdmforge/profiles"
)

// faultRuns are the applies of the convergence test: the base policy on
// an empty tenant, then a change that renames, changes the profile and
// the assignments, and drops the Outlook block (pruned).
func faultRuns(t *testing.T) [][]*profiles.Policy {
	return [][]*profiles.Policy{
		{policy(t, "contacts.yaml")},
		{policy(t, "contacts.yaml",
			"display_name: Work Contacts", "display_name: Company Contacts",
			"host: outlook.office365.com", "host: mail.example.com",
			`min_ios: "13.0"`, `min_ios: "16.0"`,
			"  exclude: [Executives]\n", "",
			"outlook:\n  save_contacts: false\n  users_can_change_save_contacts: false\n", "")},
	}
}

// convergedState applies the runs in order, each retried as a pipeline
// would (at most attempts times), and returns the tenant's state.
func convergedState(t *testing.T, faults fakegraph.Faults, attempts int) ([]byte, *env) {
	e := newEnv(t, fakegraph.Options{Faults: faults})
	e.tenant()
	// A short time-out, so that slow answers are lost answers.
	e.g = e.client(graph.Options{Timeout: 100 * time.Millisecond, Seed: faults.Seed + 1})
	for i, ps := range faultRuns(t) {
		var err error
		for a := 0; a < attempts; a++ {
			if _, err = Apply(context.Background(), e.g, ps, nil, Options{Prune: true}); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("run %d did not converge in %d applies: %v", i+1, attempts, err)
		}
	}
	return e.srv.State(), e
}

// TestFaultConvergence: under random faults of every kind on a fifth of
// the requests, apply (retried whole a few times, as a pipeline would)
// reaches the tenant a fault-free run reaches: nothing duplicated,
// nothing lost, assignments included.
func TestFaultConvergence(t *testing.T) {
	want, _ := convergedState(t, fakegraph.Faults{}, 1)
	seeds := 20
	if testing.Short() {
		seeds = 5
	}
	for seed := int64(1); seed <= int64(seeds); seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			faults := fakegraph.Faults{Seed: seed, Rate: 0.2, Kinds: fakegraph.AllFaults, Delay: 250 * time.Millisecond}
			got, e := convergedState(t, faults, 4)
			if !bytes.Equal(got, want) {
				t.Errorf("the tenant differs from a fault-free run's:\n got %s\nwant %s", got, want)
			}
			assertNoDuplicates(t, e)
			injected, slow := 0, 0
			for _, r := range e.srv.Requests() {
				if r.Fault != "" {
					injected++
				}
				if r.Fault == string(fakegraph.Slow) {
					slow++
				}
			}
			if injected == 0 {
				t.Errorf("no fault was injected")
			}
			t.Logf("%d faults injected, %d slow answers", injected, slow)
		})
	}
}

// assertNoDuplicates checks that no two objects carry one marker.
func assertNoDuplicates(t *testing.T, e *env) {
	t.Helper()
	for _, c := range []string{collConfigurations, collCompliance, collAppConfigs, collManagedApps} {
		seen := map[string]bool{}
		for _, o := range e.srv.Objects(c) {
			m, ok := markerOf(c, o)
			if !ok {
				continue
			}
			if seen[m] {
				t.Errorf("two objects carry %s", m)
			}
			seen[m] = true
		}
	}
}
