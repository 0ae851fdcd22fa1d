package cli

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/mdmforge/mdmforge/internal/fakegraph"
	"github.com/rogpeppe/go-internal/testscript"
)

// fakeGraphs holds each script's fake Graph: it lives in the test process,
// and mdmforge, run by exec, reaches it through MDMFORGE_GRAPH_URL.
var fakeGraphs sync.Map // *testscript.TestScript → *fakegraph.Server

const fakeGraphUsage = `usage: fakegraph start [SEEDFILE] | state | requests | writes N | reset | deny STATUS | deny-writes STATUS | call METHOD PATH [BODYFILE]`

// fakegraph drives the script's fake Microsoft Graph (internal/fakegraph):
//
//	fakegraph start [SEEDFILE]   start it, seeded from a JSON file (fakegraph.Tenant),
//	                             and set MDMFORGE_GRAPH_URL and MDMFORGE_GRAPH_TOKEN
//	fakegraph state              print the tenant's canonical state
//	fakegraph requests           print the request log, one "METHOD PATH STATUS" a line
//	fakegraph writes N           assert N write requests since start or reset (! negates)
//	fakegraph reset              forget the request log
//	fakegraph deny STATUS        answer every later request 401 or 403; 0 stops
//	fakegraph deny-writes STATUS answer every later write 401 or 403, reads as usual; 0 stops
//	fakegraph call METHOD PATH [BODYFILE]
//	                             send one request as a client would; print the status
//	                             line and the answer (the log records it too)
func cmdFakeGraph(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("%s", fakeGraphUsage)
	}
	verb, args := args[0], args[1:]
	if verb == "start" {
		if neg || len(args) > 1 {
			ts.Fatalf("usage: fakegraph start [SEEDFILE]")
		}
		if _, ok := fakeGraphs.Load(ts); ok {
			ts.Fatalf("fakegraph: already started")
		}
		s, err := startFakeGraph(ts, args)
		ts.Check(err)
		fakeGraphs.Store(ts, s)
		ts.Defer(func() {
			s.Close()
			fakeGraphs.Delete(ts)
		})
		ts.Setenv("MDMFORGE_GRAPH_URL", s.URL)
		ts.Setenv("MDMFORGE_GRAPH_TOKEN", s.Token())
		return
	}
	v, ok := fakeGraphs.Load(ts)
	if !ok {
		ts.Fatalf("fakegraph %s: no fake Graph: run fakegraph start first", verb)
	}
	s := v.(*fakegraph.Server)
	if verb != "writes" && neg {
		ts.Fatalf("fakegraph %s does not take !", verb)
	}
	switch verb {
	case "state":
		if len(args) != 0 {
			ts.Fatalf("usage: fakegraph state")
		}
		ts.Stdout().Write(s.State())
	case "requests":
		if len(args) != 0 {
			ts.Fatalf("usage: fakegraph requests")
		}
		io.WriteString(ts.Stdout(), formatRequests(s.Requests()))
	case "writes":
		if len(args) != 1 {
			ts.Fatalf("usage: fakegraph writes N")
		}
		want, err := strconv.Atoi(args[0])
		ts.Check(err)
		if ok, msg := checkWrites(s.Requests(), want, neg); !ok {
			ts.Fatalf("%s", msg)
		}
	case "reset":
		s.ResetLog()
	case "deny", "deny-writes":
		if len(args) != 1 {
			ts.Fatalf("usage: fakegraph %s STATUS", verb)
		}
		status, err := strconv.Atoi(args[0])
		ts.Check(err)
		if status != 0 && status != http.StatusUnauthorized && status != http.StatusForbidden {
			ts.Fatalf("fakegraph %s: status %d is not 401, 403 or 0", verb, status)
		}
		if verb == "deny" {
			s.Deny(status)
		} else {
			s.DenyWrites(status)
		}
	case "call":
		if len(args) < 2 || len(args) > 3 {
			ts.Fatalf("usage: fakegraph call METHOD PATH [BODYFILE]")
		}
		var body []byte
		if len(args) == 3 {
			body = []byte(ts.ReadFile(args[2]))
		}
		out, err := callFakeGraph(s, args[0], args[1], body)
		ts.Check(err)
		io.WriteString(ts.Stdout(), out)
	default:
		ts.Fatalf("%s", fakeGraphUsage)
	}
}

func startFakeGraph(ts *testscript.TestScript, args []string) (*fakegraph.Server, error) {
	t := &fakegraph.Tenant{}
	if len(args) == 1 {
		b, err := os.ReadFile(ts.MkAbs(args[0]))
		if err != nil {
			return nil, err
		}
		if t, err = fakegraph.ParseTenant(b); err != nil {
			return nil, err
		}
	}
	return t.Start()
}

// formatRequests writes the log one request a line: METHOD PATH STATUS,
// and the fault if one was injected.
func formatRequests(log []fakegraph.Request) string {
	var b strings.Builder
	for _, r := range log {
		b.WriteString(r.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// checkWrites compares the writes of log with want; with neg, they must
// differ. The message lists the writes, which is what one needs to see.
func checkWrites(log []fakegraph.Request, want int, neg bool) (bool, string) {
	var writes []fakegraph.Request
	for _, r := range log {
		if r.Write {
			writes = append(writes, r)
		}
	}
	if (len(writes) == want) != neg {
		return true, ""
	}
	op := "want"
	if neg {
		op = "want other than"
	}
	return false, fmt.Sprintf("fakegraph: %d writes, %s %d:\n%s", len(writes), op, want, formatRequests(writes))
}

// callFakeGraph sends one request with the server's token to path (or to
// an absolute URL, so a script can check MDMFORGE_GRAPH_URL) and returns
// the status on a line and the answer's body.
func callFakeGraph(s *fakegraph.Server, method, path string, body []byte) (string, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	url := path
	if !strings.HasPrefix(path, "http://") {
		url = s.URL + path
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return "", err
	}
	tok := s.Token()
	if tok == "" {
		tok = "any" // the server takes any non-empty token
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d\n%s", resp.StatusCode, b), nil
}
