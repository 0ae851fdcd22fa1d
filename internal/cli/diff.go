package cli

import (
	"errors"
	"fmt"

	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/diff"
	"github.com/spf13/cobra"
)

// exitTrouble is diff(1)'s exit code for trouble: a wrong command line or an
// input that cannot be read or compared. 1 means the inputs differ.
const exitTrouble = 2

const formatMarkdownDiff = "markdown"

// compareOptions are diff's flags and arguments; the names diff… belong
// to the diff package, which does the work.
type compareOptions struct {
	IO     *IO
	Before string
	After  string
	Format string
	UUIDs  bool
	Target targetFlag
}

func newDiffCmd(streams *IO, runF func(*compareOptions) error) *cobra.Command {
	opts := &compareOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "diff BEFORE AFTER",
		Short: "Show what changes between two policies, profiles or output folders, and what devices do about it",
		Long: `Diff shows what changes between two versions of what mdmforge deploys, and
what devices do about it: the review of a change before it reaches them.

Each side is a policy file or a folder of policies (validated and built as
build would, for each policy's target or --target, Intune bundle included),
a built file (.mobileconfig, signed or not; .plist; .json), or a folder of
built files with its subfolders (NAME.intune/, per-user NAME/). Files are
matched by their path in the folder. A policy against the folder it was
built into is compared with the files build writes for it there
(NAME.mobileconfig, NAME.outlook.plist, NAME.intune/, and the
NAME.outlook.json older builds wrote);
a single file against a policy or folder with the output of its name.
build's manifest.json is left out: it changes whenever the outputs do.
In folders, links to files are followed; links to folders and special
files such as named pipes are skipped with a warning.

Profiles are compared as property lists: the top level, then payloads
matched by PayloadIdentifier, so reordering is not a change; values by value
and type (integer 1 and real 1.0 differ), at any depth, arrays by index; and
the signer certificate of signed profiles. PayloadUUID changes are hidden
unless --uuids is given, but a payload with a new UUID is still reported as
installed anew. JSON files are compared as JSON, the named settings lists
(customSettings, settings, managedProperty) by name, the profile inside
Intune's custom.json as a profile; .plist files as property lists; other
files by SHA-256. An edit to a policy built for Intune is shown once, in
NAME.mobileconfig: NAME.intune/custom.json and email.json, which repeat it,
get one line each ("repeats the NAME.mobileconfig change above") unless
they differ in something else too, and the bundle's README.md is left out.

Secrets are never shown, in any format: a changed password, pre-shared key,
SCEP challenge or private key reads <secret, changed>, and JSON marks such
changes "redacted": true instead of giving the values.

Changes devices feel get a consequence line, marked "!": users signing in to
the Exchange account again, a second profile installed beside the old one,
payloads installed, removed or installed anew, a signing identity that a
manual re-install rejects.

Formats: text (by file and payload; + added, - removed, ~ changed),
json (for programs), markdown (for a pull-request comment) and github (a
warning annotation per consequence and a summary notice).

Like diff(1), diff exits 0 when the inputs are the same, 1 when they
differ, and 2 when an input cannot be read or is invalid.`,
		Example: `  $ mdmforge diff main/policies/contacts.yaml policies/contacts.yaml
  $ mdmforge diff policies/contacts.yaml dist
  $ mdmforge diff old/contacts.signed.mobileconfig new/contacts.signed.mobileconfig --uuids
  $ mdmforge diff dist-main dist --format markdown > comment.md`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usageError(cmd, "diff compares two inputs, BEFORE and AFTER; got %d", len(args))
			}
			opts.Before, opts.After = args[0], args[1]
			if _, err := opts.Target.parse(); err != nil {
				return usageError(cmd, "--target: %v", err)
			}
			switch opts.Format {
			case formatText, formatJSON, formatMarkdownDiff, formatGitHub:
			default:
				return usageError(cmd, "--format must be text, json, markdown or github, not %q", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return runCompare(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", formatText, "output `FORMAT`: text, json, markdown or github")
	completeValues(cmd.Flags(), "format", formatText, formatJSON, formatMarkdownDiff, formatGitHub)
	cmd.Flags().BoolVar(&opts.UUIDs, "uuids", false, "also show PayloadUUID changes")
	opts.Target.register(cmd.Flags())
	return cmd
}

// runCompare loads both sides, compares them and writes the report:
// exit 0 when they are the same, 1 when they differ, 2 for trouble, with
// nothing on stdout.
func runCompare(opts *compareOptions) error {
	target, _ := opts.Target.parse()
	load := diff.LoadOptions{Target: target, MaxFileSize: maxInputFile, Warn: func(path, reason string) {
		fmt.Fprintf(opts.IO.Err, "mdmforge: warning: %s: skipped: %s\n", path, reason)
	}}
	var sides [2]*diff.Side
	for i, arg := range []string{opts.Before, opts.After} {
		s, err := diff.Load(arg, load)
		if err != nil {
			var invalid *profiles.InvalidError
			if errors.As(err, &invalid) {
				for _, d := range invalid.Diagnostics {
					if d.Severity == profiles.Error {
						fmt.Fprintln(opts.IO.Err, d.String())
					}
				}
			}
			return &exitError{code: exitTrouble, err: err}
		}
		sides[i] = s
	}
	r, err := diff.Compare(sides[0], sides[1], diff.Options{UUIDs: opts.UUIDs})
	if err != nil {
		return &exitError{code: exitTrouble, err: err}
	}
	if err := r.Render(opts.IO.Out, diff.Format(opts.Format)); err != nil {
		return &exitError{code: exitTrouble, err: err}
	}
	if r.Different() {
		return &exitError{code: ExitFailure}
	}
	return nil
}
