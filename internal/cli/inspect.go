package cli

import (
	"fmt"
	"time"

	"github.com/mdmforge/mdmforge/internal/termsafe"
	"github.com/mdmforge/mdmforge/internal/userfile"
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

// inspection is profiles.Describe's review, headed by the file and, when
// it is signed, who signed it.
type inspection struct {
	File                 string            `json:"file" yaml:"file"`
	Signature            *signatureSummary `json:"signature,omitempty" yaml:"signature,omitempty"`
	profiles.Description `yaml:",inline"`
}

type signatureSummary struct {
	Signer       string   `json:"signer" yaml:"signer"`
	Issuer       string   `json:"issuer" yaml:"issuer"`
	Certificates []string `json:"certificates" yaml:"certificates"`
	Digest       string   `json:"digest" yaml:"digest"`
	SigningTime  string   `json:"signing_time,omitempty" yaml:"signing_time,omitempty"`
}

func inspectRun(opts *inspectOptions) error {
	data, err := userfile.Read(opts.File, maxInputFile)
	if err != nil {
		return err
	}
	in := inspection{File: opts.File}
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
	in.Description = profiles.Describe(top)
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
