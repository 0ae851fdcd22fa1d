package nanomdm

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mdmforge/mdmforge/deploy"
)

func fakeClient(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	c := NewClient(Config{URL: u, APIKey: "the-key"}, srv.Client())
	c.sleep = func(context.Context, time.Duration) error { return nil }
	return c
}

// TestCheckNamesWhatIsWrong: a URL that is not NanoMDM's, or not its base,
// is an error with a hint, found by plan's check.
func TestCheckNamesWhatIsWrong(t *testing.T) {
	c := fakeClient(t, func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	var he *deploy.HintError
	if err := c.Check(context.Background()); !errors.As(err, &he) || !strings.Contains(err.Error(), "no enqueue API at") ||
		!strings.Contains(he.Hints[0], "without /v1") {
		t.Errorf("404: %v", err)
	}
	c = fakeClient(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>welcome</html>")) })
	if err := c.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "not as NanoMDM's API does") {
		t.Errorf("a web page: %v", err)
	}
	calls := 0
	c = fakeClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		if u, p, _ := r.BasicAuth(); u != "nanomdm" || p != "the-key" || r.URL.Query().Get("nopush") != "1" {
			t.Errorf("check sent %q:%q %s", u, p, r.URL)
		}
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"command_error": "getting enrollment ids: empty path"}`))
	})
	if err := c.Check(context.Background()); err != nil || calls != 1 {
		t.Errorf("NanoMDM's refusal is a pass: %v after %d calls", err, calls)
	}
}

// TestTransportErrorsBounded: an unreachable server is retried four times,
// and the error never shows the key.
func TestTransportErrorsBounded(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u, _ := url.Parse(srv.URL)
	srv.Close()
	c := NewClient(Config{URL: u, APIKey: "the-key"}, nil)
	var slept []time.Duration
	c.sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	_, err := c.enqueue(context.Background(), []string{"A"}, "U", []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "did not answer after 4 attempts") || strings.Contains(err.Error(), "the-key") {
		t.Fatalf("got %v", err)
	}
	if len(slept) != 3 || c.writes != 4 {
		t.Errorf("slept %v, %d requests", slept, c.writes)
	}
	for i, d := range slept {
		if hi := 250 * time.Millisecond << (i + 1); d < hi/2 || d >= hi {
			t.Errorf("wait %d is %v, want in [%v, %v)", i+1, d, hi/2, hi)
		}
	}
}

// TestAnswers: NanoMDM's per-enrollment errors, a duplicate of the command
// and an error it gives are told apart; its answer is not retried.
func TestAnswers(t *testing.T) {
	for name, tc := range map[string]struct {
		status         int
		body           string
		ok, refused    int
		err, pushError string
	}{
		"queued":        {200, `{"command_uuid": "U", "no_push": true}`, 2, 0, "", ""},
		"some refused":  {207, `{"status": {"B": {"command_error": "nope"}}}`, 1, 1, "", ""},
		"push failed":   {500, `{"push_error": "no push certificate"}`, 2, 0, "", "no push certificate"},
		"already there": {500, `{"command_error": "command already exists: U"}`, 2, 0, "", ""},
		"mysql dup":     {500, `{"command_error": "Error 1062 (23000): Duplicate entry 'U' for key 'commands.PRIMARY'"}`, 2, 0, "", ""},
		"refused":       {500, `{"command_error": "decoding command: bad"}`, 0, 0, "NanoMDM refused the command for enrollments A, B: decoding command: bad", ""},
		"other status":  {400, `bad`, 0, 0, "NanoMDM answered 400 Bad Request", ""},
	} {
		t.Run(name, func(t *testing.T) {
			calls := 0
			c := fakeClient(t, func(w http.ResponseWriter, r *http.Request) {
				calls++
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			})
			q, err := c.enqueue(context.Background(), []string{"A", "B"}, "U", []byte("x"))
			if calls != 1 {
				t.Errorf("%d requests", calls)
			}
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Errorf("want %q, got %v", tc.err, err)
				}
				return
			}
			if err != nil || len(q.ok) != tc.ok || len(q.refused) != tc.refused || q.pushError != tc.pushError {
				t.Errorf("got %+v %v", q, err)
			}
		})
	}
}
