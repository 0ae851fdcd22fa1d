package cli

import (
	"fmt"
	"os"

	"github.com/mdmforge/mdmforge/internal/outdir"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/spf13/cobra"
)

type importOptions struct {
	IO    *IO
	File  string
	Out   string
	Force bool
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

The policy goes to standard output, or to --out. It is validated, and its
findings are shown, so you know what to fix before the first build.`,
		Example: `  $ mdmforge import legacy/wifi.mobileconfig --out policies/wifi.yaml
  $ mdmforge import contacts.mobileconfig > policies/contacts.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError(cmd, "import takes one profile, got %d", len(args))
			}
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return importRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "write the policy to `FILE` instead of standard output")
	completeFiles(cmd.Flags(), "out", "yaml", "yml")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite --out if it exists")
	return cmd
}

func importRun(opts *importOptions) error {
	if opts.Out != "" && !opts.Force {
		// A policy is hand-edited after import; never replace one silently.
		if _, err := os.Lstat(opts.Out); err == nil {
			return withHint(fmt.Errorf("%s already exists", opts.Out), "use --force to overwrite it")
		}
	}
	data, err := readProfile(opts.File)
	if err != nil {
		return err
	}
	policy, err := profiles.Import(opts.File, data)
	if err != nil {
		return fmt.Errorf("%s: %w", opts.File, err)
	}
	name := opts.Out
	if name == "" {
		name = "imported.yaml"
	}
	p, ds := profiles.Decode(name, policy)
	if p != nil {
		ds = append(ds, profiles.Validate(p)...)
	}
	for _, d := range ds {
		fmt.Fprintln(opts.IO.Err, d.String())
	}
	if opts.Out == "" {
		_, err = opts.IO.Out.Write(policy)
	} else {
		_, err = outdir.WriteFiles([]outdir.File{{Path: opts.Out, Data: policy, Secret: p != nil && p.HoldsSecret()}})
		if err == nil {
			fmt.Fprintln(opts.IO.Out, opts.Out)
		}
	}
	if err != nil {
		return err
	}
	if n := ds.Errors(); n > 0 {
		fmt.Fprintf(opts.IO.Err, "mdmforge: hint: the imported policy has %s (above) to fix before it builds\n", plural(n, "error"))
	}
	return nil
}
