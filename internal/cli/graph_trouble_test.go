package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mdmforge/mdmforge/deploy/graph"
	"github.com/mdmforge/mdmforge/internal/fakegraph"
)

// runWithEnv runs mdmforge with exactly env as its environment.
func runWithEnv(env map[string]string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Run(args, &IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(k string) string { return env[k] }})
	return code, out.String(), errb.String()
}

func writePolicy(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "contacts.yaml")
	if err := os.WriteFile(p, []byte(deployPolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPlanUnresolvableGraphFailsAtOnceWithAHint(t *testing.T) {
	if _, err := net.LookupHost("graph.mdmforge-test.invalid"); err == nil {
		t.Skip("the resolver here answers for .invalid")
	} else if de, ok := err.(*net.DNSError); !ok || !de.IsNotFound {
		t.Skipf("the resolver here does not say no such host: %v", err)
	}
	var waits int
	graphSleep = func(context.Context, time.Duration) error { waits++; return nil }
	t.Cleanup(func() { graphSleep = nil })
	env := map[string]string{graphURLEnv: "https://graph.mdmforge-test.invalid", graphTokenEnv: "tok"}
	code, out, errs := runWithEnv(env, "plan", writePolicy(t), "--auth", "token")
	if code != exitTrouble || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	if waits != 0 || strings.Contains(errs, "retrying") || strings.Contains(errs, "gave up") {
		t.Errorf("retried %d times:\n%s", waits, errs)
	}
	if !strings.Contains(errs, "no such host") ||
		!strings.Contains(errs, "mdmforge: hint: Graph did not answer at https://graph.mdmforge-test.invalid: check MDMFORGE_GRAPH_URL") {
		t.Errorf("stderr:\n%s", errs)
	}
}

func TestPlanRefusedGraphPrintsEachRetry(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var waits int
	graphSleep = func(context.Context, time.Duration) error { waits++; return nil }
	t.Cleanup(func() { graphSleep = nil })
	env := map[string]string{graphURLEnv: "http://" + addr, graphTokenEnv: "tok"}
	code, _, errs := runWithEnv(env, "plan", writePolicy(t), "--auth", "token")
	if code != exitTrouble {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	n := strings.Count(errs, "mdmforge: Graph did not answer (connection refused); retrying in ")
	if n != graph.DefaultMaxRetries || waits != graph.DefaultMaxRetries ||
		!strings.Contains(errs, ", attempt 2 of 7\n") || !strings.Contains(errs, ", attempt 7 of 7\n") {
		t.Errorf("%d progress lines, %d waits:\n%s", n, waits, errs)
	}
	if !strings.Contains(errs, "mdmforge: hint: Graph did not answer at http://"+addr+": check MDMFORGE_GRAPH_URL") {
		t.Errorf("no hint:\n%s", errs)
	}
}

func TestPlanWebPageAnsweringHintsGraphURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><head><title>Example Domain</title></head><body></body></html>")
	}))
	t.Cleanup(srv.Close)
	env := map[string]string{graphURLEnv: srv.URL, graphTokenEnv: "tok"}
	code, _, errs := runWithEnv(env, "plan", writePolicy(t), "--auth", "token")
	if code != exitTrouble || !strings.Contains(errs, `the answer is a web page, not Graph's JSON ("Example Domain")`) ||
		!strings.Contains(errs, "mdmforge: hint: is MDMFORGE_GRAPH_URL ("+srv.URL+") a Graph endpoint?") {
		t.Errorf("exit %d\n%s", code, errs)
	}
}

func TestGraphTokenFile(t *testing.T) {
	srv := fakegraph.New(fakegraph.Options{Token: "tok"})
	t.Cleanup(srv.Close)
	srv.AddGroup("Sales-iOS")
	srv.AddApp("iosStoreApp", "Microsoft Outlook", "com.microsoft.Office.Outlook")
	policy := writePolicy(t)
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{graphURLEnv: srv.URL, graph.EnvTokenFile: file}
	if code, _, errs := runWithEnv(env, "plan", policy, "--auth", "token"); code != ExitFailure {
		t.Errorf("token file: exit %d, want 1 (changes)\n%s", code, errs)
	}
	env[graphTokenEnv] = "tok"
	code, _, errs := runWithEnv(env, "plan", policy, "--auth", "token")
	if code != exitTrouble || !strings.Contains(errs, "both MDMFORGE_GRAPH_TOKEN and MDMFORGE_GRAPH_TOKEN_FILE are set: set one") {
		t.Errorf("both set: exit %d\n%s", code, errs)
	}
	if strings.Contains(errs, "tok\n") {
		t.Errorf("the token is printed:\n%s", errs)
	}
	delete(env, graph.EnvTokenFile)
	env[graph.EnvTokenFile] = filepath.Join(t.TempDir(), "missing")
	delete(env, graphTokenEnv)
	if code, _, errs := runWithEnv(env, "plan", policy, "--auth", "token"); code != exitTrouble || !strings.Contains(errs, "MDMFORGE_GRAPH_TOKEN_FILE: open ") {
		t.Errorf("missing file: exit %d\n%s", code, errs)
	}
	if srv.Writes() != 0 {
		t.Errorf("%d writes", srv.Writes())
	}
}

func TestGraphTokenIgnoredWithoutAuthTokenIsNoted(t *testing.T) {
	env := map[string]string{graphTokenEnv: "tok"}
	_, _, errs := runWithEnv(env, "plan", writePolicy(t), "--auth", "github-oidc")
	want := "mdmforge: note: MDMFORGE_GRAPH_TOKEN is set but ignored: --auth github-oidc signs in; add --auth token to send that token instead\n"
	if !strings.Contains(errs, want) || strings.Count(errs, "note:") != 1 {
		t.Errorf("stderr:\n%s", errs)
	}
	_, _, errs = runWithEnv(map[string]string{graphTokenEnv: "tok"}, "plan", writePolicy(t), "--auth", "token")
	if strings.Contains(errs, "note:") {
		t.Errorf("noted with --auth token:\n%s", errs)
	}
}

func TestUnknownAuthKindSaysToLeaveItOut(t *testing.T) {
	code, _, errs := runWithEnv(nil, "plan", writePolicy(t), "--auth", "none")
	if code != ExitUsage || !strings.Contains(errs, "or leave --auth out for DefaultAzureCredential") || strings.Contains(errs, "or none") {
		t.Errorf("exit %d\n%s", code, errs)
	}
}

func TestNoCredentialHintNamesKindsToPick(t *testing.T) {
	tokenErr := &graph.TokenError{Kind: "DefaultAzureCredential", Scope: "https://graph.microsoft.com/.default",
		Err: errors.New("DefaultAzureCredential: failed to acquire a token.\nAttempted credentials:\n\tEnvironmentCredential: missing environment variable AZURE_TENANT_ID")}
	o := &deployOptions{IO: &IO{Getenv: func(string) string { return "" }}}
	var ee *exitError
	if !errors.As(o.fail(tokenErr), &ee) || len(ee.hints) != 1 {
		t.Fatalf("hints: %v", ee)
	}
	for _, want := range []string{"after 'az login', --auth azure-cli", "--auth device-code", "--auth github-oidc"} {
		if !strings.Contains(ee.hints[0], want) {
			t.Errorf("hint %q lacks %q", ee.hints[0], want)
		}
	}
	o.Graph.Auth = "env"
	if !errors.As(o.fail(tokenErr), &ee) || len(ee.hints) != 1 || !strings.Contains(ee.hints[0], "check the --auth kind") {
		t.Errorf("with --auth env: %v", ee.hints)
	}
}

// TestDeployHelpIsTrueForEveryTarget pins what the trial found wrong: the
// help spoke of Intune alone where --target picks another MDM.
func TestDeployHelpIsTrueForEveryTarget(t *testing.T) {
	_, plan, _ := runWithEnv(nil, "plan", "--help")
	_, apply, _ := runWithEnv(nil, "apply", "--help")
	for _, bad := range []string{"for target intune", "it only reads the tenant", "Make the Intune tenant"} {
		if strings.Contains(plan, bad) || strings.Contains(apply, bad) {
			t.Errorf("help says %q", bad)
		}
	}
	for _, want := range []string{"for the --target MDM", "For Intune it only\nreads the tenant", "dry-run POST"} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan --help lacks %q", want)
		}
	}
}
