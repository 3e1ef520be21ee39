package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/crawler"
	"github.com/linkvault/linkvault/crawler/extract"
	"github.com/linkvault/linkvault/report"
)

// GetOptions are the flags of `linkvault get`.
type GetOptions struct {
	At     string
	Output string
	Force  bool
	List   bool
	Source bool
}

func newGetCommand(g *globalOptions) *cobra.Command {
	var opts GetOptions
	cmd := &cobra.Command{
		Use:   "get URL",
		Short: "Write the archived copy of a URL, byte for byte",
		Long: `Write the archived body of URL: the capture closest to --at, exactly the
bytes the server sent, to stdout or to the file -o names.

Without --at it is the copy the reports offer: the latest capture, except
for a link gone bad after a capture (a soft 404 answers 200, so its "deleted"
page is captured too), whose copy is the latest taken while it was ok, and for
a changed page, whose copy is the latest that still matches what was cited.

-o never overwrites a file without --force. --list shows every capture
instead (time, HTTP status, type, size, digest, and which one is offered).

TIME is the one syntax of every linkvault command and of serve's /web/TIME/URL
(UTC unless a zone is given): a Wayback timestamp or a prefix of it (2026,
202603, 20260301, … 20260301120000, as --list prints them), an ISO date or
time of the same precisions (2026-03, 2026-03-01, 2026-03-01T12:00), or
RFC 3339 as in the JSON report (2026-03-01T12:00:00.123Z). It names a whole
period: the closest capture is the latest within it or before it, else the
first one after it (said on stderr).

--source writes the source archived for a repository link (GitHub, GitLab.com,
Codeberg) instead: the tarball (.tar.gz) of the latest commit stored, byte
for byte as the forge sent it (see archive.repo_max_size); a link to a tree
or file in a repository that has none of its own gets the repository's.

A URL that is not in the archive exits with status 1.`,
		Example: `  linkvault get https://files.alicdn.com/tpsservice/cd9626b87ca646a05f05eb1d1c962126.pdf -o talk.pdf
  linkvault get --list https://github.com/tkestack/kstone
  linkvault get --at 2026-03-01 https://mp.weixin.qq.com/s/U6-wcBsBC-Khffb7kTBtjA > article.html
  linkvault get --source https://github.com/tkestack/kstone -o kstone.tar.gz`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGet(cmd.Context(), g, opts, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.At, "at", "", "the capture closest to TIME (2026, 2026-03, 20260301120000, RFC 3339)")
	f.StringVarP(&opts.Output, "output", "o", "", "write to FILE instead of stdout")
	f.BoolVar(&opts.Force, "force", false, "overwrite the -o file if it exists")
	f.BoolVar(&opts.List, "list", false, "list every capture of URL")
	f.BoolVar(&opts.Source, "source", false, "write the archived source tarball of a repository link")
	return cmd
}

func runGet(ctx context.Context, g *globalOptions, opts GetOptions, rawURL string) error {
	var at linkvault.Moment
	if opts.At != "" {
		var err error
		if at, err = linkvault.ParseMoment(opts.At); err != nil {
			return linkvault.Errorf(linkvault.EInvalid, "--at: %w", err)
		}
	}
	if opts.Output != "" && !opts.Force && fileExists(opts.Output) {
		return linkvault.Errorf(linkvault.EInvalid, "%s exists (use --force to overwrite)", opts.Output)
	}
	if opts.Source && (opts.At != "" || opts.List) {
		return linkvault.Errorf(linkvault.EInvalid, "--source gives the latest source: it takes neither --at nor --list")
	}
	cfg, db, err := openConfigDB(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	u := canonicalOr(rawURL)
	if opts.Source {
		return getSource(g, cfg, db, opts, u)
	}
	if opts.List {
		caps, err := db.Captures(u)
		if err != nil {
			return err
		}
		if len(caps) == 0 {
			return linkvault.Errorf(linkvault.ENotFound, "%s: no archived copy", u)
		}
		rec, err := db.URL(u)
		if err != nil && linkvault.ErrorCode(err) != linkvault.ENotFound {
			return err
		}
		return listCaptures(g, caps, rec, cfg.policy().DriftDistance)
	}
	var c linkvault.Capture
	if opts.At == "" {
		c, err = offeredCapture(g, cfg, db, u)
	} else {
		c, err = db.CaptureNear(u, at)
		if err == nil && !c.Time.Before(at.End) && !g.Quiet {
			fmt.Fprintf(g.stderr, "linkvault: %s has no capture within or before %s; writing the first one after it, %s\n",
				u, at, c.Time.UTC().Format(listTime))
		}
	}
	if err != nil {
		return err
	}
	return writeCapture(g, cfg, opts, c)
}

// writeCapture writes the payload of c, read through the WARC store, to
// --output or stdout.
func writeCapture(g *globalOptions, cfg *Config, opts GetOptions, c linkvault.Capture) error {
	return writePayload(g, cfg, opts.Output, c, fmt.Sprintf("%s, captured %s", report.Bytes(c.Size), c.Time.UTC().Format(time.RFC3339)))
}

// writePayload writes the payload of c, read through the WARC store (the
// outbox, else one range request to the object store), to output or, when
// output is "", to stdout; about says what was written.
func writePayload(g *globalOptions, cfg *Config, output string, c linkvault.Capture, about string) error {
	ctx := context.Background()
	store, err := cfg.openStore(ctx)
	if err != nil {
		return err
	}
	body, _, err := store.OpenPayload(ctx, c)
	if err != nil {
		return err
	}
	defer body.Close()
	if output == "" {
		_, err := io.Copy(g.stdout, body)
		return err
	}
	if err := writeOutput(output, func(w io.Writer) error { _, err := io.Copy(w, body); return err }); err != nil {
		return err
	}
	if !g.Quiet {
		fmt.Fprintf(g.stderr, "linkvault: wrote %s (%s)\n", output, about)
	}
	return nil
}

// offeredCapture returns the capture the reports offer for u, saying on
// stderr when it is not the latest.
func offeredCapture(g *globalOptions, cfg *Config, db *archive.DB, u string) (linkvault.Capture, error) {
	latest, err := db.CaptureAt(u, time.Time{})
	if err != nil {
		return latest, err
	}
	rec, err := db.URL(u)
	if linkvault.ErrorCode(err) == linkvault.ENotFound {
		return latest, nil
	} else if err != nil {
		return latest, err
	}
	caps, err := db.Captures(u)
	if err != nil {
		return latest, err
	}
	c, ok := rec.Offered(caps, cfg.policy().DriftDistance)
	if !ok {
		return latest, linkvault.Errorf(linkvault.ENotFound, "%s: no archived copy from before it went bad (%s); the captures after it: linkvault get --list", u, rec.State)
	}
	if !c.Time.Equal(latest.Time) && !g.Quiet {
		why := "it went bad"
		if rec.State == linkvault.StateChanged {
			why = "its text changed"
		}
		fmt.Fprintf(g.stderr, "linkvault: writing the copy of %s from before %s (use --at %s for the latest)\n",
			c.Time.UTC().Format(time.RFC3339), why, latest.Time.UTC().Format(listTime))
	}
	return c, nil
}

// listCaptures prints the captures of a URL; rec, when known, marks the
// one the reports offer and the ones taken after the link went bad or its
// text changed.
func listCaptures(g *globalOptions, caps []linkvault.Capture, rec *linkvault.URLRecord, drift int) error {
	w := bufio.NewWriter(g.stdout)
	defer w.Flush()
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tSTATUS\tTYPE\tSIZE\tDIGEST\tNOTE")
	var offered linkvault.Capture
	var hasOffered bool
	if rec != nil {
		offered, hasOffered = rec.Offered(caps, drift)
	}
	for _, c := range caps {
		var notes []string
		switch {
		case c.Revisit && c.RefersToURL != "":
			notes = append(notes, "same payload as "+c.RefersToURL+" ("+c.RefersTo.UTC().Format(listTime)+")")
		case c.Revisit:
			notes = append(notes, "unchanged since "+c.RefersTo.UTC().Format(listTime))
		case c.Truncated:
			notes = append(notes, "truncated at the size cap")
		}
		switch {
		case rec == nil:
		case hasOffered && c.Time.Equal(offered.Time):
			notes = append(notes, "offered (linkvault get)")
		case rec.State == linkvault.StateChanged && c.Time.After(rec.LastMatch):
			notes = append(notes, "text changed")
		case rec.Last != nil && rec.Last.Status.Bad() && c.Time.After(rec.LastOK):
			notes = append(notes, "after it went bad ("+string(rec.Last.Status)+")")
		}
		note := strings.Join(notes, "; ")
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%s\n", c.Time.UTC().Format(listTime), c.HTTPStatus, c.ContentType, c.Size, c.Digest, note)
	}
	return tw.Flush()
}

// listTime is how get prints capture times: the 14-digit Wayback
// timestamp, which --at and serve's /web/TIME/URL read back as that whole
// second.
const listTime = "20060102150405"

// canonicalOr returns the canonical form of a URL typed by the user, so
// that it finds its record; anything else is looked up as typed.
func canonicalOr(raw string) string {
	if c, _, err := extract.Canonical(raw); err == nil {
		return c
	}
	return raw
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

// getSource writes the latest source archived for the repository link u
// (or, when u has none of its own, for its repository's main page).
func getSource(g *globalOptions, cfg *Config, db *archive.DB, opts GetOptions, u string) error {
	sc, ok, err := db.LatestStoredSource(u)
	if err == nil && !ok {
		if s, isRepo := crawler.SourceOf(u); isRepo && s.Repo != u {
			sc, ok, err = db.LatestStoredSource(s.Repo)
		}
	}
	if err != nil {
		return err
	}
	if !ok {
		return linkvault.Errorf(linkvault.ENotFound, "%s: no archived source", u)
	}
	return writePayload(g, cfg, opts.Output, sc.Capture, fmt.Sprintf("%s, source of %s at commit %s, archived %s",
		report.Bytes(sc.Size), sc.Repo, sc.ShortCommit(), sc.Time.UTC().Format(time.RFC3339)))
}
