package cli

import (
	"slices"
	"strings"

	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/schema"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Shell completion. Flags say what their values are where they are
// registered (completeValues, completeFiles, completeDirs), on the flag set
// alone, since the helper types that register shared flags never see the
// command; setupCompletion then turns that into cobra's completion
// functions once the tree is built, and completes each command's arguments.

// completionValues is the flag annotation holding a flag's fixed values.
const completionValues = "mdmforge_completion_values"

// completeValues makes the shell offer values, and nothing else, for flag
// name of fs.
func completeValues(fs *pflag.FlagSet, name string, values ...string) {
	_ = fs.SetAnnotation(name, completionValues, values)
}

// completeFiles makes the shell offer files ending in one of exts (no dot),
// and folders to find them in, for flag name of fs; no exts offers every
// file.
func completeFiles(fs *pflag.FlagSet, name string, exts ...string) {
	_ = cobra.MarkFlagFilename(fs, name, exts...)
}

// completeDirs makes the shell offer folders for flag name of fs.
func completeDirs(fs *pflag.FlagSet, name string) {
	_ = cobra.MarkFlagDirname(fs, name)
}

// completionArgs is what each command's arguments are, by command name:
// policies and folders of them, profiles, or folders. Commands not listed
// take files of any kind (diff) or nothing.
var completionArgs = map[string]cobra.CompletionFunc{
	"build":    completeExts("yaml", "yml"),
	"validate": completeExts("yaml", "yml"),
	"sign":     completeExts("mobileconfig"),
	"verify":   completeExts("mobileconfig"),
	"inspect":  completeExts("mobileconfig"),
	"lint":     completeExts("mobileconfig"),
	"import":   completeExts("mobileconfig"),
	"init":     completeOneDir,
	"man":      completeOneDir,
	"explain":  completeExplain,
	"schema":   cobra.NoFileCompletions,
}

func completeExts(exts ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return exts, cobra.ShellCompDirectiveFilterFileExt
	}
}

func completeOneDir(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveFilterDirs
}

// completeExplain offers mdmforge's policy settings, payload types from
// Apple's schema and, after TYPE. or TYPE.KEY., the keys there, without a space after them so that
// a key can follow.
func completeExplain(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	const directive = cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, t := range schema.Types() {
		if strings.HasPrefix(t, toComplete) {
			out = append(out, t)
		}
	}
	// mdmforge's own settings, by their paths as the policy writes them.
	for _, s := range profiles.PolicySettings() {
		if path := strings.ReplaceAll(s.Path, "[]", ""); strings.HasPrefix(path, toComplete) {
			out = append(out, path)
		}
	}
	if i := strings.LastIndex(toComplete, "."); i > 0 {
		head, tail := toComplete[:i], toComplete[i+1:]
		if keys, err := schema.KeysUnder(head); err == nil {
			for _, k := range keys {
				if !k.IsWildcard() && strings.HasPrefix(k.Name, tail) {
					out = append(out, head+"."+k.Name)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), directive
}

// setupCompletion registers the completions the flags asked for and the
// arguments' completions, and explains the completion command; root's
// commands must all be added.
func setupCompletion(root *cobra.Command) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if values, ok := f.Annotations[completionValues]; ok {
				_ = c.RegisterFlagCompletionFunc(f.Name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
			}
		})
		if fn, ok := completionArgs[c.Name()]; ok && c.Parent() == root && c.ValidArgsFunction == nil {
			c.ValidArgsFunction = fn
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Long = completionHelp
			for _, sub := range c.Commands() {
				if sub.Name() == "bash" {
					sub.Long = bashCompletionHelp
				}
			}
		}
	}
}

const completionHelp = `Completion writes a script that teaches your shell mdmforge's commands,
flags and their values (--target, --format, --platform...), the files each
flag and argument takes (policies, profiles, .p12 identities, rosters,
folders), and payload types and keys for explain.

Bash needs the bash-completion package, version 2 (bash 4.1 or newer): it
is bash-completion on Debian, Ubuntu and Fedora, and bash-completion@2 in
Homebrew (macOS ships bash 3.2; install a newer bash too). Check with
'type _init_completion'. Zsh, fish and PowerShell need nothing more.

Load it once, in the current shell:

  bash:        source <(mdmforge completion bash)
  zsh:         source <(mdmforge completion zsh)
  fish:        mdmforge completion fish | source
  PowerShell:  mdmforge completion powershell | Out-String | Invoke-Expression

or for every new shell:

  bash:        mdmforge completion bash > ~/.local/share/bash-completion/completions/mdmforge
               (Homebrew: > $(brew --prefix)/etc/bash_completion.d/mdmforge)
  zsh:         mdmforge completion zsh > "${fpath[1]}/_mdmforge"
               (with 'autoload -U compinit; compinit' in ~/.zshrc)
  fish:        mdmforge completion fish > ~/.config/fish/completions/mdmforge.fish
  PowerShell:  add 'mdmforge completion powershell | Out-String | Invoke-Expression'
               to $PROFILE

Each shell's subcommand has the details: mdmforge completion zsh --help.`

const bashCompletionHelp = `The bash completion script. It needs the bash-completion
package, version 2 (bash 4.1 or newer), loaded by your ~/.bashrc or the
system's: check with 'type _init_completion'; without it every Tab says
"_get_comp_words_by_ref: command not found". On Debian and Ubuntu:
'apt-get install bash-completion', then open a new login shell.

Load it in the current shell:

  source <(mdmforge completion bash)

or for every new shell, for you alone:

  mdmforge completion bash > ~/.local/share/bash-completion/completions/mdmforge

(Homebrew: > $(brew --prefix)/etc/bash_completion.d/mdmforge.)`
