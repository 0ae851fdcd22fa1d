package fakemdm

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

const profile = `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>PayloadDisplayName</key><string>P</string><key>PayloadIdentifier</key><string>com.example.p</string>
<key>PayloadType</key><string>Configuration</string><key>PayloadUUID</key><string>X</string><key>PayloadVersion</key><integer>1</integer></dict></plist>`

func do(t *testing.T, h http.Handler, method, path, ct, auth string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func multi(fields map[string][]string, file, name string) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if file != "" {
		fw, _ := mw.CreateFormFile(name, "p.mobileconfig")
		fw.Write([]byte(file))
	}
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

func TestJamfStrictness(t *testing.T) {
	j := NewJamf("id", "secret", JamfGroup{ID: 1, Name: "G"})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"id"}, "client_secret": {"secret"}}
	w := do(t, j, "POST", "/api/oauth/token", "application/x-www-form-urlencoded", "", []byte(form.Encode()))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "jamf-token-1") {
		t.Fatalf("token: %d %s", w.Code, w.Body)
	}
	const auth = "Bearer jamf-token-1"
	const path = "/JSSResource/mobiledeviceconfigurationprofiles/id/0"
	esc := strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(profile)
	for _, tc := range []struct {
		body string
		code int
		msg  string
	}{
		{`<configuration_profile><general><name>A</name><payloads>` + esc + `</payloads><colour>red</colour></general></configuration_profile>`, 400, "unknown element configuration_profile/general/colour"},
		{`<configuration_profile><general><name>A</name></general></configuration_profile>`, 409, "Problem with payloads"},
		{`<configuration_profile><general><name>A</name><payloads>` + esc + `</payloads></general><scope><mobile_device_groups><mobile_device_group><id>9</id></mobile_device_group></mobile_device_groups></scope></configuration_profile>`, 409, "mobile device group"},
		{`<configuration_profile><general><name>A</name><payloads>` + esc + `</payloads></general></configuration_profile>`, 201, "<id>1</id>"},
		{`<configuration_profile><general><name>A</name><payloads>` + esc + `</payloads></general></configuration_profile>`, 409, "Duplicate name"},
	} {
		w := do(t, j, "POST", path, "application/xml", auth, []byte(tc.body))
		if w.Code != tc.code || !strings.Contains(w.Body.String(), tc.msg) {
			t.Errorf("%s: %d %s", tc.body, w.Code, w.Body)
		}
	}
	if w := do(t, j, "GET", "/JSSResource/mobiledeviceconfigurationprofiles", "", "Bearer nope", nil); w.Code != 401 {
		t.Errorf("bad token: %d", w.Code)
	}
	got := j.Profiles()[0].Payloads
	if strings.Contains(got, "<string>X</string>") || !strings.Contains(got, "    <key>") {
		t.Errorf("not rewritten as Jamf does:\n%s", got)
	}
}

func TestFleetStrictness(t *testing.T) {
	f := NewFleet("tok", []string{"L"})
	const auth = "Bearer tok"
	body, ct := multi(map[string][]string{"labels_include_any": {"L"}, "labels_exclude_any": {"L"}}, profile, "profile")
	if w := do(t, f, "POST", "/api/v1/fleet/configuration_profiles", ct, auth, body); w.Code != 422 {
		t.Errorf("two label fields: %d %s", w.Code, w.Body)
	}
	body, ct = multi(nil, profile, "file")
	if w := do(t, f, "POST", "/api/v1/fleet/configuration_profiles", ct, auth, body); w.Code != 400 {
		t.Errorf("no profile part: %d %s", w.Code, w.Body)
	}
	body, ct = multi(nil, profile, "profile")
	if w := do(t, f, "POST", "/api/v1/fleet/configuration_profiles", ct, auth, body); w.Code != 200 {
		t.Errorf("upload: %d %s", w.Code, w.Body)
	}
	if w := do(t, f, "POST", "/api/v1/fleet/configuration_profiles", ct, auth, body); w.Code != 409 || !strings.Contains(w.Body.String(), "already exists") {
		t.Errorf("duplicate: %d %s", w.Code, w.Body)
	}
	if w := do(t, f, "POST", "/api/v1/fleet/configuration_profiles", "application/json", auth, []byte(`{}`)); w.Code != 400 {
		t.Errorf("JSON upload: %d", w.Code)
	}
	if w := do(t, f, "GET", "/api/v1/fleet/configuration_profiles", "", "Bearer x", nil); w.Code != 401 {
		t.Errorf("bad token: %d", w.Code)
	}
}

func TestKandjiStrictness(t *testing.T) {
	k := NewKandji("tok")
	const auth = "Bearer tok"
	body, ct := multi(map[string][]string{"name": {"P"}, "colour": {"red"}}, profile, "file")
	if w := do(t, k, "POST", "/api/v1/library/custom-profiles", ct, auth, body); w.Code != 400 || !strings.Contains(w.Body.String(), "colour") {
		t.Errorf("unknown field: %d %s", w.Code, w.Body)
	}
	body, ct = multi(map[string][]string{"name": {"P"}}, "", "")
	if w := do(t, k, "POST", "/api/v1/library/custom-profiles", ct, auth, body); w.Code != 400 || !strings.Contains(w.Body.String(), "No file") {
		t.Errorf("no file: %d %s", w.Code, w.Body)
	}
	if w := do(t, k, "GET", "/api/v1/library/custom-profiles", "", "", nil); w.Code != 401 || !strings.Contains(w.Body.String(), "not provided") {
		t.Errorf("no token: %d %s", w.Code, w.Body)
	}
}

func TestFaultsAreReproducible(t *testing.T) {
	a, b := NewFaults(3, 0.5), NewFaults(3, 0.5)
	r := httptest.NewRequest("POST", "/", nil)
	for range 50 {
		if a.next(r) != b.next(r) {
			t.Fatal("same seed, other faults")
		}
	}
	if a.Count() == 0 {
		t.Fatal("no faults at rate 0.5")
	}
}
