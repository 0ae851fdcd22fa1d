package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/schema"
	"github.com/spf13/cobra"
)

type explainOptions struct {
	IO     *IO
	Target string // TYPE[.KEY...]
	List   bool
	Format string
}

func newExplainCmd(streams *IO, runF func(*explainOptions) error) *cobra.Command {
	opts := &explainOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "explain TYPE[.KEY...] | SETTING | --list",
		Short: "Show Apple's schema for a payload type or key, or a policy setting",
		Long: `Explain shows what Apple's published schema says about a payload type or one
of its keys, as mdmforge checks them, or what a setting of mdmforge's own
policy format is.

For a policy setting (exchange.sync, profile.min_ios, payloads.name, …): its
type, whether it is required, its allowed values and default, what it
compiles into (the Apple or Microsoft key it sets), its description as in
docs/policy.md, and a block's own settings.

For a payload type: the platforms that support it (the versions that
introduced, deprecated or removed it, whether it needs a supervised device,
whether a profile with it may be installed by hand or only by MDM, how it
behaves under User Enrollment, whether a profile may hold several), and its
keys with their types and the iOS version that introduced them.

For a key: its type, whether it is required, its default, allowed values,
range and format, the same per-platform facts, and its subkeys or the
element of its list.

Name a key after its payload type, nested keys separated by dots; quote a
name that contains a space. Configuration is the profile's top level.
--list prints every payload type, then every policy setting. The schema is Apple's
(github.com/apple/device-management), facts only: its file name is given
for Apple's own descriptions. Where Apple's copy is silent (keys newer than
it, macOS preference domains such as com.google.Chrome), the facts of the
ProfileManifests project fill in, and SOURCE says so.`,
		Example: `  $ mdmforge explain com.apple.eas.account
  $ mdmforge explain com.apple.eas.account.EnableContactsUserOverridable
  $ mdmforge explain "com.apple.security.scep.PayloadContent.Key Type"
  $ mdmforge explain exchange.sync
  $ mdmforge explain --list
  $ mdmforge explain com.apple.applicationaccess --format json | jq '.keys[].name'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Format != "text" && opts.Format != "json" {
				return usageError(cmd, "--format must be text or json, not %q", opts.Format)
			}
			switch {
			case opts.List && len(args) > 0:
				return usageError(cmd, "--list takes no payload type")
			case !opts.List && len(args) == 0:
				return usageError(cmd, "missing a payload type, key or policy setting to explain, such as com.apple.eas.account or exchange.sync")
			case len(args) > 1:
				return usageError(cmd, "explain takes one payload type or key, got %d arguments (quote a key name that contains a space)", len(args))
			}
			if len(args) == 1 {
				opts.Target = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return explainRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.List, "list", false, "list every payload type with its platforms")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output `FORMAT`: text or json")
	completeValues(cmd.Flags(), "format", "text", "json")
	return cmd
}

func explainRun(opts *explainOptions) error {
	if opts.List {
		list := schema.Summaries()
		if opts.Format == "json" {
			return writeJSON(opts.IO.Out, list)
		}
		if err := schema.WriteSummaries(opts.IO.Out, list); err != nil {
			return err
		}
		fmt.Fprintln(opts.IO.Out)
		return profiles.WritePolicySettings(opts.IO.Out)
	}
	if top, _, _ := strings.Cut(opts.Target, "."); isPolicyBlock(top) {
		return explainSetting(opts)
	}
	e, err := schema.Explain(opts.Target)
	if err != nil {
		return explainHint(err)
	}
	if opts.Format == "json" {
		return writeJSON(opts.IO.Out, e)
	}
	return e.WriteText(opts.IO.Out)
}

// explainHint points from a name that does not resolve to the command that
// shows the names there are.
func explainHint(err error) error {
	var nf *schema.NotFoundError
	switch {
	case !errors.As(err, &nf):
		return err
	case nf.Nearest == "":
		return withHint(err, "run 'mdmforge explain --list' for every payload type")
	case nf.Scalar:
		return withHint(err, fmt.Sprintf("run 'mdmforge explain %s' for it", nf.Nearest))
	}
	return withHint(err, fmt.Sprintf("run 'mdmforge explain %s' for its keys", nf.Nearest))
}

// isPolicyBlock reports whether name is a top-level setting of the policy
// format, so that explain reads what follows as a policy setting: no Apple
// payload type is named so.
func isPolicyBlock(name string) bool {
	name = strings.TrimSuffix(name, "[]")
	for _, s := range profiles.PolicySettings() {
		if s.Path == name {
			return true
		}
	}
	return false
}

// explainSetting prints one setting of the policy format.
func explainSetting(opts *explainOptions) error {
	s, ok := profiles.LookupSetting(opts.Target)
	if !ok {
		msg := fmt.Sprintf("%q is not a policy setting", opts.Target)
		if sug := profiles.NearestSetting(opts.Target); sug != "" {
			msg += fmt.Sprintf("; did you mean %q?", sug)
		}
		return withHint(errors.New(msg), "run 'mdmforge explain --list' for every policy setting")
	}
	if opts.Format == "json" {
		return writeJSON(opts.IO.Out, s)
	}
	return s.WriteText(opts.IO.Out)
}
