package archive

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/linkvault/linkvault"
)

// TestGenerationWindow: a generation is compressed with a window of
// dbWindow (1 MB), not zstd's default of 8 MB, which every reader of the
// database in a bucket (`linkvault get` from a laptop) had to allocate to
// decompress it; the generation reads back whole.
func TestGenerationWindow(t *testing.T) {
	u := dbURL(t)
	var warns []string
	r := remoteFor(t, u, RemoteOptions{}, &warns)
	ctx := t.Context()
	co, err := r.checkout(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(co.Path(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// A database of a few hundred KB: more than one zstd block, so that
	// the frame names its window (a smaller one is a single segment whose
	// window is its size).
	var links []linkvault.Link
	for i := 0; i < 3000; i++ {
		links = append(links, linkvault.Link{URL: fmt.Sprintf("https://example.com/window/%d", i)})
	}
	rec, err := db.BeginRun(linkvault.Run{Start: time.Now()}, links)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		rec.Record(linkvault.Result{URL: l.URL, Status: linkvault.StatusOK, HTTPStatus: 200})
	}
	if _, err := rec.Finish(ctx, nil, false); err != nil {
		t.Fatal(err)
	}
	g, err := co.Commit(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := co.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if g.DBSize < 256<<10 {
		t.Fatalf("the database is %d bytes: too small to show the window", g.DBSize)
	}

	rc, _, err := r.store.Get(ctx, r.key(genObject(g.Number)))
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, zstd.HeaderMaxSize)
	n, err := io.ReadFull(rc, head)
	rc.Close()
	if err != nil && err != io.ErrUnexpectedEOF {
		t.Fatal(err)
	}
	var h zstd.Header
	if err := h.Decode(head[:n]); err != nil {
		t.Fatalf("generation %d: zstd header: %v", g.Number, err)
	}
	window := h.WindowSize
	if h.SingleSegment {
		window = h.FrameContentSize
	}
	if window > dbWindow {
		t.Errorf("generation %d (%d bytes) is compressed with a window of %d bytes, want at most %d", g.Number, g.DBSize, window, dbWindow)
	}
	if runs := runsIn(t, r); runs != 1 {
		t.Errorf("the generation holds %d runs, want 1", runs)
	}
}
