package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/mdmforge/mdmforge/internal/nanomdmtest"
	"github.com/rogpeppe/go-internal/testscript"
)

// nanoServers holds each script's NanoMDM.
var nanoServers sync.Map // *testscript.TestScript → *nanoScript

type nanoScript struct {
	srv     *nanomdmtest.Server
	devices []*nanomdmtest.Device
}

const nanomdmUsage = `usage:
  nanomdm start N         start a real NanoMDM in process with N enrolled devices; sets
                          MDMFORGE_NANOMDM_URL, MDMFORGE_NANOMDM_API_KEY, MDMFORGE_NANOMDM_NOPUSH=1
                          and DEVICE1…DEVICEn to their enrollment ids
  nanomdm subst FILE...   replace @DEVICE1@… in the files with the enrollment ids
  nanomdm next I [FILE]   device I reports Idle and acknowledges what it gets: prints its
                          RequestType (or "none"), and writes an InstallProfile's Payload to FILE
  [!] nanomdm enqueues N  NanoMDM saw N enqueue requests naming enrollments`

// cmdNanoMDM drives a real NanoMDM (internal/nanomdmtest) from scripts.
func cmdNanoMDM(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("%s", nanomdmUsage)
	}
	verb, args := args[0], args[1:]
	if verb != "enqueues" && neg {
		ts.Fatalf("nanomdm %s does not take !", verb)
	}
	if verb == "start" {
		n, err := strconv.Atoi(strings.Join(args, ""))
		if err != nil || len(args) != 1 {
			ts.Fatalf("usage: nanomdm start N")
		}
		s := &nanoScript{srv: nanomdmtest.New(nanomdmtest.Options{})}
		ts.Defer(func() { s.srv.Close(); nanoServers.Delete(ts) })
		for i := range n {
			d, err := s.srv.Enroll()
			ts.Check(err)
			s.devices = append(s.devices, d)
			ts.Setenv(fmt.Sprintf("DEVICE%d", i+1), d.ID())
		}
		nanoServers.Store(ts, s)
		ts.Setenv("MDMFORGE_NANOMDM_URL", s.srv.URL)
		ts.Setenv("MDMFORGE_NANOMDM_API_KEY", nanomdmtest.APIKey)
		ts.Setenv("MDMFORGE_NANOMDM_NOPUSH", "1")
		return
	}
	v, ok := nanoServers.Load(ts)
	if !ok {
		ts.Fatalf("nanomdm %s: run nanomdm start first", verb)
	}
	s := v.(*nanoScript)
	switch verb {
	case "subst":
		for _, f := range args {
			data, err := os.ReadFile(ts.MkAbs(f))
			ts.Check(err)
			text := string(data)
			for i, d := range s.devices {
				text = strings.ReplaceAll(text, fmt.Sprintf("@DEVICE%d@", i+1), d.ID())
			}
			ts.Check(os.WriteFile(ts.MkAbs(f), []byte(text), 0o644))
		}
	case "next":
		if len(args) < 1 || len(args) > 2 {
			ts.Fatalf("usage: nanomdm next I [FILE]")
		}
		i, err := strconv.Atoi(args[0])
		if err != nil || i < 1 || i > len(s.devices) {
			ts.Fatalf("nanomdm next: no device %s", args[0])
		}
		cmd, err := s.devices[i-1].Next()
		ts.Check(err)
		if cmd == nil {
			fmt.Fprintln(ts.Stdout(), "none")
			return
		}
		fmt.Fprintln(ts.Stdout(), strings.TrimSpace(cmd.RequestType+" "+cmd.Identifier))
		if len(args) == 2 {
			ts.Check(os.WriteFile(ts.MkAbs(args[1]), cmd.Payload, 0o644))
		}
	case "enqueues":
		n, err := strconv.Atoi(strings.Join(args, ""))
		if err != nil || len(args) != 1 {
			ts.Fatalf("usage: nanomdm enqueues N")
		}
		if got := s.srv.Enqueues(); (got == n) == neg {
			ts.Fatalf("NanoMDM saw %d enqueue requests, want %s%d", got, map[bool]string{true: "not ", false: ""}[neg], n)
		}
	default:
		ts.Fatalf("%s", nanomdmUsage)
	}
}
