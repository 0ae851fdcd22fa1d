package cli

import (
	"fmt"
	"io"

	"github.com/mdmforge/mdmforge/profiles"
)

// printFindings writes every finding to w and returns the error that ends
// the command when any of them is an error.
func printFindings(w io.Writer, ds profiles.Diagnostics) error {
	for _, d := range ds {
		fmt.Fprintln(w, d.String())
	}
	if err := ds.Err(); err != nil {
		return &exitError{code: ExitFailure, err: err}
	}
	return nil
}
