package cli

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/mdmforge/mdmforge/internal/termsafe"
	"github.com/mdmforge/mdmforge/internal/userfile"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/signing"
	"github.com/spf13/cobra"
)

type verifyOptions struct {
	IO   *IO
	File string
	CA   string
}

func newVerifyCmd(streams *IO, runF func(*verifyOptions) error) *cobra.Command {
	opts := &verifyOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "verify FILE [--ca roots.pem]",
		Short: "Check a signed profile's signature, chain and validity",
		Long: `Verify checks a signed configuration profile the way a device would: the
message digest and signature, that the signer may sign (not a CA
certificate, and digitalSignature in its key usage, when it has one), the
chain from the signer through the embedded certificates to a trusted root
(the --ca file, or the system's roots), and that the certificates were valid
when it was signed. It prints the signer, its issuer chain, the digest
algorithm and the signing time, and warns about SHA-1 digests and chains the
file does not carry. It reads DER and BER (streamed) signatures, including
those Apple's and OpenSSL's tools write. Names from the file are printed
with control characters escaped (\x1b, \u202e), so a certificate cannot
drive the terminal.

Exit status 1 means the profile would not verify.`,
		Example: `  $ mdmforge verify out/contacts.signed.mobileconfig
  $ mdmforge verify contacts.signed.mobileconfig --ca root.pem`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError(cmd, "verify takes one signed profile, got %d", len(args))
			}
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return verifyRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.CA, "ca", "", "trust only the root certificates in this PEM `FILE`")
	completeFiles(cmd.Flags(), "ca", "pem", "crt", "cer")
	return cmd
}

func verifyRun(opts *verifyOptions) error {
	s, err := readSigned(opts.File)
	if err != nil {
		return err
	}
	var roots *x509.CertPool
	if opts.CA != "" {
		pem, err := userfile.Read(opts.CA, maxInputFile)
		if err != nil {
			return err
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return fmt.Errorf("%s: no PEM certificates found", opts.CA)
		}
	}
	v, err := s.Verify(signing.VerifyOptions{Roots: roots})
	var unknown x509.UnknownAuthorityError
	switch {
	case err != nil && roots == nil && errors.As(err, &unknown):
		return withHint(fmt.Errorf("%s: %w", opts.File, err),
			"the signer's root is not one this system trusts; give it with --ca ROOT.pem, the root your devices trust")
	case err != nil:
		return fmt.Errorf("%s: %w", opts.File, err)
	}
	printWarnings(opts.IO, v.Warnings)
	if err := profiles.CheckProfile(s.Content); err != nil {
		fmt.Fprintf(opts.IO.Err, "mdmforge: warning: the signed content is not a configuration profile: %s\n", termsafe.String(err.Error()))
	}
	w := opts.IO.Out
	fmt.Fprintf(w, "%s: signature verified\n", opts.File)
	// Subjects come from the file: escape what could drive the terminal.
	fmt.Fprintf(w, "signer:       %s\n", termsafe.String(s.Signer.Subject.String()))
	if len(v.Chains[0]) < 2 {
		fmt.Fprintf(w, "issuer chain: none (the signer is itself the trusted root)\n")
	} else {
		fmt.Fprintf(w, "issuer chain:\n")
	}
	for _, c := range v.Chains[0][1:] {
		fmt.Fprintf(w, "  %s\n", termsafe.String(c.Subject.String()))
	}
	fmt.Fprintf(w, "digest:       %s\n", s.DigestAlgorithm)
	if s.SigningTime.IsZero() {
		fmt.Fprintf(w, "signing time: none recorded\n")
	} else {
		fmt.Fprintf(w, "signing time: %s\n", s.SigningTime.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(w, "valid until:  %s\n", s.Signer.NotAfter.UTC().Format(time.RFC3339))
	return nil
}

// readSigned reads and parses a signed profile, naming the file in errors.
func readSigned(path string) (*signing.Signed, error) {
	data, err := userfile.Read(path, maxInputFile)
	if err != nil {
		return nil, err
	}
	s, err := signing.Parse(data)
	if err != nil {
		if profiles.CheckProfile(data) == nil {
			return nil, withHint(fmt.Errorf("%s is not signed", path), "mdmforge sign "+path+" --out FILE signs it")
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}
