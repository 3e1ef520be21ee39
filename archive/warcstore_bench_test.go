package archive

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault/internal/s3test"
)

// repeatAt is an io.ReaderAt of size bytes: filler repeated, then tail.
type repeatAt struct {
	filler []byte
	n      int64 // bytes of filler repetitions
	tail   []byte
}

func (r repeatAt) ReadAt(p []byte, off int64) (int, error) {
	size := r.n + int64(len(r.tail))
	if off >= size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && off < size {
		var c int
		if off < r.n {
			i := off % int64(len(r.filler))
			c = copy(p[n:], r.filler[i:])
			if rest := r.n - off; int64(c) > rest {
				c = int(rest)
			}
		} else {
			c = copy(p[n:], r.tail[off-r.n:])
		}
		n += c
		off += int64(c)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// bigObject makes a WARC object of about size bytes in a new bucket: whole
// records of a 1 MB capture repeated (a valid WARC file), then a file
// holding a capture of url, indexed in a new database at its offset near
// the end of the object. It returns the store URL and the database path.
func bigObject(b *testing.B, srv *s3test.Server, url string, size int64) (string, string) {
	b.Helper()
	ctx := context.Background()
	tmp := b.TempDir()
	dbPath := filepath.Join(tmp, "linkvault.db")
	db, err := Open(dbPath, nil)
	if err != nil {
		b.Fatal(err)
	}
	a, err := NewArchiver(db, ArchiverOptions{Dir: filepath.Join(tmp, "local")})
	if err != nil {
		b.Fatal(err)
	}
	clk := newClock()
	filler, err := a.Capture(ctx, newExchange("https://filler.example/", clk.Add(time.Minute), "application/octet-stream", randomBytes(1, 1<<20)))
	if err != nil {
		b.Fatal(err)
	}
	target, err := a.Capture(ctx, newExchange(url, clk.Add(time.Minute), "text/html", randomBytes(2, 200<<10)))
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Close(); err != nil {
		b.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(tmp, "local", target.File))
	if err != nil {
		b.Fatal(err)
	}
	rec := file[filler.Offset : filler.Offset+filler.Length]
	reps := size / int64(len(rec))
	gen := repeatAt{filler: rec, n: reps * int64(len(rec)), tail: file}
	total := gen.n + int64(len(file))

	bucket, err := srv.NewBucket("big")
	if err != nil {
		b.Fatal(err)
	}
	loc := "s3://" + bucket + "/bench"
	store, err := OpenStore(ctx, loc, filepath.Join(tmp, "outbox"))
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	info, err := store.obj.Put(ctx, warcKeyPrefix+target.File, io.NewSectionReader(gen, 0, total), total)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("uploaded a %d MB object in %s", info.Size>>20, time.Since(start).Round(time.Millisecond))
	// The index: the capture of url, shifted to its place in the object.
	e, ok, err := db.lastEntry(url)
	if err != nil || !ok {
		b.Fatal(err)
	}
	if err := db.deleteCaptures(); err != nil {
		b.Fatal(err)
	}
	e.Offset += gen.n
	if _, err := db.putEntry(e, url); err != nil {
		b.Fatal(err)
	}
	if err := db.setUploaded(target.File, uploadRecord{Size: info.Size, SHA256: info.Meta[metaSHA256]}); err != nil {
		b.Fatal(err)
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	return loc, dbPath
}

// deleteCaptures empties the capture index (benchmark setup).
func (db *DB) deleteCaptures() error {
	return db.update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketCaptures); err != nil {
			return err
		}
		_, err := createBucket(tx, bucketCaptures)
		return err
	})
}

// BenchmarkStoreGet1GB reads one record (200 KB payload) from a 1 GB WARC
// object with a range request: in this process (ns/op), and as a process
// of its own doing what `linkvault get` does (open the database, find the
// capture, read its payload), and as the real `linkvault get URL` of the
// binary built from cmd/linkvault, as `go install` builds it and as the
// Dockerfile does (static): the wall time and peak RSS (VmHWM, see
// peakRSS) of those processes are reported, median and worst of 7 runs.
func BenchmarkStoreGet1GB(b *testing.B) {
	srv := s3test.Shared(b)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		b.Setenv(k, v)
	}
	const url = "https://big.example/page"
	size := int64(1 << 30)
	if mb, err := strconv.Atoi(os.Getenv("LINKVAULT_BENCH_OBJECT_MB")); err == nil {
		size = int64(mb) << 20 // for trying the get path quickly
	}
	loc, dbPath := bigObject(b, srv, url, size)
	ctx := context.Background()
	db, err := Open(dbPath, &Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	store, err := OpenStore(ctx, loc, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	caps, err := db.Captures(url)
	if err != nil || len(caps) != 1 {
		b.Fatal(caps, err)
	}
	db.Close()
	b.ResetTimer()
	for b.Loop() {
		rc, _, err := store.OpenPayload(ctx, caps[0])
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil || n != 200<<10 {
			b.Fatal(n, err)
		}
	}
	b.StopTimer()

	// The helper (the test binary doing what get does) and the real thing:
	// the linkvault binary, built here, running `linkvault get URL`. Both
	// run in a clean environment (the AWS variables of the server only: no
	// AWS_CA_BUNDLE or shared config files of this machine, which the SDK
	// would read and parse at every start) and write the payload to stdout.
	// Two builds: as `go install` makes it (cgo on where a C compiler is:
	// dynamically linked) and as the Dockerfile does (static).
	bins := b.TempDir()
	for _, build := range []*exec.Cmd{
		exec.Command("go", "build", "-o", filepath.Join(bins, "linkvault"), "github.com/linkvault/linkvault/cmd/linkvault"),
		exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join(bins, "linkvault-static"), "github.com/linkvault/linkvault/cmd/linkvault"),
	} {
		build.Env = os.Environ()
		if strings.HasSuffix(build.Args[len(build.Args)-2], "-static") {
			build.Env = append(build.Env, "CGO_ENABLED=0")
		}
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", build, err, out)
		}
	}
	work := b.TempDir()
	env := append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + work}, srv.Env()...)
	getter := func(bin string) func() *exec.Cmd {
		return func() *exec.Cmd {
			cmd := exec.Command(filepath.Join(bins, bin), "--db", dbPath, "--store", loc, "get", url)
			cmd.Env = env
			return cmd
		}
	}
	for _, p := range []struct {
		name string
		cmd  func() *exec.Cmd
	}{
		{"helper", func() *exec.Cmd {
			cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
			cmd.Env = append(env, helperEnv+"=get", helperPathEnv+"="+dbPath,
				"LINKVAULT_ARCHIVE_STORE="+loc, "LINKVAULT_ARCHIVE_URL="+url, "TMPDIR="+work)
			return cmd
		}},
		{"linkvault", getter("linkvault")},
		{"linkvault-static", getter("linkvault-static")},
	} {
		var rss, ms []float64
		for i := 0; i < 7; i++ {
			cmd := p.cmd()
			cmd.Dir, cmd.Stderr = work, os.Stderr
			start := time.Now()
			mb, out, err := peakRSS(cmd, 200<<10)
			if err != nil || len(out) != 200<<10 {
				b.Fatalf("%s get: %d bytes, %v", p.name, len(out), err)
			}
			ms = append(ms, float64(time.Since(start).Microseconds())/1000)
			rss = append(rss, mb)
		}
		slices.Sort(rss)
		slices.Sort(ms)
		b.ReportMetric(ms[len(ms)/2], "ms-"+p.name+"-get")
		b.ReportMetric(rss[len(rss)/2], "MB-rss-"+p.name+"-get")
		b.ReportMetric(rss[len(rss)-1], "MB-rss-"+p.name+"-get-max")
	}
}

// helperGet does what `linkvault get URL` does with a database and a
// store: open both, find the latest capture, copy its payload to stdout.
func helperGet(dbPath string) int {
	ctx := context.Background()
	db, err := Open(dbPath, &Options{ReadOnly: true})
	if err != nil {
		return fatalf("%v", err)
	}
	defer db.Close()
	store, err := OpenStore(ctx, os.Getenv("LINKVAULT_ARCHIVE_STORE"), os.TempDir())
	if err != nil {
		return fatalf("%v", err)
	}
	caps, err := db.Captures(os.Getenv("LINKVAULT_ARCHIVE_URL"))
	if err != nil || len(caps) == 0 {
		return fatalf("captures: %v", err)
	}
	rc, _, err := store.OpenPayload(ctx, caps[len(caps)-1])
	if err != nil {
		return fatalf("%v", err)
	}
	defer rc.Close()
	if _, err := io.Copy(os.Stdout, rc); err != nil {
		return fatalf("%v", err)
	}
	return 0
}

// BenchmarkNightlyUpload runs two nights of 200 captures of 50 KB pages
// (the second: half unchanged, stored as revisits) into a bucket reached
// through a counting proxy, and reports the bytes that went over the wire
// (requests and bodies) for the second night against the bytes of its new
// WARC files.
func BenchmarkNightlyUpload(b *testing.B) {
	ctx := context.Background()
	srv := s3test.Shared(b)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		b.Setenv(k, v)
	}
	proxy, err := srv.KillingProxy(-1)
	if err != nil {
		b.Fatal(err)
	}
	defer proxy.Close()
	var ratio float64
	for b.Loop() {
		bucket, err := srv.NewBucket("nightly")
		if err != nil {
			b.Fatal(err)
		}
		tmp := b.TempDir()
		db, err := Open(filepath.Join(tmp, "linkvault.db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		store, err := OpenStore(ctx, "s3://"+bucket+"/n?endpoint="+proxy.Endpoint, filepath.Join(tmp, "outbox"))
		if err != nil {
			b.Fatal(err)
		}
		clk := newClock()
		var newBytes int64
		for night := 1; night <= 2; night++ {
			a, err := NewArchiver(db, ArchiverOptions{Store: store, Now: clk.Now})
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < 200; i++ {
				seed := uint64(i)
				if night == 2 && i%2 == 1 {
					seed += 1000 // changed
				}
				if _, err := a.Capture(ctx, newExchange(fmt.Sprintf("https://n.example/%d", i), clk.Add(time.Second),
					"text/html", randomBytes(seed, 50<<10))); err != nil {
					b.Fatal(err)
				}
			}
			if err := a.finishFile(); err != nil {
				b.Fatal(err)
			}
			files, err := store.outboxFiles()
			if err != nil {
				b.Fatal(err)
			}
			newBytes = 0
			for _, f := range files {
				fi, err := os.Stat(filepath.Join(store.Dir(), f))
				if err != nil {
					b.Fatal(err)
				}
				newBytes += fi.Size()
			}
			proxy.SetLimit(-1) // resets the count
			if err := a.Upload(ctx); err != nil {
				b.Fatal(err)
			}
			if err := a.Close(); err != nil {
				b.Fatal(err)
			}
		}
		ratio = float64(proxy.Sent()) / float64(newBytes)
		b.ReportMetric(float64(newBytes)/1e6, "MB-new-warc")
		b.ReportMetric(float64(proxy.Sent())/1e6, "MB-sent")
		db.Close()
	}
	b.ReportMetric(ratio, "sent/new")
}
