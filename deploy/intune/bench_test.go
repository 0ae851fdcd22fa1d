package intune

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/internal/fakegraph"
	"github.com/mdmforge/mdmforge/profiles"
)

// fiftyPolicies are 50 policies of distinct identifiers and names; host
// picks their Exchange host, so that two sets differ in every profile.
func fiftyPolicies(t testing.TB, host string) []*profiles.Policy {
	ps := make([]*profiles.Policy, 50)
	for i := range ps {
		ps[i] = policy(t, fmt.Sprintf("p%02d.yaml", i),
			"name: contacts", fmt.Sprintf("name: contacts%02d", i),
			"identifier: com.example.mdm.contacts", fmt.Sprintf("identifier: com.example.mdm.contacts%02d", i),
			"display_name: Work Contacts", fmt.Sprintf("display_name: Work Contacts %02d", i),
			"host: outlook.office365.com", "host: "+host)
	}
	return ps
}

// listCounts counts, for each collection path, the first pages listed
// (requests without $skiptoken) and all pages.
func listCounts(reqs []fakegraph.Request) (first, pages map[string]int) {
	first, pages = map[string]int{}, map[string]int{}
	for _, r := range reqs {
		if r.Method != "GET" {
			continue
		}
		path, query, _ := strings.Cut(r.Path, "?")
		pages[path]++
		if q, _ := url.ParseQuery(query); q.Get("$skiptoken") == "" {
			first[path]++
		}
	}
	return first, pages
}

// TestPlanReadsEachCollectionOnce: planning 50 policies lists each
// collection once (its later pages aside) and reads nothing per object
// but the assignments of the objects it matched.
func TestPlanReadsEachCollectionOnce(t *testing.T) {
	e := newEnv(t, fakegraph.Options{PageSize: 40}).tenant()
	ps := fiftyPolicies(t, "outlook.office365.com")
	e.apply(ps, Options{})
	e.srv.ResetLog()
	p := e.plan(ps, Options{})
	if p.Changed() {
		t.Fatalf("the plan changes:\n%s", render(t, p, "text"))
	}
	first, pages := listCounts(e.srv.Requests())
	for _, c := range []string{"/v1.0/" + collCompliance, "/beta/" + collAppConfigs, "/beta/" + collManagedApps, "/v1.0/" + collConfigurations, "/beta/" + collMobileApps} {
		if first[c] != 1 {
			t.Errorf("%s listed %d times, want once", c, first[c])
		}
	}
	objects := len(p.Steps) // 5 per policy; their assignments come with the lists
	assignments := 0
	for path, n := range first {
		if strings.HasSuffix(path, "/assignments") {
			assignments += n
		}
	}
	if assignments != 0 {
		t.Errorf("%d assignment reads, want none: the lists expand them", assignments)
	}
	total := 0
	for _, n := range pages {
		total += n
	}
	// Two groups, the apps, four collections with their pages: nothing
	// else.
	if want := 2 + pages["/beta/"+collMobileApps] + pages["/v1.0/"+collCompliance] + pages["/beta/"+collAppConfigs] +
		pages["/beta/"+collManagedApps] + pages["/v1.0/"+collConfigurations]; total != want {
		t.Errorf("%d requests, want %d: %v", total, want, pages)
	}
	t.Logf("planning 50 policies (%d objects): %d requests", objects, total)
}

func BenchmarkPlan50(b *testing.B) {
	e := newEnv(b, fakegraph.Options{PageSize: 100}).tenant()
	ps := fiftyPolicies(b, "outlook.office365.com")
	e.apply(ps, Options{})
	e.srv.ResetLog()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Plan(context.Background(), e.g, ps, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(e.srv.Requests()))/float64(b.N), "requests/op")
	b.ReportMetric(float64(e.srv.Writes())/float64(b.N), "writes/op")
}

// BenchmarkApply50Changes applies 50 policies whose profiles all changed
// since the last apply: 50 PATCHes of the custom profile, each read back.
func BenchmarkApply50Changes(b *testing.B) {
	e := newEnv(b, fakegraph.Options{PageSize: 100}).tenant()
	sets := [2][]*profiles.Policy{fiftyPolicies(b, "outlook.office365.com"), fiftyPolicies(b, "mail.example.com")}
	e.apply(sets[0], Options{})
	e.srv.ResetLog()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		i++
		if _, err := Apply(context.Background(), e.g, sets[i%2], nil, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(e.srv.Requests()))/float64(b.N), "requests/op")
	b.ReportMetric(float64(e.srv.Writes())/float64(b.N), "writes/op")
}

// BenchmarkPlan50Changes plans 50 policies whose profiles all changed:
// as many requests as with no change, each payload decoded and diffed.
func BenchmarkPlan50Changes(b *testing.B) {
	e := newEnv(b, fakegraph.Options{PageSize: 100}).tenant()
	e.apply(fiftyPolicies(b, "outlook.office365.com"), Options{})
	changed := fiftyPolicies(b, "mail.example.com")
	e.srv.ResetLog()
	b.ResetTimer()
	for b.Loop() {
		p, err := Plan(context.Background(), e.g, changed, Options{})
		if err != nil || p.Counts()[deploy.Update] != 50 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(e.srv.Requests()))/float64(b.N), "requests/op")
	b.ReportMetric(float64(e.srv.Writes())/float64(b.N), "writes/op")
}

// BenchmarkApply50NoChanges applies 50 policies the tenant already has:
// the plan's reads and no write.
func BenchmarkApply50NoChanges(b *testing.B) {
	e := newEnv(b, fakegraph.Options{PageSize: 100}).tenant()
	ps := fiftyPolicies(b, "outlook.office365.com")
	e.apply(ps, Options{})
	e.srv.ResetLog()
	b.ResetTimer()
	for b.Loop() {
		if r, err := Apply(context.Background(), e.g, ps, nil, Options{}); err != nil || r.Writes != 0 {
			b.Fatal(err, r)
		}
	}
	b.ReportMetric(float64(len(e.srv.Requests()))/float64(b.N), "requests/op")
	b.ReportMetric(float64(e.srv.Writes())/float64(b.N), "writes/op")
}
