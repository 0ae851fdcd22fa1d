package cli

import (
	"errors"
	"fmt"

	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/intune"
	"github.com/spf13/cobra"
)

type validateOptions struct {
	IO     *IO
	Paths  []string
	Target targetFlag
	Format findingsFormat
	Strict bool
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
in. For target intune it also reports what build would warn about while
writing the Intune bundle (an Exchange account Intune's email profile cannot
express, so email.json is left out). Warnings do not fail the run unless
--strict is given, which counts them as errors, for CI.`,
		Example: `  $ mdmforge validate examples/contacts-only-eas.yaml
  $ mdmforge validate policies/
  $ mdmforge validate policies --format github   # annotations on the pull request
  $ mdmforge validate policies --strict          # fail on warnings too`,
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
	registerStrict(cmd, &opts.Strict)
	return cmd
}

func validateRun(opts *validateOptions) error {
	target, _ := opts.Target.parse()
	policies, ds, err := checkPolicies(opts.IO, opts.Paths, target, opts.Format.value, opts.Strict, true)
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

// registerStrict adds --strict, shared by validate and build.
func registerStrict(cmd *cobra.Command, strict *bool) {
	cmd.Flags().BoolVar(strict, "strict", false, "count warnings as errors: exit 1, and build writes nothing")
}

// checkPolicies is loadPolicies with --strict, and, with bundle, the
// warnings build gives while writing each Intune bundle, so that validate
// reports everything build would. build leaves bundle off: it reports those
// as it compiles.
func checkPolicies(streams *IO, paths []string, target profiles.Target, format string, strict, bundle bool) ([]*profiles.Policy, profiles.Diagnostics, error) {
	policies, ds := profiles.Load(paths...)
	for _, p := range policies {
		ds = append(ds, p.CheckTarget(p.TargetFor(target))...)
	}
	if bundle {
		for _, p := range policies {
			if p.TargetFor(target) != profiles.Intune || hasErrors(ds, p.File) {
				continue // build stops before the bundle
			}
			ds = append(ds, intune.Check(p)...)
		}
	}
	ds, promoted := strictFindings(ds, strict)
	ds.Sort()
	return policies, ds, strictHint(printFindings(streams, format, ds), promoted)
}

func hasErrors(ds profiles.Diagnostics, file string) bool {
	for _, d := range ds {
		if d.Severity == profiles.Error && d.Pos.File == file {
			return true
		}
	}
	return false
}

// strictFindings makes every warning an error when strict is set, and
// says how many it made.
func strictFindings(ds profiles.Diagnostics, strict bool) (profiles.Diagnostics, int) {
	if !strict {
		return ds, 0
	}
	return ds.WarningsAsErrors()
}

// strictHint tells why a run failed on what would be warnings without
// --strict.
func strictHint(err error, promoted int) error {
	var ee *exitError
	if promoted > 0 && errors.As(err, &ee) {
		ee.hints = append(ee.hints, fmt.Sprintf("--strict counts warnings as errors; %d of these would be warnings without it", promoted))
	}
	return err
}
