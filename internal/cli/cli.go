// Package cli is the mdmforge command tree. Commands return errors; Run is
// the one place that prints them and turns them into exit codes.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mdmforge/mdmforge/internal/outdir"
	"github.com/mdmforge/mdmforge/internal/termsafe"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// Exit codes, documented in the README and `mdmforge help exit-codes`.
const (
	ExitOK      = 0 // success
	ExitFailure = 1 // the input is invalid or a check failed; findings are on stderr
	ExitUsage   = 2 // the command line is wrong
)

// IO is the streams a command uses; tests replace them.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// ReadPassword asks for a secret without echoing it, or is nil when no
	// terminal is attached and nobody can answer.
	ReadPassword func(prompt string) (string, error)
	// ErrTerminal reports whether Err is a terminal, for progress bars.
	ErrTerminal bool
	// Getenv reads an environment variable; nil reads the process's.
	// Tests that run commands in-process set it instead of os.Setenv.
	Getenv func(string) string
}

// getenv is streams.Getenv or the process environment.
func (streams *IO) getenv(name string) string {
	if streams.Getenv != nil {
		return streams.Getenv(name)
	}
	return os.Getenv(name)
}

// Main runs mdmforge on the process's arguments and streams.
func Main() int {
	streams := &IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, ErrTerminal: term.IsTerminal(int(os.Stderr.Fd()))}
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		streams.ReadPassword = func(prompt string) (string, error) {
			fmt.Fprint(os.Stderr, prompt)
			b, err := term.ReadPassword(fd)
			fmt.Fprintln(os.Stderr)
			return string(b), err
		}
	}
	return Run(os.Args[1:], streams)
}

// Run executes one command line and returns its exit code.
func Run(args []string, streams *IO) int {
	root := newRootCmd(streams)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var e *exitError
	var hinted *outdir.Error
	switch {
	case errors.As(err, &e):
	case errors.As(err, &hinted):
		e = &exitError{code: ExitFailure, err: hinted.Err, hints: hinted.Hints}
	default:
		e = &exitError{code: ExitFailure, err: err}
		// Cobra's own errors are about the command line.
		if strings.HasPrefix(err.Error(), "unknown command") || strings.HasPrefix(err.Error(), "unknown flag") {
			e = &exitError{code: ExitUsage, err: err, hints: []string{"run 'mdmforge --help' for the commands"}}
		}
	}
	// Errors quote names from files (certificate subjects in x509's
	// messages, keys, paths): escape them for the terminal.
	if e.err != nil {
		fmt.Fprintf(streams.Err, "mdmforge: error: %s\n", termsafe.String(e.err.Error()))
	}
	for _, h := range e.hints {
		fmt.Fprintf(streams.Err, "mdmforge: hint: %s\n", termsafe.String(h))
	}
	return e.code
}

// exitError carries an exit code and hints up to Run. A nil err prints
// nothing, for commands that already reported their findings.
type exitError struct {
	code  int
	err   error
	hints []string
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageError(cmd *cobra.Command, format string, args ...any) error {
	return &exitError{
		code:  ExitUsage,
		err:   fmt.Errorf(format, args...),
		hints: []string{fmt.Sprintf("run '%s --help' for usage", cmd.CommandPath())},
	}
}

func withHint(err error, hints ...string) error {
	return &exitError{code: ExitFailure, err: err, hints: hints}
}

func newRootCmd(streams *IO) *cobra.Command {
	root := &cobra.Command{
		Use:   "mdmforge",
		Short: "Compile YAML policies into Apple configuration profiles and Outlook app configurations",
		Long: `mdmforge compiles reviewed YAML policy files into the files an MDM deploys:
Apple configuration profiles (.mobileconfig) and the matching Microsoft Outlook
app configuration for Intune and other MDMs. The same policy always compiles
into the same bytes, with UUIDs derived from identifiers, so a rebuilt profile
updates devices in place.`,
		Example: `  $ mdmforge init policies
  $ mdmforge validate policies
  $ mdmforge build policies --out out`,
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError(cmd, "%v", err)
	})
	root.AddCommand(
		newExitCodesTopic(),
		newManCmd(streams),
		newBuildCmd(streams, nil),
		newValidateCmd(streams, nil),
		newInitCmd(streams, nil),
		newSignCmd(streams, nil),
		newVerifyCmd(streams, nil),
		newInspectCmd(streams, nil),
		newLintCmd(streams, nil),
		newImportCmd(streams, nil),
		newExplainCmd(streams, nil),
		newSchemaCmd(streams, nil),
		newDiffCmd(streams, nil),
		newPlanCmd(streams, nil),
		newApplyCmd(streams, nil),
		newVersionCmd(streams),
	)
	setupCompletion(root)
	return root
}

// atLeastOneArg is cobra.MinimumNArgs(1) with our usage error.
func atLeastOneArg(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageError(cmd, "missing %s", what)
		}
		return nil
	}
}
