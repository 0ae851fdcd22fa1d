package fakegraph

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestEachFault(t *testing.T) {
	for _, c := range []struct {
		fault      Fault
		status     int
		retryAfter string
	}{
		{Throttle, 429, "1"},
		{ThrottleBare, 429, ""},
		{Internal, 500, ""},
		{Unavailable, 503, ""},
	} {
		t.Run(string(c.fault), func(t *testing.T) {
			s := newServer(t, Options{Faults: Faults{Rate: 1, Kinds: []Fault{c.fault}}})
			status, b, h := raw(t, s, "POST", configs, customProfile("P"), token)
			if status != c.status || h.Get("Retry-After") != c.retryAfter || h.Get("request-id") == "" {
				t.Errorf("%d Retry-After %q: %s", status, h.Get("Retry-After"), b)
			}
			if n := len(s.Objects(pathDeviceConfigurations)); n != 0 {
				t.Errorf("a %s fault committed the write", c.fault)
			}
			if r := s.Requests(); len(r) != 1 || r[0].Fault != string(c.fault) || r[0].Status != c.status {
				t.Errorf("log: %v", r)
			}
		})
	}
}

func TestDropAfterCommit(t *testing.T) {
	s := newServer(t, Options{Faults: Faults{Rate: 1, Kinds: []Fault{DropAfterCommit}}})
	req, _ := http.NewRequest("POST", s.URL+configs, bytes.NewReader(mustJSON(t, customProfile("P"))))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client().Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got an answer %d, want the connection dropped", resp.StatusCode)
	}
	objs := s.Objects(pathDeviceConfigurations)
	if len(objs) != 1 || objs[0]["displayName"] != "P" {
		t.Errorf("the write was not committed before the drop: %v", objs)
	}
	if r := s.Requests(); len(r) != 1 || r[0].Status != http.StatusCreated || r[0].Fault != string(DropAfterCommit) {
		t.Errorf("log: %v", r)
	}
}

func TestSlow(t *testing.T) {
	s := newServer(t, Options{Faults: Faults{Rate: 1, Kinds: []Fault{Slow}, Delay: time.Hour}})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", s.URL+configs, bytes.NewReader(mustJSON(t, customProfile("P"))))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	_, err := s.Client().Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the client's time-out", err)
	}
	if n := len(s.Objects(pathDeviceConfigurations)); n != 1 {
		t.Errorf("a slow answer's write is committed before the wait: %d objects", n)
	}
	fast := newServer(t, Options{Faults: Faults{Rate: 1, Kinds: []Fault{Slow}, Delay: time.Millisecond}})
	if status, _ := call(t, fast, "GET", configs, nil); status != http.StatusOK {
		t.Errorf("slow answer within the time-out: %d", status)
	}
}

// The same seed gives the same faults on the same requests; another
// seed, others.
func TestFaultsReproducible(t *testing.T) {
	run := func(seed int64) string {
		s := newServer(t, Options{Faults: Faults{Seed: seed, Rate: 0.5, Kinds: []Fault{Throttle, Internal, Unavailable, ThrottleBare}}})
		for range 40 {
			raw(t, s, "GET", configs, nil, token)
		}
		var b strings.Builder
		for _, r := range s.Requests() {
			b.WriteString(r.Fault + ",")
		}
		return b.String()
	}
	a, b, c := run(7), run(7), run(8)
	if a != b {
		t.Errorf("seed 7 twice:\n%s\n%s", a, b)
	}
	if a == c {
		t.Errorf("seeds 7 and 8 gave the same faults: %s", a)
	}
	if n := strings.Count(a, ",,"); n == 0 || n == 39 || !strings.Contains(a, "throttle") {
		t.Errorf("rate 0.5 gave implausible faults: %s", a)
	}
}

func TestParseFault(t *testing.T) {
	for _, f := range AllFaults {
		if got, err := ParseFault(string(f)); err != nil || got != f {
			t.Errorf("ParseFault(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := ParseFault("boom"); err == nil || !strings.Contains(err.Error(), "drop-after-commit") {
		t.Errorf("ParseFault(boom): %v", err)
	}
}

func TestState(t *testing.T) {
	build := func(extra bool) *Server {
		s := newServer(t, Options{})
		if extra {
			s.AddGroup("unrelated") // shifts every later id
		}
		g := s.AddGroup("Sales")
		app := s.AddApp("iosVppApp", "Outlook", outlookBundle)
		_, o := call(t, s, "POST", configs, customProfile("P"))
		call(t, s, "PATCH", configs+"/"+o["id"].(string), map[string]any{"@odata.type": "#microsoft.graph.iosCustomConfiguration", "displayName": "Q"})
		call(t, s, "POST", configs+"/"+o["id"].(string)+"/assign", map[string]any{"assignments": []any{
			map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": g}}}})
		call(t, s, "POST", mobileAppConfigs, map[string]any{"@odata.type": "#microsoft.graph.iosMobileAppConfiguration", "displayName": "M", "targetedMobileApps": []any{app}})
		call(t, s, "POST", compliance, compliancePolicy(1))
		return s
	}
	a, b := build(false).State(), build(true).State()
	if !bytes.Equal(a, b) {
		t.Errorf("the same tenant reached with other ids gave another State:\n%s\n%s", a, b)
	}
	for _, want := range []string{`"group": "Sales"`, `"app:com.microsoft.Office.Outlook"`, `"displayName": "Q"`, `scheduledActionsForRule`} {
		if !strings.Contains(string(a), want) {
			t.Errorf("State lacks %s:\n%s", want, a)
		}
	}
	for _, server := range []string{"createdDateTime", "lastModifiedDateTime", `"version"`, `"id"`} {
		if strings.Contains(string(a), server) {
			t.Errorf("State holds server-set %s:\n%s", server, a)
		}
	}
	c := build(false)
	call(t, c, "POST", configs, customProfile("P"))
	if bytes.Equal(a, c.State()) {
		t.Errorf("a duplicate object did not change State")
	}
}

func TestSeed(t *testing.T) {
	s := newServer(t, Options{})
	g := s.AddGroup("Sales")
	id := s.Seed("beta", pathDeviceConfigurations, map[string]any{
		"@odata.type": "#microsoft.graph.iosCustomConfiguration", "displayName": "Existing", "payload": "cA==",
		"assignments": []any{map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": g}}},
	})
	objs := s.Objects(pathDeviceConfigurations)
	if len(objs) != 1 || objs[0]["id"] != id || objs[0]["displayName"] != "Existing" || objs[0]["version"] != 1 {
		t.Fatalf("Objects: %v", objs)
	}
	_, m := call(t, s, "GET", configs+"/"+id+"/assignments", nil)
	if len(m["value"].([]any)) != 1 {
		t.Errorf("seeded assignments: %v", m)
	}
}

// A request refused before its fault struck logs no fault.
func TestFaultAfterRefusal(t *testing.T) {
	s := newServer(t, Options{Faults: Faults{Rate: 1, Kinds: []Fault{Internal}}})
	if status, _, _ := raw(t, s, "GET", configs, nil, ""); status != http.StatusUnauthorized {
		t.Fatalf("no token: %d", status)
	}
	if r := s.Requests(); r[0].Fault != "" {
		t.Errorf("log: %v", r)
	}
}

func TestWriteLimit(t *testing.T) {
	s := newServer(t, Options{WriteLimit: 3, WriteWindow: time.Hour})
	for i := range 3 {
		if status, m := call(t, s, "POST", configs, customProfile(string(rune('A'+i)))); status != http.StatusCreated {
			t.Fatalf("write %d: %d %v", i, status, m)
		}
	}
	if status, _ := call(t, s, "GET", configs, nil); status != http.StatusOK {
		t.Errorf("a read counted against the write limit: %d", status)
	}
	status, b, h := raw(t, s, "POST", configs, customProfile("D"), token)
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(string(b), "limit is 3 per 1h0m0s") {
		t.Errorf("fourth write: %d Retry-After %q %s", status, h.Get("Retry-After"), b)
	}
	if n, _ := strconv.Atoi(h.Get("Retry-After")); n < 3500 || n > 3600 {
		t.Errorf("Retry-After %d, want the time until the first write leaves the hour", n)
	}
	if r := s.Requests(); r[len(r)-1].Fault != "write-limit" || len(s.Objects(DeviceConfigurations)) != 3 {
		t.Errorf("a refused write was committed or not logged: %v", r)
	}
}
