package graph_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/mdmforge/mdmforge/deploy/graph"
)

// Example lists a collection across pages with a token from the
// environment, as `mdmforge plan --auth token` does against a proxy.
func Example() {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("$skiptoken") == "" {
			fmt.Fprintf(w, `{"value":[{"displayName":"Sales"}],"@odata.nextLink":"%s/v1.0/groups?$skiptoken=2"}`, srv.URL)
			return
		}
		fmt.Fprint(w, `{"value":[{"displayName":"Marketing"}]}`)
	}))
	defer srv.Close()

	cred, err := graph.Credential(graph.AuthOptions{
		Kind:   "token",
		Getenv: func(name string) string { return map[string]string{graph.EnvToken: "a-bearer-token"}[name] },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := graph.New(graph.Options{BaseURL: srv.URL, Credential: cred})
	groups, err := c.List(context.Background(), graph.Request{Version: "v1.0", Path: "groups", Object: "groups"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range groups {
		fmt.Println(string(g))
	}
	fmt.Println(c.Stats().Reads, "requests")
	// Output:
	// {"displayName":"Sales"}
	// {"displayName":"Marketing"}
	// 2 requests
}

func ExampleLookupCloud() {
	c, _ := graph.LookupCloud("usgov")
	fmt.Println(c.GraphURL, c.LoginURL)
	_, err := graph.LookupCloud("moon")
	fmt.Println(err)
	// Output:
	// https://graph.microsoft.us https://login.microsoftonline.us
	// unknown cloud "moon": use one of global, usgov, usgov-dod, china
}

// ExampleUnreachable tells a Graph that did not answer from one that
// refused: with Progress set, each retry of a refused connection says so
// first.
func ExampleUnreachable() {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there now: connections are refused

	cred, _ := graph.Credential(graph.AuthOptions{Kind: "token",
		Getenv: func(name string) string { return map[string]string{graph.EnvToken: "a-token"}[name] }})
	c := graph.New(graph.Options{BaseURL: base, Credential: cred, MaxRetries: 1,
		Sleep:    func(context.Context, time.Duration) error { return nil },
		Progress: os.Stdout, Seed: 1})
	err := c.Do(context.Background(), graph.Request{Version: "v1.0", Path: "groups"}, nil)
	fmt.Println("unreachable:", graph.Unreachable(err))
	// Output:
	// mdmforge: Graph did not answer (connection refused); retrying in 500ms, attempt 2 of 2
	// unreachable: true
}
