package archive

// The digest index: bucket "digests", key the payload digest as written in
// WARC-Payload-Digest ("sha256:…"), value digestEntry (compact, see
// entrycodec.go; JSON in databases written before it) naming the
// first full response record that holds that payload. Capture looks a new
// payload up there when it differs from the URL's own last capture: a
// payload already stored under any URL (another page's copy of a shared
// stylesheet, site.css?v=1 and ?v=2, one CDN file linked from two hosts)
// is written as an identical-payload-digest revisit of that record.
//
// The entry is written in the transaction that indexes the capture, after
// the record is on disk, so it never names a record that is not wholly
// written. Records are never deleted (GC prunes the check history only and
// copies every bucket when it compacts), so an entry stays valid. A
// database from before the digest index has no such bucket: the first
// capture that writes one fills it from the capture index (one scan, once).

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketDigests is the top-level bucket of the digest index.
var bucketDigests = []byte("digests")

// digestEntry is where the first full response record of a payload is.
type digestEntry struct {
	File     string    `json:"file"`
	Offset   int64     `json:"offset"`
	RecordID string    `json:"record_id"`
	URL      string    `json:"url"`
	Time     time.Time `json:"time"`
}

// digestable reports whether e holds a payload worth pointing later
// captures at: a whole (not truncated), non-empty response record.
func digestable(e indexEntry) bool {
	return !e.Revisit && !e.Truncated && e.Digest != "" && e.Size > 0 && e.File != ""
}

// digestOrigin returns, as an index entry that revisitOf can refer to, the
// record first stored with payload digest d; ok is false when none is.
func (db *DB) digestOrigin(d string) (e indexEntry, ok bool, err error) {
	err = db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDigests)
		if b == nil {
			// A database from before the digest index: fall back to a
			// scan until a capture creates the bucket (putDigest).
			return originFromCaptures(tx, d, &e, &ok)
		}
		v := b.Get([]byte(d))
		if v == nil {
			return nil
		}
		de, err := decodeDigestEntry(d, v)
		if err != nil {
			return err
		}
		e = indexEntry{RecordID: de.RecordID}
		e.URL, e.Time, e.Digest, e.File, e.Offset = de.URL, de.Time, d, de.File, de.Offset
		ok = true
		return nil
	})
	return e, ok, err
}

// originFromCaptures finds the earliest digestable capture with digest d
// by scanning the capture index (databases without a digest bucket).
func originFromCaptures(tx *bolt.Tx, d string, out *indexEntry, ok *bool) error {
	return eachEntry(tx, func(key string, e indexEntry) error {
		if e.Digest == d && digestable(e) && key == e.URL && (!*ok || e.Time.Before(out.Time)) {
			*out, *ok = e, true
		}
		return nil
	})
}

// putDigest records e as the origin of its payload digest unless one is
// already recorded. Creating the bucket fills it from the capture index
// first, so a database from before the digest index loses no origin.
func putDigest(tx *bolt.Tx, e indexEntry) error {
	b := tx.Bucket(bucketDigests)
	if b == nil {
		var err error
		if b, err = createBucket(tx, bucketDigests); err != nil {
			return err
		}
		if err := fillDigests(tx, b); err != nil {
			return err
		}
	}
	return putDigestIn(b, e)
}

func putDigestIn(b *bolt.Bucket, e indexEntry) error {
	if !digestable(e) || b.Get([]byte(e.Digest)) != nil {
		return nil
	}
	v, err := encodeDigestEntry(nil, &digestEntry{File: e.File, Offset: e.Offset, RecordID: e.RecordID, URL: e.URL, Time: e.Time})
	if err != nil {
		return err
	}
	if err := b.Put([]byte(e.Digest), v); err != nil {
		return fmt.Errorf("archive: put digest: %w", err)
	}
	return nil
}

// fillDigests indexes the payload of every capture already in the capture
// index, the earliest capture of a payload winning.
func fillDigests(tx *bolt.Tx, b *bolt.Bucket) error {
	first := map[string]indexEntry{}
	err := eachEntry(tx, func(key string, e indexEntry) error {
		if !digestable(e) || key != e.URL {
			return nil
		}
		if f, seen := first[e.Digest]; !seen || e.Time.Before(f.Time) {
			first[e.Digest] = e
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range first {
		if err := putDigestIn(b, e); err != nil {
			return err
		}
	}
	return nil
}
