package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/mdmforge/mdmforge/deploy/graph"
	"github.com/spf13/pflag"
)

// Environment variables of the Graph commands. Secrets come only from the
// environment, never from flags, so they stay out of argv and shell history.
const (
	graphURLEnv   = "MDMFORGE_GRAPH_URL"
	graphTokenEnv = graph.EnvToken
)

// graphSleep is the Graph client's wait between retries; nil is a real
// one. Tests replace it so a run retrying an unreachable Graph is quick.
var graphSleep func(ctx context.Context, d time.Duration) error

// graphFlags are the flags every command that talks to Microsoft Graph
// shares: how to sign in and which cloud.
type graphFlags struct {
	Auth  string
	Cloud string
}

func (g *graphFlags) register(fs *pflag.FlagSet) {
	var kinds []string
	for _, k := range graph.Kinds()[1:] {
		kinds = append(kinds, k.Name)
	}
	fs.StringVar(&g.Auth, "auth", "", "sign in to Microsoft Graph with `KIND`: "+strings.Join(kinds, ", ")+
		" (default DefaultAzureCredential)")
	completeValues(fs, "auth", kinds...)
	fs.StringVar(&g.Cloud, "cloud", "global", "Microsoft `CLOUD`: "+strings.Join(graph.CloudNames(), ", "))
	completeValues(fs, "cloud", graph.CloudNames()...)
}

// graphAuthHelp is the "Signing in" section of plan's and apply's help.
func graphAuthHelp() string {
	var b strings.Builder
	b.WriteString("Signing in (--auth KIND; secrets only through the environment, never flags):\n\n")
	for _, k := range graph.Kinds() {
		name := k.Name
		if name == "" {
			name = "(none)"
		}
		fmt.Fprintf(&b, "  %-17s  %s\n", name, k.Summary)
	}
	b.WriteString(`
--cloud picks the Graph and sign-in hosts: global (graph.microsoft.com),
usgov (graph.microsoft.us), usgov-dod (dod-graph.microsoft.us) or china
(microsoftgraph.chinacloudapi.cn). MDMFORGE_GRAPH_URL overrides the Graph
host (scheme and host, no version) for proxies and tests; it must be https,
or http to localhost.`)
	return b.String()
}

// check validates the flags without touching the environment, so a usage
// error comes before anything else.
func (g *graphFlags) check() error {
	if _, err := graph.LookupCloud(g.Cloud); err != nil {
		return fmt.Errorf("--cloud: %v", err)
	}
	for _, k := range graph.Kinds() {
		if k.Name == g.Auth {
			return nil
		}
	}
	_, err := graph.Credential(graph.AuthOptions{Kind: g.Auth})
	return fmt.Errorf("--auth: %v", err)
}

// client builds the Graph client the flags and environment describe. A
// missing variable is an error with the kind's hint.
func (g *graphFlags) client(streams *IO) (*graph.Client, error) {
	cloud, err := graph.LookupCloud(g.Cloud)
	if err != nil {
		return nil, err
	}
	base := cloud.GraphURL
	if v := streams.getenv(graphURLEnv); v != "" {
		if base, err = checkGraphURL(v); err != nil {
			return nil, withHint(err, "set "+graphURLEnv+" to a scheme and host such as https://graph.microsoft.com, or unset it")
		}
	}
	if g.Auth != "token" {
		// A token left in the environment is never sent by another kind;
		// say so, or a user who set it wonders why Graph refuses them.
		for _, name := range []string{graphTokenEnv, graph.EnvTokenFile} {
			if streams.getenv(name) != "" {
				fmt.Fprintf(streams.Err, "mdmforge: note: %s is set but ignored: %s signs in; add --auth token to send that token instead\n",
					name, authName(g.Auth))
				break
			}
		}
	}
	cred, err := graph.Credential(graph.AuthOptions{
		Kind:   g.Auth,
		Cloud:  cloud,
		Getenv: streams.getenv,
		Prompt: streams.Err,
	})
	if err != nil {
		var missing *graph.MissingEnvError
		if errors.As(err, &missing) {
			return nil, withHint(err, missing.Hint)
		}
		return nil, err
	}
	return graph.New(graph.Options{
		BaseURL:    base,
		Credential: cred,
		// Tokens are for the cloud's Graph even when a proxy answers.
		Scope:     cloud.GraphURL + "/.default",
		UserAgent: "mdmforge/" + Version,
		Progress:  streams.Err,
		Sleep:     graphSleep,
	}), nil
}

// authName is how messages name the --auth kind.
func authName(kind string) string {
	if kind == "" {
		return "DefaultAzureCredential (no --auth)"
	}
	return "--auth " + kind
}

// checkGraphURL accepts a scheme and host only: https anywhere, http only
// to this machine, where a test server or local proxy listens. A bearer
// token must never travel in clear text over a network.
func checkGraphURL(v string) (string, error) {
	u, err := url.Parse(v)
	if err != nil {
		return "", fmt.Errorf("%s %q is not a URL: %v", graphURLEnv, v, err)
	}
	if u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%s %q must be a scheme and host only, without a path such as /v1.0", graphURLEnv, v)
	}
	switch u.Scheme {
	case "https":
	case "http":
		host := u.Hostname()
		ip := net.ParseIP(host)
		if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return "", fmt.Errorf("%s %q: http is allowed only to localhost; use https", graphURLEnv, v)
		}
	default:
		return "", fmt.Errorf("%s %q must start with https://", graphURLEnv, v)
	}
	return u.Scheme + "://" + u.Host, nil
}
