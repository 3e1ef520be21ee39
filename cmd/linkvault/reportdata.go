package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/crawler"
	"github.com/linkvault/linkvault/report"
)

// historyInReport is how many checks per URL the reports show.
const historyInReport = 30

// buildReportData reads what the reports need from the database. run is
// the run to report; nil means the last one.
func buildReportData(db *archive.DB, cfg *Config, run *linkvault.Run) (*report.Data, error) {
	// The runs before are summaries: the reports show the hosts of the
	// run they report only.
	runs, err := db.RunSummaries(historyInReport)
	if err != nil {
		return nil, err
	}
	if run == nil && len(runs) > 0 {
		if run, err = db.LastRun(); err != nil {
			return nil, err
		}
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
	// One entry per URL record, sized from the counters: growing the
	// slice by appending held two copies of it (40,000 entries of some 470
	// bytes). The paths of the sources are shared between entries.
	if st, err := db.Stats(); err == nil {
		d.Entries = make([]report.Entry, 0, st.URLs)
	}
	paths := newSourcePaths(repo.Root, wd, cfg.dir)
	err = db.URLs(func(r *linkvault.URLRecord) error {
		e := report.Entry{URLRecord: *r}
		e.Sources = paths.relative(r.Sources)
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

// htmlReportPaths says where the HTML report named out (-o, --report-dir,
// report.dir) goes: a name ending in .html or .htm is the page itself,
// its archived copies in NAME.files/ beside it (report.html,
// report.files/); anything else, an existing directory or a name ending
// in a slash is a directory that receives index.html and archive/. It
// returns the page, the directory of the copies, and that directory as a
// URL relative to the page.
func htmlReportPaths(out string) (page, filesDir, filesRel string) {
	ext := strings.ToLower(filepath.Ext(out))
	if fi, err := os.Stat(out); (err == nil && fi.IsDir()) || strings.HasSuffix(out, "/") || strings.HasSuffix(out, string(filepath.Separator)) ||
		(ext != ".html" && ext != ".htm") {
		return filepath.Join(out, "index.html"), filepath.Join(out, "archive"), "archive"
	}
	base := strings.TrimSuffix(filepath.Base(out), filepath.Ext(out)) + ".files"
	return out, filepath.Join(filepath.Dir(out), base), url.PathEscape(base)
}

// writeHTMLReport writes the HTML report named out (see htmlReportPaths)
// with its archived copies (report.WriteHTML), read from the WARC store and
// written whole (writeOutput), and returns the path of its page.
func writeHTMLReport(db *archive.DB, cfg *Config, data *report.Data, out string) (string, error) {
	page, filesDir, filesRel := htmlReportPaths(out)
	store, err := cfg.openStore(context.Background())
	if err != nil {
		return "", err
	}
	return page, report.WriteHTML(data, report.HTMLFiles{
		Page:   page,
		Dir:    filesDir,
		DirURL: filesRel,
		Open: func(c linkvault.Capture) (io.ReadCloser, http.Header, error) {
			return store.OpenPayload(context.Background(), c)
		},
		Decode: crawler.DecodeHTML,
		Write:  writeOutput,
	})
}

// failed applies the fail_on policy (linkvault.FailOn.Failed) to a run's
// report.
func failed(p linkvault.FailOn, d *report.Data) bool {
	return p.Failed(report.Outcomes(d))
}
