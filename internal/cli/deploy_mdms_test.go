package cli

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/fakemdm"
	"github.com/mdmforge/mdmforge/internal/nanomdmtest"
	"github.com/mdmforge/mdmforge/internal/outdir"
)

const mdmPolicy = `version: 1
profile:
  name: contacts
  identifier: com.example.mdm.contacts
  display_name: Work Contacts
restrictions:
  allowOpenFromManagedToUnmanaged: false
`

// mdmTarget is one of the other MDMs behind its fake (or NanoMDM itself):
// the environment that reaches it, the secret in it, and a way to spoil it.
type mdmTarget struct {
	name    string
	env     map[string]string
	secret  string // the variable holding the credential
	url     string // the variable holding the URL
	include string // assignments.include, NanoMDM's only
	writes  func() int
}

// policy is mdmPolicy with the assignments the target needs.
func (m mdmTarget) policy() string {
	if m.include == "" {
		return mdmPolicy
	}
	return mdmPolicy + "assignments:\n  include: [" + m.include + "]\n"
}

// writeFile writes src to dir/name and returns its path.
func writeFile(t *testing.T, dir, name, src string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func otherMDMs(t *testing.T) []mdmTarget {
	t.Helper()
	serve := func(h http.Handler) string {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	j := fakemdm.NewJamf("client-id", "jamf-s3cret")
	f := fakemdm.NewFleet("fleet-s3cret", nil)
	k := fakemdm.NewKandji("kandji-s3cret")
	n := nanomdmtest.New(nanomdmtest.Options{})
	t.Cleanup(n.Close)
	d, err := n.Enroll()
	if err != nil {
		t.Fatal(err)
	}
	return []mdmTarget{
		{name: "jamf", secret: "MDMFORGE_JAMF_CLIENT_SECRET", url: "MDMFORGE_JAMF_URL", writes: func() int { return j.Writes() },
			env: map[string]string{"MDMFORGE_JAMF_URL": serve(j), "MDMFORGE_JAMF_CLIENT_ID": "client-id", "MDMFORGE_JAMF_CLIENT_SECRET": "jamf-s3cret"}},
		{name: "fleet", secret: "MDMFORGE_FLEET_TOKEN", url: "MDMFORGE_FLEET_URL", writes: func() int { return f.Writes() },
			env: map[string]string{"MDMFORGE_FLEET_URL": serve(f), "MDMFORGE_FLEET_TOKEN": "fleet-s3cret"}},
		{name: "kandji", secret: "MDMFORGE_KANDJI_TOKEN", url: "MDMFORGE_KANDJI_URL", writes: func() int { return k.Writes() },
			env: map[string]string{"MDMFORGE_KANDJI_URL": serve(k), "MDMFORGE_KANDJI_TOKEN": "kandji-s3cret"}},
		{name: "nanomdm", secret: "MDMFORGE_NANOMDM_API_KEY", url: "MDMFORGE_NANOMDM_URL", include: d.ID(), writes: n.Enqueues,
			env: map[string]string{"MDMFORGE_NANOMDM_URL": n.URL, "MDMFORGE_NANOMDM_API_KEY": nanomdmtest.APIKey, "MDMFORGE_NANOMDM_NOPUSH": "1"}},
	}
}

// TestOtherMDMsExitCodes pins, for each of the other MDMs, what the
// testscripts' "!" cannot tell apart: plan exits 1 with changes, 0 without
// and 2 on an error (a wrong credential, a bad policy); apply 0 or 2.
func TestOtherMDMsExitCodes(t *testing.T) {
	for _, m := range otherMDMs(t) {
		t.Run(m.name, func(t *testing.T) {
			dir := t.TempDir()
			src := m.policy()
			policy := writeFile(t, dir, "contacts.yaml", src)
			bad := writeFile(t, dir, "bad.yaml", strings.Replace(src, "allowOpenFromManagedToUnmanaged", "allowOpenFromManagedToUnmanagd", 1))
			env := m.env
			run := func(args ...string) (int, string) {
				var out, errb bytes.Buffer
				code := Run(append(args, "--target", m.name), &IO{In: strings.NewReader(""), Out: &out, Err: &errb,
					Getenv: func(k string) string { return env[k] }})
				return code, out.String() + errb.String()
			}
			for _, tc := range []struct {
				args []string
				code int
			}{
				{[]string{"plan", bad}, exitTrouble},
				{[]string{"apply", bad}, exitTrouble},
				{[]string{"plan", policy}, ExitFailure},
				{[]string{"apply", policy}, 0},
				{[]string{"plan", policy}, 0},
				{[]string{"apply", policy}, 0},
			} {
				if code, out := run(tc.args...); code != tc.code {
					t.Errorf("%s %s: exit %d, want %d\n%s", tc.args[0], filepath.Base(tc.args[1]), code, tc.code, out)
				}
			}
			writes := m.writes()
			wrong := map[string]string{}
			for k, v := range m.env {
				wrong[k] = v
			}
			wrong[m.secret] = "wrong-s3cret"
			env = wrong
			for _, verb := range []string{"plan", "apply"} {
				if code, out := run(verb, policy); code != exitTrouble {
					t.Errorf("%s with a wrong credential: exit %d, want 2\n%s", verb, code, out)
				}
			}
			if m.writes() != writes {
				t.Errorf("a wrong credential wrote %d", m.writes()-writes)
			}
		})
	}
}

// TestOtherMDMsPrintNoSecret: whatever goes wrong, in every format, no
// credential (the right one, a wrong one, a password in the URL) reaches
// stdout, stderr or the plan file.
func TestOtherMDMsPrintNoSecret(t *testing.T) {
	for _, m := range otherMDMs(t) {
		t.Run(m.name, func(t *testing.T) {
			dir := t.TempDir()
			src := m.policy()
			policy := writeFile(t, dir, "contacts.yaml", src)
			right := m.env[m.secret]
			spoil := map[string]func(env map[string]string){
				"right":        func(map[string]string) {},
				"wrong secret": func(env map[string]string) { env[m.secret] = "wrong-s3cret" },
				"secret file":  func(env map[string]string) { env[m.secret+"_FILE"] = filepath.Join(dir, "wrong-s3cret") },
				"URL userinfo": func(env map[string]string) {
					env[m.url] = strings.Replace(env[m.url], "://", "://admin:url-s3cret@", 1)
				},
				"URL query": func(env map[string]string) { env[m.url] += "/?token=url-s3cret" },
			}
			for name, f := range spoil {
				for _, format := range []string{"text", "markdown", "json", "github"} {
					env := map[string]string{}
					for k, v := range m.env {
						env[k] = v
					}
					f(env)
					out := filepath.Join(dir, "plan.json")
					os.Remove(out)
					var stdout, stderr bytes.Buffer
					Run([]string{"plan", policy, "--target", m.name, "--format", format, "--out", out},
						&IO{In: strings.NewReader(""), Out: &stdout, Err: &stderr, Getenv: func(k string) string { return env[k] }})
					planFile, _ := os.ReadFile(out)
					all := stdout.String() + stderr.String() + string(planFile)
					for _, s := range []string{right, "wrong-s3cret", "url-s3cret"} {
						if strings.Contains(all, s) && !(name == "secret file" && s == "wrong-s3cret") {
							t.Errorf("%s, --format %s: the output holds %q:\n%s", name, format, s, all)
						}
					}
				}
			}
		})
	}
}

// TestNanoMDMApplyWhileAnotherRuns: an apply while another holds the state
// file's folder exits 2 saying so, and that nothing was queued.
func TestNanoMDMApplyWhileAnotherRuns(t *testing.T) {
	var m mdmTarget
	for _, x := range otherMDMs(t) {
		if x.name == "nanomdm" {
			m = x
		}
	}
	dir := t.TempDir()
	policy := filepath.Join(dir, "contacts.yaml")
	os.WriteFile(policy, []byte(mdmPolicy+"assignments:\n  include: ["+m.include+"]\n"), 0o644)
	unlock, err := outdir.LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	var out, errb bytes.Buffer
	code := Run([]string{"apply", policy, "--target", "nanomdm"}, &IO{In: strings.NewReader(""), Out: &out, Err: &errb,
		Getenv: func(k string) string { return m.env[k] }})
	if code != exitTrouble || !strings.Contains(errb.String(), "mdmforge: error: another apply is running on the state file") ||
		!strings.Contains(errb.String(), "mdmforge: nothing was queued\n") || m.writes() != 0 {
		t.Errorf("exit %d, %d enqueues\n%s", code, m.writes(), errb.String())
	}
}
