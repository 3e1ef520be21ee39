package archive

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// GCResult is what GC did.
type GCResult struct {
	Deleted    int   // checks removed from the history
	SizeBefore int64 // length of the file before
	SizeAfter  int64 // length of the compacted file
	DiskBefore int64 // bytes the file occupied on disk before
	DiskAfter  int64 // bytes the compacted file occupies on disk
}

// gcChunk is about how many checks GC deletes per transaction.
const gcChunk = 50_000

// compactTxSize bounds the transactions of the copy made by GC.
const compactTxSize = 64 << 20

// GC first runs Check (a damaged file is not compacted: the copy would
// silently lose what cannot be read), then deletes the checks older than keep (measured back from Options.Now),
// except, for each URL, its last ok check and every check that changed its
// state. It then compacts the file: the database is copied into a new file
// in the same directory, synced, renamed over the original and reopened.
// Other calls wait while the copy is made. See the package Caveats.
func (db *DB) GC(ctx context.Context, keep time.Duration) (GCResult, error) {
	var res GCResult
	if keep < 0 {
		return res, &linkvault.Error{Code: linkvault.EInvalid, Message: fmt.Sprintf("gc: negative keep %v", keep)}
	}
	fi, err := os.Stat(db.path)
	if err != nil {
		return res, fmt.Errorf("archive: gc: %w", err)
	}
	res.SizeBefore, res.DiskBefore = fi.Size(), diskUsage(fi)
	// Compacting copies what it can read: check the whole file first.
	if err := db.Check(); err != nil {
		return res, err
	}
	cutoff := db.now().Add(-keep)

	var next []byte // first history key of the next chunk
	for {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("archive: gc: %w", err)
		}
		var n int
		var more bool
		err := db.update(func(tx *bolt.Tx) error {
			var err error
			n, next, more, err = pruneChunk(tx, next, cutoff)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("archive: gc: %w", err)
		}
		res.Deleted += n
		if !more {
			break
		}
	}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("archive: gc: %w", err)
	}
	if err := db.compact(); err != nil {
		return res, err
	}
	if fi, err := os.Stat(db.path); err == nil {
		res.SizeAfter, res.DiskAfter = fi.Size(), diskUsage(fi)
	}
	return res, nil
}

// pruneChunk deletes the prunable checks of whole URLs starting at key
// from, about gcChunk of them, and returns where the next chunk starts.
func pruneChunk(tx *bolt.Tx, from []byte, cutoff time.Time) (deleted int, next []byte, more bool, err error) {
	type item struct {
		key         []byte
		ok, changed bool
	}
	b := tx.Bucket(bucketHistory)
	c := b.Cursor()
	var doomed [][]byte
	var group []item // the checks of one URL hash
	endGroup := func() {
		lastOK := -1
		for i, it := range group {
			if it.ok {
				lastOK = i
			}
		}
		for i, it := range group {
			if i != lastOK && !it.changed && checkKeyTime(it.key).Before(cutoff) {
				doomed = append(doomed, it.key)
			}
		}
		group = group[:0]
	}
	k, v := c.First()
	if from != nil {
		k, v = c.Seek(from)
	}
	for ; k != nil; k, v = c.Next() {
		if len(k) != historyKeyLen {
			continue
		}
		if len(group) > 0 && !bytes.Equal(group[0].key[:8], k[:8]) {
			endGroup()
			if len(doomed) >= gcChunk {
				next, more = clone(k), true
				break
			}
		}
		chk, err := decodeCheck(k, v)
		if err != nil {
			return 0, nil, false, err
		}
		group = append(group, item{key: clone(k), ok: chk.Status == linkvault.StatusOK, changed: chk.Changed})
	}
	if !more {
		endGroup()
	}
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return 0, nil, false, err
		}
	}
	if len(doomed) > 0 {
		cnt, err := getCounts(tx)
		if err != nil {
			return 0, nil, false, err
		}
		cnt.Checks -= len(doomed)
		if err := putCounts(tx, cnt); err != nil {
			return 0, nil, false, err
		}
	}
	return len(doomed), next, more, nil
}

// compact copies the database into a new file in the same directory,
// syncs it, renames it over the original and reopens it.
func (db *DB) compact() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = db.recovered(r)
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.bolt == nil {
		return errClosed
	}
	if err := db.brokenErr(); err != nil {
		return err
	}
	dir, base := filepath.Split(db.path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, base+".gc-*")
	if err != nil {
		return fmt.Errorf("archive: gc: %w", err)
	}
	tmp := f.Name()
	_ = f.Close()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: db.opts.Timeout, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return fmt.Errorf("archive: gc: open copy: %w", err)
	}
	if err := bolt.Compact(dst, db.bolt, compactTxSize); err != nil {
		_ = dst.Close()
		return fmt.Errorf("archive: gc: compact: %w", err)
	}
	if err := dst.Close(); err != nil {
		return fmt.Errorf("archive: gc: close copy: %w", err)
	}
	if err := fsyncPath(tmp); err != nil {
		return fmt.Errorf("archive: gc: %w", err)
	}
	// Rename while the old file is still locked, then swap.
	if err := os.Rename(tmp, db.path); err != nil {
		return fmt.Errorf("archive: gc: %w", err)
	}
	_ = fsyncPath(dir)
	_ = db.bolt.Close()
	db.bolt = nil
	b, err := db.openBolt(db.path)
	if err != nil {
		return fmt.Errorf("archive: gc: reopen: %w", err)
	}
	db.bolt = b
	return nil
}

// fsyncPath syncs the file or directory at path.
func fsyncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Check runs bbolt's consistency check (Tx.Check) over the whole file: every
// page reachable once, free pages not in use, keys in order across pages.
// It reads every page, at about the cost of reading the whole file (see
// BENCHMARKS.md). Open has already refused a file whose pages bbolt could
// not follow safely, so the check cannot crash. A finding is returned as an
// error matching ErrDamaged.
func (db *DB) Check() error {
	var problems []string
	err := db.view(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			if len(problems) < 3 {
				problems = append(problems, err.Error())
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return damaged(db.path, "its consistency check failed: "+strings.Join(problems, "; "))
	}
	return nil
}
