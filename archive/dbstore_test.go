package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/s3test"
)

// The database in a bucket is tested against a real S3 server
// (SeaweedFS, internal/s3test): conditional writes, metadata and listing
// are the server's, not a mock's.

// dbURL makes a bucket on the test server and returns the URL of a
// database in it, with the server's credentials in the environment.
func dbURL(t *testing.T) string {
	t.Helper()
	srv := s3test.Shared(t)
	srv.SetEnv(t)
	bucket := srv.Bucket(t, t.Name())
	return "s3://" + bucket + "/team/linkvault.db?endpoint=" + srv.Endpoint
}

// remoteFor opens the remote database at u with opts, warnings collected
// into warns.
func remoteFor(t *testing.T, u string, opts RemoteOptions, warns *[]string) *remoteDB {
	t.Helper()
	var mu sync.Mutex
	opts.Warn = func(s string) {
		mu.Lock()
		defer mu.Unlock()
		*warns = append(*warns, s)
	}
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	r, err := openRemote(t.Context(), u, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// runOnce checks out the database, records a run with one result and
// commits it; it returns the generation made.
func runOnce(t *testing.T, r *remoteDB, url string) Generation {
	t.Helper()
	ctx := t.Context()
	co, err := r.checkout(ctx, 0)
	if err != nil {
		t.Fatalf("checkout: %v", err)
	}
	db, err := Open(co.Path(), nil)
	if err != nil {
		t.Fatalf("open the checked-out copy: %v", err)
	}
	rec, err := db.BeginRun(linkvault.Run{Start: time.Now()}, []linkvault.Link{{URL: url}})
	if err != nil {
		t.Fatal(err)
	}
	rec.Record(linkvault.Result{URL: url, Status: linkvault.StatusOK, HTTPStatus: 200})
	if _, err := rec.Finish(ctx, nil, false); err != nil {
		t.Fatal(err)
	}
	g, err := co.Commit(ctx, db)
	if err != nil {
		t.Fatalf("commit: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if kept, err := co.Release(ctx); err != nil || kept != "" {
		t.Fatalf("Release() = %q, %v; want the lease given back and no copy kept", kept, err)
	}
	return g
}

// runsIn returns the number of runs of the latest generation.
func runsIn(t *testing.T, r *remoteDB) int {
	t.Helper()
	f, err := r.fetchTo(t.Context(), 0)
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	defer f.Close()
	db, err := Open(f.Path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	runs, err := db.Runs(0)
	if err != nil {
		t.Fatal(err)
	}
	return len(runs)
}

// TestRemoteGenerations: each run downloads the latest generation and
// uploads the next; only the last Generations are kept; a reader sees
// every run.
func TestRemoteGenerations(t *testing.T) {
	u := dbURL(t)
	var warns []string
	r := remoteFor(t, u, RemoteOptions{Generations: 3}, &warns)
	for i := 1; i <= 5; i++ {
		g := runOnce(t, r, fmt.Sprintf("https://example.com/%d", i))
		if g.Number != int64(i) || g.From != int64(i-1) || g.SHA256 == "" || g.Size <= 0 || g.Size >= g.DBSize {
			t.Errorf("run %d made %+v; want generation %d from %d, compressed, with its SHA-256", i, g, i, i-1)
		}
	}
	gens, err := r.generations(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var nums []int64
	for _, g := range gens {
		nums = append(nums, g.Number)
	}
	if fmt.Sprint(nums) != "[3 4 5]" {
		t.Errorf("generations kept: %v, want [3 4 5]", nums)
	}
	if n := runsIn(t, r); n != 5 {
		t.Errorf("the latest generation holds %d runs, want 5", n)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %q", warns)
	}
	// The lease was given back.
	if _, err := r.store.Stat(t.Context(), r.key(leaseObject)); !errors.Is(err, errObjectNotFound) {
		t.Errorf("lease after the runs: %v, want none", err)
	}
}

// TestRemoteLeaseHeld: while one run holds the lease, another is refused
// at once with the holder's start and host, matching ErrInUse (exit 3).
func TestRemoteLeaseHeld(t *testing.T) {
	u := dbURL(t)
	var warns []string
	first := remoteFor(t, u, RemoteOptions{}, &warns)
	co, err := first.checkout(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer co.Discard(context.Background())

	second := remoteFor(t, u, RemoteOptions{}, &warns)
	start := time.Now()
	_, err = second.checkout(t.Context(), 0)
	took := time.Since(start)
	host, _ := os.Hostname()
	switch {
	case err == nil:
		t.Fatal("a second run took the lease held by the first")
	case !errors.Is(err, ErrInUse) || linkvault.ErrorCode(err) != linkvault.EConflict:
		t.Errorf("error %v (code %s), want ErrInUse with code EConflict", err, linkvault.ErrorCode(err))
	case !strings.Contains(err.Error(), "is in use by another linkvault run (started ") || !strings.Contains(err.Error(), "host "+host):
		t.Errorf("error %q does not name the other run's start and host %s", err, host)
	}
	if took > 2*time.Second {
		t.Errorf("refused after %v, want within 2s", took)
	}
}

// putLease writes a lease object as another runner would have.
func putLease(t *testing.T, r *remoteDB, b leaseBody) {
	t.Helper()
	data, _ := json.Marshal(b)
	if _, err := r.store.Create(t.Context(), r.key(leaseObject), data, nil); err != nil {
		t.Fatal(err)
	}
}

// TestRemoteLeaseExpired: a lease left by a run that crashed (not renewed
// past its expiry) is taken over with a warning naming that run.
func TestRemoteLeaseExpired(t *testing.T) {
	u := dbURL(t)
	var warns []string
	r := remoteFor(t, u, RemoteOptions{}, &warns)
	runOnce(t, r, "https://example.com/a")
	crashed := time.Now().Add(-time.Hour)
	putLease(t, r, leaseBody{Host: "runner-7", PID: 4242, Started: crashed, Renewed: crashed, Expires: crashed.Add(10 * time.Minute)})

	g := runOnce(t, r, "https://example.com/b")
	if g.Number != 2 {
		t.Errorf("the run after the take-over made generation %d, want 2", g.Number)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "took over the lease of a run that did not finish (started ") ||
		!strings.Contains(warns[0], "host runner-7, pid 4242") {
		t.Errorf("warnings %q, want one about taking over runner-7's lease", warns)
	}

	// A lease that has not expired is not taken over.
	warns = nil
	putLease(t, r, leaseBody{Host: "runner-8", Started: time.Now(), Renewed: time.Now(), Expires: time.Now().Add(time.Minute)})
	if _, err := r.checkout(t.Context(), 0); !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "host runner-8") {
		t.Errorf("checkout with a live lease: %v, want in use by runner-8", err)
	}
}

// TestRemoteLeaseRenewed: a run longer than the lease keeps it, since it
// renews it; a run whose lease was taken over refuses to upload.
func TestRemoteLeaseRenewed(t *testing.T) {
	u := dbURL(t)
	var warns []string
	const lease = 1500 * time.Millisecond
	r := remoteFor(t, u, RemoteOptions{Lease: lease}, &warns)
	co, err := r.checkout(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * lease)
	other := remoteFor(t, u, RemoteOptions{Lease: lease}, &warns)
	if _, err := other.checkout(t.Context(), 0); !errors.Is(err, ErrInUse) {
		t.Fatalf("after twice the lease, another run got: %v; want in use (the lease is renewed)", err)
	}

	// Another run replaces the lease (as after an expiry): this run has
	// lost it and must not upload.
	info, err := r.store.Stat(t.Context(), r.key(leaseObject))
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now()
	data, _ := json.Marshal(leaseBody{Host: "runner-9", Started: later, Renewed: later, Expires: later.Add(time.Hour)})
	if _, err := r.store.Replace(t.Context(), r.key(leaseObject), info.ETag, data, nil); err != nil {
		t.Fatal(err)
	}
	db, err := Open(co.Path(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = co.Commit(t.Context(), db)
	if err == nil || !strings.Contains(err.Error(), "another run took over this run's lease") {
		t.Errorf("Commit after losing the lease = %v, want refused", err)
	}
	kept, _ := co.Release(t.Context())
	if kept == "" || !fileExists(t, kept) {
		t.Errorf("Release kept %q, want the copy that was not uploaded", kept)
	}
	if ns, _ := r.numbers(t.Context()); len(ns) != 0 {
		t.Errorf("generations %v uploaded by a run without its lease", ns)
	}
	if _, err := r.store.Stat(t.Context(), r.key(leaseObject)); err != nil {
		t.Errorf("the other run's lease was deleted: %v", err)
	}
}

func fileExists(t *testing.T, p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// replaceObject overwrites a generation object with body, keeping its
// metadata, as damage in the bucket would.
func replaceObject(t *testing.T, r *remoteDB, n int64, body func([]byte) []byte) {
	t.Helper()
	ctx := t.Context()
	key := r.key(genObject(n))
	rc, info, err := r.store.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Replace(ctx, key, info.ETag, body(data), info.Meta); err != nil {
		t.Fatal(err)
	}
}

// TestRemoteDamagedGeneration: a generation cut short, altered, or
// holding a damaged database is refused, by writers and readers, with an
// error naming the previous generation; 'db restore' of that one makes
// the next run start from it.
func TestRemoteDamagedGeneration(t *testing.T) {
	unzstd := func(b []byte) []byte {
		d, _ := zstd.NewReader(nil)
		defer d.Close()
		out, err := d.DecodeAll(b, nil)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	rezstd := func(b []byte) []byte {
		e, _ := zstd.NewWriter(nil)
		return e.EncodeAll(b, nil)
	}
	cases := []struct {
		name   string
		damage func([]byte) []byte
		noMeta bool
		want   string
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }, false, "compressed stream is cut short or altered"},
		{"bit flipped", func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b }, false, "is damaged"},
		{"database cut short", func(b []byte) []byte { d := unzstd(b); return rezstd(d[:len(d)-4096]) }, false, "upload recorded"},
		{"database cut short, no metadata", func(b []byte) []byte { d := unzstd(b); return rezstd(d[:len(d)-4096]) }, true, "is damaged: "},
		{"root page overwritten, no metadata", func(b []byte) []byte {
			d := unzstd(b)
			m, err := readMeta(bytes.NewReader(d), int64(len(d)))
			if err != nil {
				t.Fatal(err)
			}
			ps := uint64(m.pageSize)
			for i := m.root * ps; i < (m.root+1)*ps; i++ {
				d[i] = byte(i * 7)
			}
			return rezstd(d)
		}, true, "is overwritten"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := dbURL(t)
			var warns []string
			r := remoteFor(t, u, RemoteOptions{}, &warns)
			runOnce(t, r, "https://example.com/a")
			runOnce(t, r, "https://example.com/b")
			replaceObject(t, r, 2, tc.damage)
			if tc.noMeta {
				rc, _, err := r.store.Get(t.Context(), r.key(genObject(2)))
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(rc)
				rc.Close()
				if err := r.store.Delete(t.Context(), r.key(genObject(2))); err != nil {
					t.Fatal(err)
				}
				if _, err := r.store.Create(t.Context(), r.key(genObject(2)), body, nil); err != nil {
					t.Fatal(err)
				}
			}

			for name, open := range map[string]func() error{
				"checkout": func() error { _, err := r.checkout(t.Context(), 0); return err },
				"fetch":    func() error { _, err := r.fetchTo(t.Context(), 0); return err },
			} {
				err := open()
				msg := fmt.Sprint(err)
				if !errors.Is(err, ErrDamaged) || linkvault.ErrorCode(err) != linkvault.EInternal ||
					!strings.Contains(msg, "generation 2 (") || !strings.Contains(msg, tc.want) ||
					!strings.Contains(msg, "the previous one is generation 1 (") || !strings.Contains(msg, "'linkvault db restore 1'") {
					t.Errorf("%s of a damaged generation: %v\nwant ErrDamaged (EInternal) saying %q and naming generation 1", name, err, tc.want)
				}
			}
			// The refused checkout gave its lease back.
			if _, err := r.store.Stat(t.Context(), r.key(leaseObject)); !errors.Is(err, errObjectNotFound) {
				t.Errorf("lease after a refused checkout: %v, want none", err)
			}

			g, err := r.restore(t.Context(), 1)
			if err != nil || g.Number != 3 || g.From != 1 || g.Command != "restore 1" {
				t.Fatalf("restore 1 = %+v, %v; want generation 3 from 1", g, err)
			}
			if n := runsIn(t, r); n != 1 {
				t.Errorf("after restoring generation 1, the latest holds %d runs, want 1", n)
			}
			if g := runOnce(t, r, "https://example.com/c"); g.Number != 4 || g.From != 3 {
				t.Errorf("the run after the restore made %+v, want generation 4 from 3", g)
			}
			if n := runsIn(t, r); n != 2 {
				t.Errorf("the run after the restore left %d runs, want 2", n)
			}
		})
	}
}
