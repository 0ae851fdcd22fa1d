package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/mdmforge/mdmforge/internal/outdir"
	"github.com/mdmforge/mdmforge/internal/userfile"
	"github.com/mdmforge/mdmforge/templates"
	"github.com/spf13/cobra"
)

type initOptions struct {
	IO    *IO
	Dir   string
	Force bool
}

func newInitCmd(streams *IO, runF func(*initOptions) error) *cobra.Command {
	opts := &initOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a commented starter policy",
		Long: `Init writes a commented starter policy for Microsoft's "contact sync with
Outlook for iOS on enrolled devices" scenario into DIR (default: the current
folder): a contacts-only Exchange account with OAuth and locked data types,
restrictions that keep managed contacts in managed apps, and an Outlook
configuration that turns Save Contacts off. It never overwrites a file unless
--force is given.`,
		Example: `  $ mdmforge init policies
  $ mdmforge validate policies`,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch len(args) {
			case 0:
				opts.Dir = "."
			case 1:
				opts.Dir = args[0]
			default:
				return usageError(cmd, "init takes at most one folder, got %d arguments", len(args))
			}
			if runF != nil {
				return runF(opts)
			}
			return initRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite an existing policy file")
	return cmd
}

func initRun(opts *initOptions) error {
	data, err := templates.Read(templates.Default)
	if err != nil {
		return err
	}
	path := filepath.Join(opts.Dir, templates.Default)
	if _, err := os.Lstat(path); err == nil && !opts.Force {
		return withHint(fmt.Errorf("%s already exists", path), "use --force to overwrite it")
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot use %s: %v", path, userfile.Cause(err))
	}
	if _, err := outdir.WriteFiles([]outdir.File{{Path: path, Data: data}}); err != nil {
		return err
	}
	fmt.Fprintln(opts.IO.Out, path)
	fmt.Fprintf(opts.IO.Err, "mdmforge: wrote a starter policy; edit it, then run: mdmforge build %s --out out\n", path)
	return nil
}
