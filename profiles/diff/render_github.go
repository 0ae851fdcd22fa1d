package diff

import (
	"fmt"
	"io"
	"strings"
)

func (r *Report) writeGitHub(w io.Writer) {
	for _, f := range r.Files {
		for _, g := range f.groups() {
			for _, q := range g.consequences {
				where := f.Path
				if t := g.title(); t != "" && !namesPayload(q) {
					where += ": " + t
				}
				fmt.Fprintln(w, annotation("warning", f.Source, 0, 0, "mdmforge diff", where+": "+q.Message))
			}
		}
	}
	fmt.Fprintln(w, annotation("notice", "", 0, 0, "mdmforge diff", r.Summary()))
}

// annotation is a GitHub Actions workflow command that shows msg on file
// in a pull request, escaped as the runner requires.
func annotation(level, file string, line, col int, title, msg string) string {
	prop := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	data := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	var b strings.Builder
	b.WriteString("::" + level + " ")
	var props []string
	if file != "" {
		props = append(props, "file="+prop.Replace(file))
	}
	if line > 0 {
		props = append(props, fmt.Sprintf("line=%d", line))
	}
	if col > 0 {
		props = append(props, fmt.Sprintf("col=%d", col))
	}
	if title != "" {
		props = append(props, "title="+prop.Replace(title))
	}
	b.WriteString(strings.Join(props, ","))
	b.WriteString("::")
	b.WriteString(data.Replace(msg))
	return b.String()
}
