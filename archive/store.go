package archive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// One way to touch bbolt: every query of this package runs in db.view or
// db.update on a *bolt.Tx (the run history and the capture index, Wayback
// cache and plans alike). The byte slices bbolt hands out (Get, cursors,
// ForEach) point into the memory map and are valid only until the
// transaction ends, so a query decodes them (json.Unmarshal and string
// conversions copy) or clones them before its function returns: nothing a
// query keeps or returns points into the map, and no type holds a
// transaction, bucket or cursor (TestOneWayToBolt). The helpers below read
// a top-level bucket that may be nil: the capture index and the Wayback
// cache exist only once something was stored in them.

// getCopy returns a copy of the value of key in b, nil when b is nil or the
// key has no value.
func getCopy(b *bolt.Bucket, key []byte) []byte {
	if b == nil {
		return nil
	}
	return clone(b.Get(key))
}

// scanPrefix calls fn, in key order, for every key of b that starts with
// prefix (all keys for an empty prefix); b may be nil. k and v are valid
// only during fn. When fn returns errStopScan the scan stops and
// scanPrefix returns nil; another error stops it and is returned.
func scanPrefix(b *bolt.Bucket, prefix []byte, fn func(k, v []byte) error) error {
	if b == nil {
		return nil
	}
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if err := fn(k, v); err != nil {
			if err == errStopScan {
				return nil
			}
			return err
		}
	}
	return nil
}

// errStopScan ends a scanPrefix early.
var errStopScan = errors.New("stop scan")

// lastInBucket returns the greatest key of b starting with prefix and its
// value (nil, nil when there is none or b is nil), valid only during the
// transaction.
func lastInBucket(b *bolt.Bucket, prefix []byte) (k, v []byte) {
	if b == nil {
		return nil, nil
	}
	return lastWithPrefix(b.Cursor(), prefix)
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

// createBucket returns the top-level bucket name of the read-write
// transaction tx, creating it when needed.
func createBucket(tx *bolt.Tx, name []byte) (*bolt.Bucket, error) {
	b, err := tx.CreateBucketIfNotExists(name)
	if err != nil {
		return nil, fmt.Errorf("archive: create bucket %q: %w", name, err)
	}
	return b, nil
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
		var buf []byte
		err := b.ForEach(func(k, v []byte) error {
			v, err := urlJSON(k, v, &buf)
			if err != nil {
				return fmt.Errorf("archive: recount: %w", err)
			}
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
