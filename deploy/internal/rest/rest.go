// Package rest is the HTTP client the Jamf Pro, Fleet and Kandji engines
// share: a base URL, an authorizer that sets the credential on every
// attempt (and may refresh it once after a 401), bounded retries that wait
// as Retry-After says on 429 and 503, and errors that name the request and
// status but never a credential.
//
// A request that may have been carried out although its answer was lost
// (a POST that timed out, a 500 to a create) is not sent again: the
// engines look the object up before they create it again, so a retry
// never makes a second one.
package rest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mdmforge/mdmforge/deploy"
)

// Defaults for Options fields left zero.
const (
	DefaultTimeout    = 60 * time.Second
	DefaultMaxRetries = 5
	// MaxResponseBytes bounds one answer: profiles are a few MiB at most.
	MaxResponseBytes = 32 << 20
	// maxRetryAfter caps what a server may ask us to wait.
	maxRetryAfter = 2 * time.Minute
	backoffBase   = 500 * time.Millisecond
	backoffCap    = 30 * time.Second
)

// Authorizer sets a request's credential. Refresh is called once after a
// 401 when the credential can be renewed (an OAuth token); it returns
// false when renewing cannot help (a static API token).
type Authorizer interface {
	Authorize(ctx context.Context, r *http.Request) error
	Refresh(ctx context.Context) bool
}

// Options configures a Client.
type Options struct {
	// BaseURL is the server: scheme, host and any path prefix.
	BaseURL string
	Auth    Authorizer
	// HTTPClient sends requests; nil uses one with Timeout.
	HTTPClient *http.Client
	Timeout    time.Duration
	// MaxRetries bounds retries per request (default 5; negative: none).
	MaxRetries int
	// Sleep waits for d or until ctx is done; tests record instead.
	Sleep func(ctx context.Context, d time.Duration) error
	// Seed is the source of backoff jitter; zero picks one at random.
	Seed int64
	// Service names the server in errors: "Jamf Pro", "Fleet", "Kandji".
	Service string
}

// Stats counts attempts sent, retries included.
type Stats struct {
	Requests, Reads, Writes, Retries int
	Waited                           time.Duration
}

// Client sends requests to one server. It is safe for concurrent use.
type Client struct {
	base   *url.URL
	o      Options
	client *http.Client

	mu    sync.Mutex
	rng   *rand.Rand
	stats Stats
}

// New returns a Client for o; the base URL must parse.
func New(o Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(o.BaseURL, "/"))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("%s URL %q is not an absolute URL", o.Service, o.BaseURL)
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	if o.Sleep == nil {
		o.Sleep = Sleep
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: o.Timeout}
	}
	seed := uint64(o.Seed)
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &Client{base: u, o: o, client: hc, rng: rand.New(rand.NewPCG(seed, seed>>1))}, nil
}

// Sleep waits d, or less if ctx ends first (then it returns ctx.Err()):
// the wait between retries of every deploy client.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Stats returns what the client has sent so far.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// Request is one call. Path is relative to the base URL and may carry a
// query. Body is sent as is with ContentType.
type Request struct {
	Method, Path string
	Body         []byte
	ContentType  string
	Accept       string
	// What names the object for errors: `profile "Contacts"`.
	What string
	// ReadOnly marks a POST that changes nothing (a dry run): counted as
	// a read, and safe to send again.
	ReadOnly bool
}

// Response is a successful answer (2xx).
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Error is a request that failed: an answer other than 2xx, or no answer.
type Error struct {
	Service, Method, URL, What string
	// Status is 0 when no answer came.
	Status int
	// Message is the server's text, shortened.
	Message string
	// Unknown is set when the request may have been carried out although
	// no good answer came (a write that timed out or got a 5xx).
	Unknown bool
	Err     error
}

// Error names the service, request, object and status.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Service + ": " + e.Method + " " + e.URL)
	if e.What != "" {
		b.WriteString(" (" + e.What + ")")
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, ": %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the transport error, if any.
func (e *Error) Unwrap() error { return e.Err }

// StatusOf is the HTTP status of a *Error in err's chain, or 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// URL is the absolute URL of a path, for messages.
func (c *Client) URL(path string) string {
	return c.base.String() + "/" + strings.TrimLeft(path, "/")
}

// SameHost returns the path and query of link, an absolute URL a server
// answered with (a next page), for Request.Path. A link to another host or
// scheme is refused, so the credential never leaves the base URL's server.
func (c *Client) SameHost(link string) (string, error) {
	u, err := url.Parse(link)
	if err != nil || u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return "", fmt.Errorf("the next page %q is not on %s", link, c.base.Host)
	}
	path := strings.TrimPrefix(u.EscapedPath(), c.base.EscapedPath())
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return path, nil
}

// Do sends the request, retrying as the package comment says.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	u := c.URL(r.Path)
	write := r.Method != http.MethodGet && r.Method != http.MethodHead && !r.ReadOnly
	refreshed := false
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, r.Method, u, bytes.NewReader(r.Body))
		if err != nil {
			return nil, &Error{Service: c.o.Service, Method: r.Method, URL: u, What: r.What, Err: err}
		}
		if r.Body != nil {
			req.Header.Set("Content-Type", r.ContentType)
		}
		if r.Accept != "" {
			req.Header.Set("Accept", r.Accept)
		}
		req.Header.Set("User-Agent", "mdmforge")
		if c.o.Auth != nil {
			if err := c.o.Auth.Authorize(ctx, req); err != nil {
				return nil, err
			}
		}
		c.count(write)
		resp, err := c.client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			e := &Error{Service: c.o.Service, Method: r.Method, URL: u, What: r.What, Err: scrub(err), Unknown: write}
			// A read is safe to repeat; a write may have been done.
			if !write && attempt < c.o.MaxRetries {
				if err := c.wait(ctx, attempt, ""); err != nil {
					return nil, err
				}
				continue
			}
			return nil, e
		}
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
		resp.Body.Close()
		if rerr == nil && len(body) > MaxResponseBytes {
			return nil, &Error{Service: c.o.Service, Method: r.Method, URL: u, What: r.What, Status: resp.StatusCode,
				Err: fmt.Errorf("answer larger than %d bytes", MaxResponseBytes)}
		}
		if rerr != nil {
			if !write && attempt < c.o.MaxRetries {
				if err := c.wait(ctx, attempt, ""); err != nil {
					return nil, err
				}
				continue
			}
			return nil, &Error{Service: c.o.Service, Method: r.Method, URL: u, What: r.What, Status: resp.StatusCode, Err: rerr, Unknown: write}
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
		}
		retry := false
		switch {
		case resp.StatusCode == http.StatusUnauthorized && !refreshed && c.o.Auth != nil && c.o.Auth.Refresh(ctx):
			// The token may have expired between Authorize and the
			// server's check: renew it once.
			refreshed = true
			continue
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
			// The server says it did not do the request.
			retry = true
		case !write && (resp.StatusCode == 500 || resp.StatusCode == 502 || resp.StatusCode == 504):
			retry = true
		}
		if retry && attempt < c.o.MaxRetries {
			if err := c.wait(ctx, attempt, resp.Header.Get("Retry-After")); err != nil {
				return nil, err
			}
			continue
		}
		return nil, &Error{Service: c.o.Service, Method: r.Method, URL: u, What: r.What, Status: resp.StatusCode,
			Message: message(body), Unknown: write && resp.StatusCode >= 500 && resp.StatusCode != 503}
	}
}

func (c *Client) count(write bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.Requests++
	if write {
		c.stats.Writes++
	} else {
		c.stats.Reads++
	}
}

// wait sleeps as Retry-After says (seconds or a date, capped), else backs
// off exponentially with full jitter.
func (c *Client) wait(ctx context.Context, attempt int, retryAfter string) error {
	d := -time.Duration(1)
	if retryAfter != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && s >= 0 {
			d = time.Duration(s) * time.Second
		} else if t, err := http.ParseTime(retryAfter); err == nil {
			d = max(time.Until(t), 0)
		}
	}
	c.mu.Lock()
	if d < 0 {
		ceil := min(backoffBase<<attempt, backoffCap)
		d = time.Duration(c.rng.Int64N(int64(ceil) + 1))
	}
	d = min(d, maxRetryAfter)
	c.stats.Retries++
	c.stats.Waited += d
	c.mu.Unlock()
	return c.o.Sleep(ctx, d)
}

// message is the server's answer, on one line and short: Jamf answers in
// HTML, Fleet and Kandji in JSON.
func message(body []byte) string {
	s := string(body)
	if i := strings.Index(s, "<p>"); i >= 0 {
		// Jamf's Classic API: <html>…<p>Error: Duplicate name</p>…
		s = s[i+3:]
		if j := strings.Index(s, "</p>"); j >= 0 {
			s = s[:j]
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

// scrub drops the URL net/http repeats in its errors: we name it already.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Getenv reads the environment; tests pass their own.
type Getenv func(string) string

// maxSecretFile bounds a secret file: a secret is a line.
const maxSecretFile = 64 << 10

// Secret reads a credential from the variable NAME, or from the file
// NAME_FILE names (a mounted secret), never from argv. Surrounding
// white space is dropped. Both set is an error, as is neither when
// required. The file is read only up to 64 KiB, so a wrong name
// (/dev/zero, a disk image) fails at once.
func Secret(getenv Getenv, name string) (string, error) {
	v, f := getenv(name), getenv(name+"_FILE")
	switch {
	case v != "" && f != "":
		return "", fmt.Errorf("both %s and %s_FILE are set: set one", name, name)
	case f == "":
		return strings.TrimSpace(v), nil
	}
	file, err := os.Open(f)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %w", name, err)
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxSecretFile+1))
	switch {
	case err != nil:
		return "", fmt.Errorf("%s_FILE: %s: %w", name, f, err)
	case len(data) > maxSecretFile:
		return "", fmt.Errorf("%s_FILE: %s is larger than 64 KiB", name, f)
	case strings.TrimSpace(string(data)) == "":
		return "", fmt.Errorf("%s_FILE: %s is empty", name, f)
	}
	return strings.TrimSpace(string(data)), nil
}

// Bearer is a static API token, sent as "Authorization: Bearer …" (Fleet,
// Kandji). It cannot be renewed, so a 401 is final.
type Bearer string

// Authorize sets the token.
func (t Bearer) Authorize(_ context.Context, r *http.Request) error {
	r.Header.Set("Authorization", "Bearer "+string(t))
	return nil
}

// Refresh reports that renewing cannot help: the token is what it is.
func (Bearer) Refresh(context.Context) bool { return false }

// ServerFromEnv reads a server's URL from urlVar (urlHelp says what it
// looks like, for the message) and its credential from secretVar or
// secretVar_FILE, naming every missing variable at once: "Fleet: set
// MDMFORGE_FLEET_URL (…), MDMFORGE_FLEET_TOKEN (or …_FILE)". The URL is
// checked as CheckURL does.
func ServerFromEnv(getenv Getenv, service, urlVar, urlHelp, secretVar string) (base, secret string, err error) {
	var missing []string
	raw := getenv(urlVar)
	if raw == "" {
		missing = append(missing, urlVar+" ("+urlHelp+")")
	}
	if secret, err = Secret(getenv, secretVar); err != nil {
		return "", "", err
	}
	if secret == "" {
		missing = append(missing, secretVar+" (or "+secretVar+"_FILE)")
	}
	if len(missing) > 0 {
		return "", "", fmt.Errorf("%s: set %s", service, strings.Join(missing, ", "))
	}
	if base, err = CheckURL(urlVar, raw); err != nil {
		return "", "", err
	}
	return base, secret, nil
}

// CheckURL accepts https, or http to localhost (tests, a local proxy).
func CheckURL(name, raw string) (string, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%s is not a URL such as https://example.com", name)
	}
	if u.User != nil {
		// Say nothing of the URL: it holds a password.
		return "", fmt.Errorf("%s must not carry credentials: set them in their own variables", name)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		// Nor of this one: a query may hold a token, and paths are
		// appended to the URL, so one would end up in the middle.
		return "", fmt.Errorf("%s must be the server's URL without a query or fragment", name)
	}
	host := u.Hostname()
	local := host == "localhost" || host == "127.0.0.1" || host == "::1"
	if u.Scheme != "https" && !(u.Scheme == "http" && local) {
		return "", fmt.Errorf("%s=%q must be https (http only to localhost)", name, raw)
	}
	return u.String(), nil
}

// Explain adds the hints hint gives for a *Error in err's chain (what a
// 401 or 403 means for this MDM), as a *deploy.HintError the CLI prints.
// Other errors are returned as they are.
func Explain(err error, hint func(e *Error) []string) error {
	var e *Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	if hs := hint(e); len(hs) > 0 {
		return &deploy.HintError{Err: err, Hints: hs}
	}
	return err
}
