// Package jamf plans and applies policies to Jamf Pro as mobile device
// configuration profiles, through the Classic API
// (JSSResource/mobiledeviceconfigurationprofiles) with an API client's
// OAuth token.
//
// Identity. Every profile mdmforge makes carries a marker as the last
// line of its description:
//
//	mdmforge:com.example.contacts
//
// naming the profile's PayloadIdentifier. Profiles are matched by that
// marker, or, for a profile without one, by the PayloadIdentifier inside
// its payloads; such an unmarked profile is an error unless Options.Adopt
// takes it over (the update adds the marker). Jamf Pro keeps no
// identifier in its list, so a plan reads the list and then every
// profile: 1 + N reads, plus one of the mobile device groups when a
// policy has assignments. A Client reads each profile once: planning
// again (as Apply does) reads the list and only the profiles renamed or
// written since.
//
// Comparing. Jamf Pro rewrites the PayloadUUIDs of an uploaded profile,
// may replace the top-level PayloadIdentifier, re-indents the XML and
// adds PayloadEnabled to each payload. Profiles are therefore compared by
// value with UUIDs hidden, after undoing those rewrites (see normalize),
// so an unchanged profile plans no update.
//
// Writing. A create is POST …/id/0 with the unsigned profile and its
// scope; an update PUTs only what differs (the general section with
// redeploy_on_update All when the profile changed, the scope when the
// assignments did). Jamf Pro refuses signed profiles: Options.Signed is
// an error. Assignments name mobile device groups by exact name.
//
// Pruning. With Options.Prune, marked profiles whose identifier no
// policy of the run builds are deleted; otherwise they are plan notes.
// Unmarked profiles are never deleted.
package jamf

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/internal/profilesync"
	"github.com/mdmforge/mdmforge/deploy/internal/rest"
	"github.com/mdmforge/mdmforge/internal/propertylist"
	"github.com/mdmforge/mdmforge/profiles"
)

// Target is the name plans give Jamf Pro.
const Target = "jamf"

// markerPrefix starts the description line that marks mdmforge's
// profiles.
const markerPrefix = "mdmforge:"

// Options control a plan or an apply.
type Options struct {
	// Adopt takes over an unmarked profile with a policy's identifier.
	Adopt bool
	// Prune deletes the marked profiles no policy builds.
	Prune bool
	// Signed says the caller asked for signed profiles, which Jamf
	// Pro's API refuses.
	Signed bool
}

// ErrSigned is returned when Options.Signed is set.
var ErrSigned = &deploy.HintError{
	Err: errors.New("Jamf Pro's API refuses signed profiles, so --sign cannot be used with --target jamf"),
	Hints: []string{"drop --sign: mdmforge uploads the unsigned profile, and Jamf Pro signs what it sends to devices " +
		"with its own signing certificate when one is set up (Settings > Global > PKI certificates)"}}

// Plan compares the profiles the policies build with Jamf Pro's and
// returns what Apply would do. It only reads.
func Plan(ctx context.Context, c *Client, policies []*profiles.Policy, o Options) (*deploy.Plan, error) {
	pl, err := plan(ctx, c, policies, o)
	if err != nil {
		return nil, explain(err)
	}
	return pl.Plan, nil
}

// Apply plans again and makes Jamf Pro so; with saved, only when the new
// plan's fingerprint is saved's. The Result counts what was done, also
// when an error stopped the apply; applying again finishes the work.
func Apply(ctx context.Context, c *Client, policies []*profiles.Policy, saved *deploy.Plan, o Options) (*deploy.Result, error) {
	before := c.Stats().Writes
	pl, err := plan(ctx, c, policies, o)
	if err != nil {
		return &deploy.Result{}, explain(err)
	}
	if err := profilesync.CheckSaved(saved, pl.Plan); err != nil {
		return &deploy.Result{}, err
	}
	res, err := profilesync.Apply(ctx, pl, &writer{c: c})
	res.Writes = c.Stats().Writes - before
	return res, explain(err)
}

// explain says what a refused sign-in, a 401 or a 403 needs.
func explain(err error) error {
	var te *TokenError
	if errors.As(err, &te) {
		return &deploy.HintError{Err: err, Hints: []string{"check " + EnvClientID + " and " + EnvClientSecret +
			": they are an API client's id and secret (Settings > System > API roles and clients), and the client must be enabled"}}
	}
	return rest.Explain(err, func(e *rest.Error) []string {
		switch e.Status {
		case http.StatusUnauthorized:
			return []string{"Jamf Pro refused the token of the API client " + EnvClientID + " names: check that the client is enabled and " + EnvURL + " is its server"}
		case http.StatusForbidden:
			return []string{"the API client's role needs the privilege " + privilege(e) + " (Settings > System > API roles and clients)"}
		}
		return nil
	})
}

// privilege names the Jamf Pro privilege a refused request needs.
func privilege(e *rest.Error) string {
	if strings.Contains(e.URL, groupsPath) {
		return `"Read Smart Mobile Device Groups" and "Read Static Mobile Device Groups"`
	}
	verb := map[string]string{http.MethodGet: "Read", http.MethodPost: "Create", http.MethodPut: "Update", http.MethodDelete: "Delete"}[e.Method]
	return `"` + verb + ` Mobile Device Configuration Profiles"`
}

func plan(ctx context.Context, c *Client, policies []*profiles.Policy, o Options) (*profilesync.Planned, error) {
	if o.Signed {
		return nil, ErrSigned
	}
	want, notes, err := profilesync.BuildDesired(policies, profiles.Jamf, nil)
	if err != nil {
		return nil, err
	}
	var probs profiles.Diagnostics
	if needGroups(want) {
		groups, err := c.groups(ctx)
		if err != nil {
			return nil, err
		}
		probs = append(probs, profilesync.Groups(want, groups, "mobile device group")...)
	}
	have, err := c.profiles(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]*profilesync.Desired{}
	for _, d := range want {
		byID[d.Identifier] = d
		d.Fields = map[string]string{"description": description(d)}
	}
	for _, obj := range have {
		if d := byID[obj.Identifier]; d != nil {
			obj.Profile = normalize(obj.Profile, d.Profile)
		}
	}
	return profilesync.PlanWith(want, have, notes, profilesync.Options{Target: Target, Adopt: o.Adopt, Prune: o.Prune,
		UniqueNames: true, NameChanges: true,
		UpdateConsequence: "Jamf Pro redeploys the profile to every device in scope (redeploy_on_update All)"}, probs,
		"assignments name Jamf Pro mobile device groups by their exact name (Devices > Smart or Static Device Groups)")
}

func needGroups(want []*profilesync.Desired) bool {
	for _, d := range want {
		if a := d.Policy.Assignments; a != nil && len(a.Include)+len(a.Exclude) > 0 {
			return true
		}
	}
	return false
}

// description is the policy's description with the marker as its last
// line.
func description(d *profilesync.Desired) string {
	m := markerPrefix + d.Identifier
	if s := strings.TrimSpace(d.Policy.Profile.Description); s != "" {
		return s + "\n\n" + m
	}
	return m
}

// markerOf returns the identifier a description's last line marks.
func markerOf(desc string) (string, bool) {
	lines := strings.Split(strings.TrimSpace(desc), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if strings.HasPrefix(last, markerPrefix) && len(last) > len(markerPrefix) {
		return last[len(markerPrefix):], true
	}
	return "", false
}

// profiles lists Jamf Pro's profiles and reads each once.
func (c *Client) profiles(ctx context.Context) ([]*profilesync.Object, error) {
	var list profileList
	if err := c.get(ctx, profilesPath, "the list of mobile device configuration profiles", &list); err != nil {
		return nil, err
	}
	listed := map[int]string{}
	for _, e := range list.Profiles {
		listed[e.ID] = e.Name
	}
	c.mu.Lock()
	for id, p := range c.read {
		// Renamed in Jamf since it was read, or gone: read it again.
		if name, ok := listed[id]; !ok || name != p.General.Name {
			delete(c.read, id)
		}
	}
	c.mu.Unlock()
	var out []*profilesync.Object
	for _, e := range list.Profiles {
		obj, err := c.profile(ctx, e.ID)
		if rest.StatusOf(err) == http.StatusNotFound {
			continue // deleted since the list was read
		}
		if err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	return out, nil
}

func (c *Client) profile(ctx context.Context, id int) (*profilesync.Object, error) {
	c.mu.Lock()
	p, ok := c.read[id]
	c.mu.Unlock()
	if !ok {
		path := profilesPath + "/id/" + strconv.Itoa(id)
		if err := c.get(ctx, path, "profile id "+strconv.Itoa(id), &p); err != nil {
			return nil, err
		}
		if p.General == nil {
			return nil, fmt.Errorf("Jamf Pro: %s has no general section", c.rest.URL(path))
		}
		c.mu.Lock()
		if c.read == nil {
			c.read = map[int]Profile{}
		}
		c.read[id] = p
		c.mu.Unlock()
	}
	obj := &profilesync.Object{ID: strconv.Itoa(id), Name: p.General.Name, Profile: []byte(p.General.Payloads)}
	if m, ok := markerOf(p.General.Description); ok {
		obj.Identifier, obj.Managed = m, true
	} else {
		obj.Identifier = payloadIdentifier(obj.Profile)
	}
	obj.Assign = scopeAssignments(p.Scope)
	obj.Fields = map[string]string{"description": strings.TrimSpace(p.General.Description)}
	return obj, nil
}

func payloadIdentifier(data []byte) string {
	v, err := propertylist.ReadXML(data)
	if err != nil {
		return ""
	}
	m, _ := v.(map[string]any)
	s, _ := m["PayloadIdentifier"].(string)
	return s
}

// scopeAssignments turns Jamf's scope into assignments: groups included
// and excluded, and other scope items by kind so an apply replaces them.
func scopeAssignments(s *Scope) []deploy.Assignment {
	out := []deploy.Assignment{}
	if s == nil {
		return out
	}
	if s.AllMobileDevices {
		out = append(out, deploy.Assignment{Kind: "all-mobile-devices"})
	}
	if s.AllJSSUsers {
		out = append(out, deploy.Assignment{Kind: "all-users"})
	}
	groups := func(kind string, g *GroupRefs) {
		if g == nil {
			return
		}
		for _, r := range g.Groups {
			out = append(out, deploy.Assignment{Kind: kind, Group: r.Name, ID: strconv.Itoa(r.ID)})
		}
	}
	refs := func(kind string, r *Refs) {
		if r == nil {
			return
		}
		for _, x := range r.Items {
			out = append(out, deploy.Assignment{Kind: kind, Group: x.Name, ID: strconv.Itoa(x.ID)})
		}
	}
	groups("include", s.MobileDeviceGroups)
	refs("mobile-device", s.MobileDevices)
	refs("building", s.Buildings)
	refs("department", s.Departments)
	refs("user", s.JSSUsers)
	refs("user-group", s.JSSUserGroups)
	if x := s.Exclusions; x != nil {
		groups("exclude", x.MobileDeviceGroups)
		refs("exclude-mobile-device", x.MobileDevices)
		refs("exclude-building", x.Buildings)
		refs("exclude-department", x.Departments)
		refs("exclude-user", x.JSSUsers)
		refs("exclude-user-group", x.JSSUserGroups)
	}
	profilesync.SortAssignments(out)
	return out
}

// scopeOf is the whole scope for assignments: the groups, nothing else.
func scopeOf(a []deploy.Assignment) *Scope {
	s := &Scope{MobileDevices: &Refs{}, MobileDeviceGroups: &GroupRefs{}, Buildings: &Refs{}, Departments: &Refs{},
		JSSUsers: &Refs{}, JSSUserGroups: &Refs{},
		Exclusions: &Exclusions{MobileDevices: &Refs{}, MobileDeviceGroups: &GroupRefs{}, Buildings: &Refs{},
			Departments: &Refs{}, JSSUsers: &Refs{}, JSSUserGroups: &Refs{}}}
	for _, x := range a {
		id, _ := strconv.Atoi(x.ID)
		r := Ref{ID: id, Name: x.Group}
		switch x.Kind {
		case "include":
			s.MobileDeviceGroups.Groups = append(s.MobileDeviceGroups.Groups, r)
		case "exclude":
			s.Exclusions.MobileDeviceGroups.Groups = append(s.Exclusions.MobileDeviceGroups.Groups, r)
		}
	}
	return s
}

// groups maps each mobile device group's name to its ids.
func (c *Client) groups(ctx context.Context) (map[string][]string, error) {
	var list groupList
	if err := c.get(ctx, groupsPath, "the list of mobile device groups", &list); err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, g := range list.Groups {
		out[g.Name] = append(out[g.Name], strconv.Itoa(g.ID))
	}
	for _, ids := range out {
		sort.Strings(ids)
	}
	return out, nil
}

// writer carries out a plan's operations.
type writer struct{ c *Client }

func (w *writer) Create(ctx context.Context, d *profilesync.Desired) (string, error) {
	p := &Profile{General: &General{Name: d.Name, Description: description(d), DeploymentMethod: "Install Automatically",
		Payloads: string(d.Profile)}, Scope: scopeOf(d.Assign)}
	id, err := w.c.send(ctx, http.MethodPost, profilesPath+"/id/0", fmt.Sprintf("create profile %q", d.Name), p)
	return strconv.Itoa(id), err
}

// forget drops a profile mdmforge writes from the cache.
func (c *Client) forget(id string) {
	n, _ := strconv.Atoi(id)
	c.mu.Lock()
	delete(c.read, n)
	c.mu.Unlock()
}

func (w *writer) Update(ctx context.Context, op *profilesync.Op) error {
	defer w.c.forget(op.Have.ID)
	p := &Profile{}
	if op.Content {
		p.General = &General{Name: op.Want.Name, Description: description(op.Want), RedeployOnUpdate: "All",
			Payloads: string(op.Want.Profile)}
	}
	if op.Assign {
		p.Scope = scopeOf(op.Want.Assign)
	}
	_, err := w.c.send(ctx, http.MethodPut, profilesPath+"/id/"+op.Have.ID, fmt.Sprintf("update profile %q", op.Want.Name), p)
	return err
}

func (w *writer) Delete(ctx context.Context, obj *profilesync.Object) error {
	defer w.c.forget(obj.ID)
	_, err := w.c.rest.Do(ctx, rest.Request{Method: http.MethodDelete, Path: profilesPath + "/id/" + obj.ID,
		Accept: "application/xml", What: fmt.Sprintf("delete profile %q", obj.Name)})
	return err
}

func (w *writer) Find(ctx context.Context, identifier string) (*profilesync.Object, error) {
	have, err := w.c.profiles(ctx)
	if err != nil {
		return nil, err
	}
	for _, h := range have {
		if h.Managed && h.Identifier == identifier {
			return h, nil
		}
	}
	return nil, nil
}
