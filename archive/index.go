package archive

// The capture index: bucket "captures", key URL + 0x00 + capture time
// (big-endian Unix nanoseconds, sign bit flipped so that keys sort by
// time), value indexEntry in the compact encoding of entrycodec.go (JSON
// in databases written before it, still read). A capture of a redirected
// link is indexed under its final URL (the WARC-Target-URI) and, as an
// alias, under the link's canonical URL: the same entry, whose value there
// also holds the final URL (under the final URL the key says it).

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// bucketCaptures is the top-level bucket of the capture index.
var bucketCaptures = []byte("captures")

// indexEntry is the value of an index key: the public Capture plus what
// revisits need to find the record holding the payload.
type indexEntry struct {
	linkvault.Capture
	RecordID string `json:"record_id"`
	// For revisits: the response record holding the payload.
	RefFile     string `json:"ref_file,omitempty"`
	RefOffset   int64  `json:"ref_offset,omitempty"`
	RefRecordID string `json:"ref_record_id,omitempty"`
	RefURL      string `json:"ref_url,omitempty"`
	// RecordStatus is the status in the record's own HTTP head when it
	// differs from HTTPStatus (304 for a server-not-modified revisit).
	RecordStatus int `json:"record_status,omitempty"`
}

// original returns where the payload of e is: e itself, or the record its
// revisit refers to.
func (e indexEntry) original() (file string, offset int64, recordID, uri string, at time.Time) {
	if e.Revisit {
		return e.RefFile, e.RefOffset, e.RefRecordID, e.RefURL, e.RefersTo
	}
	return e.File, e.Offset, e.RecordID, e.URL, e.Time
}

// urlPrefix is the key prefix of every capture of u.
func urlPrefix(u string) []byte {
	return append([]byte(u), 0)
}

// captureKey is the index key of a capture of u at t.
func captureKey(u string, t time.Time) []byte {
	k := urlPrefix(u)
	return binary.BigEndian.AppendUint64(k, uint64(t.UnixNano())^(1<<63))
}

// captureKeyTime is the time of the capture key k of u (see captureKey);
// false when k is not one.
func captureKeyTime(k []byte, u string) (time.Time, bool) {
	if len(k) != len(u)+1+8 {
		return time.Time{}, false
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(k[len(u)+1:])^(1<<63))).UTC(), true
}

// keyURL returns the URL part of an index key.
func keyURL(k []byte) string {
	if i := bytes.IndexByte(k, 0); i >= 0 {
		return string(k[:i])
	}
	return string(k)
}

// lastEntry returns the latest capture indexed under u.
func (db *DB) lastEntry(u string) (e indexEntry, ok bool, err error) {
	err = db.view(func(tx *bolt.Tx) error {
		k, v := lastInBucket(tx.Bucket(bucketCaptures), urlPrefix(u))
		if v == nil {
			return nil
		}
		e, err = decodeEntry(k, v)
		ok = err == nil
		return err
	})
	return e, ok, err
}

// entries returns every capture indexed under u, oldest first.
func (db *DB) entries(u string) ([]indexEntry, error) {
	var out []indexEntry
	err := db.view(func(tx *bolt.Tx) error {
		return scanPrefix(tx.Bucket(bucketCaptures), urlPrefix(u), func(k, v []byte) error {
			e, err := decodeEntry(k, v)
			if err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	return out, err
}

// putEntry indexes e under each of keys (URLs) and returns e with its Time
// possibly moved forward by nanoseconds so that it does not overwrite an
// existing capture of the same instant. In the same transaction, a full
// response becomes the origin of its payload digest when it is the first
// (see digests.go).
func (db *DB) putEntry(e indexEntry, urls ...string) (indexEntry, error) {
	err := db.update(func(tx *bolt.Tx) error {
		b, err := createBucket(tx, bucketCaptures)
		if err != nil {
			return err
		}
		for free := false; !free; {
			free = true
			for _, u := range urls {
				if b.Get(captureKey(u, e.Time)) != nil {
					e.Time = e.Time.Add(time.Nanosecond)
					free = false
					break
				}
			}
		}
		for _, u := range urls {
			// The value under an alias keeps e.URL; under e.URL it omits it.
			v, err := encodeEntry(nil, u, &e)
			if err != nil {
				return err
			}
			if err := b.Put(captureKey(u, e.Time), v); err != nil {
				return fmt.Errorf("archive: put: %w", err)
			}
		}
		return putDigest(tx, e)
	})
	return e, err
}

// forEachEntry calls fn for every index entry in key order; alias reports
// whether the key is an alias (a link URL that redirected to e.URL).
func (db *DB) forEachEntry(fn func(key string, e indexEntry) error) error {
	return db.view(func(tx *bolt.Tx) error { return eachEntry(tx, fn) })
}

// eachEntry calls fn for every index entry of tx in key order, with the
// URL of its key (the entry's own URL, or a link URL redirected to it).
func eachEntry(tx *bolt.Tx, fn func(key string, e indexEntry) error) error {
	b := tx.Bucket(bucketCaptures)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		e, err := decodeEntry(k, v)
		if err != nil {
			return err
		}
		return fn(keyURL(k), e)
	})
}

// Captures returns the captures of url, oldest first; none is not an error.
// url is matched exactly: a capture's final URL or the canonical URL of the
// link whose fetch was redirected to it.
func (db *DB) Captures(url string) ([]linkvault.Capture, error) {
	es, err := db.entries(url)
	if err != nil {
		return nil, err
	}
	out := make([]linkvault.Capture, len(es))
	for i, e := range es {
		out[i] = e.Capture
	}
	return out, nil
}

// CaptureAt returns the capture of url closest at or before at, the latest
// one when at is zero. When there is none the error is a *linkvault.Error
// with code linkvault.ENotFound.
func (db *DB) CaptureAt(url string, at time.Time) (linkvault.Capture, error) {
	e, err := db.entryAt(url, at)
	return e.Capture, err
}

// entryAt is CaptureAt returning the whole index entry.
func (db *DB) entryAt(url string, at time.Time) (indexEntry, error) {
	var (
		found bool
		e     indexEntry
	)
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCaptures)
		var k, v []byte // valid only in this transaction
		if at.IsZero() {
			k, v = lastInBucket(b, urlPrefix(url))
		} else {
			limit := captureKey(url, at)
			err := scanPrefix(b, urlPrefix(url), func(key, val []byte) error {
				if bytes.Compare(key, limit) > 0 {
					return errStopScan
				}
				k, v = key, val
				return nil
			})
			if err != nil {
				return err
			}
		}
		if v == nil {
			return nil
		}
		var err error
		e, err = decodeEntry(k, v)
		found = err == nil
		return err
	})
	if err != nil {
		return e, err
	}
	if !found {
		if at.IsZero() {
			return e, linkvault.Errorf(linkvault.ENotFound, "no archived copy of %s", url)
		}
		return e, linkvault.Errorf(linkvault.ENotFound, "no archived copy of %s at or before %s",
			url, at.UTC().Format(time.RFC3339))
	}
	return e, nil
}

// CaptureNear returns the capture of url closest to m: the latest one
// within m or before it (the copy as it was then), else the first one
// after it. A capture taken at 12:00:00.4 is within "20261105120000".
// When url has no capture the error is a *linkvault.Error with code
// linkvault.ENotFound.
func (db *DB) CaptureNear(url string, m linkvault.Moment) (linkvault.Capture, error) {
	e, err := db.entryNear(url, m)
	return e.Capture, err
}

// entryNear is CaptureNear returning the whole index entry.
func (db *DB) entryNear(url string, m linkvault.Moment) (indexEntry, error) {
	e, ok, err := db.nearestEntry(url, m.End.Add(-time.Nanosecond))
	if err == nil && !ok {
		err = linkvault.Errorf(linkvault.ENotFound, "no archived copy of %s", url)
	}
	return e, err
}

// HasCapture reports whether url has at least one capture.
func (db *DB) HasCapture(url string) (bool, error) {
	var ok bool
	err := db.view(func(tx *bolt.Tx) error {
		k, _ := lastInBucket(tx.Bucket(bucketCaptures), urlPrefix(url))
		ok = k != nil
		return nil
	})
	return ok, err
}

// nearestEntry returns the capture of url closest to at: the latest at or
// before it, else the earliest after it. ok is false when url has none.
func (db *DB) nearestEntry(url string, at time.Time) (e indexEntry, ok bool, err error) {
	limit := captureKey(url, at)
	err = db.view(func(tx *bolt.Tx) error {
		var before, after [2][]byte // key and value, valid only in this transaction
		err := scanPrefix(tx.Bucket(bucketCaptures), urlPrefix(url), func(k, v []byte) error {
			if bytes.Compare(k, limit) > 0 {
				after = [2][]byte{k, v}
				return errStopScan
			}
			before = [2][]byte{k, v}
			return nil
		})
		kv := before
		if kv[1] == nil {
			kv = after
		}
		if err != nil || kv[1] == nil {
			return err
		}
		e, err = decodeEntry(kv[0], kv[1])
		ok = err == nil
		return err
	})
	return e, ok, err
}
