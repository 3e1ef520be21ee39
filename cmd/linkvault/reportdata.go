package main

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/report"
)

// historyInReport is how many checks per URL the reports show.
const historyInReport = 30

// buildReportData reads what the reports need from the database. run is
// the run to report; nil means the last one.
func buildReportData(db *archive.DB, cfg *Config, run *linkvault.Run) (*report.Data, error) {
	runs, err := db.Runs(historyInReport)
	if err != nil {
		return nil, err
	}
	if run == nil && len(runs) > 0 {
		r := runs[len(runs)-1]
		run = &r
	}
	// Paths are relative to the repository root (or the config's
	// directory), and link into the repository when its web address is
	// known (see findRepo).
	repo := findRepo(cfg, os.Getenv)
	wd, _ := os.Getwd()
	d := &report.Data{
		Version:     version,
		GeneratedAt: time.Now().UTC(),
		Run:         run,
		Runs:        runs,
		RepoURL:     repo.URL,
		Root:        repo.Root,
		ShowGone:    cfg.Report.ShowGone,
		Policy:      cfg.policy(),
	}
	err = db.URLs(func(r *linkvault.URLRecord) error {
		e := report.Entry{URLRecord: *r}
		e.Sources = relativeSources(r.Sources, repo.Root, wd, cfg.dir)
		if r.State != linkvault.StateGone || cfg.Report.ShowGone {
			checks, err := db.History(r.URL, historyInReport)
			if err != nil {
				return err
			}
			e.Checks = checks
			if r.Kind != linkvault.KindLocal {
				caps, err := db.Captures(r.URL)
				if err != nil {
					return err
				}
				e.Captures = caps
			}
		}
		d.Entries = append(d.Entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// validFormat checks a --format value against the report formats.
func validFormat(format string) error {
	for _, f := range report.Formats() {
		if f == format {
			return nil
		}
	}
	return linkvault.Errorf(linkvault.EInvalid, "unknown format %q (valid: %s)", format, strings.Join(report.Formats(), ", "))
}

// writeReport renders data to stdout or to the file output (see
// writeOutput: a reader never sees half a report).
func writeReport(g *globalOptions, data *report.Data, format, output string) error {
	if output == "" || output == "-" {
		w := bufio.NewWriter(g.stdout)
		if err := renderTo(w, format, data, g); err != nil {
			return err
		}
		return w.Flush()
	}
	return writeOutput(output, func(w io.Writer) error { return renderTo(w, format, data, g) })
}

func renderTo(w io.Writer, format string, data *report.Data, g *globalOptions) error {
	if format == "text" {
		return report.Text(w, data, report.TextOptions{Color: useColor(g), Verbose: !g.Quiet})
	}
	return report.Render(w, format, data)
}

// writeHTMLReport writes dir/index.html and copies the archived copy the
// report offers (report.Offered: for a soft 404 the one from before it
// went bad, for changed content the last that matches what was cited) of
// every dead, failing, changed and moved link under dir/archive/, so the
// directory alone lets a reader open what vanished.
func writeHTMLReport(db *archive.DB, cfg *Config, data *report.Data, dir string) error {
	archDir := cfg.resolve(cfg.Archive.Dir)
	for i := range data.Entries {
		e := &data.Entries[i]
		switch e.State {
		case linkvault.StateDead, linkvault.StateFailing, linkvault.StateMoved, linkvault.StateChanged:
		default:
			continue
		}
		c, ok := report.Offered(e, data.Policy)
		if !ok {
			continue
		}
		rel := path.Join("archive", c.Time.UTC().Format("20060102150405"), archiveFileName(e.URL, c.ContentType))
		if err := copyCapture(archDir, c, filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
			return fmt.Errorf("report: copy archived copy of %s: %w", e.URL, err)
		}
		e.ArchivePath = rel
	}
	return writeOutput(filepath.Join(dir, "index.html"), func(w io.Writer) error { return report.HTML(w, data) })
}

func copyCapture(archDir string, c linkvault.Capture, dst string) error {
	body, _, err := archive.OpenPayload(archDir, c)
	if err != nil {
		return err
	}
	defer body.Close()
	return writeOutput(dst, func(w io.Writer) error {
		_, err := io.Copy(w, body)
		return err
	})
}

// archiveFileName makes a safe file name for an archived copy of u.
func archiveFileName(u, contentType string) string {
	name := u
	if i := strings.Index(name, "://"); i >= 0 {
		name = name[i+3:]
	}
	name = strings.TrimSuffix(name, "/")
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	if len(s) > 100 {
		s = s[:100]
	}
	ext := path.Ext(s)
	switch {
	case strings.HasPrefix(contentType, "text/html"):
		if ext != ".html" && ext != ".htm" {
			s += ".html"
		}
	case strings.HasPrefix(contentType, "application/pdf"):
		if ext != ".pdf" {
			s += ".pdf"
		}
	case ext == "":
		s += ".bin"
	}
	return s
}

// failed applies the fail_on policy to a run's report.
func failed(p linkvault.FailOn, d *report.Data) bool {
	switch p {
	case linkvault.FailOnNever:
		return false
	case linkvault.FailOnNew:
		return len(report.Summarize(d).NewlyDead) > 0
	case linkvault.FailOnBroken:
		if d.Run == nil {
			return false
		}
		for _, e := range d.Entries {
			if e.State == linkvault.StateGone || e.Last == nil {
				continue
			}
			if e.Last.Status.Bad() && !e.LastChecked.Before(d.Run.Start) {
				return true
			}
		}
		return false
	default:
		for _, e := range d.Entries {
			if e.State == linkvault.StateDead {
				return true
			}
		}
		return false
	}
}
