package kandji

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/deploy/internal/plantest"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/internal/fakemdm"
	"github.com/mdmforge/mdmforge/profiles"
)

type env struct {
	t    testing.TB
	fake *fakemdm.Kandji
	srv  *httptest.Server
	c    *Client
}

func newEnv(t testing.TB) *env {
	t.Helper()
	fake := fakemdm.NewKandji("kandji-token")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	e := &env{t: t, fake: fake, srv: srv}
	e.c = e.client("kandji-token")
	return e
}

func (e *env) client(tok string) *Client {
	env := map[string]string{EnvURL: e.srv.URL, EnvToken: tok}
	c, err := FromEnv(func(k string) string { return env[k] }, ClientOptions{HTTPClient: e.srv.Client(), Seed: 1,
		Sleep: plantest.NoSleep})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) plan(ps []*profiles.Policy, o Options) *deploy.Plan {
	e.t.Helper()
	p, err := Plan(context.Background(), e.c, ps, o)
	if err != nil {
		e.t.Fatalf("plan: %v", err)
	}
	return p
}

func (e *env) apply(ps []*profiles.Policy, o Options) *deploy.Result {
	e.t.Helper()
	r, err := Apply(context.Background(), e.c, ps, nil, o)
	if err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	return r
}

const basePolicy = `version: 1
target: kandji
profile:
  name: contacts
  identifier: com.example.mdm.contacts
  display_name: Work Contacts
  organization: Example Corp
exchange:
  account_name: Work Contacts
  host: outlook.office365.com
  email: ${user.email}
  auth: oauth
  sync: [contacts]
  ssl: true
`

func policy(t testing.TB, file string, edits ...string) *profiles.Policy {
	return plantest.Policy(t, basePolicy, file, edits...)
}

func numbered(t testing.TB, n int, edits ...string) *profiles.Policy {
	return policy(t, fmt.Sprintf("p%d.yaml", n), append([]string{"identifier: com.example.mdm.contacts", fmt.Sprintf("identifier: com.example.mdm.p%d", n),
		"display_name: Work Contacts", fmt.Sprintf("display_name: P%02d", n)}, edits...)...)
}

func actions(p *deploy.Plan) string {
	var s []string
	for _, st := range p.Steps {
		s = append(s, string(st.Action)+" "+st.Name)
	}
	return strings.Join(s, ", ")
}

func TestCreateUpdateNoChange(t *testing.T) {
	e := newEnv(t)
	ps := []*profiles.Policy{policy(t, "contacts.yaml")}
	if r := e.apply(ps, Options{}); r.Created != 1 || r.Writes != 1 {
		t.Fatalf("apply: %+v", r)
	}
	got := e.fake.Profiles()
	if len(got) != 1 || got[0].MDMIdentifier != "com.example.mdm.contacts" || !got[0].Active ||
		!got[0].RunsOn["runs_on_iphone"] || !got[0].RunsOn["runs_on_ipad"] || got[0].RunsOn["runs_on_mac"] ||
		!strings.Contains(got[0].Profile, "$EMAIL") {
		t.Fatalf("stored: %+v", got)
	}
	if r := e.apply(ps, Options{}); r.Writes != 0 || r.Unchanged != 1 {
		t.Fatalf("second apply: %+v", r)
	}
	// A payload change and a new name: one PATCH of the same item.
	ps[0] = policy(t, "contacts.yaml", "host: outlook.office365.com", "host: mail.example.com", "display_name: Work Contacts", "display_name: Contacts")
	p := e.plan(ps, Options{})
	if s := p.Steps[0]; s.Action != deploy.Update || s.ID != got[0].ID || !strings.Contains(string(s.Profile), "mail.example.com") {
		t.Fatalf("update plan: %+v", s)
	}
	if r := e.apply(ps, Options{}); r.Updated != 1 || r.Writes != 1 {
		t.Fatalf("update: %+v", r)
	}
	if got := e.fake.Profiles(); len(got) != 1 || got[0].Name != "Contacts" {
		t.Fatalf("after update: %+v", got)
	}
	if p := e.plan(ps, Options{}); p.Changed() {
		t.Fatalf("not converged: %s", actions(p))
	}
}

func TestInactiveIsTurnedOn(t *testing.T) {
	e := newEnv(t)
	p := policy(t, "contacts.yaml")
	outs, _ := p.Build(profiles.Options{Target: profiles.Kandji})
	e.fake.Put(fakemdm.KandjiProfile{Name: "Work Contacts", MDMIdentifier: "com.example.mdm.contacts", Profile: string(outs[0].Data),
		Active: false, RunsOn: map[string]bool{"runs_on_iphone": true, "runs_on_ipad": true}})
	pl := e.plan([]*profiles.Policy{p}, Options{})
	if s := pl.Steps[0]; s.Action != deploy.Update || len(s.Changes) != 1 || s.Changes[0].Path != "active" {
		t.Fatalf("plan: %+v", s)
	}
}

func TestPagination(t *testing.T) {
	e := newEnv(t)
	e.fake.MaxLimit = 3
	var ps []*profiles.Policy
	for i := range 8 {
		ps = append(ps, numbered(t, i))
	}
	e.apply(ps, Options{})
	if p := e.plan(ps, Options{}); p.Changed() || len(p.Steps) != 8 {
		t.Fatalf("plan over pages: %s", actions(p))
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	cases := []struct {
		name  string
		ps    func() []*profiles.Policy
		o     Options
		token string
		want  []string
	}{
		{"assignments", func() []*profiles.Policy {
			return []*profiles.Policy{policy(t, "contacts.yaml", "  ssl: true\n", "  ssl: true\nassignments:\n  include: [Sales]\n")}
		}, Options{}, "kandji-token", []string{"contacts.yaml:", "assignments", "Blueprints"}},
		{"prune", func() []*profiles.Policy { return []*profiles.Policy{policy(t, "contacts.yaml")} }, Options{Prune: true}, "kandji-token",
			[]string{"--prune is not available with --target kandji"}},
		{"wrong token", func() []*profiles.Policy { return []*profiles.Policy{policy(t, "contacts.yaml")} }, Options{}, "nope",
			[]string{"401 Unauthorized", "Invalid token."}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := Apply(context.Background(), e.client(tc.token), tc.ps(), nil, tc.o)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "kandji-token") {
				t.Errorf("error shows the token: %v", err)
			}
			if e.fake.Writes() != 0 {
				t.Errorf("wrote %d", e.fake.Writes())
			}
		})
	}
}

func TestFaultsConverge(t *testing.T) {
	injected := 0
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			e := newEnv(t)
			e.apply([]*profiles.Policy{numbered(t, 0), numbered(t, 1, "host: outlook.office365.com", "host: old.example.com")}, Options{})
			e.fake.Faults = fakemdm.NewFaults(seed, 0.3)
			ps := []*profiles.Policy{numbered(t, 0), numbered(t, 1), numbered(t, 2)}
			var err error
			for range 20 {
				if _, err = Apply(context.Background(), e.c, ps, nil, Options{}); err == nil {
					break
				}
			}
			if err != nil {
				t.Fatalf("never converged: %v", err)
			}
			injected += e.fake.Faults.Count()
			e.fake.Faults = nil
			got := e.fake.Profiles()
			if len(got) != 3 {
				t.Fatalf("%d profiles: %+v", len(got), got)
			}
			for _, p := range got {
				if strings.Contains(p.Profile, "old.example.com") {
					t.Fatalf("%s not updated", p.Name)
				}
			}
			if r := e.apply(ps, Options{}); r.Writes != 0 {
				t.Fatalf("apply after converging wrote: %+v", r)
			}
		})
	}
	if injected < 20 {
		t.Errorf("only %d faults injected", injected)
	}
}

func TestUnauthorizedAndForbiddenHints(t *testing.T) {
	e := newEnv(t)
	ps := []*profiles.Policy{policy(t, "contacts.yaml")}
	_, err := Plan(context.Background(), e.client("nope"), ps, Options{})
	var he *deploy.HintError
	if !errors.As(err, &he) || !strings.Contains(he.Hints[0], EnvToken) {
		t.Fatalf("401: %v", err)
	}
	e.fake.SetDeny(func(r *http.Request) bool { return r.Method == http.MethodPost })
	_, err = Apply(context.Background(), e.c, ps, nil, Options{})
	if !errors.As(err, &he) || !strings.Contains(he.Hints[0], "Custom Profiles > Create") {
		t.Fatalf("403: %v", err)
	}
}

func BenchmarkPlan50(b *testing.B) {
	e := newEnv(b)
	var ps []*profiles.Policy
	for i := range 50 {
		ps = append(ps, numbered(b, i))
	}
	e.apply(ps, Options{})
	before := e.c.Stats().Requests
	b.ResetTimer()
	for range b.N {
		e.plan(ps, Options{})
	}
	b.ReportMetric(float64(e.c.Stats().Requests-before)/float64(b.N), "requests/plan")
}
