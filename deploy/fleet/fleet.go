// Package fleet plans and applies policies to Fleet as Apple
// configuration profiles of one team, through Fleet's REST API with an
// API token.
//
// Identity. Fleet keeps each profile's PayloadIdentifier (the list's
// identifier) and refuses a second profile of the same identifier or name
// in a team (409), so profiles are matched by identifier: a profile of
// the team with a policy's identifier is that policy's.
//
// Comparing. The list gives each profile's checksum (the MD5 of its
// bytes); a profile whose checksum is that of mdmforge's bytes is
// unchanged without being read. Others are read (?alt=media) and
// compared by value, UUIDs hidden.
//
// Writing. Fleet has no update of a profile: without Options.Prune a
// changed profile is deleted and uploaded again (multipart POST), and a
// create is one POST. With Options.Prune the team's whole set goes
// through the batch endpoint, first with dry_run=true, then for real:
// Fleet then removes every profile of the team that is not in the set,
// whoever made it, so --prune says the team is wholly mdmforge's.
//
// Variables. Fleet fills in $FLEET_VAR_… per host, which would break a
// signature: a signed profile with Fleet variables is refused.
package fleet

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/internal/profilesync"
	"github.com/mdmforge/mdmforge/deploy/internal/rest"
	"github.com/mdmforge/mdmforge/profiles"
)

// Target is the name plans give Fleet.
const Target = "fleet"

// The environment variables the Fleet engine reads; the token may be in
// the file MDMFORGE_FLEET_TOKEN_FILE names.
const (
	EnvURL   = "MDMFORGE_FLEET_URL"
	EnvToken = "MDMFORGE_FLEET_TOKEN"
	EnvTeam  = "MDMFORGE_FLEET_TEAM"
)

// perPage is the page size asked for; Fleet may answer with fewer.
const perPage = 100

// ClientOptions are what tests and callers may set beside the
// environment.
type ClientOptions struct {
	HTTPClient *http.Client
	MaxRetries int
	Sleep      func(ctx context.Context, d time.Duration) error
	Seed       int64
}

// Client talks to one Fleet server for one team.
type Client struct {
	rest *rest.Client
	// team is the name or id from the environment; resolved once.
	team     string
	teamID   int
	resolved bool
}

// FromEnv makes a Client from MDMFORGE_FLEET_URL, MDMFORGE_FLEET_TOKEN
// and MDMFORGE_FLEET_TEAM, naming every missing variable at once.
func FromEnv(getenv func(string) string, o ClientOptions) (*Client, error) {
	base, tok, err := rest.ServerFromEnv(getenv, "Fleet", EnvURL, "the server, e.g. https://fleet.example.com", EnvToken)
	if err != nil {
		return nil, err
	}
	rc, err := rest.New(rest.Options{BaseURL: base, Auth: rest.Bearer(tok), HTTPClient: o.HTTPClient, MaxRetries: o.MaxRetries,
		Sleep: o.Sleep, Seed: o.Seed, Service: "Fleet"})
	if err != nil {
		return nil, err
	}
	return &Client{rest: rc, team: strings.TrimSpace(getenv(EnvTeam))}, nil
}

// Stats counts the requests sent, retries included.
func (c *Client) Stats() rest.Stats { return c.rest.Stats() }

// Options control a plan or an apply.
type Options struct {
	// Prune makes the team's set exactly the policies' profiles, through
	// the batch endpoint: Fleet removes every other profile of the team.
	Prune bool
	// Sign, when set, signs each profile before upload.
	Sign func([]byte) ([]byte, error)
}

// Plan compares the policies' profiles with the team's and returns what
// Apply would do. It only reads (with Prune, it also sends the batch as a
// dry run, which Fleet checks and does not apply).
func Plan(ctx context.Context, c *Client, policies []*profiles.Policy, o Options) (*deploy.Plan, error) {
	pl, _, err := plan(ctx, c, policies, o)
	if err != nil {
		return nil, explain(err)
	}
	return pl.Plan, nil
}

// Apply plans again and makes the team so; with saved, only when the new
// plan's fingerprint is saved's. The Result counts what was done, also
// when an error stopped the apply; applying again finishes the work.
func Apply(ctx context.Context, c *Client, policies []*profiles.Policy, saved *deploy.Plan, o Options) (*deploy.Result, error) {
	before := c.Stats().Writes
	pl, batch, err := plan(ctx, c, policies, o)
	if err != nil {
		return &deploy.Result{}, explain(err)
	}
	if err := profilesync.CheckSaved(saved, pl.Plan); err != nil {
		return &deploy.Result{}, err
	}
	var res *deploy.Result
	if o.Prune {
		res, err = applyBatch(ctx, c, pl, batch)
	} else {
		res, err = profilesync.Apply(ctx, pl, &writer{c: c})
	}
	res.Writes = c.Stats().Writes - before
	return res, explain(err)
}

// explain says what a 401 or a 403 needs.
func explain(err error) error {
	return rest.Explain(err, func(e *rest.Error) []string {
		switch e.Status {
		case http.StatusUnauthorized:
			return []string{"Fleet refused " + EnvToken + ": it is wrong, expired or for another server (" + EnvURL + "); an API-only user's token does not expire"}
		case http.StatusForbidden:
			return []string{"the token's user needs the role maintainer or admin on the team (" + EnvTeam + ", or globally for \"No team\"); observer can only plan without --prune"}
		case http.StatusConflict:
			// The plan checked both just before, so someone (or another
			// apply) made the profile in the meantime.
			return []string{"a profile of this identifier or name was added to the team since the plan read it: run plan again, which shows it as an update (same identifier) or names the clash (same name)"}
		}
		return nil
	})
}

var fleetVar = regexp.MustCompile(`\$\{?FLEET_VAR_[A-Za-z0-9_]+\}?`)

func plan(ctx context.Context, c *Client, policies []*profiles.Policy, o Options) (*profilesync.Planned, *batchBody, error) {
	want, notes, err := profilesync.BuildDesired(policies, profiles.Fleet, nil)
	if err != nil {
		return nil, nil, err
	}
	var probs profiles.Diagnostics
	for _, d := range want {
		if o.Sign == nil {
			continue
		}
		if vars := fleetVar.FindAllString(string(d.Profile), -1); len(vars) > 0 {
			probs = append(probs, profiles.Diagnostic{Path: "profile.identifier", Pos: d.Policy.Pos("profile.identifier"),
				Message: fmt.Sprintf("profile %q uses Fleet variables (%s), which Fleet fills in per host and so breaks the signature: "+
					"a signed profile for Fleet may not use variables; drop --sign or the variables", d.Name, strings.Join(unique(vars), ", "))})
			continue
		}
		if d.Profile, err = o.Sign(d.Profile); err != nil {
			return nil, nil, fmt.Errorf("%s: signing: %w", d.File, err)
		}
	}
	if err := c.resolveTeam(ctx); err != nil {
		return nil, nil, err
	}
	labels := map[string][]string{}
	if needLabels(want) {
		if labels, err = c.labels(ctx); err != nil {
			return nil, nil, err
		}
	}
	probs = append(probs, profilesync.Groups(want, labels, "label")...)
	for _, d := range want {
		if a := d.Policy.Assignments; a != nil && len(a.Include) > 0 && len(a.Exclude) > 0 {
			probs = append(probs, profiles.Diagnostic{Path: "assignments.exclude", Pos: d.Policy.Pos("assignments.exclude"),
				Message: "Fleet scopes a profile by labels it includes or by labels it excludes, not both: keep assignments.include or assignments.exclude"})
		}
	}
	have, err := c.profiles(ctx)
	if err != nil {
		return nil, nil, err
	}
	// Read the content only of profiles whose checksum differs.
	byID := map[string]*profilesync.Desired{}
	for _, d := range want {
		byID[d.Identifier] = d
	}
	for _, h := range have {
		d := byID[h.obj.Identifier]
		h.obj.Managed = d != nil || o.Prune
		if d == nil {
			continue
		}
		if sum := md5.Sum(d.Profile); h.checksum == base64.StdEncoding.EncodeToString(sum[:]) || h.checksum == hex.EncodeToString(sum[:]) {
			h.obj.Profile = d.Profile
			continue
		}
		data, err := c.content(ctx, h.obj.ID)
		if err != nil {
			return nil, nil, err
		}
		h.obj.Profile = data
	}
	objs := make([]*profilesync.Object, len(have))
	for i, h := range have {
		objs[i] = h.obj
	}
	cons := "Fleet has no update of a profile: mdmforge deletes it and uploads it again, and hosts reinstall it"
	if o.Prune {
		cons = "the batch replaces the profile, and hosts reinstall it"
	}
	pl, err := profilesync.PlanWith(want, objs, notes, profilesync.Options{Target: Target, Prune: o.Prune, UniqueNames: true,
		UpdateConsequence: cons}, probs, "assignments name Fleet labels by their exact name (Hosts > Labels)")
	if err != nil {
		return nil, nil, err
	}
	var batch *batchBody
	if o.Prune && pl.Plan.Changed() {
		batch = batchOf(want)
		if err := c.batch(ctx, batch, true); err != nil {
			return nil, nil, err
		}
	}
	return pl, batch, nil
}

func unique(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func needLabels(want []*profilesync.Desired) bool {
	for _, d := range want {
		if a := d.Policy.Assignments; a != nil && len(a.Include)+len(a.Exclude) > 0 {
			return true
		}
	}
	return false
}

// resolveTeam turns MDMFORGE_FLEET_TEAM into the team's id, once; unset
// is "No team" (id 0).
func (c *Client) resolveTeam(ctx context.Context) error {
	if c.resolved || c.team == "" {
		c.resolved = true
		return nil
	}
	var out struct {
		Teams []struct {
			ID   int    `json:"id"`
			Name string `json:"name"`
		} `json:"teams"`
	}
	if err := c.getJSON(ctx, "api/v1/fleet/teams?per_page=1000", "the list of teams", &out); err != nil {
		return err
	}
	var names []string
	for _, t := range out.Teams {
		if t.Name == c.team || strconv.Itoa(t.ID) == c.team {
			c.teamID, c.resolved = t.ID, true
			return nil
		}
		names = append(names, strconv.Quote(t.Name))
	}
	return fmt.Errorf("%s=%q: Fleet has no team of that name or id (the teams are %s)", EnvTeam, c.team, strings.Join(names, ", "))
}

func (c *Client) teamQuery() string {
	if c.teamID == 0 {
		return ""
	}
	return "team_id=" + strconv.Itoa(c.teamID)
}

func (c *Client) getJSON(ctx context.Context, path, what string, v any) error {
	resp, err := c.rest.Do(ctx, rest.Request{Method: http.MethodGet, Path: path, Accept: "application/json", What: what})
	if err != nil {
		return err
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return fmt.Errorf("Fleet: %s: the answer is not the JSON expected: %w", c.rest.URL(path), err)
	}
	return nil
}

func (c *Client) labels(ctx context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	for page := 0; page < 1000; page++ {
		var body struct {
			Labels []struct {
				ID   int    `json:"id"`
				Name string `json:"name"`
			} `json:"labels"`
		}
		if err := c.getJSON(ctx, fmt.Sprintf("api/v1/fleet/labels?page=%d&per_page=%d", page, perPage), "the list of labels", &body); err != nil {
			return nil, err
		}
		for _, l := range body.Labels {
			out[l.Name] = append(out[l.Name], strconv.Itoa(l.ID))
		}
		if len(body.Labels) < perPage {
			break
		}
	}
	return out, nil
}

type label struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

type listed struct {
	obj      *profilesync.Object
	checksum string
}

// profiles lists the team's profiles, every page.
func (c *Client) profiles(ctx context.Context) ([]*listed, error) {
	var out []*listed
	for page := 0; ; page++ {
		q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(perPage)}}
		if c.teamID != 0 {
			q.Set("team_id", strconv.Itoa(c.teamID))
		}
		var body struct {
			Profiles []struct {
				UUID       string  `json:"profile_uuid"`
				Name       string  `json:"name"`
				Identifier string  `json:"identifier"`
				Platform   string  `json:"platform"`
				Checksum   string  `json:"checksum"`
				IncludeAll []label `json:"labels_include_all"`
				IncludeAny []label `json:"labels_include_any"`
				ExcludeAny []label `json:"labels_exclude_any"`
			} `json:"profiles"`
			Meta struct {
				HasNext bool `json:"has_next_results"`
			} `json:"meta"`
		}
		if err := c.getJSON(ctx, "api/v1/fleet/configuration_profiles?"+q.Encode(), "the team's configuration profiles", &body); err != nil {
			return nil, err
		}
		for _, p := range body.Profiles {
			obj := &profilesync.Object{ID: p.UUID, Name: p.Name, Identifier: p.Identifier, Assign: []deploy.Assignment{}}
			for _, l := range p.IncludeAny {
				obj.Assign = append(obj.Assign, deploy.Assignment{Kind: "include", Group: l.Name, ID: strconv.Itoa(l.ID)})
			}
			for _, l := range p.IncludeAll {
				obj.Assign = append(obj.Assign, deploy.Assignment{Kind: "include-all", Group: l.Name, ID: strconv.Itoa(l.ID)})
			}
			for _, l := range p.ExcludeAny {
				obj.Assign = append(obj.Assign, deploy.Assignment{Kind: "exclude", Group: l.Name, ID: strconv.Itoa(l.ID)})
			}
			profilesync.SortAssignments(obj.Assign)
			if p.Platform != "" && p.Platform != "darwin" && p.Platform != "ios" && p.Platform != "ipados" {
				// Windows profiles have no PayloadIdentifier: never ours.
				obj.Identifier = ""
			}
			out = append(out, &listed{obj: obj, checksum: p.Checksum})
		}
		if !body.Meta.HasNext || page > 10000 {
			return out, nil
		}
	}
}

func (c *Client) content(ctx context.Context, uuid string) ([]byte, error) {
	resp, err := c.rest.Do(ctx, rest.Request{Method: http.MethodGet, Path: "api/v1/fleet/configuration_profiles/" + url.PathEscape(uuid) + "?alt=media",
		What: "profile " + uuid})
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// batchBody is the batch endpoint's body.
type batchBody struct {
	Profiles []batchProfile `json:"configuration_profiles"`
}

type batchProfile struct {
	Name       string   `json:"name"`
	Profile    []byte   `json:"profile"` // base64 in JSON
	IncludeAny []string `json:"labels_include_any,omitempty"`
	ExcludeAny []string `json:"labels_exclude_any,omitempty"`
}

func batchOf(want []*profilesync.Desired) *batchBody {
	b := &batchBody{Profiles: []batchProfile{}}
	for _, d := range want {
		p := batchProfile{Name: d.Name, Profile: d.Profile}
		for _, a := range d.Assign {
			if a.Kind == "include" {
				p.IncludeAny = append(p.IncludeAny, a.Group)
			} else {
				p.ExcludeAny = append(p.ExcludeAny, a.Group)
			}
		}
		b.Profiles = append(b.Profiles, p)
	}
	return b
}

func (c *Client) batch(ctx context.Context, b *batchBody, dryRun bool) error {
	body, err := json.Marshal(b)
	if err != nil {
		return err
	}
	q := c.teamQuery()
	if q != "" {
		q += "&"
	}
	q += "dry_run=" + strconv.FormatBool(dryRun)
	what := "the team's whole set of profiles"
	if dryRun {
		what += ", dry run"
	}
	_, err = c.rest.Do(ctx, rest.Request{Method: http.MethodPost, Path: "api/v1/fleet/configuration_profiles/batch?" + q,
		Body: body, ContentType: "application/json", Accept: "application/json", What: what, ReadOnly: dryRun})
	return err
}

// applyBatch sends the whole set once: Fleet keeps unchanged profiles,
// replaces changed ones and removes the others.
func applyBatch(ctx context.Context, c *Client, pl *profilesync.Planned, b *batchBody) (*deploy.Result, error) {
	res := &deploy.Result{}
	if b == nil {
		res.Unchanged = len(pl.Plan.Steps)
		return res, nil
	}
	if err := c.batch(ctx, b, false); err != nil {
		return res, err
	}
	for _, s := range pl.Plan.Steps {
		switch s.Action {
		case deploy.Create:
			res.Created++
		case deploy.Update:
			res.Updated++
		case deploy.Assign:
			res.Assigned++
		case deploy.Delete:
			res.Deleted++
		default:
			res.Unchanged++
		}
	}
	return res, nil
}

// writer uploads and deletes profiles one at a time.
type writer struct{ c *Client }

func (w *writer) Create(ctx context.Context, d *profilesync.Desired) (string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="profile"; filename=%q`, d.Policy.Profile.Name+".mobileconfig"))
	h.Set("Content-Type", "application/x-apple-aspen-config")
	part, _ := mw.CreatePart(h)
	part.Write(d.Profile)
	if w.c.teamID != 0 {
		mw.WriteField("team_id", strconv.Itoa(w.c.teamID))
	}
	for _, a := range d.Assign {
		field := "labels_include_any"
		if a.Kind == "exclude" {
			field = "labels_exclude_any"
		}
		mw.WriteField(field, a.Group)
	}
	mw.Close()
	resp, err := w.c.rest.Do(ctx, rest.Request{Method: http.MethodPost, Path: "api/v1/fleet/configuration_profiles", Body: buf.Bytes(),
		ContentType: mw.FormDataContentType(), Accept: "application/json", What: fmt.Sprintf("upload profile %q", d.Name)})
	if err != nil {
		return "", err
	}
	var out struct {
		UUID string `json:"profile_uuid"`
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil || out.UUID == "" {
		return "", errors.New("Fleet: the upload's answer names no profile_uuid")
	}
	return out.UUID, nil
}

// Update deletes the profile and uploads it again: Fleet has no update
// of a profile, and refuses a second one with the same identifier.
func (w *writer) Update(ctx context.Context, op *profilesync.Op) error {
	if err := w.Delete(ctx, op.Have); err != nil && rest.StatusOf(err) != http.StatusNotFound {
		return err
	}
	_, err := w.Create(ctx, op.Want)
	return err
}

func (w *writer) Delete(ctx context.Context, obj *profilesync.Object) error {
	_, err := w.c.rest.Do(ctx, rest.Request{Method: http.MethodDelete, Path: "api/v1/fleet/configuration_profiles/" + url.PathEscape(obj.ID),
		Accept: "application/json", What: fmt.Sprintf("delete profile %q", obj.Name)})
	return err
}

func (w *writer) Find(ctx context.Context, identifier string) (*profilesync.Object, error) {
	have, err := w.c.profiles(ctx)
	if err != nil {
		return nil, err
	}
	for _, h := range have {
		if h.obj.Identifier == identifier {
			return h.obj, nil
		}
	}
	return nil, nil
}
