package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mdmforge/mdmforge/internal/userfile"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/signing"
	"github.com/spf13/cobra"
)

type lintOptions struct {
	IO      *IO
	Files   []string
	Devices profiles.Devices
	Install string
}

func newLintCmd(streams *IO, runF func(*lintOptions) error) *cobra.Command {
	opts := &lintOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "lint FILE.mobileconfig...",
		Short: "Check existing profiles against Apple's schema",
		Long: `Lint runs the checks policies get on existing .mobileconfig files, signed or
unsigned: unknown payload types and keys, values of the wrong type, outside
Apple's allowed values, ranges or formats, missing required keys, duplicate
payload identifiers or UUIDs, missing or empty PayloadUUID, PayloadIdentifier,
PayloadType or PayloadVersion; and, for the platform, minimum iOS version and
install channel you give, keys introduced later, deprecated or removed keys,
supervised-only keys and MDM-only payloads. Every finding of every file is
reported in one run, with the key path and, for XML profiles, its line and
column (of the signed content, for signed files).

Without --platform, lint infers each profile's platform from its payload
types and keys and prints a note saying which and why. Keys Apple's schema
copy lacks are checked against ProfileManifests' facts, where mistakes are
warnings; on macOS a preference domain (com.google.Chrome) may be a payload
type, and a domain no schema describes gets one note. Values devices
tolerate (0 or 1 for a boolean, a text PayloadVersion) are warnings with
the fix. Use it on existing profiles before importing them.`,
		Example: `  $ mdmforge lint legacy/*.mobileconfig
  $ mdmforge lint wifi.mobileconfig --min-ios 16.0 --install manual`,
		Args: atLeastOneArg("a .mobileconfig file to lint"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if opts.Devices.Platform != "" {
				p, ok := profiles.ParsePlatform(opts.Devices.Platform)
				if !ok {
					return usageError(cmd, "--platform must be iOS, macOS, tvOS, visionOS or watchOS, not %q", opts.Devices.Platform)
				}
				opts.Devices.Platform = p
			}
			switch opts.Install {
			case "mdm":
			case "manual":
				opts.Devices.Manual = true
			default:
				return usageError(cmd, "--install must be mdm or manual, not %q", opts.Install)
			}
			if runF != nil {
				return runF(opts)
			}
			return lintRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Devices.Platform, "platform", "", "`PLATFORM` the profiles are for: iOS (or iPadOS), macOS, tvOS, visionOS or watchOS (default: inferred from each profile's payloads)")
	cmd.Flags().StringVar(&opts.Devices.MinIOS, "min-ios", "", "oldest iOS `VERSION` the profile is for, e.g. 16.0")
	cmd.Flags().StringVar(&opts.Install, "install", "mdm", "how the profile is installed: mdm or manual")
	cmd.Flags().BoolVar(&opts.Devices.Supervised, "supervised", false, "the devices are supervised: no warnings about supervised-only keys")
	completeValues(cmd.Flags(), "platform", "iOS", "macOS", "tvOS", "visionOS", "watchOS")
	completeValues(cmd.Flags(), "min-ios")
	completeValues(cmd.Flags(), "install", "mdm", "manual")
	return cmd
}

func lintRun(opts *lintOptions) error {
	var all profiles.Diagnostics
	for _, f := range opts.Files {
		data, err := readProfile(f)
		if err != nil {
			all = append(all, profiles.Diagnostic{Severity: profiles.Error, Pos: profiles.Pos{File: f}, Message: err.Error()})
			continue
		}
		all = append(all, profiles.Lint(f, data, opts.Devices)...)
	}
	if err := printFindings(opts.IO, formatText, all); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "%s clean%s\n", countFiles(len(opts.Files)), warningSuffix(all))
	return nil
}

// readProfile reads a profile, unwrapping a signed one to the profile it
// carries.
func readProfile(path string) ([]byte, error) {
	data, err := userfile.Read(path, maxInputFile)
	if err != nil {
		return nil, err
	}
	content, _, err := unwrapSigned(data)
	return content, err
}

// unwrapSigned returns the profile a signed file carries and its
// signature, or data itself when it is not signed. A signed file that does
// not parse gets a message in the admin's terms: the CMS decoder's own
// words (ber2der, tag lengths) say nothing to someone who downloaded the
// file.
func unwrapSigned(data []byte) ([]byte, *signing.Signed, error) {
	if !signing.IsSigned(data) {
		return data, nil, nil
	}
	s, err := signing.Parse(data)
	if err == nil {
		return s.Content, s, nil
	}
	if want, ok := outerLength(data); ok && want > len(data) {
		return nil, nil, fmt.Errorf("the signed profile is cut short: its signature structure declares %d bytes, the file has %d; download or export it again", want, len(data))
	}
	if strings.Contains(err.Error(), "truncated or corrupt") {
		return nil, nil, errors.New("the signed profile is cut short or damaged: its signature structure does not decode; download or export it again")
	}
	return nil, nil, err
}

// outerLength returns the length the outermost DER element of data
// declares, tag and length bytes included, when it has a definite one.
func outerLength(data []byte) (int, bool) {
	if len(data) < 2 {
		return 0, false
	}
	l := int(data[1])
	if l < 0x80 {
		return 2 + l, true
	}
	n := l & 0x7f
	if n == 0 || n > 4 || len(data) < 2+n {
		return 0, false // indefinite (BER) or implausible
	}
	l = 0
	for _, b := range data[2 : 2+n] {
		l = l<<8 | int(b)
	}
	return 2 + n + l, true
}

func countFiles(n int) string {
	if n == 1 {
		return "1 file"
	}
	return fmt.Sprintf("%d files", n)
}
