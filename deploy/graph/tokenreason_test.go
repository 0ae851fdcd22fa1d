package graph

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// defaultAzureCredentialFailure is the shape of the error azidentity
// v1.15's DefaultAzureCredential returns on a machine with no credential:
// each credential's line, a managed identity's failure with the dashed
// RESPONSE box and JSON body indented below it.
const defaultAzureCredentialFailure = "DefaultAzureCredential: failed to acquire a token.\n" +
	"Attempted credentials:\n" +
	"\tEnvironmentCredential: missing environment variable AZURE_TENANT_ID\n" +
	"\tWorkloadIdentityCredential: no client ID specified. Check pod configuration or set ClientID in the options\n" +
	"\tManagedIdentityCredential authentication failed. the requested identity isn't assigned to this resource\n" +
	"\t\tGET http://169.254.169.254/metadata/identity/oauth2/token\n" +
	"\t\t--------------------------------------------------------------------------------\n" +
	"\t\tRESPONSE 400: 400 Bad Request\n" +
	"\t\t--------------------------------------------------------------------------------\n" +
	"\t\t{\n" +
	"\t\t  \"error\": \"invalid_request\",\n" +
	"\t\t  \"error_description\": \"Identity not found\"\n" +
	"\t\t}\n" +
	"\t\t--------------------------------------------------------------------------------\n" +
	"\t\tTo troubleshoot, visit https://aka.ms/azsdk/go/identity/troubleshoot#managed-id\n" +
	"\tAzureCLICredential: Azure CLI not found on path\n" +
	"\tAzureDeveloperCLICredential: Azure Developer CLI not found on path"

// clientAssertionFailure is one credential's authentication failure.
const clientAssertionFailure = "ClientAssertionCredential authentication failed. \n" +
	"POST https://login.microsoftonline.com/tenant/oauth2/v2.0/token\n" +
	"--------------------------------------------------------------------------------\n" +
	"RESPONSE 400: 400 Bad Request\n" +
	"--------------------------------------------------------------------------------\n" +
	"{\n" +
	"  \"error\": \"invalid_request\",\n" +
	"  \"error_description\": \"AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:o/r:pull_request'. Trace ID: 1 Correlation ID: 2 Timestamp: 2026-01-01 00:00:00Z\",\n" +
	"  \"error_codes\": [700213]\n" +
	"}\n" +
	"--------------------------------------------------------------------------------\n" +
	"To troubleshoot, visit https://aka.ms/azsdk/go/identity/troubleshoot#client-assertion"

func TestTokenReasonDropsTheResponseBox(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"DefaultAzureCredential", defaultAzureCredentialFailure,
			"DefaultAzureCredential: failed to acquire a token; tried EnvironmentCredential: missing environment variable AZURE_TENANT_ID; " +
				"WorkloadIdentityCredential: no client ID specified. Check pod configuration or set ClientID in the options; " +
				"ManagedIdentityCredential authentication failed. the requested identity isn't assigned to this resource; " +
				"AzureCLICredential: Azure CLI not found on path; AzureDeveloperCLICredential: Azure Developer CLI not found on path"},
		{"one credential", clientAssertionFailure,
			"ClientAssertionCredential authentication failed; AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:o/r:pull_request'."},
		{"plain", "AADSTS70021: No matching federated identity record found\nfor presented assertion.",
			"AADSTS70021: No matching federated identity record found for presented assertion."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tokenReason(tc.in)
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if strings.Contains(got, "---") || strings.Contains(got, "RESPONSE") || len(got) > maxTokenReason+len("…") {
				t.Errorf("box or unbounded: %q", got)
			}
		})
	}
	long := "DefaultAzureCredential: failed to acquire a token.\nAttempted credentials:" + strings.Repeat("\n\tXCredential: "+strings.Repeat("x", 300), 10)
	if got := tokenReason(long); len(got) > maxTokenReason+len("…") {
		t.Errorf("%d bytes, over %d", len(got), maxTokenReason)
	}
}

func TestTokenErrorOfDefaultAzureCredentialIsOneBoundedLine(t *testing.T) {
	s := &script{steps: nil}
	c, _ := testClient(t, s, func(o *Options) {
		o.Credential = &namedCredential{kind: "DefaultAzureCredential", cred: fakeCred{err: errors.New(defaultAzureCredentialFailure)}}
	})
	err := c.Do(context.Background(), Request{Version: "v1.0", Path: "groups"}, nil)
	var te *TokenError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || strings.Contains(msg, "----") || len(msg) > 800 {
		t.Errorf("%d bytes: %s", len(msg), msg)
	}
	if !strings.Contains(msg, "with DefaultAzureCredential: failed to acquire a token; tried EnvironmentCredential") {
		t.Errorf("message = %s", msg)
	}
}
