package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

// versionLine is what `linkvault version` and `linkvault --version` print.
func versionLine() string {
	return fmt.Sprintf("linkvault %s %s/%s %s", version, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

func newVersionCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of linkvault (also --version, -v)",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(g.stdout, versionLine())
			return err
		},
	}
}
