// Command mdmforge compiles YAML policies into Apple configuration profiles
// and Outlook app configurations. See the README and `mdmforge --help`.
package main

import (
	"os"

	"github.com/mdmforge/mdmforge/internal/cli"
)

func main() { os.Exit(cli.Main()) }
