package main

import (
	"bufio"
	"errors"
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
)

// GetOptions are the flags of `linkvault get`.
type GetOptions struct {
	At     string
	Output string
	Force  bool
	List   bool
}

func newGetCommand(g *globalOptions) *cobra.Command {
	var opts GetOptions
	cmd := &cobra.Command{
		Use:   "get URL",
		Short: "Write the archived copy of a URL, byte for byte",
		Long: `Write the archived body of URL: the capture closest at or before --at,
exactly the bytes the server sent, to stdout or to the file -o names.

Without --at it is the copy the reports offer: the latest capture, except
for a link gone bad after a capture (a soft 404 answers 200, so its "deleted"
page is captured too), whose copy is the latest taken while it was ok, and for
a changed page, whose copy is the latest that still matches what was cited.

-o never overwrites a file without --force. --list shows every capture
instead (time, HTTP status, type, size, digest, and which one is offered).

TIME is RFC 3339 (2026-03-01T12:00:00Z), a date (2026-03-01, end of that day
in UTC) or a 14-digit Wayback timestamp (20260301120000).

A URL that is not in the archive exits with status 1.`,
		Example: `  linkvault get https://files.alicdn.com/tpsservice/cd9626b87ca646a05f05eb1d1c962126.pdf -o talk.pdf
  linkvault get --list https://github.com/tkestack/kstone
  linkvault get --at 2026-03-01 https://mp.weixin.qq.com/s/U6-wcBsBC-Khffb7kTBtjA > article.html`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGet(g, opts, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.At, "at", "", "the capture closest at or before TIME")
	f.StringVarP(&opts.Output, "output", "o", "", "write to FILE instead of stdout")
	f.BoolVar(&opts.Force, "force", false, "overwrite the -o file if it exists")
	f.BoolVar(&opts.List, "list", false, "list every capture of URL")
	return cmd
}

func runGet(g *globalOptions, opts GetOptions, rawURL string) error {
	var at time.Time
	if opts.At != "" {
		var err error
		if at, err = parseTime(opts.At); err != nil {
			return linkvault.Errorf(linkvault.EInvalid, "--at %q: want RFC 3339, YYYY-MM-DD or YYYYMMDDhhmmss", opts.At)
		}
	}
	if opts.Output != "" && !opts.Force && fileExists(opts.Output) {
		return linkvault.Errorf(linkvault.EInvalid, "%s exists (use --force to overwrite)", opts.Output)
	}
	cfg, db, err := openConfigDB(g)
	if err != nil {
		return err
	}
	defer db.Close()
	u := canonicalOr(rawURL)
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
	if at.IsZero() {
		c, err = offeredCapture(g, cfg, db, u)
	} else {
		c, err = db.CaptureAt(u, at)
	}
	if err != nil {
		return err
	}
	body, _, err := archive.OpenPayload(cfg.resolve(cfg.Archive.Dir), c)
	if err != nil {
		return err
	}
	defer body.Close()
	if opts.Output == "" {
		_, err := io.Copy(g.stdout, body)
		return err
	}
	if err := writeFileAtomic(opts.Output, func(w io.Writer) error { _, err := io.Copy(w, body); return err }); err != nil {
		return err
	}
	if !g.Quiet {
		fmt.Fprintf(g.stderr, "linkvault: wrote %s (%s, captured %s)\n", opts.Output, humanBytes(c.Size), c.Time.UTC().Format(time.RFC3339))
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
			c.Time.UTC().Format(time.RFC3339), why, latest.Time.UTC().Format("20060102150405"))
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
		case c.Revisit:
			notes = append(notes, "unchanged since "+c.RefersTo.UTC().Format("20060102150405"))
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
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%s\n", c.Time.UTC().Format("20060102150405"), c.HTTPStatus, c.ContentType, c.Size, c.Digest, note)
	}
	return tw.Flush()
}

// parseTime accepts RFC 3339, a date (the end of that day, UTC) and a
// 14-digit Wayback timestamp.
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Add(24*time.Hour - time.Second), nil
	}
	if t, err := time.Parse("20060102150405", s); err == nil {
		return t, nil
	}
	return time.Time{}, errors.New("invalid time")
}

// canonicalOr returns the canonical form of a URL typed by the user, so
// that it finds its record; anything else is looked up as typed.
func canonicalOr(raw string) string {
	if c, _, err := crawler.Canonical(raw); err == nil {
		return c
	}
	return raw
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
