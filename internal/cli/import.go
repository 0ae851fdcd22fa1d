package cli

import (
	"fmt"
	"os"

	"github.com/mdmforge/mdmforge/internal/outdir"
	"github.com/mdmforge/mdmforge/internal/termsafe"
	"github.com/mdmforge/mdmforge/internal/userfile"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/spf13/cobra"
)

type importOptions struct {
	IO       *IO
	File     string
	Out      string
	Force    bool
	Platform string
}

func newImportCmd(streams *IO, runF func(*importOptions) error) *cobra.Command {
	opts := &importOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "import FILE.mobileconfig [--out POLICY.yaml]",
		Short: "Turn an existing profile into a policy",
		Long: `Import converts a .mobileconfig, signed or not, into a policy file that
builds back into the same profile: the same payloads, keys and values, and
the same identifiers and UUIDs, so the first build updates the profile
devices already have instead of installing a second one. Payloads become
payloads: entries named after their identifiers, references between them
become !uuid NAME, and Intune tokens such as {{mail}} become the neutral
variables (${user.email}) that build writes for any MDM.

Nothing the source lacked is added (no default display name), every key is
kept, empty strings included, with its plist type, and the policy is marked
profile.imported so that build writes it back as it was. The platform is
inferred from the payload types and keys (or given with --platform) and
written as profile.platform; the note says why it was inferred. Before writing, import builds the policy and compares the
result with the profile value for value; when a policy cannot express
something, import names the key and writes nothing.

The profile is linted first, for its platform: findings are shown at their
line and column, and a profile with errors is not imported. The policy goes
to standard output, or to --out.`,
		Example: `  $ mdmforge import legacy/wifi.mobileconfig --out policies/wifi.yaml
  $ mdmforge import contacts.mobileconfig > policies/contacts.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError(cmd, "import takes one profile, got %d", len(args))
			}
			opts.File = args[0]
			if opts.Platform != "" {
				p, ok := profiles.ParsePlatform(opts.Platform)
				if !ok {
					return usageError(cmd, "--platform must be iOS, macOS, tvOS, visionOS or watchOS, not %q", opts.Platform)
				}
				opts.Platform = p
			}
			if runF != nil {
				return runF(opts)
			}
			return importRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "write the policy to `FILE` instead of standard output")
	completeFiles(cmd.Flags(), "out", "yaml", "yml")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite --out if it exists")
	cmd.Flags().StringVar(&opts.Platform, "platform", "", "`PLATFORM` the profile is for: iOS (or iPadOS), macOS, tvOS, visionOS or watchOS (default: inferred from its payloads)")
	completeValues(cmd.Flags(), "platform", "iOS", "macOS", "tvOS", "visionOS", "watchOS")
	return cmd
}

func importRun(opts *importOptions) error {
	if opts.Out != "" && !opts.Force {
		// A policy is hand-edited after import; never replace one silently.
		if _, err := os.Lstat(opts.Out); err == nil {
			return withHint(fmt.Errorf("%s already exists", opts.Out), "use --force to overwrite it")
		}
	}
	data, err := userfile.Read(opts.File, maxInputFile)
	if err != nil {
		return err
	}
	data, signed, err := unwrapSigned(data)
	if err != nil {
		// A refusal like any other: the finding at the file, then why
		// nothing was written.
		report(opts.IO, formatText, profiles.Diagnostics{{Severity: profiles.Error, Pos: profiles.Pos{File: opts.File}, Message: err.Error()}})
		return withHint(fmt.Errorf("%s: 1 error; no policy written", opts.File),
			"fix the profile, then import it again (mdmforge lint shows the same findings)")
	}
	// The profile is linted first, for the platform it is for, so that a
	// mistake in it is reported where it is, in the file the user has,
	// and no policy is written from it.
	platform := opts.Platform
	if top, err := profiles.DecodeProfile(data); err == nil && platform == "" {
		var why string
		if platform, why = profiles.InferPlatform(top); platform == "" {
			return withHint(fmt.Errorf("%s: cannot infer the platform: %s; no policy written", opts.File, why), "name it with --platform")
		}
	}
	lint := profiles.Lint(opts.File, data, profiles.Devices{Platform: platform})
	report(opts.IO, formatText, lint)
	if n := lint.Errors(); n > 0 {
		return withHint(fmt.Errorf("%s: %s; no policy written", opts.File, plural(n, "error")),
			"fix the profile, then import it again (mdmforge lint shows the same findings)")
	}
	iopts := profiles.ImportOptions{Platform: opts.Platform}
	if signed != nil && signed.Signer != nil {
		iopts.SignedBy = termsafe.String(signed.Signer.Subject.String())
	}
	im, err := profiles.ImportProfile(opts.File, data, iopts)
	if err != nil {
		return fmt.Errorf("%s: %w; no policy written", opts.File, err)
	}
	if iopts.SignedBy != "" {
		fmt.Fprintf(opts.IO.Err, "mdmforge: note: the source was signed by %s; build with --sign to sign it again\n", iopts.SignedBy)
	}
	if im.PlatformGuessed {
		fmt.Fprintf(opts.IO.Err, "mdmforge: warning: platform %s inferred: %s (written as profile.platform, with a comment)\n", im.Platform, im.PlatformWhy)
	} else if im.PlatformWhy != "" && opts.Platform == "" {
		fmt.Fprintf(opts.IO.Err, "mdmforge: note: platform %s inferred: %s (written as profile.platform)\n", im.Platform, im.PlatformWhy)
	}
	name := opts.Out
	if name == "" {
		name = "imported.yaml"
	}
	p, ds := profiles.Decode(name, im.Policy)
	if p != nil {
		ds = append(ds, profiles.Validate(p)...)
	}
	// Lint has shown what the profile's keys deserve; the policy's own
	// findings would repeat them at other positions, so only errors,
	// which mean the policy needs editing before it builds, are shown.
	var errs profiles.Diagnostics
	for _, d := range ds {
		if d.Severity == profiles.Error {
			errs = append(errs, d)
		}
	}
	report(opts.IO, formatText, errs)
	if opts.Out == "" {
		_, err = opts.IO.Out.Write(im.Policy)
	} else {
		_, err = outdir.WriteFiles([]outdir.File{{Path: opts.Out, Data: im.Policy, Secret: p != nil && p.HoldsSecret()}})
		if err == nil {
			fmt.Fprintln(opts.IO.Out, opts.Out)
		}
	}
	if err != nil {
		return err
	}
	if n := errs.Errors(); n > 0 {
		fmt.Fprintf(opts.IO.Err, "mdmforge: hint: the imported policy has %s (above) to fix before it builds\n", plural(n, "error"))
	}
	return nil
}
