package fakemdm

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/mdmforge/mdmforge/internal/propertylist"
)

// Jamf is a fake Jamf Pro: OAuth client credentials at /api/oauth/token
// and the Classic API's mobiledeviceconfigurationprofiles and
// mobiledevicegroups, in XML shaped as go-api-sdk-jamfpro's structs
// read them. Like Jamf Pro it rewrites an uploaded profile: new
// PayloadUUIDs, the top-level PayloadIdentifier set to the new UUID,
// PayloadEnabled added to each payload, and the XML re-indented.
type Jamf struct {
	ClientID, ClientSecret string
	Faults                 *Faults

	mu       sync.Mutex
	deny     func(r *http.Request) bool // see SetDeny
	tokens   map[string]bool
	profiles map[int]*JamfProfile
	groups   []JamfGroup
	nextID   int
	seq      int
	// Requests lists "METHOD PATH" of every Classic API request; Writes
	// counts the writes Jamf carried out.
	Requests []string
	writes   int
	// Conflicts counts creates refused for a duplicate name: a client
	// that sent a create again after its answer was lost makes one.
	Conflicts int
}

// JamfProfile is a stored profile.
type JamfProfile struct {
	ID                int
	Name, Description string
	Payloads          string
	Include, Exclude  []int // mobile device group ids
	AllMobileDevices  bool
	RedeployOnUpdate  string
	DeploymentMethod  string
}

// JamfGroup is a mobile device group.
type JamfGroup struct {
	ID    int
	Name  string
	Smart bool
}

// NewJamf returns a fake with one API client and the groups.
func NewJamf(clientID, secret string, groups ...JamfGroup) *Jamf {
	return &Jamf{ClientID: clientID, ClientSecret: secret, tokens: map[string]bool{}, profiles: map[int]*JamfProfile{},
		groups: groups, nextID: 1}
}

// Profiles returns the stored profiles by id.
func (j *Jamf) Profiles() []JamfProfile {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []JamfProfile
	for _, p := range j.profiles {
		out = append(out, *p)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// Put stores a profile as is, as if made in Jamf Pro's web interface,
// and returns its id.
func (j *Jamf) Put(p JamfProfile) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	if p.ID == 0 {
		p.ID = j.nextID
	}
	j.nextID = max(j.nextID, p.ID+1)
	j.profiles[p.ID] = &p
	return p.ID
}

// ExpireTokens forgets every token issued, as their expiry would.
func (j *Jamf) ExpireTokens() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.tokens = map[string]bool{}
}

// ServeHTTP serves the API.
func (j *Jamf) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	serveFaulty(j.Faults, w, r, j.serve)
}

func jamfError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<html>\n<head>\n<title>Status page</title>\n</head>\n<body style=\"font-family: sans-serif;\">\n<p style=\"font-size: 1.2em;font-weight: bold;margin: 1em 0px;\">%s</p>\n<p>%s</p>\n</body>\n</html>\n",
		http.StatusText(status), xmlEscape(msg))
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (j *Jamf) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api/oauth/token" {
		j.token(w, r)
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.Requests = append(j.Requests, r.Method+" "+r.URL.Path)
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "Bearer ") || !j.tokens[strings.TrimPrefix(auth, "Bearer ")] {
		jamfError(w, http.StatusUnauthorized, "The request requires user authentication")
		return
	}
	if j.deny != nil && j.deny(r) {
		jamfError(w, http.StatusForbidden, "The server understood the request, but is refusing to fulfill it")
		return
	}
	const base = "/JSSResource/mobiledeviceconfigurationprofiles"
	switch {
	case r.URL.Path == "/JSSResource/mobiledevicegroups" && r.Method == http.MethodGet:
		j.listGroups(w)
	case r.URL.Path == base && r.Method == http.MethodGet:
		j.list(w)
	case strings.HasPrefix(r.URL.Path, base+"/id/"):
		id, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, base+"/id/"))
		if err != nil {
			jamfError(w, http.StatusNotFound, "The server has not found anything matching the request URI")
			return
		}
		j.one(w, r, id)
	default:
		jamfError(w, http.StatusNotFound, "The server has not found anything matching the request URI")
	}
}

func (j *Jamf) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
		return
	}
	if r.PostForm.Get("client_id") != j.ClientID || r.PostForm.Get("client_secret") != j.ClientSecret {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":"invalid_client"}`)
		return
	}
	j.mu.Lock()
	j.seq++
	tok := fmt.Sprintf("jamf-token-%d", j.seq)
	j.tokens[tok] = true
	j.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "scope": "api-role:1", "token_type": "Bearer", "expires_in": 1199})
}

func writeXML(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/xml;charset=UTF-8")
	w.WriteHeader(status)
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+body)
}

func (j *Jamf) listGroups(w http.ResponseWriter) {
	var b strings.Builder
	fmt.Fprintf(&b, "<mobile_device_groups><size>%d</size>", len(j.groups))
	for _, g := range j.groups {
		fmt.Fprintf(&b, "<mobile_device_group><id>%d</id><name>%s</name><is_smart>%t</is_smart></mobile_device_group>", g.ID, xmlEscape(g.Name), g.Smart)
	}
	b.WriteString("</mobile_device_groups>")
	writeXML(w, http.StatusOK, b.String())
}

func (j *Jamf) ids() []int {
	var ids []int
	for id := range j.profiles {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return ids
}

func (j *Jamf) list(w http.ResponseWriter) {
	var b strings.Builder
	fmt.Fprintf(&b, "<configuration_profiles><size>%d</size>", len(j.profiles))
	for _, id := range j.ids() {
		fmt.Fprintf(&b, "<configuration_profile><id>%d</id><name>%s</name></configuration_profile>", id, xmlEscape(j.profiles[id].Name))
	}
	b.WriteString("</configuration_profiles>")
	writeXML(w, http.StatusOK, b.String())
}

func (j *Jamf) groupName(id int) (string, bool) {
	for _, g := range j.groups {
		if g.ID == id {
			return g.Name, true
		}
	}
	return "", false
}

func (j *Jamf) render(p *JamfProfile) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<configuration_profile><general><id>%d</id><name>%s</name><description>%s</description>"+
		"<level>System</level><site><id>-1</id><name>None</name></site><category><id>-1</id><name>No category assigned</name></category>"+
		"<uuid>%s</uuid><deployment_method>%s</deployment_method><redeploy_on_update>Newly Assigned</redeploy_on_update>"+
		"<redeploy_Days_before_certificate_expires>0</redeploy_Days_before_certificate_expires><payloads>%s</payloads></general>",
		p.ID, xmlEscape(p.Name), xmlEscape(p.Description), fmt.Sprintf("A1B2C3D4-0000-4000-8000-%012d", p.ID),
		xmlEscape(p.DeploymentMethod), xmlEscape(p.Payloads))
	groups := func(ids []int) string {
		var g strings.Builder
		g.WriteString("<mobile_device_groups>")
		for _, id := range ids {
			name, _ := j.groupName(id)
			fmt.Fprintf(&g, "<mobile_device_group><id>%d</id><name>%s</name></mobile_device_group>", id, xmlEscape(name))
		}
		g.WriteString("</mobile_device_groups>")
		return g.String()
	}
	fmt.Fprintf(&b, "<scope><all_mobile_devices>%t</all_mobile_devices><all_jss_users>false</all_jss_users><mobile_devices/>%s"+
		"<buildings/><departments/><jss_users/><jss_user_groups/><limitations><network_segments/><users/><user_groups/><ibeacons/></limitations>"+
		"<exclusions><mobile_devices/>%s<buildings/><departments/><jss_users/><jss_user_groups/><network_segments/><users/><user_groups/><ibeacons/></exclusions></scope>"+
		"<self_service><self_service_description/><security><removal_disallowed>Never</removal_disallowed></security>"+
		"<self_service_icon/><feature_on_main_page>false</feature_on_main_page><self_service_categories/></self_service></configuration_profile>",
		p.AllMobileDevices, groups(p.Include), groups(p.Exclude))
	return b.String()
}

// jamfAllowed are the elements the fake takes in a profile it is sent:
// go-api-sdk-jamfpro's writable fields of the parts mdmforge sends.
var jamfAllowed = map[string]bool{
	"configuration_profile": true, "configuration_profile/general": true,
	"configuration_profile/general/name": true, "configuration_profile/general/description": true,
	"configuration_profile/general/payloads": true, "configuration_profile/general/deployment_method": true,
	"configuration_profile/general/redeploy_on_update": true, "configuration_profile/general/uuid": true,
	"configuration_profile/scope": true,
}

// jamfScopeLists are the scope's lists, each of one element type.
var jamfScopeLists = map[string]string{"mobile_devices": "mobile_device", "mobile_device_groups": "mobile_device_group",
	"buildings": "building", "departments": "department", "jss_users": "user", "jss_user_groups": "user_group"}

// checkShape refuses an element the API does not know, at any depth.
func checkShape(body []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var stack []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
			path := strings.Join(stack, "/")
			if !jamfAllowed[path] && !scopePath(stack) {
				return fmt.Errorf("unknown element %s", path)
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	return nil
}

func scopePath(s []string) bool {
	if len(s) < 3 || s[0] != "configuration_profile" || s[1] != "scope" {
		return false
	}
	rest := s[2:]
	if rest[0] == "exclusions" {
		rest = rest[1:]
		if len(rest) == 0 {
			return true
		}
	} else if len(rest) == 1 && (rest[0] == "all_mobile_devices" || rest[0] == "all_jss_users") {
		return true
	}
	item, ok := jamfScopeLists[rest[0]]
	switch {
	case !ok:
		return false
	case len(rest) == 1:
		return true
	case rest[1] != item:
		return false
	case len(rest) == 2:
		return true
	}
	return len(rest) == 3 && (rest[2] == "id" || rest[2] == "name")
}

type jamfIn struct {
	XMLName xml.Name `xml:"configuration_profile"`
	General *struct {
		Name             *string `xml:"name"`
		Description      *string `xml:"description"`
		Payloads         *string `xml:"payloads"`
		DeploymentMethod string  `xml:"deployment_method"`
		RedeployOnUpdate string  `xml:"redeploy_on_update"`
	} `xml:"general"`
	Scope *struct {
		AllMobileDevices bool `xml:"all_mobile_devices"`
		Groups           []struct {
			ID int `xml:"id"`
		} `xml:"mobile_device_groups>mobile_device_group"`
		Excluded []struct {
			ID int `xml:"id"`
		} `xml:"exclusions>mobile_device_groups>mobile_device_group"`
	} `xml:"scope"`
}

func (j *Jamf) one(w http.ResponseWriter, r *http.Request, id int) {
	p := j.profiles[id]
	switch r.Method {
	case http.MethodGet:
		if p == nil {
			jamfError(w, http.StatusNotFound, "The server has not found anything matching the request URI")
			return
		}
		writeXML(w, http.StatusOK, j.render(p))
		return
	case http.MethodDelete:
		if p == nil {
			jamfError(w, http.StatusNotFound, "The server has not found anything matching the request URI")
			return
		}
		delete(j.profiles, id)
		j.writes++
		writeXML(w, http.StatusOK, fmt.Sprintf("<configuration_profile><id>%d</id></configuration_profile>", id))
		return
	case http.MethodPost, http.MethodPut:
	default:
		jamfError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/xml") && !strings.HasPrefix(ct, "text/xml") {
		jamfError(w, http.StatusUnsupportedMediaType, "Unsupported Media Type")
		return
	}
	body, _ := io.ReadAll(r.Body)
	var in jamfIn
	if err := checkShape(body); err != nil {
		jamfError(w, http.StatusBadRequest, "Error: "+err.Error())
		return
	}
	if err := xml.Unmarshal(body, &in); err != nil {
		jamfError(w, http.StatusBadRequest, "Error: "+err.Error())
		return
	}
	if r.Method == http.MethodPost {
		if id != 0 {
			jamfError(w, http.StatusConflict, "Error: id must be 0 to create")
			return
		}
		if in.General == nil || in.General.Name == nil || *in.General.Name == "" {
			jamfError(w, http.StatusConflict, "Error: Problem with name")
			return
		}
		if in.General.Payloads == nil {
			jamfError(w, http.StatusConflict, "Error: Problem with payloads")
			return
		}
		p = &JamfProfile{ID: j.nextID, DeploymentMethod: "Install Automatically"}
	} else if p == nil {
		jamfError(w, http.StatusNotFound, "The server has not found anything matching the request URI")
		return
	}
	next := *p
	if g := in.General; g != nil {
		if g.Name != nil {
			next.Name = *g.Name
		}
		if g.Description != nil {
			next.Description = *g.Description
		}
		if g.DeploymentMethod != "" {
			next.DeploymentMethod = g.DeploymentMethod
		}
		next.RedeployOnUpdate = g.RedeployOnUpdate
		if g.Payloads != nil {
			rewritten, err := j.rewrite(*g.Payloads)
			if err != nil {
				jamfError(w, http.StatusConflict, "Error: Unable to parse the payloads: "+err.Error())
				return
			}
			next.Payloads = rewritten
		}
	}
	for _, q := range j.profiles {
		if q.ID != next.ID && q.Name == next.Name {
			j.Conflicts++
			jamfError(w, http.StatusConflict, "Error: Duplicate name")
			return
		}
	}
	if s := in.Scope; s != nil {
		next.AllMobileDevices = s.AllMobileDevices
		next.Include, next.Exclude = nil, nil
		for _, g := range s.Groups {
			if _, ok := j.groupName(g.ID); !ok {
				jamfError(w, http.StatusConflict, "Error: Problem with mobile device group in scope")
				return
			}
			next.Include = append(next.Include, g.ID)
		}
		for _, g := range s.Excluded {
			if _, ok := j.groupName(g.ID); !ok {
				jamfError(w, http.StatusConflict, "Error: Problem with mobile device group in scope exclusions")
				return
			}
			next.Exclude = append(next.Exclude, g.ID)
		}
	}
	if r.Method == http.MethodPost {
		j.nextID++
	}
	j.profiles[next.ID] = &next
	j.writes++
	writeXML(w, http.StatusCreated, fmt.Sprintf("<configuration_profile><id>%d</id></configuration_profile>", next.ID))
}

// rewrite does to a profile what Jamf Pro does on upload. A signed
// profile (CMS, not XML) is refused, as Jamf's API refuses it.
func (j *Jamf) rewrite(payloads string) (string, error) {
	v, err := propertylist.ReadXML([]byte(payloads))
	if err != nil {
		return "", err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return "", fmt.Errorf("not a dictionary")
	}
	j.seq++
	top := fmt.Sprintf("F00D%04d-0000-4000-8000-%012d", j.seq%10000, j.seq)
	m["PayloadUUID"], m["PayloadIdentifier"] = top, top
	if content, ok := m["PayloadContent"].([]any); ok {
		for i, x := range content {
			if p, ok := x.(map[string]any); ok {
				p["PayloadUUID"] = fmt.Sprintf("BEEF%04d-0000-4000-8000-%012d", i, j.seq)
				if _, ok := p["PayloadEnabled"]; !ok {
					p["PayloadEnabled"] = true
				}
			}
		}
	}
	out, err := propertylist.AppendXML(nil, m)
	if err != nil {
		return "", err
	}
	// Jamf indents with four spaces.
	lines := strings.Split(string(out), "\n")
	for i, l := range lines {
		t := strings.TrimLeft(l, "\t")
		lines[i] = strings.Repeat("    ", len(l)-len(t)) + t
	}
	return strings.Join(lines, "\n"), nil
}

// Writes is how many writes the fake has carried out.
func (j *Jamf) Writes() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.writes
}

// SetDeny makes the fake answer 403 to the requests deny is true for (nil:
// none). It may be called while requests are being served.
func (j *Jamf) SetDeny(deny func(r *http.Request) bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.deny = deny
}

// Log returns the requests served so far, as "METHOD URI".
func (j *Jamf) Log() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]string(nil), j.Requests...)
}
