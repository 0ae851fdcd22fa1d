package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
)

// Error is a Graph request that failed: an error answer, or no answer.
type Error struct {
	// Object is Request.Object; Method and URL are the request's.
	Object, Method, URL string
	// Status is the HTTP status, or 0 when no answer arrived.
	Status int
	// Code and Message are Graph's error.code and error.message; for an
	// answer that is not Graph's JSON, Message is its first line.
	Code, Message string
	// RequestID is Graph's request-id (header or innerError);
	// ClientRequestID is the id this client sent with the attempt.
	RequestID, ClientRequestID string
	// Unknown means the write may have been applied although no success
	// arrived: the caller must look before retrying.
	Unknown bool
	// Attempts is how many attempts were made when the client gave up
	// after retrying; 0 when it did not retry.
	Attempts int
	// Err is the transport error when no answer arrived.
	Err error
	// NotGraph means a success answer was not Graph's JSON: the host is
	// most likely not Graph at all.
	NotGraph bool

	verb string
}

// Error reads like
// `creating "Work Contacts – Custom" (custom profile): POST https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations: 400 BadRequest: Property 'x' does not exist (request-id 1234…, client-request-id 5678…)`.
func (e *Error) Error() string {
	var b strings.Builder
	if e.verb != "" {
		b.WriteString(e.verb)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%s %s: ", e.Method, e.URL)
	if e.Attempts > 1 {
		fmt.Fprintf(&b, "gave up after %d attempts: ", e.Attempts)
	}
	if e.Status != 0 {
		code := e.Code
		if code == "" {
			code = strings.ReplaceAll(http.StatusText(e.Status), " ", "")
		}
		fmt.Fprintf(&b, "%d %s", e.Status, code)
		if e.Message != "" {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
	} else {
		b.WriteString(e.Message)
	}
	var ids []string
	if e.RequestID != "" {
		ids = append(ids, "request-id "+e.RequestID)
	}
	if e.ClientRequestID != "" {
		ids = append(ids, "client-request-id "+e.ClientRequestID)
	}
	if len(ids) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(ids, ", "))
	}
	if e.Unknown {
		b.WriteString("; the write may have been applied")
	}
	return b.String()
}

// Unwrap returns the transport error, if any.
func (e *Error) Unwrap() error { return e.Err }

// OutcomeUnknown reports whether err means a write may have been applied
// although no success arrived (a lost answer, a time-out, a 5xx): look the
// object up before sending it again, or a retry may create a duplicate.
func OutcomeUnknown(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Unknown
}

// Unreachable reports whether err is a request that got no answer: a host
// that does not resolve, a refused connection, a time-out. The network,
// --cloud or MDMFORGE_GRAPH_URL is then to check, not the request.
func Unreachable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == 0 && e.Err != nil && !errors.Is(e.Err, errTooLarge)
}

// NotGraph reports whether err is a success answer that was not Graph's
// JSON, such as a web page: the host answering is likely not Graph.
func NotGraph(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.NotGraph
}

// StatusOf returns the HTTP status of a Graph error answer, or 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

func (c *Client) errorFor(r Request, u string, a *answer, message string) *Error {
	e := &Error{Object: r.Object, Method: r.method(), URL: u, Message: message, verb: c.describe(r)}
	if a == nil {
		return e
	}
	e.ClientRequestID = a.clientRequestID
	if a.status == 0 {
		return e
	}
	if message == "" {
		e.Status = a.status
	}
	e.RequestID = a.header.Get("request-id")
	var body struct {
		Error struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			InnerError struct {
				RequestID       string `json:"request-id"`
				ClientRequestID string `json:"client-request-id"`
			} `json:"innerError"`
		} `json:"error"`
	}
	if json.Unmarshal(a.body, &body) == nil && (body.Error.Code != "" || body.Error.Message != "") {
		e.Code = oneLine(body.Error.Code, 100)
		if message == "" {
			e.Message = oneLine(body.Error.Message, 2000)
		}
		if e.RequestID == "" {
			e.RequestID = oneLine(body.Error.InnerError.RequestID, 100)
		}
		if id := body.Error.InnerError.ClientRequestID; id != "" && e.ClientRequestID == "" {
			e.ClientRequestID = oneLine(id, 100)
		}
	} else if message == "" {
		e.Message = firstLine(a.body)
	}
	e.RequestID = oneLine(e.RequestID, 100)
	return e
}

var tags = regexp.MustCompile(`<[^>]*>`)

// firstLine summarises a body that is not Graph's JSON (a gateway's HTML
// page): its title or first line of text, bounded, never the whole body.
func firstLine(body []byte) string {
	s := string(body[:min(len(body), 64<<10)])
	if i := strings.Index(strings.ToLower(s), "<title>"); i >= 0 {
		rest := s[i+len("<title>"):]
		if j := strings.Index(strings.ToLower(rest), "</title>"); j >= 0 {
			if t := oneLine(rest[:j], 200); t != "" {
				return t
			}
		}
	}
	s = tags.ReplaceAllString(s, " ")
	for _, line := range strings.Split(s, "\n") {
		if t := oneLine(line, 200); t != "" {
			return t
		}
	}
	return ""
}

// oneLine collapses whitespace runs (newlines included) to single spaces
// and truncates to n bytes at a rune boundary.
func oneLine(s string, n int) string {
	return truncate(strings.Join(strings.Fields(s), " "), n)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// credentialKind names a credential for errors when it does not name
// itself (Credential's credentials do, through TokenError).
func credentialKind(cred azcore.TokenCredential) string {
	if k, ok := cred.(interface{ Kind() string }); ok {
		return k.Kind()
	}
	t := fmt.Sprintf("%T", cred)
	if i := strings.LastIndex(t, "."); i >= 0 {
		t = t[i+1:]
	}
	return strings.TrimPrefix(t, "*")
}
