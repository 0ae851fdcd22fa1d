package nanomdm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mdmforge/mdmforge/deploy/internal/rest"

	"github.com/mdmforge/mdmforge/deploy"
)

// Client talks to one NanoMDM server's API.
type Client struct {
	cfg  Config
	http *http.Client
	// sleep waits between attempts; tests record instead.
	sleep func(context.Context, time.Duration) error
	// Writes counts enqueue requests sent, retries included.
	writes int
}

// NewClient returns a client of the server cfg names. hc nil is
// http.DefaultClient's transport with a timeout.
func NewClient(cfg Config, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	return &Client{cfg: cfg, http: hc, sleep: rest.Sleep}
}

// maxAttempts bounds the requests of one enqueue: the first and three
// retries, 0.5 s, 1 s and 2 s apart (with jitter), or as Retry-After says,
// at most 30 s.
const maxAttempts = 4

// maxAnswer bounds what is read of an answer: NanoMDM's are a few hundred
// bytes per enrollment.
const maxAnswer = 8 << 20

// apiResult is NanoMDM's answer to an enqueue (api.APIResult in v0.9.0).
type apiResult struct {
	Status map[string]struct {
		PushError    string `json:"push_error"`
		EnqueueError string `json:"command_error"`
	} `json:"status"`
	NoPush       bool   `json:"no_push"`
	PushError    string `json:"push_error"`
	EnqueueError string `json:"command_error"`
	CommandUUID  string `json:"command_uuid"`
	RequestType  string `json:"request_type"`
}

// queued is what an enqueue achieved: the ids the command is queued for,
// those NanoMDM refused with why, and a push problem (the command is
// queued all the same).
type queued struct {
	ok        []string
	refused   map[string]string
	pushError string
}

// errUnauthorized is a refused API key.
var errUnauthorized = errors.New("NanoMDM refused the API key")

// enqueue queues one raw command for ids, retrying transport failures,
// 429 and 502–504 with the same body, hence the same CommandUUID: a copy
// that reached NanoMDM before its answer was lost is refused as already
// there, which counts as queued.
func (c *Client) enqueue(ctx context.Context, ids []string, commandUUID string, body []byte) (*queued, error) {
	u := c.endpoint(ids)
	var last error
	for attempt := range maxAttempts {
		if attempt > 0 {
			if err := c.sleep(ctx, last.(*retryable).wait(attempt)); err != nil {
				return nil, err
			}
		}
		c.writes++
		q, err := c.once(ctx, u, ids, commandUUID, body)
		var r *retryable
		if !errors.As(err, &r) {
			return q, err
		}
		last = r
	}
	return nil, fmt.Errorf("NanoMDM did not answer after %d attempts: %w", maxAttempts, last.(*retryable).err)
}

func (c *Client) endpoint(ids []string) string {
	esc := make([]string, len(ids))
	for i, id := range ids {
		esc[i] = url.PathEscape(id)
	}
	u := c.cfg.URL.String() + "/v1/enqueue/" + strings.Join(esc, ",")
	if c.cfg.NoPush {
		u += "?nopush=1"
	}
	return u
}

// retryable is a failure after which the same request may be sent again.
type retryable struct {
	err   error
	after time.Duration // Retry-After, when the server said
}

func (r *retryable) Error() string { return r.err.Error() }

func (r *retryable) wait(attempt int) time.Duration {
	if r.after > 0 {
		return min(r.after, 30*time.Second)
	}
	d := 250 * time.Millisecond << attempt
	return d/2 + time.Duration(rand.Int64N(int64(d)))/2
}

func (c *Client) once(ctx context.Context, u string, ids []string, commandUUID string, body []byte) (*queued, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth("nanomdm", c.cfg.APIKey)
	req.Header.Set("Content-Type", "application/x-apple-aspen-mdm")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &retryable{err: scrub(err, c.cfg)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, &retryable{err: fmt.Errorf("reading NanoMDM's answer: %w", scrub(err, c.cfg))}
	}
	if err := statusError(resp, c.cfg); err != nil {
		return nil, err
	}
	var res apiResult
	if err := json.Unmarshal(data, &res); err != nil {
		if resp.StatusCode >= 500 {
			return nil, &retryable{err: fmt.Errorf("NanoMDM answered %s", resp.Status)}
		}
		return nil, fmt.Errorf("NanoMDM answered %s with what is not its API's JSON: is %s NanoMDM's base URL?", resp.Status, EnvURL)
	}
	if res.EnqueueError != "" {
		if alreadyQueued(res.EnqueueError, commandUUID) {
			return &queued{ok: ids}, nil
		}
		return nil, &refusedError{ids: ids, msg: res.EnqueueError}
	}
	q := &queued{refused: map[string]string{}, pushError: res.PushError}
	for _, id := range ids {
		st, ok := res.Status[id]
		switch {
		case ok && st.EnqueueError != "":
			q.refused[id] = st.EnqueueError
		default:
			q.ok = append(q.ok, id)
			if ok && st.PushError != "" && q.pushError == "" {
				q.pushError = id + ": " + st.PushError
			}
		}
	}
	return q, nil
}

// statusError is the error of an answer that is not an enqueue result.
func statusError(resp *http.Response, cfg Config) error {
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return &deploy.HintError{Err: fmt.Errorf("%w (%s)", errUnauthorized, resp.Status),
			Hints: []string{"set " + EnvAPIKey + " to the key nanomdm was started with (its -api flag); mdmforge sends it as the password of the user nanomdm"}}
	case s == http.StatusNotFound:
		return &deploy.HintError{Err: fmt.Errorf("NanoMDM has no enqueue API at %s/v1/enqueue/ (%s)", cfg.URL, resp.Status),
			Hints: []string{"set " + EnvURL + " to NanoMDM's base URL, without /v1; nanomdm serves its API only when started with -api"}}
	case s == http.StatusTooManyRequests || s == http.StatusBadGateway || s == http.StatusServiceUnavailable || s == http.StatusGatewayTimeout:
		return &retryable{err: fmt.Errorf("NanoMDM answered %s", resp.Status), after: retryAfter(resp.Header.Get("Retry-After"))}
	case s != http.StatusOK && s != http.StatusMultiStatus && s != http.StatusInternalServerError:
		return fmt.Errorf("NanoMDM answered %s", resp.Status)
	}
	return nil
}

func retryAfter(v string) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return 0
}

// alreadyQueued reports whether NanoMDM refused the command because one
// of its UUID is already stored: the key-value storages say "command
// already exists: UUID", MySQL "Duplicate entry 'UUID'", PostgreSQL a
// duplicate key of commands_pkey.
func alreadyQueued(msg, commandUUID string) bool {
	return strings.Contains(msg, "command already exists: "+commandUUID) ||
		strings.Contains(msg, "Duplicate entry '"+commandUUID+"'") ||
		strings.Contains(msg, "duplicate key") && strings.Contains(msg, "commands_pkey")
}

// refusedError is NanoMDM refusing a whole request.
type refusedError struct {
	ids []string
	msg string
}

func (e *refusedError) Error() string {
	return fmt.Sprintf("NanoMDM refused the command for %s: %s", idList(e.ids), e.msg)
}

func idList(ids []string) string {
	s := append([]string(nil), ids...)
	sort.Strings(s)
	if len(s) == 1 {
		return "enrollment " + s[0]
	}
	if len(s) > 5 {
		return fmt.Sprintf("enrollments %s and %d more", strings.Join(s[:5], ", "), len(s)-5)
	}
	return "enrollments " + strings.Join(s, ", ")
}

// scrub removes the API key from a transport error, which may quote the
// URL (the key is never in it, but a user may have put one there).
func scrub(err error, cfg Config) error {
	if cfg.APIKey == "" || !strings.Contains(err.Error(), cfg.APIKey) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), cfg.APIKey, "REDACTED"))
}

// Check asks NanoMDM to enqueue nothing for no enrollment: NanoMDM
// authenticates the request, then refuses it, so a wrong URL or API key
// is found before anything is queued, and nothing is.
func (c *Client) Check(ctx context.Context) error {
	u := c.cfg.URL.String() + "/v1/enqueue/?nopush=1"
	var last error
	for attempt := range maxAttempts {
		if attempt > 0 {
			if err := c.sleep(ctx, last.(*retryable).wait(attempt)); err != nil {
				return err
			}
		}
		err := c.checkOnce(ctx, u)
		var r *retryable
		if !errors.As(err, &r) {
			return err
		}
		last = r
	}
	return fmt.Errorf("NanoMDM did not answer after %d attempts: %w", maxAttempts, last.(*retryable).err)
}

func (c *Client) checkOnce(ctx context.Context, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, http.NoBody)
	if err != nil {
		return err
	}
	req.SetBasicAuth("nanomdm", c.cfg.APIKey)
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &retryable{err: scrub(err, c.cfg)}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err := statusError(resp, c.cfg); err != nil {
		return err
	}
	var res apiResult
	if json.Unmarshal(data, &res) != nil || res.EnqueueError == "" && res.PushError == "" && len(res.Status) == 0 {
		return fmt.Errorf("%s answers %s, but not as NanoMDM's API does: is %s NanoMDM's base URL?", c.cfg.URL, resp.Status, EnvURL)
	}
	return nil
}
