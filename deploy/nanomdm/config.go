package nanomdm

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/internal/rest"
)

// The environment variables Config reads.
const (
	EnvURL    = "MDMFORGE_NANOMDM_URL"
	EnvAPIKey = "MDMFORGE_NANOMDM_API_KEY"
	// EnvNoPush, set to 1, asks NanoMDM to queue without sending APNs
	// notifications (?nopush=1): for tests and servers without a push
	// certificate, whose devices then get commands at their next check-in.
	EnvNoPush = "MDMFORGE_NANOMDM_NOPUSH"
)

// Config is how to reach a NanoMDM server. It holds the API key: never
// print it. EnvAPIKey+"_FILE" may name a file holding the key instead.
type Config struct {
	// URL is the server's base URL (the API is under URL/v1).
	URL *url.URL
	// APIKey is the key nanomdm was started with (-api).
	APIKey string
	// NoPush queues commands without APNs notifications.
	NoPush bool
}

// ConfigFromEnv reads the Config from the environment through getenv.
// The API key may instead be in the file MDMFORGE_NANOMDM_API_KEY_FILE
// names (a mounted secret); surrounding white space is dropped. The URL
// must be https, or http to localhost (tests, a local proxy), without
// credentials. Every problem is reported at once, naming its variable.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var c Config
	var errs []string
	raw := strings.TrimSpace(getenv(EnvURL))
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		errs = append(errs, EnvURL+" is not set: set it to NanoMDM's base URL, e.g. https://mdm.example.com")
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		errs = append(errs, EnvURL+" is not a URL such as https://mdm.example.com")
	case u.Scheme == "http" && !isLocal(u.Hostname()):
		errs = append(errs, EnvURL+" must be https (http only to localhost): the API key is sent with every request")
	case u.User != nil:
		errs = append(errs, EnvURL+" must not hold credentials: the API key comes from "+EnvAPIKey)
	case u.RawQuery != "" || u.Fragment != "":
		errs = append(errs, EnvURL+" must be a base URL, without a query or fragment")
	default:
		u.Path = strings.TrimSuffix(u.Path, "/")
		u.RawPath = ""
		c.URL = u
	}
	switch key, err := rest.Secret(getenv, EnvAPIKey); {
	case err != nil:
		errs = append(errs, err.Error())
	case key == "":
		errs = append(errs, EnvAPIKey+" (or "+EnvAPIKey+"_FILE) is not set: set it to the API key nanomdm was started with (-api)")
	default:
		c.APIKey = key
	}
	switch v := getenv(EnvNoPush); v {
	case "", "0":
	case "1":
		c.NoPush = true
	default:
		errs = append(errs, fmt.Sprintf("%s is %q: set it to 1 or leave it unset", EnvNoPush, v))
	}
	if len(errs) > 0 {
		return Config{}, &deploy.HintError{Err: errors.New(strings.Join(errs, "; ")),
			Hints: []string{"the server and key of NanoMDM come from the environment only, never from flags"}}
	}
	return c, nil
}

func isLocal(host string) bool { return host == "localhost" || host == "127.0.0.1" || host == "::1" }

// server is the URL as the state file records it.
func (c Config) server() string { return c.URL.String() }
