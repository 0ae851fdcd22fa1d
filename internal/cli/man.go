package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/mdmforge/mdmforge/internal/outdir"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

type manOptions struct {
	IO  *IO
	Dir string
}

// newManCmd writes man pages from the command tree, so they never drift
// from --help. It is hidden: packagers run it (make man), users read man.
func newManCmd(streams *IO) *cobra.Command {
	opts := &manOptions{IO: streams}
	return &cobra.Command{
		Use:    "man DIR",
		Short:  "Write man pages for every command into DIR",
		Hidden: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError(cmd, "man takes the folder to write the pages into")
			}
			opts.Dir = args[0]
			return manRun(opts, cmd.Root())
		},
	}
}

func manRun(opts *manOptions, root *cobra.Command) error {
	var files []outdir.File
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || (!c.IsAvailableCommand() && c != root && c.Name() != "exit-codes") {
			return
		}
		name := strings.ReplaceAll(c.CommandPath(), " ", "-")
		files = append(files, outdir.File{Path: filepath.Join(opts.Dir, name+".1"), Data: []byte(manPage(c))})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if _, err := outdir.WriteFiles(files); err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintln(opts.IO.Out, f.Path)
	}
	return nil
}

// manPage renders one command as a section-1 roff page. It holds no date,
// so the pages are as reproducible as everything else mdmforge writes.
func manPage(c *cobra.Command) string {
	name := strings.ReplaceAll(c.CommandPath(), " ", "-")
	var b strings.Builder
	fmt.Fprintf(&b, ".TH %s 1 \"\" \"mdmforge %s\" \"mdmforge manual\"\n", strings.ToUpper(name), roff(Version))
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", roff(name), roff(c.Short))
	if c.Runnable() {
		fmt.Fprintf(&b, ".SH SYNOPSIS\n.B %s\n", roff(c.UseLine()))
	}
	desc := c.Long
	if desc == "" {
		desc = c.Short
	}
	fmt.Fprintf(&b, ".SH DESCRIPTION\n%s\n", paragraphs(desc))
	if c.HasAvailableLocalFlags() {
		b.WriteString(".SH OPTIONS\n")
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden {
				return
			}
			varname, usage := pflag.UnquoteUsage(f)
			b.WriteString(".TP\n")
			if f.Shorthand != "" {
				fmt.Fprintf(&b, "\\fB\\-%s\\fR, ", f.Shorthand)
			}
			fmt.Fprintf(&b, "\\fB\\-\\-%s\\fR", roff(f.Name))
			if varname != "" {
				fmt.Fprintf(&b, " \\fI%s\\fR", roff(varname))
			}
			fmt.Fprintf(&b, "\n%s\n", roff(usage))
		})
	}
	if c.Example != "" {
		fmt.Fprintf(&b, ".SH EXAMPLES\n.nf\n%s\n.fi\n", roff(c.Example))
	}
	fmt.Fprintf(&b, ".SH EXIT STATUS\n.nf\n%s\n.fi\n", roff(exitCodesHelp))
	var see []string
	if c.HasParent() {
		see = append(see, strings.ReplaceAll(c.Parent().CommandPath(), " ", "-")+"(1)")
	}
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			see = append(see, strings.ReplaceAll(sub.CommandPath(), " ", "-")+"(1)")
		}
	}
	if len(see) > 0 {
		fmt.Fprintf(&b, ".SH SEE ALSO\n%s\n", strings.Join(see, ", "))
	}
	return b.String()
}

// roff escapes text for roff: backslashes, and a leading dot or quote,
// which roff would read as a request.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}

// paragraphs keeps blank-line paragraphs and indented blocks of help text.
func paragraphs(s string) string {
	var out []string
	for _, p := range strings.Split(strings.TrimSpace(s), "\n\n") {
		if strings.HasPrefix(p, "  ") {
			out = append(out, ".PP\n.nf\n"+roff(p)+"\n.fi")
		} else {
			out = append(out, ".PP\n"+roff(p))
		}
	}
	return strings.Join(out, "\n")
}
