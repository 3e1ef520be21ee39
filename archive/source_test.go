package archive

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeswh"
)

// newSourceArchiver returns an archiver on a new database and directory.
func newSourceArchiver(t *testing.T) (*DB, *Archiver, string) {
	t.Helper()
	db := MustOpenDB(t)
	dir := t.TempDir()
	a, err := NewArchiver(db, ArchiverOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return db, a, dir
}

// warcBytes returns the size of the WARC files of dir.
func warcBytes(t *testing.T, dir string) int64 {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz*"))
	var n int64
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}

func TestCaptureSource(t *testing.T) {
	db, a, dir := newSourceArchiver(t)
	ctx := context.Background()
	tarball := make([]byte, 5000)
	rand.Read(tarball)
	const link, repo, commit = "https://github.com/o/r", "https://github.com/o/r", "0123456789abcdef0123456789abcdef01234567"
	in := linkvault.SourceCopy{Repo: repo, Commit: commit}
	in.URL, in.ContentType = "https://codeload.github.com/o/r/tar.gz/"+commit, "application/x-gzip"

	sc, err := a.CaptureSource(ctx, link, in, bytes.NewReader(tarball), int64(len(tarball)), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Skipped != "" || sc.Size != int64(len(tarball)) || sc.File == "" || !strings.HasPrefix(sc.Digest, "sha256:") {
		t.Fatalf("CaptureSource = %+v", sc)
	}
	// Byte for byte back, from a resource record.
	body, _, err := OpenPayload(dir, sc.Capture)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(body)
	body.Close()
	if !bytes.Equal(got, tarball) {
		t.Fatalf("payload: %d bytes, want the %d sent", len(got), len(tarball))
	}
	rec, err := readRecord(dir, sc.File, sc.Offset)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Type != "resource" || rec.Header.Get("WARC-Target-URI") != in.URL || rec.Header.Get("Content-Type") != "application/x-gzip" {
		t.Errorf("record: type %q, target %q, content type %q", rec.Type, rec.Header.Get("WARC-Target-URI"), rec.Header.Get("Content-Type"))
	}
	rec.Close()

	// The index: by repository and commit, and by link.
	if got, ok, err := db.SourceOf(repo, commit); err != nil || !ok || got.File != sc.File || got.Offset != sc.Offset {
		t.Errorf("SourceOf = %+v, %v, %v", got, ok, err)
	}
	if _, ok, _ := db.SourceOf(repo, strings.Repeat("f", 40)); ok {
		t.Error("SourceOf(another commit) found one")
	}
	if got, ok, err := db.LatestStoredSource(link); err != nil || !ok || got.Commit != commit {
		t.Errorf("LatestStoredSource = %+v, %v, %v", got, ok, err)
	}
	rec2, err := db.URL(link)
	if err == nil {
		t.Errorf("URL(%s) = %+v, want unknown", link, rec2)
	}

	// A second link of the repository at the same commit: noted, nothing
	// written; noting it again adds no key.
	size := warcBytes(t, dir)
	tree := "https://github.com/o/r/tree/main/docs"
	for range 2 {
		if err := db.NoteSource(tree, sc); err != nil {
			t.Fatal(err)
		}
	}
	if got, ok, _ := db.LatestStoredSource(tree); !ok || got.File != sc.File {
		t.Errorf("LatestStoredSource(tree) = %+v, %v", got, ok)
	}
	if n := warcBytes(t, dir); n != size {
		t.Errorf("noting a known commit wrote %d bytes", n-size)
	}
	keys := 0
	db.view(func(tx *bolt.Tx) error {
		return scanPrefix(tx.Bucket(bucketSources), nil, func(k, v []byte) error { keys++; return nil })
	})
	if keys != 3 { // the commit, the link, the tree link
		t.Errorf("%d keys in the source index, want 3", keys)
	}

	// CDXJ export is unchanged by sources: they have their own index.
	var cdxj bytes.Buffer
	if err := ExportCDXJ(db, dir, &cdxj); err != nil {
		t.Fatal(err)
	}
	if cdxj.Len() != 0 {
		t.Errorf("CDXJ of an archive holding only a source:\n%s", cdxj.String())
	}
}

func TestCaptureSourceCap(t *testing.T) {
	db, a, dir := newSourceArchiver(t)
	ctx := context.Background()
	big := bytes.Repeat([]byte("x"), 3000)
	for _, tc := range []struct {
		name   string
		commit string
		length int64 // announced
		body   io.Reader
	}{
		{"announced", strings.Repeat("a", 40), int64(len(big)), iotest.ErrReader(errors.New("the body of a tarball announced over the cap was read"))},
		{"read", strings.Repeat("b", 40), -1, bytes.NewReader(big)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := linkvault.SourceCopy{Repo: "https://github.com/o/big", Commit: tc.commit}
			in.URL = "https://codeload.github.com/o/big/tar.gz/" + tc.commit
			sc, err := a.CaptureSource(ctx, "https://github.com/o/big", in, tc.body, tc.length, 1024)
			if err != nil {
				t.Fatal(err)
			}
			if sc.Skipped == "" || sc.MaxSize != 1024 || sc.File != "" {
				t.Errorf("CaptureSource = %+v, want skipped under 1024", sc)
			}
			if got, ok, _ := db.SourceOf(in.Repo, tc.commit); !ok || got.Skipped == "" {
				t.Errorf("SourceOf = %+v, %v: the skip is not remembered", got, ok)
			}
			if _, ok, _ := db.LatestStoredSource("https://github.com/o/big"); ok {
				t.Error("LatestStoredSource found a skipped source")
			}
		})
	}
	a.Close()
	if n := warcBytes(t, dir); n != 0 {
		t.Errorf("skipped sources wrote %d bytes of WARC", n)
	}
}

// swhServer serves the fake Software Heritage API with a plain handler.
func swhServer(t *testing.T, s *fakeswh.Server) string {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestSoftwareHeritageLookup(t *testing.T) {
	visit := time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)
	fake := fakeswh.New(map[string]time.Time{"https://github.com/o/kept": visit})
	endpoint := swhServer(t, fake)
	db := MustOpenDB(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	opts := SWHOptions{Endpoint: endpoint, Client: &http.Client{Timeout: 2 * time.Second}, Now: func() time.Time { return now }}

	// Found: origin, browse link, latest visit; cached.
	sw, err := db.SoftwareHeritageLookup(ctx, "https://github.com/o/kept/tree/main", "https://github.com/o/kept", opts)
	if err != nil {
		t.Fatal(err)
	}
	wantBrowse := endpoint + "/browse/origin/directory/?origin_url=https%3A%2F%2Fgithub.com%2Fo%2Fkept"
	if sw.Origin != "https://github.com/o/kept" || sw.BrowseURL != wantBrowse || !sw.LastVisit.Equal(visit) || !sw.CheckedAt.Equal(now) {
		t.Errorf("found: %+v, want browse %s, visit %s", sw, wantBrowse, visit)
	}
	if fake.Asked[0] != "https://github.com/o/kept" {
		t.Errorf("asked %q", fake.Asked)
	}
	if _, err := db.SoftwareHeritageLookup(ctx, "https://github.com/o/kept/tree/main", "https://github.com/o/kept", opts); err != nil || fake.Requests() != 1 {
		t.Errorf("second lookup: %v, %d requests, want the cached answer", err, fake.Requests())
	}
	rec := &linkvault.URLRecord{URL: "https://github.com/o/kept/tree/main"}
	db.view(func(tx *bolt.Tx) error { return attachSource(tx, rec) })
	if rec.SoftwareHeritage == nil || rec.SoftwareHeritage.BrowseURL != wantBrowse {
		t.Errorf("attached: %+v", rec.SoftwareHeritage)
	}

	// Not found: an empty answer, cached too.
	sw, err = db.SoftwareHeritageLookup(ctx, "https://github.com/o/lost", "https://github.com/o/lost", opts)
	if err != nil || sw.Origin != "" || sw.BrowseURL != "" {
		t.Errorf("not found: %+v, %v", sw, err)
	}
	db.SoftwareHeritageLookup(ctx, "https://github.com/o/lost", "https://github.com/o/lost", opts)
	if fake.Requests() != 2 {
		t.Errorf("%d requests, want 2: not found is cached", fake.Requests())
	}

	// Rate limited: 429 is ErrRateLimited with the reset time, not cached.
	fake.SetLimit(2) // used up
	reset := fake.Reset.Truncate(time.Second).UTC()
	_, err = db.SoftwareHeritageLookup(ctx, "https://github.com/o/other", "https://github.com/o/other", opts)
	var rl *RateLimitError
	if !errors.Is(err, ErrRateLimited) || !errors.As(err, &rl) || !rl.Reset.Equal(reset) {
		t.Errorf("rate limited: %v (reset %v), want ErrRateLimited until %v", err, rl, reset)
	}
	fake.SetLimit(0)
	if sw, err := db.SoftwareHeritageLookup(ctx, "https://github.com/o/other", "https://github.com/o/other", opts); err != nil || sw.Origin != "" || fake.Requests() != 4 {
		t.Errorf("after the rate limit: %+v, %v, %d requests: the 429 was cached", sw, err, fake.Requests())
	}

	// Timeout: an error, not cached.
	fake.SetDelay(time.Second)
	opts.Client = &http.Client{Timeout: 100 * time.Millisecond}
	if _, err := db.SoftwareHeritageLookup(ctx, "https://github.com/o/slow", "https://github.com/o/slow", opts); err == nil {
		t.Error("timeout: no error")
	}
	fake.SetDelay(0)
	if _, err := db.SoftwareHeritageLookup(ctx, "https://github.com/o/slow", "https://github.com/o/slow", opts); err != nil || fake.Requests() != 6 {
		t.Errorf("after the timeout: %v, %d requests: the timeout was cached", err, fake.Requests())
	}

	// A stale answer is asked again.
	now = now.Add(DefaultSWHMaxAge + time.Minute)
	if _, err := db.SoftwareHeritageLookup(ctx, "https://github.com/o/kept/tree/main", "https://github.com/o/kept", opts); err != nil || fake.Requests() != 7 {
		t.Errorf("stale: %v, %d requests, want a new lookup", err, fake.Requests())
	}
}

// BenchmarkCaptureSource stores a 10 MiB tarball (incompressible, as a
// .tar.gz is) per operation: the cost of one new commit of a repository.
func BenchmarkCaptureSource(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "linkvault.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	a, err := NewArchiver(db, ArchiverOptions{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	tarball := make([]byte, 10<<20)
	rand.Read(tarball)
	b.SetBytes(int64(len(tarball)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		in := linkvault.SourceCopy{Repo: "https://github.com/o/r", Commit: fmt.Sprintf("%040x", i)}
		in.URL = "https://codeload.github.com/o/r/tar.gz/" + in.Commit
		if _, err := a.CaptureSource(context.Background(), "https://github.com/o/r", in, bytes.NewReader(tarball), int64(len(tarball)), 1<<30); err != nil {
			b.Fatal(err)
		}
	}
}
