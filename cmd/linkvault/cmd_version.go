package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

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

// moduleVersion returns the module version the binary was built from by
// `go install …@VERSION`, else dev (a build from a checkout says
// "(devel)").
func moduleVersion(dev string, read func() (*debug.BuildInfo, bool)) string {
	bi, ok := read()
	if !ok || bi.Main.Version == "" || bi.Main.Version == "(devel)" {
		return dev
	}
	return bi.Main.Version
}
