package fleet

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mdmforge/mdmforge/deploy/internal/plantest"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/internal/fakemdm"
	"github.com/mdmforge/mdmforge/internal/testpki"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/signing"
)

type env struct {
	t    testing.TB
	fake *fakemdm.Fleet
	srv  *httptest.Server
	c    *Client
}

func newEnv(t testing.TB, team string) *env {
	t.Helper()
	fake := fakemdm.NewFleet("fleet-token", []string{"Sales", "Executives", "Engineering"}, "Workstations", "Phones")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	e := &env{t: t, fake: fake, srv: srv}
	e.c = e.client("fleet-token", team)
	return e
}

func (e *env) client(tok, team string) *Client {
	env := map[string]string{EnvURL: e.srv.URL, EnvToken: tok, EnvTeam: team}
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
target: fleet
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
assignments:
  include: [Sales]
`

func policy(t testing.TB, file string, edits ...string) *profiles.Policy {
	return plantest.Policy(t, basePolicy, file, edits...)
}

// numbered is the n-th of several distinct policies.
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
	e := newEnv(t, "Phones")
	ps := []*profiles.Policy{policy(t, "contacts.yaml")}
	if got := actions(e.plan(ps, Options{})); got != "create Work Contacts" {
		t.Fatalf("plan: %s", got)
	}
	if r := e.apply(ps, Options{}); r.Created != 1 || r.Writes != 1 {
		t.Fatalf("apply: %+v", r)
	}
	got := e.fake.Profiles()
	if len(got) != 1 || got[0].TeamID != 2 || fmt.Sprint(got[0].IncludeAny) != "[Sales]" ||
		!strings.Contains(string(got[0].Content), "${FLEET_VAR_HOST_END_USER_IDP_USERNAME}") {
		t.Fatalf("stored: %+v", got)
	}
	// Unchanged: the checksum says so, no content read, no write.
	n := len(e.fake.Log())
	if r := e.apply(ps, Options{}); r.Writes != 0 || r.Unchanged != 1 {
		t.Fatalf("second apply: %+v", r)
	}
	for _, req := range e.fake.Log()[n:] {
		if strings.Contains(req, "alt=media") {
			t.Errorf("read the content of an unchanged profile: %s", req)
		}
	}
	// A change: delete and upload again, one profile in the end.
	ps[0] = policy(t, "contacts.yaml", "host: outlook.office365.com", "host: mail.example.com")
	p := e.plan(ps, Options{})
	if p.Steps[0].Action != deploy.Update || !strings.Contains(string(p.Steps[0].Profile), "mail.example.com") {
		t.Fatalf("update plan: %+v", p.Steps[0])
	}
	if r := e.apply(ps, Options{}); r.Updated != 1 || r.Writes != 2 {
		t.Fatalf("update apply: %+v", r)
	}
	if got := e.fake.Profiles(); len(got) != 1 || !strings.Contains(string(got[0].Content), "mail.example.com") {
		t.Fatalf("after update: %+v", got)
	}
	if p := e.plan(ps, Options{}); p.Changed() {
		t.Fatalf("not converged: %s", actions(p))
	}
}

func TestPagination(t *testing.T) {
	e := newEnv(t, "")
	e.fake.MaxPerPage = 3
	var ps []*profiles.Policy
	for i := range 8 {
		ps = append(ps, numbered(t, i))
	}
	e.apply(ps, Options{})
	if p := e.plan(ps, Options{}); p.Changed() || len(p.Steps) != 8 {
		t.Fatalf("plan over pages: %s", actions(p))
	}
}

func TestBatchOnlyWithPrune(t *testing.T) {
	e := newEnv(t, "")
	a, b := numbered(t, 1), numbered(t, 2)
	e.apply([]*profiles.Policy{a, b}, Options{})
	hand := e.fake.Put(fakemdm.FleetProfile{Name: "By Hand", Identifier: "com.example.hand", Content: []byte("<plist/>")})
	_ = hand

	// Without --prune: the others are left, and nothing is said of them
	// but a note for mdmforge's own (its identifiers are the policies').
	p := e.plan([]*profiles.Policy{a}, Options{})
	if p.Changed() {
		t.Fatalf("plan without prune: %s", actions(p))
	}
	// With --prune the batch makes the team's set exactly the policies'.
	p = e.plan([]*profiles.Policy{a}, Options{Prune: true})
	if got := actions(p); got != "no-change P01, delete By Hand, delete P02" {
		t.Fatalf("prune plan: %s", got)
	}
	dry := 0
	for _, r := range e.fake.Log() {
		if strings.Contains(r, "/batch?dry_run=true") {
			dry++
		}
	}
	if dry != 1 || e.fake.Writes() != 2 {
		t.Fatalf("dry runs %d, writes %d", dry, e.fake.Writes())
	}
	r := e.apply([]*profiles.Policy{a}, Options{Prune: true})
	if r.Deleted != 2 || r.Writes != 1 {
		t.Fatalf("batch apply: %+v", r)
	}
	if got := e.fake.Profiles(); len(got) != 1 || got[0].Name != "P01" {
		t.Fatalf("after batch: %+v", got)
	}
	if r := e.apply([]*profiles.Policy{a}, Options{Prune: true}); r.Writes != 0 {
		t.Fatalf("second batch apply wrote: %+v", r)
	}
}

func signer(t *testing.T) func([]byte) ([]byte, error) {
	p, err := testpki.Get()
	if err != nil {
		t.Fatal(err)
	}
	id := &signing.Identity{Certificate: p.RSA.Cert, Intermediates: []*x509.Certificate{p.Intermediate}, Signer: p.RSA.Key}
	return func(b []byte) ([]byte, error) { return id.Sign(b, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) }
}

func TestSignedWithoutVariables(t *testing.T) {
	e := newEnv(t, "")
	ps := []*profiles.Policy{policy(t, "contacts.yaml", "  email: ${user.email}\n", "  email: shared@example.com\n")}
	o := Options{Sign: signer(t)}
	e.apply(ps, o)
	got := e.fake.Profiles()
	if len(got) != 1 || !signing.IsSigned(got[0].Content) {
		t.Fatalf("stored: %+v", got)
	}
	if p := e.plan(ps, o); p.Changed() {
		t.Fatalf("signed profile not converged: %s", actions(p))
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	cases := []struct {
		name  string
		ps    func() []*profiles.Policy
		o     Options
		token string
		team  string
		want  []string
	}{
		{"fleet variables in a signed profile", func() []*profiles.Policy { return []*profiles.Policy{policy(t, "contacts.yaml")} },
			Options{Sign: func(b []byte) ([]byte, error) { t.Error("signed"); return b, nil }}, "fleet-token", "",
			[]string{"contacts.yaml:", "${FLEET_VAR_HOST_END_USER_IDP_USERNAME}", "breaks the signature", "drop --sign"}},
		{"unknown label and both sides", func() []*profiles.Policy {
			return []*profiles.Policy{policy(t, "contacts.yaml", "include: [Sales]", "include: [Sale]\n  exclude: [Executives]")}
		}, Options{}, "fleet-token", "", []string{"2 problems", `no label is named "Sale"; did you mean "Sales"?`, "not both"}},
		{"name taken", func() []*profiles.Policy { return []*profiles.Policy{policy(t, "contacts.yaml")} }, Options{}, "fleet-token", "",
			[]string{`already has a profile named "Work Contacts"`}},
		{"wrong token", func() []*profiles.Policy { return []*profiles.Policy{policy(t, "contacts.yaml")} }, Options{}, "nope", "",
			[]string{"401 Unauthorized", "Authentication required"}},
		{"unknown team", func() []*profiles.Policy { return []*profiles.Policy{policy(t, "contacts.yaml")} }, Options{}, "fleet-token", "Phone",
			[]string{`MDMFORGE_FLEET_TEAM="Phone"`, `"Phones"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, "")
			if tc.name == "name taken" {
				e.fake.Put(fakemdm.FleetProfile{Name: "Work Contacts", Identifier: "com.example.other", Content: []byte("<plist/>")})
			}
			c := e.client(tc.token, tc.team)
			before := len(e.fake.Profiles())
			_, err := Apply(context.Background(), c, tc.ps(), nil, tc.o)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "fleet-token") {
				t.Errorf("error shows the token: %v", err)
			}
			if e.fake.Writes() != 0 || len(e.fake.Profiles()) != before {
				t.Errorf("wrote %d", e.fake.Writes())
			}
		})
	}
}

func TestFaultsConverge(t *testing.T) {
	injected := 0
	defer func() {
		if injected < 20 {
			t.Errorf("only %d faults injected", injected)
		}
	}()
	for seed := uint64(1); seed <= 20; seed++ {
		for _, prune := range []bool{false, true} {
			t.Run(fmt.Sprint(seed, prune), func(t *testing.T) {
				e := newEnv(t, "Phones")
				// One stale profile to update, one to keep, one to create.
				e.apply([]*profiles.Policy{numbered(t, 0), numbered(t, 1, "host: outlook.office365.com", "host: old.example.com")}, Options{})
				e.fake.Faults = fakemdm.NewFaults(seed, 0.3)
				ps := []*profiles.Policy{numbered(t, 0), numbered(t, 1), numbered(t, 2)}
				var err error
				for range 20 {
					if _, err = Apply(context.Background(), e.c, ps, nil, Options{Prune: prune}); err == nil {
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
				if e.fake.Conflicts != 0 {
					t.Errorf("%d creates refused as duplicates: a write was sent again after its answer was lost", e.fake.Conflicts)
				}
				for _, p := range got {
					if strings.Contains(string(p.Content), "old.example.com") {
						t.Fatalf("%s not updated", p.Name)
					}
				}
				if r := e.apply(ps, Options{Prune: prune}); r.Writes != 0 {
					t.Fatalf("apply after converging wrote: %+v", r)
				}
			})
		}
	}
}

func BenchmarkPlan50(b *testing.B) {
	e := newEnv(b, "")
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

func TestUnauthorizedAndForbiddenHints(t *testing.T) {
	e := newEnv(t, "")
	ps := []*profiles.Policy{policy(t, "contacts.yaml")}
	_, err := Plan(context.Background(), e.client("nope", ""), ps, Options{})
	var he *deploy.HintError
	if !errors.As(err, &he) || !strings.Contains(he.Hints[0], EnvToken) {
		t.Fatalf("401: %v", err)
	}
	e.fake.SetDeny(func(r *http.Request) bool { return r.Method == http.MethodPost })
	_, err = Apply(context.Background(), e.c, ps, nil, Options{})
	if !errors.As(err, &he) || !strings.Contains(he.Hints[0], "maintainer") {
		t.Fatalf("403: %v", err)
	}
}

// TestConflictAfterPlan: a profile of the policy's identifier uploaded by
// someone else between apply's plan and its upload gets Fleet's 409 with
// what to do, and the next apply takes the profile as the policy's, once.
func TestConflictAfterPlan(t *testing.T) {
	e := newEnv(t, "")
	ps := []*profiles.Policy{policy(t, "contacts.yaml")}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && len(e.fake.Profiles()) == 0 {
			e.fake.Put(fakemdm.FleetProfile{Name: "Work Contacts", Identifier: "com.example.mdm.contacts", Content: []byte("<plist/>")})
		}
		e.fake.ServeHTTP(w, r)
	}))
	defer srv.Close()
	env := map[string]string{EnvURL: srv.URL, EnvToken: "fleet-token"}
	c, err := FromEnv(func(k string) string { return env[k] }, ClientOptions{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Apply(context.Background(), c, ps, nil, Options{})
	var he *deploy.HintError
	if !errors.As(err, &he) || !strings.Contains(err.Error(), "409 Conflict") || !strings.Contains(he.Hints[0], "run plan again") {
		t.Fatalf("got %v", err)
	}
	if p := e.plan(ps, Options{}); actions(p) != "update Work Contacts" {
		t.Errorf("plan after the conflict: %s", actions(p))
	}
	e.apply(ps, Options{})
	if got := e.fake.Profiles(); len(got) != 1 || string(got[0].Content) == "<plist/>" {
		t.Errorf("after apply: %+v", got)
	}
}
