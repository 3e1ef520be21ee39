package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

// Off a terminal, progress is plain lines: one every few seconds and one
// at the end, never carriage returns or escape codes.
func TestProgressPlain(t *testing.T) {
	var stderr bytes.Buffer
	g := &globalOptions{stderr: &stderr, stdout: &bytes.Buffer{}}
	p := newProgress(g, 3)
	if p.tty {
		t.Fatal("a bytes.Buffer was taken for a terminal")
	}
	p.add(linkvault.Result{Status: linkvault.StatusOK})
	if stderr.Len() != 0 {
		t.Errorf("progress printed before its interval: %q", stderr.String())
	}
	p.last = time.Now().Add(-time.Minute) // the interval has passed
	p.add(linkvault.Result{Status: linkvault.StatusBroken})
	p.add(linkvault.Result{Status: linkvault.StatusUnreachable})
	p.done()
	got := stderr.String()
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(lines), got)
	}
	if want := "linkvault: 3/3 links checked, 2 broken or unreachable"; !strings.HasPrefix(lines[1], want) {
		t.Errorf("last line = %q, want prefix %q", lines[1], want)
	}
	if strings.ContainsAny(got, "\r\x1b") {
		t.Errorf("plain progress has terminal controls: %q", got)
	}
}

func TestProgressQuiet(t *testing.T) {
	var stderr bytes.Buffer
	p := newProgress(&globalOptions{stderr: &stderr, Quiet: true}, 1)
	p.add(linkvault.Result{Status: linkvault.StatusOK})
	p.done()
	if stderr.Len() != 0 {
		t.Errorf("-q printed progress: %q", stderr.String())
	}
}
