package cli

import (
	"strings"

	"github.com/mdmforge/mdmforge/profiles"
	"github.com/spf13/pflag"
)

// printFindings reports every finding in format and returns the error that
// ends the command when any of them is an error. With format json and
// errors, the findings document is written here, as the command ends.
func printFindings(streams *IO, format string, ds profiles.Diagnostics) error {
	report(streams, format, ds)
	err := ds.Err()
	if err == nil {
		return nil
	}
	if format == formatJSON {
		writeJSON(streams.Out, map[string]any{"findings": jsonFindings(ds)})
	}
	return &exitError{code: ExitFailure, err: err}
}

// targetFlag is --target, shared by the commands that resolve variables.
type targetFlag struct{ value string }

func (f *targetFlag) register(fs *pflag.FlagSet) {
	targets := profiles.Targets()
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = string(t)
	}
	fs.StringVar(&f.value, "target", "", "`MDM` whose variable syntax to write: "+strings.Join(names, ", ")+" (default: the policy's target:, else generic)")
	completeValues(fs, "target", names...)
}

func (f *targetFlag) parse() (profiles.Target, error) {
	if f.value == "" {
		return "", nil
	}
	return profiles.ParseTarget(f.value)
}

// loadPolicies reads, validates and checks policies for the target they
// will be built for, reports every finding in format, and fails if any is
// an error.
func loadPolicies(streams *IO, paths []string, target profiles.Target, format string) ([]*profiles.Policy, profiles.Diagnostics, error) {
	return checkPolicies(streams, paths, target, format, false, false)
}
