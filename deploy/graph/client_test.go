package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/mdmforge/mdmforge/deploy/internal/rest"
)

type fakeCred struct {
	err    error
	scopes *[]string
}

func (f fakeCred) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if f.scopes != nil {
		*f.scopes = append(*f.scopes, o.Scopes...)
	}
	if f.err != nil {
		return azcore.AccessToken{}, f.err
	}
	return azcore.AccessToken{Token: "test-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// clock is a fake time that only Sleep moves, so waits are exact.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newClock() *clock { return &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

func testClient(t testing.TB, h http.Handler, mod func(*Options)) (*Client, *clock) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	clk := newClock()
	o := Options{BaseURL: srv.URL, Credential: fakeCred{}, HTTPClient: srv.Client(), Sleep: clk.Sleep, Now: clk.Now, Seed: 1}
	if mod != nil {
		mod(&o)
	}
	return New(o), clk
}

// script answers the n-th request with steps[n] (the last one repeats).
type script struct {
	mu    sync.Mutex
	steps []http.HandlerFunc
	reqs  []*http.Request
	body  []string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	n := len(s.reqs)
	s.reqs = append(s.reqs, r)
	s.body = append(s.body, string(b))
	step := s.steps[min(n, len(s.steps)-1)]
	s.mu.Unlock()
	step(w, r)
}

func (s *script) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.reqs) }

func status(code int, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		if code != http.StatusNoContent {
			fmt.Fprintf(w, `{"error":{"code":"Code%d","message":"status %d"}}`, code, code)
		}
	}
}

func ok(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}
}

// drop closes the connection without an answer, as a load balancer does
// after the backend committed the write.
func drop(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

var create = Request{Method: "POST", Version: "beta", Path: "deviceManagement/deviceConfigurations",
	Body: map[string]string{"displayName": "Work"}, Object: `"Work" (custom profile)`}

func TestListFollowsNextLinkVerbatim(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	var base string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.RequestURI)
		mu.Unlock()
		page := map[string]string{
			"/beta/deviceManagement/deviceConfigurations?%24filter=isof%28%27microsoft.graph.iosCustomConfiguration%27%29": base + "/beta/deviceManagement/deviceConfigurations?$skiptoken=A%2Bb%3D%3D&$filter=x",
			"/beta/deviceManagement/deviceConfigurations?$skiptoken=A%2Bb%3D%3D&$filter=x":                                 base + "/beta/deviceManagement/deviceConfigurations?$skiptoken=page3",
		}
		next := page[r.RequestURI]
		n := len(seen)
		fmt.Fprintf(w, `{"value":[{"id":"%d-a"},{"id":"%d-b"}]`, n, n)
		if next != "" {
			fmt.Fprintf(w, `,"@odata.nextLink":%q`, next)
		}
		io.WriteString(w, "}")
	})
	c, _ := testClient(t, h, nil)
	base = c.BaseURL()
	items, err := c.List(context.Background(), Request{Version: "beta", Path: "deviceManagement/deviceConfigurations",
		Query: url.Values{"$filter": {"isof('microsoft.graph.iosCustomConfiguration')"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 6 || string(items[5]) != `{"id":"3-b"}` {
		t.Errorf("items = %s", items)
	}
	want := []string{
		"/beta/deviceManagement/deviceConfigurations?%24filter=isof%28%27microsoft.graph.iosCustomConfiguration%27%29",
		"/beta/deviceManagement/deviceConfigurations?$skiptoken=A%2Bb%3D%3D&$filter=x",
		"/beta/deviceManagement/deviceConfigurations?$skiptoken=page3",
	}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("requested\n%q\nwant\n%q", seen, want)
	}
	if s := c.Stats(); s.Reads != 3 || s.Writes != 0 || s.Requests != 3 {
		t.Errorf("stats = %+v", s)
	}
}

func TestListRefusesNextLinkToAnotherHost(t *testing.T) {
	c, _ := testClient(t, ok(`{"value":[],"@odata.nextLink":"https://evil.example/beta/x"}`), nil)
	_, err := c.List(context.Background(), Request{Version: "v1.0", Path: "groups"})
	if err == nil || !strings.Contains(err.Error(), "is not on") {
		t.Fatalf("err = %v", err)
	}
}

func TestListRefusesNextLinkLoop(t *testing.T) {
	var base string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"value":[],"@odata.nextLink":%q}`, base+"/v1.0/groups?$skiptoken=same")
	})
	c, _ := testClient(t, h, nil)
	base = c.BaseURL()
	_, err := c.List(context.Background(), Request{Version: "v1.0", Path: "groups"})
	if err == nil || !strings.Contains(err.Error(), "paging does not end") {
		t.Fatalf("err = %v", err)
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{status(429, "Retry-After", "7"), status(503, "Retry-After", "2"), ok(`{"id":"1"}`)}}
	c, clk := testClient(t, s, nil)
	var out struct{ ID string }
	if err := c.Do(context.Background(), Request{Version: "v1.0", Path: "groups/1"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.ID != "1" {
		t.Errorf("out = %+v", out)
	}
	if got := fmt.Sprint(clk.Sleeps()); got != "[7s 2s]" {
		t.Errorf("sleeps = %s, want [7s 2s]", got)
	}
	if st := c.Stats(); st.Retries != 2 || st.Requests != 3 || st.Waited != 9*time.Second {
		t.Errorf("stats = %+v", st)
	}
}

func TestRetryAfterDate(t *testing.T) {
	clk := newClock()
	when := clk.Now().Add(30 * time.Second).Format(http.TimeFormat)
	s := &script{steps: []http.HandlerFunc{status(429, "Retry-After", when), ok(`{}`)}}
	c, _ := testClient(t, s, func(o *Options) { o.Now, o.Sleep = clk.Now, clk.Sleep })
	if err := c.Do(context.Background(), Request{Version: "v1.0", Path: "groups"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(clk.Sleeps()); got != "[30s]" {
		t.Errorf("sleeps = %s, want [30s]", got)
	}
}

func TestRetryAfterCapped(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{status(429, "Retry-After", "86400"), ok(`{}`)}}
	c, clk := testClient(t, s, nil)
	if err := c.Do(context.Background(), Request{Version: "v1.0", Path: "groups"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(clk.Sleeps()); got != "[5m0s]" {
		t.Errorf("sleeps = %s, want [5m0s]", got)
	}
}

func TestBackoffWithoutRetryAfterIsJitteredAndSeeded(t *testing.T) {
	run := func(seed int64) []time.Duration {
		s := &script{steps: []http.HandlerFunc{status(503), status(504), status(429), status(503), ok(`{}`)}}
		c, clk := testClient(t, s, func(o *Options) { o.Seed = seed })
		if err := c.Do(context.Background(), Request{Version: "v1.0", Path: "groups"}, nil); err != nil {
			t.Fatal(err)
		}
		return clk.Sleeps()
	}
	a, b, other := run(42), run(42), run(43)
	if len(a) != 4 {
		t.Fatalf("sleeps = %v", a)
	}
	for i, d := range a {
		if ceiling := time.Second << i; d < 0 || d >= ceiling {
			t.Errorf("sleep %d = %s, want in [0, %s)", i, d, ceiling)
		}
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("same seed, different waits: %v vs %v", a, b)
	}
	if fmt.Sprint(a) == fmt.Sprint(other) {
		t.Errorf("different seeds, same waits: %v", a)
	}
}

func TestBackoffCeilingIsCapped(t *testing.T) {
	c := New(Options{Credential: fakeCred{}, Seed: 7})
	for attempt := 1; attempt < 40; attempt++ {
		if d := c.backoff(attempt); d >= backoffCap {
			t.Fatalf("attempt %d waits %s", attempt, d)
		}
	}
}

func TestRetriesAreBounded(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{status(503)}}
	c, clk := testClient(t, s, func(o *Options) { o.MaxRetries = 3 })
	err := c.Do(context.Background(), Request{Version: "v1.0", Path: "groups", Object: "groups"}, nil)
	if s.count() != 4 || len(clk.Sleeps()) != 3 {
		t.Errorf("%d requests, %d sleeps; want 4 and 3", s.count(), len(clk.Sleeps()))
	}
	var e *Error
	if !errors.As(err, &e) || e.Status != 503 || e.Attempts != 4 {
		t.Fatalf("err = %#v", err)
	}
	if !strings.Contains(err.Error(), "gave up after 4 attempts: 503 Code503: status 503") {
		t.Errorf("message = %s", err)
	}
	if OutcomeUnknown(err) {
		t.Error("a GET cannot have an unknown outcome")
	}
}

func TestCreateIsNotRetriedWhenItMayHaveBeenCommitted(t *testing.T) {
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-block:
		}
	}
	for name, step := range map[string]http.HandlerFunc{
		"500": status(500), "502": status(502), "503": status(503, "Retry-After", "1"), "504": status(504),
		"timeout": slow, "dropped": drop,
	} {
		t.Run(name, func(t *testing.T) {
			s := &script{steps: []http.HandlerFunc{step, ok(`{"id":"new"}`)}}
			c, clk := testClient(t, s, func(o *Options) { o.Timeout = 200 * time.Millisecond })
			err := c.Do(context.Background(), create, nil)
			if s.count() != 1 {
				t.Errorf("%d requests, want 1", s.count())
			}
			if len(clk.Sleeps()) != 0 {
				t.Errorf("slept %v", clk.Sleeps())
			}
			if !OutcomeUnknown(err) {
				t.Fatalf("OutcomeUnknown(%v) = false", err)
			}
			if !strings.HasPrefix(err.Error(), `creating "Work" (custom profile): POST `) ||
				!strings.HasSuffix(err.Error(), "; the write may have been applied") {
				t.Errorf("message = %s", err)
			}
		})
	}
}

func TestCreateRejectedIsNotRetried(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{status(400), ok(`{}`)}}
	c, _ := testClient(t, s, nil)
	err := c.Do(context.Background(), create, nil)
	if s.count() != 1 || OutcomeUnknown(err) || StatusOf(err) != 400 {
		t.Errorf("%d requests, err %v", s.count(), err)
	}
}

func TestCreateIsRetriedOn429(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{status(429), status(429, "Retry-After", "3"), ok(`{"id":"new"}`)}}
	c, clk := testClient(t, s, nil)
	var out struct{ ID string }
	if err := c.Do(context.Background(), create, &out); err != nil {
		t.Fatal(err)
	}
	if s.count() != 3 || out.ID != "new" {
		t.Errorf("%d requests, out %+v", s.count(), out)
	}
	for i, b := range s.body {
		if b != `{"displayName":"Work"}` {
			t.Errorf("attempt %d sent %q", i+1, b)
		}
	}
	if got := clk.Sleeps(); len(got) != 2 || got[1] != 3*time.Second {
		t.Errorf("sleeps = %v", got)
	}
}

func TestIdempotentWritesAreRetriedAfterLostAnswers(t *testing.T) {
	for _, r := range []Request{
		{Method: "POST", Version: "beta", Path: "deviceManagement/deviceConfigurations/1/assign", Idempotent: true, Body: json.RawMessage(`{"assignments":[]}`)},
		{Method: "PATCH", Version: "beta", Path: "deviceManagement/deviceConfigurations/1", Body: json.RawMessage(`{"@odata.type":"#x"}`)},
		{Version: "beta", Path: "deviceManagement/deviceConfigurations/1"},
	} {
		t.Run(r.method(), func(t *testing.T) {
			s := &script{steps: []http.HandlerFunc{drop, status(500, "Retry-After", "1"), status(502), status(504), ok(`{}`)}}
			c, clk := testClient(t, s, nil)
			if err := c.Do(context.Background(), r, nil); err != nil || s.count() != 5 {
				t.Errorf("%d requests, err %v", s.count(), err)
			}
			// The 500's Retry-After is honoured; the others back off.
			if got := clk.Sleeps(); len(got) != 4 || got[1] != time.Second {
				t.Errorf("sleeps = %v", got)
			}
		})
	}
	s := &script{steps: []http.HandlerFunc{drop, status(504), ok(`{"id":"1"}`)}}
	c, _ := testClient(t, s, nil)
	if err := c.Do(context.Background(), Request{Version: "v1.0", Path: "groups/1"}, nil); err != nil || s.count() != 3 {
		t.Errorf("GET after a dropped connection and a 504: %d requests, %v", s.count(), err)
	}
}

func TestServerErrorsAreRetriedBoundedAndOtherStatusesNot(t *testing.T) {
	patch := Request{Method: "PATCH", Version: "beta", Path: "x/1", Body: map[string]int{"a": 1}}
	for _, code := range []int{500, 502} {
		s := &script{steps: []http.HandlerFunc{status(code)}}
		c, _ := testClient(t, s, func(o *Options) { o.MaxRetries = 2 })
		err := c.Do(context.Background(), patch, nil)
		if s.count() != 3 || StatusOf(err) != code || !OutcomeUnknown(err) ||
			!strings.Contains(err.Error(), "gave up after 3 attempts") {
			t.Errorf("%d: %d requests, %v", code, s.count(), err)
		}
	}
	for _, code := range []int{400, 409, 501} {
		s := &script{steps: []http.HandlerFunc{status(code), ok(`{}`)}}
		c, _ := testClient(t, s, nil)
		if err := c.Do(context.Background(), Request{Version: "v1.0", Path: "groups/1"}, nil); s.count() != 1 || StatusOf(err) != code {
			t.Errorf("%d: %d requests, %v", code, s.count(), err)
		}
	}
}

func TestDeleteWhoseAnswerWasLostIsDone(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{drop, status(404)}}
	c, _ := testClient(t, s, nil)
	if err := c.Do(context.Background(), Request{Method: "DELETE", Version: "beta", Path: "deviceManagement/deviceConfigurations/1"}, nil); err != nil {
		t.Fatal(err)
	}
	s = &script{steps: []http.HandlerFunc{status(404)}}
	c, _ = testClient(t, s, nil)
	if err := c.Do(context.Background(), Request{Method: "DELETE", Version: "beta", Path: "deviceManagement/deviceConfigurations/1"}, nil); StatusOf(err) != 404 {
		t.Fatalf("a plain 404 on DELETE: %v", err)
	}
}

func TestWritesArePacedInASlidingWindow(t *testing.T) {
	var mu sync.Mutex
	var starts []time.Time
	var clk *clock
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "GET" {
			mu.Lock()
			starts = append(starts, clk.Now())
			mu.Unlock()
		}
		w.WriteHeader(204)
	})
	c, clk := testClient(t, h, nil)
	ctx := context.Background()
	for i := range 150 {
		if err := c.Do(ctx, Request{Method: "PATCH", Version: "beta", Path: fmt.Sprintf("x/%d", i), Body: map[string]int{"i": i}}, nil); err != nil {
			t.Fatal(err)
		}
		if err := c.Do(ctx, Request{Version: "beta", Path: "x"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := fmt.Sprint(clk.Sleeps()); got != "[20s]" {
		t.Errorf("sleeps = %s, want one wait of [20s]", got)
	}
	for i := range starts {
		n := 0
		for _, s := range starts[i:] {
			if s.Sub(starts[i]) < 20*time.Second {
				n++
			}
		}
		if n > 100 {
			t.Fatalf("%d writes in the 20 s from write %d", n, i)
		}
	}
	if st := c.Stats(); st.Writes != 150 || st.Reads != 150 || st.Waited != 20*time.Second {
		t.Errorf("stats = %+v", st)
	}
}

func TestPacingReservesSlotsForConcurrentWriters(t *testing.T) {
	// A clock that stands still: each writer's wait is then exactly how
	// far into the future its slot was reserved.
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := New(Options{Credential: fakeCred{}, Writes: 10, Window: time.Second,
		Now: func() time.Time { return now }, Sleep: func(context.Context, time.Duration) error { return nil }})
	var wg sync.WaitGroup
	for range 35 {
		wg.Add(1)
		go func() { defer wg.Done(); _ = c.pace(context.Background()) }()
	}
	wg.Wait()
	// 10 at once, 10 after 1 s, 10 after 2 s, 5 after 3 s.
	if st := c.Stats(); st.Waited != 45*time.Second {
		t.Errorf("waited %s in all, want 45s", st.Waited)
	}
}

func TestErrorNamesObjectRequestStatusMessageAndRequestID(t *testing.T) {
	body := `{"error":{"code":"BadRequest","message":"Property 'x' does not exist\non type 'y'","innerError":{"request-id":"body-rid","client-request-id":"theirs","date":"2026-01-01T00:00:00"}}}`
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("client-request-id") == "" || r.Header.Get("Authorization") != "Bearer test-token" {
			t.Errorf("headers = %v", r.Header)
		}
		w.WriteHeader(400)
		io.WriteString(w, body)
	})
	c, _ := testClient(t, h, nil)
	err := c.Do(context.Background(), create, nil)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %#v", err)
	}
	if e.Status != 400 || e.Code != "BadRequest" || e.RequestID != "body-rid" || e.Unknown || e.Method != "POST" ||
		e.URL != c.BaseURL()+"/beta/deviceManagement/deviceConfigurations" || e.Object != `"Work" (custom profile)` {
		t.Errorf("error = %+v", e)
	}
	want := fmt.Sprintf(`creating "Work" (custom profile): POST %s/beta/deviceManagement/deviceConfigurations: 400 BadRequest: Property 'x' does not exist on type 'y' (request-id body-rid, client-request-id %s)`,
		c.BaseURL(), e.ClientRequestID)
	if err.Error() != want {
		t.Errorf("message\n%s\nwant\n%s", err, want)
	}

	// The header wins over the body.
	h2 := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("request-id", "header-rid")
		w.WriteHeader(403)
		io.WriteString(w, `{"error":{"code":"Forbidden","message":"Application is not authorized to perform this operation."}}`)
	})
	c2, _ := testClient(t, h2, nil)
	err = c2.Do(context.Background(), Request{Version: "beta", Path: "deviceManagement/deviceConfigurations"}, nil)
	if StatusOf(err) != 403 || !strings.Contains(err.Error(), "reading deviceManagement/deviceConfigurations: GET ") ||
		!strings.Contains(err.Error(), "403 Forbidden: Application is not authorized") || !strings.Contains(err.Error(), "request-id header-rid") {
		t.Errorf("message = %s", err)
	}
}

func TestNonJSONErrorBodyIsSummarised(t *testing.T) {
	page := "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>" + strings.Repeat("<p>filler</p>\n", 5000) + "</body></html>"
	s := &script{steps: []http.HandlerFunc{func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		io.WriteString(w, page)
	}}}
	c, _ := testClient(t, s, nil)
	err := c.Do(context.Background(), Request{Version: "v1.0", Path: "groups"}, nil)
	msg := err.Error()
	if !strings.Contains(msg, ": 502 BadGateway: 502 Bad Gateway (client-request-id ") || strings.Contains(msg, "<") || len(msg) > 400 {
		t.Errorf("message = %s", msg)
	}
	if got := firstLine([]byte("upstream connect error or disconnect/reset before headers\nreset reason: overflow")); got != "upstream connect error or disconnect/reset before headers" {
		t.Errorf("firstLine = %q", got)
	}
	if got := firstLine([]byte(strings.Repeat("x", 1000))); len(got) > 210 {
		t.Errorf("firstLine is %d bytes", len(got))
	}
}

func TestCancelledContext(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{status(429, "Retry-After", "60")}}
	ctx, cancel := context.WithCancel(context.Background())
	c, _ := testClient(t, s, func(o *Options) {
		o.Sleep = func(ctx context.Context, d time.Duration) error { cancel(); return rest.Sleep(ctx, d) }
	})
	err := c.Do(ctx, Request{Version: "v1.0", Path: "groups"}, nil)
	if !errors.Is(err, context.Canceled) || s.count() != 1 {
		t.Fatalf("%d requests, err = %v", s.count(), err)
	}
	if _, err := c.List(ctx, Request{Version: "v1.0", Path: "groups"}); !errors.Is(err, context.Canceled) || s.count() != 1 {
		t.Fatalf("already cancelled: %d requests, err = %v", s.count(), err)
	}

	// Cancelled while the server is thinking.
	started := make(chan struct{})
	block := make(chan struct{})
	defer close(block)
	c2, _ := testClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		select {
		case <-r.Context().Done():
		case <-block:
		}
	}), nil)
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() { <-started; cancel2() }()
	if err := c2.Do(ctx2, create, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestTokenErrorNamesTheCredential(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{ok(`{}`)}}
	c, _ := testClient(t, s, func(o *Options) {
		o.Credential = &namedCredential{kind: "github-oidc", cred: fakeCred{err: errors.New("AADSTS70021: No matching federated identity record found\nfor presented assertion.")}}
	})
	err := c.Do(context.Background(), Request{Version: "v1.0", Path: "groups"}, nil)
	want := "getting a token for " + c.BaseURL() + "/.default with github-oidc: AADSTS70021: No matching federated identity record found for presented assertion."
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
	if s.count() != 0 {
		t.Errorf("%d requests without a token", s.count())
	}
	c, _ = testClient(t, s, func(o *Options) { o.Credential = fakeCred{err: errors.New("boom")} })
	if err := c.Do(context.Background(), Request{Version: "v1.0", Path: "groups"}, nil); err == nil || !strings.Contains(err.Error(), "with fakeCred: boom") {
		t.Errorf("err = %v", err)
	}
}

func TestBadRequestsAreRefusedBeforeSending(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{ok(`{}`)}}
	c, _ := testClient(t, s, nil)
	if err := c.Do(context.Background(), Request{Version: "v2", Path: "x"}, nil); err == nil {
		t.Error("version v2 accepted")
	}
	if err := c.Do(context.Background(), Request{Method: "POST", Version: "beta", Path: "x", Body: func() {}}, nil); err == nil {
		t.Error("an unencodable body accepted")
	}
	if _, err := c.List(context.Background(), Request{Method: "POST", Version: "beta", Path: "x"}); err == nil {
		t.Error("List with POST accepted")
	}
	if err := New(Options{BaseURL: "ftp://x", Credential: fakeCred{}}).Do(context.Background(), Request{Version: "beta", Path: "x"}, nil); err == nil {
		t.Error("ftp base accepted")
	}
	if s.count() != 0 {
		t.Errorf("%d requests sent", s.count())
	}
}

func TestNoContentAndUndecodableAnswers(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{status(204), ok(`not json`)}}
	c, _ := testClient(t, s, nil)
	var out map[string]any
	if err := c.Do(context.Background(), Request{Method: "POST", Version: "beta", Path: "x/assign", Idempotent: true}, &out); err != nil {
		t.Fatal(err)
	}
	err := c.Do(context.Background(), Request{Version: "beta", Path: "x"}, &out)
	if err == nil || !strings.Contains(err.Error(), "the answer is not the JSON expected") {
		t.Errorf("err = %v", err)
	}
}

func BenchmarkList10Pages(b *testing.B) {
	var base string
	item := `{"id":"00000000-0000-0000-0000-000000000000","displayName":"Work Contacts – Custom","description":"[mdmforge:com.example.work/custom]"}`
	items := strings.TrimSuffix(strings.Repeat(item+",", 100), ",")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := 0
		fmt.Sscanf(r.URL.Query().Get("$skiptoken"), "%d", &n)
		fmt.Fprintf(w, `{"value":[%s]`, items)
		if n < 9 {
			fmt.Fprintf(w, `,"@odata.nextLink":"%s/beta/x?$skiptoken=%d"`, base, n+1)
		}
		io.WriteString(w, "}")
	})
	c, _ := testClient(b, h, nil)
	base = c.BaseURL()
	b.ReportAllocs()
	for b.Loop() {
		got, err := c.List(context.Background(), Request{Version: "beta", Path: "x"})
		if err != nil || len(got) != 1000 {
			b.Fatal(len(got), err)
		}
	}
	b.ReportMetric(float64(c.Stats().Requests)/float64(b.N), "requests/op")
}

func TestOversizedAnswerIsRefusedWithoutRetry(t *testing.T) {
	defer func(n int64) { maxResponse = n }(maxResponse)
	maxResponse = 1000
	s := &script{steps: []http.HandlerFunc{ok(`{"value":["` + strings.Repeat("x", 2000) + `"]}`)}}
	c, _ := testClient(t, s, nil)
	_, err := c.List(context.Background(), Request{Version: "v1.0", Path: "groups"})
	if err == nil || !strings.Contains(err.Error(), "the answer is larger than 1000 bytes") || s.count() != 1 {
		t.Fatalf("%d requests, err = %v", s.count(), err)
	}
	err = c.Do(context.Background(), Request{Method: "PATCH", Version: "v1.0", Path: "groups/1", Body: map[string]string{"a": "b"}}, nil)
	if !OutcomeUnknown(err) || s.count() != 2 {
		t.Fatalf("%d requests, err = %v", s.count(), err)
	}
}

func TestTokenScope(t *testing.T) {
	var scopes []string
	s := &script{steps: []http.HandlerFunc{ok(`{}`)}}
	c, _ := testClient(t, s, func(o *Options) { o.Credential = fakeCred{scopes: &scopes} })
	c.Do(context.Background(), Request{Version: "v1.0", Path: "groups"}, nil)
	c2, _ := testClient(t, s, func(o *Options) {
		o.Credential, o.Scope = fakeCred{scopes: &scopes}, "https://graph.microsoft.us/.default"
	})
	c2.Do(context.Background(), Request{Version: "v1.0", Path: "groups"}, nil)
	if want := []string{c.BaseURL() + "/.default", "https://graph.microsoft.us/.default"}; fmt.Sprint(scopes) != fmt.Sprint(want) {
		t.Errorf("scopes = %v, want %v", scopes, want)
	}
}

func TestWriteOutcomeStaysUnknownAfterALostAnswer(t *testing.T) {
	patch := Request{Method: "PATCH", Version: "beta", Path: "x/1", Body: map[string]int{"a": 1}}
	// Lost, then throttled until the retries run out.
	s := &script{steps: []http.HandlerFunc{drop, status(429)}}
	c, _ := testClient(t, s, func(o *Options) { o.MaxRetries = 2 })
	if err := c.Do(context.Background(), patch, nil); !OutcomeUnknown(err) || StatusOf(err) != 429 {
		t.Errorf("lost then 429: %v", err)
	}
	// Lost, then refused.
	s = &script{steps: []http.HandlerFunc{status(503), status(409)}}
	c, _ = testClient(t, s, nil)
	if err := c.Do(context.Background(), patch, nil); !OutcomeUnknown(err) || StatusOf(err) != 409 {
		t.Errorf("503 then 409: %v", err)
	}
	// Throttled only: nothing was applied.
	s = &script{steps: []http.HandlerFunc{status(429)}}
	c, _ = testClient(t, s, func(o *Options) { o.MaxRetries = 1 })
	if err := c.Do(context.Background(), patch, nil); OutcomeUnknown(err) {
		t.Errorf("429 only: %v", err)
	}
}

func TestReadTimingOutIsRetried(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-block:
		}
	}
	s := &script{steps: []http.HandlerFunc{slow, ok(`{"id":"1"}`)}}
	c, _ := testClient(t, s, func(o *Options) { o.Timeout = 100 * time.Millisecond })
	var out struct{ ID string }
	if err := c.Do(context.Background(), Request{Version: "v1.0", Path: "groups/1"}, &out); err != nil || out.ID != "1" || s.count() != 2 {
		t.Fatalf("%d requests, %+v, %v", s.count(), out, err)
	}
	// Every attempt times out: the error says so and how often it tried.
	s = &script{steps: []http.HandlerFunc{slow}}
	c, _ = testClient(t, s, func(o *Options) { o.Timeout = 50 * time.Millisecond; o.MaxRetries = 1 })
	err := c.Do(context.Background(), Request{Version: "v1.0", Path: "groups/1"}, nil)
	if err == nil || !strings.Contains(err.Error(), "gave up after 2 attempts: no answer within 50ms") {
		t.Fatalf("err = %v", err)
	}
}
