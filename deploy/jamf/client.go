package jamf

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mdmforge/mdmforge/deploy/internal/rest"
)

// The environment variables the Jamf Pro engine reads. Each secret may
// instead be in a file named by the variable with _FILE appended.
const (
	EnvURL          = "MDMFORGE_JAMF_URL"
	EnvClientID     = "MDMFORGE_JAMF_CLIENT_ID"
	EnvClientSecret = "MDMFORGE_JAMF_CLIENT_SECRET"
)

// ClientOptions are what tests and callers may set beside the
// environment.
type ClientOptions struct {
	HTTPClient *http.Client
	MaxRetries int
	Sleep      func(ctx context.Context, d time.Duration) error
	Seed       int64
	// Now is the clock token expiry uses; nil: time.Now.
	Now func() time.Time
}

// Client talks to one Jamf Pro server's Classic API with an API client's
// OAuth token.
type Client struct {
	rest *rest.Client
	auth *oauth

	// read caches each profile read, by id, for the rest of the run:
	// apply plans again right after plan, and reading N profiles twice
	// would double the run's requests. The list is always read again, so
	// profiles made or deleted meanwhile are seen; mdmforge's own writes
	// drop the profile from the cache.
	mu   sync.Mutex
	read map[int]Profile
}

// FromEnv makes a Client from MDMFORGE_JAMF_URL, MDMFORGE_JAMF_CLIENT_ID
// and MDMFORGE_JAMF_CLIENT_SECRET (or MDMFORGE_JAMF_CLIENT_SECRET_FILE),
// naming every missing variable at once.
func FromEnv(getenv func(string) string, o ClientOptions) (*Client, error) {
	var missing []string
	raw := getenv(EnvURL)
	if raw == "" {
		missing = append(missing, EnvURL+" (the server, e.g. https://example.jamfcloud.com)")
	}
	id := strings.TrimSpace(getenv(EnvClientID))
	if id == "" {
		missing = append(missing, EnvClientID)
	}
	secret, err := rest.Secret(getenv, EnvClientSecret)
	if err != nil {
		return nil, err
	}
	if secret == "" {
		missing = append(missing, EnvClientSecret+" (or "+EnvClientSecret+"_FILE)")
	}
	if len(missing) > 0 {
		return nil, &MissingEnvError{Names: missing}
	}
	base, err := rest.CheckURL(EnvURL, raw)
	if err != nil {
		return nil, err
	}
	return New(base, id, secret, o)
}

// MissingEnvError names the variables a run needs and lacks.
type MissingEnvError struct{ Names []string }

// Error names the variables to set.
func (e *MissingEnvError) Error() string {
	return "Jamf Pro: set " + strings.Join(e.Names, ", ")
}

// New makes a Client for the server at base with an API client's id and
// secret.
func New(base, clientID, secret string, o ClientOptions) (*Client, error) {
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: rest.DefaultTimeout}
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	tokens, err := rest.New(rest.Options{BaseURL: base, HTTPClient: hc, MaxRetries: o.MaxRetries, Sleep: o.Sleep, Seed: o.Seed,
		Service: "Jamf Pro"})
	if err != nil {
		return nil, err
	}
	a := &oauth{url: strings.TrimRight(base, "/") + "/api/oauth/token", id: clientID, secret: secret, rest: tokens, now: now}
	rc, err := rest.New(rest.Options{BaseURL: base, Auth: a, HTTPClient: hc, MaxRetries: o.MaxRetries,
		Sleep: o.Sleep, Seed: o.Seed, Service: "Jamf Pro"})
	if err != nil {
		return nil, err
	}
	return &Client{rest: rc, auth: a}, nil
}

// Stats counts the requests sent to the Classic API, retries included;
// token requests are not counted.
func (c *Client) Stats() rest.Stats { return c.rest.Stats() }

// oauth holds the bearer token of Jamf Pro's client credentials grant
// (POST /api/oauth/token, Jamf Pro 10.49 and later) and renews it before
// it expires.
type oauth struct {
	url, id, secret string
	// rest sends the token requests; they are not counted in Stats.
	rest *rest.Client
	now  func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// TokenError is a refused sign-in: the client id or secret is wrong, or
// the API client is disabled.
type TokenError struct {
	Status  int
	Message string
}

// Error says the sign-in was refused, never with the secret.
func (e *TokenError) Error() string {
	s := fmt.Sprintf("Jamf Pro refused the API client's credentials at /api/oauth/token (%d %s)", e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func (a *oauth) Authorize(ctx context.Context, r *http.Request) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	// Renew a minute early, so a token does not expire in flight.
	if a.token == "" || !a.now().Before(a.expires.Add(-time.Minute)) {
		if err := a.fetch(ctx); err != nil {
			return err
		}
	}
	r.Header.Set("Authorization", "Bearer "+a.token)
	return nil
}

func (a *oauth) Refresh(ctx context.Context) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.token = ""
	return a.fetch(ctx) == nil
}

func (a *oauth) fetch(ctx context.Context) error {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {a.id}, "client_secret": {a.secret}}
	// Asking for a token again is harmless, so it is retried like a read.
	resp, err := a.rest.Do(ctx, rest.Request{Method: http.MethodPost, Path: "api/oauth/token", Body: []byte(form.Encode()),
		ContentType: "application/x-www-form-urlencoded", Accept: "application/json", What: "a token", ReadOnly: true})
	var re *rest.Error
	if errors.As(err, &re) && (re.Status == http.StatusUnauthorized || re.Status == http.StatusBadRequest || re.Status == http.StatusForbidden) {
		return &TokenError{Status: re.Status, Message: re.Message}
	}
	if err != nil {
		return err
	}
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil || body.AccessToken == "" {
		return fmt.Errorf("Jamf Pro: %s answered without an access_token", a.url)
	}
	a.token = body.AccessToken
	a.expires = a.now().Add(time.Duration(max(body.ExpiresIn, 60)) * time.Second)
	return nil
}

// The Classic API's paths.
const (
	profilesPath = "JSSResource/mobiledeviceconfigurationprofiles"
	groupsPath   = "JSSResource/mobiledevicegroups"
)

// listEntry is one element of a Classic API list.
type listEntry struct {
	ID   int    `xml:"id"`
	Name string `xml:"name"`
}

type profileList struct {
	XMLName  xml.Name    `xml:"configuration_profiles"`
	Size     int         `xml:"size"`
	Profiles []listEntry `xml:"configuration_profile"`
}

type groupList struct {
	XMLName xml.Name `xml:"mobile_device_groups"`
	Size    int      `xml:"size"`
	Groups  []struct {
		ID      int    `xml:"id"`
		Name    string `xml:"name"`
		IsSmart bool   `xml:"is_smart"`
	} `xml:"mobile_device_group"`
}

// Profile is a mobile device configuration profile as the Classic API
// reads and writes it (go-api-sdk-jamfpro's
// ResourceMobileDeviceConfigurationProfile, the parts mdmforge uses).
type Profile struct {
	XMLName xml.Name `xml:"configuration_profile"`
	General *General `xml:"general,omitempty"`
	Scope   *Scope   `xml:"scope,omitempty"`
}

// General is the profile's general section.
type General struct {
	ID               int    `xml:"id,omitempty"`
	Name             string `xml:"name,omitempty"`
	Description      string `xml:"description"`
	UUID             string `xml:"uuid,omitempty"`
	DeploymentMethod string `xml:"deployment_method,omitempty"`
	RedeployOnUpdate string `xml:"redeploy_on_update,omitempty"`
	// Payloads is the profile's plist; encoding/xml escapes it as the
	// Classic API wants.
	Payloads string `xml:"payloads,omitempty"`
}

// Scope is who gets the profile.
type Scope struct {
	AllMobileDevices   bool         `xml:"all_mobile_devices"`
	AllJSSUsers        bool         `xml:"all_jss_users"`
	MobileDevices      *Refs        `xml:"mobile_devices"`
	MobileDeviceGroups *GroupRefs   `xml:"mobile_device_groups"`
	Buildings          *Refs        `xml:"buildings"`
	Departments        *Refs        `xml:"departments"`
	JSSUsers           *Refs        `xml:"jss_users"`
	JSSUserGroups      *Refs        `xml:"jss_user_groups"`
	Exclusions         *Exclusions  `xml:"exclusions"`
	Limitations        *Limitations `xml:"limitations,omitempty"`
}

// GroupRefs lists mobile device groups.
type GroupRefs struct {
	Groups []Ref `xml:"mobile_device_group"`
}

// Refs lists other scope items (devices, buildings, …), whatever their
// element name; mdmforge never sets them and replaces them with none.
type Refs struct {
	Items []Ref `xml:",any"`
}

// Ref is one scope item.
type Ref struct {
	XMLName xml.Name `xml:""`
	ID      int      `xml:"id"`
	Name    string   `xml:"name,omitempty"`
}

// Exclusions are the scope's exclusions.
type Exclusions struct {
	MobileDevices      *Refs      `xml:"mobile_devices"`
	MobileDeviceGroups *GroupRefs `xml:"mobile_device_groups"`
	Buildings          *Refs      `xml:"buildings"`
	Departments        *Refs      `xml:"departments"`
	JSSUsers           *Refs      `xml:"jss_users"`
	JSSUserGroups      *Refs      `xml:"jss_user_groups"`
}

// Limitations are kept as the server sends them; mdmforge does not set
// them.
type Limitations struct {
	Inner string `xml:",innerxml"`
}

func (c *Client) get(ctx context.Context, path, what string, v any) error {
	resp, err := c.rest.Do(ctx, rest.Request{Method: http.MethodGet, Path: path, Accept: "application/xml", What: what})
	if err != nil {
		return err
	}
	if err := xml.Unmarshal(resp.Body, v); err != nil {
		return fmt.Errorf("Jamf Pro: %s: the answer is not the XML expected: %w", c.rest.URL(path), err)
	}
	return nil
}

// send POSTs or PUTs a profile and returns the id Jamf answers with.
func (c *Client) send(ctx context.Context, method, path, what string, p *Profile) (int, error) {
	body, err := xml.Marshal(p)
	if err != nil {
		return 0, err
	}
	body = append([]byte(xml.Header), body...)
	resp, err := c.rest.Do(ctx, rest.Request{Method: method, Path: path, Body: body, ContentType: "application/xml",
		Accept: "application/xml", What: what})
	if err != nil {
		return 0, err
	}
	var out struct {
		ID int `xml:"id"`
	}
	if err := xml.Unmarshal(resp.Body, &out); err != nil || out.ID == 0 {
		return 0, fmt.Errorf("Jamf Pro: %s %s: the answer names no id", method, c.rest.URL(path))
	}
	return out.ID, nil
}
