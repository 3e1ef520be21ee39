package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/report"
)

// TestDamagedDatabase runs every command that opens the database on
// damaged copies of one: each answers with one line naming the file, what
// is wrong and what to do, exit 3, and no stack trace.
func TestDamagedDatabase(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "source.db")
	db, err := archive.Open(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	var links []linkvault.Link
	for i := range 400 {
		links = append(links, linkvault.Link{URL: "https://example.com/page/" + strconv.Itoa(i), Kind: linkvault.KindWeb,
			Sources: []linkvault.Source{{File: "notes.md", Line: i + 1, Column: 1}}})
	}
	rec, err := db.BeginRun(linkvault.Run{Start: time.Now()}, links)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		rec.Record(linkvault.Result{URL: l.URL, Status: linkvault.StatusOK, HTTPStatus: 200})
	}
	if _, err := rec.Finish(context.Background(), nil, false); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	rnd := rand.New(rand.NewPCG(3, 4))
	damages := map[string]func() []byte{
		"cut short": func() []byte { return orig[:3*page] },
		"pages overwritten": func() []byte {
			d := bytes.Clone(orig)
			for i := 2 * page; i < 8*page; i++ {
				d[i] = byte(rnd.Uint32())
			}
			return d
		},
		"empty": func() []byte { return nil },
	}
	commands := [][]string{
		{"status"}, {"status", "--format", "json"}, {"history", "https://example.com/page/1"}, {"report"},
		{"get", "https://example.com/page/1"}, {"gc"}, {"export", "--cdxj", "-"}, {"accept", "https://example.com/page/1"},
	}
	for name, damage := range damages {
		data := damage()
		for _, args := range commands {
			t.Run(name+"/"+strings.Join(args, "_"), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "linkvault.db")
				if err := os.WriteFile(path, data, 0o600); err != nil {
					t.Fatal(err)
				}
				var stdout, stderr bytes.Buffer
				code := run(context.Background(), append([]string{"--db", path}, args...), strings.NewReader(""), &stdout, &stderr)
				msg := stderr.String()
				t.Log(msg)
				if code != exitCannotRun {
					t.Errorf("exit %d, want %d; stderr %q", code, exitCannotRun, msg)
				}
				if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "linkvault: "+path+" is damaged: ") ||
					!strings.Contains(msg, "restore a copy") {
					t.Errorf("stderr %q, want one line naming %s, the damage and what to do", msg, path)
				}
			})
		}
	}
}

// TestStatusAndGCSizes: status and gc report the bytes the database
// occupies on disk (bbolt grows the file sparsely to its 64 MiB map), and
// counts read "1 run", not "1 runs".
func TestStatusAndGCSizes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "linkvault.db")
	db, err := archive.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	link := linkvault.Link{URL: "https://example.com/", Kind: linkvault.KindWeb,
		Sources: []linkvault.Source{{File: "notes.md", Line: 1, Column: 1}}}
	rec, err := db.BeginRun(linkvault.Run{Start: time.Now()}, []linkvault.Link{link})
	if err != nil {
		t.Fatal(err)
	}
	rec.Record(linkvault.Result{URL: link.URL, Status: linkvault.StatusOK, HTTPStatus: 200})
	if _, err := rec.Finish(context.Background(), nil, false); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--db", path, "status"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("status: exit %d, %s", code, stderr.String())
	}
	first, _, _ := strings.Cut(stdout.String(), "\n")
	t.Log(first)
	if !strings.Contains(first, ": 1 URL, 1 check in 1 run, ") || strings.Contains(first, report.Bytes(fi.Size())) ||
		!strings.Contains(first, " KiB on disk (") || !strings.HasSuffix(first, " KiB in use)") {
		t.Errorf("status says %q; want 1 URL, 1 check in 1 run and the KiB on disk and in use of a file of length %s",
			first, report.Bytes(fi.Size()))
	}
	stdout.Reset()
	if code := run(context.Background(), []string{"--db", path, "gc"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("gc: exit %d, %s", code, stderr.String())
	}
	if got := stdout.String(); !strings.HasPrefix(got, "deleted 0 check records older than 90d; ") ||
		strings.Contains(got, "MiB") || !strings.HasSuffix(got, " KiB on disk\n") {
		t.Errorf("gc says %q; want the KiB on disk before and after", got)
	}
}
