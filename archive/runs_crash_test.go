package archive

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

// crashLinks are the links of the crash helper's runs.
func crashLinks() []linkvault.Link {
	links := make([]linkvault.Link, 300)
	for i := range links {
		links[i] = linkvault.Link{
			URL:     fmt.Sprintf("https://example.com/page/%d", i),
			Kind:    linkvault.KindWeb,
			Sources: []linkvault.Source{{File: "notes/a.md", Line: i + 1, Column: 1}},
		}
	}
	return links
}

// helperWrite begins a run, says "ready" and records results until it is
// killed.
func helperWrite(path string) int {
	db, err := Open(path, &Options{Timeout: 10 * time.Second})
	if err != nil {
		return fatalf("open: %v", err)
	}
	links := crashLinks()
	rec, err := db.BeginRun(linkvault.Run{}, links)
	if err != nil {
		return fatalf("begin: %v", err)
	}
	fmt.Println("ready")
	statuses := []linkvault.Status{linkvault.StatusOK, linkvault.StatusBroken, linkvault.StatusBlocked, linkvault.StatusUnreachable}
	t := time.Now()
	for i := 0; ; i++ {
		rec.Record(linkvault.Result{
			URL:        links[i%len(links)].URL,
			Status:     statuses[(i/len(links)+i)%len(statuses)],
			HTTPStatus: 200,
			Reason:     "crash test",
			CheckedAt:  t.Add(time.Duration(i) * time.Millisecond),
		})
	}
}

// TestKillDuringRun kills a process recording results with SIGKILL at
// random moments, checks the file after each crash, and finally records a
// complete run: the crashed runs are then marked interrupted.
func TestKillDuringRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "linkvault.db")
	const crashes = 12
	for i := range crashes {
		cmd, _ := startHelper(t, "write", path)
		time.Sleep(rand.N(300 * time.Millisecond))
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		mustCheckFile(t, path)
		db, err := Open(path, &Options{Timeout: 5 * time.Second})
		if err != nil {
			t.Fatalf("crash %d: reopen: %v", i, err)
		}
		st, err := db.Stats()
		if err != nil {
			t.Fatalf("crash %d: Stats: %v", i, err)
		}
		t.Logf("crash %d: %d checks recorded", i, st.Checks)
		if st.Runs != i+1 || st.URLs != len(crashLinks()) {
			t.Errorf("crash %d: Stats() = %+v, want %d runs, %d URLs", i, st, i+1, len(crashLinks()))
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}

	db := mustOpenPath(t, path, nil)
	rec, err := db.BeginRun(linkvault.Run{}, crashLinks())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range crashLinks() {
		rec.Record(linkvault.Result{URL: l.URL, Status: linkvault.StatusOK, HTTPStatus: 200})
	}
	final, err := rec.Finish(context.Background(), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if !final.Finished || final.ID != crashes+1 || final.Counts[linkvault.StatusOK] != len(crashLinks()) {
		t.Errorf("final run = %+v, want finished run %d with %d ok", final, crashes+1, len(crashLinks()))
	}
	runs, err := db.Runs(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != crashes+1 {
		t.Fatalf("Runs(0) has %d runs, want %d", len(runs), crashes+1)
	}
	for _, r := range runs[:crashes] {
		if !r.Interrupted || r.Finished || !r.End.IsZero() {
			t.Errorf("crashed run %d: interrupted %v finished %v end %v; want interrupted, no end", r.ID, r.Interrupted, r.Finished, r.End)
		}
	}
}
