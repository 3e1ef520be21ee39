package archive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// bucket is a bucket of the database inside one transaction of updateBucket
// or viewBucket. It is valid only during that call. Every byte slice it
// returns or passes to a callback is a copy the caller may keep.
type bucket struct {
	b *bolt.Bucket
}

// Get returns a copy of the value of key, nil when there is none (or when
// key names a nested bucket).
func (b *bucket) Get(key []byte) []byte { return clone(b.b.Get(key)) }

// Put sets the value of key. It fails in a read-only transaction. Put
// copies key and value, so the caller may reuse them at once (bbolt itself
// would keep them until the commit).
func (b *bucket) Put(key, value []byte) error {
	if err := b.b.Put(clone(key), clone(value)); err != nil {
		return fmt.Errorf("archive: put: %w", err)
	}
	return nil
}

// Delete removes key; a missing key is not an error.
func (b *bucket) Delete(key []byte) error {
	if err := b.b.Delete(key); err != nil {
		return fmt.Errorf("archive: delete: %w", err)
	}
	return nil
}

// NextSequence returns the next value of the bucket's monotonic sequence
// (1, 2, …). It fails in a read-only transaction.
func (b *bucket) NextSequence() (uint64, error) {
	n, err := b.b.NextSequence()
	if err != nil {
		return 0, fmt.Errorf("archive: next sequence: %w", err)
	}
	return n, nil
}

// Writable reports whether the bucket belongs to a read-write transaction.
func (b *bucket) Writable() bool { return b.b.Writable() }

// ForEach calls fn for every key in order, with v nil for nested buckets.
// k and v are copies. The bucket must not be modified during ForEach.
func (b *bucket) ForEach(fn func(k, v []byte) error) error {
	return b.b.ForEach(func(k, v []byte) error { return fn(clone(k), clone(v)) })
}

// Scan calls fn, in key order, for every key that starts with prefix (all
// keys for an empty prefix). k and v are copies. Returning a non-nil error
// from fn stops the scan and returns that error.
func (b *bucket) Scan(prefix []byte, fn func(k, v []byte) error) error {
	c := b.b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if err := fn(clone(k), clone(v)); err != nil {
			return err
		}
	}
	return nil
}

// Last returns copies of the greatest key starting with prefix and of its
// value; nil, nil when no key has that prefix.
func (b *bucket) Last(prefix []byte) (k, v []byte) {
	k, v = lastWithPrefix(b.b.Cursor(), prefix)
	return clone(k), clone(v)
}

// lastWithPrefix positions c on the greatest key with prefix.
func lastWithPrefix(c *bolt.Cursor, prefix []byte) (k, v []byte) {
	if len(prefix) == 0 {
		return c.Last()
	}
	if end := prefixEnd(prefix); end != nil {
		k, _ = c.Seek(end)
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	} else {
		k, v = c.Last()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return nil, nil
	}
	return k, v
}

// prefixEnd returns the smallest key greater than every key with prefix,
// nil when there is none (prefix is all 0xff).
func prefixEnd(prefix []byte) []byte {
	end := clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// Bucket returns the nested bucket name, nil when it does not exist.
func (b *bucket) Bucket(name []byte) *bucket {
	nb := b.b.Bucket(name)
	if nb == nil {
		return nil
	}
	return &bucket{b: nb}
}

// CreateBucketIfNotExists returns the nested bucket name, creating it when
// needed (read-write transactions only).
func (b *bucket) CreateBucketIfNotExists(name []byte) (*bucket, error) {
	nb, err := b.b.CreateBucketIfNotExists(name)
	if err != nil {
		return nil, fmt.Errorf("archive: create bucket %q: %w", name, err)
	}
	return &bucket{b: nb}, nil
}

// DeleteBucket removes the nested bucket name and everything in it.
func (b *bucket) DeleteBucket(name []byte) error {
	if err := b.b.DeleteBucket(name); err != nil {
		return fmt.Errorf("archive: delete bucket %q: %w", name, err)
	}
	return nil
}

// updateBucket runs fn in a read-write transaction on the top-level bucket
// name, created when needed. The transaction commits when fn returns nil
// and rolls back otherwise. The names of the run history (meta, runs, urls,
// history) are reserved.
func (db *DB) updateBucket(name string, fn func(b *bucket) error) error {
	if err := checkName(name); err != nil {
		return err
	}
	return db.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(name))
		if err != nil {
			return fmt.Errorf("archive: create bucket %q: %w", name, err)
		}
		return fn(&bucket{b: b})
	})
}

// viewBucket runs fn in a read-only transaction on the top-level bucket
// name. When the bucket does not exist fn is not called and viewBucket
// returns nil. Keep fn short: it holds back writers that grow the file.
func (db *DB) viewBucket(name string, fn func(b *bucket) error) error {
	if err := checkName(name); err != nil {
		return err
	}
	return db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(name))
		if b == nil {
			return nil
		}
		return fn(&bucket{b: b})
	})
}

func checkName(name string) error {
	if name == "" || reserved(name) {
		return &linkvault.Error{Code: linkvault.EInvalid,
			Message: fmt.Sprintf("archive: bucket name %q is reserved", name)}
	}
	return nil
}

// counts are the counters kept in the meta bucket so that Stats need not
// scan the history.
type counts struct {
	URLs   int                     `json:"urls"`
	Checks int                     `json:"checks"`
	Runs   int                     `json:"runs"`
	States map[linkvault.State]int `json:"states,omitempty"`
}

// addState moves one URL from state from to state to ("" for none).
func (c *counts) addState(from, to linkvault.State) {
	if from == to {
		return
	}
	if c.States == nil {
		c.States = make(map[linkvault.State]int)
	}
	if from != "" {
		c.States[from]--
		if c.States[from] <= 0 {
			delete(c.States, from)
		}
	} else {
		c.URLs++
	}
	if to != "" {
		c.States[to]++
	} else {
		c.URLs--
	}
}

func getCounts(tx *bolt.Tx) (counts, error) {
	var c counts
	v := tx.Bucket(bucketMeta).Get(keyCounts)
	if v == nil {
		return recount(tx)
	}
	if err := json.Unmarshal(v, &c); err != nil {
		return c, fmt.Errorf("archive: read counts: %w", err)
	}
	return c, nil
}

func putCounts(tx *bolt.Tx, c counts) error {
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("archive: write counts: %w", err)
	}
	if err := tx.Bucket(bucketMeta).Put(keyCounts, data); err != nil {
		return fmt.Errorf("archive: write counts: %w", err)
	}
	return nil
}

// recount computes the counters from the buckets (migration, repair).
func recount(tx *bolt.Tx) (counts, error) {
	c := counts{States: make(map[linkvault.State]int)}
	if b := tx.Bucket(bucketURLs); b != nil {
		err := b.ForEach(func(k, v []byte) error {
			var rec struct {
				State linkvault.State `json:"state"`
			}
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("archive: recount: url %q: %w", k, err)
			}
			c.URLs++
			c.States[rec.State]++
			return nil
		})
		if err != nil {
			return c, err
		}
	}
	c.Runs = countKeys(tx.Bucket(bucketRuns))
	c.Checks = countKeys(tx.Bucket(bucketHistory))
	return c, nil
}

// Stats describes the contents of the database.
type Stats struct {
	URLs          int                     // URL records, gone ones included
	States        map[linkvault.State]int // URL records per state
	Runs          int                     // runs recorded
	Checks        int                     // checks in the history
	FileSize      int64                   // bytes of the database file (its length: bbolt grows it sparsely)
	DiskSize      int64                   // bytes the file occupies on disk
	UsedSize      int64                   // bytes of the pages in use (the file's pages less its free pages)
	SchemaVersion int
}

// Stats returns the counters kept in the meta bucket (no scan of the
// history) and the sizes of the file.
func (db *DB) Stats() (Stats, error) {
	var s Stats
	err := db.view(func(tx *bolt.Tx) error {
		c, err := getCounts(tx)
		if err != nil {
			return err
		}
		if s.SchemaVersion, err = schemaVersion(tx, db.path); err != nil {
			return err
		}
		s.URLs, s.Runs, s.Checks = c.URLs, c.Runs, c.Checks
		s.States = make(map[linkvault.State]int, len(c.States))
		for k, v := range c.States {
			s.States[k] = v
		}
		s.FileSize = tx.Size()
		s.UsedSize = tx.Size() - int64(db.bolt.Stats().FreePageN)*int64(tx.DB().Info().PageSize)
		return nil
	})
	if err != nil {
		return Stats{}, err
	}
	s.DiskSize = s.FileSize
	if fi, err := os.Stat(db.path); err == nil {
		s.FileSize, s.DiskSize = fi.Size(), diskUsage(fi)
	}
	return s, nil
}

// countKeys counts the keys of b with a cursor (Bucket.Stats does not see
// the writes of the current transaction).
func countKeys(b *bolt.Bucket) int {
	if b == nil {
		return 0
	}
	n := 0
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	return n
}
