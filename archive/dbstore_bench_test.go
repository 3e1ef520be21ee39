package archive

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkvault/linkvault/internal/s3test"
)

// BenchmarkDBSnapshotBig measures the snapshot a run uploads as a
// generation of a database in a bucket: one read transaction written
// through zstd, on the database of 365 runs × 10k URLs (bigDB). It reports
// the sizes of the file and of the compressed snapshot.
func BenchmarkDBSnapshotBig(b *testing.B) {
	db := openBig(b)
	var buf bytes.Buffer
	var size int64
	for b.Loop() {
		buf.Reset()
		var err error
		if size, _, err = snapshot(db, &buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size)/(1<<20), "db-MB")
	b.ReportMetric(float64(buf.Len())/(1<<20), "zstd-MB")
	b.SetBytes(size)
}

// BenchmarkDBFetchBig measures what a run does with a downloaded
// generation before it opens it: decompress, hash, and check every page
// (the body is read from memory: the network is not measured).
func BenchmarkDBFetchBig(b *testing.B) {
	db := openBig(b)
	var buf bytes.Buffer
	size, sum, err := snapshot(db, &buf)
	if err != nil {
		b.Fatal(err)
	}
	r := newRemote(nil, "s3://bench/linkvault.db", "linkvault.db", RemoteOptions{})
	p := filepath.Join(b.TempDir(), "linkvault.db")
	g := Generation{Number: 1, DBSize: size, SHA256: sum}
	for b.Loop() {
		what, err := r.download(bytes.NewReader(buf.Bytes()), g, p)
		if err != nil || what != "" {
			b.Fatalf("download: %q, %v", what, err)
		}
	}
	b.SetBytes(size)
}

// BenchmarkDBBucketBig uploads the 182 MB database as a generation to a
// real S3 server on loopback (SeaweedFS) and downloads it back, as a
// nightly run does at its end and its start.
func BenchmarkDBBucketBig(b *testing.B) {
	db := openBig(b)
	srv := s3test.Shared(b)
	srv.SetEnv(b)
	u := "s3://" + srv.Bucket(b, "bench") + "/linkvault.db"
	r, err := openRemote(b.Context(), u, RemoteOptions{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	var up, down time.Duration
	for b.Loop() {
		n++
		start := time.Now()
		if _, err := r.upload(b.Context(), db, n, n-1, "bench"); err != nil {
			b.Fatal(err)
		}
		up += time.Since(start)
		start = time.Now()
		f, err := r.fetchTo(b.Context(), n)
		if err != nil {
			b.Fatal(err)
		}
		down += time.Since(start)
		f.Close()
	}
	b.ReportMetric(up.Seconds()/float64(n), "upload-s")
	b.ReportMetric(down.Seconds()/float64(n), "download-s")
}
