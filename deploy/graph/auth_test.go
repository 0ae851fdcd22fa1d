package graph

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

func TestLookupCloud(t *testing.T) {
	for name, want := range map[string]Cloud{
		"":          {"global", "https://graph.microsoft.com", "https://login.microsoftonline.com"},
		"global":    {"global", "https://graph.microsoft.com", "https://login.microsoftonline.com"},
		"usgov":     {"usgov", "https://graph.microsoft.us", "https://login.microsoftonline.us"},
		"usgov-dod": {"usgov-dod", "https://dod-graph.microsoft.us", "https://login.microsoftonline.us"},
		"china":     {"china", "https://microsoftgraph.chinacloudapi.cn", "https://login.chinacloudapi.cn"},
	} {
		got, err := LookupCloud(name)
		if err != nil || got != want {
			t.Errorf("LookupCloud(%q) = %+v, %v", name, got, err)
		}
	}
	_, err := LookupCloud("germany")
	if err == nil || err.Error() != `unknown cloud "germany": use one of global, usgov, usgov-dod, china` {
		t.Errorf("err = %v", err)
	}
}

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestCredentialNamesEveryMissingVariable(t *testing.T) {
	for kind, want := range map[string][]string{
		"env":               {"AZURE_TENANT_ID", "AZURE_CLIENT_ID"},
		"github-oidc":       {"ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "AZURE_TENANT_ID", "AZURE_CLIENT_ID"},
		"azure-pipelines":   {"AZURESUBSCRIPTION_TENANT_ID", "AZURESUBSCRIPTION_CLIENT_ID", "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "SYSTEM_ACCESSTOKEN", "SYSTEM_OIDCREQUESTURI"},
		"workload-identity": {"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_FEDERATED_TOKEN_FILE"},
		"token":             {"MDMFORGE_GRAPH_TOKEN (or MDMFORGE_GRAPH_TOKEN_FILE)"},
	} {
		_, err := Credential(AuthOptions{Kind: kind, Getenv: env()})
		var me *MissingEnvError
		if !errors.As(err, &me) {
			t.Errorf("%s: err = %v", kind, err)
			continue
		}
		if fmt.Sprint(me.Missing) != fmt.Sprint(want) || me.Hint == "" || me.Kind != kind {
			t.Errorf("%s: missing %v (hint %q), want %v", kind, me.Missing, me.Hint, want)
		}
		if !strings.HasPrefix(err.Error(), kind+" authentication needs the environment variable") {
			t.Errorf("%s: message = %s", kind, err)
		}
	}
	// Partly set: only the rest is named.
	_, err := Credential(AuthOptions{Kind: "github-oidc", Getenv: env("ACTIONS_ID_TOKEN_REQUEST_URL", "https://x", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "t", "AZURE_TENANT_ID", "tid")})
	if err == nil || err.Error() != "github-oidc authentication needs the environment variable AZURE_CLIENT_ID, which is not set" {
		t.Errorf("err = %v", err)
	}
	_, err = Credential(AuthOptions{Kind: "env", Getenv: env("AZURE_TENANT_ID", "t", "AZURE_CLIENT_ID", "c")})
	if err == nil || !strings.Contains(err.Error(), "AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH") {
		t.Errorf("err = %v", err)
	}
}

func TestCredentialKindsWithoutRequiredVariables(t *testing.T) {
	for _, kind := range []string{"", "managed-identity", "azure-cli", "device-code"} {
		cred, err := Credential(AuthOptions{Kind: kind, Getenv: env()})
		if err != nil {
			t.Errorf("%q: %v", kind, err)
			continue
		}
		want := kind
		if kind == "" {
			want = "DefaultAzureCredential"
		}
		if got := credentialKind(cred); got != want {
			t.Errorf("%q: kind %q", kind, got)
		}
	}
}

func TestCredentialUnknownKindListsKinds(t *testing.T) {
	_, err := Credential(AuthOptions{Kind: "secret"})
	want := `unknown authentication kind "secret": use one of env, github-oidc, azure-pipelines, workload-identity, managed-identity, azure-cli, device-code, token, or leave --auth out for DefaultAzureCredential`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v", err)
	}
}

func TestTokenKind(t *testing.T) {
	cred, err := Credential(AuthOptions{Kind: "token", Getenv: env(EnvToken, " eyJ.fake.token\n")})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if err != nil || tok.Token != "eyJ.fake.token" || tok.ExpiresOn.Before(tok.ExpiresOn.AddDate(0, 0, -300)) {
		t.Fatalf("token %+v, %v", tok, err)
	}
	if _, err := Credential(AuthOptions{Kind: "token", Getenv: env(EnvToken, "  ")}); err == nil {
		t.Error("a blank token accepted")
	}
}

// TestGitHubOIDC runs the whole exchange against local servers: GitHub's
// token endpoint, Entra's authority, and Graph.
func TestGitHubOIDC(t *testing.T) {
	const tenant = "11111111-2222-3333-4444-555555555555"
	const ghJWT = "github.jwt.value"
	var mu sync.Mutex
	var calls []string
	var sts *httptest.Server
	sts = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls = append(calls, r.Method+" "+r.URL.Path)
		mu.Unlock()
		switch {
		case r.URL.Path == "/_apis/oidc":
			if got := r.URL.Query().Get("audience"); got != "api://AzureADTokenExchange" {
				t.Errorf("audience = %q", got)
			}
			if got := r.URL.Query().Get("api-version"); got != "2.0" {
				t.Errorf("the request URL's own query was lost: api-version = %q", got)
			}
			if got := r.Header.Get("Authorization"); got != "Bearer gh-request-token" {
				t.Errorf("Authorization = %q", got)
			}
			fmt.Fprintf(w, `{"count":1,"value":%q}`, ghJWT)
		case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
			base := sts.URL + "/" + tenant
			fmt.Fprintf(w, `{"token_endpoint":"%s/oauth2/v2.0/token","issuer":"%s/v2.0","authorization_endpoint":"%s/oauth2/v2.0/authorize"}`, base, base, base)
		case r.URL.Path == "/"+tenant+"/oauth2/v2.0/token":
			if err := r.ParseForm(); err != nil {
				t.Error(err)
			}
			if got := r.PostForm.Get("client_assertion"); got != ghJWT {
				t.Errorf("client_assertion = %q", got)
			}
			if got := r.PostForm.Get("client_id"); got != "app-id" {
				t.Errorf("client_id = %q", got)
			}
			if got := r.PostForm.Get("scope"); !strings.Contains(got, "/.default") {
				t.Errorf("scope = %q", got)
			}
			fmt.Fprint(w, `{"access_token":"graph-token","expires_in":3600,"token_type":"Bearer"}`)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
			http.NotFound(w, r)
		}
	}))
	defer sts.Close()

	cred, err := Credential(AuthOptions{
		Kind:  "github-oidc",
		Cloud: Cloud{Name: "test", GraphURL: "https://graph.test", LoginURL: sts.URL},
		Getenv: env("ACTIONS_ID_TOKEN_REQUEST_URL", sts.URL+"/_apis/oidc?api-version=2.0",
			"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token", "AZURE_TENANT_ID", tenant, "AZURE_CLIENT_ID", "app-id"),
		HTTPClient:               sts.Client(),
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer graph-token" {
			t.Errorf("Graph got Authorization %q", got)
		}
		fmt.Fprint(w, `{"value":[]}`)
	}))
	defer graph.Close()
	c := New(Options{BaseURL: graph.URL, Credential: cred, Seed: 1})
	if _, err := c.List(context.Background(), Request{Version: "v1.0", Path: "groups"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(strings.Join(calls, ","), "GET /_apis/oidc") || !strings.Contains(strings.Join(calls, ","), "POST /"+tenant+"/oauth2/v2.0/token") {
		t.Errorf("calls = %v", calls)
	}
}

func TestGitHubOIDCRefusalIsExplained(t *testing.T) {
	gh := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(403)
		fmt.Fprint(w, `{"message":"Resource not accessible by integration"}`)
	}))
	defer gh.Close()
	assert := githubAssertion(gh.URL+"/x?api-version=2.0", "secret-request-token", gh.Client())
	_, err := assert(context.Background())
	if err == nil || !strings.Contains(err.Error(), "403 Forbidden") || !strings.Contains(err.Error(), "id-token: write") ||
		strings.Contains(err.Error(), "secret-request-token") {
		t.Errorf("err = %v", err)
	}
}

// TestDeviceCodePromptsOnPrompt runs the device code flow against a local
// authority: the instructions go to AuthOptions.Prompt (stderr in the
// CLI), never to stdout, where plan output goes.
func TestDeviceCodePromptsOnPrompt(t *testing.T) {
	const tenant = "11111111-2222-3333-4444-555555555555"
	// From azidentity's own tests: a client_info and id_token MSAL accepts.
	const clientInfo = "eyJ1aWQiOiJjNzNjNmYyOC1hZTVmLTQxM2QtYTlhMi1lMTFlNWFmNjY4ZjgiLCJ1dGlkIjoiZTBiZDIzMjEtMDdmYS00Y2YwLTg3YjgtMDBhYTJhNzQ3MzI5In0"
	var sts *httptest.Server
	sts = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := sts.URL + "/" + tenant
		switch {
		case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
			fmt.Fprintf(w, `{"token_endpoint":"%s/oauth2/v2.0/token","issuer":"%s/v2.0","authorization_endpoint":"%s/oauth2/v2.0/authorize","device_authorization_endpoint":"%s/oauth2/v2.0/devicecode"}`, base, base, base, base)
		case strings.HasSuffix(r.URL.Path, "/devicecode"):
			fmt.Fprint(w, `{"device_code":"dc","user_code":"FAKE-CODE","verification_uri":"https://microsoft.com/devicelogin","expires_in":600,"interval":1,"message":"To sign in, open https://microsoft.com/devicelogin and enter the code FAKE-CODE."}`)
		case strings.HasSuffix(r.URL.Path, "/token"):
			fmt.Fprintf(w, `{"access_token":"graph-token","expires_in":3600,"token_type":"Bearer","refresh_token":"rt","client_info":%q,"id_token":%q}`, clientInfo, testIDToken(tenant))
		default:
			http.NotFound(w, r)
		}
	}))
	defer sts.Close()
	var prompt strings.Builder
	cred, err := Credential(AuthOptions{
		Kind: "device-code", Cloud: Cloud{LoginURL: sts.URL},
		Getenv: env("AZURE_TENANT_ID", tenant, "AZURE_CLIENT_ID", "app-id"),
		Prompt: &prompt, HTTPClient: sts.Client(), DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Token != "graph-token" || !strings.Contains(prompt.String(), "enter the code FAKE-CODE") {
		t.Errorf("token %q, prompt %q", tok.Token, prompt.String())
	}
}

// testIDToken is an unsigned id_token for tenant; MSAL reads its claims
// without checking the signature.
func testIDToken(tenant string) string {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	claims := fmt.Sprintf(`{"aud":"app-id","iss":"https://login.example/%s/v2.0","iat":1,"nbf":1,"exp":4102444800,"name":"Test Admin","preferred_username":"admin@example.com","oid":"c73c6f28-ae5f-413d-a9a2-e11e5af668f8","sub":"s","tid":%q,"ver":"2.0"}`, tenant, tenant)
	return enc(`{"typ":"JWT","alg":"none"}`) + "." + enc(claims) + ".sig"
}

// TestAzurePipelines runs AzurePipelinesCredential against a local
// pipeline OIDC endpoint and authority with the variables docs/deploy.md
// names. azidentity reads SYSTEM_OIDCREQUESTURI from the process itself.
func TestAzurePipelines(t *testing.T) {
	const tenant = "11111111-2222-3333-4444-555555555555"
	var sts *httptest.Server
	sts = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := sts.URL + "/" + tenant
		switch {
		case r.URL.Path == "/oidc":
			if r.Method != "POST" || r.URL.Query().Get("serviceConnectionId") != "conn-id" || r.Header.Get("Authorization") != "Bearer system-token" {
				t.Errorf("OIDC request %s %s %v", r.Method, r.URL, r.Header)
			}
			fmt.Fprint(w, `{"oidcToken":"pipeline.jwt"}`)
		case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
			fmt.Fprintf(w, `{"token_endpoint":"%s/oauth2/v2.0/token","issuer":"%s/v2.0","authorization_endpoint":"%s/oauth2/v2.0/authorize"}`, base, base, base)
		case strings.HasSuffix(r.URL.Path, "/token"):
			r.ParseForm()
			if r.PostForm.Get("client_assertion") != "pipeline.jwt" || r.PostForm.Get("client_id") != "app-id" {
				t.Errorf("token request %v", r.PostForm)
			}
			fmt.Fprint(w, `{"access_token":"graph-token","expires_in":3600,"token_type":"Bearer"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer sts.Close()
	vars := []string{"AZURESUBSCRIPTION_TENANT_ID", tenant, "AZURESUBSCRIPTION_CLIENT_ID", "app-id",
		"AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "conn-id", "SYSTEM_ACCESSTOKEN", "system-token", "SYSTEM_OIDCREQUESTURI", sts.URL + "/oidc"}
	t.Setenv("SYSTEM_OIDCREQUESTURI", sts.URL+"/oidc")
	cred, err := Credential(AuthOptions{Kind: "azure-pipelines", Cloud: Cloud{LoginURL: sts.URL}, Getenv: env(vars...),
		HTTPClient: sts.Client(), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if err != nil || tok.Token != "graph-token" {
		t.Fatalf("token %q, %v", tok.Token, err)
	}
}

// TestWorkloadIdentity reads the projected token file the variables name
// and sends it as the assertion.
func TestWorkloadIdentity(t *testing.T) {
	const tenant = "11111111-2222-3333-4444-555555555555"
	var sts *httptest.Server
	sts = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := sts.URL + "/" + tenant
		switch {
		case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
			fmt.Fprintf(w, `{"token_endpoint":"%s/oauth2/v2.0/token","issuer":"%s/v2.0","authorization_endpoint":"%s/oauth2/v2.0/authorize"}`, base, base, base)
		case strings.HasSuffix(r.URL.Path, "/token"):
			r.ParseForm()
			if r.PostForm.Get("client_assertion") != "k8s.jwt" {
				t.Errorf("token request %v", r.PostForm)
			}
			fmt.Fprint(w, `{"access_token":"graph-token","expires_in":3600,"token_type":"Bearer"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer sts.Close()
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("k8s.jwt"), 0o600); err != nil {
		t.Fatal(err)
	}
	cred, err := Credential(AuthOptions{Kind: "workload-identity", Cloud: Cloud{LoginURL: sts.URL},
		Getenv:     env("AZURE_TENANT_ID", tenant, "AZURE_CLIENT_ID", "app-id", "AZURE_FEDERATED_TOKEN_FILE", file),
		HTTPClient: sts.Client(), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if err != nil || tok.Token != "graph-token" {
		t.Fatalf("token %q, %v", tok.Token, err)
	}
}
