package cli

import (
	"fmt"

	"github.com/mdmforge/mdmforge/internal/annotation"
	"github.com/mdmforge/mdmforge/internal/outdir"
	"github.com/mdmforge/mdmforge/internal/termsafe"
)

// checkOutputs fails listing the stale, missing and extra files in --out,
// the same way in every format: one line each, with its reason.
func checkOutputs(opts *buildOptions, files []outdir.File) error {
	m := outdir.Compare(opts.Out, files)
	stale, missing, extra, why := m.Stale, m.Missing, m.Extra, m.Why
	if len(stale)+len(missing)+len(extra) == 0 {
		fmt.Fprintf(opts.IO.Err, "mdmforge: %s is up to date (%d files)\n", opts.Out, len(files))
		return nil
	}
	w := opts.IO.Out
	for _, group := range []struct {
		what  string
		paths []string
	}{{"stale", stale}, {"missing", missing}, {"extra", extra}} {
		for _, p := range group.paths {
			reason := ""
			if why[p] != "" {
				reason = " (" + why[p] + ")"
			}
			switch opts.Format.value {
			case formatGitHub:
				fmt.Fprintln(w, annotation.GitHub("error", p, 0, 0, "mdmforge build --check", group.what+termsafe.String(reason)+": rebuild with mdmforge build and commit the result"))
			default:
				fmt.Fprintf(w, "%s: %s%s\n", group.what, p, termsafe.String(reason))
			}
		}
	}
	hints := []string{"run the same mdmforge build without --check and commit the result"}
	if len(extra) > 0 {
		hints = append(hints, "a build removes only the files an earlier build listed in "+outdir.ManifestName+"; remove other extra files yourself")
	}
	return &exitError{code: ExitFailure, err: fmt.Errorf("%s does not match its policies: %d stale, %d missing, %d extra", opts.Out, len(stale), len(missing), len(extra)), hints: hints}
}
