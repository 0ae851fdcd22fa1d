package jamf

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
	fake *fakemdm.Jamf
	srv  *httptest.Server
	c    *Client
}

func newEnv(t testing.TB) *env {
	t.Helper()
	fake := fakemdm.NewJamf("mdmforge-ci", "s3cret",
		fakemdm.JamfGroup{ID: 7, Name: "Sales iPads", Smart: true}, fakemdm.JamfGroup{ID: 9, Name: "Executives"})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	e := &env{t: t, fake: fake, srv: srv}
	e.c = e.client("mdmforge-ci", "s3cret")
	return e
}

func (e *env) client(id, secret string) *Client {
	env := map[string]string{EnvURL: e.srv.URL, EnvClientID: id, EnvClientSecret: secret}
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
target: jamf
profile:
  name: contacts
  identifier: com.example.mdm.contacts
  display_name: Work Contacts
  organization: Example Corp
  description: Syncs work contacts.
exchange:
  account_name: Work Contacts
  host: outlook.office365.com
  email: ${user.email}
  username: ${user.upn}
  auth: oauth
  sync: [contacts]
  ssl: true
restrictions:
  allowOpenFromManagedToUnmanaged: false
assignments:
  include: [Sales iPads]
  exclude: [Executives]
`

// policy decodes and validates basePolicy with old→new edits.
func policy(t testing.TB, file string, edits ...string) *profiles.Policy {
	return plantest.Policy(t, basePolicy, file, edits...)
}

func actions(p *deploy.Plan) string {
	var s []string
	for _, st := range p.Steps {
		s = append(s, string(st.Action)+" "+st.Name)
	}
	return strings.Join(s, ", ")
}

func TestCreateThenNoChange(t *testing.T) {
	e := newEnv(t)
	ps := []*profiles.Policy{policy(t, "contacts.yaml")}
	p := e.plan(ps, Options{})
	if got := actions(p); got != "create Work Contacts" {
		t.Fatalf("plan: %s", got)
	}
	if a := p.Steps[0].Assignments; a == nil || len(a.After) != 2 {
		t.Fatalf("assignments: %+v", a)
	}
	r := e.apply(ps, Options{})
	if r.Created != 1 || r.Writes != 1 {
		t.Fatalf("apply: %+v", r)
	}
	got := e.fake.Profiles()
	if len(got) != 1 || got[0].Name != "Work Contacts" || fmt.Sprint(got[0].Include, got[0].Exclude) != "[7] [9]" {
		t.Fatalf("stored: %+v", got)
	}
	if !strings.HasSuffix(got[0].Description, "\nmdmforge:com.example.mdm.contacts") || !strings.Contains(got[0].Payloads, "$EMAIL") {
		t.Fatalf("stored description or payload: %q", got[0].Description)
	}
	// Jamf rewrote the UUIDs and the top-level identifier: no phantom diff.
	if strings.Contains(got[0].Payloads, profiles.PayloadUUID("com.example.mdm.contacts")) {
		t.Fatal("the fake did not rewrite the UUID")
	}
	p = e.plan(ps, Options{})
	if p.Changed() {
		var b strings.Builder
		p.Render(&b, deploy.FormatText)
		t.Fatalf("second plan changes:\n%s", b.String())
	}
	writes := e.fake.Writes()
	r = e.apply(ps, Options{})
	if r.Writes != 0 || e.fake.Writes() != writes || r.Unchanged != 1 {
		t.Fatalf("second apply wrote: %+v", r)
	}
}

func TestUpdatePayloadRenameAndScope(t *testing.T) {
	e := newEnv(t)
	e.apply([]*profiles.Policy{policy(t, "contacts.yaml")}, Options{})
	id := e.fake.Profiles()[0].ID

	// A payload change: an update that redeploys, the diff without UUIDs.
	ps := []*profiles.Policy{policy(t, "contacts.yaml", "host: outlook.office365.com", "host: mail.example.com")}
	p := e.plan(ps, Options{})
	s := p.Steps[0]
	if s.Action != deploy.Update || s.ID != fmt.Sprint(id) || !strings.Contains(string(s.Profile), "mail.example.com") ||
		strings.Contains(string(s.Profile), "PayloadUUID") {
		t.Fatalf("step: %+v\n%s", s, s.Profile)
	}
	if !strings.Contains(strings.Join(s.Consequences, "\n"), "redeploy_on_update All") {
		t.Fatalf("consequences: %q", s.Consequences)
	}
	if r := e.apply(ps, Options{}); r.Updated != 1 || r.Writes != 1 {
		t.Fatalf("apply: %+v", r)
	}
	if got := e.fake.Profiles()[0]; !strings.Contains(got.Payloads, "mail.example.com") || got.RedeployOnUpdate != "All" {
		t.Fatalf("stored: %+v", got)
	}

	// A new display name updates the same profile: identity is the marker.
	ps = []*profiles.Policy{policy(t, "contacts.yaml", "host: outlook.office365.com", "host: mail.example.com",
		"display_name: Work Contacts", "display_name: Contacts")}
	p = e.plan(ps, Options{})
	if got := actions(p); got != "update Contacts" || p.Steps[0].Changes[0].Path != "name" {
		t.Fatalf("rename plan: %s %+v", got, p.Steps[0].Changes)
	}
	e.apply(ps, Options{})
	if got := e.fake.Profiles(); len(got) != 1 || got[0].Name != "Contacts" {
		t.Fatalf("after rename: %+v", got)
	}

	// Only the assignments: an assign step that PUTs the scope alone.
	ps[0] = policy(t, "contacts.yaml", "host: outlook.office365.com", "host: mail.example.com",
		"display_name: Work Contacts", "display_name: Contacts", "  exclude: [Executives]\n", "")
	p = e.plan(ps, Options{})
	if p.Steps[0].Action != deploy.Assign || len(p.Steps[0].Assignments.Removed()) != 1 {
		t.Fatalf("assign plan: %+v", p.Steps[0])
	}
	e.apply(ps, Options{})
	if got := e.fake.Profiles()[0]; len(got.Exclude) != 0 || fmt.Sprint(got.Include) != "[7]" {
		t.Fatalf("scope: %+v", got)
	}
	if p := e.plan(ps, Options{}); p.Changed() {
		t.Fatalf("not converged: %s", actions(p))
	}
}

// unmarked is a profile made in Jamf Pro's web interface from the
// policy's own profile: no marker in the description.
func (e *env) unmarked(p *profiles.Policy, name string) int {
	outs, err := p.Build(profiles.Options{Target: profiles.Jamf})
	if err != nil {
		e.t.Fatal(err)
	}
	return e.fake.Put(fakemdm.JamfProfile{Name: name, Description: "made by hand", Payloads: string(outs[0].Data)})
}

func TestAdopt(t *testing.T) {
	e := newEnv(t)
	ps := []*profiles.Policy{policy(t, "contacts.yaml")}
	id := e.unmarked(ps[0], "Old Contacts")
	_, err := Plan(context.Background(), e.c, ps, Options{})
	var pe *deploy.ProblemsError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "mdmforge did not make") || !strings.Contains(err.Error(), "--adopt") ||
		!strings.Contains(err.Error(), "contacts.yaml:") {
		t.Fatalf("err = %v", err)
	}
	p := e.plan(ps, Options{Adopt: true})
	if s := p.Steps[0]; s.Action != deploy.Update || !s.Adopted || s.ID != fmt.Sprint(id) {
		t.Fatalf("adopt plan: %+v", s)
	}
	e.apply(ps, Options{Adopt: true})
	if got := e.fake.Profiles(); len(got) != 1 || !strings.HasSuffix(got[0].Description, "mdmforge:com.example.mdm.contacts") {
		t.Fatalf("after adopt: %+v", got)
	}
	if p := e.plan(ps, Options{}); p.Changed() {
		t.Fatalf("not converged: %s", actions(p))
	}
}

func TestPruneOnlyMarked(t *testing.T) {
	e := newEnv(t)
	a := policy(t, "a.yaml")
	b := policy(t, "b.yaml", "identifier: com.example.mdm.contacts", "identifier: com.example.mdm.other",
		"display_name: Work Contacts", "display_name: Other")
	e.apply([]*profiles.Policy{a, b}, Options{})
	e.unmarked(policy(t, "c.yaml", "identifier: com.example.mdm.contacts", "identifier: com.example.hand"), "By Hand")

	p := e.plan([]*profiles.Policy{a}, Options{})
	if p.Changed() || len(p.Notes) != 1 || !strings.Contains(p.Notes[0], `"Other"`) || !strings.Contains(p.Notes[0], "--prune") {
		t.Fatalf("plan without prune: %s %q", actions(p), p.Notes)
	}
	p = e.plan([]*profiles.Policy{a}, Options{Prune: true})
	if got := actions(p); got != "no-change Work Contacts, delete Other" {
		t.Fatalf("prune plan: %s", got)
	}
	if r := e.apply([]*profiles.Policy{a}, Options{Prune: true}); r.Deleted != 1 {
		t.Fatalf("apply: %+v", r)
	}
	var names []string
	for _, q := range e.fake.Profiles() {
		names = append(names, q.Name)
	}
	if fmt.Sprint(names) != "[Work Contacts By Hand]" {
		t.Fatalf("left: %v", names)
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	cases := []struct {
		name  string
		setup func(e *env) ([]*profiles.Policy, Options, *Client)
		want  []string
	}{
		{"unknown groups, together", func(e *env) ([]*profiles.Policy, Options, *Client) {
			return []*profiles.Policy{policy(t, "contacts.yaml", "[Sales iPads]", "[Sales iPad, Marketing]")}, Options{}, e.c
		}, []string{"2 problems, nothing written", "contacts.yaml:", "assignments.include[0]", `no mobile device group is named "Sales iPad"; did you mean "Sales iPads"?`,
			`assignments.include[1]: no mobile device group is named "Marketing"; the names are "Executives", "Sales iPads"`}},
		{"name taken", func(e *env) ([]*profiles.Policy, Options, *Client) {
			e.fake.Put(fakemdm.JamfProfile{Name: "Work Contacts", Payloads: "<plist/>"})
			return []*profiles.Policy{policy(t, "contacts.yaml")}, Options{}, e.c
		}, []string{`already has a profile named "Work Contacts"`, "rename one"}},
		{"duplicates in Jamf", func(e *env) ([]*profiles.Policy, Options, *Client) {
			e.fake.Put(fakemdm.JamfProfile{Name: "A", Description: "mdmforge:com.example.mdm.contacts", Payloads: "<plist/>"})
			e.fake.Put(fakemdm.JamfProfile{Name: "B", Description: "mdmforge:com.example.mdm.contacts", Payloads: "<plist/>"})
			return []*profiles.Policy{policy(t, "contacts.yaml")}, Options{}, e.c
		}, []string{"2 profiles of jamf have the identifier com.example.mdm.contacts (ids 1, 2): delete all but one"}},
		{"signed", func(e *env) ([]*profiles.Policy, Options, *Client) {
			return []*profiles.Policy{policy(t, "contacts.yaml")}, Options{Signed: true}, e.c
		}, []string{"refuses signed profiles", "--sign"}},
		{"wrong secret", func(e *env) ([]*profiles.Policy, Options, *Client) {
			return []*profiles.Policy{policy(t, "contacts.yaml")}, Options{}, e.client("mdmforge-ci", "wrong")
		}, []string{"refused the API client's credentials", "401"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ps, o, c := tc.setup(e)
			before := len(e.fake.Profiles())
			_, err := Apply(context.Background(), c, ps, nil, o)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "wrong") && tc.name == "wrong secret" && strings.Contains(err.Error(), "=wrong") {
				t.Errorf("error shows the secret: %v", err)
			}
			if e.fake.Writes() != 0 || len(e.fake.Profiles()) != before {
				t.Errorf("wrote %d", e.fake.Writes())
			}
		})
	}
}

func TestMissingEnvironmentNamesAll(t *testing.T) {
	_, err := FromEnv(func(string) string { return "" }, ClientOptions{})
	for _, v := range []string{EnvURL, EnvClientID, EnvClientSecret} {
		if err == nil || !strings.Contains(err.Error(), v) {
			t.Errorf("error %v lacks %s", err, v)
		}
	}
	_, err = FromEnv(func(k string) string {
		return map[string]string{EnvURL: "http://jamf.example.com", EnvClientID: "x", EnvClientSecret: "y"}[k]
	}, ClientOptions{})
	if err == nil || !strings.Contains(err.Error(), "must be https") {
		t.Errorf("http URL: %v", err)
	}
}

func TestExpiredTokenIsRenewed(t *testing.T) {
	e := newEnv(t)
	ps := []*profiles.Policy{policy(t, "contacts.yaml")}
	e.apply(ps, Options{})
	e.fake.ExpireTokens()
	if p := e.plan(ps, Options{}); p.Changed() {
		t.Fatalf("plan after expiry: %s", actions(p))
	}
}

func TestSavedPlanRefusedAfterChange(t *testing.T) {
	e := newEnv(t)
	ps := []*profiles.Policy{policy(t, "contacts.yaml")}
	saved := e.plan(ps, Options{})
	e.fake.Put(fakemdm.JamfProfile{Name: "Work Contacts", Description: "mdmforge:com.example.mdm.contacts", Payloads: "<plist/>"})
	_, err := Apply(context.Background(), e.c, ps, saved, Options{})
	if err == nil || !strings.Contains(err.Error(), "changed since the plan was made") {
		t.Fatalf("err = %v", err)
	}
	if e.fake.Writes() != 0 {
		t.Fatal("wrote")
	}
	// The plan made now applies.
	now := e.plan(ps, Options{})
	if _, err := Apply(context.Background(), e.c, ps, now, Options{}); err != nil {
		t.Fatal(err)
	}
}

// TestFaultsConverge applies three policies through throttling, outages
// and lost answers, again until an apply succeeds: the result has each
// profile once, as the policies say, and one more apply writes nothing.
func TestFaultsConverge(t *testing.T) {
	injected := 0
	defer func() {
		if injected < 20 {
			t.Errorf("only %d faults injected", injected)
		}
	}()
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			e := newEnv(t)
			e.fake.Faults = fakemdm.NewFaults(seed, 0.3)
			var ps []*profiles.Policy
			for i := range 3 {
				ps = append(ps, policy(t, fmt.Sprintf("p%d.yaml", i), "identifier: com.example.mdm.contacts",
					fmt.Sprintf("identifier: com.example.mdm.p%d", i), "display_name: Work Contacts", fmt.Sprintf("display_name: P%d", i)))
			}
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
			if e.fake.Conflicts != 0 {
				t.Errorf("%d creates refused as duplicates: a write was sent again after its answer was lost", e.fake.Conflicts)
			}
			w := e.fake.Writes()
			if r := e.apply(ps, Options{}); r.Writes != 0 || e.fake.Writes() != w {
				t.Fatalf("apply after converging wrote: %+v", r)
			}
		})
	}
}

func BenchmarkPlan50(b *testing.B) {
	e := newEnv(b)
	var ps []*profiles.Policy
	for i := range 50 {
		ps = append(ps, policy(b, fmt.Sprintf("p%d.yaml", i), "identifier: com.example.mdm.contacts",
			fmt.Sprintf("identifier: com.example.mdm.p%d", i), "display_name: Work Contacts", fmt.Sprintf("display_name: P%d", i)))
	}
	e.apply(ps, Options{})
	requests, again := 0, 0
	b.ResetTimer()
	for range b.N {
		// A run of its own: plan, then the second planning apply does.
		c := e.client("mdmforge-ci", "s3cret")
		if _, err := Plan(context.Background(), c, ps, Options{}); err != nil {
			b.Fatal(err)
		}
		requests += c.Stats().Requests
		if _, err := Plan(context.Background(), c, ps, Options{}); err != nil {
			b.Fatal(err)
		}
		again += c.Stats().Requests
	}
	b.ReportMetric(float64(requests)/float64(b.N), "requests/plan")
	b.ReportMetric(float64(again-requests)/float64(b.N), "requests/replan")
}

func TestForbiddenNamesThePrivilege(t *testing.T) {
	e := newEnv(t)
	e.fake.SetDeny(func(r *http.Request) bool { return r.Method == http.MethodPost })
	_, err := Apply(context.Background(), e.c, []*profiles.Policy{policy(t, "contacts.yaml")}, nil, Options{})
	var he *deploy.HintError
	if !errors.As(err, &he) || !strings.Contains(he.Hints[0], `"Create Mobile Device Configuration Profiles"`) || !strings.Contains(err.Error(), "403") {
		t.Fatalf("err = %v (%+v)", err, he)
	}
	e.fake.SetDeny(func(r *http.Request) bool { return strings.Contains(r.URL.Path, "mobiledevicegroups") })
	_, err = Plan(context.Background(), e.c, []*profiles.Policy{policy(t, "contacts.yaml")}, Options{})
	if !errors.As(err, &he) || !strings.Contains(he.Hints[0], "Read Smart Mobile Device Groups") {
		t.Fatalf("err = %v", err)
	}
	_, err = Plan(context.Background(), e.client("mdmforge-ci", "wrong"), []*profiles.Policy{policy(t, "contacts.yaml")}, Options{})
	if !errors.As(err, &he) || !strings.Contains(he.Hints[0], EnvClientSecret) {
		t.Fatalf("err = %v", err)
	}
}

func TestOutlookOnlyPolicyIsANote(t *testing.T) {
	e := newEnv(t)
	p, ds := profiles.Decode("outlook.yaml", []byte(`version: 1
profile:
  name: outlook
  identifier: com.example.mdm.outlook
outlook:
  save_contacts: false
`))
	if ds = append(ds, profiles.Validate(p)...); ds.Errors() > 0 {
		t.Fatal(ds)
	}
	pl := e.plan([]*profiles.Policy{p}, Options{})
	if len(pl.Steps) != 0 || len(pl.Notes) != 1 || !strings.Contains(pl.Notes[0], "outlook.yaml: builds no configuration profile") {
		t.Fatalf("plan: %s %q", actions(pl), pl.Notes)
	}
}

// TestPlanHoldsNoSecret: a password in the profile, and its change, show
// in no format of the plan, and the apply's errors do not carry it either.
func TestPlanHoldsNoSecret(t *testing.T) {
	const old, now = "Winter-2026-old", "Summer-2027-new"
	withPassword := func(pw string) *profiles.Policy {
		return policy(t, "contacts.yaml", "auth: oauth", "auth: password\n  password: "+pw)
	}
	e := newEnv(t)
	e.apply([]*profiles.Policy{withPassword(old)}, Options{})
	p := e.plan([]*profiles.Policy{withPassword(now)}, Options{})
	if !p.Changed() {
		t.Fatal("a new password plans no change")
	}
	var all strings.Builder
	for _, f := range []string{"text", "markdown", "json", "github"} {
		if err := p.Render(&all, f); err != nil {
			t.Fatal(err)
		}
	}
	for _, pw := range []string{old, now} {
		if strings.Contains(all.String(), pw) {
			t.Errorf("the plan shows the password %q:\n%s", pw, all.String())
		}
	}
	if !strings.Contains(all.String(), "Password: <secret, changed>") {
		t.Errorf("the plan does not say the password changed:\n%s", all.String())
	}
}

func TestApplyReadsEachProfileOnce(t *testing.T) {
	e := newEnv(t)
	ps := []*profiles.Policy{policy(t, "contacts.yaml")}
	e.apply(ps, Options{})
	ps[0] = policy(t, "contacts.yaml", "host: outlook.office365.com", "host: mail.example.com")
	c := e.client("mdmforge-ci", "s3cret")
	n := len(e.fake.Log())
	if _, err := Plan(context.Background(), c, ps, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(context.Background(), c, ps, nil, Options{}); err != nil {
		t.Fatal(err)
	}
	gets := 0
	for _, r := range e.fake.Log()[n:] {
		if strings.HasPrefix(r, "GET /JSSResource/mobiledeviceconfigurationprofiles/id/") {
			gets++
		}
	}
	if gets != 1 {
		t.Fatalf("profile read %d times: %q", gets, e.fake.Log()[n:])
	}
	// After the update, the next plan reads it again and sees no change.
	if p, err := Plan(context.Background(), c, ps, Options{}); err != nil || p.Changed() {
		t.Fatalf("%v %v", err, p)
	}
}
