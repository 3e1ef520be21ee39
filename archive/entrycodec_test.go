package archive

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// codecTime is a capture time with nanoseconds, as the index keeps them.
var codecTime = time.Date(2026, 12, 2, 18, 52, 3, 123456789, time.UTC)

const (
	codecID     = "urn:uuid:0c3f5e2a-9b1d-4e7f-8a6b-2d4c6e8f0a1b"
	codecRefID  = "urn:uuid:7d9e1f3a-5b2c-4d8e-9f0a-1b3c5d7e9f2a"
	codecSHA256 = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	codecSHA1   = "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ" // as gowarc writes sha1
	codecFile   = "linkvault-20261202185203-00001-a1b2c3d4.warc.gz"
)

// codecCases are index entries with every field and the URLs they are
// indexed under (the first is e.URL unless the case says otherwise).
var codecCases = []struct {
	name string
	e    indexEntry
	urls []string
}{
	{"page", indexEntry{Capture: linkvault.Capture{
		URL: "https://example.com/page", Time: codecTime, File: codecFile, Offset: 123456789,
		Length: 4321, Digest: codecSHA256, HTTPStatus: 200, ContentType: "text/html; charset=utf-8",
		Title: "链接检查的标题", TextHash: 0xfedcba9876543210, Size: 98765,
	}, RecordID: codecID}, []string{"https://example.com/page"}},
	{"revisit of the same URL", indexEntry{Capture: linkvault.Capture{
		URL: "https://example.com/page", Time: codecTime, File: codecFile, Offset: 500, Length: 600,
		Digest: codecSHA256, HTTPStatus: 200, ContentType: "text/html", Size: 98765,
		Revisit: true, RefersTo: codecTime.Add(-48 * time.Hour),
	}, RecordID: codecID, RefFile: "linkvault-20261130-00001-ffffffff.warc.gz", RefOffset: 77,
		RefRecordID: codecRefID, RefURL: "https://example.com/page"}, []string{"https://example.com/page"}},
	{"revisit of another URL", indexEntry{Capture: linkvault.Capture{
		URL: "https://a.example/site.css?v=2", Time: codecTime, File: codecFile, Offset: 9, Length: 700,
		Digest: codecSHA256, HTTPStatus: 200, ContentType: "text/css", Size: 65560,
		Revisit: true, RefersTo: codecTime.Add(-time.Hour), RefersToURL: "https://a.example/site.css?v=1",
	}, RecordID: codecID, RefFile: codecFile, RefOffset: 0, RefRecordID: codecRefID,
		RefURL: "https://a.example/site.css?v=1"}, []string{"https://a.example/site.css?v=2"}},
	{"304 revisit", indexEntry{Capture: linkvault.Capture{
		URL: "https://example.com/page", Time: codecTime, File: codecFile, Offset: 1, Length: 2,
		Digest: codecSHA256, HTTPStatus: 200, Revisit: true, RefersTo: codecTime.Add(-time.Minute),
	}, RecordID: codecID, RefFile: codecFile, RefRecordID: codecRefID, RefURL: "https://example.com/page",
		RecordStatus: 304}, []string{"https://example.com/page"}},
	{"redirected: final URL and alias", indexEntry{Capture: linkvault.Capture{
		URL: "https://example.com/new", Time: codecTime, File: codecFile, Offset: 10, Length: 20,
		Digest: codecSHA256, HTTPStatus: 200, ContentType: "text/html", Size: 5,
	}, RecordID: codecID}, []string{"https://example.com/new", "https://example.com/old"}},
	{"truncated", indexEntry{Capture: linkvault.Capture{
		URL: "https://example.com/big.iso", Time: codecTime, File: codecFile, Offset: 3, Length: 1 << 40,
		Digest: codecSHA1, HTTPStatus: 206, ContentType: "application/octet-stream", Size: 1 << 33, Truncated: true,
	}, RecordID: codecID}, []string{"https://example.com/big.iso"}},
	{"empty optional fields", indexEntry{Capture: linkvault.Capture{
		URL: "https://example.com/empty", Time: codecTime,
	}}, []string{"https://example.com/empty"}},
	{"odd record ids and digests", indexEntry{Capture: linkvault.Capture{
		URL: "https://example.com/odd", Time: codecTime, File: "x.warc", Offset: -1, Length: -2,
		Digest: "SHA256:" + strings.ToUpper(codecSHA256[7:]), HTTPStatus: -1, Size: -3,
		RefersTo: time.Unix(0, 0).UTC(),
	}, RecordID: "<urn:uuid:not-a-uuid>", RefRecordID: strings.ToUpper(codecRefID),
		RefURL: "https://example.com/odd"}, []string{"https://example.com/odd"}},
	{"bracketed uuid, uppercase hex digest, short sha1", indexEntry{Capture: linkvault.Capture{
		URL: "https://example.com/b", Time: codecTime, Digest: "sha256:" + strings.ToUpper(codecSHA256[7:]),
	}, RecordID: "<" + codecID + ">", RefRecordID: "urn:uuid:", RefFile: "f"}, []string{"https://example.com/b"}},
	{"digest forms that do not round trip", indexEntry{Capture: linkvault.Capture{
		URL: "https://example.com/c", Time: codecTime, Digest: "sha1:" + strings.ToLower(codecSHA1[5:]),
	}, RecordID: codecID + "x", RefRecordID: "urn:uuid:0C3F5E2A-9B1D-4E7F-8A6B-2D4C6E8F0A1B",
		RefURL: "u"}, []string{"https://example.com/c"}},
	{"other digest algorithms", indexEntry{Capture: linkvault.Capture{
		URL: "https://example.com/d", Time: codecTime, Digest: "md5:d41d8cd98f00b204e9800998ecf8427e",
	}, RecordID: "x"}, []string{"https://example.com/d"}},
	{"sha256 cut short", indexEntry{Capture: linkvault.Capture{
		URL: "https://example.com/e", Time: codecTime, Digest: codecSHA256[:40],
	}}, []string{"https://example.com/e"}},
}

// rawEntries returns the values of the capture index by key.
func rawEntries(t *testing.T, db *DB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCaptures).ForEach(func(k, v []byte) error {
			out[string(k)] = bytes.Clone(v)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEntryRoundTrip indexes entries with every field (revisits with their
// reference, aliases, truncated, empty, odd ids and digests) and reads
// them back: each value is compact, and decodes to the entry put, under
// the final URL and under the alias.
func TestEntryRoundTrip(t *testing.T) {
	for _, tt := range codecCases {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			got, err := db.putEntry(tt.e, tt.urls...)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.e) {
				t.Fatalf("putEntry returned %+v, want %+v", got, tt.e)
			}
			raw := rawEntries(t, db)
			if len(raw) != len(tt.urls) {
				t.Fatalf("%d keys, want %d", len(raw), len(tt.urls))
			}
			for _, u := range tt.urls {
				k := captureKey(u, tt.e.Time)
				v := raw[string(k)]
				if len(v) == 0 || v[0] != valueV1 {
					t.Errorf("value under %s = %q, want the compact encoding", u, v)
				}
				if alias := u != tt.e.URL; len(v) > 1 && alias != (v[1]&entryURL != 0) {
					t.Errorf("value under %s holds the URL %s: %v, want %v", u, tt.e.URL, !alias, alias)
				}
				es, err := db.entries(u)
				if err != nil || len(es) != 1 || !reflect.DeepEqual(es[0], tt.e) {
					t.Errorf("entries(%s) = %+v, %v\nwant %+v", u, es, err, tt.e)
				}
			}
			var n int
			err = db.forEachEntry(func(key string, e indexEntry) error {
				n++
				if !reflect.DeepEqual(e, tt.e) {
					t.Errorf("forEachEntry under %s: %+v\nwant %+v", key, e, tt.e)
				}
				return nil
			})
			if err != nil || n != len(tt.urls) {
				t.Errorf("forEachEntry: %d entries, %v", n, err)
			}
		})
	}
}

// TestEntryNanosecondBump: a capture of an instant already indexed under
// the URL or its alias moves on by a nanosecond, and the value under the
// new key reads back with that time (the time is the key's).
func TestEntryNanosecondBump(t *testing.T) {
	db := MustOpenDB(t)
	first := codecCases[0].e
	first.URL = "https://example.com/old"
	if _, err := db.putEntry(first, first.URL); err != nil {
		t.Fatal(err)
	}
	e := codecCases[4].e // final URL and alias; the alias has a capture at that instant
	got, err := db.putEntry(e, codecCases[4].urls...)
	if err != nil {
		t.Fatal(err)
	}
	if want := e.Time.Add(time.Nanosecond); !got.Time.Equal(want) {
		t.Fatalf("Time = %v, want %v", got.Time, want)
	}
	for _, u := range codecCases[4].urls {
		es, err := db.entries(u)
		if err != nil {
			t.Fatal(err)
		}
		if last := es[len(es)-1]; !reflect.DeepEqual(last, got) {
			t.Errorf("latest entry under %s = %+v, want %+v", u, last, got)
		}
	}
}

// goldenEntry is codecCases[1] (a revisit), as encodeEntry writes it: the
// format of databases on disk, which later versions must go on reading.
var goldenEntry = "01" + // version
	"71" + // flags: revisit, refers to, ref, ref URL the entry's
	"2f" + hex.EncodeToString([]byte(codecFile)) + // file
	"e807" + "b009" + // offset 500, length 600
	"01" + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" + // sha256
	"9003" + // http status 200
	"02" + // content type: contentTypes[1], text/html
	"00" + // title
	"9a870c" + // size 98765
	"01" + "0c3f5e2a9b1d4e7f8a6b2d4c6e8f0a1b" + // record id
	"00" + // record status
	"aaac92f6b0d6f3ec31" + // refers to: 2026-11-30T18:52:03.123456789Z
	"00" + // refers_to_url
	"29" + hex.EncodeToString([]byte("linkvault-20261130-00001-ffffffff.warc.gz")) + // ref file
	"9a01" + // ref offset 77
	"01" + "7d9e1f3a5b2c4d8e9f0a1b3c5d7e9f2a" // ref record id

// TestEntryFormat: values written by earlier versions (JSON) and by this
// one (goldenEntry) both read back, side by side under one URL, and
// encodeEntry still writes goldenEntry.
func TestEntryFormat(t *testing.T) {
	tt := codecCases[1]
	golden, _ := hex.DecodeString(goldenEntry)
	if got, err := encodeEntry(nil, tt.e.URL, &tt.e); err != nil || !bytes.Equal(got, golden) {
		t.Errorf("encodeEntry = %x, %v\nwant %s", got, err, goldenEntry)
	}
	old := codecCases[0].e
	old.Time = codecTime.Add(-24 * time.Hour)
	oldJSON, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	db := MustOpenDB(t)
	err = db.update(func(tx *bolt.Tx) error {
		b, err := createBucket(tx, bucketCaptures)
		if err != nil {
			return err
		}
		if err := b.Put(captureKey(old.URL, old.Time), oldJSON); err != nil {
			return err
		}
		return b.Put(captureKey(tt.e.URL, tt.e.Time), golden)
	})
	if err != nil {
		t.Fatal(err)
	}
	es, err := db.entries(tt.e.URL)
	if err != nil || len(es) != 2 || !reflect.DeepEqual(es[0], old) || !reflect.DeepEqual(es[1], tt.e) {
		t.Fatalf("entries = %+v, %v\nwant %+v\nand  %+v", es, err, old, tt.e)
	}
	c, err := db.CaptureAt(old.URL, old.Time.Add(time.Hour))
	if err != nil || !reflect.DeepEqual(c, old.Capture) {
		t.Errorf("CaptureAt = %+v, %v; want %+v", c, err, old.Capture)
	}
	e, ok, err := db.nearestEntry(tt.e.URL, tt.e.Time.Add(time.Hour))
	if err != nil || !ok || !reflect.DeepEqual(e, tt.e) {
		t.Errorf("nearestEntry = %+v, %v, %v; want %+v", e, ok, err, tt.e)
	}
}

// TestDigestEntryFormat: the digest index's values are compact, read back
// as put, and values written by earlier versions (JSON) still read.
func TestDigestEntryFormat(t *testing.T) {
	db := MustOpenDB(t)
	e := codecCases[0].e
	if _, err := db.putEntry(e, e.URL); err != nil {
		t.Fatal(err)
	}
	old := digestEntry{File: "old.warc.gz", Offset: 42, RecordID: codecRefID, URL: "https://example.com/older",
		Time: codecTime.Add(-time.Hour)}
	const oldDigest = "sha1:" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	oldJSON, _ := json.Marshal(old)
	var v []byte
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDigests)
		v = bytes.Clone(b.Get([]byte(e.Digest)))
		return b.Put([]byte(oldDigest), oldJSON)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(v) == 0 || v[0] != valueV1 {
		t.Errorf("digest value = %q, want the compact encoding", v)
	}
	if json := len(mustJSON(t, digestEntry{e.File, e.Offset, e.RecordID, e.URL, e.Time})); len(v)*2 > json {
		t.Errorf("digest value of %d bytes, over half its JSON (%d)", len(v), json)
	}
	for _, tt := range []struct {
		digest string
		want   digestEntry
	}{
		{e.Digest, digestEntry{e.File, e.Offset, e.RecordID, e.URL, e.Time}},
		{oldDigest, old},
	} {
		got, ok, err := db.digestOrigin(tt.digest)
		w := tt.want
		if err != nil || !ok || got.File != w.File || got.Offset != w.Offset || got.RecordID != w.RecordID ||
			got.URL != w.URL || !got.Time.Equal(w.Time) || got.Time.Location() != time.UTC || got.Digest != tt.digest {
			t.Errorf("digestOrigin(%s) = %+v, %v, %v; want %+v", tt.digest, got, ok, err, w)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestDamagedEntry: a damaged compact value is an error naming its key,
// through every query of the index.
func TestDamagedEntry(t *testing.T) {
	e := codecCases[0].e
	golden, _ := hex.DecodeString(goldenEntry)
	page, err := encodeEntry(nil, e.URL, &e)
	if err != nil || page[1] != entryTextHash {
		t.Fatalf("encodeEntry = %x, %v", page, err)
	}
	// Values that would read but for their flags: one this version does
	// not know (0x80, a two-byte uvarint), a reference's URL without a
	// reference.
	unknownFlag := append([]byte{valueV1, page[1] | 0x80, 0x01}, page[2:]...)
	refURLWithoutRef := append([]byte{valueV1, page[1] | entryRefURL}, page[2:]...)
	for _, v := range [][]byte{
		{valueV1},
		golden[:len(golden)-1],
		append(bytes.Clone(golden), 0),
		unknownFlag,
		refURLWithoutRef,
	} {
		db := MustOpenDB(t)
		err := db.update(func(tx *bolt.Tx) error {
			b, err := createBucket(tx, bucketCaptures)
			if err != nil {
				return err
			}
			return b.Put(captureKey(e.URL, e.Time), v)
		})
		if err != nil {
			t.Fatal(err)
		}
		want := "archive: index entry " + e.URL + " at 2026-12-02T18:52:03.123456789Z: corrupt value"
		_, err1 := db.Captures(e.URL)
		_, err2 := db.CaptureAt(e.URL, time.Time{})
		_, err3 := db.CaptureNear(e.URL, linkvault.Moment{End: codecTime.Add(time.Hour)})
		err4 := db.forEachEntry(func(string, indexEntry) error { return nil })
		_, _, err5 := db.lastEntry(e.URL)
		for i, err := range []error{err1, err2, err3, err4, err5} {
			if err == nil || err.Error() != want {
				t.Errorf("value %x: query %d: %v, want %s", v, i+1, err, want)
			}
		}
	}
}

// TestEntrySize: an entry shaped like those of the budgeted night (a URL
// of ~45 bytes, a WARC file name, a sha256 digest, a title of 40 Chinese
// characters, a content type) takes at most 45 % of its JSON.
func TestEntrySize(t *testing.T) {
	e := indexEntry{Capture: linkvault.Capture{
		URL: "https://cdn.example.com/articles/2026/11/0042.html", Time: codecTime, File: codecFile,
		Offset: 48_123_456, Length: 5_321, Digest: codecSHA256, HTTPStatus: 200,
		ContentType: "text/html; charset=utf-8", Title: strings.Repeat("链接检查的标题", 6)[:40*3],
		TextHash: 0x1234567890abcdef, Size: 18_765,
	}, RecordID: codecID}
	if n := len([]rune(e.Title)); n != 40 || len(e.URL) < 45 {
		t.Fatalf("title of %d characters, URL of %d bytes", n, len(e.URL))
	}
	v, err := encodeEntry(nil, e.URL, &e)
	if err != nil {
		t.Fatal(err)
	}
	j := mustJSON(t, e)
	t.Logf("compact %d bytes, JSON %d bytes (%.0f %%)", len(v), len(j), 100*float64(len(v))/float64(len(j)))
	if len(v)*100 > len(j)*45 {
		t.Errorf("compact value of %d bytes, over 45 %% of its JSON (%d bytes)", len(v), len(j))
	}
}

// FuzzDecodeEntry decodes arbitrary keys and values: never a panic; an
// error names the key; what decodes encodes again to the same entry.
func FuzzDecodeEntry(f *testing.F) {
	for _, tt := range codecCases {
		for _, u := range tt.urls {
			v, err := encodeEntry(nil, u, &tt.e)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(captureKey(u, tt.e.Time), v)
		}
		j, _ := json.Marshal(tt.e)
		f.Add(captureKey(tt.e.URL, tt.e.Time), j)
	}
	f.Add([]byte("no key"), []byte{valueV1, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, k, v []byte) {
		e, err := decodeEntry(k, v)
		if err != nil {
			if !strings.Contains(err.Error(), describeKey(k)) {
				t.Fatalf("error %q does not name the key %s", err, describeKey(k))
			}
		} else if len(v) > 0 && v[0] == valueV1 {
			again, err := encodeEntry(nil, keyURL(k), &e)
			if err != nil {
				t.Fatalf("encodeEntry(%+v): %v", e, err)
			}
			e2, err := decodeEntry(k, again)
			if err != nil || !reflect.DeepEqual(e2, e) {
				t.Fatalf("decoded %+v\nencoded again and decoded %+v, %v", e, e2, err)
			}
		}
		de, err := decodeDigestEntry("sha256:x", v)
		if err != nil {
			if !strings.Contains(err.Error(), "digest entry sha256:x:") {
				t.Fatalf("error %q does not name the digest", err)
			}
		} else if len(v) > 0 && v[0] == valueV1 {
			again, err := encodeDigestEntry(nil, &de)
			if err != nil {
				t.Fatal(err)
			}
			if de2, err := decodeDigestEntry("sha256:x", again); err != nil || !reflect.DeepEqual(de2, de) {
				t.Fatalf("decoded %+v\nencoded again and decoded %+v, %v", de, de2, err)
			}
		}
	})
}
