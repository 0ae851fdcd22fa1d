// Package graph is mdmforge's Microsoft Graph client: plain net/http and
// encoding/json over the bodies profiles/intune builds, with the behaviour
// Intune needs from a pipeline tool. It follows @odata.nextLink, waits as
// Retry-After says on 429, 500, 502, 503 and 504 (or backs off with
// jitter) before repeating a request that may be repeated, paces
// writes under Intune's limit of 100 per 20 seconds, times out each
// attempt, never repeats a create whose answer was lost, and names the
// object, request, status, Graph's message and request-id in every error.
//
// The Graph SDK is deliberately not used: it adds hundreds of MiB of
// modules and minutes of build time for the handful of requests we send.
package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mdmforge/mdmforge/deploy/internal/rest"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/uuid"
)

// Defaults for Options fields left zero.
const (
	DefaultBaseURL    = "https://graph.microsoft.com"
	DefaultTimeout    = 60 * time.Second
	DefaultMaxRetries = 6
	// DefaultWrites and DefaultWindow are Intune's documented limit for
	// POST, PUT, PATCH and DELETE on device configuration and managed
	// applications: 100 per 20 seconds per app and tenant.
	DefaultWrites = 100
	DefaultWindow = 20 * time.Second
)

const (
	// MaxResponseBytes bounds one response body: the largest Intune
	// objects (custom profiles with embedded payloads) are a few MiB.
	MaxResponseBytes = 64 << 20
	// maxRetryAfter caps what a server may ask us to wait, so a bad
	// header cannot stall a pipeline for hours.
	maxRetryAfter = 5 * time.Minute
	backoffBase   = time.Second
	backoffCap    = 60 * time.Second
	// maxPages stops a nextLink loop that never ends.
	maxPages = 10000
)

var (
	maxResponse int64 = MaxResponseBytes // tests lower it
	// errTooLarge is an answer over maxResponse; asking again would get
	// the same answer, so it is not retried.
	errTooLarge = errors.New("the answer is too large")
)

// Options configures a Client. Only Credential is required.
type Options struct {
	// BaseURL is the scheme and host of Graph, without a version:
	// https://graph.microsoft.com. The token scope is BaseURL + "/.default".
	BaseURL string
	// Credential supplies bearer tokens; GetToken is called for every
	// attempt (azidentity caches tokens).
	Credential azcore.TokenCredential
	// Scope is the token scope; empty means BaseURL + "/.default". A
	// proxy or test server in BaseURL still needs tokens for the cloud's
	// Graph, so the CLI sets it from --cloud.
	Scope string
	// HTTPClient sends requests; nil uses a client with transport timeouts.
	HTTPClient *http.Client
	// Timeout bounds one attempt, answer body included (default 60 s).
	Timeout time.Duration
	// MaxRetries bounds retries per request (default 6; negative: none).
	MaxRetries int
	// Writes and Window pace write requests (every method but GET): at
	// most Writes in any Window (default 100 per 20 s).
	Writes int
	Window time.Duration
	// Sleep waits for d or until ctx is done; tests record instead.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock pacing and Retry-After dates use; tests pass one
	// that Sleep advances. Nil: time.Now.
	Now func() time.Time
	// Seed is the source of backoff jitter; zero picks one at random.
	Seed int64
	// UserAgent is sent with every request (default "mdmforge").
	UserAgent string
	// Progress, when set, gets one line before each retry of a request
	// that got no answer at all (connection refused, a time-out), so a
	// run waiting out an unreachable Graph does not look hung:
	// "mdmforge: Graph did not answer (connection refused); retrying in
	// 4s, attempt 2 of 7". The CLI passes stderr.
	Progress io.Writer
}

// Stats counts what a Client did. Requests, Reads and Writes count
// attempts sent, so retries are included.
type Stats struct {
	Requests int
	Reads    int
	Writes   int
	Retries  int
	// Waited is the time spent waiting: Retry-After, backoff and pacing.
	Waited time.Duration
}

// Client sends requests to Microsoft Graph. It is safe for concurrent use.
type Client struct {
	base   *url.URL
	o      Options
	scope  string
	client *http.Client

	progress sync.Mutex // one Progress line at a time

	mu     sync.Mutex
	rng    *rand.Rand
	writes []time.Time // start times of the last Writes write attempts
	stats  Stats
}

// New returns a Client for o. A BaseURL that does not parse is reported by
// the first request, so construction cannot fail.
func New(o Options) *Client {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	switch {
	case o.MaxRetries == 0:
		o.MaxRetries = DefaultMaxRetries
	case o.MaxRetries < 0:
		o.MaxRetries = 0
	}
	if o.Writes <= 0 {
		o.Writes = DefaultWrites
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.Sleep == nil {
		o.Sleep = rest.Sleep
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.UserAgent == "" {
		o.UserAgent = "mdmforge"
	}
	seed := uint64(o.Seed)
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = defaultHTTPClient()
	}
	base, _ := url.Parse(o.BaseURL)
	scope := o.Scope
	if scope == "" {
		scope = o.BaseURL + "/.default"
	}
	return &Client{
		base:   base,
		o:      o,
		scope:  scope,
		client: hc,
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	}
}

func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSHandshakeTimeout = 15 * time.Second
	t.ResponseHeaderTimeout = 2 * time.Minute
	t.IdleConnTimeout = 90 * time.Second
	t.DialContext = (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	return &http.Client{Transport: t}
}

// Stats returns a copy of the counters.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// Scope returns the token scope the client asks its credential for.
func (c *Client) Scope() string { return c.scope }

// BaseURL returns the scheme and host requests go to.
func (c *Client) BaseURL() string { return c.o.BaseURL }

// Request is one Graph call.
type Request struct {
	// Method is the HTTP method; empty means GET.
	Method string
	// Version is "v1.0" or "beta".
	Version string
	// Path follows the version: "deviceManagement/deviceConfigurations/{id}".
	Path  string
	Query url.Values
	// Body is JSON-encoded by the client (json.RawMessage and []byte pass
	// through); nil sends no body.
	Body any
	// Object names what the request is about, for errors:
	// `"Work Contacts – Custom" (custom profile)`.
	Object string
	// Idempotent marks a POST that is safe to repeat (assign, targetApps,
	// scheduleActionsForRules). Other POSTs create objects and are never
	// repeated once they may have been committed.
	Idempotent bool
}

func (r Request) method() string {
	if r.Method == "" {
		return http.MethodGet
	}
	return strings.ToUpper(r.Method)
}

// repeatable reports whether sending r twice has the effect of sending it
// once: everything but a POST not marked Idempotent.
func (r Request) repeatable() bool {
	return r.method() != http.MethodPost || r.Idempotent
}

func (c *Client) url(r Request) (string, error) {
	if c.base == nil || (c.base.Scheme != "https" && c.base.Scheme != "http") || c.base.Host == "" {
		return "", fmt.Errorf("graph base URL %q is not an http(s) scheme and host", c.o.BaseURL)
	}
	if r.Version != "v1.0" && r.Version != "beta" {
		return "", fmt.Errorf("graph version %q is neither v1.0 nor beta", r.Version)
	}
	u := c.o.BaseURL + "/" + r.Version + "/" + strings.TrimLeft(r.Path, "/")
	if len(r.Query) > 0 {
		u += "?" + r.Query.Encode()
	}
	return u, nil
}

// Do sends r and decodes the answer into out, which is nil (the answer is
// discarded; 204 is fine) or a pointer. Errors are *Error, except a
// cancelled context, which is returned as ctx.Err() wrapped.
func (c *Client) Do(ctx context.Context, r Request, out any) error {
	u, err := c.url(r)
	if err != nil {
		return err
	}
	body, err := encodeBody(r.Body)
	if err != nil {
		return fmt.Errorf("%s: encoding the body: %w", c.describe(r), err)
	}
	data, err := c.send(ctx, r, u, body)
	if err != nil {
		return err
	}
	if out == nil || len(bytes.TrimSpace(data.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data.body, out); err != nil {
		return c.notGraph(r, u, data, fmt.Sprintf("the answer is not the JSON expected: %v", err))
	}
	return nil
}

// List GETs a collection and returns every item of every page, following
// @odata.nextLink verbatim until it is absent. A nextLink to another host
// is refused: the bearer token must only go to BaseURL.
func (c *Client) List(ctx context.Context, r Request) ([]json.RawMessage, error) {
	if r.method() != http.MethodGet {
		return nil, fmt.Errorf("graph: List needs GET, not %s", r.method())
	}
	u, err := c.url(r)
	if err != nil {
		return nil, err
	}
	var items []json.RawMessage
	seen := map[string]bool{}
	for page := 0; u != ""; page++ {
		if page >= maxPages || seen[u] {
			return nil, c.errorFor(r, u, nil, fmt.Sprintf("paging does not end after %d pages", page))
		}
		seen[u] = true
		data, err := c.send(ctx, r, u, nil)
		if err != nil {
			return nil, err
		}
		var p struct {
			Value    []json.RawMessage `json:"value"`
			NextLink string            `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(data.body, &p); err != nil {
			return nil, c.notGraph(r, u, data, fmt.Sprintf("the page is not a JSON collection: %v", err))
		}
		items = append(items, p.Value...)
		if p.NextLink != "" {
			next, err := url.Parse(p.NextLink)
			if err != nil || next.Scheme != c.base.Scheme || next.Host != c.base.Host {
				return nil, c.errorFor(r, u, data, fmt.Sprintf("@odata.nextLink %q is not on %s", truncate(p.NextLink, 200), c.o.BaseURL))
			}
		}
		u = p.NextLink
	}
	if items == nil {
		items = []json.RawMessage{}
	}
	return items, nil
}

// notGraph is the error of a success answer that is not Graph's JSON,
// most often a web page from a host that is not Graph (a wrong
// MDMFORGE_GRAPH_URL, a captive portal, a proxy's sign-in page).
func (c *Client) notGraph(r Request, u string, a *answer, message string) *Error {
	if html(a) {
		message = "the answer is a web page, not Graph's JSON"
		if t := firstLine(a.body); t != "" {
			message += fmt.Sprintf(" (%q)", t)
		}
	}
	e := c.errorFor(r, u, a, message)
	e.NotGraph = true
	return e
}

func html(a *answer) bool {
	if a == nil {
		return false
	}
	if ct := strings.ToLower(a.header.Get("Content-Type")); strings.HasPrefix(ct, "text/html") {
		return true
	}
	return bytes.HasPrefix(bytes.TrimSpace(a.body), []byte("<"))
}

func encodeBody(b any) ([]byte, error) {
	switch v := b.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		return v, nil
	case []byte:
		return v, nil
	default:
		return json.Marshal(v)
	}
}

// answer is one HTTP exchange's outcome.
type answer struct {
	status          int
	header          http.Header
	body            []byte
	clientRequestID string
}

// send runs the attempt loop for one URL.
func (c *Client) send(ctx context.Context, r Request, u string, body []byte) (*answer, error) {
	method := r.method()
	write := method != http.MethodGet
	attempts := c.o.MaxRetries + 1
	var last *Error
	committedMaybe := false // an earlier attempt of this write may have been applied
	for attempt := 1; attempt <= attempts; attempt++ {
		if write {
			if err := c.pace(ctx); err != nil {
				return nil, c.cancelled(r, u, err)
			}
		}
		a, err := c.attempt(ctx, r, method, u, body, write)
		if ctx.Err() != nil {
			return nil, c.cancelled(r, u, ctx.Err())
		}
		var wait time.Duration
		switch {
		case err != nil:
			var tokErr *TokenError
			if errors.As(err, &tokErr) {
				return nil, err
			}
			e := c.errorFor(r, u, a, transportMessage(err, c.o.Timeout))
			e.Err = err
			if write {
				e.Unknown = true
			}
			if unresolvable(err) {
				// No request left this machine, and asking the resolver
				// again gives the same answer: a typo in the host, or the
				// wrong --cloud, is reported at once.
				e.Unknown = committedMaybe
				return nil, e
			}
			if !r.repeatable() || errors.Is(err, errTooLarge) {
				return nil, e
			}
			committedMaybe = committedMaybe || write
			last = e
			wait = c.backoff(attempt)
			if attempt < attempts {
				c.report(err, wait, attempt+1, attempts)
			}
		case a.status >= 200 && a.status < 300:
			return a, nil
		case a.status == http.StatusNotFound && method == http.MethodDelete && committedMaybe:
			// The earlier attempt whose answer was lost deleted it.
			return a, nil
		case retried(a.status):
			e := c.errorFor(r, u, a, "")
			if a.status != http.StatusTooManyRequests && write {
				// Throttled requests are not processed; a 5xx may come
				// after the write was committed, so only a request that
				// may be repeated is sent again.
				e.Unknown = true
				if !r.repeatable() {
					return nil, e
				}
				committedMaybe = true
			}
			last = e
			var ok bool
			if wait, ok = retryAfter(a.header.Get("Retry-After"), c.o.Now()); !ok {
				wait = c.backoff(attempt)
			}
		default:
			e := c.errorFor(r, u, a, "")
			// After a lost answer, an earlier attempt may have been applied
			// whatever this one says.
			e.Unknown = write && (a.status >= 500 || committedMaybe)
			return nil, e
		}
		if attempt == attempts {
			break
		}
		c.mu.Lock()
		c.stats.Retries++
		c.mu.Unlock()
		if err := c.wait(ctx, wait); err != nil {
			return nil, c.cancelled(r, u, err)
		}
	}
	last.Attempts = attempts
	last.Unknown = last.Unknown || committedMaybe
	return nil, last
}

// retried reports whether an answer's status is worth another attempt:
// throttling (429), and the 5xx that Graph answers now and then to a
// request that succeeds when sent again (500, 502, 503, 504). Other 5xx
// (501 Not Implemented, 505) would be answered the same way again.
func retried(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func (c *Client) attempt(ctx context.Context, r Request, method, u string, body []byte, write bool) (*answer, error) {
	actx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	a := &answer{clientRequestID: uuid.NewString()}
	tok, err := c.token(actx)
	if err != nil {
		return a, err
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, method, u, rd)
	if err != nil {
		return a, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("client-request-id", a.clientRequestID)
	req.Header.Set("return-client-request-id", "true")
	req.Header.Set("User-Agent", c.o.UserAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.mu.Lock()
	c.stats.Requests++
	if write {
		c.stats.Writes++
	} else {
		c.stats.Reads++
	}
	c.mu.Unlock()
	resp, err := c.client.Do(req)
	if err != nil {
		return a, err
	}
	defer resp.Body.Close()
	a.status = resp.StatusCode
	a.header = resp.Header
	a.body, err = io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		// The status arrived but the body did not: as lost as no answer.
		a.status = 0
		return a, err
	}
	if int64(len(a.body)) > maxResponse {
		a.status = 0
		return a, errTooLarge
	}
	return a, nil
}

// TokenError is a failure to get a bearer token. Its message leads with
// the credential kind and keeps azidentity's explanation after it.
type TokenError struct {
	// Kind names the credential, such as "github-oidc" or
	// "DefaultAzureCredential".
	Kind  string
	Scope string
	Err   error
}

func (e *TokenError) Error() string {
	// DefaultAzureCredential's own message starts with its name.
	reason := strings.TrimPrefix(tokenReason(e.Err.Error()), e.Kind+": ")
	return fmt.Sprintf("getting a token for %s with %s: %s", e.Scope, e.Kind, reason)
}

// maxTokenReason bounds what an azidentity error contributes to a message.
const maxTokenReason = 600

var errorDescription = regexp.MustCompile(`"error_description"\s*:\s*"((?:[^"\\]|\\.)*)"`)

// tokenReason keeps what an azidentity error says in one bounded line:
// its first line, and for a chain of credentials (DefaultAzureCredential)
// each credential's first line, without the dashed RESPONSE box with the
// request and the indented JSON body that follow an authentication
// failure. Of the body, only Entra's error_description (AADSTS…) is kept:
// it is the reason.
func tokenReason(msg string) string {
	lines := strings.Split(strings.ReplaceAll(msg, "\r\n", "\n"), "\n")
	chained := len(lines) > 1 && strings.TrimSpace(lines[1]) == "Attempted credentials:"
	if !chained && !strings.Contains(msg, "\n-----") {
		return oneLine(msg, maxTokenReason)
	}
	var parts []string
	for i, l := range lines {
		switch {
		case i == 0:
			parts = append(parts, strings.TrimSpace(l))
		case strings.HasPrefix(l, "\t") && !strings.HasPrefix(l, "\t\t"):
			// A chained credential's own first line.
			parts = append(parts, oneLine(l, 200))
		}
	}
	if chained {
		parts[0] = strings.TrimSuffix(parts[0], ".") + "; tried"
	} else if m := errorDescription.FindStringSubmatch(msg); m != nil {
		parts[0] = strings.TrimSuffix(parts[0], ".")
		var desc string
		if json.Unmarshal([]byte(`"`+m[1]+`"`), &desc) == nil {
			// Entra's description ends with its trace and correlation ids.
			if i := strings.Index(desc, " Trace ID:"); i > 0 {
				desc = desc[:i]
			}
			parts = append(parts, oneLine(desc, 300))
		}
	}
	s := parts[0]
	for i, p := range parts[1:] {
		switch {
		case p == "":
		case i == 0 && strings.HasSuffix(s, "; tried"):
			s += " " + p
		default:
			s += "; " + p
		}
	}
	return oneLine(s, maxTokenReason)
}

func (e *TokenError) Unwrap() error { return e.Err }

func (c *Client) token(ctx context.Context) (string, error) {
	if c.o.Credential == nil {
		return "", &TokenError{Kind: "no credential", Scope: c.scope, Err: errors.New("the client has no credential")}
	}
	tok, err := c.o.Credential.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{c.scope}})
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		var te *TokenError
		if errors.As(err, &te) {
			return "", te
		}
		return "", &TokenError{Kind: credentialKind(c.o.Credential), Scope: c.scope, Err: err}
	}
	return tok.Token, nil
}

func (c *Client) wait(ctx context.Context, d time.Duration) error {
	if d < 0 {
		d = 0
	}
	c.mu.Lock()
	c.stats.Waited += d
	c.mu.Unlock()
	if d == 0 {
		return ctx.Err()
	}
	return c.o.Sleep(ctx, d)
}

// pace waits until a write may start without exceeding Writes in any
// Window. The slot is reserved under the lock so concurrent writers queue
// rather than all waking at once.
func (c *Client) pace(ctx context.Context) error {
	c.mu.Lock()
	now := c.o.Now()
	start := now
	if len(c.writes) >= c.o.Writes {
		if free := c.writes[len(c.writes)-c.o.Writes].Add(c.o.Window); free.After(start) {
			start = free
		}
	}
	c.writes = append(c.writes, start)
	if len(c.writes) > c.o.Writes {
		c.writes = append(c.writes[:0], c.writes[len(c.writes)-c.o.Writes:]...)
	}
	c.mu.Unlock()
	return c.wait(ctx, start.Sub(now))
}

// backoff is exponential backoff with full jitter: a uniform wait in
// [0, min(cap, base·2^(attempt-1))).
func (c *Client) backoff(attempt int) time.Duration {
	ceiling := backoffCap
	if attempt < 7 {
		ceiling = min(backoffCap, backoffBase<<(attempt-1))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Duration(c.rng.Int64N(int64(ceiling)))
}

// retryAfter reads a Retry-After header: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if n, err := parseSeconds(v); err == nil {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return 0, false
	}
	return max(0, min(d, maxRetryAfter)), true
}

func parseSeconds(v string) (int64, error) {
	var n int64
	if v == "" || len(v) > 10 {
		return 0, errors.New("not seconds")
	}
	for _, ch := range v {
		if ch < '0' || ch > '9' {
			return 0, errors.New("not seconds")
		}
		n = n*10 + int64(ch-'0')
	}
	return n, nil
}

// unresolvable reports whether err is a host name that does not resolve
// (DNS "no such host"): a lasting answer, unlike a refused connection or a
// time-out, which a moment may cure.
func unresolvable(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// report writes the Progress line of a retry after no answer.
func (c *Client) report(err error, wait time.Duration, next, attempts int) {
	if c.o.Progress == nil {
		return
	}
	c.progress.Lock()
	defer c.progress.Unlock()
	fmt.Fprintf(c.o.Progress, "mdmforge: Graph did not answer (%s); retrying in %s, attempt %d of %d\n",
		transportReason(err, c.o.Timeout), wait.Round(100*time.Millisecond), next, attempts)
}

// transportReason is the few words of a transport error a progress line
// has room for: "connection refused", "no answer within 1m0s".
func transportReason(err error, timeout time.Duration) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return fmt.Sprintf("no answer within %s", timeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	}
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return oneLine(err.Error(), 120)
		}
		err = u
	}
}

func transportMessage(err error, timeout time.Duration) string {
	if errors.Is(err, errTooLarge) {
		return fmt.Sprintf("the answer is larger than %d bytes; nothing was read", maxResponse)
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Sprintf("no answer within %s", timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return "no answer: " + oneLine(err.Error(), 300)
}

func (c *Client) cancelled(r Request, u string, err error) error {
	return fmt.Errorf("%s: %s %s: %w", c.describe(r), r.method(), u, err)
}

func (c *Client) describe(r Request) string {
	verb := "reading"
	switch r.method() {
	case http.MethodPost:
		verb = "creating"
		if r.Idempotent {
			verb = "running " + lastSegment(r.Path) + " for"
		}
	case http.MethodPatch:
		verb = "updating"
	case http.MethodPut:
		verb = "replacing"
	case http.MethodDelete:
		verb = "deleting"
	}
	if r.Object == "" {
		if r.method() == http.MethodGet {
			return "reading " + r.Path
		}
		return verb + " " + r.Path
	}
	return verb + " " + r.Object
}

func lastSegment(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}
