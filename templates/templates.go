// Package templates holds the starter policies mdmforge init writes.
package templates

import (
	"embed"
	"io/fs"
	"sort"
)

//go:embed *.yaml
var files embed.FS

// Default is the name of the starter for the headline scenario.
const Default = "contacts-only-eas.yaml"

// Names lists the starter policies, sorted.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// Read returns a starter policy by file name.
func Read(name string) ([]byte, error) { return files.ReadFile(name) }
