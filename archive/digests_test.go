package archive

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/nlnwa/gowarc/v3"
	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// checkCrossRevisit asserts that c is an identical-payload-digest revisit
// of orig (another URL) whose record names orig's URL and date, and whose
// payload reads back as body.
func checkCrossRevisit(t *testing.T, env *captureEnv, c, orig linkvault.Capture, body []byte) {
	t.Helper()
	if !c.Revisit || !c.RefersTo.Equal(orig.Time) || c.RefersToURL != orig.URL {
		t.Errorf("%s: Revisit, RefersTo, RefersToURL = %v, %v, %q; want true, %v, %q", c.URL, c.Revisit, c.RefersTo, c.RefersToURL, orig.Time, orig.URL)
	}
	got, _ := readPayload(t, env.dir, c)
	if !bytes.Equal(got, body) {
		t.Errorf("%s: payload sha256 %s, want %s", c.URL, sum(got), sum(body))
	}
	rec, err := readRecord(env.dir, c.File, c.Offset)
	if err != nil {
		t.Fatalf("readRecord: %v", err)
	}
	defer rec.Close()
	h := rec.Header
	if rec.Type != "revisit" || h.Get(gowarc.WarcProfile) != gowarc.ProfileIdenticalPayloadDigestV1_1 ||
		h.Get(gowarc.WarcRefersToTargetURI) != orig.URL || h.Get(gowarc.WarcRefersToDate) != warcDate(orig.Time) ||
		h.Get(gowarc.WarcTargetURI) != c.URL {
		t.Errorf("%s: record %s, profile %q, refers to %q at %q; want a revisit of %s at %s",
			c.URL, rec.Type, h.Get(gowarc.WarcProfile), h.Get(gowarc.WarcRefersToTargetURI),
			h.Get(gowarc.WarcRefersToDate), orig.URL, warcDate(orig.Time))
	}
}

// TestCaptureDedupAcrossURLs: a payload already stored under another URL
// (a shared stylesheet under two query strings, a CDN file on two hosts)
// is stored once; later copies are revisits that read back its bytes.
func TestCaptureDedupAcrossURLs(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{})
	css := append([]byte("body{font-family:serif}\n"), randomBytes(3, 64<<10)...)
	c1 := mustCapture(t, env.a, newExchange("https://a.example/site.css?v=1", day1, "text/css", css))
	size1 := dirSize(t, env.dir)
	c2 := mustCapture(t, env.a, newExchange("https://a.example/site.css?v=2", day1.Add(time.Hour), "text/css", css))
	growth := dirSize(t, env.dir) - size1
	c3 := mustCapture(t, env.a, newExchange("https://cdn.example/site.css", day1.Add(24*time.Hour), "text/css", css))

	if c1.Revisit {
		t.Errorf("first capture is a revisit")
	}
	checkCrossRevisit(t, env, c2, c1, css)
	checkCrossRevisit(t, env, c3, c1, css)
	t.Logf("archive growth for the same 64 KiB payload under a second URL: %d bytes", growth)
	if growth > 1024 {
		t.Errorf("a second URL with the same payload grew the archive by %d bytes, want ≤ 1024 (no payload)", growth)
	}
	// The URL's own next unchanged capture still refers to the original.
	c4 := mustCapture(t, env.a, newExchange("https://a.example/site.css?v=2", day1.Add(48*time.Hour), "text/css", css))
	checkCrossRevisit(t, env, c4, c1, css)

	// An empty payload is not deduplicated (its revisit would save nothing).
	e1 := mustCapture(t, env.a, newExchange("https://a.example/empty1", day1, "text/plain", nil))
	e2 := mustCapture(t, env.a, newExchange("https://a.example/empty2", day1, "text/plain", nil))
	if e1.Revisit || e2.Revisit {
		t.Errorf("empty payloads: Revisit = %v, %v; want false, false", e1.Revisit, e2.Revisit)
	}
}

// TestCaptureDedupTruncatedNotOrigin: a truncated record never becomes the
// origin of a payload (its bytes are not the resource's).
func TestCaptureDedupTruncatedNotOrigin(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{})
	body := randomBytes(4, 4<<10)
	ex := newExchange("https://a.example/big.bin", day1, "application/octet-stream", body)
	ex.Truncated = true
	mustCapture(t, env.a, ex)
	c2 := mustCapture(t, env.a, newExchange("https://b.example/big.bin", day1.Add(time.Hour), "application/octet-stream", body))
	if c2.Revisit {
		t.Errorf("capture is a revisit of a truncated record")
	}
}

// TestCaptureDedupOldDatabase: a database from before the digest index
// (captures, no digests bucket) still deduplicates against the payloads
// it holds, and fills the index on the next capture.
func TestCaptureDedupOldDatabase(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{})
	font := randomBytes(5, 16<<10)
	img := randomBytes(6, 16<<10)
	c1 := mustCapture(t, env.a, newExchange("https://a.example/f.woff2", day1, "font/woff2", font))
	i1 := mustCapture(t, env.a, newExchange("https://a.example/i.png", day1, "image/png", img))
	if err := env.db.update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketDigests) }); err != nil {
		t.Fatalf("drop digests bucket: %v", err)
	}
	c2 := mustCapture(t, env.a, newExchange("https://b.example/f.woff2", day1.Add(time.Hour), "font/woff2", font))
	checkCrossRevisit(t, env, c2, c1, font)
	// c2 created the bucket: it holds i1, captured before it existed.
	var ok bool
	if err := env.db.view(func(tx *bolt.Tx) error {
		ok = tx.Bucket(bucketDigests) != nil && tx.Bucket(bucketDigests).Get([]byte(i1.Digest)) != nil
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Errorf("digest index was not filled from the captures of the old database")
	}
	i2 := mustCapture(t, env.a, newExchange("https://b.example/i.png", day1.Add(time.Hour), "image/png", img))
	checkCrossRevisit(t, env, i2, i1, img)
}

// TestCaptureDedupAfterGC: GC (history pruning and compaction) keeps the
// digest index, and its entries still point at readable records.
func TestCaptureDedupAfterGC(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{})
	css := randomBytes(9, 8<<10)
	c1 := mustCapture(t, env.a, newExchange("https://a.example/s.css", day1, "text/css", css))
	if _, err := env.db.GC(context.Background(), 0); err != nil {
		t.Fatalf("GC: %v", err)
	}
	c2 := mustCapture(t, env.a, newExchange("https://b.example/s.css", day1.Add(time.Hour), "text/css", css))
	checkCrossRevisit(t, env, c2, c1, css)
}
