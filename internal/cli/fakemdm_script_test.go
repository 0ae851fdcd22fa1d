package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"

	"github.com/mdmforge/mdmforge/internal/fakemdm"
	"github.com/rogpeppe/go-internal/testscript"
)

// fakeMDMs holds each script's fake Jamf Pro, Fleet or Kandji.
var fakeMDMs sync.Map // *testscript.TestScript → *fakeMDM

type fakeMDM struct {
	srv      *httptest.Server
	writes   func() int
	profiles func() []string
	deny     func(status int)
}

const fakeMDMUsage = `usage: fakemdm start jamf|fleet|kandji [GROUP...] | profiles | writes N | deny 403|0`

// fakemdm drives the script's fake MDM (internal/fakemdm):
//
//	fakemdm start jamf|fleet|kandji [GROUP...]
//	                     start it with the groups (Jamf mobile device groups,
//	                     Fleet labels) and set its MDMFORGE_… variables
//	fakemdm profiles     print each stored profile: NAME IDENTIFIER
//	fakemdm writes N     assert N writes carried out since start (! negates)
//	fakemdm deny 403|0   answer every later write 403; 0 stops
func cmdFakeMDM(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("%s", fakeMDMUsage)
	}
	verb, args := args[0], args[1:]
	if verb == "start" {
		if neg || len(args) == 0 {
			ts.Fatalf("%s", fakeMDMUsage)
		}
		f := startFakeMDM(ts, args[0], args[1:])
		fakeMDMs.Store(ts, f)
		ts.Defer(func() {
			f.srv.Close()
			fakeMDMs.Delete(ts)
		})
		return
	}
	v, ok := fakeMDMs.Load(ts)
	if !ok {
		ts.Fatalf("fakemdm %s: run fakemdm start first", verb)
	}
	f := v.(*fakeMDM)
	switch verb {
	case "profiles":
		for _, p := range f.profiles() {
			fmt.Fprintln(ts.Stdout(), p)
		}
	case "writes":
		if len(args) != 1 {
			ts.Fatalf("usage: fakemdm writes N")
		}
		want, err := strconv.Atoi(args[0])
		ts.Check(err)
		if got := f.writes(); (got == want) == neg {
			ts.Fatalf("fakemdm: %d writes, want %s%d", got, map[bool]string{true: "not ", false: ""}[neg], want)
		}
	case "deny":
		status, err := strconv.Atoi(strings.Join(args, ""))
		ts.Check(err)
		f.deny(status)
	default:
		ts.Fatalf("%s", fakeMDMUsage)
	}
}

func denyWrites(status int) func(r *http.Request) bool {
	if status == 0 {
		return nil
	}
	return func(r *http.Request) bool { return r.Method != http.MethodGet }
}

func startFakeMDM(ts *testscript.TestScript, kind string, groups []string) *fakeMDM {
	switch kind {
	case "jamf":
		var gs []fakemdm.JamfGroup
		for i, g := range groups {
			gs = append(gs, fakemdm.JamfGroup{ID: i + 1, Name: g})
		}
		j := fakemdm.NewJamf("script-client", "script-secret", gs...)
		srv := httptest.NewServer(j)
		ts.Setenv("MDMFORGE_JAMF_URL", srv.URL)
		ts.Setenv("MDMFORGE_JAMF_CLIENT_ID", "script-client")
		ts.Setenv("MDMFORGE_JAMF_CLIENT_SECRET", "script-secret")
		return &fakeMDM{srv: srv, writes: func() int { return j.Writes() },
			profiles: func() []string {
				var out []string
				for _, p := range j.Profiles() {
					m := p.Description[strings.LastIndex(p.Description, "\n")+1:]
					out = append(out, p.Name+" "+m)
				}
				return out
			},
			deny: func(s int) { j.SetDeny(denyWrites(s)) }}
	case "fleet":
		f := fakemdm.NewFleet("script-token", groups)
		srv := httptest.NewServer(f)
		ts.Setenv("MDMFORGE_FLEET_URL", srv.URL)
		ts.Setenv("MDMFORGE_FLEET_TOKEN", "script-token")
		return &fakeMDM{srv: srv, writes: func() int { return f.Writes() },
			profiles: func() []string {
				var out []string
				for _, p := range f.Profiles() {
					out = append(out, p.Name+" "+p.Identifier)
				}
				return out
			},
			deny: func(s int) { f.SetDeny(denyWrites(s)) }}
	case "kandji":
		k := fakemdm.NewKandji("script-token")
		srv := httptest.NewServer(k)
		ts.Setenv("MDMFORGE_KANDJI_URL", srv.URL)
		ts.Setenv("MDMFORGE_KANDJI_TOKEN", "script-token")
		return &fakeMDM{srv: srv, writes: func() int { return k.Writes() },
			profiles: func() []string {
				var out []string
				for _, p := range k.Profiles() {
					out = append(out, p.Name+" "+p.MDMIdentifier)
				}
				return out
			},
			deny: func(s int) { k.SetDeny(denyWrites(s)) }}
	}
	ts.Fatalf("fakemdm start: no MDM %q: jamf, fleet or kandji", kind)
	return nil
}
