package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/crawler/extract"
)

// A signal while the notes are being read ("-" waiting on a terminal or a
// pipe that never ends) stops linkvault at once with exit 130, and check
// records no run.
func TestInterruptWhileReadingNotes(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("notes: [notes]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "l.db")
	for _, cmd := range []string{"check", "links"} {
		t.Run(cmd, func(t *testing.T) {
			stdin, w := io.Pipe() // never written, never closed
			defer w.Close()
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			var stdout, stderr bytes.Buffer
			done := make(chan int, 1)
			go func() { done <- run(ctx, []string{cmd, "--config", cfg, "--db", db, "-"}, stdin, &stdout, &stderr) }()
			select {
			case code := <-done:
				if code != exitInterrupted {
					t.Errorf("exit status %d, want %d; stderr:\n%s", code, exitInterrupted, stderr.String())
				}
				if !strings.Contains(stderr.String(), "interrupted") {
					t.Errorf("stderr = %q, want it to say interrupted", stderr.String())
				}
			case <-time.After(20 * time.Second):
				t.Fatal("linkvault ignored the interruption while reading standard input")
			}
			if _, err := os.Stat(db); !os.IsNotExist(err) {
				t.Errorf("database created (%v): an interrupted read must record no run", err)
			}
		})
	}
}

// quoteName keeps printable names and quotes the others.
func TestQuoteName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"notes/a.md", "notes/a.md"},
		{"notes/今天 笔记.md", "notes/今天 笔记.md"},
		{"notes/a\x1b[31m.md", `"notes/a\x1b[31m.md"`},
		{"a\ab", `"a\ab"`},
		{"line\nbreak.md", `"line\nbreak.md"`},
		{"tab\t.md", `"tab\t.md"`},
		{"bad\xffutf8", `"bad\xffutf8"`},
		{`quote".md`, `"quote\".md"`},
		{"rtl\u202e.md", `"rtl\u202e.md"`},
	} {
		if got := quoteName(tt.in); got != tt.want {
			t.Errorf("quoteName(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// A read that never returns (a note on a hung network file system: the
// kernel ignores the context) does not keep a signal from stopping
// linkvault.
func TestInterruptWhileExtractBlocks(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("notes: [notes]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "notes"), 0o755); err != nil {
		t.Fatal(err)
	}
	block := make(chan struct{})
	defer close(block)
	defer func(old func(context.Context, []string, extract.Options) ([]linkvault.Link, error)) {
		extractFiles = old
	}(extractFiles)
	extractFiles = func(context.Context, []string, extract.Options) ([]linkvault.Link, error) {
		<-block
		return nil, nil
	}
	db := filepath.Join(dir, "l.db")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"check", "--config", cfg, "--db", db}, nil, &stdout, &stderr) }()
	select {
	case code := <-done:
		if code != exitInterrupted || !strings.Contains(stderr.String(), "interrupted while reading the notes: no run recorded") {
			t.Errorf("exit status %d, stderr %q; want %d and the reason", code, stderr.String(), exitInterrupted)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("linkvault ignored the interruption while extraction was blocked")
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("database created (%v): an interrupted read must record no run", err)
	}
}
