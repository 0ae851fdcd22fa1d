package cli

import (
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/spf13/cobra"
)

type schemaOptions struct {
	IO *IO
}

func newSchemaCmd(streams *IO, runF func(*schemaOptions) error) *cobra.Command {
	opts := &schemaOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Print a JSON Schema of the policy format, for editors",
		Long: `Schema prints a JSON Schema (draft 2020-12) of the policy format, so that
editors complete and check policy files as you type: VS Code with Red Hat's
YAML extension, JetBrains IDEs, and any editor using yaml-language-server.

It knows every setting of the format, and under payloads every Apple payload
type and the keys Apple's schema gives it, with their types, allowed values,
ranges and defaults. It cannot see everything validate checks (rules across
settings or files, variables, !uuid references), so validate still decides.

Save it beside your policies and point the editor at it, either with a
first line in each policy (the path is relative to the policy):

  # yaml-language-server: $schema=./mdmforge.schema.json

or once in VS Code's .vscode/settings.json, with the tag !uuid references
use:

  "yaml.schemas": {"./policies/mdmforge.schema.json": "policies/*.yaml"},
  "yaml.customTags": ["!uuid scalar"]

Regenerate the file after upgrading mdmforge.`,
		Example: `  $ mdmforge schema > policies/mdmforge.schema.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError(cmd, "schema takes no arguments, got %d", len(args))
			}
			if runF != nil {
				return runF(opts)
			}
			return schemaRun(opts)
		},
	}
	return cmd
}

func schemaRun(opts *schemaOptions) error {
	data, err := profiles.JSONSchema()
	if err != nil {
		return err
	}
	_, err = opts.IO.Out.Write(data)
	return err
}
