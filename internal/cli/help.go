package cli

import "github.com/spf13/cobra"

// exitCodesHelp is `mdmforge help exit-codes` and the EXIT STATUS section of
// every man page.
const exitCodesHelp = `mdmforge exits with:

  0  success; warnings may have been printed (with --strict, validate and
     build count them as errors and exit 1)
  1  the input is invalid or a check failed: a policy has errors, a
     signature does not verify, a signing identity is refused, build --check
     found stale, missing or extra files, a roster has bad rows, or a file
     could not be read or written. The findings are on stderr (or stdout
     with --format github or json).
  2  the command line is wrong: an unknown flag, a missing argument.

mdmforge diff follows diff(1): 0 when the inputs are the same, 1 when they
differ, 2 on any error (an unreadable or invalid input included).
mdmforge plan does the same: 0 when the Intune tenant is as the policies
say, 1 when apply would change something, 2 on any error (an invalid
policy, signing in, a Graph error). mdmforge apply exits 0 when the tenant
is as the policies say, whether it wrote or not, and 2 on any error.

A failed command writes nothing and leaves existing outputs as they were,
except apply, which may have made some of its writes to the tenant before
the error: running it again finishes the work without duplicating any.`

func newExitCodesTopic() *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "What mdmforge's exit statuses mean",
		Long:  exitCodesHelp,
	}
}
