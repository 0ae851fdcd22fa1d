package nanomdm

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/internal/nanomdmtest"
	"github.com/mdmforge/mdmforge/internal/testpki"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/roster"
	"github.com/mdmforge/mdmforge/signing"
)

const contactsPolicy = `version: 1
profile:
  name: contacts
  identifier: com.example.contacts
  display_name: Work Contacts
exchange:
  host: outlook.office365.com
  email: shared@example.com
  auth: oauth
  sync: [contacts]
assignments:
  include: [IDS]
`

// policy writes and loads a policy whose assignments include ids.
func policy(t testing.TB, dir, src string, ids ...string) *profiles.Policy {
	t.Helper()
	src = strings.Replace(src, "IDS", strings.Join(ids, ", "), 1)
	path := filepath.Join(dir, "contacts.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	ps, ds := profiles.Load(path)
	if ds.Errors() > 0 {
		t.Fatal(ds)
	}
	if ds := profiles.Validate(ps[0]); ds.Errors() > 0 {
		t.Fatal(ds)
	}
	return ps[0]
}

func build(t testing.TB, o BuildOptions, ps ...*profiles.Policy) []Profile {
	t.Helper()
	profs, _, err := FromPolicies(ps, o)
	if err != nil {
		t.Fatal(err)
	}
	return profs
}

func opts(dir string) Options { return Options{StatePath: filepath.Join(dir, DefaultStatePath)} }

func mustApply(t testing.TB, c *Client, profs []Profile, o Options) *deploy.Result {
	t.Helper()
	r, err := Apply(context.Background(), c, profs, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestApplyEndToEnd: the profile mdmforge built reaches two simulated
// devices of a real NanoMDM byte for byte, in one command, and a second
// apply queues nothing.
func TestApplyEndToEnd(t *testing.T) {
	s := newServer(t, false)
	d1, d2 := s.device(), s.device()
	dir := t.TempDir()
	p := policy(t, dir, contactsPolicy, d1.ID(), d2.ID())
	want, err := p.Mobileconfig(profiles.Options{Target: profiles.NanoMDM})
	if err != nil {
		t.Fatal(err)
	}
	c := s.client(testAPIKey)

	pl, err := Plan(context.Background(), c, build(t, BuildOptions{}, p), opts(dir))
	if err != nil {
		t.Fatal(err)
	}
	if got := pl.Summary(); got != "nanomdm: 2 to create" {
		t.Errorf("plan: %s", got)
	}
	if s.Enqueues() != 0 {
		t.Fatalf("plan queued %d commands", s.Enqueues())
	}

	r := mustApply(t, c, build(t, BuildOptions{}, p), opts(dir))
	if r.Created != 2 || r.Writes != 1 {
		t.Errorf("apply: %+v, want 2 created in 1 write", r)
	}
	if got := installed(t, d1); !bytes.Equal(got, want) {
		t.Errorf("device 1's payload differs from the built profile:\n%s", got)
	}
	if got := installed(t, d2); !bytes.Equal(got, want) {
		t.Errorf("device 2's payload differs from the built profile")
	}

	r = mustApply(t, c, build(t, BuildOptions{}, p), opts(dir))
	if r.Writes != 0 || r.Unchanged != 2 || r.Created+r.Updated != 0 {
		t.Errorf("second apply: %+v, want nothing queued", r)
	}
	if cmd := next(t, d1); cmd != nil {
		t.Errorf("after the second apply the device got %s", cmd.RequestType)
	}
	if s.Enqueues() != 1 {
		t.Errorf("NanoMDM saw %d enqueues, want 1", s.Enqueues())
	}
	st, err := ReadState(opts(dir).StatePath)
	if err != nil || len(st.Entries) != 2 || st.Server != s.URL || st.Entries[0].ProfileSHA256 != sha(want) {
		t.Fatalf("state: %+v %v", st, err)
	}
	data, _ := os.ReadFile(opts(dir).StatePath)
	if bytes.Contains(data, []byte(testAPIKey)) || bytes.Contains(data, []byte("shared@example.com")) {
		t.Error("the state file holds the key or profile content")
	}
}

// TestApplySigned: with a signer, the device gets the signed bytes; signing
// again at another time is no change.
func TestApplySigned(t *testing.T) {
	s := newServer(t, false)
	d := s.device()
	dir := t.TempDir()
	p := policy(t, dir, contactsPolicy, d.ID())
	pki, err := testpki.Get()
	if err != nil {
		t.Fatal(err)
	}
	id := &signing.Identity{Certificate: pki.RSA.Cert, Intermediates: []*x509.Certificate{pki.Intermediate}, Signer: pki.RSA.Key}
	at := pki.Now.Add(-time.Hour)
	profs := build(t, BuildOptions{Signer: id, SignedAt: at}, p)
	c := s.client(testAPIKey)
	mustApply(t, c, profs, opts(dir))
	got := installed(t, d)
	if !bytes.Equal(got, profs[0].Signed) {
		t.Fatal("the device's payload is not the signed profile mdmforge built")
	}
	signed, err := signing.Parse(got)
	if err != nil || !bytes.Equal(signed.Content, profs[0].Data) {
		t.Fatalf("the signed payload does not hold the built profile: %v", err)
	}
	r := mustApply(t, c, build(t, BuildOptions{Signer: id, SignedAt: at.Add(time.Minute)}, p), opts(dir))
	if r.Writes != 0 || r.Unchanged != 1 {
		t.Errorf("signing again: %+v, want no change", r)
	}
	// Sending it unsigned now is a change.
	pl, err := Plan(context.Background(), c, build(t, BuildOptions{}, p), opts(dir))
	if err != nil || pl.Summary() != "nanomdm: 1 to update" || pl.Steps[0].Changes[0].Path != "signed" {
		t.Errorf("unsigned after signed: %v %+v", err, pl)
	}
}

// TestUpdateAndPrune: a changed policy is queued again with its new
// bytes; an enrollment dropped from include is noted, and removed with
// Prune.
func TestUpdateAndPrune(t *testing.T) {
	s := newServer(t, false)
	d1, d2 := s.device(), s.device()
	dir := t.TempDir()
	c := s.client(testAPIKey)
	mustApply(t, c, build(t, BuildOptions{}, policy(t, dir, contactsPolicy, d1.ID(), d2.ID())), opts(dir))
	installed(t, d1)
	installed(t, d2)

	changed := strings.Replace(contactsPolicy, "sync: [contacts]", "sync: [contacts, calendars]", 1)
	p := policy(t, dir, changed, d1.ID())
	profs := build(t, BuildOptions{}, p)
	pl, err := Plan(context.Background(), c, profs, opts(dir))
	if err != nil {
		t.Fatal(err)
	}
	if pl.Summary() != "nanomdm: 1 to update" || len(pl.Notes) != 1 || !strings.Contains(pl.Notes[0], "apply --prune removes it") ||
		pl.Steps[0].Changes[0].Path != "profile_sha256" {
		t.Fatalf("plan: %s %q %+v", pl.Summary(), pl.Notes, pl.Steps)
	}
	r := mustApply(t, c, profs, opts(dir))
	if r.Updated != 1 || r.Deleted != 0 {
		t.Errorf("apply: %+v", r)
	}
	if got := installed(t, d1); !bytes.Equal(got, profs[0].Data) {
		t.Error("device 1 did not get the changed profile")
	}
	if cmd := next(t, d2); cmd != nil {
		t.Fatalf("without --prune device 2 got %s", cmd.RequestType)
	}

	o := opts(dir)
	o.Prune = true
	r = mustApply(t, c, profs, o)
	if r.Deleted != 1 || r.Writes != 1 {
		t.Errorf("prune: %+v", r)
	}
	if cmd := next(t, d2); cmd == nil || cmd.RequestType != "RemoveProfile" || cmd.Identifier != "com.example.contacts" {
		t.Fatalf("device 2 got %+v, want RemoveProfile com.example.contacts", cmd)
	}
	st, _ := ReadState(o.StatePath)
	if len(st.Entries) != 1 || st.Entries[0].EnrollmentID != d1.ID() {
		t.Errorf("state after prune: %+v", st.Entries)
	}
	if r := mustApply(t, c, profs, o); r.Writes != 0 {
		t.Errorf("apply after prune wrote %d", r.Writes)
	}
}

// TestRosterSendsEachUserTheirProfile: a per-user build sends each
// user's own profile to that user's enrollment only.
func TestRosterSendsEachUserTheirProfile(t *testing.T) {
	s := newServer(t, false)
	d1, d2 := s.device(), s.device()
	dir := t.TempDir()
	src := strings.Replace(strings.Replace(contactsPolicy, "shared@example.com", "${user.email}", 1), "assignments:\n  include: [IDS]\n", "", 1)
	p := policy(t, dir, src)
	csv := "email,enrollment_id\nalice@example.com," + d1.ID() + "\nbob@example.com," + d2.ID() + "\n"
	r, err := roster.NewReader(strings.NewReader(csv), "users.csv")
	if err != nil {
		t.Fatal(err)
	}
	profs, err := FromRoster(p, r, "users.csv", BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := s.client(testAPIKey)
	pl, err := Plan(context.Background(), c, profs, opts(dir))
	if err != nil || pl.Summary() != "nanomdm: 2 to create" || pl.Steps[0].Name != "Work Contacts for alice@example.com on "+d1.ID() {
		t.Fatalf("plan: %v %+v", err, pl)
	}
	res := mustApply(t, c, profs, opts(dir))
	if res.Created != 2 || res.Writes != 2 {
		t.Errorf("apply: %+v, want 2 commands, one per user", res)
	}
	got1, got2 := installed(t, d1), installed(t, d2)
	if !bytes.Equal(got1, profs[0].Data) || !bytes.Contains(got1, []byte("alice@example.com")) || bytes.Contains(got1, []byte("bob@")) {
		t.Errorf("alice's device got:\n%s", got1)
	}
	if !bytes.Equal(got2, profs[1].Data) || !bytes.Contains(got2, []byte("bob@example.com")) || bytes.Contains(got2, []byte("alice@")) {
		t.Errorf("bob's device got:\n%s", got2)
	}
	if res := mustApply(t, c, profs, opts(dir)); res.Writes != 0 {
		t.Errorf("second apply wrote %d", res.Writes)
	}
}

// TestRosterProblems: every bad row is reported, and nothing is built.
func TestRosterProblems(t *testing.T) {
	dir := t.TempDir()
	src := strings.Replace(strings.Replace(contactsPolicy, "shared@example.com", "${user.email}", 1), "assignments:\n  include: [IDS]\n", "", 1)
	p := policy(t, dir, src)
	csv := "email,enrollment_id\na@example.com,\nb@example.com,X1\nc@example.com,X1\nd@example.com,\"X2,X3\"\nb@example.com,X4\n"
	r, err := roster.NewReader(strings.NewReader(csv), "users.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, err = FromRoster(p, r, "users.csv", BuildOptions{})
	var pe *deploy.ProblemsError
	if !errors.As(err, &pe) || len(pe.Diagnostics) != 4 {
		t.Fatalf("want 4 problems, got %v", err)
	}
	for _, want := range []string{"users.csv:2", "no enrollment_id", "users.csv:4", "also the enrollment of the user on line 3", "comma-separated", "duplicate user \"b@example.com\""} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in\n%v", want, err)
		}
	}
}

// TestWrongAPIKey: NanoMDM's 401 is a clear error with a hint, found by
// plan already, and nothing is queued or written.
func TestWrongAPIKey(t *testing.T) {
	s := newServer(t, false)
	d := s.device()
	dir := t.TempDir()
	profs := build(t, BuildOptions{}, policy(t, dir, contactsPolicy, d.ID()))
	c := s.client("wrong-key")
	_, perr := Plan(context.Background(), c, profs, opts(dir))
	_, err := Apply(context.Background(), c, profs, nil, opts(dir))
	for _, err := range []error{perr, err} {
		var he *deploy.HintError
		if !errors.As(err, &he) || !errors.Is(err, errUnauthorized) || !strings.Contains(err.Error(), "401") ||
			!strings.Contains(he.Hints[0], EnvAPIKey) {
			t.Fatalf("want a 401 error with a hint, got %v", err)
		}
		if strings.Contains(err.Error(), "wrong-key") {
			t.Error("the error shows the key")
		}
	}
	if _, err := os.Stat(opts(dir).StatePath); !os.IsNotExist(err) {
		t.Error("a state file was written")
	}
	if cmd := next(t, d); cmd != nil {
		t.Error("a command was queued")
	}
}

// TestUnknownEnrollmentID: NanoMDM's SQL storages refuse a request naming
// an enrollment they do not know; apply then sends each id alone to name
// the unknown one, queues for the others, and records only those.
func TestUnknownEnrollmentID(t *testing.T) {
	s := newServer(t, true)
	d := s.device()
	dir := t.TempDir()
	c := s.client(testAPIKey)

	_, err := Apply(context.Background(), c, build(t, BuildOptions{}, policy(t, dir, contactsPolicy, "NO-SUCH-DEVICE")), nil, opts(dir))
	if err == nil || !strings.Contains(err.Error(), "enrollment NO-SUCH-DEVICE: Error 1452") {
		t.Fatalf("want an error naming the unknown id, got %v", err)
	}
	if _, err := os.Stat(opts(dir).StatePath); !os.IsNotExist(err) {
		t.Error("a state file was written though nothing was queued")
	}

	r, err := Apply(context.Background(), c, build(t, BuildOptions{}, policy(t, dir, contactsPolicy, d.ID(), "NO-SUCH-DEVICE")), nil, opts(dir))
	if err == nil || !strings.Contains(err.Error(), "refused InstallProfile com.example.contacts for 1 of 2 enrollments") ||
		!strings.Contains(err.Error(), "NO-SUCH-DEVICE") || strings.Contains(err.Error(), "enrollment "+d.ID()+":") {
		t.Fatalf("want only the unknown id named, got %v", err)
	}
	if r.Created != 1 {
		t.Errorf("the known device's profile must be queued: %+v", r)
	}
	installed(t, d)
	st, _ := ReadState(opts(dir).StatePath)
	if len(st.Entries) != 1 || st.Entries[0].EnrollmentID != d.ID() {
		t.Errorf("state: %+v", st.Entries)
	}
}

// TestUnknownEnrollmentIDKeyValueStorage pins what v0.9.0 does with its
// key-value storages: it queues for any id, so apply cannot tell.
func TestUnknownEnrollmentIDKeyValueStorage(t *testing.T) {
	s := newServer(t, false)
	dir := t.TempDir()
	r, err := Apply(context.Background(), s.client(testAPIKey), build(t, BuildOptions{}, policy(t, dir, contactsPolicy, "NO-SUCH-DEVICE")), nil, opts(dir))
	if err != nil || r.Created != 1 {
		t.Fatalf("NanoMDM's inmem storage queues for unknown ids (docs/deploy.md says so): %+v %v", r, err)
	}
}

// TestLostAnswer: the connection drops after NanoMDM queued the command;
// the retry carries the same CommandUUID, NanoMDM refuses the copy, and
// the device gets the command once.
func TestLostAnswer(t *testing.T) {
	s := newServer(t, false)
	d := s.device()
	dir := t.TempDir()
	lost := 0
	s.Intercept = func(w http.ResponseWriter, r *http.Request, forward func(http.ResponseWriter)) bool {
		if r.URL.Path == "/v1/enqueue/" || lost > 0 {
			return false
		}
		lost++
		forward(httptest.NewRecorder()) // NanoMDM queues it; its answer is dropped
		hj, ok := w.(http.Hijacker)
		if !ok {
			t.Fatal("no hijacker")
		}
		conn, _, _ := hj.Hijack()
		conn.Close()
		return true
	}
	r := mustApply(t, s.client(testAPIKey), build(t, BuildOptions{}, policy(t, dir, contactsPolicy, d.ID())), opts(dir))
	if r.Created != 1 || r.Writes != 2 || s.Enqueues() != 2 {
		t.Errorf("apply: %+v, %d enqueues; want 2 requests", r, s.Enqueues())
	}
	installed(t, d)
	if cmd := next(t, d); cmd != nil {
		t.Errorf("the device got a second command: %s", cmd.RequestType)
	}
}

// TestRetries: 503 and 429 are retried, with Retry-After, up to a bound;
// a 500 without NanoMDM's JSON too.
func TestRetries(t *testing.T) {
	s := newServer(t, false)
	d := s.device()
	dir := t.TempDir()
	fails := 2
	s.Intercept = func(w http.ResponseWriter, r *http.Request, _ func(http.ResponseWriter)) bool {
		if r.URL.Path == "/v1/enqueue/" || fails == 0 {
			return false
		}
		fails--
		w.Header().Set("Retry-After", "7")
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return true
	}
	c := s.client(testAPIKey)
	var slept []time.Duration
	c.sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	r := mustApply(t, c, build(t, BuildOptions{}, policy(t, dir, contactsPolicy, d.ID())), opts(dir))
	if r.Writes != 3 || len(slept) != 2 || slept[0] != 7*time.Second {
		t.Errorf("apply: %+v, slept %v", r, slept)
	}
	installed(t, d)

	fails = 100
	p := policy(t, dir, strings.Replace(contactsPolicy, "sync: [contacts]", "sync: [calendars]", 1), d.ID())
	_, err := Apply(context.Background(), c, build(t, BuildOptions{}, p), nil, opts(dir))
	if err == nil || !strings.Contains(err.Error(), "did not answer after 4 attempts") {
		t.Errorf("want the bound, got %v", err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key")
	os.WriteFile(keyFile, []byte("from-a-file\n"), 0o600)
	for name, tc := range map[string]struct {
		env  map[string]string
		want string // error, or the key
	}{
		"missing":     {map[string]string{}, "e.g. https://mdm.example.com; " + EnvAPIKey + " (or " + EnvAPIKey + "_FILE) is not set"},
		"credentials": {map[string]string{EnvURL: "https://user:pw@mdm.example.com", EnvAPIKey: "k"}, "must not hold credentials"},
		"plain http":  {map[string]string{EnvURL: "http://mdm.example.com", EnvAPIKey: "k"}, "must be https (http only to localhost)"},
		"query":       {map[string]string{EnvURL: "https://mdm.example.com/?a=b", EnvAPIKey: "k"}, "without a query"},
		"both":        {map[string]string{EnvURL: "https://mdm.example.com", EnvAPIKey: "k", EnvAPIKey + "_FILE": keyFile}, "both " + EnvAPIKey + " and " + EnvAPIKey + "_FILE are set"},
		"no file":     {map[string]string{EnvURL: "https://mdm.example.com", EnvAPIKey + "_FILE": keyFile + ".none"}, EnvAPIKey + "_FILE: open"},
		"bad nopush":  {map[string]string{EnvURL: "https://mdm.example.com", EnvAPIKey: "k", EnvNoPush: "yes"}, EnvNoPush + ` is "yes"`},
		"file":        {map[string]string{EnvURL: "https://mdm.example.com/", EnvAPIKey + "_FILE": keyFile}, "key from-a-file"},
		"localhost":   {map[string]string{EnvURL: "http://127.0.0.1:8080/nano/", EnvAPIKey: " k "}, "key k"},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := ConfigFromEnv(func(k string) string { return tc.env[k] })
			key, isKey := strings.CutPrefix(tc.want, "key ")
			switch {
			case isKey && (err != nil || c.APIKey != key):
				t.Errorf("got %+v %v", c, err)
			case !isKey && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("want %q, got %v", tc.want, err)
			case err != nil && (strings.Contains(err.Error(), "pw") || strings.Contains(err.Error(), "from-a-file")):
				t.Errorf("the error shows a secret: %v", err)
			}
		})
	}
	c, _ := ConfigFromEnv(func(k string) string {
		return map[string]string{EnvURL: "https://mdm.example.com/", EnvAPIKey: "k", EnvNoPush: "1"}[k]
	})
	if c.URL.String() != "https://mdm.example.com" || !c.NoPush {
		t.Errorf("%+v", c)
	}
}

// TestPolicyProblems: exclude, a bad id and no include are reported
// together, positioned.
func TestPolicyProblems(t *testing.T) {
	dir := t.TempDir()
	src := strings.Replace(contactsPolicy, "include: [IDS]", "include: [\"A,B\"]\n  exclude: [C]", 1)
	_, _, err := FromPolicies([]*profiles.Policy{policy(t, dir, src)}, BuildOptions{})
	var pe *deploy.ProblemsError
	if !errors.As(err, &pe) || len(pe.Diagnostics) != 2 || !strings.Contains(err.Error(), "contacts.yaml:12:13: assignments.include[0]") ||
		!strings.Contains(err.Error(), "assignments.exclude: NanoMDM has no groups") {
		t.Fatalf("got %v", err)
	}
}

// TestSavedPlan: a saved plan applies while nothing changed, and is
// refused once the state file says otherwise.
func TestSavedPlan(t *testing.T) {
	s := newServer(t, false)
	d := s.device()
	dir := t.TempDir()
	c := s.client(testAPIKey)
	profs := build(t, BuildOptions{}, policy(t, dir, contactsPolicy, d.ID()))
	saved, err := Plan(context.Background(), c, profs, opts(dir))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	saved.Write(&buf)
	back, err := deploy.ReadPlan(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(context.Background(), c, profs, back, opts(dir)); err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(context.Background(), c, profs, back, opts(dir)); err == nil || !strings.Contains(err.Error(), "is now no-change") {
		t.Errorf("want the stale plan refused, got %v", err)
	}
}

// TestStateForAnotherServer: a state file is refused for another server.
func TestStateForAnotherServer(t *testing.T) {
	s := newServer(t, false)
	dir := t.TempDir()
	if err := WriteState(opts(dir).StatePath, &State{Server: "https://other.example.com"}); err != nil {
		t.Fatal(err)
	}
	_, err := Plan(context.Background(), s.client(testAPIKey), nil, opts(dir))
	if err == nil || !strings.Contains(err.Error(), "records what was queued to https://other.example.com") {
		t.Errorf("got %v", err)
	}
}

// TestPushFailureStillQueued: a NanoMDM that cannot push (no APNs
// certificate) still queues the command: apply counts it, warns, and the
// device gets it at its next check-in.
func TestPushFailureStillQueued(t *testing.T) {
	s := newServer(t, false)
	d := s.device()
	dir := t.TempDir()
	c := s.client(testAPIKey)
	c.cfg.NoPush = false
	var progress bytes.Buffer
	o := opts(dir)
	o.Progress = &progress
	r, err := Apply(context.Background(), c, build(t, BuildOptions{}, policy(t, dir, contactsPolicy, d.ID())), nil, o)
	if err != nil || r.Created != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	if !strings.Contains(progress.String(), "could not send the push notification") {
		t.Errorf("no push warning in %q", progress.String())
	}
	installed(t, d)
}

// TestRosterUserWithTwoEnrollments: a user's enrollment_id may list
// several ids; the user's profile goes to each, in one command.
func TestRosterUserWithTwoEnrollments(t *testing.T) {
	s := newServer(t, false)
	phone, tablet, other := s.device(), s.device(), s.device()
	dir := t.TempDir()
	src := strings.Replace(strings.Replace(contactsPolicy, "shared@example.com", "${user.email}", 1), "assignments:\n  include: [IDS]\n", "", 1)
	csv := "email,enrollment_id\nalice@example.com,\"" + phone.ID() + "; " + tablet.ID() + "\"\nbob@example.com," + other.ID() + "\n"
	r, err := roster.NewReader(strings.NewReader(csv), "users.csv")
	if err != nil {
		t.Fatal(err)
	}
	profs, err := FromRoster(policy(t, dir, src), r, "users.csv", BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res := mustApply(t, s.client(testAPIKey), profs, opts(dir))
	if res.Created != 3 || res.Writes != 2 {
		t.Errorf("apply: %+v, want 3 enrollments in 2 commands", res)
	}
	for _, d := range []*nanomdmtest.Device{phone, tablet} {
		if got := installed(t, d); !bytes.Contains(got, []byte("alice@example.com")) {
			t.Errorf("alice's device %s got another profile", d.ID())
		}
	}
	if got := installed(t, other); !bytes.Contains(got, []byte("bob@example.com")) {
		t.Error("bob's device got another profile")
	}
}

// TestStoppedBeforeTheStateFile: a run that queued its commands and died
// before it wrote the state file leaves nothing to tell; the next apply
// derives the same CommandUUIDs, NanoMDM refuses the copies, and the
// device gets each profile once.
func TestStoppedBeforeTheStateFile(t *testing.T) {
	s := newServer(t, false)
	d := s.device()
	dir := t.TempDir()
	profs := build(t, BuildOptions{}, policy(t, dir, contactsPolicy, d.ID()))
	mustApply(t, s.client(testAPIKey), profs, opts(dir))
	if err := os.Remove(opts(dir).StatePath); err != nil {
		t.Fatal(err)
	}
	r := mustApply(t, s.client(testAPIKey), profs, opts(dir))
	if r.Created != 1 || s.Enqueues() != 2 {
		t.Errorf("apply again: %+v, %d enqueues", r, s.Enqueues())
	}
	installed(t, d)
	if cmd := next(t, d); cmd != nil {
		t.Errorf("the device got the profile twice: then %s", cmd.RequestType)
	}
	if st, err := ReadState(opts(dir).StatePath); err != nil || len(st.Entries) != 1 {
		t.Errorf("state: %+v %v", st, err)
	}
}
