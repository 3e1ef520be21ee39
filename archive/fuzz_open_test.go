package archive

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// fuzzSeedDB returns a small linkvault database (1 KiB pages, so that the
// fuzzer's mutations land on every kind of page): two runs, their URLs and
// history, and a capture index entry.
func fuzzSeedDB(t testing.TB) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seed.db")
	b, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: 1024, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	c := newClock()
	db, err := Open(path, &Options{Now: c.Now, Version: "fuzz"})
	if err != nil {
		t.Fatal(err)
	}
	for run := range 2 {
		var links []linkvault.Link
		for i, u := range []string{"https://a.example/", "https://b.example/x", "https://c.example/今天"} {
			links = append(links, link(u, i+1))
		}
		rec, err := db.BeginRun(linkvault.Run{}, links)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range links {
			res := resOK
			if i == run {
				res = res404
			}
			res.URL = l.URL
			rec.Record(res)
		}
		c.Add(time.Hour)
		if _, err := rec.Finish(context.Background(), nil, false); err != nil {
			t.Fatal(err)
		}
	}
	e := indexEntry{Capture: linkvault.Capture{URL: "https://a.example/", Time: c.Now(), File: "x.warc.gz", HTTPStatus: 200}}
	if _, err := db.putEntry(e, e.URL); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// bbolt grows the file to its 64 MiB map (a sparse file): keep the
	// pages in use, a sound file that bbolt grows again when needed.
	m, err := readMeta(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return data[:m.pgid*uint64(m.pageSize)]
}

// FuzzOpen opens damaged database files read-only and for writing and runs
// every query on what opens: each must end in an error or an answer, never
// in a panic, a fault or a hang. The seed corpus (testdata/fuzz/FuzzOpen)
// holds a sound file, a file cut short and files with overwritten pages.
func FuzzOpen(f *testing.F) {
	f.Add(fuzzSeedDB(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "linkvault.db")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, ro := range []bool{true, false} {
			db, err := Open(path, &Options{ReadOnly: ro, Timeout: time.Second})
			if err != nil {
				if linkvault.ErrorCode(err) == linkvault.EConflict {
					t.Fatalf("Open: %v", err)
				}
				continue
			}
			_ = db.Check()
			_, _ = db.Stats()
			_, _ = db.Runs(0)
			_ = db.URLs(func(*linkvault.URLRecord) error { return nil })
			_, _ = db.History("https://a.example/", 0)
			_, _ = db.Captures("https://a.example/")
			_ = db.forEachEntry(func(string, indexEntry) error { return nil })
			if !ro {
				_, _ = db.GC(context.Background(), time.Hour)
			}
			_ = db.Close()
		}
	})
}
