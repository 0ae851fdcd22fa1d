package cli

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/signing"
	"github.com/spf13/cobra"
)

type buildOptions struct {
	IO       *IO
	Paths    []string
	Out      string
	Sign     bool
	Identity identityFlags
	Target   targetFlag
}

func newBuildCmd(streams *IO, runF func(*buildOptions) error) *cobra.Command {
	opts := &buildOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "build PATH... --out DIR",
		Short: "Compile policies into profiles and Outlook app configurations",
		Long: `Build validates policy files, and folders of them, and compiles each policy
NAME into DIR:

  NAME.mobileconfig    Apple configuration profile (XML property list)
  NAME.outlook.json    Outlook Managed Apps app configuration, as the Microsoft
                       Graph targetedManagedAppConfiguration body
  NAME.outlook.plist   Outlook Managed Devices app configuration (Intune "XML
                       data", Jamf Pro, Workspace ONE)

Outputs are byte-identical for the same policy, and PayloadUUIDs derive from
identifiers, so uploading a rebuilt profile updates devices in place. If any
policy has an error nothing is written; files are replaced atomically.

With --sign, each profile is also signed into NAME.signed.mobileconfig beside
the unsigned one: upload the unsigned file to Intune, Jamf Pro or Fleet, and
hand the signed one to users who install profiles themselves. The identity
flags and password sources are those of 'mdmforge sign'.`,
		Example: `  $ mdmforge build examples --out out
  $ mdmforge build policies/contacts.yaml policies/wifi.yaml --out dist
  $ MDMFORGE_SIGNER_PASSWORD=… mdmforge build policies --out dist --sign --signer signer.p12`,
		Args: atLeastOneArg("a policy file or folder to build"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if opts.Out == "" {
				return usageError(cmd, "missing --out DIR, the folder to write the outputs to")
			}
			if _, err := opts.Target.parse(); err != nil {
				return usageError(cmd, "--target: %v", err)
			}
			if opts.Sign {
				if err := opts.Identity.check(); err != nil {
					return usageError(cmd, "%v", err)
				}
			} else if opts.Identity.given() {
				return usageError(cmd, "signing identity given without --sign")
			}
			if runF != nil {
				return runF(opts)
			}
			return buildRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "`DIR` to write the outputs to (created if missing)")
	cmd.Flags().BoolVar(&opts.Sign, "sign", false, "also write NAME.signed.mobileconfig, signed with the given identity")
	opts.Identity.register(cmd.Flags())
	opts.Target.register(cmd.Flags())
	return cmd
}

func buildRun(opts *buildOptions) error {
	target, _ := opts.Target.parse()
	policies, ds, err := loadPolicies(opts.IO, opts.Paths, target)
	if err != nil {
		return err
	}
	var id *signing.Identity
	var at time.Time
	if opts.Sign {
		if at, err = signingTime(); err != nil {
			return err
		}
		var warnings []string
		if id, warnings, err = opts.Identity.load(opts.IO, at); err != nil {
			return err
		}
		printWarnings(opts.IO, warnings)
	}
	var files []outFile
	for _, p := range policies {
		outs, err := p.Build(profiles.Options{Target: target})
		if err != nil {
			return fmt.Errorf("%s: %w", p.File, err)
		}
		for _, o := range outs {
			files = append(files, outFile{Path: filepath.Join(opts.Out, o.Name), Data: o.Data})
			if id != nil && strings.HasSuffix(o.Name, ".mobileconfig") {
				signed, err := id.Sign(o.Data, at)
				if err != nil {
					return fmt.Errorf("%s: %w", o.Name, err)
				}
				name := strings.TrimSuffix(o.Name, ".mobileconfig") + ".signed.mobileconfig"
				files = append(files, outFile{Path: filepath.Join(opts.Out, name), Data: signed})
			}
		}
	}
	changed, err := writeFiles(files)
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintln(opts.IO.Out, f.Path)
	}
	fmt.Fprintf(opts.IO.Err, "mdmforge: built %s into %s (%d files, %d changed)%s\n",
		countPolicies(len(policies)), opts.Out, len(files), len(changed), warningSuffix(ds))
	return nil
}
