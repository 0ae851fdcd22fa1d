package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/deploy/graph"
)

func TestCheckGraphURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://graph.microsoft.com":  "https://graph.microsoft.com",
		"https://graph.microsoft.com/": "https://graph.microsoft.com",
		"http://127.0.0.1:8080":        "http://127.0.0.1:8080",
		"http://localhost:1234":        "http://localhost:1234",
		"http://[::1]:1234":            "http://[::1]:1234",
		"https://proxy.example:8443":   "https://proxy.example:8443",
	} {
		if got, err := checkGraphURL(in); err != nil || got != want {
			t.Errorf("checkGraphURL(%q) = %q, %v", in, got, err)
		}
	}
	for in, why := range map[string]string{
		"http://graph.microsoft.com":          "http is allowed only to localhost",
		"http://10.0.0.1":                     "http is allowed only to localhost",
		"https://graph.microsoft.com/v1.0":    "scheme and host only",
		"https://graph.microsoft.com?x=1":     "scheme and host only",
		"https://user:pw@graph.microsoft.com": "scheme and host only",
		"ftp://graph.microsoft.com":           "must start with https://",
		"graph.microsoft.com":                 "scheme and host only",
	} {
		if _, err := checkGraphURL(in); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("checkGraphURL(%q) = %v, want %q", in, err, why)
		}
	}
}

func TestGraphFlagsBuildAClientFromTheEnvironment(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-123" || !strings.HasPrefix(r.Header.Get("User-Agent"), "mdmforge/") {
			t.Errorf("headers %v", r.Header)
		}
		fmt.Fprint(w, `{"value":[]}`)
	}))
	defer srv.Close()
	env := map[string]string{graphURLEnv: srv.URL, graphTokenEnv: "tok-123"}
	streams := &IO{Getenv: func(k string) string { return env[k] }}
	g := &graphFlags{Auth: "token", Cloud: "global"}
	if err := g.check(); err != nil {
		t.Fatal(err)
	}
	c, err := g.client(streams)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.List(context.Background(), graph.Request{Version: "v1.0", Path: "groups"}); err != nil {
		t.Fatal(err)
	}
	// A proxy or test server answers, but tokens stay for the cloud's Graph.
	if c.Scope() != "https://graph.microsoft.com/.default" {
		t.Errorf("scope = %s", c.Scope())
	}
	g.Cloud = "usgov"
	if c, err := g.client(streams); err != nil || c.Scope() != "https://graph.microsoft.us/.default" || c.BaseURL() != srv.URL {
		t.Errorf("usgov: %v", err)
	}
	g.Cloud = "global"

	delete(env, graphTokenEnv)
	_, err = g.client(streams)
	var e *exitError
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "MDMFORGE_GRAPH_TOKEN") || len(e.hints) == 0 {
		t.Errorf("missing token: %v", err)
	}
	env[graphURLEnv] = "http://graph.example"
	if _, err := g.client(streams); err == nil || !strings.Contains(err.Error(), "localhost") {
		t.Errorf("http URL: %v", err)
	}
}

func TestGraphFlagsCheck(t *testing.T) {
	if err := (&graphFlags{Auth: "nope", Cloud: "global"}).check(); err == nil || !strings.Contains(err.Error(), "--auth: unknown authentication kind \"nope\": use one of env, github-oidc") {
		t.Errorf("err = %v", err)
	}
	if err := (&graphFlags{Cloud: "mars"}).check(); err == nil || !strings.Contains(err.Error(), "--cloud: unknown cloud") {
		t.Errorf("err = %v", err)
	}
}
