// Package ci holds the example CI pipelines; its test runs their shell
// steps so they stay in step with mdmforge's commands.
package ci

import (
	"crypto/x509"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/interop"
	"github.com/mdmforge/mdmforge/internal/testpki"
	"go.yaml.in/yaml/v3"
	"software.sslmate.com/src/go-pkcs12"
)

// sandbox is a policy repository with a pull request, as a CI runner
// checks it out: origin has main, the work tree is on the change.
type sandbox struct {
	t     *testing.T
	work  string // the checkout
	tmp   string // the runner's temporary folder
	bin   string // mdmforge and the gh stand-in
	p12   []byte
	root  string // the signing identity's root, PEM
	env   []string
	steps []string // names of the steps that ran
}

func newSandbox(t *testing.T) *sandbox {
	interop.Tool(t, "bash")
	interop.Tool(t, "git")
	gobin := interop.Tool(t, "go")
	dir := t.TempDir()
	s := &sandbox{t: t, work: filepath.Join(dir, "work"), tmp: filepath.Join(dir, "tmp"), bin: filepath.Join(dir, "bin")}
	for _, d := range []string{s.work, s.tmp, s.bin} {
		os.MkdirAll(d, 0o755)
	}
	build := exec.Command(gobin, "build", "-o", filepath.Join(s.bin, "mdmforge"), "github.com/mdmforge/mdmforge/cmd/mdmforge")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// gh posts the comment; here it keeps the body for the test to read.
	gh := "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = --body-file ] && cp \"$2\" \"$RUNNER_TEMP/comment.md\"; shift; done\n"
	os.WriteFile(filepath.Join(s.bin, "gh"), []byte(gh), 0o755)

	pki, err := testpki.Get()
	if err != nil {
		t.Fatal(err)
	}
	if s.p12, err = pkcs12.Modern.Encode(pki.RSA.Key, pki.RSA.Cert, []*x509.Certificate{pki.Intermediate}, "correct horse"); err != nil {
		t.Fatal(err)
	}
	s.root = filepath.Join(dir, "root.pem")
	os.WriteFile(s.root, testpki.CertPEM(pki.Root), 0o644)

	s.env = append(os.Environ(), "PATH="+s.bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GIT_AUTHOR_NAME=ci", "GIT_AUTHOR_EMAIL=ci@example.com", "GIT_COMMITTER_NAME=ci", "GIT_COMMITTER_EMAIL=ci@example.com",
		"MDMFORGE_CA="+s.root)

	origin := filepath.Join(dir, "origin.git")
	policy, err := os.ReadFile("../contacts-only-eas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s.sh(dir, "git init --quiet --bare -b main origin.git")
	s.sh(s.work, "git init --quiet -b main && git remote add origin "+origin)
	os.MkdirAll(filepath.Join(s.work, "policies"), 0o755)
	os.WriteFile(filepath.Join(s.work, "policies", "contacts.yaml"), policy, 0o644)
	s.sh(s.work, "mdmforge build policies --out dist >/dev/null && git add -A && git commit --quiet -m policies && git push --quiet origin main")
	// The pull request: mail is synced too, which re-pushes the account.
	changed := strings.Replace(string(policy), "sync: [contacts]", "sync: [mail, contacts]", 1)
	os.WriteFile(filepath.Join(s.work, "policies", "contacts.yaml"), []byte(changed), 0o644)
	s.sh(s.work, "git checkout --quiet -b change && mdmforge build policies --out dist >/dev/null && git add -A && git commit --quiet -m 'sync mail too'")
	return s
}

// sh runs a setup command, failing the test on error.
func (s *sandbox) sh(dir, script string) string {
	s.t.Helper()
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir, cmd.Env = dir, s.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("%s: %v\n%s", script, err, out)
	}
	return string(out)
}

// step runs one pipeline step's script the way the runner does, with the
// step's environment, and returns its output.
func (s *sandbox) step(name string, shell []string, script string, env map[string]string) string {
	s.t.Helper()
	cmd := exec.Command(shell[0], append(shell[1:], script)...)
	cmd.Dir = s.work
	cmd.Env = append([]string{}, s.env...)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("step %q failed: %v\n%s", name, err, out)
	}
	s.steps = append(s.steps, name)
	return string(out)
}

var (
	ghExpr    = regexp.MustCompile(`\$\{\{\s*([^}]+?)\s*\}\}`)
	azureExpr = regexp.MustCompile(`\$\(([A-Za-z0-9_.]+)\)`)
)

// expand fills in a pipeline's expressions from values, failing on any the
// test does not know, so a new expression cannot slip by untested.
func (s *sandbox) expand(re *regexp.Regexp, v string, values map[string]string) string {
	return re.ReplaceAllStringFunc(v, func(m string) string {
		key := re.FindStringSubmatch(m)[1]
		val, ok := values[key]
		if !ok {
			s.t.Fatalf("the test has no value for %s", m)
		}
		return val
	})
}

func load(t *testing.T, file string) map[string]any {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func stringMap(v any) map[string]string {
	out := map[string]string{}
	if m, ok := v.(map[string]any); ok {
		for k, e := range m {
			out[k] = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(toString(e), "\""), "\""))
		}
	}
	return out
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return strings.TrimSpace(strings.ReplaceAll(strings.TrimSpace(yamlString(v)), "\n", ""))
}

func yamlString(v any) string {
	b, _ := yaml.Marshal(v)
	return string(b)
}

func TestGitHubActions(t *testing.T) {
	s := newSandbox(t)
	doc := load(t, "github-actions.yml")
	values := map[string]string{
		"github.base_ref":                  "main",
		"github.event.pull_request.number": "42",
		"github.token":                     "test-token",
		"secrets.MDMFORGE_SIGNER_P12":      base64.StdEncoding.EncodeToString(s.p12),
		"secrets.MDMFORGE_SIGNER_PASSWORD": "correct horse",
	}
	shell := []string{"bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"}
	run := func(job string) {
		jobs := doc["jobs"].(map[string]any)
		env := stringMap(doc["env"])
		env["RUNNER_TEMP"] = s.tmp
		env["GITHUB_STEP_SUMMARY"] = filepath.Join(s.tmp, "summary.md")
		for _, st := range jobs[job].(map[string]any)["steps"].([]any) {
			step := st.(map[string]any)
			script, ok := step["run"].(string)
			if !ok {
				continue // uses: steps belong to the runner
			}
			stepEnv := map[string]string{}
			for k, v := range env {
				stepEnv[k] = v
			}
			for k, v := range stringMap(step["env"]) {
				stepEnv[k] = s.expand(ghExpr, v, values)
			}
			s.step(toString(step["name"]), shell, s.expand(ghExpr, script, values), stepEnv)
		}
	}
	run("review")
	comment, err := os.ReadFile(filepath.Join(s.tmp, "comment.md"))
	if err != nil {
		t.Fatalf("no pull-request comment was posted (steps run: %v)", s.steps)
	}
	if !strings.Contains(string(comment), "sign in again") {
		t.Errorf("the comment does not warn that users sign in again:\n%s", comment)
	}

	s.sh(s.work, "git checkout --quiet main && git merge --quiet --ff-only change")
	run("publish")
	signed, _ := filepath.Glob(filepath.Join(s.work, "dist", "*.signed.mobileconfig"))
	if len(signed) != 1 {
		t.Errorf("publish left %v", signed)
	}
	if _, err := os.Stat(filepath.Join(s.tmp, "signer.p12")); err == nil {
		t.Error("the signing identity was left on disk")
	}
}

func TestAzurePipelines(t *testing.T) {
	s := newSandbox(t)
	doc := load(t, "azure-pipelines.yml")
	p12 := filepath.Join(s.tmp, "signer.p12")
	os.WriteFile(p12, s.p12, 0o600)
	values := map[string]string{
		"System.PullRequest.TargetBranch": "refs/heads/main",
		"Agent.TempDirectory":             s.tmp,
		"signer.secureFilePath":           p12,
		"MDMFORGE_SIGNER_PASSWORD":        "correct horse",
	}
	// Pipeline variables reach scripts as environment variables.
	vars := map[string]string{}
	for _, v := range doc["variables"].([]any) {
		if m, ok := v.(map[string]any); ok && m["name"] != nil {
			vars[toString(m["name"])] = toString(m["value"])
		}
	}
	shell := []string{"bash", "--noprofile", "--norc", "-c"}
	run := func(stage string) string {
		var out strings.Builder
		for _, st := range doc["stages"].([]any) {
			if st.(map[string]any)["stage"] != stage {
				continue
			}
			for _, j := range st.(map[string]any)["jobs"].([]any) {
				for _, sp := range j.(map[string]any)["steps"].([]any) {
					step := sp.(map[string]any)
					script, ok := step["script"].(string)
					if !ok {
						continue // tasks belong to the agent
					}
					env := map[string]string{}
					for k, v := range vars {
						env[k] = v
					}
					for k, v := range stringMap(step["env"]) {
						env[k] = s.expand(azureExpr, v, values)
					}
					out.WriteString(s.step(toString(step["displayName"]), shell, s.expand(azureExpr, script, values), env))
				}
			}
		}
		return out.String()
	}
	out := run("review")
	if !strings.Contains(out, "##vso[task.uploadsummary]") {
		t.Errorf("the diff was not attached to the run summary:\n%s", out)
	}
	diff, _ := os.ReadFile(filepath.Join(s.tmp, "diff.md"))
	if !strings.Contains(string(diff), "sign in again") {
		t.Errorf("the diff does not warn that users sign in again:\n%s", diff)
	}
	s.sh(s.work, "git checkout --quiet main && git merge --quiet --ff-only change")
	run("publish")
	if signed, _ := filepath.Glob(filepath.Join(s.work, "dist", "*.signed.mobileconfig")); len(signed) != 1 {
		t.Errorf("publish left %v", signed)
	}
}
