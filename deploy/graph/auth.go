package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mdmforge/mdmforge/deploy/internal/rest"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Cloud is one Microsoft cloud: where Graph and the sign-in service are.
type Cloud struct {
	// Name is what --cloud takes: global, usgov, usgov-dod, china.
	Name string
	// GraphURL is Graph's scheme and host, without a version.
	GraphURL string
	// LoginURL is Microsoft Entra ID's authority host.
	LoginURL string
}

// clouds are the service root endpoints of Microsoft's "National cloud
// deployments" page (learn.microsoft.com/graph/deployments). US Government
// L4 (GCC High) and L5 (DoD) share the sign-in host.
var clouds = []Cloud{
	{Name: "global", GraphURL: "https://graph.microsoft.com", LoginURL: "https://login.microsoftonline.com"},
	{Name: "usgov", GraphURL: "https://graph.microsoft.us", LoginURL: "https://login.microsoftonline.us"},
	{Name: "usgov-dod", GraphURL: "https://dod-graph.microsoft.us", LoginURL: "https://login.microsoftonline.us"},
	{Name: "china", GraphURL: "https://microsoftgraph.chinacloudapi.cn", LoginURL: "https://login.chinacloudapi.cn"},
}

// CloudNames lists the names LookupCloud knows, in the order of the docs.
func CloudNames() []string {
	names := make([]string, len(clouds))
	for i, c := range clouds {
		names[i] = c.Name
	}
	return names
}

// LookupCloud returns the cloud called name ("" is global).
func LookupCloud(name string) (Cloud, error) {
	if name == "" {
		name = "global"
	}
	for _, c := range clouds {
		if c.Name == name {
			return c, nil
		}
	}
	return Cloud{}, fmt.Errorf("unknown cloud %q: use one of %s", name, strings.Join(CloudNames(), ", "))
}

// AuthKind is one way of getting tokens; Kinds lists them.
type AuthKind struct {
	// Name is what --auth takes; "" is DefaultAzureCredential.
	Name string
	// Summary is one line for help text.
	Summary string
}

// Kinds lists the authentication kinds Credential accepts.
func Kinds() []AuthKind {
	return []AuthKind{
		{"", "DefaultAzureCredential: env, workload/managed identity, az"},
		{"env", "AZURE_TENANT_ID, _CLIENT_ID, _CLIENT_SECRET or _CERTIFICATE_PATH"},
		{"github-oidc", "GitHub Actions' OIDC token; AZURE_TENANT_ID, AZURE_CLIENT_ID"},
		{"azure-pipelines", "an Azure Pipelines service connection (AZURESUBSCRIPTION_*)"},
		{"workload-identity", "Kubernetes workload identity (AZURE_FEDERATED_TOKEN_FILE)"},
		{"managed-identity", "the host's managed identity (AZURE_CLIENT_ID if user-assigned)"},
		{"azure-cli", "the account signed in with 'az login'"},
		{"device-code", "an admin at a terminal, with a code to enter at sign-in"},
		{"token", "a bearer token in MDMFORGE_GRAPH_TOKEN or _FILE (tests, proxies)"},
	}
}

// AuthOptions configures Credential.
type AuthOptions struct {
	// Kind is one of Kinds' names.
	Kind string
	// Cloud picks the authority host every credential signs in at.
	Cloud Cloud
	// Getenv reads the environment; nil is os.Getenv's absence: nothing set.
	Getenv func(string) string
	// Prompt receives device-code instructions (stderr, never stdout).
	Prompt io.Writer
	// HTTPClient sends the credentials' requests; nil: azcore's default.
	HTTPClient *http.Client
	// DisableInstanceDiscovery skips Entra's instance metadata request,
	// for tests whose authority is a local server.
	DisableInstanceDiscovery bool
}

// MissingEnvError is an authentication kind missing the environment
// variables it needs.
type MissingEnvError struct {
	Kind    string
	Missing []string
	// Hint says where the variables come from.
	Hint string
}

func (e *MissingEnvError) Error() string {
	noun := "variable"
	if len(e.Missing) > 1 {
		noun = "variables"
	}
	return fmt.Sprintf("%s authentication needs the environment %s %s, which %s not set",
		e.Kind, noun, strings.Join(e.Missing, ", "), map[bool]string{true: "are", false: "is"}[len(e.Missing) > 1])
}

// The environment variables each kind reads. azure-pipelines' names are
// those azidentity's documentation and tests use for the AzureCLI@2 task's
// service connection; SYSTEM_OIDCREQUESTURI is set by the agent itself.
const (
	envTenantID     = "AZURE_TENANT_ID"
	envClientID     = "AZURE_CLIENT_ID"
	envClientSecret = "AZURE_CLIENT_SECRET"
	envClientCert   = "AZURE_CLIENT_CERTIFICATE_PATH"
	envTokenFile    = "AZURE_FEDERATED_TOKEN_FILE"
	envOIDCURL      = "ACTIONS_ID_TOKEN_REQUEST_URL"
	envOIDCToken    = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
	envPipeTenant   = "AZURESUBSCRIPTION_TENANT_ID"
	envPipeClient   = "AZURESUBSCRIPTION_CLIENT_ID"
	envPipeConn     = "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"
	envPipeToken    = "SYSTEM_ACCESSTOKEN"
	envPipeOIDC     = "SYSTEM_OIDCREQUESTURI"
	// EnvToken holds the bearer token of the token kind; EnvTokenFile
	// may name a file holding it instead (a mounted secret).
	EnvToken     = "MDMFORGE_GRAPH_TOKEN"
	EnvTokenFile = EnvToken + "_FILE"
)

// githubAudience is the audience Entra expects of a federated credential.
const githubAudience = "api://AzureADTokenExchange"

// Credential returns the credential o.Kind names, signing in at o.Cloud.
// Missing environment variables are all reported at once, before any
// request. The credential's token errors name the kind.
func Credential(o AuthOptions) (azcore.TokenCredential, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if o.Cloud.LoginURL == "" {
		o.Cloud, _ = LookupCloud("global")
	}
	co := azcore.ClientOptions{Cloud: cloud.Configuration{
		ActiveDirectoryAuthorityHost: strings.TrimRight(o.Cloud.LoginURL, "/") + "/",
		Services:                     map[cloud.ServiceName]cloud.ServiceConfiguration{},
	}}
	if o.HTTPClient != nil {
		co.Transport = o.HTTPClient
	}
	need := func(hint string, names ...string) error {
		var missing []string
		for _, n := range names {
			if strings.TrimSpace(getenv(n)) == "" {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			return &MissingEnvError{Kind: o.Kind, Missing: missing, Hint: hint}
		}
		return nil
	}
	var cred azcore.TokenCredential
	var err error
	kind := o.Kind
	switch o.Kind {
	case "":
		kind = "DefaultAzureCredential"
		cred, err = azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
			ClientOptions: co, DisableInstanceDiscovery: o.DisableInstanceDiscovery,
			TenantID: getenv(envTenantID),
		})
	case "env":
		if err = need("set them to the app registration's tenant and client ids and its secret, or to a certificate with AZURE_CLIENT_CERTIFICATE_PATH instead of AZURE_CLIENT_SECRET",
			envTenantID, envClientID); err == nil && getenv(envClientSecret) == "" && getenv(envClientCert) == "" {
			err = &MissingEnvError{Kind: o.Kind, Missing: []string{envClientSecret + " or " + envClientCert},
				Hint: "pass the secret through the environment from your CI's secret store, never on the command line"}
		}
		if err == nil {
			cred, err = azidentity.NewEnvironmentCredential(&azidentity.EnvironmentCredentialOptions{
				ClientOptions: co, DisableInstanceDiscovery: o.DisableInstanceDiscovery,
			})
		}
	case "github-oidc":
		if err = need("give the workflow job 'permissions: id-token: write' (GitHub sets ACTIONS_ID_TOKEN_REQUEST_*), and set AZURE_TENANT_ID and AZURE_CLIENT_ID to the app registration that has a federated credential for this repository",
			envOIDCURL, envOIDCToken, envTenantID, envClientID); err == nil {
			assert := githubAssertion(getenv(envOIDCURL), getenv(envOIDCToken), o.HTTPClient)
			cred, err = azidentity.NewClientAssertionCredential(getenv(envTenantID), getenv(envClientID), assert,
				&azidentity.ClientAssertionCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: o.DisableInstanceDiscovery})
		}
	case "azure-pipelines":
		if err = need("run mdmforge in an AzureCLI@2 task whose service connection uses workload identity federation, map SYSTEM_ACCESSTOKEN: $(System.AccessToken), and set AZURESUBSCRIPTION_TENANT_ID, AZURESUBSCRIPTION_CLIENT_ID and AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
			envPipeTenant, envPipeClient, envPipeConn, envPipeToken, envPipeOIDC); err == nil {
			cred, err = azidentity.NewAzurePipelinesCredential(getenv(envPipeTenant), getenv(envPipeClient), getenv(envPipeConn), getenv(envPipeToken),
				&azidentity.AzurePipelinesCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: o.DisableInstanceDiscovery})
		}
	case "workload-identity":
		if err = need("the Azure Workload Identity webhook sets these in a pod whose service account is federated with the app registration",
			envTenantID, envClientID, envTokenFile); err == nil {
			cred, err = azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
				ClientOptions: co, DisableInstanceDiscovery: o.DisableInstanceDiscovery,
				TenantID: getenv(envTenantID), ClientID: getenv(envClientID), TokenFilePath: getenv(envTokenFile),
			})
		}
	case "managed-identity":
		mo := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: co}
		if id := getenv(envClientID); id != "" {
			mo.ID = azidentity.ClientID(id)
		}
		cred, err = azidentity.NewManagedIdentityCredential(mo)
	case "azure-cli":
		cred, err = azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: getenv(envTenantID)})
	case "device-code":
		prompt := o.Prompt
		if prompt == nil {
			prompt = io.Discard
		}
		cred, err = azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
			ClientOptions: co, DisableInstanceDiscovery: o.DisableInstanceDiscovery,
			TenantID: getenv(envTenantID), ClientID: getenv(envClientID),
			UserPrompt: func(_ context.Context, m azidentity.DeviceCodeMessage) error {
				_, err := fmt.Fprintln(prompt, m.Message)
				return err
			},
		})
	case "token":
		var tok string
		if tok, err = rest.Secret(getenv, EnvToken); err == nil && tok == "" {
			err = &MissingEnvError{Kind: o.Kind, Missing: []string{EnvToken + " (or " + EnvTokenFile + ")"},
				Hint: "put a Graph access token in MDMFORGE_GRAPH_TOKEN, or in a file MDMFORGE_GRAPH_TOKEN_FILE names (from your CI's secret store, never on the command line), or pick another --auth"}
		}
		if err == nil {
			cred = staticToken(tok)
		}
	default:
		names := make([]string, 0, len(Kinds()))
		for _, k := range Kinds()[1:] {
			names = append(names, k.Name)
		}
		return nil, fmt.Errorf("unknown authentication kind %q: use one of %s, or leave --auth out for DefaultAzureCredential", o.Kind, strings.Join(names, ", "))
	}
	if err != nil {
		var me *MissingEnvError
		if errors.As(err, &me) {
			return nil, err
		}
		return nil, fmt.Errorf("setting up %s authentication: %s", kind, oneLine(err.Error(), 2000))
	}
	return &namedCredential{kind: kind, cred: cred}, nil
}

// namedCredential makes token errors lead with the kind the user chose.
type namedCredential struct {
	kind string
	cred azcore.TokenCredential
}

func (n *namedCredential) Kind() string { return n.kind }

func (n *namedCredential) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := n.cred.GetToken(ctx, o)
	if err != nil {
		if ctx.Err() != nil {
			return tok, ctx.Err()
		}
		return tok, &TokenError{Kind: n.kind, Scope: strings.Join(o.Scopes, " "), Err: err}
	}
	return tok, nil
}

// staticToken is the token kind: a bearer token someone else obtained.
// Its expiry is unknown, so it is reported far away and Graph's 401 says
// when it has expired.
type staticToken string

func (s staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(s), ExpiresOn: time.Now().Add(24 * 365 * time.Hour)}, nil
}

// githubAssertion fetches GitHub Actions' OIDC token for Entra's audience:
// GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=… with the request token as
// bearer, answer {"value": "<JWT>"}.
func githubAssertion(requestURL, requestToken string, hc *http.Client) func(context.Context) (string, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return func(ctx context.Context) (string, error) {
		u, err := url.Parse(requestURL)
		if err != nil {
			return "", fmt.Errorf("%s is not a URL: %v", envOIDCURL, err)
		}
		q := u.Query()
		q.Set("audience", githubAudience)
		u.RawQuery = q.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return "", err
		}
		req.Header.Set("Authorization", "Bearer "+requestToken)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return "", fmt.Errorf("requesting GitHub's OIDC token from %s: %v", u.Host, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return "", fmt.Errorf("reading GitHub's OIDC token: %v", err)
		}
		if resp.StatusCode != http.StatusOK {
			// The body of a refusal holds no token; its first line says why.
			return "", fmt.Errorf("GitHub's OIDC token endpoint answered %s: %s (does the job have 'permissions: id-token: write'?)", resp.Status, firstLine(body))
		}
		var v struct {
			Value string `json:"value"`
		}
		if err := json.Unmarshal(body, &v); err != nil || v.Value == "" {
			return "", errors.New("GitHub's OIDC token endpoint answered without a token in \"value\"")
		}
		return v.Value, nil
	}
}
