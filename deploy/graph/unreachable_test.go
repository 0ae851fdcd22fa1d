package graph

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// unusedPort is a loopback address nothing listens on: connections to it
// are refused.
func unusedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestUnresolvableHostFailsAtOnce(t *testing.T) {
	clk := newClock()
	var progress strings.Builder
	c := New(Options{BaseURL: "https://graph.mdmforge-test.invalid", Credential: fakeCred{},
		Sleep: clk.Sleep, Now: clk.Now, Seed: 1, Progress: &progress})
	err := c.Do(context.Background(), Request{Version: "v1.0", Path: "groups", Object: "groups"}, nil)
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsNotFound {
		t.Skipf("the resolver here does not answer no such host for .invalid: %v", err)
	}
	if st := c.Stats(); st.Requests != 1 || st.Retries != 0 || len(clk.Sleeps()) != 0 {
		t.Errorf("stats %+v, sleeps %v; want one attempt and no wait", st, clk.Sleeps())
	}
	if !Unreachable(err) || OutcomeUnknown(err) {
		t.Errorf("Unreachable = %v, OutcomeUnknown = %v; want true, false", Unreachable(err), OutcomeUnknown(err))
	}
	if strings.Contains(err.Error(), "gave up") || progress.Len() != 0 {
		t.Errorf("err = %v; progress %q", err, progress.String())
	}
}

func TestRefusedConnectionIsRetriedWithAProgressLineEach(t *testing.T) {
	clk := newClock()
	var progress strings.Builder
	c := New(Options{BaseURL: "http://" + unusedPort(t), Credential: fakeCred{}, MaxRetries: 3,
		Sleep: clk.Sleep, Now: clk.Now, Seed: 1, Progress: &progress})
	err := c.Do(context.Background(), Request{Version: "v1.0", Path: "groups", Object: "groups"}, nil)
	if !Unreachable(err) || !strings.Contains(err.Error(), "gave up after 4 attempts") {
		t.Fatalf("err = %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(progress.String(), "\n"), "\n")
	sleeps := clk.Sleeps()
	if len(lines) != 3 || len(sleeps) != 3 {
		t.Fatalf("progress %q after %d sleeps; want 3 lines", progress.String(), len(sleeps))
	}
	for i, l := range lines {
		want := "mdmforge: Graph did not answer (connection refused); retrying in " +
			sleeps[i].Round(100e6).String() + ", attempt " + string(rune('2'+i)) + " of 4"
		if l != want {
			t.Errorf("line %d = %q\nwant     %q", i, l, want)
		}
	}
}

func TestProgressIsOptional(t *testing.T) {
	clk := newClock()
	c := New(Options{BaseURL: "http://" + unusedPort(t), Credential: fakeCred{}, MaxRetries: 1, Sleep: clk.Sleep, Now: clk.Now})
	if err := c.Do(context.Background(), Request{Version: "v1.0", Path: "groups"}, nil); !Unreachable(err) {
		t.Fatalf("err = %v", err)
	}
}

func TestWebPageAnsweringIsNotGraph(t *testing.T) {
	page := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html>\n<html><head><title>Example Domain</title></head><body>hi</body></html>")
	}
	s := &script{steps: []http.HandlerFunc{page}}
	c, _ := testClient(t, s, nil)
	_, err := c.List(context.Background(), Request{Version: "v1.0", Path: "groups", Object: "groups"})
	if !NotGraph(err) || !strings.Contains(err.Error(), `the answer is a web page, not Graph's JSON ("Example Domain")`) {
		t.Errorf("List: err = %v", err)
	}
	var out map[string]any
	err = c.Do(context.Background(), Request{Version: "v1.0", Path: "groups/1"}, &out)
	if !NotGraph(err) || !strings.Contains(err.Error(), "web page") {
		t.Errorf("Do: err = %v", err)
	}
	// JSON that is not the shape expected is not a web page.
	s2 := &script{steps: []http.HandlerFunc{ok(`{"value": 3}`)}}
	c2, _ := testClient(t, s2, nil)
	_, err = c2.List(context.Background(), Request{Version: "v1.0", Path: "groups"})
	if !NotGraph(err) || strings.Contains(err.Error(), "web page") || !strings.Contains(err.Error(), "not a JSON collection") {
		t.Errorf("List of bad JSON: err = %v", err)
	}
}
