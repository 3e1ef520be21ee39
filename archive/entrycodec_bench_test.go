package archive

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// BenchmarkCaptureIndexBytes indexes four nights of captures shaped like
// the budgeted night's (2,500 URLs of ~45 bytes, a tenth of them reached
// through a redirect and so indexed under an alias too; pages with a
// title of 40 Chinese characters; night 1 full responses, later nights
// 70 % revisits of night 1 and 30 % changed pages) through putEntry, and
// reports the bytes per entry of the capture index (its values, and its
// leaf and branch pages as bbolt allocates them) and of the digest index.
// The time to build is not the measure.
func BenchmarkCaptureIndexBytes(b *testing.B) {
	const urls, nights = 2500, 4
	title := strings.Repeat("链接检查的标题", 6)[:40*3]
	for b.Loop() {
		b.StopTimer()
		db := MustOpenDB(b)
		db.bolt.NoSync = true
		night1 := make([]indexEntry, urls)
		b.StartTimer()
		for n := range nights {
			at := time.Date(2026, 11, 28+n, 2, 0, 0, 0, time.UTC)
			file := fmt.Sprintf("linkvault-%s-%05d-a1b2c3d4.warc.gz", at.Format(timestampLayout), 1)
			for i := range urls {
				u := fmt.Sprintf("https://host%04d.example.com/articles/2026/%05d.html", i%1000, i)
				e := indexEntry{Capture: linkvault.Capture{
					URL: u, Time: at.Add(time.Duration(i) * 7 * time.Millisecond), File: file,
					Offset: int64(i) * 6_151, Length: 6_151, Digest: fmt.Sprintf("sha256:%064x", n<<32|i),
					HTTPStatus: 200, ContentType: "text/html; charset=utf-8", Title: title,
					TextHash: linkvault.Fingerprint(uint64(i) * 0x9e3779b97f4a7c15), Size: 18_000 + int64(i),
				}, RecordID: fmt.Sprintf("urn:uuid:%08x-%04x-4%03x-8%03x-%012x", i, n, i%4096, n, i*n)}
				if n > 0 && i%10 < 7 {
					orig := night1[i]
					e.Digest, e.Title, e.TextHash, e.Size, e.Length = orig.Digest, orig.Title, orig.TextHash, orig.Size, 420
					e.Revisit, e.RefersTo = true, orig.Time
					e.RefFile, e.RefOffset, e.RefRecordID, e.RefURL = orig.File, orig.Offset, orig.RecordID, orig.URL
				}
				keys := []string{u}
				if i%10 == 9 {
					keys = append(keys, fmt.Sprintf("http://old%04d.example.com/a/%05d", i%1000, i))
				}
				e, err := db.putEntry(e, keys...)
				if err != nil {
					b.Fatal(err)
				}
				if n == 0 {
					night1[i] = e
				}
			}
		}
		b.StopTimer()
		var caps, digs bolt.BucketStats
		var values int
		err := db.view(func(tx *bolt.Tx) error {
			caps, digs = tx.Bucket(bucketCaptures).Stats(), tx.Bucket(bucketDigests).Stats()
			return tx.Bucket(bucketCaptures).ForEach(func(_, v []byte) error { values += len(v); return nil })
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(caps.KeyN), "entries")
		b.ReportMetric(float64(values)/float64(caps.KeyN), "value-B/entry")
		b.ReportMetric(float64(caps.LeafAlloc+caps.BranchAlloc)/float64(caps.KeyN), "page-B/entry")
		b.ReportMetric(float64(caps.LeafAlloc+caps.BranchAlloc)/(1<<20), "captures-MB")
		b.ReportMetric(float64(digs.LeafAlloc+digs.BranchAlloc)/float64(digs.KeyN), "digest-page-B/entry")
		b.StartTimer()
	}
}

// BenchmarkDecodeEntry decodes a page capture shaped like the budgeted
// night's (see TestEntrySize), compact and as the JSON of earlier
// versions.
func BenchmarkDecodeEntry(b *testing.B) {
	e := indexEntry{Capture: linkvault.Capture{
		URL: "https://cdn.example.com/articles/2026/11/0042.html", Time: codecTime, File: codecFile,
		Offset: 48_123_456, Length: 5_321, Digest: codecSHA256, HTTPStatus: 200,
		ContentType: "text/html; charset=utf-8", Title: strings.Repeat("链接检查的标题", 6)[:40*3],
		TextHash: 0x1234567890abcdef, Size: 18_765,
	}, RecordID: codecID}
	k := captureKey(e.URL, e.Time)
	compact, err := encodeEntry(nil, e.URL, &e)
	if err != nil {
		b.Fatal(err)
	}
	j, err := json.Marshal(e)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		v    []byte
	}{{"compact", compact}, {"json", j}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decodeEntry(k, bc.v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
