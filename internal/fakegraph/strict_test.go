package fakegraph

import (
	"net/http"
	"strings"
	"testing"
)

// Each case is a request a lax fake would accept and Graph refuses.
func TestStrictness(t *testing.T) {
	s := newServer(t, Options{})
	_, obj := call(t, s, "POST", configs, customProfile("P"))
	item := configs + "/" + obj["id"].(string)
	restrictions := func(props map[string]any) map[string]any {
		m := map[string]any{"@odata.type": "#microsoft.graph.iosGeneralDeviceConfiguration", "displayName": "R"}
		for k, v := range props {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name, method, path string
		body               any
		status             int
		contains           string
	}{
		{"unknown property", "POST", configs, restrictions(map[string]any{"allowContactsSync": true}), 400, "has no property allowContactsSync"},
		{"beta-only property to v1.0", "POST", "/v1.0/deviceManagement/deviceConfigurations",
			restrictions(map[string]any{"contactsAllowManagedToUnmanagedWrite": false}), 400, "contactsAllowManagedToUnmanagedWrite"},
		{"beta-only type to v1.0", "POST", "/v1.0/deviceManagement/deviceConfigurations",
			map[string]any{"@odata.type": "#microsoft.graph.iosEasEmailProfileConfiguration", "displayName": "E"}, 400, "does not exist in Graph v1.0"},
		{"create without @odata.type", "POST", configs, map[string]any{"displayName": "X"}, 400, "Cannot create an abstract class."},
		{"create of another collection's type", "POST", configs, map[string]any{"@odata.type": "#microsoft.graph.iosCompliancePolicy", "displayName": "X"}, 400, "is not a deviceConfiguration"},
		{"PATCH without @odata.type", "PATCH", item, map[string]any{"displayName": "X"}, 400, "Cannot create an abstract class."},
		{"empty PATCH", "PATCH", item, map[string]any{"@odata.type": "#microsoft.graph.iosCustomConfiguration"}, 400, "Invalid patch, at least 1 property must be changed"},
		{"PATCH of id", "PATCH", item, map[string]any{"@odata.type": "#microsoft.graph.iosCustomConfiguration", "id": "x", "displayName": "Y"}, 400, "id is set by the service"},
		{"PATCH of version", "PATCH", item, map[string]any{"@odata.type": "#microsoft.graph.iosCustomConfiguration", "version": 7}, 400, "version is set by the service"},
		{"PATCH of createdDateTime", "PATCH", item, map[string]any{"@odata.type": "#microsoft.graph.iosCustomConfiguration", "createdDateTime": "2020-01-01T00:00:00Z"}, 400, "createdDateTime"},
		{"PATCH of lastModifiedDateTime", "PATCH", item, map[string]any{"@odata.type": "#microsoft.graph.iosCustomConfiguration", "lastModifiedDateTime": "2020-01-01T00:00:00Z"}, 400, "lastModifiedDateTime"},
		{"PATCH to another type", "PATCH", item, map[string]any{"@odata.type": "#microsoft.graph.iosGeneralDeviceConfiguration", "displayName": "Y"}, 400, "does not match"},
		{"PATCH of assignments", "PATCH", item, map[string]any{"@odata.type": "#microsoft.graph.iosCustomConfiguration", "assignments": []any{}}, 400, "use /assign"},
		{"a string for a boolean", "POST", configs, restrictions(map[string]any{"airDropForceUnmanagedDropTarget": "true"}), 400, "want true or false"},
		{"payload not base64", "POST", configs, map[string]any{"@odata.type": "#microsoft.graph.iosCustomConfiguration", "displayName": "P", "payload": "<plist>"}, 400, "want base64"},
		{"a number for a string", "POST", configs, restrictions(map[string]any{"displayName": 3}), 400, "want a JSON string"},
		{"not JSON", "POST", configs, "{", 400, "JSON content expected"},
		{"two JSON values", "POST", configs, `{"@odata.type":"#microsoft.graph.iosCustomConfiguration"} {}`, 400, "more than one JSON value"},
		{"body over 4 MiB", "POST", configs, `{"displayName":"` + strings.Repeat("a", 4<<20) + `"}`, 413, "larger than"},
		{"query option on a write", "POST", configs + "?$filter=displayName%20eq%20'x'", customProfile("Q"), 400, "not allowed on POST"},
		{"a version Graph has not", "GET", "/v2.0/deviceManagement/deviceConfigurations", nil, 400, "Invalid version"},
		{"PUT", "PUT", item, customProfile("P"), 405, "for method PUT"},
		{"inline assignments on create", "POST", configs, func() map[string]any {
			m := customProfile("A")
			m["assignments"] = []any{}
			return m
		}(), 400, "navigation property 'assignments' cannot be set"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := string(s.State())
			wantError(t, s, c.method, c.path, c.body, c.status, c.contains)
			if after := string(s.State()); after != before {
				t.Errorf("a refused request changed the tenant:\n%s", after)
			}
		})
	}
}

func TestContentTypeRequired(t *testing.T) {
	s := newServer(t, Options{})
	req, _ := http.NewRequest("POST", s.URL+configs, strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "text/plain")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain body: %d, want 415", resp.StatusCode)
	}
}

func TestAuthentication(t *testing.T) {
	s := newServer(t, Options{})
	for _, tok := range []string{"", "wrong"} {
		status, b, h := raw(t, s, "GET", configs, nil, tok)
		if status != http.StatusUnauthorized || !strings.Contains(string(b), "InvalidAuthenticationToken") || h.Get("request-id") == "" {
			t.Errorf("token %q: %d %s", tok, status, b)
		}
	}
	lax := New(Options{})
	defer lax.Close()
	if status, _, _ := raw(t, lax, "GET", configs, nil, "whatever"); status != http.StatusOK {
		t.Errorf("Options.Token empty: a non-empty token got %d", status)
	}
	if status, _, _ := raw(t, lax, "GET", configs, nil, ""); status != http.StatusUnauthorized {
		t.Errorf("Options.Token empty: no token got %d", status)
	}
	s.Deny(http.StatusForbidden)
	wantError(t, s, "GET", configs, nil, http.StatusForbidden, "Application must have one of the following scopes: DeviceManagementConfiguration.ReadWrite.All, DeviceManagementConfiguration.Read.All")
	wantError(t, s, "POST", "/v1.0/deviceAppManagement/targetedManagedAppConfigurations", map[string]any{}, http.StatusForbidden, "DeviceManagementApps.ReadWrite.All")
	wantError(t, s, "GET", "/v1.0/groups", nil, http.StatusForbidden, "Group.Read.All")
	_, m := call(t, s, "GET", configs, nil)
	if m["error"].(map[string]any)["code"] != "Forbidden" {
		t.Errorf("Deny(403) code: %v", m)
	}
	s.Deny(0)
	if status, _ := call(t, s, "GET", configs, nil); status != http.StatusOK {
		t.Errorf("after Deny(0): %d", status)
	}
	s.DenyWrites(http.StatusForbidden)
	if status, _ := call(t, s, "GET", configs, nil); status != http.StatusOK {
		t.Errorf("DenyWrites(403): a read got %d", status)
	}
	wantError(t, s, "POST", "/v1.0/deviceAppManagement/targetedManagedAppConfigurations", map[string]any{}, http.StatusForbidden, "scopes: DeviceManagementApps.ReadWrite.All")
	s.DenyWrites(0)
	if status, _ := call(t, s, "POST", "/v1.0/deviceAppManagement/targetedManagedAppConfigurations", map[string]any{}); status == http.StatusForbidden {
		t.Errorf("after DenyWrites(0): %d", status)
	}
}

func TestRequestIDs(t *testing.T) {
	s := newServer(t, Options{})
	_, _, h1 := raw(t, s, "GET", configs, nil, token)
	_, _, h2 := raw(t, s, "GET", configs, nil, token)
	if h1.Get("request-id") == "" || h1.Get("request-id") == h2.Get("request-id") {
		t.Errorf("request-ids %q, %q: want distinct, deterministic ids", h1.Get("request-id"), h2.Get("request-id"))
	}
	if h1.Get("request-id") != "00000001-0000-4000-8000-000000000001" {
		t.Errorf("first request-id %q is not from the counter", h1.Get("request-id"))
	}
}

func TestRequestLog(t *testing.T) {
	s := newServer(t, Options{})
	call(t, s, "GET", configs+"?$filter=displayName%20eq%20'A%20B'", nil)
	call(t, s, "POST", configs, map[string]any{})
	got := s.Requests()
	if len(got) != 2 || got[0].String() != "GET /beta/deviceManagement/deviceConfigurations?$filter=displayName eq 'A B' 200" ||
		got[1].Status != 400 || !got[1].Write || got[0].Write {
		t.Errorf("log: %v", got)
	}
	if s.Writes() != 1 {
		t.Errorf("Writes = %d, want 1", s.Writes())
	}
	s.ResetLog()
	if len(s.Requests()) != 0 || s.Writes() != 0 {
		t.Errorf("after ResetLog: %v", s.Requests())
	}
}
