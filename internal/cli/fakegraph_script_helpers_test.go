package cli

import (
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/fakegraph"
)

func TestFakeGraphCheckWrites(t *testing.T) {
	log := []fakegraph.Request{
		{Method: "GET", Path: "/v1.0/groups", Status: 200},
		{Method: "POST", Path: "/beta/deviceManagement/deviceConfigurations", Status: 201, Write: true},
		{Method: "PATCH", Path: "/beta/deviceManagement/deviceConfigurations/x", Status: 429, Write: true, Fault: "throttle"},
	}
	for _, c := range []struct {
		want int
		neg  bool
		ok   bool
	}{{2, false, true}, {1, false, false}, {0, true, true}, {2, true, false}} {
		ok, msg := checkWrites(log, c.want, c.neg)
		if ok != c.ok {
			t.Errorf("checkWrites(%d, neg %v) = %v, want %v", c.want, c.neg, ok, c.ok)
		}
		if !ok && !strings.Contains(msg, "PATCH /beta/deviceManagement/deviceConfigurations/x 429 fault=throttle") {
			t.Errorf("the message does not list the writes: %s", msg)
		}
	}
	if got := formatRequests(log[:1]); got != "GET /v1.0/groups 200\n" {
		t.Errorf("formatRequests = %q", got)
	}
}

func TestFakeGraphCall(t *testing.T) {
	s, err := (&fakegraph.Tenant{Groups: []string{"Sales"}}).Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := callFakeGraph(s, "GET", "/v1.0/groups", nil)
	if err != nil || !strings.HasPrefix(out, "200\n") || !strings.Contains(out, `"Sales"`) {
		t.Errorf("call: %q, %v", out, err)
	}
	out, _ = callFakeGraph(s, "POST", "/beta/deviceManagement/deviceConfigurations", []byte(`{"displayName":"x"}`))
	if !strings.HasPrefix(out, "400\n") || !strings.Contains(out, "Cannot create an abstract class.") {
		t.Errorf("call with a body: %q", out)
	}
}
