package cli

import (
	"bytes"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestCompletionCoversEveryFlag keeps completion complete: every flag that
// takes a value says what the value is (completeValues, completeFiles or
// completeDirs next to its registration), so a new flag cannot fall back
// to offering whatever files are in the folder without anyone deciding so.
func TestCompletionCoversEveryFlag(t *testing.T) {
	root := newRootCmd(&IO{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}})
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.NoOptDefVal != "" || f.Name == "help" || f.Name == "version" {
				return // a switch: nothing to complete
			}
			_, files := f.Annotations[cobra.BashCompFilenameExt]
			_, dirs := f.Annotations[cobra.BashCompSubdirsInDir]
			_, values := c.GetFlagCompletionFunc(f.Name)
			if !files && !dirs && !values {
				t.Errorf("%s --%s has no completion; add completeValues, completeFiles or completeDirs where it is registered", c.CommandPath(), f.Name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
