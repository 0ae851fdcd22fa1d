// Package annotation writes GitHub Actions workflow commands, the
// "::error file=…,line=…::message" lines that show findings on the lines
// of a pull request. Both the CLI's findings and the diff package's
// github format use it, so the runner's escaping is written once.
package annotation

import (
	"fmt"
	"strings"

	"github.com/mdmforge/mdmforge/internal/termsafe"
)

var (
	prop = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	data = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
)

// GitHub returns the workflow command that shows msg at level (error,
// warning or notice) on file's line and column in a pull request; an empty
// file or a zero line or column is left out.
func GitHub(level, file string, line, col int, title, msg string) string {
	// Runner logs render terminal escapes, and pull requests bidi text.
	file, msg = termsafe.String(file), termsafe.Multiline(msg)
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
