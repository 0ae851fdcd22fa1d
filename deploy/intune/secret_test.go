package intune

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/mdmforge/mdmforge/deploy/graph"
	"github.com/mdmforge/mdmforge/internal/fakegraph"
	"github.com/mdmforge/mdmforge/profiles"
)

// TestPlanHoldsNoSecret: a password in the profile, and its change, show
// in no format of the plan nor in the plan file.
func TestPlanHoldsNoSecret(t *testing.T) {
	const old, now = "Winter-2026-old", "Summer-2027-new"
	withPassword := func(pw string) *profiles.Policy {
		return policy(t, "contacts.yaml", "auth: oauth", "auth: password\n  password: "+pw)
	}
	e := newEnv(t, fakegraph.Options{}).tenant()
	e.apply([]*profiles.Policy{withPassword(old)}, Options{})
	p := e.plan([]*profiles.Policy{withPassword(now)}, Options{})
	if !p.Changed() {
		t.Fatal("a new password plans no change")
	}
	var all bytes.Buffer
	for _, f := range []string{"text", "markdown", "json", "github"} {
		all.Write(render(t, p, f))
	}
	if err := p.Write(&all); err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{old, now} {
		if strings.Contains(all.String(), pw) {
			t.Errorf("the plan shows the password %q:\n%s", pw, all.String())
		}
	}
	if !bytes.Contains(render(t, p, "text"), []byte("Password: <secret, changed>")) {
		t.Errorf("the plan does not say the password changed:\n%s", render(t, p, "text"))
	}
}

// lagging answers the first GET of each written object 404, as a replica
// that has not seen the write yet would; always makes every read 404.
type lagging struct {
	base   http.RoundTripper
	always bool
	mu     sync.Mutex
	seen   map[string]bool
	lagged int
}

func (l *lagging) RoundTrip(r *http.Request) (*http.Response, error) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	item := r.Method == http.MethodGet && len(parts) == 4 && r.URL.Query().Get("$filter") == ""
	if item {
		l.mu.Lock()
		lag := l.always || !l.seen[r.URL.Path]
		l.seen[r.URL.Path] = true
		if lag {
			l.lagged++
		}
		l.mu.Unlock()
		if lag {
			body := `{"error":{"code":"ResourceNotFound","message":"not yet"}}`
			return &http.Response{StatusCode: http.StatusNotFound, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		}
	}
	return l.base.RoundTrip(r)
}

// TestReadBackWaitsForLag: a write that a read does not show yet is read
// again after a wait, and one that never shows is an error.
func TestReadBackWaitsForLag(t *testing.T) {
	for _, always := range []bool{false, true} {
		e := newEnv(t, fakegraph.Options{}).tenant()
		l := &lagging{base: e.srv.Client().Transport, always: always, seen: map[string]bool{}}
		e.g = e.client(graph.Options{HTTPClient: &http.Client{Transport: l}})
		_, err := Apply(context.Background(), e.g, []*profiles.Policy{policy(t, "contacts.yaml")}, nil, Options{})
		switch {
		case !always && err != nil:
			t.Errorf("a lagging read failed the apply: %v", err)
		case !always && l.lagged != 5:
			t.Errorf("%d lagged reads, want 5", l.lagged)
		case always && (err == nil || !strings.Contains(err.Error(), "not confirmed by reading it back")):
			t.Errorf("a write never read back: %v", err)
		}
		if len(e.slept) == 0 {
			t.Errorf("always=%v: no wait before reading again", always)
		}
	}
}

// staleAssignments answers the first read of each object's assignments
// with an empty set, as a replica that has not seen the /assign yet
// would; always answers every read so.
type staleAssignments struct {
	base   http.RoundTripper
	always bool
	mu     sync.Mutex
	seen   map[string]bool
	stale  int
}

func (l *staleAssignments) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/assignments") {
		l.mu.Lock()
		stale := l.always || !l.seen[r.URL.Path]
		l.seen[r.URL.Path] = true
		if stale {
			l.stale++
		}
		l.mu.Unlock()
		if stale {
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(`{"value":[]}`)), Request: r}, nil
		}
	}
	return l.base.RoundTrip(r)
}

// TestAssignmentsAreReadBack: after /assign, the object's assignments are
// read until they show the set sent (a stale read is read again after a
// wait), and a set that never shows is an error naming both sets.
func TestAssignmentsAreReadBack(t *testing.T) {
	for _, always := range []bool{false, true} {
		e := newEnv(t, fakegraph.Options{}).tenant()
		l := &staleAssignments{base: e.srv.Client().Transport, always: always, seen: map[string]bool{}}
		e.g = e.client(graph.Options{HTTPClient: &http.Client{Transport: l}})
		_, err := Apply(context.Background(), e.g, []*profiles.Policy{policy(t, "contacts.yaml")}, nil, Options{})
		switch {
		case !always && err != nil:
			t.Errorf("a stale read failed the apply: %v", err)
		case !always && l.stale != 5:
			t.Errorf("%d stale reads, want one per object (5)", l.stale)
		case always && (err == nil || !strings.Contains(err.Error(), "not confirmed by reading it back: its assignments are still none, not exclusionGroupAssignmentTarget:00000000-0000-4000-8000-000000000002, groupAssignmentTarget:00000000-0000-4000-8000-000000000001")):
			t.Errorf("assignments never read back: %v", err)
		}
		if len(e.slept) == 0 {
			t.Errorf("always=%v: no wait before reading again", always)
		}
	}
}

// lostCreate commits the first create of a collection and loses its
// answer, then answers the first lookup by display name with no object,
// as a replica the create has not reached would.
type lostCreate struct {
	base        http.RoundTripper
	path        string
	mu          sync.Mutex
	lost, stale bool
}

func (l *lostCreate) RoundTrip(r *http.Request) (*http.Response, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == l.path && !l.lost:
		l.lost = true
		resp, err := l.base.RoundTrip(r)
		if err == nil {
			resp.Body.Close()
		}
		return nil, errors.New("connection reset by peer")
	case r.Method == http.MethodGet && r.URL.Path == l.path && l.lost && !l.stale &&
		strings.HasPrefix(r.URL.Query().Get("$filter"), "displayName eq "):
		l.stale = true
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"value":[]}`)), Request: r}, nil
	}
	return l.base.RoundTrip(r)
}

// TestLostCreateLookupWaitsForLag: after a create whose answer was lost,
// a lookup that does not show the object yet is made again after a wait
// rather than sending the POST again, so no second object is made.
func TestLostCreateLookupWaitsForLag(t *testing.T) {
	e := newEnv(t, fakegraph.Options{}).tenant()
	l := &lostCreate{base: e.srv.Client().Transport, path: "/v1.0/" + collCompliance}
	e.g = e.client(graph.Options{HTTPClient: &http.Client{Transport: l}})
	if _, err := Apply(context.Background(), e.g, []*profiles.Policy{policy(t, "contacts.yaml")}, nil, Options{}); err != nil {
		t.Fatal(err)
	}
	if !l.lost || !l.stale {
		t.Fatalf("lost %v, stale %v: the test did not run", l.lost, l.stale)
	}
	if n := len(e.srv.Objects(collCompliance)); n != 1 {
		t.Errorf("%d compliance policies, want 1", n)
	}
}
