package archive

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

var (
	resOK    = linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, Reason: "200 OK"}
	res404   = linkvault.Result{Status: linkvault.StatusBroken, HTTPStatus: 404, Reason: "404 Not Found"}
	res403   = linkvault.Result{Status: linkvault.StatusBlocked, HTTPStatus: 403, Reason: "403 Forbidden"}
	res429   = linkvault.Result{Status: linkvault.StatusThrottled, HTTPStatus: 429, Reason: "429 Too Many Requests"}
	resMoved = linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, MovedTo: "https://example.org/new"}

	// Fingerprints of one article (cited) and unrelated content (30 bits off).
	textCited = linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, TextHash: 0x0123456789abcdef}
	textOther = linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, TextHash: 0x0123456789abcdef ^ 0x3fffffff}
)

const day = 24 * time.Hour

// TestAccept checks that accepting a changed page takes its current text
// as the cited one, makes it alive again and keeps the counters right;
// other URLs are refused.
func TestAccept(t *testing.T) {
	c := newClock()
	db := mustOpenPath(t, filepath.Join(t.TempDir(), "linkvault.db"), &Options{Now: c.Now})
	const (
		u     = "https://blog.example/post"
		alive = "https://blog.example/other"
	)
	record := func(results ...linkvault.Result) {
		t.Helper()
		rec, err := db.BeginRun(linkvault.Run{Start: c.Add(day)}, []linkvault.Link{link(u, 1), link(alive, 2)})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			rec.Record(r)
		}
		if _, err := rec.Finish(context.Background(), nil, false); err != nil {
			t.Fatal(err)
		}
	}
	with := func(r linkvault.Result, url string) linkvault.Result { r.URL = url; return r }
	record(with(textCited, u), with(resOK, alive))
	record(with(textOther, u), with(resOK, alive))
	if r, _ := db.URL(u); r.State != linkvault.StateChanged {
		t.Fatalf("state %s, want changed", r.State)
	}
	at := c.Add(time.Hour)
	got, err := db.Accept(u, at)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != linkvault.StateAlive || got.PrevState != linkvault.StateChanged || got.Cited != textOther.TextHash ||
		!got.ChangedSince.IsZero() || !got.LastMatch.Equal(at) || !got.StateSince.Equal(at) {
		t.Errorf("after Accept: %+v", got)
	}
	if st, _ := db.Stats(); st.States[linkvault.StateChanged] != 0 || st.States[linkvault.StateAlive] != 2 {
		t.Errorf("counts after Accept: %v", st.States)
	}
	// The accepted text is now the cited one: the same text again is no drift.
	record(with(textOther, u), with(resOK, alive))
	if r, _ := db.URL(u); r.State != linkvault.StateAlive {
		t.Errorf("state %s after the accepted text again, want alive", r.State)
	}
	if _, err := db.Accept(alive, at); linkvault.ErrorCode(err) != linkvault.EInvalid {
		t.Errorf("Accept(alive URL) = %v, want EInvalid", err)
	}
	if _, err := db.Accept("https://unknown.example/", at); linkvault.ErrorCode(err) != linkvault.ENotFound {
		t.Errorf("Accept(unknown URL) = %v, want ENotFound", err)
	}
}

var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
