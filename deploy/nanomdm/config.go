package nanomdm

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/mdmforge/mdmforge/deploy"
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
// print it.
type Config struct {
	// URL is the server's base URL (the API is under URL/v1).
	URL *url.URL
	// APIKey is the key nanomdm was started with (-api).
	APIKey string
	// NoPush queues commands without APNs notifications.
	NoPush bool
}

// ConfigFromEnv reads the Config from the environment through getenv. A
// missing variable, or a URL that is not http(s) without credentials, is
// an error naming the variable; every problem is reported at once.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var c Config
	var errs []error
	raw := strings.TrimSpace(getenv(EnvURL))
	switch u, err := url.Parse(raw); {
	case raw == "":
		errs = append(errs, fmt.Errorf("%s is not set: set it to NanoMDM's base URL, e.g. https://mdm.example.com", EnvURL))
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		errs = append(errs, fmt.Errorf("%s is not an http(s) URL with a host", EnvURL))
	case u.User != nil:
		errs = append(errs, fmt.Errorf("%s must not hold credentials: the API key comes from %s", EnvURL, EnvAPIKey))
	case u.RawQuery != "" || u.Fragment != "":
		errs = append(errs, fmt.Errorf("%s must be a base URL, without a query or fragment", EnvURL))
	default:
		u.Path = strings.TrimSuffix(u.Path, "/")
		u.RawPath = ""
		c.URL = u
	}
	c.APIKey = getenv(EnvAPIKey)
	if c.APIKey == "" {
		errs = append(errs, fmt.Errorf("%s is not set: set it to the API key nanomdm was started with (-api)", EnvAPIKey))
	}
	switch v := getenv(EnvNoPush); v {
	case "", "0":
	case "1":
		c.NoPush = true
	default:
		errs = append(errs, fmt.Errorf("%s is %q: set it to 1 or leave it unset", EnvNoPush, v))
	}
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		return Config{}, &deploy.HintError{Err: errors.New(strings.Join(msgs, "; ")),
			Hints: []string{"the server and key of NanoMDM come from the environment only, never from flags"}}
	}
	return c, nil
}

// server is the URL as the state file records it.
func (c Config) server() string { return c.URL.String() }
