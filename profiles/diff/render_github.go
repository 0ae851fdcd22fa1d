package diff

import (
	"fmt"
	"io"

	"github.com/mdmforge/mdmforge/internal/annotation"
)

func (r *Report) writeGitHub(w io.Writer) {
	for _, f := range r.Files {
		for _, g := range f.groups() {
			for _, q := range g.consequences {
				where := f.Path
				if t := g.title(); t != "" && !namesPayload(q) {
					where += ": " + t
				}
				fmt.Fprintln(w, annotation.GitHub("warning", f.Source, 0, 0, "mdmforge diff", where+": "+q.Message))
			}
		}
	}
	fmt.Fprintln(w, annotation.GitHub("notice", "", 0, 0, "mdmforge diff", r.Summary()))
}
