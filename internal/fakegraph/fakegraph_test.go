package fakegraph

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

const token = "test-token"

// call sends one request and returns the status and decoded answer (nil
// for an empty one).
func call(t testing.TB, s *Server, method, path string, body any) (int, map[string]any) {
	t.Helper()
	status, b, _ := raw(t, s, method, path, body, token)
	if len(b) == 0 {
		return status, nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, path, err, b)
	}
	return status, m
}

func raw(t testing.TB, s *Server, method, path string, body any, tok string) (int, []byte, http.Header) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = s.URL + path
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b, resp.Header
}

// errorMessage returns Graph's error message of an answer.
func errorMessage(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	msg, _ := e["message"].(string)
	return msg
}

func wantError(t *testing.T, s *Server, method, path string, body any, status int, contains string) {
	t.Helper()
	got, m := call(t, s, method, path, body)
	if got != status || !strings.Contains(errorMessage(m), contains) {
		t.Errorf("%s %s: got %d %q, want %d with %q", method, path, got, errorMessage(m), status, contains)
	}
	e, _ := m["error"].(map[string]any)
	inner, _ := e["innerError"].(map[string]any)
	if inner["request-id"] == nil || e["code"] == nil {
		t.Errorf("%s %s: error without Graph's shape (code, innerError.request-id): %v", method, path, m)
	}
}

func newServer(t *testing.T, o Options) *Server {
	t.Helper()
	if o.Token == "" {
		o.Token = token
	}
	s := New(o)
	t.Cleanup(s.Close)
	return s
}

const configs = "/beta/deviceManagement/deviceConfigurations"

func customProfile(name string) map[string]any {
	return map[string]any{
		"@odata.type":     "#microsoft.graph.iosCustomConfiguration",
		"displayName":     name,
		"description":     "[mdmforge:test]",
		"payloadName":     name,
		"payloadFileName": "p.mobileconfig",
		"payload":         "cGF5bG9hZA==",
	}
}

func TestCRUD(t *testing.T) {
	s := newServer(t, Options{})
	status, created := call(t, s, "POST", configs, customProfile("Contacts"))
	if status != http.StatusCreated {
		t.Fatalf("POST: %d %v", status, created)
	}
	id, _ := created["id"].(string)
	if id == "" || created["version"] != float64(1) || created["createdDateTime"] == nil ||
		created["supportsScopeTags"] != true || created["@odata.type"] != "#microsoft.graph.iosCustomConfiguration" {
		t.Errorf("POST answer lacks server-set properties: %v", created)
	}
	if tags, _ := created["roleScopeTagIds"].([]any); len(tags) != 1 || tags[0] != "0" {
		t.Errorf("roleScopeTagIds = %v, want [0] on beta", created["roleScopeTagIds"])
	}
	// Every declared property comes back, those never set with a default.
	for k, want := range map[string]any{"deviceManagementApplicabilityRuleOsEdition": nil} {
		if v, ok := created[k]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", k, v, ok, want)
		}
	}
	if _, ok := created["assignments"]; ok {
		t.Errorf("navigation property assignments returned without $expand")
	}
	if status, _ := call(t, s, "PATCH", configs+"/"+id, map[string]any{"@odata.type": "#microsoft.graph.iosCustomConfiguration", "displayName": "Renamed"}); status != http.StatusNoContent {
		t.Fatalf("PATCH: %d", status)
	}
	_, got := call(t, s, "GET", configs+"/"+id, nil)
	if got["displayName"] != "Renamed" || got["version"] != float64(2) || got["lastModifiedDateTime"] == created["lastModifiedDateTime"] {
		t.Errorf("after PATCH: %v", got)
	}
	if got["payload"] != "cGF5bG9hZA==" {
		t.Errorf("payload lost by PATCH: %v", got["payload"])
	}
	// v1.0 has no roleScopeTagIds on deviceConfiguration.
	_, v1 := call(t, s, "GET", "/v1.0/deviceManagement/deviceConfigurations/"+id, nil)
	if _, ok := v1["roleScopeTagIds"]; ok {
		t.Errorf("v1.0 GET returned beta-only roleScopeTagIds")
	}
	if status, _ := call(t, s, "DELETE", configs+"/"+id, nil); status != http.StatusNoContent {
		t.Fatalf("DELETE: %d", status)
	}
	wantError(t, s, "GET", configs+"/"+id, nil, http.StatusNotFound, "No deviceConfiguration")
}

func TestListFilterPaging(t *testing.T) {
	s := newServer(t, Options{})
	for _, n := range []string{"A", "B", "it's", "C", "A"} {
		if status, m := call(t, s, "POST", configs, customProfile(n)); status != http.StatusCreated {
			t.Fatalf("POST %s: %d %v", n, status, m)
		}
	}
	names := func(query string) ([]string, int) {
		var out []string
		pages := 0
		next := s.URL + configs + query
		for next != "" {
			status, m := call(t, s, "GET", next, nil)
			if status != http.StatusOK {
				t.Fatalf("GET %s: %d %v", next, status, m)
			}
			pages++
			for _, v := range m["value"].([]any) {
				out = append(out, v.(map[string]any)["displayName"].(string))
			}
			next, _ = m["@odata.nextLink"].(string)
			if next != "" && !strings.HasPrefix(next, s.URL+"/beta/") {
				t.Fatalf("nextLink %q is not absolute", next)
			}
		}
		return out, pages
	}
	all, pages := names("")
	if strings.Join(all, ",") != "A,B,it's,C,A" || pages != 3 {
		t.Errorf("list: %v in %d pages, want 5 in 3", all, pages)
	}
	as, _ := names("?$filter=displayName%20eq%20'A'")
	if len(as) != 2 {
		t.Errorf("filter A: %v", as)
	}
	q, _ := names("?$filter=displayName%20eq%20'it''s'")
	if len(q) != 1 {
		t.Errorf("filter it's: %v", q)
	}
	if a, _ := names("?$filter=displayName%20eq%20'a'"); len(a) != 0 {
		t.Errorf("Intune's eq compared without case: %v", a)
	}
	wantError(t, s, "GET", configs+"?$filter=startswith(displayName,'A')", nil, http.StatusBadRequest, "Invalid filter clause")
	wantError(t, s, "GET", configs+"?$top=1", nil, http.StatusBadRequest, "not supported")
	wantError(t, s, "GET", configs+"?$skiptoken=bogus", nil, http.StatusBadRequest, "$skiptoken")
}

func TestUnknownPath(t *testing.T) {
	s := newServer(t, Options{})
	wantError(t, s, "GET", "/v1.0/deviceManagement/deviceConfigurationz", nil, http.StatusNotFound, "Resource not found for the segment 'deviceConfigurationz'")
	wantError(t, s, "GET", "/v1.0/nothing", nil, http.StatusNotFound, "Resource not found for the segment 'nothing'")
	wantError(t, s, "GET", "/v1.0/identity/nothing", nil, http.StatusNotFound, "Resource not found for the segment 'nothing'")
	wantError(t, s, "GET", "/v1.0/identity/conditionalAccess/namedLocations", nil, http.StatusNotFound, "segment 'namedLocations'")
	wantError(t, s, "GET", "/v1.0/identity", nil, http.StatusNotFound, "segment 'identity'")
	wantError(t, s, "GET", "/v1.0/groups/x/members/y", nil, http.StatusNotFound, "")
}

func TestAssignReplacesTheWholeSet(t *testing.T) {
	s := newServer(t, Options{})
	a, b := s.AddGroup("Sales"), s.AddGroup("Support")
	_, obj := call(t, s, "POST", configs, customProfile("P"))
	id := obj["id"].(string)
	target := func(typ, group string) map[string]any {
		return map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph." + typ, "groupId": group}}
	}
	status, m := call(t, s, "POST", configs+"/"+id+"/assign", map[string]any{"assignments": []any{
		target("groupAssignmentTarget", a), target("groupAssignmentTarget", a), target("exclusionGroupAssignmentTarget", b)}})
	if status != http.StatusOK || len(m["value"].([]any)) != 2 {
		t.Fatalf("assign: %d %v (want 200 and the duplicate dropped)", status, m)
	}
	status, m = call(t, s, "POST", configs+"/"+id+"/assign", map[string]any{"assignments": []any{target("groupAssignmentTarget", b)}})
	if status != http.StatusOK {
		t.Fatalf("second assign: %d %v", status, m)
	}
	_, list := call(t, s, "GET", configs+"/"+id+"/assignments", nil)
	got := list["value"].([]any)
	if len(got) != 1 || got[0].(map[string]any)["target"].(map[string]any)["groupId"] != b {
		t.Errorf("assignments after a second /assign: %v, want only Support's", got)
	}
	if _, o := call(t, s, "GET", configs+"/"+id, nil); o["isAssigned"] != nil {
		// deviceConfiguration has no isAssigned; a managed app configuration does.
		t.Errorf("isAssigned on a deviceConfiguration: %v", o["isAssigned"])
	}
	wantError(t, s, "POST", configs+"/"+id+"/assign", map[string]any{"assignments": []any{target("groupAssignmentTarget", "nope")}}, http.StatusBadRequest, "no group with id")
	wantError(t, s, "POST", configs+"/"+id+"/assign", map[string]any{"assignments": []any{map[string]any{"target": map[string]any{"groupId": a}}}}, http.StatusBadRequest, "abstract")
	wantError(t, s, "POST", configs+"/"+id+"/assign", map[string]any{"assignments": []any{}, "extra": 1}, http.StatusBadRequest, "not a valid parameter")
	_, exp := call(t, s, "GET", configs+"/"+id+"?$expand=assignments", nil)
	if len(exp["assignments"].([]any)) != 1 {
		t.Errorf("$expand=assignments: %v", exp["assignments"])
	}
}

const compliance = "/v1.0/deviceManagement/deviceCompliancePolicies"

func compliancePolicy(blocks int) map[string]any {
	var cfgs []any
	for range blocks {
		cfgs = append(cfgs, map[string]any{"actionType": "block", "gracePeriodHours": 0, "notificationTemplateId": ""})
	}
	return map[string]any{
		"@odata.type":      "#microsoft.graph.iosCompliancePolicy",
		"displayName":      "Compliance",
		"osMinimumVersion": "13.0",
		"scheduledActionsForRule": []any{map[string]any{
			"ruleName": "PasswordRequired", "scheduledActionConfigurations": cfgs}},
	}
}

func TestComplianceBlockAction(t *testing.T) {
	s := newServer(t, Options{})
	wantError(t, s, "POST", compliance, compliancePolicy(0), http.StatusBadRequest, "one and only one block scheduled action")
	wantError(t, s, "POST", compliance, compliancePolicy(2), http.StatusBadRequest, "one and only one block scheduled action")
	noRules := compliancePolicy(1)
	delete(noRules, "scheduledActionsForRule")
	wantError(t, s, "POST", compliance, noRules, http.StatusBadRequest, "one and only one block scheduled action")
	status, m := call(t, s, "POST", compliance, compliancePolicy(1))
	if status != http.StatusCreated {
		t.Fatalf("POST: %d %v", status, m)
	}
	id := m["id"].(string)
	if _, ok := m["scheduledActionsForRule"]; ok {
		t.Errorf("a navigation property in the create's answer")
	}
	_, plain := call(t, s, "GET", compliance+"/"+id, nil)
	if _, ok := plain["scheduledActionsForRule"]; ok {
		t.Errorf("plain GET returned scheduledActionsForRule")
	}
	_, exp := call(t, s, "GET", compliance+"/"+id+"?$expand=scheduledActionsForRule($expand=scheduledActionConfigurations)", nil)
	rules, _ := exp["scheduledActionsForRule"].([]any)
	if len(rules) != 1 {
		t.Fatalf("expanded rules: %v", exp)
	}
	cfgs := rules[0].(map[string]any)["scheduledActionConfigurations"].([]any)
	if len(cfgs) != 1 || cfgs[0].(map[string]any)["actionType"] != "block" {
		t.Errorf("expanded configurations: %v", cfgs)
	}
	_, shallow := call(t, s, "GET", compliance+"/"+id+"?$expand=scheduledActionsForRule", nil)
	if _, ok := shallow["scheduledActionsForRule"].([]any)[0].(map[string]any)["scheduledActionConfigurations"]; ok {
		t.Errorf("configurations returned without the inner $expand")
	}
	wantError(t, s, "PATCH", compliance+"/"+id, map[string]any{"@odata.type": "#microsoft.graph.iosCompliancePolicy",
		"scheduledActionsForRule": compliancePolicy(1)["scheduledActionsForRule"]}, http.StatusBadRequest, "navigation property")
	next := compliancePolicy(1)["scheduledActionsForRule"].([]any)
	next[0].(map[string]any)["scheduledActionConfigurations"].([]any)[0].(map[string]any)["gracePeriodHours"] = 24
	status, _ = call(t, s, "POST", compliance+"/"+id+"/scheduleActionsForRules", map[string]any{"deviceComplianceScheduledActionForRules": next})
	if status != http.StatusNoContent {
		t.Fatalf("scheduleActionsForRules: %d", status)
	}
	_, exp = call(t, s, "GET", compliance+"/"+id+"?$expand=scheduledActionsForRule($expand=scheduledActionConfigurations)", nil)
	cfg := exp["scheduledActionsForRule"].([]any)[0].(map[string]any)["scheduledActionConfigurations"].([]any)[0].(map[string]any)
	if cfg["gracePeriodHours"] != float64(24) {
		t.Errorf("after scheduleActionsForRules: %v", cfg)
	}
	wantError(t, s, "POST", compliance+"/"+id+"/scheduleActionsForRules", map[string]any{"deviceComplianceScheduledActionForRules": []any{}}, http.StatusBadRequest, "one and only one")
	wantError(t, s, "GET", compliance+"?$expand=deviceStatuses", nil, http.StatusBadRequest, "deviceStatuses")
}

const (
	mobileAppConfigs  = "/v1.0/deviceAppManagement/mobileAppConfigurations"
	managedAppConfigs = "/v1.0/deviceAppManagement/targetedManagedAppConfigurations"
	outlookBundle     = "com.microsoft.Office.Outlook"
)

func TestMobileAppConfigurationNamesTenantApps(t *testing.T) {
	s := newServer(t, Options{})
	app := s.AddApp("iosStoreApp", "Microsoft Outlook", outlookBundle)
	body := map[string]any{
		"@odata.type":        "#microsoft.graph.iosMobileAppConfiguration",
		"displayName":        "Outlook",
		"targetedMobileApps": []any{"00000000-0000-4000-8000-00000000ffff"},
		"settings":           []any{map[string]any{"appConfigKey": "k", "appConfigKeyType": "stringType", "appConfigKeyValue": "v"}},
	}
	wantError(t, s, "POST", mobileAppConfigs, body, http.StatusBadRequest, "no mobile app with id")
	body["targetedMobileApps"] = []any{app}
	status, m := call(t, s, "POST", mobileAppConfigs, body)
	if status != http.StatusCreated {
		t.Fatalf("POST: %d %v", status, m)
	}
	id := m["id"].(string)
	group := s.AddGroup("All iOS")
	status, _ = call(t, s, "POST", mobileAppConfigs+"/"+id+"/assign", map[string]any{"assignments": []any{
		map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group}}}})
	if status != http.StatusNoContent {
		t.Errorf("assign on a mobileAppConfiguration: %d, want 204 as Graph documents", status)
	}
}

func TestManagedAppConfigurationApps(t *testing.T) {
	s := newServer(t, Options{})
	apps := []any{map[string]any{"mobileAppIdentifier": map[string]any{
		"@odata.type": "#microsoft.graph.iosMobileAppIdentifier", "bundleId": "com.microsoft.office.outlook"}}}
	body := map[string]any{
		"@odata.type":    "#microsoft.graph.targetedManagedAppConfiguration",
		"displayName":    "Outlook MAM",
		"customSettings": []any{map[string]any{"name": "com.microsoft.outlook.Contacts.LocalSyncEnabled", "value": "false"}},
	}
	status, m := call(t, s, "POST", managedAppConfigs, body)
	if status != http.StatusCreated || m["deployedAppCount"] != float64(0) || m["isAssigned"] != false {
		t.Fatalf("POST: %d %v", status, m)
	}
	id := m["id"].(string)
	wantError(t, s, "PATCH", managedAppConfigs+"/"+id, map[string]any{"@odata.type": "#microsoft.graph.targetedManagedAppConfiguration", "apps": apps}, http.StatusBadRequest, "/targetApps")
	status, _ = call(t, s, "POST", managedAppConfigs+"/"+id+"/targetApps", map[string]any{"apps": apps, "appGroupType": "selectedPublicApps"})
	if status != http.StatusNoContent {
		t.Fatalf("targetApps: %d", status)
	}
	_, list := call(t, s, "GET", managedAppConfigs+"/"+id+"/apps", nil)
	if v := list["value"].([]any); len(v) != 1 || v[0].(map[string]any)["id"] != "com.microsoft.office.outlook.ios" {
		t.Errorf("apps: %v", list)
	}
	_, got := call(t, s, "GET", managedAppConfigs+"/"+id+"?$expand=apps", nil)
	if len(got["apps"].([]any)) != 1 || got["deployedAppCount"] != float64(1) {
		t.Errorf("$expand=apps: %v", got)
	}
	if _, plain := call(t, s, "GET", managedAppConfigs+"/"+id, nil); plain["apps"] != nil {
		t.Errorf("apps returned without $expand")
	}
	wantError(t, s, "POST", managedAppConfigs+"/"+id+"/targetApps", map[string]any{"apps": apps, "appGroupType": "some"}, http.StatusBadRequest, "appGroupType")
	group := s.AddGroup("Everyone")
	status, _ = call(t, s, "POST", managedAppConfigs+"/"+id+"/assign", map[string]any{"assignments": []any{
		map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group}}}})
	if status != http.StatusNoContent {
		t.Errorf("assign on a targetedManagedAppConfiguration: %d, want 204 as Graph documents", status)
	}
	if _, got := call(t, s, "GET", managedAppConfigs+"/"+id, nil); got["isAssigned"] != true {
		t.Errorf("isAssigned after /assign: %v", got["isAssigned"])
	}
	// Created with inline apps, as Graph's create documentation shows.
	body["apps"] = apps
	if status, m := call(t, s, "POST", managedAppConfigs, body); status != http.StatusCreated || m["deployedAppCount"] != float64(1) {
		t.Errorf("POST with inline apps: %d %v", status, m)
	}
}

func TestMobileAppsIsof(t *testing.T) {
	s := newServer(t, Options{})
	s.AddApp("iosStoreApp", "Outlook", outlookBundle)
	s.AddApp("iosVppApp", "Outlook VPP", outlookBundle)
	s.AddApp("androidManagedStoreApp", "Outlook Android", "com.microsoft.office.outlook")
	count := func(path string) int {
		n := 0
		for next := s.URL + path; next != ""; {
			status, m := call(t, s, "GET", next, nil)
			if status != http.StatusOK {
				t.Fatalf("GET %s: %d %v", next, status, m)
			}
			n += len(m["value"].([]any))
			next, _ = m["@odata.nextLink"].(string)
		}
		return n
	}
	if n := count("/beta/deviceAppManagement/mobileApps?$filter=isof('microsoft.graph.iosStoreApp')%20or%20isof('microsoft.graph.iosVppApp')"); n != 2 {
		t.Errorf("iOS apps: %d, want 2", n)
	}
	if n := count("/beta/deviceAppManagement/mobileApps"); n != 3 {
		t.Errorf("all apps: %d, want 3", n)
	}
	if n := count("/v1.0/deviceAppManagement/mobileApps?$filter=isof('microsoft.graph.mobileApp')"); n != 3 {
		// v1.0 lacks androidManagedStoreApp: shown as a mobileApp, it still is one.
		t.Errorf("v1.0 mobileApps: %d, want 3", n)
	}
	wantError(t, s, "GET", "/v1.0/deviceAppManagement/mobileApps?$filter=isof('microsoft.graph.androidManagedStoreApp')", nil, http.StatusBadRequest, "androidManagedStoreApp")
	wantError(t, s, "POST", "/beta/deviceAppManagement/mobileApps", map[string]any{"@odata.type": "#microsoft.graph.iosStoreApp"}, http.StatusMethodNotAllowed, "")
}

func TestGroups(t *testing.T) {
	s := newServer(t, Options{})
	id := s.AddGroup("Sales")
	s.AddGroup("sales")
	_, m := call(t, s, "GET", "/v1.0/groups?$filter=displayName%20eq%20'SALES'", nil)
	if v := m["value"].([]any); len(v) != 2 {
		t.Errorf("Entra ID compares names without case: got %d groups", len(v))
	}
	_, g := call(t, s, "GET", "/v1.0/groups/"+id, nil)
	if g["displayName"] != "Sales" || g["securityEnabled"] != true {
		t.Errorf("group: %v", g)
	}
	wantError(t, s, "GET", "/v1.0/groups/00000000-0000-0000-0000-000000000000", nil, http.StatusNotFound, "does not exist")
	s.AddGroup("Support")
	_, m = call(t, s, "GET", "/v1.0/groups?$filter=startswith(displayName,'sal')&$select=id,displayName", nil)
	if v := m["value"].([]any); len(v) != 2 || len(v[0].(map[string]any)) != 2 {
		t.Errorf("startswith on groups, with $select: %v", v)
	}
	wantError(t, s, "GET", configs+"?$filter=startswith(displayName,'P')", nil, http.StatusBadRequest, "Invalid filter clause")
}

func TestConditionalAccess(t *testing.T) {
	s := newServer(t, Options{})
	const path = "/v1.0/identity/conditionalAccess/policies"
	body := map[string]any{
		"displayName": "Require compliant iOS",
		"state":       "enabledForReportingButNotEnforced",
		"conditions": map[string]any{
			"applications": map[string]any{"includeApplications": []any{"00000002-0000-0ff1-ce00-000000000000"}},
			"platforms":    map[string]any{"includePlatforms": []any{"iOS"}},
			"users":        map[string]any{"includeGroups": []any{"g"}},
		},
		"grantControls": map[string]any{"operator": "OR", "builtInControls": []any{"compliantDevice"}},
	}
	status, m := call(t, s, "POST", path, body)
	if status != http.StatusCreated {
		t.Fatalf("POST: %d %v", status, m)
	}
	id := m["id"].(string)
	if _, ok := m["@odata.type"]; ok {
		t.Errorf("a conditionalAccessPolicy carries @odata.type in its answer")
	}
	body["conditions"].(map[string]any)["platforms"].(map[string]any)["includePlatform"] = []any{"iOS"}
	wantError(t, s, "POST", path, body, http.StatusBadRequest, "includePlatform")
	if status, _ := call(t, s, "PATCH", path+"/"+id, map[string]any{"@odata.type": "#microsoft.graph.conditionalAccessPolicy", "state": "enabled"}); status != http.StatusNoContent {
		t.Errorf("PATCH: %d", status)
	}
	// A concrete type needs no @odata.type.
	if status, m := call(t, s, "PATCH", path+"/"+id, map[string]any{"state": "disabled"}); status != http.StatusNoContent {
		t.Errorf("PATCH without @odata.type: %d %v", status, m)
	}
	if status, _ := call(t, s, "DELETE", path+"/"+id, nil); status != http.StatusNoContent {
		t.Errorf("DELETE: %d", status)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Concurrent requests each get their own id; run with -race.
func TestConcurrentRequests(t *testing.T) {
	s := newServer(t, Options{})
	done := make(chan string)
	for i := range 8 {
		go func() {
			status, b, _ := raw(t, s, "POST", configs, customProfile(string(rune('A'+i))), token)
			if status != http.StatusCreated {
				done <- ""
				return
			}
			var m map[string]any
			json.Unmarshal(b, &m)
			id, _ := m["id"].(string)
			done <- id
		}()
	}
	ids := map[string]bool{}
	for range 8 {
		ids[<-done] = true
	}
	if len(ids) != 8 || ids[""] || len(s.Objects(pathDeviceConfigurations)) != 8 {
		t.Errorf("ids %v", ids)
	}
}

func TestScopeTags(t *testing.T) {
	s := newServer(t, Options{})
	if id := s.AddScopeTag("Region A"); id != "1" {
		t.Errorf("AddScopeTag = %q, want Intune's next small integer 1", id)
	}
	_, m := call(t, s, "GET", "/beta/deviceManagement/roleScopeTags?$filter=displayName%20eq%20'Region%20A'", nil)
	if v := m["value"].([]any); len(v) != 1 || v[0].(map[string]any)["id"] != "1" {
		t.Errorf("scope tags: %v", m)
	}
	_, m = call(t, s, "GET", "/beta/deviceManagement/roleScopeTags/0", nil)
	if m["displayName"] != "Default" || m["isBuiltIn"] != true {
		t.Errorf("built-in tag: %v", m)
	}
	wantError(t, s, "GET", "/v1.0/deviceManagement/roleScopeTags", nil, http.StatusNotFound, "segment 'roleScopeTags'")
}

func TestUpdate(t *testing.T) {
	s := newServer(t, Options{})
	id := s.Seed("beta", DeviceConfigurations, customProfile("P"))
	before := string(s.State())
	if !s.Update(DeviceConfigurations, id, map[string]any{"displayName": "Changed in the portal", "description": nil}) {
		t.Fatal("Update: object not found")
	}
	o := s.Objects(DeviceConfigurations)[0]
	if o["displayName"] != "Changed in the portal" || o["description"] != nil || o["version"] != 2 {
		t.Errorf("after Update: %v", o)
	}
	if string(s.State()) == before {
		t.Errorf("Update did not change State")
	}
	if s.Update(DeviceConfigurations, "nope", nil) || s.Update("nope", id, nil) {
		t.Errorf("Update of nothing reported success")
	}
}
