package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/fakegraph"
)

const deployPolicy = `version: 1
target: intune
profile:
  name: contacts
  identifier: com.example.mdm.contacts
  display_name: Work Contacts
  organization: Example Corp
  min_ios: "13.0"
exchange:
  account_name: Work Contacts
  host: outlook.office365.com
  email: ${user.email}
  username: ${user.upn}
  auth: oauth
  sync: [contacts]
  users_can_change_sync: false
  ssl: true
restrictions:
  allowOpenFromManagedToUnmanaged: false
outlook:
  save_contacts: false
  users_can_change_save_contacts: false
assignments:
  include: [Sales-iOS]
`

// fakeTenant is a fake Graph with the group and app deployPolicy needs,
// and streams whose environment points at it.
func fakeTenant(t *testing.T) (*fakegraph.Server, func(args ...string) (int, string, string)) {
	t.Helper()
	srv := fakegraph.New(fakegraph.Options{Token: "tok"})
	t.Cleanup(srv.Close)
	srv.AddGroup("Sales-iOS")
	srv.AddApp("iosStoreApp", "Microsoft Outlook", "com.microsoft.Office.Outlook")
	env := map[string]string{graphURLEnv: srv.URL, graphTokenEnv: "tok"}
	return srv, func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(args, &IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(k string) string { return env[k] }})
		return code, out.String(), errb.String()
	}
}

func TestPlanApplyRoundTrip(t *testing.T) {
	srv, mdm := fakeTenant(t)
	dir := t.TempDir()
	policy := filepath.Join(dir, "contacts.yaml")
	if err := os.WriteFile(policy, []byte(deployPolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := mdm("plan", policy, "--auth", "token")
	if code != 1 || !strings.Contains(out, "create") {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, errs)
	}
	if srv.Writes() != 0 {
		t.Errorf("plan wrote %d times", srv.Writes())
	}
	code, out, errs = mdm("apply", policy, "--auth", "token")
	if code != 0 || !strings.Contains(out, "applied: ") {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = mdm("plan", policy, "--auth", "token")
	if code != 0 {
		t.Fatalf("plan after apply: exit %d\n%s\n%s", code, out, errs)
	}
	srv.ResetLog()
	code, out, errs = mdm("apply", policy, "--auth", "token")
	if code != 0 || srv.Writes() != 0 || !strings.Contains(out, "(0 writes)") {
		t.Fatalf("second apply: exit %d, %d writes\n%s\n%s", code, srv.Writes(), out, errs)
	}
}

func TestPlanForbiddenNamesThePermission(t *testing.T) {
	srv, mdm := fakeTenant(t)
	policy := filepath.Join(t.TempDir(), "contacts.yaml")
	os.WriteFile(policy, []byte(deployPolicy), 0o644)
	srv.Deny(403)
	code, _, errs := mdm("plan", policy, "--auth", "token")
	if code != 2 || !strings.Contains(errs, "permission Group.Read.All") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if strings.Count(errs, "hint:") != 1 {
		t.Errorf("hints repeated:\n%s", errs)
	}
	if srv.Writes() != 0 {
		t.Errorf("%d writes", srv.Writes())
	}
}

// TestDeployExitCodes pins the codes the testscripts cannot see: plan
// and apply exit 2 on every error, as diff does, since plan's 1 means
// "changes".
func TestDeployExitCodes(t *testing.T) {
	srv, mdm := fakeTenant(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "contacts.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte(deployPolicy), 0o644)
	os.WriteFile(bad, []byte(strings.Replace(deployPolicy, "auth: oauth", "auth: oath", 1)), 0o644)
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"plan", bad, "--auth", "token"}, exitTrouble},
		{[]string{"apply", bad, "--auth", "token"}, exitTrouble},
		{[]string{"plan", good, "--auth", "github-oidc"}, exitTrouble},
		{[]string{"plan", good, "--auth", "nope"}, ExitUsage},
		{[]string{"plan", good, "--format", "yaml"}, ExitUsage},
		{[]string{"apply", good, "--auth", "token", "--plan", bad}, exitTrouble},
		{[]string{"plan", good, "--auth", "token", "--out", filepath.Join(dir, "no", "such", "plan.json")}, exitTrouble},
	} {
		if code, _, errs := mdm(tt.args...); code != tt.code {
			t.Errorf("mdmforge %s: exit %d, want %d\n%s", strings.Join(tt.args, " "), code, tt.code, errs)
		}
	}
	if srv.Writes() != 0 {
		t.Errorf("%d writes", srv.Writes())
	}
	srv.Deny(403)
	if code, _, errs := mdm("apply", good, "--auth", "token"); code != exitTrouble {
		t.Errorf("apply denied: exit %d\n%s", code, errs)
	}
	srv.Deny(401)
	if code, _, errs := mdm("plan", good, "--auth", "token"); code != exitTrouble || !strings.Contains(errs, "401") ||
		!strings.Contains(errs, "mdmforge: hint: Graph refused the token: it expired, or it is for another tenant") ||
		!strings.Contains(errs, "mdmforge: hint: if the token is right, the app registration needs the Microsoft Graph application permission Group.Read.All") {
		t.Errorf("plan with a refused token: exit %d\n%s", code, errs)
	}
}

func TestPlanOutIsAtomicAndReadable(t *testing.T) {
	_, mdm := fakeTenant(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "contacts.yaml")
	os.WriteFile(good, []byte(deployPolicy), 0o644)
	out := filepath.Join(dir, "plan.json")
	os.WriteFile(out, []byte("old"), 0o600)
	if code, _, errs := mdm("plan", good, "--auth", "token", "--out", out); code != 1 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	b, err := os.ReadFile(out)
	if err != nil || !strings.HasPrefix(string(b), "{\n") {
		t.Fatalf("plan file: %q, %v", b, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}
}
