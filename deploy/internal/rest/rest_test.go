package rest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

type staticAuth struct{ refreshed *int32 }

func (a staticAuth) Authorize(_ context.Context, r *http.Request) error {
	r.Header.Set("Authorization", "Bearer t")
	return nil
}

func (a staticAuth) Refresh(context.Context) bool {
	if a.refreshed == nil {
		return false
	}
	atomic.AddInt32(a.refreshed, 1)
	return true
}

func client(t *testing.T, h http.HandlerFunc, auth Authorizer) (*Client, *[]time.Duration) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	var slept []time.Duration
	c, err := New(Options{BaseURL: srv.URL, Auth: auth, HTTPClient: srv.Client(), Service: "Test", Seed: 1,
		Sleep: func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return c, &slept
}

func TestRetryAfterOn429And503(t *testing.T) {
	var n int32
	c, slept := client(t, func(w http.ResponseWriter, r *http.Request) {
		switch atomic.AddInt32(&n, 1) {
		case 1:
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(429)
		case 2:
			w.Header().Set("Retry-After", "100000")
			w.WriteHeader(503)
		default:
			w.Write([]byte("ok"))
		}
	}, staticAuth{})
	resp, err := c.Do(context.Background(), Request{Method: http.MethodPost, Path: "x", Body: []byte("b")})
	if err != nil || string(resp.Body) != "ok" {
		t.Fatalf("%v %v", resp, err)
	}
	if len(*slept) != 2 || (*slept)[0] != 7*time.Second || (*slept)[1] != maxRetryAfter {
		t.Fatalf("slept %v", *slept)
	}
	if s := c.Stats(); s.Writes != 3 || s.Retries != 2 {
		t.Fatalf("stats %+v", s)
	}
}

func TestRetriesAreBounded(t *testing.T) {
	var n int32
	c, _ := client(t, func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt32(&n, 1)
		w.WriteHeader(429)
	}, staticAuth{})
	_, err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "x"})
	if StatusOf(err) != 429 || n != DefaultMaxRetries+1 {
		t.Fatalf("err %v after %d attempts", err, n)
	}
}

func TestAWriteThatMayHaveBeenDoneIsNotRepeated(t *testing.T) {
	var n int32
	c, _ := client(t, func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt32(&n, 1)
		w.WriteHeader(500)
	}, staticAuth{})
	_, err := c.Do(context.Background(), Request{Method: http.MethodPost, Path: "x", Body: []byte("b"), What: `profile "P"`})
	var e *Error
	if !errors.As(err, &e) || !e.Unknown || n != 1 || !strings.Contains(err.Error(), `(profile "P"): 500`) {
		t.Fatalf("err %v after %d attempts", err, n)
	}
	// A read is repeated.
	n = 0
	c.Do(context.Background(), Request{Method: http.MethodGet, Path: "x"})
	if n != DefaultMaxRetries+1 {
		t.Fatalf("read sent %d times", n)
	}
}

func TestRefreshOnceAfter401(t *testing.T) {
	var refreshed int32
	c, _ := client(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(401) }, staticAuth{refreshed: &refreshed})
	_, err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "x"})
	if StatusOf(err) != 401 || refreshed != 1 {
		t.Fatalf("err %v, refreshed %d", err, refreshed)
	}
}

func TestJamfHTMLMessage(t *testing.T) {
	c, _ := client(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(409)
		w.Write([]byte("<html><body><p style=\"x\">Conflict</p>\n<p>Error: Duplicate name</p></body></html>"))
	}, nil)
	_, err := c.Do(context.Background(), Request{Method: http.MethodPost, Path: "x", Body: []byte("b")})
	if err == nil || !strings.HasSuffix(err.Error(), ": 409 Conflict: Error: Duplicate name") {
		t.Fatalf("err %v", err)
	}
}

func TestSecret(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "s")
	os.WriteFile(f, []byte("  from-file\n"), 0o600)
	env := map[string]string{"A_FILE": f, "B": "v", "B_FILE": f, "C_FILE": filepath.Join(dir, "none")}
	get := func(k string) string { return env[k] }
	if s, err := Secret(get, "A"); s != "from-file" || err != nil {
		t.Errorf("A: %q %v", s, err)
	}
	if _, err := Secret(get, "B"); err == nil || !strings.Contains(err.Error(), "both B and B_FILE") {
		t.Errorf("B: %v", err)
	}
	if _, err := Secret(get, "C"); err == nil || !strings.Contains(err.Error(), "C_FILE") {
		t.Errorf("C: %v", err)
	}
	if s, err := Secret(get, "D"); s != "" || err != nil {
		t.Errorf("D: %q %v", s, err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		// Endless: read whole, it would never return.
		env["E_FILE"] = "/dev/zero"
		if _, err := Secret(get, "E"); err == nil || !strings.Contains(err.Error(), "larger than 64 KiB") {
			t.Errorf("E: %v", err)
		}
	}
}

func TestCheckURL(t *testing.T) {
	for raw, ok := range map[string]bool{"https://x.example.com": true, "http://127.0.0.1:8080": true, "http://localhost": true,
		"http://x.example.com": false, "https://user:pw@x.example.com": false, "http://user:pw@x.example.com": false, "x.example.com": false,
		"https://x.example.com/?token=pw": false, "https://x.example.com/#pw": false, "https://x.example.com/?": false,
		"https://x.example.com/jamf": true} {
		_, err := CheckURL("V", raw)
		if (err == nil) != ok {
			t.Errorf("%s: %v", raw, err)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("%s: %v", raw, err)
		}
	}
}

func TestSameHost(t *testing.T) {
	c, _ := client(t, func(w http.ResponseWriter, r *http.Request) {}, nil)
	base := c.base.String()
	got, err := c.SameHost(base + "/api/v1/library/custom-profiles?limit=300&offset=300")
	if err != nil || got != "/api/v1/library/custom-profiles?limit=300&offset=300" {
		t.Errorf("SameHost(next on the server) = %q, %v", got, err)
	}
	for _, link := range []string{
		"https://attacker.example/api/v1/library/custom-profiles?offset=300",
		strings.Replace(base, "http://", "https://", 1) + "/next",
		"::not a url",
	} {
		if got, err := c.SameHost(link); err == nil {
			t.Errorf("SameHost(%q) = %q, want a refusal: the credential would leave the server", link, got)
		}
	}
}

func TestServerFromEnv(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	_, _, err := ServerFromEnv(getenv, "Fleet", "U", "e.g. https://x", "T")
	if err == nil || err.Error() != "Fleet: set U (e.g. https://x), T (or T_FILE)" {
		t.Errorf("both missing: %v", err)
	}
	env["U"], env["T"] = "https://x.example.com/", " tok "
	if base, tok, err := ServerFromEnv(getenv, "Fleet", "U", "", "T"); err != nil || base != "https://x.example.com" || tok != "tok" {
		t.Errorf("got %q %q %v", base, tok, err)
	}
	env["U"] = "http://x.example.com"
	if _, _, err := ServerFromEnv(getenv, "Fleet", "U", "", "T"); err == nil || strings.Contains(err.Error(), "tok") {
		t.Errorf("http to another host: %v", err)
	}
}

// TestSleep: a wait ends with its context, and a zero wait does not wait
// but still reports a context that has ended.
func TestSleep(t *testing.T) {
	if err := Sleep(context.Background(), 0); err != nil {
		t.Errorf("zero wait: %v", err)
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("short wait: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, d := range []time.Duration{-1, 0, time.Hour} {
		if err := Sleep(ctx, d); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled, wait %s: err = %v", d, err)
		}
	}
}
