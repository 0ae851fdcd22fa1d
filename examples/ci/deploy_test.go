package ci

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/fakegraph"
	"github.com/mdmforge/mdmforge/internal/interop"
)

// The plan and apply steps sign in through OIDC federation, which needs
// GitHub or Azure DevOps and Entra ID. Here they run against the
// in-process fake Graph instead: each step's script is run as written
// except that its --auth github-oidc or --auth azure-pipelines becomes
// --auth token, with MDMFORGE_GRAPH_TOKEN holding the token the fake
// accepts and MDMFORGE_GRAPH_URL pointing at it. Everything else (exit
// codes, the comment marker, the REST calls) is the pipeline's own.
const fakeToken = "fake-graph-token"

// tenant is a fake Graph with what the example policy needs: Outlook in
// the tenant's apps and the group the policy is assigned to.
func tenant(t *testing.T) *fakegraph.Server {
	g := fakegraph.New(fakegraph.Options{Token: fakeToken})
	t.Cleanup(g.Close)
	g.AddApp("iosStoreApp", "Microsoft Outlook", "com.microsoft.Office.Outlook")
	g.AddApp("androidManagedStoreApp", "Microsoft Outlook", "com.microsoft.office.outlook")
	g.AddGroup("iOS contacts pilot")
	return g
}

// deployOn substitutes the fake for the OIDC sign-in in a step's script.
func deployOn(g *fakegraph.Server, script string, env map[string]string) string {
	env["MDMFORGE_GRAPH_URL"] = g.URL
	env["MDMFORGE_GRAPH_TOKEN"] = fakeToken
	for _, kind := range []string{"github-oidc", "azure-pipelines"} {
		script = strings.ReplaceAll(script, "--auth "+kind, "--auth token")
	}
	return script
}

// assignPolicy gives the sandbox's policy the group, on main and on the
// pull request alike, as a policy written for plan and apply has.
func assignPolicy(s *sandbox) {
	s.sh(s.work, "git checkout --quiet main && printf '\\nassignments:\\n  include: [iOS contacts pilot]\\n' >> policies/contacts.yaml && "+
		"git commit --quiet -am assign && git push --quiet origin main && git checkout --quiet change && git merge --quiet --no-edit main")
}

// rename is a second push to the pull request: the profile's display
// name, and with it every object's, changes.
const rename = "sed -i 's/^  display_name: Work Contacts$/  display_name: Work Contacts (iOS)/' policies/contacts.yaml && git commit --quiet -am rename"

// created lists the fake tenant's objects by collection and display name.
func created(g *fakegraph.Server) []string {
	var names []string
	for _, c := range []string{"deviceManagement/deviceConfigurations", "deviceManagement/deviceCompliancePolicies",
		"deviceAppManagement/mobileAppConfigurations", "deviceAppManagement/targetedManagedAppConfigurations"} {
		for _, o := range g.Objects(c) {
			names = append(names, c+": "+toString(o["displayName"]))
		}
	}
	return names
}

func TestGitHubActionsPlanAndApply(t *testing.T) {
	interop.Tool(t, "jq")
	s := newSandbox(t)
	assignPolicy(s)
	g := tenant(t)
	doc := load(t, "github-actions.yml")
	values := map[string]string{
		"github.event.pull_request.number": "42",
		"github.token":                     "test-token",
		"vars.AZURE_CLIENT_ID":             "11111111-2222-3333-4444-555555555555",
		"vars.AZURE_TENANT_ID":             "66666666-7777-8888-9999-000000000000",
	}
	shell := []string{"bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"}
	run := func(job string) string {
		tmp := t.TempDir()
		env := stringMap(doc["env"])
		env["RUNNER_TEMP"] = tmp
		env["GITHUB_STEP_SUMMARY"] = filepath.Join(tmp, "summary.md")
		var out strings.Builder
		for _, st := range doc["jobs"].(map[string]any)[job].(map[string]any)["steps"].([]any) {
			step := st.(map[string]any)
			script, ok := step["run"].(string)
			if !ok {
				continue
			}
			stepEnv := map[string]string{}
			for k, v := range env {
				stepEnv[k] = v
			}
			for k, v := range stringMap(step["env"]) {
				stepEnv[k] = s.expand(ghExpr, v, values)
			}
			script = deployOn(g, s.expand(ghExpr, script, values), stepEnv)
			out.WriteString(s.step(toString(step["name"]), shell, script, stepEnv))
		}
		return out.String()
	}
	for _, job := range []string{"plan", "apply"} {
		j := doc["jobs"].(map[string]any)[job].(map[string]any)
		if perms := stringMap(j["permissions"]); perms["id-token"] != "write" {
			t.Errorf("%s job: permissions %v lack id-token: write, which github-oidc needs", job, perms)
		}
	}
	// Forks' pull requests get no OIDC token: without the guard the plan
	// job would fail on each of them.
	plan := doc["jobs"].(map[string]any)["plan"].(map[string]any)
	if cond := toString(plan["if"]); !strings.Contains(cond, "github.event.pull_request.head.repo.full_name == github.repository") {
		t.Errorf("plan job: if %q does not skip pull requests from forks", cond)
	}
	apply := doc["jobs"].(map[string]any)["apply"].(map[string]any)
	if apply["environment"] != "production" || stringMap(apply["concurrency"])["cancel-in-progress"] != "false" {
		t.Errorf("apply job: environment %v, concurrency %v; want production and a queue that never cancels an apply", apply["environment"], apply["concurrency"])
	}

	comments := filepath.Join(s.gh, "comments")
	quoted := "<!-- mdmforge plan -->\nquoted by a reviewer\n"
	os.WriteFile(filepath.Join(comments, "7.body"), []byte(quoted), 0o644)
	os.WriteFile(filepath.Join(comments, "7.user"), []byte("ada\n"), 0o644)

	run("plan")
	if g.Writes() != 0 {
		t.Errorf("plan wrote to the tenant: %v", g.Requests())
	}
	first, err := os.ReadFile(filepath.Join(comments, "1002.body"))
	if err != nil {
		t.Fatalf("no plan comment was posted (steps run: %v)", s.steps)
	}
	if !strings.HasPrefix(string(first), "<!-- mdmforge plan -->\n") || !strings.Contains(strings.ToLower(string(first)), "create") {
		t.Errorf("the plan comment does not show the creates:\n%s", first)
	}

	// A second push, renaming the profile, updates the same comment.
	s.sh(s.work, rename)
	run("plan")
	second, _ := os.ReadFile(filepath.Join(comments, "1002.body"))
	if !strings.HasPrefix(string(second), "<!-- mdmforge plan -->\n") || !strings.Contains(string(second), "Work Contacts (iOS)") {
		t.Errorf("the plan comment was not updated by the second push:\n%s", second)
	}
	calls, _ := os.ReadFile(filepath.Join(s.gh, "calls.log"))
	var writes []string
	for _, c := range strings.Split(string(calls), "\n") {
		if strings.Contains(c, "--method") {
			writes = append(writes, strings.Fields(c)[2]+" "+strings.Fields(c)[3])
		}
	}
	if want := []string{"POST repos/example/policies/issues/42/comments", "PATCH repos/example/policies/issues/comments/1002"}; strings.Join(writes, ",") != strings.Join(want, ",") {
		t.Errorf("two pushes wrote %v, want %v", writes, want)
	}
	if n, _ := filepath.Glob(filepath.Join(comments, "*.body")); len(n) != 2 {
		t.Errorf("comments %v, want the reviewer's and one plan comment", n)
	}
	if b, _ := os.ReadFile(filepath.Join(comments, "7.body")); string(b) != quoted {
		t.Errorf("the reviewer's comment was edited:\n%s", b)
	}

	// main: apply creates the objects; a second apply writes nothing.
	s.sh(s.work, "git checkout --quiet main && git merge --quiet --ff-only change")
	run("apply")
	objs := created(g)
	if len(objs) == 0 || g.Writes() == 0 {
		t.Fatalf("apply created nothing: %v", g.Requests())
	}
	g.ResetLog()
	run("apply")
	if w := g.Writes(); w != 0 {
		var writes []string
		for _, r := range g.Requests() {
			if r.Write {
				writes = append(writes, r.String())
			}
		}
		t.Errorf("a second apply with nothing changed made %d writes:\n%s", w, strings.Join(writes, "\n"))
	}
	if again := created(g); strings.Join(again, "\n") != strings.Join(objs, "\n") {
		t.Errorf("the second apply changed the tenant's objects:\n%v\nthen\n%v", objs, again)
	}
}

// adoStandIn plays the Azure DevOps REST API's pull-request threads for
// curl: it logs each call to $ADO_STATE/calls.log, refuses a request whose
// token did not come through curl's config on standard input, and keeps
// threads as JSON files.
const adoStandIn = `#!/usr/bin/env bash
set -euo pipefail
method=GET url= body= config=
while [ $# -gt 0 ]; do
  case "$1" in
    -X) method=$2; shift 2 ;;
    -H) shift 2 ;;
    --data-binary) body=${2#@}; shift 2 ;;
    --config) [ "$2" = - ] || { echo "curl stand-in: --config $2" >&2; exit 1; }; config=$(cat); shift 2 ;;
    --fail|--silent|--show-error) shift ;;
    -*) echo "curl stand-in: flag $1" >&2; exit 1 ;;
    *) url=$1; shift ;;
  esac
done
printf '%s %s\n' "$method" "$url" >> "$ADO_STATE/calls.log"
[ "$config" = "header = \"Authorization: Bearer $SYSTEM_ACCESSTOKEN\"" ] || { echo "curl: (22) The requested URL returned error: 401" >&2; exit 22; }
t="$ADO_STATE/threads"
path=${url%%\?*}
case "$method $path" in
  "GET "*/pullRequests/*/threads)
    for f in $(ls "$t" | sort -n); do cat "$t/$f"; done | jq -s '{value: ., count: length}' ;;
  "POST "*/pullRequests/*/threads)
    id=$(( $(ls "$t" | wc -l) + 1 ))
    jq --argjson id "$id" '{id: $id, status: .status, comments: [.comments[0] + {id: 1, author: {displayName: "policies Build Service (example)"}}]}' "$body" > "$t/$id"
    cat "$t/$id" ;;
  "PATCH "*/pullRequests/*/threads/*/comments/*)
    cid=${path##*/}; rest=${path%/comments/*}; tid=${rest##*/}
    [ -f "$t/$tid" ] || { echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; }
    jq --slurpfile b "$body" --argjson cid "$cid" '.comments |= map(if .id == $cid then .content = $b[0].content else . end)' "$t/$tid" > "$t/$tid.new"
    mv "$t/$tid.new" "$t/$tid"
    jq '.comments[0]' "$t/$tid" ;;
  *) echo "curl stand-in: $method $url" >&2; exit 1 ;;
esac
`

func TestAzurePipelinesPlanAndApply(t *testing.T) {
	interop.Tool(t, "jq")
	s := newSandbox(t)
	assignPolicy(s)
	g := tenant(t)
	ado := filepath.Join(t.TempDir(), "ado")
	os.MkdirAll(filepath.Join(ado, "threads"), 0o755)
	os.WriteFile(filepath.Join(s.bin, "curl"), []byte(adoStandIn), 0o755)
	s.env = append(s.env, "ADO_STATE="+ado)
	doc := load(t, "azure-pipelines.yml")
	values := map[string]string{
		"System.AccessToken":               "build-token",
		"Agent.TempDirectory":              s.tmp,
		"System.CollectionUri":             "https://dev.azure.com/example/",
		"System.TeamProject":               "policies",
		"Build.Repository.ID":              "0d3c1c2e-policies",
		"System.PullRequest.PullRequestId": "42",
	}
	vars := map[string]string{}
	for _, v := range doc["variables"].([]any) {
		if m, ok := v.(map[string]any); ok && m["name"] != nil {
			vars[toString(m["name"])] = toString(m["value"])
		}
	}
	shell := []string{"bash", "--noprofile", "--norc", "-c"}
	// run runs one job's script steps and AzureCLI@2 inline scripts, the
	// latter signed in to the fake rather than through the connection.
	run := func(stage, job string) string {
		var out strings.Builder
		for _, st := range doc["stages"].([]any) {
			if st.(map[string]any)["stage"] != stage {
				continue
			}
			for _, jb := range st.(map[string]any)["jobs"].([]any) {
				j := jb.(map[string]any)
				if j["job"] != job && j["deployment"] != job {
					continue
				}
				steps, _ := j["steps"].([]any)
				if j["deployment"] != nil {
					steps = j["strategy"].(map[string]any)["runOnce"].(map[string]any)["deploy"].(map[string]any)["steps"].([]any)
				}
				for _, sp := range steps {
					step := sp.(map[string]any)
					script, ok := step["script"].(string)
					if !ok && step["task"] == "AzureCLI@2" {
						script, ok = stringMap(step["inputs"])["inlineScript"], true
					}
					if !ok {
						continue
					}
					env := map[string]string{}
					for k, v := range vars {
						env[k] = v
					}
					for k, v := range stringMap(step["env"]) {
						env[k] = s.expand(azureExpr, v, values)
					}
					if step["task"] == "AzureCLI@2" {
						script = deployOn(g, script, env)
					}
					out.WriteString(s.step(toString(step["displayName"]), shell, s.expand(azureExpr, script, values), env))
				}
			}
		}
		return out.String()
	}
	for _, st := range doc["stages"].([]any) {
		if m := st.(map[string]any); m["stage"] == "apply" && (m["lockBehavior"] != "sequential" || m["dependsOn"] != "publish") {
			t.Errorf("apply stage: lockBehavior %v, dependsOn %v; want sequential, after publish", m["lockBehavior"], m["dependsOn"])
		}
	}

	threads := filepath.Join(ado, "threads")
	quoted := `{"id": 1, "status": 1, "comments": [{"id": 1, "content": "<!-- mdmforge plan -->\nquoted by a reviewer", "author": {"displayName": "Ada"}}]}`
	os.WriteFile(filepath.Join(threads, "1"), []byte(quoted), 0o644)

	out := run("review", "plan")
	if !strings.Contains(out, "##vso[task.uploadsummary]") {
		t.Errorf("the plan was not attached to the run summary:\n%s", out)
	}
	if g.Writes() != 0 {
		t.Errorf("plan wrote to the tenant: %v", g.Requests())
	}
	comment := func() string {
		var thread struct {
			Comments []struct{ Content string }
		}
		data, err := os.ReadFile(filepath.Join(threads, "2"))
		if err != nil {
			t.Fatalf("no plan thread was created: %v", err)
		}
		if err := json.Unmarshal(data, &thread); err != nil || len(thread.Comments) != 1 {
			t.Fatalf("thread 2: %v\n%s", err, data)
		}
		return thread.Comments[0].Content
	}
	first := comment()
	if !strings.HasPrefix(first, "<!-- mdmforge plan -->\n") || !strings.Contains(strings.ToLower(first), "create") {
		t.Errorf("the plan thread does not show the creates:\n%s", first)
	}
	s.sh(s.work, rename)
	run("review", "plan")
	if second := comment(); !strings.Contains(second, "Work Contacts (iOS)") {
		t.Errorf("the plan thread was not updated by the second run:\n%s", second)
	}
	calls, _ := os.ReadFile(filepath.Join(ado, "calls.log"))
	var writes []string
	for _, c := range strings.Split(strings.TrimSpace(string(calls)), "\n") {
		if !strings.HasPrefix(c, "GET ") {
			writes = append(writes, c)
		}
	}
	const api = "https://dev.azure.com/example/policies/_apis/git/repositories/0d3c1c2e-policies/pullRequests/42/threads"
	want := []string{"POST " + api + "?api-version=7.1", "PATCH " + api + "/2/comments/1?api-version=7.1"}
	if strings.Join(writes, "\n") != strings.Join(want, "\n") {
		t.Errorf("two runs wrote\n%s\nwant one thread created and then updated:\n%s", strings.Join(writes, "\n"), strings.Join(want, "\n"))
	}
	if b, _ := os.ReadFile(filepath.Join(threads, "1")); string(b) != quoted {
		t.Errorf("the reviewer's thread was edited:\n%s", b)
	}
	if strings.Contains(string(calls), "build-token") {
		t.Error("the build's token reached curl's command line")
	}

	s.sh(s.work, "git checkout --quiet main && git merge --quiet --ff-only change")
	run("apply", "apply")
	objs := created(g)
	if len(objs) == 0 {
		t.Fatalf("apply created nothing: %v", g.Requests())
	}
	g.ResetLog()
	run("apply", "apply")
	if w := g.Writes(); w != 0 {
		t.Errorf("a second apply with nothing changed made %d writes: %v", w, g.Requests())
	}
}
