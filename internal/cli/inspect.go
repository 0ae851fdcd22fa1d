package cli

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"time"

	"github.com/mdmforge/mdmforge/internal/termsafe"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/signing"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

type inspectOptions struct {
	IO     *IO
	File   string
	Format string
}

func newInspectCmd(streams *IO, runF func(*inspectOptions) error) *cobra.Command {
	opts := &inspectOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "inspect FILE [--format yaml|json]",
		Short: "Show what a profile contains, signed or not, for review",
		Long: `Inspect prints a configuration profile for review: who signed it (when it
is signed; the signature is not checked here, use verify for that), the
profile's identity, and each payload with its keys. Data values are shown as
their size and SHA-256 rather than as base64, and secrets (passwords,
pre-shared keys, SCEP challenges, private keys) as <secret>. Control
characters and bidi overrides in strings, keys and certificate names are
escaped (\x1b, \u202e), in both formats, so a file cannot drive the terminal.`,
		Example: `  $ mdmforge inspect out/contacts.mobileconfig
  $ mdmforge inspect contacts.signed.mobileconfig --format json | jq '.payloads[].type'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError(cmd, "inspect takes one profile, got %d", len(args))
			}
			opts.File = args[0]
			if opts.Format != "yaml" && opts.Format != "json" {
				return usageError(cmd, "--format must be yaml or json, not %q", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return inspectRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "yaml", "output `FORMAT`: yaml or json")
	completeValues(cmd.Flags(), "format", "yaml", "json")
	return cmd
}

type inspection struct {
	File      string             `json:"file" yaml:"file"`
	Signature *signatureSummary  `json:"signature,omitempty" yaml:"signature,omitempty"`
	Profile   inspectedPayload   `json:"profile" yaml:"profile"`
	Payloads  []inspectedPayload `json:"payloads" yaml:"payloads"`
}

type signatureSummary struct {
	Signer       string   `json:"signer" yaml:"signer"`
	Issuer       string   `json:"issuer" yaml:"issuer"`
	Certificates []string `json:"certificates" yaml:"certificates"`
	Digest       string   `json:"digest" yaml:"digest"`
	SigningTime  string   `json:"signing_time,omitempty" yaml:"signing_time,omitempty"`
}

type inspectedPayload struct {
	Type        string         `json:"type" yaml:"type"`
	Identifier  string         `json:"identifier" yaml:"identifier"`
	UUID        string         `json:"uuid" yaml:"uuid"`
	DisplayName string         `json:"display_name,omitempty" yaml:"display_name,omitempty"`
	Keys        map[string]any `json:"keys" yaml:"keys"`
}

func inspectRun(opts *inspectOptions) error {
	data, err := readInput(opts.File, maxInputFile)
	if err != nil {
		return err
	}
	in := inspection{File: opts.File, Payloads: []inspectedPayload{}}
	if signing.IsSigned(data) {
		s, err := signing.Parse(data)
		if err != nil {
			return fmt.Errorf("%s: %w", opts.File, err)
		}
		sum := &signatureSummary{Signer: termsafe.String(s.Signer.Subject.String()), Issuer: termsafe.String(s.Signer.Issuer.String()), Digest: s.DigestAlgorithm}
		for _, c := range s.Certificates {
			sum.Certificates = append(sum.Certificates, termsafe.String(c.Subject.String()))
		}
		if !s.SigningTime.IsZero() {
			sum.SigningTime = s.SigningTime.UTC().Format(time.RFC3339)
		}
		in.Signature = sum
		data = s.Content
	}
	top, err := profiles.DecodeProfile(data)
	if err != nil {
		return fmt.Errorf("%s: %w", opts.File, err)
	}
	content, _ := top["PayloadContent"].([]any)
	delete(top, "PayloadContent")
	in.Profile = describePayload(top)
	for _, c := range content {
		in.Payloads = append(in.Payloads, describePayload(c.(map[string]any)))
	}
	if opts.Format == "json" {
		return writeJSON(opts.IO.Out, in)
	}
	out, err := yaml.Marshal(in)
	if err != nil {
		return err
	}
	_, err = opts.IO.Out.Write(out)
	return err
}

func describePayload(m map[string]any) inspectedPayload {
	// Secrets (passwords, private keys, ...) never reach the output: a
	// review is shared more widely than the profile.
	red, _ := profiles.RedactSecrets("", m)
	m = red.(map[string]any)
	p := inspectedPayload{Keys: map[string]any{}}
	take := func(k string) string {
		s, _ := m[k].(string)
		delete(m, k)
		return termsafe.String(s)
	}
	p.Type, p.Identifier, p.UUID, p.DisplayName = take("PayloadType"), take("PayloadIdentifier"), take("PayloadUUID"), take("PayloadDisplayName")
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.Keys[termsafe.String(k)] = reviewValue(m[k])
	}
	return p
}

// reviewValue makes plist values readable in YAML and JSON: data becomes a
// size and digest, dates RFC 3339 text, redacted secrets "<secret>", and
// strings and keys from the file are escaped for the terminal.
func reviewValue(v any) any {
	return mapLeaves(escapeKeys(v), func(v any) any {
		switch x := v.(type) {
		case string:
			// YAML and JSON keep a multi-line value's lines in place.
			return termsafe.Multiline(x)
		case profiles.Redacted:
			return x.String()
		case []byte:
			return fmt.Sprintf("<data: %d bytes, sha256 %x>", len(x), sha256.Sum256(x))
		case time.Time:
			return x.UTC().Format(time.RFC3339)
		}
		return v
	})
}

// escapeKeys copies a plist tree with its dictionary keys escaped for the
// terminal; values are left to the caller.
func escapeKeys(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[termsafe.String(k)] = escapeKeys(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = escapeKeys(e)
		}
		return out
	}
	return v
}

// mapLeaves copies a plist tree with every value that is not a dictionary
// or array replaced by f's answer.
func mapLeaves(v any, f func(any) any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = mapLeaves(e, f)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = mapLeaves(e, f)
		}
		return out
	}
	return f(v)
}
