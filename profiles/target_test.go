package profiles

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/golden"
)

// TestTargetRendering pins how each MDM's variables are written, from one
// policy; refresh with go test ./profiles -update.
func TestTargetRendering(t *testing.T) {
	policies, ds := Load("../testdata/policies/targets.yaml")
	if ds.Errors() > 0 {
		t.Fatal(ds)
	}
	p := policies[0]
	for _, target := range targets {
		t.Run(string(target), func(t *testing.T) {
			ds := p.CheckTarget(target)
			out, err := p.Mobileconfig(Options{Target: target})
			if target == Generic || target == NanoMDM {
				if err == nil || ds.Errors() != 3 || !strings.Contains(ds[0].Message, "fills in no variables") {
					t.Fatalf("%s must refuse variables, got %v / %v", target, err, ds)
				}
				if target == NanoMDM && !strings.Contains(ds[0].Message, "--roster (its enrollment_id column") {
					t.Errorf("nanomdm's refusal must point at per-user builds, got %v", ds[0].Message)
				}
				return
			}
			if err != nil || len(ds) > 0 {
				t.Fatalf("%v %v", err, ds)
			}
			want := filepath.Join("..", "testdata", "golden", "targets", string(target)+".mobileconfig")
			golden.Check(t, want, out)
			if !bytes.Contains(out, []byte("a literal ${user.email} stays as written &amp; escaped")) {
				t.Errorf("escaped literal or XML escaping lost:\n%s", out)
			}
		})
	}
}

func TestCheckTargetPositions(t *testing.T) {
	src := "version: 1\nprofile: {name: t, identifier: com.example.t}\nexchange:\n  auth: oauth\n  username: x-${user.upn}\n" +
		"payloads:\n  - name: w\n    type: com.apple.wifi.managed\n    keys:\n      SSID_STR: ${device.udid}\n"
	p, ds := Decode("t.yaml", []byte(src))
	if ds.Errors() > 0 {
		t.Fatal(ds)
	}
	ds = p.CheckTarget(Intune)
	if ds.Errors() != 1 || !strings.Contains(ds.String(), "error: payloads[0].keys.SSID_STR: ${device.udid} has no equivalent in intune (it has ${user.email}") ||
		!strings.Contains(ds.String(), "t.yaml:10:7") {
		t.Errorf("intune lacks ${device.udid}; got %v", ds)
	}
	if ds = p.CheckTarget(Kandji); ds.Errors() != 1 || !strings.Contains(ds.String(), "exchange.username: ${user.upn} has no equivalent in kandji") ||
		!strings.Contains(ds.String(), "t.yaml:5:15") {
		t.Errorf("kandji lacks ${user.upn}; got %v", ds)
	}
}

// TestBadVariableReportedOnce: Validate owns misspelt references, in the
// typed settings and in Apple keys alike; CheckTarget reports only what the
// target lacks, and nothing at all when the policy's target: is not one.
func TestBadVariableReportedOnce(t *testing.T) {
	src := "version: 1\ntarget: intnue\nprofile: {name: t, identifier: com.example.t}\nexchange:\n  auth: oauth\n  username: ${user.upn}\n  email: ${user.emial}\n" +
		"payloads:\n  - name: w\n    type: com.apple.wifi.managed\n    keys:\n      SSID_STR: ${device.udidd}\n"
	p, ds := Decode("t.yaml", []byte(src))
	if ds.Errors() > 0 {
		t.Fatal(ds)
	}
	ds = p.Validate()
	got := ds.String()
	for _, want := range []string{"exchange.email: unknown variable ${user.emial}", "payloads[0].keys.SSID_STR: unknown variable ${device.udidd}", `target: "intnue" is not a target`} {
		if strings.Count(got, want) != 1 {
			t.Errorf("want %q once, got\n%s", want, got)
		}
	}
	if ds := p.CheckTarget(p.TargetFor("")); len(ds) > 0 {
		t.Errorf("a bad target: must add nothing, got\n%v", ds)
	}
	if ds := p.CheckTarget(Jamf); len(ds) != 0 {
		t.Errorf("jamf has ${user.upn}; misspelt ones are Validate's: got\n%v", ds)
	}
}
