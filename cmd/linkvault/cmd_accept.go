package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkvault/linkvault"
)

func newAcceptCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "accept URL...",
		Short: "Take the current text of a changed page as the cited one",
		Long: `Take the current main text of each changed URL as what the notes cite:
the URL is alive again, and later checks compare with this text. Use it when
the page was rewritten but still says what the note needs; when it does not,
update the note instead (the reports keep offering the copy as cited).

A URL that is not changed is an error (exit status 2); an unknown URL exits
with status 1. The other URLs are still accepted.`,
		Example: `  linkvault accept https://blog.example.com/posts/etcd-tuning
  linkvault report --format json | jq -r '.links[] | select(.state=="changed") | .url' | xargs linkvault accept`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAccept(cmd.Context(), g, args)
		},
	}
}

func runAccept(ctx context.Context, g *globalOptions, args []string) (err error) {
	db, finish, err := openWriteDB(ctx, g, "accept")
	if err != nil {
		return err
	}
	defer func() { err = finish(err) }()
	var errs []error
	for _, raw := range args {
		u := canonicalOr(raw)
		rec, err := db.Accept(u, time.Now())
		if err != nil {
			fmt.Fprintf(g.stderr, "linkvault: %v\n", err)
			errs = append(errs, err)
			continue
		}
		if !g.Quiet {
			fmt.Fprintf(g.stderr, "linkvault: %s is %s again; its current text is now the cited one\n", rec.URL, rec.State)
		}
	}
	return acceptError(errs)
}

// acceptError is the exit of accept: usage (2) when a URL could not be
// accepted, 1 when the only failures are unknown URLs, 0 otherwise. The
// errors were printed already.
func acceptError(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	code := exitFindings
	for _, err := range errs {
		if linkvault.ErrorCode(err) != linkvault.ENotFound {
			code = exitUsage
		}
	}
	return &exitError{code: code}
}
