package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version is mdmforge's version. A release may set it with
// -ldflags "-X github.com/mdmforge/mdmforge/internal/cli.Version=v1.2.3";
// otherwise it comes from the build info at start-up (see buildVersion).
var Version = ""

func init() {
	if Version == "" {
		bi, ok := debug.ReadBuildInfo()
		Version = buildVersion(bi, ok)
	}
}

// buildVersion is the module version "go install …@v1.2.3" records (or
// the pseudo-version go build derives from a tagged checkout), and
// otherwise "dev", followed by the VCS revision when the build recorded one.
func buildVersion(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified {
		return "dev (" + rev + ", modified)"
	}
	return "dev (" + rev + ")"
}

func newVersionCmd(streams *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print mdmforge's version, the Go version that built it and the platform",
		Long: `Version prints mdmforge's version: the release for binaries installed with
"go install github.com/mdmforge/mdmforge/cmd/mdmforge@VERSION", and "dev"
with the commit for builds from a clone. The second line names the Go
version that built it and the platform it runs on; include both in bug
reports.`,
		Example: `  $ mdmforge version`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 0 {
				return usageError(cmd, "version takes no arguments, got %d", len(args))
			}
			fmt.Fprintf(streams.Out, "mdmforge version %s\n", Version)
			fmt.Fprintf(streams.Out, "built with %s for %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
