package diff

import (
	"fmt"
	"io"

	"github.com/mdmforge/mdmforge/internal/termsafe"
)

func (r *Report) writeText(w io.Writer) {
	for _, f := range r.Files {
		if f.Carries != "" {
			fmt.Fprintf(w, "%s %s: repeats the %s change above\n", markers[f.Status], f.Path, f.Carries)
			continue
		}
		fmt.Fprintf(w, "%s %s\n", markers[f.Status], f.Path)
		for _, g := range f.groups() {
			indent := "  "
			if t := g.title(); t != "" {
				fmt.Fprintf(w, "  %s %s\n", g.marker, t)
				indent = "      "
			}
			for _, c := range g.changes {
				fmt.Fprintf(w, "%s%s %s\n", indent, markerOf(c), termsafe.String(changeLine(c)))
			}
			for _, q := range g.consequences {
				fmt.Fprintf(w, "%s! %s\n", indent, q.Message)
			}
		}
	}
	if r.Different() {
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, r.Summary())
}
