package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"testing"
)

// TestCheckRunPhases runs the phases of `linkvault check` one by one, as
// runCheck does, against a server on loopback: each phase leaves what the
// next one needs, and the exit status follows --fail-on.
func TestCheckRunPhases(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/gone" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "<html><title>ok</title><body>fine</body></html>")
	}))
	defer srv.Close()
	dir, note, g, stderr := checkFixture(t, "See "+srv.URL+"/ok and "+srv.URL+"/gone.\n", "check:\n  retries: 0\n")
	out := filepath.Join(dir, "report.json")
	opts := CheckOptions{Format: "json", Output: out, FailOn: "broken", AllowPrivate: true, NoArchive: true, Budget: -1}

	c, err := newCheckRun(g, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := c.readNotes(ctx, []string{note}); err != nil || len(c.links) != 2 || c.partial {
		t.Fatalf("readNotes: %v, %d links, partial %v; want 2 links", err, len(c.links), c.partial)
	}
	if err := c.openArchive(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.close(ctx, nil)
	if err := c.plan(); err != nil || len(c.cp.targets) != 2 || c.checker == nil {
		t.Fatalf("plan: %v, %d targets", err, len(c.cp.targets))
	}
	if err := c.record(ctx, c.check(ctx)); err != nil || c.run.ID == 0 || countChecks(c.run) != 2 {
		t.Fatalf("check, record: %v, run %d with %d checks; stderr %s", err, c.run.ID, countChecks(c.run), stderr.String())
	}
	if err := c.lookups(ctx); err != nil {
		t.Fatal(err)
	}
	// The reports are built without what the phases before held (the peak
	// of a 40,000-link night, issue 13).
	c.release()
	if c.links != nil || c.cp.targets != nil || c.checker != nil || c.rec != nil || c.nLinks != 2 {
		t.Errorf("release kept links %d, targets %d, checker %v, recorder %v; counted %d links, want 2",
			len(c.links), len(c.cp.targets), c.checker != nil, c.rec != nil, c.nLinks)
	}
	if err := c.reports(); err != nil || c.data == nil || len(c.data.Entries) != 2 {
		t.Fatalf("reports: %v", err)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("no report written: %v", err)
	}
	var ee *exitError
	if err := c.exitStatus(); !errors.As(err, &ee) || ee.code != exitFindings {
		t.Errorf("exitStatus = %v, want exit %d (a 404 under --fail-on broken)", err, exitFindings)
	}
	c.opts.FailOn = ""
	c.cfg.Policy.FailOn = "never"
	if err := c.exitStatus(); err != nil {
		t.Errorf("exitStatus under fail_on never = %v, want nil", err)
	}
}

// TestCheckRunArchiveCloseErrorOnce makes closing the archiver fail (its
// open WARC file is gone when record closes it): the error is returned or
// said on stderr, never both, so one failure is reported once.
func TestCheckRunArchiveCloseErrorOnce(t *testing.T) {
	for _, checkFailed := range []bool{false, true} {
		t.Run(fmt.Sprintf("checkFailed=%v", checkFailed), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintln(w, "<html><title>ok</title><body>fine</body></html>")
			}))
			defer srv.Close()
			dir, note, g, stderr := checkFixture(t, "See "+srv.URL+"/ok.\n", "check:\n  retries: 0\narchive:\n  dir: warcs\n")
			opts := CheckOptions{Format: "json", Output: filepath.Join(dir, "report.json"), FailOn: "never", AllowPrivate: true, Budget: -1}
			c, err := newCheckRun(g, opts)
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			if err := c.readNotes(ctx, []string{note}); err != nil {
				t.Fatal(err)
			}
			if err := c.openArchive(ctx); err != nil {
				t.Fatal(err)
			}
			defer c.close(ctx, nil)
			if c.archiver == nil {
				t.Fatal("no archiver")
			}
			if err := c.plan(); err != nil {
				t.Fatal(err)
			}
			checkErr := c.check(ctx)
			if checkErr != nil {
				t.Fatalf("check: %v", checkErr)
			}
			open, _ := filepath.Glob(filepath.Join(dir, "warcs", "*.open"))
			if len(open) == 0 {
				t.Fatal("no open WARC file after the check")
			}
			for _, f := range open {
				if err := os.Remove(f); err != nil {
					t.Fatal(err)
				}
			}
			if checkFailed {
				checkErr = errors.New("the check failed")
			}
			err = c.record(ctx, checkErr)
			said := bytes.Count(stderr.Bytes(), []byte("close warc"))
			returned := err != nil && bytes.Contains([]byte(err.Error()), []byte("close warc"))
			switch {
			case checkFailed && (err != checkErr || said != 1):
				t.Errorf("record = %v, archive error said %d times (stderr %q); want the check's error returned and the archive's said once", err, said, stderr.String())
			case !checkFailed && (!returned || said != 0):
				t.Errorf("record = %v, archive error said %d times (stderr %q); want it returned and not said", err, said, stderr.String())
			}
		})
	}
}

// TestCheckMemoryLimit checks that check.memory_limit is the Go runtime's
// soft memory limit while `linkvault check` runs (the server, in this
// process, reads it when the link is fetched) and that the limit before
// is back afterwards.
func TestCheckMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	var during atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		during.Store(debug.SetMemoryLimit(-1))
		fmt.Fprintln(w, "<html><title>ok</title><body>fine</body></html>")
	}))
	defer srv.Close()
	dir, note, g, _ := checkFixture(t, "See "+srv.URL+"/ok.\n", "check:\n  memory_limit: 300MB\n")
	opts := CheckOptions{Format: "json", Output: filepath.Join(dir, "report.json"), AllowPrivate: true, NoArchive: true, Budget: -1}
	if err := runCheck(t.Context(), g, opts, []string{note}); err != nil {
		t.Fatal(err)
	}
	if got := during.Load(); got != 300<<20 {
		t.Errorf("memory limit during the check = %d, want %d (check.memory_limit: 300MB)", got, 300<<20)
	}
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("memory limit after the check = %d, want %d as before", got, before)
	}
}

// checkFixture writes a note holding text and a config.yaml holding
// config into a temporary directory, and returns the directory, the
// note's path and quiet global options for them (a database in the
// directory), whose stderr is the returned buffer.
func checkFixture(t *testing.T, text, config string) (dir, note string, g *globalOptions, stderr *bytes.Buffer) {
	t.Helper()
	dir = t.TempDir()
	note = filepath.Join(dir, "note.md")
	if err := os.WriteFile(note, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgFile, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr = &bytes.Buffer{}
	g = &globalOptions{ConfigFile: cfgFile, DBFile: filepath.Join(dir, "linkvault.db"), Quiet: true, stdout: &bytes.Buffer{}, stderr: stderr}
	return dir, note, g, stderr
}

// TestCheckGCPercent: a check runs with the garbage collector's goal at
// checkGCPercent unless GOGC is set, and the one before is back afterwards.
func TestCheckGCPercent(t *testing.T) {
	gc := func() int {
		p := debug.SetGCPercent(100)
		debug.SetGCPercent(p)
		return p
	}
	before := gc()
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set: the check keeps it")
	}
	var during atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		during.Store(int64(gc()))
		fmt.Fprintln(w, "<html><title>ok</title><body>fine</body></html>")
	}))
	defer srv.Close()
	dir, note, g, _ := checkFixture(t, "See "+srv.URL+"/ok.\n", "")
	opts := CheckOptions{Format: "json", Output: filepath.Join(dir, "report.json"), AllowPrivate: true, NoArchive: true, Budget: -1}
	if err := runCheck(t.Context(), g, opts, []string{note}); err != nil {
		t.Fatal(err)
	}
	if got := during.Load(); got != checkGCPercent {
		t.Errorf("GC percent during a check = %d, want %d", got, checkGCPercent)
	}
	if got := gc(); got != before {
		t.Errorf("GC percent after the check = %d, want %d as before", got, before)
	}
	gcPercent(func(k string) string { return map[string]string{"GOGC": "200"}[k] })()
	if got := gc(); got != before {
		t.Errorf("GC percent with GOGC set = %d, want %d (GOGC's)", got, before)
	}
}
