package fakemdm

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Kandji is a fake Kandji API: the library's custom profiles (list with
// limit/offset and next, multipart POST and PATCH, DELETE) behind a
// bearer token, with Django REST framework's error shapes
// ({"detail": …}) as Kandji answers them.
type Kandji struct {
	Token  string
	Faults *Faults
	// MaxLimit caps a page, to test that clients follow pages.
	MaxLimit int

	mu       sync.Mutex
	deny     func(r *http.Request) bool // see SetDeny
	items    []*KandjiProfile
	seq      int
	writes   int
	Requests []string
}

// KandjiProfile is a stored custom profile.
type KandjiProfile struct {
	ID, Name, MDMIdentifier string
	Profile                 string
	Active                  bool
	RunsOn                  map[string]bool // runs_on_mac, … as set
}

// NewKandji returns a fake with one API token.
func NewKandji(token string) *Kandji { return &Kandji{Token: token, MaxLimit: 300} }

// Profiles returns the stored custom profiles.
func (k *Kandji) Profiles() []KandjiProfile {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]KandjiProfile, len(k.items))
	for i, p := range k.items {
		out[i] = *p
	}
	return out
}

// kandjiFields are the form fields the fake takes beside file.
var kandjiFields = map[string]bool{"name": true, "active": true, "runs_on_mac": true, "runs_on_iphone": true,
	"runs_on_ipad": true, "runs_on_tv": true, "runs_on_vision": true}

func detail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"detail": msg})
}

// ServeHTTP serves the API.
func (k *Kandji) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	serveFaulty(k.Faults, w, r, k.serve)
}

func (k *Kandji) serve(w http.ResponseWriter, r *http.Request) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.Requests = append(k.Requests, r.Method+" "+r.URL.RequestURI())
	auth := r.Header.Get("Authorization")
	if auth == "" {
		detail(w, http.StatusUnauthorized, "Authentication credentials were not provided.")
		return
	}
	if auth != "Bearer "+k.Token {
		detail(w, http.StatusUnauthorized, "Invalid token.")
		return
	}
	if k.deny != nil && k.deny(r) {
		detail(w, http.StatusForbidden, "You do not have permission to perform this action.")
		return
	}
	const base = "/api/v1/library/custom-profiles"
	switch {
	case r.URL.Path == base && r.Method == http.MethodGet:
		k.list(w, r)
	case r.URL.Path == base && r.Method == http.MethodPost:
		k.write(w, r, nil)
	case strings.HasPrefix(r.URL.Path, base+"/"):
		id := strings.TrimPrefix(r.URL.Path, base+"/")
		i := -1
		for j, p := range k.items {
			if p.ID == id {
				i = j
			}
		}
		if i < 0 {
			detail(w, http.StatusNotFound, "Not found.")
			return
		}
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, http.StatusOK, k.render(k.items[i]))
		case http.MethodPatch:
			k.write(w, r, k.items[i])
		case http.MethodDelete:
			k.items = append(k.items[:i], k.items[i+1:]...)
			k.writes++
			w.WriteHeader(http.StatusNoContent)
		default:
			detail(w, http.StatusMethodNotAllowed, fmt.Sprintf("Method %q not allowed.", r.Method))
		}
	default:
		detail(w, http.StatusNotFound, "Not found.")
	}
}

func (k *Kandji) render(p *KandjiProfile) map[string]any {
	m := map[string]any{"id": p.ID, "name": p.Name, "active": p.Active, "profile": p.Profile, "mdm_identifier": p.MDMIdentifier,
		"created_at": "2026-12-01T12:00:00.000000Z", "updated_at": "2026-12-01T12:00:00.000000Z"}
	for f := range kandjiFields {
		if strings.HasPrefix(f, "runs_on_") {
			m[f] = p.RunsOn[f]
		}
	}
	return m
}

func (k *Kandji) list(w http.ResponseWriter, r *http.Request) {
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 {
		limit = 300
	}
	limit = min(limit, k.MaxLimit)
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	results := []map[string]any{}
	for i := offset; i < len(k.items) && i < offset+limit; i++ {
		results = append(results, k.render(k.items[i]))
	}
	var next any
	if offset+limit < len(k.items) {
		next = fmt.Sprintf("http://%s%s?limit=%d&offset=%d", r.Host, r.URL.Path, limit, offset+limit)
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(k.items), "next": next, "previous": nil, "results": results})
}

func (k *Kandji) write(w http.ResponseWriter, r *http.Request, cur *KandjiProfile) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		detail(w, http.StatusUnsupportedMediaType, fmt.Sprintf("Unsupported media type %q in request.", r.Header.Get("Content-Type")))
		return
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		detail(w, http.StatusBadRequest, err.Error())
		return
	}
	errs := map[string][]string{}
	for f := range r.MultipartForm.Value {
		if !kandjiFields[f] {
			errs[f] = []string{"Unknown field."}
		}
	}
	next := KandjiProfile{RunsOn: map[string]bool{}}
	if cur != nil {
		next = *cur
		next.RunsOn = map[string]bool{}
		for f, v := range cur.RunsOn {
			next.RunsOn[f] = v
		}
	}
	v := r.MultipartForm.Value
	if n := v["name"]; len(n) > 0 {
		next.Name = n[0]
	}
	for f := range kandjiFields {
		if f == "name" || len(v[f]) == 0 {
			continue
		}
		b, err := strconv.ParseBool(v[f][0])
		if err != nil {
			errs[f] = []string{"Must be a valid boolean."}
			continue
		}
		if f == "active" {
			next.Active = b
		} else {
			next.RunsOn[f] = b
		}
	}
	if fh := r.MultipartForm.File["file"]; len(fh) == 1 {
		file, _ := fh[0].Open()
		data, _ := io.ReadAll(file)
		file.Close()
		id, _, err := parseProfile(data)
		if err != nil {
			errs["file"] = []string{"The profile is not valid: " + err.Error()}
		}
		next.Profile, next.MDMIdentifier = string(data), id
	} else if cur == nil {
		errs["file"] = []string{"No file was submitted."}
	}
	if next.Name == "" {
		errs["name"] = []string{"This field is required."}
	}
	if len(errs) > 0 {
		writeJSON(w, http.StatusBadRequest, errs)
		return
	}
	if cur == nil {
		k.seq++
		next.ID = fmt.Sprintf("c0ffee%02d-0000-4000-8000-000000000000", k.seq)
		if len(v["active"]) == 0 {
			next.Active = true
		}
		k.items = append(k.items, &next)
		k.writes++
		writeJSON(w, http.StatusCreated, k.render(&next))
		return
	}
	*cur = next
	k.writes++
	writeJSON(w, http.StatusOK, k.render(cur))
}

// Put stores a custom profile as if made in Kandji's web app.
func (k *Kandji) Put(p KandjiProfile) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.seq++
	p.ID = fmt.Sprintf("c0ffee%02d-0000-4000-8000-000000000000", k.seq)
	if p.RunsOn == nil {
		p.RunsOn = map[string]bool{}
	}
	k.items = append(k.items, &p)
	return p.ID
}

// Writes is how many writes the fake has carried out.
func (k *Kandji) Writes() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.writes
}

// SetDeny makes the fake answer 403 to the requests deny is true for (nil:
// none). It may be called while requests are being served.
func (k *Kandji) SetDeny(deny func(r *http.Request) bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.deny = deny
}

// Log returns the requests served so far, as "METHOD URI".
func (k *Kandji) Log() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.Requests...)
}
