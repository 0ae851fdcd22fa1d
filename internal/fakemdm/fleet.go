package fakemdm

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/mdmforge/mdmforge/internal/propertylist"
	"github.com/mdmforge/mdmforge/signing"
)

// Fleet is a fake Fleet server: configuration profiles of teams (list
// with page/per_page and meta.has_next_results, multipart upload, 409 on
// a duplicate identifier or name in a team, ?alt=media, delete, and the
// batch endpoint with dry_run), labels and teams, behind a bearer API
// token. Answers and errors are shaped as fleetdm/fleet's
// docs/REST API/os-settings.md shows them.
type Fleet struct {
	Token  string
	Faults *Faults
	// MaxPerPage caps a page, to test that clients follow pages.
	MaxPerPage int

	mu       sync.Mutex
	deny     func(r *http.Request) bool // see SetDeny
	profiles []*FleetProfile
	labels   map[string]int
	teams    map[string]int
	seq      int
	writes   int
	Requests []string
	// Conflicts counts uploads refused for a duplicate identifier or
	// name: a client that sent an upload again after its answer was lost
	// makes one.
	Conflicts int
}

// FleetProfile is a stored profile.
type FleetProfile struct {
	UUID, Name, Identifier string
	TeamID                 int
	Content                []byte
	IncludeAny, ExcludeAny []string
}

// NewFleet returns a fake with one API token, the labels and the teams.
func NewFleet(token string, labels []string, teams ...string) *Fleet {
	f := &Fleet{Token: token, labels: map[string]int{}, teams: map[string]int{}, MaxPerPage: 100}
	for i, l := range labels {
		f.labels[l] = i + 1
	}
	for i, t := range teams {
		f.teams[t] = i + 1
	}
	return f
}

// Profiles returns the stored profiles in upload order.
func (f *Fleet) Profiles() []FleetProfile {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FleetProfile, len(f.profiles))
	for i, p := range f.profiles {
		out[i] = *p
	}
	return out
}

// Put stores a profile as if uploaded by hand; it returns its uuid.
func (f *Fleet) Put(p FleetProfile) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	p.UUID = fmt.Sprintf("a%08d-0000-4000-8000-000000000000", f.seq)
	f.profiles = append(f.profiles, &p)
	return p.UUID
}

func fleetError(w http.ResponseWriter, status int, msg, reason string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"message": msg, "errors": []map[string]string{{"name": "base", "reason": reason}}})
}

// ServeHTTP serves the API.
func (f *Fleet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	serveFaulty(f.Faults, w, r, f.serve)
}

func (f *Fleet) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Requests = append(f.Requests, r.Method+" "+r.URL.RequestURI())
	if r.Header.Get("Authorization") != "Bearer "+f.Token {
		fleetError(w, http.StatusUnauthorized, "Authentication required", "Authentication required")
		return
	}
	if f.deny != nil && f.deny(r) {
		fleetError(w, http.StatusForbidden, "Permission Denied", "forbidden")
		return
	}
	const base = "/api/v1/fleet/configuration_profiles"
	p := r.URL.Path
	switch {
	case p == "/api/v1/fleet/labels" && r.Method == http.MethodGet:
		var names []string
		for n := range f.labels {
			names = append(names, n)
		}
		sort.Strings(names)
		page, per := paging(r, 100)
		var ls []map[string]any
		for i, n := range names {
			if i >= page*per && i < (page+1)*per {
				ls = append(ls, map[string]any{"id": f.labels[n], "name": n, "label_type": "regular"})
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"labels": ls})
	case p == "/api/v1/fleet/teams" && r.Method == http.MethodGet:
		var ts []map[string]any
		for n, id := range f.teams {
			ts = append(ts, map[string]any{"id": id, "name": n})
		}
		sort.Slice(ts, func(i, j int) bool { return ts[i]["id"].(int) < ts[j]["id"].(int) })
		writeJSON(w, http.StatusOK, map[string]any{"teams": ts})
	case p == base && r.Method == http.MethodGet:
		f.list(w, r)
	case p == base && r.Method == http.MethodPost:
		f.upload(w, r)
	case p == base+"/batch" && r.Method == http.MethodPost:
		f.batch(w, r)
	case strings.HasPrefix(p, base+"/"):
		f.one(w, r, strings.TrimPrefix(p, base+"/"))
	default:
		fleetError(w, http.StatusNotFound, "Resource Not Found", "not found")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func paging(r *http.Request, max int) (int, int) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	per, err := strconv.Atoi(r.URL.Query().Get("per_page"))
	if err != nil || per <= 0 {
		per = 20 // Fleet's default: a client that sends none gets few
	}
	return page, min(per, max)
}

func (f *Fleet) team(r *http.Request) (int, bool) {
	s := r.URL.Query().Get("team_id")
	if s == "" {
		s = r.FormValue("team_id")
	}
	if s == "" || s == "0" {
		return 0, true
	}
	id, err := strconv.Atoi(s)
	for _, t := range f.teams {
		if t == id && err == nil {
			return id, true
		}
	}
	return 0, false
}

func checksum(b []byte) string {
	s := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

func (f *Fleet) labelRefs(names []string) []map[string]any {
	var out []map[string]any
	for _, n := range names {
		out = append(out, map[string]any{"name": n, "id": f.labels[n]})
	}
	return out
}

func (f *Fleet) list(w http.ResponseWriter, r *http.Request) {
	team, ok := f.team(r)
	if !ok {
		fleetError(w, http.StatusNotFound, "Resource Not Found", "team not found")
		return
	}
	page, per := paging(r, f.MaxPerPage)
	var mine []*FleetProfile
	for _, p := range f.profiles {
		if p.TeamID == team {
			mine = append(mine, p)
		}
	}
	sort.Slice(mine, func(i, j int) bool { return mine[i].Name < mine[j].Name })
	out := []map[string]any{}
	for i, p := range mine {
		if i < page*per || i >= (page+1)*per {
			continue
		}
		m := map[string]any{"profile_uuid": p.UUID, "team_id": p.TeamID, "name": p.Name, "platform": "darwin",
			"identifier": p.Identifier, "checksum": checksum(p.Content), "created_at": "2026-12-01T12:00:00Z", "updated_at": "2026-12-01T12:00:00Z"}
		if len(p.IncludeAny) > 0 {
			m["labels_include_any"] = f.labelRefs(p.IncludeAny)
		}
		if len(p.ExcludeAny) > 0 {
			m["labels_exclude_any"] = f.labelRefs(p.ExcludeAny)
		}
		out = append(out, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"profiles": out,
		"meta": map[string]bool{"has_next_results": (page+1)*per < len(mine), "has_previous_results": page > 0}})
}

// parseProfile reads a profile's identifier and name, signed or not.
func parseProfile(data []byte) (id, name string, err error) {
	if signing.IsSigned(data) {
		s, err := signing.Parse(data)
		if err != nil {
			return "", "", err
		}
		data = s.Content
	}
	v, err := propertylist.ReadXML(data)
	if err != nil {
		return "", "", err
	}
	m, _ := v.(map[string]any)
	id, _ = m["PayloadIdentifier"].(string)
	name, _ = m["PayloadDisplayName"].(string)
	if id == "" || name == "" {
		return "", "", fmt.Errorf("the profile needs PayloadIdentifier and PayloadDisplayName")
	}
	return id, name, nil
}

// check refuses a profile whose identifier or name another of the team
// has.
func (f *Fleet) check(team int, id, name string, skip map[*FleetProfile]bool) string {
	for _, p := range f.profiles {
		if p.TeamID != team || skip[p] {
			continue
		}
		if p.Identifier == id {
			return fmt.Sprintf("Couldn't add. A configuration profile with this identifier (PayloadIdentifier) already exists: %s", id)
		}
		if p.Name == name {
			return fmt.Sprintf("Couldn't add. A configuration profile with this name (PayloadDisplayName) already exists: %s", name)
		}
	}
	return ""
}

func (f *Fleet) checkLabels(inc, exc []string) string {
	for _, l := range append(append([]string(nil), inc...), exc...) {
		if _, ok := f.labels[l]; !ok {
			return "some or all the labels provided don't exist"
		}
	}
	return ""
}

func (f *Fleet) upload(w http.ResponseWriter, r *http.Request) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		fleetError(w, http.StatusBadRequest, "Bad request", "expected multipart/form-data")
		return
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		fleetError(w, http.StatusBadRequest, "Bad request", err.Error())
		return
	}
	for k := range r.MultipartForm.Value {
		switch k {
		case "team_id", "labels_include_all", "labels_include_any", "labels_exclude_any":
		default:
			fleetError(w, http.StatusBadRequest, "Bad request", "unknown field "+k)
			return
		}
	}
	fh := r.MultipartForm.File["profile"]
	if len(fh) != 1 {
		fleetError(w, http.StatusBadRequest, "Bad request", "missing profile")
		return
	}
	file, _ := fh[0].Open()
	data, _ := io.ReadAll(file)
	file.Close()
	team, ok := f.team(r)
	if !ok {
		fleetError(w, http.StatusNotFound, "Resource Not Found", "team not found")
		return
	}
	v := r.MultipartForm.Value
	n := 0
	for _, k := range []string{"labels_include_all", "labels_include_any", "labels_exclude_any"} {
		if len(v[k]) > 0 {
			n++
		}
	}
	if n > 1 {
		fleetError(w, http.StatusUnprocessableEntity, "Validation Failed", `Only one of "labels_include_all", "labels_include_any" or "labels_exclude_any" can be included.`)
		return
	}
	if msg := f.checkLabels(v["labels_include_any"], v["labels_exclude_any"]); msg != "" {
		fleetError(w, http.StatusBadRequest, "Bad request", msg)
		return
	}
	id, name, err := parseProfile(data)
	if err != nil {
		fleetError(w, http.StatusBadRequest, "Bad request", "Couldn't upload. The file should include valid XML: "+err.Error())
		return
	}
	if msg := f.check(team, id, name, nil); msg != "" {
		f.Conflicts++
		fleetError(w, http.StatusConflict, "Resource Already Exists", msg)
		return
	}
	f.seq++
	p := &FleetProfile{UUID: fmt.Sprintf("a%08d-0000-4000-8000-000000000000", f.seq), Name: name, Identifier: id, TeamID: team,
		Content: data, IncludeAny: v["labels_include_any"], ExcludeAny: v["labels_exclude_any"]}
	f.profiles = append(f.profiles, p)
	f.writes++
	writeJSON(w, http.StatusOK, map[string]string{"profile_uuid": p.UUID})
}

func (f *Fleet) one(w http.ResponseWriter, r *http.Request, uuid string) {
	i := -1
	for j, p := range f.profiles {
		if p.UUID == uuid {
			i = j
		}
	}
	if i < 0 {
		fleetError(w, http.StatusNotFound, "Resource Not Found", "profile not found")
		return
	}
	p := f.profiles[i]
	switch r.Method {
	case http.MethodGet:
		if r.URL.Query().Get("alt") != "media" {
			writeJSON(w, http.StatusOK, map[string]any{"profile_uuid": p.UUID, "name": p.Name, "identifier": p.Identifier, "checksum": checksum(p.Content)})
			return
		}
		w.Header().Set("Content-Type", "application/x-apple-aspen-config")
		w.Write(p.Content)
	case http.MethodDelete:
		f.profiles = append(f.profiles[:i], f.profiles[i+1:]...)
		f.writes++
		writeJSON(w, http.StatusOK, map[string]any{})
	default:
		fleetError(w, http.StatusMethodNotAllowed, "Method Not Allowed", "method not allowed")
	}
}

func (f *Fleet) batch(w http.ResponseWriter, r *http.Request) {
	team, ok := f.team(r)
	if !ok {
		fleetError(w, http.StatusNotFound, "Resource Not Found", "team not found")
		return
	}
	if r.Header.Get("Content-Type") != "application/json" {
		fleetError(w, http.StatusBadRequest, "Bad request", "expected JSON")
		return
	}
	var body struct {
		Profiles []struct {
			Name       string   `json:"name"`
			Profile    []byte   `json:"profile"`
			IncludeAll []string `json:"labels_include_all"`
			IncludeAny []string `json:"labels_include_any"`
			ExcludeAny []string `json:"labels_exclude_any"`
		} `json:"configuration_profiles"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		fleetError(w, http.StatusBadRequest, "Bad request", err.Error())
		return
	}
	var next []*FleetProfile
	seenID, seenName := map[string]bool{}, map[string]bool{}
	for _, in := range body.Profiles {
		id, name, err := parseProfile(in.Profile)
		if err != nil {
			fleetError(w, http.StatusUnprocessableEntity, "Validation Failed", in.Name+": "+err.Error())
			return
		}
		if seenID[id] || seenName[name] {
			fleetError(w, http.StatusUnprocessableEntity, "Validation Failed", "More than one configuration profile have the same name or identifier: "+name)
			return
		}
		seenID[id], seenName[name] = true, true
		if len(in.IncludeAll) > 0 || len(in.IncludeAny) > 0 && len(in.ExcludeAny) > 0 {
			fleetError(w, http.StatusUnprocessableEntity, "Validation Failed", "only one label field per profile")
			return
		}
		if msg := f.checkLabels(in.IncludeAny, in.ExcludeAny); msg != "" {
			fleetError(w, http.StatusUnprocessableEntity, "Validation Failed", msg)
			return
		}
		next = append(next, &FleetProfile{Name: name, Identifier: id, TeamID: team, Content: in.Profile,
			IncludeAny: in.IncludeAny, ExcludeAny: in.ExcludeAny})
	}
	if r.URL.Query().Get("dry_run") == "true" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// Keep the uuid of a profile whose content and labels are the same.
	var kept []*FleetProfile
	for _, p := range f.profiles {
		if p.TeamID != team {
			kept = append(kept, p)
		}
	}
	for _, n := range next {
		for _, p := range f.profiles {
			if p.TeamID == team && p.Identifier == n.Identifier && string(p.Content) == string(n.Content) {
				n.UUID = p.UUID
			}
		}
		if n.UUID == "" {
			f.seq++
			n.UUID = fmt.Sprintf("a%08d-0000-4000-8000-000000000000", f.seq)
		}
		kept = append(kept, n)
	}
	f.profiles = kept
	f.writes++
	w.WriteHeader(http.StatusNoContent)
}

// Writes is how many writes the fake has carried out.
func (f *Fleet) Writes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

// SetDeny makes the fake answer 403 to the requests deny is true for (nil:
// none). It may be called while requests are being served.
func (f *Fleet) SetDeny(deny func(r *http.Request) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deny = deny
}

// Log returns the requests served so far, as "METHOD URI".
func (f *Fleet) Log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.Requests...)
}
