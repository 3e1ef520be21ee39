package archive

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/s3test"
)

// countingStore counts the calls that read objects.
type countingStore struct {
	objectStore
	gets, ranges atomic.Int32
	rangeBytes   atomic.Int64
}

func (c *countingStore) Get(ctx context.Context, key string) (io.ReadCloser, objectInfo, error) {
	c.gets.Add(1)
	return c.objectStore.Get(ctx, key)
}

func (c *countingStore) GetRange(ctx context.Context, key string, off, n int64) (io.ReadCloser, error) {
	c.ranges.Add(1)
	c.rangeBytes.Add(n)
	return c.objectStore.GetRange(ctx, key, off, n)
}

// s3Store opens the store url with outbox dir, failing t on error.
func mustOpenStore(t testing.TB, url, dir string) *Store {
	t.Helper()
	s, err := OpenStore(context.Background(), url, dir)
	if err != nil {
		t.Fatalf("OpenStore(%s) = %v", url, err)
	}
	return s
}

// outboxWARCs lists the WARC files (closed or open) of dir.
func outboxWARCs(t testing.TB, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.warc.gz*"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

// mustResolve reads the payload of every capture in db through s and
// compares it with want (by URL).
func mustResolve(t testing.TB, db *DB, s *Store, want map[string][]byte) {
	t.Helper()
	n := 0
	err := db.forEachEntry(func(key string, e indexEntry) error {
		rc, _, err := s.OpenPayload(context.Background(), e.Capture)
		if err != nil {
			t.Errorf("capture %s@%s in %s@%d does not resolve: %v", e.URL, e.Time, e.File, e.Offset, err)
			return nil
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, want[e.URL]) {
			t.Errorf("capture %s@%s: %d bytes, %v; want %d bytes", e.URL, e.Time, len(got), err, len(want[e.URL]))
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no capture in the index")
	}
}

func TestArchiverUpload(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Shared(t)
	srv.SetEnv(t)
	bucket := srv.Bucket(t, t.Name())
	outbox := filepath.Join(t.TempDir(), "outbox")
	store := mustOpenStore(t, "s3://"+bucket+"/team", outbox)
	db := MustOpenDB(t)
	clk := newClock()
	a, err := NewArchiver(db, ArchiverOptions{Store: store, MaxFileSize: 1 << 20, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	// Three pages of 400 KB (incompressible): a rotation after the
	// second; the first page again: a revisit in the last file.
	bodies := map[string][]byte{}
	for i, u := range []string{"https://a.example/1", "https://a.example/2", "https://a.example/3"} {
		bodies[u] = randomBytes(uint64(i+1), 400<<10)
		mustCapture(t, a, newExchange(u, clk.Add(time.Minute), "application/octet-stream", bodies[u]))
	}
	rev := mustCapture(t, a, newExchange("https://a.example/1", clk.Add(time.Minute), "application/octet-stream", bodies["https://a.example/1"]))
	if !rev.Revisit {
		t.Fatal("the second capture of the same payload is not a revisit")
	}
	var written int64
	for _, n := range outboxWARCs(t, outbox) {
		fi, err := os.Stat(filepath.Join(outbox, n))
		if err != nil {
			t.Fatal(err)
		}
		written += fi.Size()
	}

	if err := a.Upload(ctx); err != nil {
		t.Fatalf("Upload = %v", err)
	}
	if left := outboxWARCs(t, outbox); len(left) != 0 {
		t.Errorf("outbox after Upload: %v, want empty", left)
	}
	keys, err := srv.Keys(bucket, "team/warc/")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Fatalf("objects %v, want 2 files (one rotation)", keys)
	}
	var stored int64
	for _, k := range keys {
		name := strings.TrimPrefix(k, "team/warc/")
		rec, ok, err := db.uploaded(name)
		if err != nil || !ok {
			t.Errorf("%s: uploaded record %v %v", name, ok, err)
		}
		body, err := srv.Object(bucket, k)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(body)) != rec.Size || sum(body) != rec.SHA256 {
			t.Errorf("%s: object of %d bytes sha256 %s, database says %d %s", k, len(body), sum(body), rec.Size, rec.SHA256)
		}
		stored += int64(len(body))
	}
	// Nothing but the new WARC bytes went up. (The open file at the time
	// of the count was complete but for the last records.)
	if stored < written || stored > written*105/100 {
		t.Errorf("%d bytes in the bucket for %d bytes written", stored, written)
	}

	// Every capture resolves, by range requests of the record's length.
	cs := &countingStore{objectStore: store.obj}
	store.obj = cs
	mustResolve(t, db, store, bodies)
	if cs.gets.Load() != 0 || cs.ranges.Load() < 4 {
		t.Errorf("reads: %d whole objects, %d ranges; want only ranges", cs.gets.Load(), cs.ranges.Load())
	}

	// A reader elsewhere (an empty outbox) finds the same.
	elsewhere := mustOpenStore(t, "s3://"+bucket+"/team", t.TempDir())
	mustResolve(t, db, elsewhere, bodies)

	// Capturing goes on after Upload, into a new file.
	mustCapture(t, a, newExchange("https://a.example/4", clk.Add(time.Minute), "text/plain", []byte("four")))
	if err := a.Upload(ctx); err != nil {
		t.Fatal(err)
	}
	if keys, _ := srv.Keys(bucket, "team/warc/"); len(keys) != 3 {
		t.Errorf("objects after the second Upload: %v", keys)
	}
}

func TestArchiverUploadServerKilled(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Start(t)
	srv.SetEnv(t)
	bucket := srv.Bucket(t, "killed")
	// The server dies after 1 MB of the 3 MB upload went through.
	proxy, err := srv.KillingProxy(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	url := "s3://" + bucket + "/p?endpoint=" + proxy.Endpoint
	outbox := filepath.Join(t.TempDir(), "outbox")
	db := MustOpenDB(t)
	clk := newClock()

	a, err := NewArchiver(db, ArchiverOptions{Store: mustOpenStore(t, url, outbox), Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string][]byte{
		"https://b.example/big":   randomBytes(7, 3<<20),
		"https://b.example/small": []byte("small page"),
	}
	for _, u := range []string{"https://b.example/big", "https://b.example/small"} {
		mustCapture(t, a, newExchange(u, clk.Add(time.Minute), "application/octet-stream", bodies[u]))
	}
	err = a.Upload(ctx)
	select {
	case <-proxy.Killed():
	default:
		t.Fatalf("the server was not killed during the upload (Upload = %v)", err)
	}
	if err == nil {
		t.Fatal("Upload with the server killed = nil error")
	}
	files := outboxWARCs(t, outbox)
	if len(files) != 1 || linkvault.ErrorCode(err) != linkvault.EInternal ||
		!strings.Contains(err.Error(), "upload of "+files[0]+" failed; kept in the outbox "+outbox) ||
		!strings.Contains(err.Error(), "s3://"+bucket+"/p: put warc/"+files[0]+": ") ||
		strings.Contains(err.Error(), "\n") {
		t.Errorf("Upload = %v (code %s); want one line naming the file, the outbox, the bucket and the operation (outbox: %v)",
			err, linkvault.ErrorCode(err), files)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.uploaded(files[0]); ok {
		t.Error("the database holds the failed file as uploaded")
	}
	// Every capture still resolves: to the outbox.
	mustResolve(t, db, mustOpenStore(t, url, outbox), bodies)

	// The next run uploads it.
	srv.Restart()
	store := mustOpenStore(t, url, outbox)
	a2, err := NewArchiver(db, ArchiverOptions{Store: store, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer a2.Close()
	if err := a2.Upload(ctx); err != nil {
		t.Fatalf("Upload in the next run = %v", err)
	}
	if left := outboxWARCs(t, outbox); len(left) != 0 {
		t.Errorf("outbox after the next run: %v", left)
	}
	if _, ok, _ := db.uploaded(files[0]); !ok {
		t.Error("the uploaded file is not in the database")
	}
	mustResolve(t, db, mustOpenStore(t, url, t.TempDir()), bodies)
}

func TestStoreCheck(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Shared(t)
	srv.SetEnv(t)
	bucket := srv.Bucket(t, t.Name())
	if err := mustOpenStore(t, "s3://"+bucket+"/p", t.TempDir()).Check(ctx); err != nil {
		t.Errorf("Check of a good store = %v", err)
	}
	err := mustOpenStore(t, "s3://no-such-bucket-x/p", t.TempDir()).Check(ctx)
	if !errors.Is(err, errBucketMissing) || !strings.Contains(err.Error(), "bucket no-such-bucket-x does not exist") {
		t.Errorf("Check of a missing bucket = %v", err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "LVWRONGKEY0000000000")
	err = mustOpenStore(t, "s3://"+bucket+"/p", t.TempDir()).Check(ctx)
	if err == nil || linkvault.ErrorCode(err) != linkvault.EInternal || !strings.HasPrefix(err.Error(), "s3://"+bucket+"/p: list warc/.check*: ") {
		t.Errorf("Check with an unknown key = %v", err)
	}
}
