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
	gh    string   // the stand-in GitHub's state: calls.log, comments/ID.{body,user}
}

// ghStandIn plays gh api for the pull request's comments: it logs each call
// to $GH_STATE/calls.log, keeps comments as files, and lists them as
// GitHub's REST API does, filtered by --jq through jq as gh filters them.
const ghStandIn = `#!/usr/bin/env bash
set -euo pipefail
printf '%s\n' "$*" >> "$GH_STATE/calls.log"
[ "$1" = api ] || { echo "gh stand-in: only gh api is played, not gh $1" >&2; exit 1; }
shift
method=GET path= jq_expr=. body=
while [ $# -gt 0 ]; do
  case "$1" in
    --method|-X) method=$2; shift 2 ;;
    --jq|-q) jq_expr=$2; shift 2 ;;
    -F|--field) case "$2" in body=@*) body=${2#body=@} ;; *) echo "gh stand-in: field $2" >&2; exit 1 ;; esac; shift 2 ;;
    --paginate) shift ;;
    -*) echo "gh stand-in: flag $1" >&2; exit 1 ;;
    *) path=$1; shift ;;
  esac
done
c="$GH_STATE/comments"
case "$method $path" in
  "GET repos/"*/issues/*/comments)
    for f in $(ls "$c" | sed -n 's/\.body$//p' | sort -n); do
      jq -n --argjson id "$f" --rawfile body "$c/$f.body" --arg user "$(cat "$c/$f.user")" '{id: $id, user: {login: $user}, body: $body}'
    done | jq -s . | jq -r "$jq_expr" ;;
  "POST repos/"*/issues/*/comments)
    id=$(( $(ls "$c" | grep -c '\.body$' || true) + 1001 ))
    cp "$body" "$c/$id.body"; echo 'github-actions[bot]' > "$c/$id.user"
    jq -n --argjson id "$id" '{id: $id}' ;;
  "PATCH repos/"*/issues/comments/*)
    id=${path##*/}
    [ -f "$c/$id.body" ] || { echo "gh: HTTP 404: Not Found" >&2; exit 1; }
    cp "$body" "$c/$id.body"
    jq -n --argjson id "$id" '{id: $id}' ;;
  *) echo "gh stand-in: $method $path" >&2; exit 1 ;;
esac
`

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
	s.gh = filepath.Join(dir, "github")
	os.MkdirAll(filepath.Join(s.gh, "comments"), 0o755)
	os.WriteFile(filepath.Join(s.bin, "gh"), []byte(ghStandIn), 0o755)

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
		"MDMFORGE_CA="+s.root, "GH_STATE="+s.gh, "GITHUB_REPOSITORY=example/policies")

	origin := filepath.Join(dir, "origin.git")
	policy, err := os.ReadFile("../contacts-only-eas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s.sh(dir, "git init --quiet --bare -b main origin.git")
	s.sh(s.work, "git init --quiet -b main && git remote add origin "+origin)
	os.MkdirAll(filepath.Join(s.work, "policies"), 0o755)
	os.WriteFile(filepath.Join(s.work, "policies", "contacts.yaml"), policy, 0o644)
	// A profile users install themselves: no variables, so it can be signed.
	os.MkdirAll(filepath.Join(s.work, "policies-manual"), 0o755)
	os.WriteFile(filepath.Join(s.work, "policies-manual", "handout.yaml"), []byte("version: 1\ntarget: generic\n"+
		"profile: {name: handout, identifier: com.example.mdm.handout}\nrestrictions: {allowOpenFromManagedToUnmanaged: false}\n"), 0o644)
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
	interop.Tool(t, "jq") // the gh stand-in's --jq
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
	// run runs a job's steps in a fresh runner, as each push does.
	run := func(job string) string {
		tmp := s.t.TempDir()
		jobs := doc["jobs"].(map[string]any)
		env := stringMap(doc["env"])
		env["RUNNER_TEMP"] = tmp
		env["GITHUB_STEP_SUMMARY"] = filepath.Join(tmp, "summary.md")
		var out strings.Builder
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
			out.WriteString(s.step(toString(step["name"]), shell, s.expand(ghExpr, script, values), stepEnv))
		}
		if _, err := os.Stat(filepath.Join(tmp, "signer.p12")); err == nil {
			t.Errorf("%s: the signing identity was left on disk", job)
		}
		return out.String()
	}
	comments := filepath.Join(s.gh, "comments")
	// Someone quoting the marker: not the workflow's comment to edit.
	quoted := "<!-- mdmforge diff -->\nquoted by a reviewer\n"
	os.WriteFile(filepath.Join(comments, "7.body"), []byte(quoted), 0o644)
	os.WriteFile(filepath.Join(comments, "7.user"), []byte("ada\n"), 0o644)

	run("review")
	first, err := os.ReadFile(filepath.Join(comments, "1002.body"))
	if err != nil {
		t.Fatalf("no pull-request comment was posted (steps run: %v)", s.steps)
	}
	if !strings.Contains(string(first), "sign in again") {
		t.Errorf("the comment does not warn that users sign in again:\n%s", first)
	}

	// A second push to the pull request updates the same comment.
	s.sh(s.work, "sed -i 's/sync: \\[mail, contacts\\]/sync: [mail, contacts, calendars]/' policies/contacts.yaml && "+
		"mdmforge build policies --out dist >/dev/null && git commit --quiet -am 'and calendars'")
	run("review")
	calls, _ := os.ReadFile(filepath.Join(s.gh, "calls.log"))
	var writes []string
	for _, c := range strings.Split(string(calls), "\n") {
		if strings.Contains(c, "--method") {
			writes = append(writes, strings.Fields(c)[3])
		}
	}
	want := []string{"repos/example/policies/issues/42/comments", "repos/example/policies/issues/comments/1002"}
	if strings.Join(writes, " ") != strings.Join(want, " ") || !strings.Contains(string(calls), "--method POST") || !strings.Contains(string(calls), "--method PATCH") {
		t.Errorf("two pushes wrote %v, want one POST and one PATCH of it %v; calls:\n%s", writes, want, calls)
	}
	second, _ := os.ReadFile(filepath.Join(comments, "1002.body"))
	if !strings.HasPrefix(string(second), "<!-- mdmforge diff -->\n") || !strings.Contains(string(second), "EnableCalendars") {
		t.Errorf("the comment was not updated with the second push's diff:\n%s", second)
	}
	if b, _ := os.ReadFile(filepath.Join(comments, "7.body")); string(b) != quoted {
		t.Errorf("the reviewer's comment was edited:\n%s", b)
	}
	if n, _ := filepath.Glob(filepath.Join(comments, "*.body")); len(n) != 2 {
		t.Errorf("comments %v, want the reviewer's and one of the workflow's", n)
	}

	s.sh(s.work, "git checkout --quiet main && git merge --quiet --ff-only change")
	out := run("publish")
	checkPublished(t, s, out)
}

// checkPublished checks a publish run: the Intune profiles unsigned and no
// warning about signed variables, the manual-install profile signed and
// verified.
func checkPublished(t *testing.T, s *sandbox, out string) {
	t.Helper()
	if strings.Contains(out, "variables, which no MDM can fill in") {
		t.Errorf("publish signed a profile with variables:\n%s", out)
	}
	if signed, _ := filepath.Glob(filepath.Join(s.work, "dist", "*.signed.mobileconfig")); len(signed) != 0 {
		t.Errorf("publish signed the Intune profiles: %v", signed)
	}
	if _, err := os.Stat(filepath.Join(s.work, "dist", "contacts-only-eas.mobileconfig")); err != nil {
		t.Errorf("publish did not build the Intune profile: %v", err)
	}
	if signed, _ := filepath.Glob(filepath.Join(s.work, "dist-manual", "*.signed.mobileconfig")); len(signed) != 1 {
		t.Errorf("publish signed %v for manual install, want handout.signed.mobileconfig", signed)
	}
	if !strings.Contains(out, "handout.signed.mobileconfig") {
		t.Errorf("publish did not verify the signed profile:\n%s", out)
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
	checkPublished(t, s, run("publish"))
}

// TestGoVersionIsGoMods checks that every job sets up the Go that
// mdmforge's go.mod needs, so go install downloads no other toolchain.
func TestGoVersionIsGoMods(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	want := string(m[1])
	for file, re := range map[string]*regexp.Regexp{
		"github-actions.yml":  regexp.MustCompile(`go-version: *"?([^"\s]+)"?`),
		"azure-pipelines.yml": regexp.MustCompile(`(?s)task: GoTool@0\s+inputs:\s+version: *"?([^"\s]+)"?`),
	} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		found := re.FindAllSubmatch(data, -1)
		if len(found) == 0 {
			t.Errorf("%s sets up no Go", file)
		}
		for _, f := range found {
			if string(f[1]) != want {
				t.Errorf("%s sets up Go %s; go.mod needs %s", file, f[1], want)
			}
		}
	}
}

// TestAzurePipelinesNeedNoSigningGroupUnlessSigning pins that the
// variable group holding the signing password is referenced only when
// the signManual parameter is true: a missing group fails every run.
func TestAzurePipelinesNeedNoSigningGroupUnlessSigning(t *testing.T) {
	doc := load(t, "azure-pipelines.yml")
	for _, v := range doc["variables"].([]any) {
		m, _ := v.(map[string]any)
		if m["group"] != nil {
			t.Errorf("variables name the group %v unconditionally", m["group"])
		}
		for k, inner := range m {
			if strings.HasPrefix(k, "${{ if parameters.signManual }}") {
				if g, _ := inner.([]any); len(g) != 1 || g[0].(map[string]any)["group"] != "mdmforge" {
					t.Errorf("%s: %v, want the group mdmforge", k, inner)
				}
				return
			}
		}
	}
	t.Error("no conditional reference to the group mdmforge")
}
