package archive

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// SchemaVersion is the layout of the database file this package writes.
//
// Version 1: buckets meta (schema, created, version, counts), runs (big-endian
// run id → JSON Run), urls (canonical URL → JSON URLRecord) and history
// (8-byte URL hash + big-endian Unix nanoseconds → compact binary Check).
//
// Version 2 adds meta "seen" (the start of the latest complete run: a
// complete run no longer rewrites the URL records it only saw again, see
// BeginRun), URL records compressed against a dictionary (urlcodec.go) and
// compact binary values in the capture and digest indexes, beside the
// JSON ones of earlier versions. A version 1 file is read as it
// is (readOnlyFrom): the migration writes nothing but the version, which
// stops an older linkvault from misreading the file.
//
// Version 0 is the layout before the meta bucket: URL records in a bucket
// named "links" and checks as JSON in a bucket named "checks".
const SchemaVersion = 2

// readOnlyFrom is the oldest schema version that read-only opens read
// without its migration.
const readOnlyFrom = 1

// Keys of the meta bucket.
var (
	keySchema  = []byte("schema")  // big-endian uint64
	keyCreated = []byte("created") // RFC 3339
	keyVersion = []byte("version") // linkvault version that created or last migrated the file
	keyCounts  = []byte("counts")  // JSON counts
	// keySeen is the start of the latest complete run (RFC 3339, UTC):
	// every URL not gone was referenced by it (see seenAt).
	keySeen = []byte("seen")
)

// migrations[v] turns a version v layout into version v+1, inside the one
// transaction Open runs them all in.
var migrations = []func(tx *bolt.Tx) error{
	0: migrate0to1,
	1: func(*bolt.Tx) error { return nil }, // see SchemaVersion
}

// prepare checks the schema of a freshly opened file, creating the buckets
// of a new file and migrating an older one.
func (db *DB) prepare() error {
	if db.opts.ReadOnly {
		return db.view(func(tx *bolt.Tx) error {
			v, err := schemaVersion(tx, db.path)
			if err != nil {
				return err
			}
			switch {
			case v > SchemaVersion:
				return newerSchema(db.path, v)
			case v < 0:
				return &linkvault.Error{Code: linkvault.EInvalid, Message: fmt.Sprintf(
					"%s holds no linkvault data yet (a check was stopped before it recorded anything): run 'linkvault check'",
					db.path)}
			case v < readOnlyFrom:
				return &linkvault.Error{Code: linkvault.EInvalid, Message: fmt.Sprintf(
					"%s has schema version %d and needs a migration to %d: open it once read-write",
					db.path, v, SchemaVersion)}
			}
			return nil
		})
	}
	return db.update(func(tx *bolt.Tx) error {
		v, err := schemaVersion(tx, db.path)
		if err != nil {
			return err
		}
		if v > SchemaVersion {
			return newerSchema(db.path, v)
		}
		if v < 0 { // a new file
			return initSchema(tx, db.now(), db.opts.Version)
		}
		for ; v < SchemaVersion; v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("archive: migrate schema %d to %d: %w", v, v+1, err)
			}
			if err := putSchema(tx, v+1, db.opts.Version); err != nil {
				return err
			}
		}
		return ensureBuckets(tx)
	})
}

func newerSchema(path string, v int) error {
	return &linkvault.Error{Code: linkvault.EInvalid, Message: fmt.Sprintf(
		"%s has schema version %d, newer than the %d this linkvault supports: upgrade linkvault",
		path, v, SchemaVersion)}
}

// schemaVersion returns the schema version of the file: -1 for a file with
// no buckets at all (a new file), 0 for the layout before the meta bucket.
func schemaVersion(tx *bolt.Tx, path string) (int, error) {
	if meta := tx.Bucket(bucketMeta); meta != nil {
		v := meta.Get(keySchema)
		if len(v) != 8 {
			return 0, &linkvault.Error{Code: linkvault.EInvalid,
				Message: fmt.Sprintf("%s is not a linkvault database: no schema version", path)}
		}
		return int(binary.BigEndian.Uint64(v)), nil
	}
	var names []string
	_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		names = append(names, string(name))
		return nil
	})
	if len(names) == 0 {
		return -1, nil
	}
	if tx.Bucket(v0Links) != nil {
		return 0, nil
	}
	return 0, &linkvault.Error{Code: linkvault.EInvalid,
		Message: fmt.Sprintf("%s is not a linkvault database (buckets %q)", path, names)}
}

func ensureBuckets(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketRuns, bucketURLs, bucketHistory} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("archive: create bucket %s: %w", name, err)
		}
	}
	return nil
}

func initSchema(tx *bolt.Tx, now time.Time, version string) error {
	if err := ensureBuckets(tx); err != nil {
		return err
	}
	meta := tx.Bucket(bucketMeta)
	if err := meta.Put(keyCreated, []byte(now.UTC().Format(time.RFC3339))); err != nil {
		return fmt.Errorf("archive: init schema: %w", err)
	}
	if err := putCounts(tx, counts{}); err != nil {
		return err
	}
	return putSchema(tx, SchemaVersion, version)
}

func putSchema(tx *bolt.Tx, v int, version string) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return fmt.Errorf("archive: put schema: %w", err)
	}
	if err := meta.Put(keySchema, binary.BigEndian.AppendUint64(nil, uint64(v))); err != nil {
		return fmt.Errorf("archive: put schema: %w", err)
	}
	if version != "" {
		if err := meta.Put(keyVersion, []byte(version)); err != nil {
			return fmt.Errorf("archive: put schema: %w", err)
		}
	}
	return nil
}

// Buckets of the version 0 layout.
var (
	v0Links  = []byte("links")
	v0Checks = []byte("checks")
)

// migrate0to1 moves the URL records from "links" to "urls" (filling in
// StateSince, which version 0 did not keep), re-encodes the JSON checks of
// "checks" into the binary history, and creates the meta bucket with its
// counters.
func migrate0to1(tx *bolt.Tx) error {
	if err := ensureBuckets(tx); err != nil {
		return err
	}
	urls := tx.Bucket(bucketURLs)
	if links := tx.Bucket(v0Links); links != nil {
		err := links.ForEach(func(k, v []byte) error {
			var rec linkvault.URLRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("url record %q: %w", k, err)
			}
			if rec.URL == "" {
				rec.URL = string(k)
			}
			if rec.State == "" {
				rec.State = linkvault.StateNew
			}
			if rec.StateSince.IsZero() {
				rec.StateSince = rec.FirstSeen
			}
			data, err := json.Marshal(&rec)
			if err != nil {
				return err
			}
			return urls.Put(clone(k), data)
		})
		if err != nil {
			return err
		}
		if err := tx.DeleteBucket(v0Links); err != nil {
			return err
		}
	}
	history := tx.Bucket(bucketHistory)
	if checks := tx.Bucket(v0Checks); checks != nil {
		err := checks.ForEach(func(k, v []byte) error {
			var c linkvault.Check
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("check %x: %w", k, err)
			}
			return history.Put(clone(k), encodeCheck(nil, &c))
		})
		if err != nil {
			return err
		}
		if err := tx.DeleteBucket(v0Checks); err != nil {
			return err
		}
	}
	if tx.Bucket(bucketMeta).Get(keyCreated) == nil {
		if err := tx.Bucket(bucketMeta).Put(keyCreated, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
			return err
		}
	}
	c, err := recount(tx)
	if err != nil {
		return err
	}
	return putCounts(tx, c)
}
