package cli

import (
	"fmt"

	"github.com/mdmforge/mdmforge/profiles"
	"github.com/spf13/cobra"
)

type validateOptions struct {
	IO     *IO
	Paths  []string
	Target targetFlag
	Format findingsFormat
}

func newValidateCmd(streams *IO, runF func(*validateOptions) error) *cobra.Command {
	opts := &validateOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "validate PATH...",
		Short: "Check policies and report every problem at once",
		Long: `Validate checks policy files, and folders of them, without writing anything.
It reports every problem of every file in one run, each with its YAML path and
file:line:col: unknown or misspelt settings, wrong types, bad email addresses,
host names and URLs, duplicate names or identifiers across files, and the
combinations that do not do what they seem (an OAuth account with a password,
contacts restrictions that cannot take effect, Outlook exporting contacts the
Exchange account already syncs), and variables the target MDM cannot fill
in. Warnings do not fail the run.`,
		Example: `  $ mdmforge validate examples/contacts-only-eas.yaml
  $ mdmforge validate policies/
  $ mdmforge validate policies --format github   # annotations on the pull request`,
		Args: atLeastOneArg("a policy file or folder to validate"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if _, err := opts.Target.parse(); err != nil {
				return usageError(cmd, "--target: %v", err)
			}
			if err := opts.Format.check(); err != nil {
				return usageError(cmd, "%v", err)
			}
			if runF != nil {
				return runF(opts)
			}
			return validateRun(opts)
		},
	}
	opts.Target.register(cmd.Flags())
	opts.Format.register(cmd.Flags())
	return cmd
}

func validateRun(opts *validateOptions) error {
	target, _ := opts.Target.parse()
	policies, ds, err := loadPolicies(opts.IO, opts.Paths, target, opts.Format.value)
	if err != nil {
		return err
	}
	switch opts.Format.value {
	case formatJSON:
		return writeJSON(opts.IO.Out, map[string]any{"findings": jsonFindings(ds), "policies": len(policies)})
	case formatGitHub:
		fmt.Fprintf(opts.IO.Out, "::notice title=mdmforge::%s valid%s\n", countPolicies(len(policies)), warningSuffix(ds))
	default:
		fmt.Fprintf(opts.IO.Out, "%s valid%s\n", countPolicies(len(policies)), warningSuffix(ds))
	}
	return nil
}

func countPolicies(n int) string {
	if n == 1 {
		return "1 policy"
	}
	return fmt.Sprintf("%d policies", n)
}

func warningSuffix(ds profiles.Diagnostics) string {
	switch n := ds.Warnings(); n {
	case 0:
		return ""
	case 1:
		return " (1 warning)"
	default:
		return fmt.Sprintf(" (%d warnings)", n)
	}
}
