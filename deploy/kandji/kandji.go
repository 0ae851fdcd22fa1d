// Package kandji plans and applies policies to Kandji as custom profiles
// of its library (/api/v1/library/custom-profiles), with an API token.
//
// Identity. Kandji keeps each custom profile's PayloadIdentifier as
// mdm_identifier; profiles are matched by it, so a library item with a
// policy's identifier is that policy's.
//
// Comparing and writing. The list carries each profile's content, which
// is compared by value (UUIDs hidden) with the profile mdmforge builds;
// the name, active and the runs_on_… platforms (from the policy's
// platform) are compared too. A create is a multipart POST, an update a
// multipart PATCH of the item; nothing is written when nothing differs.
//
// Not done. Kandji assigns library items through Blueprints, which its
// API does not let a custom profile name, so a policy with assignments is
// an error. Custom profiles carry no field mdmforge could mark them with,
// so Prune is refused: delete them in Kandji.
package kandji

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/internal/profilesync"
	"github.com/mdmforge/mdmforge/deploy/internal/rest"
	"github.com/mdmforge/mdmforge/profiles"
)

// Target is the name plans give Kandji.
const Target = "kandji"

// The environment variables the Kandji engine reads; the token may be in
// the file MDMFORGE_KANDJI_TOKEN_FILE names.
const (
	EnvURL   = "MDMFORGE_KANDJI_URL"
	EnvToken = "MDMFORGE_KANDJI_TOKEN"
)

const (
	itemsPath = "api/v1/library/custom-profiles"
	pageLimit = 300
	// maxPages bounds the list: 3,000 pages of 300 is far beyond any
	// library, and a server whose next links loop stops here.
	maxPages = 3000
)

// ClientOptions are what tests and callers may set beside the
// environment.
type ClientOptions struct {
	HTTPClient *http.Client
	MaxRetries int
	Sleep      func(ctx context.Context, d time.Duration) error
	Seed       int64
}

// Client talks to one Kandji tenant's API.
type Client struct{ rest *rest.Client }

// FromEnv makes a Client from MDMFORGE_KANDJI_URL and
// MDMFORGE_KANDJI_TOKEN, naming every missing variable at once.
func FromEnv(getenv func(string) string, o ClientOptions) (*Client, error) {
	base, tok, err := rest.ServerFromEnv(getenv, "Kandji", EnvURL, "e.g. https://SUBDOMAIN.api.kandji.io", EnvToken)
	if err != nil {
		return nil, err
	}
	rc, err := rest.New(rest.Options{BaseURL: base, Auth: rest.Bearer(tok), HTTPClient: o.HTTPClient, MaxRetries: o.MaxRetries,
		Sleep: o.Sleep, Seed: o.Seed, Service: "Kandji"})
	if err != nil {
		return nil, err
	}
	return &Client{rest: rc}, nil
}

// Stats counts the requests sent, retries included.
func (c *Client) Stats() rest.Stats { return c.rest.Stats() }

// Options control a plan or an apply.
type Options struct {
	// Prune is refused: see the package comment.
	Prune bool
	// Sign, when set, signs each profile before upload.
	Sign func([]byte) ([]byte, error)
}

// ErrPrune is returned for Options.Prune.
var ErrPrune = &deploy.HintError{
	Err:   errors.New("--prune is not available with --target kandji: Kandji's custom profiles have no field that marks the ones mdmforge made"),
	Hints: []string{"delete custom profiles no policy builds in Kandji's Library; plan lists none of them"}}

// Plan compares the policies' profiles with Kandji's library and returns
// what Apply would do. It only reads.
func Plan(ctx context.Context, c *Client, policies []*profiles.Policy, o Options) (*deploy.Plan, error) {
	pl, err := plan(ctx, c, policies, o)
	if err != nil {
		return nil, explain(err)
	}
	return pl.Plan, nil
}

// Apply plans again and makes the library so; with saved, only when the
// new plan's fingerprint is saved's.
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

// explain says what a 401 or a 403 needs.
func explain(err error) error {
	return rest.Explain(err, func(e *rest.Error) []string {
		switch e.Status {
		case http.StatusUnauthorized:
			return []string{"Kandji refused " + EnvToken + ": it is wrong or revoked, or for another tenant than " + EnvURL}
		case http.StatusForbidden:
			verb := map[string]string{http.MethodGet: "List", http.MethodPost: "Create", http.MethodPatch: "Update", http.MethodDelete: "Delete"}[e.Method]
			return []string{"the API token needs the permission Library > Custom Profiles > " + verb + " (Settings > Access > API token)"}
		}
		return nil
	})
}

func plan(ctx context.Context, c *Client, policies []*profiles.Policy, o Options) (*profilesync.Planned, error) {
	if o.Prune {
		return nil, ErrPrune
	}
	want, notes, err := profilesync.BuildDesired(policies, profiles.Kandji, o.Sign)
	if err != nil {
		return nil, err
	}
	var probs profiles.Diagnostics
	for _, d := range want {
		if a := d.Policy.Assignments; a != nil && len(a.Include)+len(a.Exclude) > 0 {
			probs = append(probs, profiles.Diagnostic{Path: "assignments", Pos: d.Policy.Pos("assignments"),
				Message: "Kandji assigns library items through Blueprints, which mdmforge cannot set for a custom profile: remove assignments, and add the profile to Blueprints in Kandji"})
		}
		d.Fields = fields(d.Policy)
	}
	have, err := c.items(ctx)
	if err != nil {
		return nil, err
	}
	return profilesync.PlanWith(want, have, notes, profilesync.Options{Target: Target, NameChanges: true}, probs,
		"a custom profile reaches devices through the Blueprints it is in (Library > the profile > Assignment)")
}

// platforms are the runs_on_… fields for each policy platform.
var platforms = []struct{ field, platform string }{
	{"runs_on_mac", "macOS"}, {"runs_on_iphone", "iOS"}, {"runs_on_ipad", "iOS"}, {"runs_on_tv", "tvOS"}, {"runs_on_vision", "visionOS"},
}

// fields are the item's properties beside the profile: active, and the
// platforms the policy's platform means.
func fields(p *profiles.Policy) map[string]string {
	plat := p.Profile.Platform
	if plat == "" {
		plat = "iOS"
	}
	out := map[string]string{"active": "true"}
	for _, x := range platforms {
		out[x.field] = strconv.FormatBool(strings.EqualFold(x.platform, plat))
	}
	return out
}

type item struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Active       bool   `json:"active"`
	Profile      string `json:"profile"`
	MDMID        string `json:"mdm_identifier"`
	RunsOnMac    bool   `json:"runs_on_mac"`
	RunsOnIPhone bool   `json:"runs_on_iphone"`
	RunsOnIPad   bool   `json:"runs_on_ipad"`
	RunsOnTV     bool   `json:"runs_on_tv"`
	RunsOnVision bool   `json:"runs_on_vision"`
}

func (it *item) object() *profilesync.Object {
	return &profilesync.Object{ID: it.ID, Name: it.Name, Identifier: it.MDMID, Managed: true, Profile: []byte(it.Profile),
		Assign: []deploy.Assignment{}, Fields: map[string]string{
			"active": strconv.FormatBool(it.Active), "runs_on_mac": strconv.FormatBool(it.RunsOnMac),
			"runs_on_iphone": strconv.FormatBool(it.RunsOnIPhone), "runs_on_ipad": strconv.FormatBool(it.RunsOnIPad),
			"runs_on_tv": strconv.FormatBool(it.RunsOnTV), "runs_on_vision": strconv.FormatBool(it.RunsOnVision)}}
}

// items lists the library's custom profiles, every page, following the
// answer's next link as Kandji's own client (kandji-inc/kst) does.
func (c *Client) items(ctx context.Context) ([]*profilesync.Object, error) {
	var out []*profilesync.Object
	path := fmt.Sprintf("%s?limit=%d", itemsPath, pageLimit)
	for pages := 0; ; pages++ {
		if pages == maxPages {
			return nil, fmt.Errorf("Kandji: %s: more than %d pages of custom profiles; the next links may loop", c.rest.URL(itemsPath), maxPages)
		}
		resp, err := c.rest.Do(ctx, rest.Request{Method: http.MethodGet, Path: path, Accept: "application/json", What: "the library's custom profiles"})
		if err != nil {
			return nil, err
		}
		var body struct {
			Count   int     `json:"count"`
			Next    *string `json:"next"`
			Results []item  `json:"results"`
		}
		if err := json.Unmarshal(resp.Body, &body); err != nil {
			return nil, fmt.Errorf("Kandji: %s: the answer is not the JSON expected: %w", c.rest.URL(path), err)
		}
		for i := range body.Results {
			out = append(out, body.Results[i].object())
		}
		if body.Next == nil || *body.Next == "" || len(body.Results) == 0 {
			return out, nil
		}
		if path, err = c.rest.SameHost(*body.Next); err != nil {
			return nil, fmt.Errorf("Kandji: %s: %w", c.rest.URL(itemsPath), err)
		}
	}
}

// writer uploads custom profiles.
type writer struct{ c *Client }

func (w *writer) form(d *profilesync.Desired) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("name", d.Name)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, d.Policy.Profile.Name+".mobileconfig"))
	h.Set("Content-Type", "application/x-apple-aspen-config")
	part, _ := mw.CreatePart(h)
	part.Write(d.Profile)
	for _, k := range []string{"active", "runs_on_mac", "runs_on_iphone", "runs_on_ipad", "runs_on_tv", "runs_on_vision"} {
		mw.WriteField(k, d.Fields[k])
	}
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

func (w *writer) Create(ctx context.Context, d *profilesync.Desired) (string, error) {
	body, ct := w.form(d)
	resp, err := w.c.rest.Do(ctx, rest.Request{Method: http.MethodPost, Path: itemsPath, Body: body, ContentType: ct,
		Accept: "application/json", What: fmt.Sprintf("create custom profile %q", d.Name)})
	if err != nil {
		return "", err
	}
	var it item
	if err := json.Unmarshal(resp.Body, &it); err != nil || it.ID == "" {
		return "", errors.New("Kandji: the create's answer names no id")
	}
	return it.ID, nil
}

func (w *writer) Update(ctx context.Context, op *profilesync.Op) error {
	body, ct := w.form(op.Want)
	_, err := w.c.rest.Do(ctx, rest.Request{Method: http.MethodPatch, Path: itemsPath + "/" + url.PathEscape(op.Have.ID), Body: body,
		ContentType: ct, Accept: "application/json", What: fmt.Sprintf("update custom profile %q", op.Want.Name)})
	return err
}

func (w *writer) Delete(ctx context.Context, obj *profilesync.Object) error {
	return ErrPrune // never planned: Prune is refused
}

func (w *writer) Find(ctx context.Context, identifier string) (*profilesync.Object, error) {
	have, err := w.c.items(ctx)
	if err != nil {
		return nil, err
	}
	for _, h := range have {
		if h.Identifier == identifier {
			return h, nil
		}
	}
	return nil, nil
}
