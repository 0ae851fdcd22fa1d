package cli

import (
	"fmt"
	"path/filepath"

	"github.com/mdmforge/mdmforge/internal/outdir"
	"github.com/mdmforge/mdmforge/internal/termsafe"
	"github.com/mdmforge/mdmforge/internal/userfile"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/signing"
	"github.com/spf13/cobra"
)

type signOptions struct {
	IO       *IO
	In       string
	Out      string
	Identity identityFlags
}

func newSignCmd(streams *IO, runF func(*signOptions) error) *cobra.Command {
	opts := &signOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "sign IN --out OUT {--signer FILE.p12 | --signer-cert FILE --signer-key FILE [--signer-chain FILE]}",
		Short: "Sign an existing configuration profile",
		Long: `Sign wraps a configuration profile in a CMS signature (DER, SHA-256, content
attached) made with your organization's certificate, embedding the signer
certificate and every intermediate, but not the root, so devices show the
profile as Verified. IN must be an unsigned profile; it is checked to be a
Configuration property list first.

The .p12 password is never taken from the command line. It comes from the
MDMFORGE_SIGNER_PASSWORD environment variable, the first line of
--password-file, or a prompt without echo when a terminal is attached.
With SOURCE_DATE_EPOCH set, the signing time comes from it, so signing with
an RSA key gives byte-identical output on every run.

Upload unsigned profiles to Intune, Jamf Pro and Fleet, which sign or
re-serialize what they deliver; sign profiles that users install by hand or
download from a web page.`,
		Example: `  $ mdmforge sign out/contacts.mobileconfig --out contacts.signed.mobileconfig --signer signer.p12
  $ MDMFORGE_SIGNER_PASSWORD=… mdmforge sign in.mobileconfig --out signed.mobileconfig --signer signer.p12
  $ mdmforge sign in.mobileconfig --out signed.mobileconfig --signer-cert cert.pem --signer-key key.pem --signer-chain intermediates.pem`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError(cmd, "sign takes one profile, got %d", len(args))
			}
			opts.In = args[0]
			if opts.Out == "" {
				return usageError(cmd, "missing --out FILE, where to write the signed profile")
			}
			if err := opts.Identity.check(); err != nil {
				return usageError(cmd, "%v", err)
			}
			if runF != nil {
				return runF(opts)
			}
			return signRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "write the signed profile to `FILE`")
	completeFiles(cmd.Flags(), "out", "mobileconfig")
	opts.Identity.register(cmd.Flags())
	return cmd
}

func signRun(opts *signOptions) error {
	if same(opts.In, opts.Out) {
		return fmt.Errorf("--out %s is the input; write the signed profile to another file", opts.Out)
	}
	data, err := userfile.Read(opts.In, maxInputFile)
	if err != nil {
		return err
	}
	if signing.IsSigned(data) {
		return withHint(fmt.Errorf("%s is already signed", opts.In), "mdmforge verify "+opts.In+" checks its signature")
	}
	profile, err := profiles.DecodeProfile(data)
	if err != nil {
		return fmt.Errorf("%s: %w", opts.In, err)
	}
	at, err := signingTime()
	if err != nil {
		return err
	}
	id, warnings, err := opts.Identity.load(opts.IO, at)
	if err != nil {
		return err
	}
	printWarnings(opts.IO, warnings)
	signed, err := id.Sign(data, at)
	if err != nil {
		return err
	}
	if _, err := outdir.WriteFiles([]outdir.File{{Path: opts.Out, Data: signed, Secret: profiles.ProfileHoldsSecret(profile)}}); err != nil {
		return err
	}
	fmt.Fprintln(opts.IO.Out, opts.Out)
	return nil
}

func printWarnings(streams *IO, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(streams.Err, "mdmforge: warning: %s\n", termsafe.String(w))
	}
}

// same reports whether two paths name the same file, as far as can be told
// without either existing.
func same(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}
