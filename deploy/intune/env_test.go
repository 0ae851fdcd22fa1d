package intune

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/mdmforge/mdmforge/deploy/internal/plantest"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/graph"
	"github.com/mdmforge/mdmforge/internal/fakegraph"
	"github.com/mdmforge/mdmforge/profiles"
)

// env is a fake tenant with a Graph client whose waits are recorded, not
// slept.
type env struct {
	t   testing.TB
	srv *fakegraph.Server
	g   *graph.Client

	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func newEnv(t testing.TB, o fakegraph.Options) *env {
	t.Helper()
	e := &env{t: t, now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	e.srv = fakegraph.New(o)
	t.Cleanup(e.srv.Close)
	e.g = e.client(graph.Options{})
	// Read-back waits are recorded too.
	orig := sleep
	sleep = func(ctx context.Context, d time.Duration) error { return e.sleep(ctx, d) }
	t.Cleanup(func() { sleep = orig })
	return e
}

// client is a Graph client of the fake; o's zero fields get the test's
// defaults.
func (e *env) client(o graph.Options) *graph.Client {
	cred, err := graph.Credential(graph.AuthOptions{Kind: "token", Getenv: func(name string) string { return map[string]string{graph.EnvToken: "test-token"}[name] }})
	if err != nil {
		e.t.Fatal(err)
	}
	o.BaseURL, o.Credential = e.srv.URL, cred
	if o.HTTPClient == nil {
		o.HTTPClient = e.srv.Client()
	}
	o.Sleep, o.Now = e.sleep, e.clock
	if o.Seed == 0 {
		o.Seed = 1
	}
	return graph.New(o)
}

func (e *env) sleep(ctx context.Context, d time.Duration) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
	e.slept = append(e.slept, d)
	return ctx.Err()
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

// tenant adds the groups and apps the test policies name.
func (e *env) tenant() *env {
	e.srv.AddGroup("Sales-iOS")
	e.srv.AddGroup("Executives")
	e.srv.AddApp("iosStoreApp", "Microsoft Outlook", "com.microsoft.Office.Outlook")
	e.srv.AddApp("androidManagedStoreApp", "Microsoft Outlook", "com.microsoft.office.outlook")
	return e
}

func (e *env) plan(ps []*profiles.Policy, o Options) *deploy.Plan {
	e.t.Helper()
	p, err := Plan(context.Background(), e.g, ps, o)
	if err != nil {
		e.t.Fatalf("plan: %v", err)
	}
	return p
}

func (e *env) apply(ps []*profiles.Policy, o Options) *deploy.Result {
	e.t.Helper()
	r, err := Apply(context.Background(), e.g, ps, nil, o)
	if err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	return r
}

// basePolicy is the example scenario with assignments.
const basePolicy = `version: 1
target: intune
profile:
  name: contacts
  identifier: com.example.mdm.contacts
  display_name: Work Contacts
  organization: Example Corp
  description: Syncs work contacts.
  min_ios: "13.0"
exchange:
  account_name: Work Contacts
  host: outlook.office365.com
  email: ${user.email}
  username: ${user.upn}
  auth: oauth
  sync: [contacts]
  users_can_change_sync: false
  ssl: true
restrictions:
  allowOpenFromManagedToUnmanaged: false
outlook:
  save_contacts: false
  users_can_change_save_contacts: false
assignments:
  include: [Sales-iOS]
  exclude: [Executives]
`

// policy decodes and validates a policy; edits are old→new replacements
// of basePolicy's text.
func policy(t testing.TB, file string, edits ...string) *profiles.Policy {
	return plantest.Policy(t, basePolicy, file, edits...)
}
