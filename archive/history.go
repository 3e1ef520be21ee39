package archive

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// History keys are the 8-byte FNV-1a hash of the canonical URL followed by
// the big-endian Unix nanoseconds of the check, so that the checks of one
// URL are adjacent and in time order. Two URLs whose hashes collide (odds
// about n²/2⁶⁵) would share a history.
const historyKeyLen = 16

// urlHash returns the history key prefix of url.
func urlHash(url string) []byte {
	h := fnv.New64a()
	h.Write([]byte(url))
	return h.Sum(nil)
}

// historyKey returns the key of the check of url (by its hash) at t.
func historyKey(hash []byte, t time.Time) []byte {
	n := t.UnixNano()
	if n < 0 {
		n = 0
	}
	return binary.BigEndian.AppendUint64(append(make([]byte, 0, historyKeyLen), hash...), uint64(n))
}

// checkKeyTime returns the time of a history key.
func checkKeyTime(k []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(k[8:historyKeyLen]))).UTC()
}

// maxReason caps the reason kept with a check (shortened by
// linkvault.Shorten, which never cuts a quotation); the full reason of the
// last check is in the URL record. It holds the platform signatures of a
// soft 404 with their quotation ("soft 404: says “该内容已被发布者删除”" is
// 53 bytes).
const maxReason = 120

// Flags of an encoded check.
const (
	flagChanged = 1 << iota
	flagReason
)

// encodeCheck appends the compact encoding of c (everything but the time,
// which is in the key) to dst: flags, status, state, then uvarints run id,
// HTTP status, duration in ms, and the reason (length-prefixed) when the
// check was not ok. A typical value is 6 to 25 bytes.
func encodeCheck(dst []byte, c *linkvault.Check) []byte {
	var flags byte
	if c.Changed {
		flags |= flagChanged
	}
	reason := ""
	if c.Status != linkvault.StatusOK && c.Reason != "" {
		reason = linkvault.Shorten(c.Reason, maxReason)
		flags |= flagReason
	}
	dst = append(dst, flags, statusCode(c.Status), stateCode(c.State))
	dst = binary.AppendUvarint(dst, c.RunID)
	dst = binary.AppendUvarint(dst, uint64(max(c.HTTPStatus, 0)))
	dst = binary.AppendUvarint(dst, uint64(max(c.DurationMS, 0)))
	if flags&flagReason != 0 {
		dst = binary.AppendUvarint(dst, uint64(len(reason)))
		dst = append(dst, reason...)
	}
	return dst
}

var errBadCheck = errors.New("archive: corrupt check record")

// decodeCheck decodes a history value written by encodeCheck.
func decodeCheck(k, v []byte) (linkvault.Check, error) {
	var c linkvault.Check
	if len(k) != historyKeyLen || len(v) < 3 {
		return c, errBadCheck
	}
	c.Time = checkKeyTime(k)
	flags := v[0]
	c.Changed = flags&flagChanged != 0
	c.Status = statusOf(v[1])
	c.State = stateOf(v[2])
	r := valueReader{b: v[3:]}
	c.RunID, c.HTTPStatus, c.DurationMS = r.uvarint(), int(r.uvarint()), int64(r.uvarint())
	if flags&flagReason != 0 {
		c.Reason = r.string()
	}
	if r.bad {
		return c, errBadCheck
	}
	return c, nil
}

// statusCode and stateCode encode a status or state as its 1-based
// index in statusTable or stateTable (0: unknown); statusOf and stateOf
// decode it.
func statusCode(s linkvault.Status) byte { return code(statusTable, s) }
func statusOf(b byte) linkvault.Status   { return decode(statusTable, b) }
func stateCode(s linkvault.State) byte   { return code(stateTable, s) }
func stateOf(b byte) linkvault.State     { return decode(stateTable, b) }

// statusTable and stateTable are the on-disk codes of statuses and states.
// They are append-only: a new value goes at the end, whatever its place in
// the report order of linkvault.Statuses and linkvault.States.
var (
	statusTable = []linkvault.Status{
		linkvault.StatusOK, linkvault.StatusBroken, linkvault.StatusUnreachable,
		linkvault.StatusBlocked, linkvault.StatusThrottled, linkvault.StatusSkipped,
		linkvault.StatusSoft404,
	}
	stateTable = []linkvault.State{
		linkvault.StateDead, linkvault.StateFailing, linkvault.StateBlocked,
		linkvault.StateMoved, linkvault.StateAlive, linkvault.StateNew, linkvault.StateGone,
		linkvault.StateChanged, linkvault.StateFragmentMissing,
	}
)

func code[T comparable](list []T, v T) byte {
	if i := slices.Index(list, v); i >= 0 {
		return byte(i + 1)
	}
	return 0
}

func decode[T any](list []T, b byte) T {
	var zero T
	if b == 0 || int(b) > len(list) {
		return zero
	}
	return list[b-1]
}

// putCheck appends c to the history of url, moving its time on by a
// nanosecond while another check of the URL has the same key. bbolt keeps
// the key and value slices until the commit: they are fresh for each call.
func putCheck(b *bolt.Bucket, hash []byte, c *linkvault.Check) error {
	k := historyKey(hash, c.Time)
	for b.Get(k) != nil {
		n := binary.BigEndian.Uint64(k[8:])
		binary.BigEndian.PutUint64(k[8:], n+1)
	}
	if err := b.Put(k, encodeCheck(make([]byte, 0, 32), c)); err != nil {
		return fmt.Errorf("archive: put check: %w", err)
	}
	return nil
}

// History returns the last limit checks of url, oldest first and newest
// last (all of them when limit <= 0). An unknown URL has no history: the
// result is empty, not an error.
func (db *DB) History(url string, limit int) ([]linkvault.Check, error) {
	hash := urlHash(url)
	var out []linkvault.Check
	err := db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketHistory).Cursor()
		for k, v := lastWithPrefix(c, hash); k != nil; k, v = c.Prev() {
			if len(k) != historyKeyLen || string(k[:8]) != string(hash) {
				break
			}
			chk, err := decodeCheck(k, v)
			if err != nil {
				return fmt.Errorf("archive: history of %s: %w", url, err)
			}
			out = append(out, chk)
			if limit > 0 && len(out) == limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Reverse(out) // newest last
	return out, nil
}
