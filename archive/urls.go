package archive

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// getURL returns the record of url in the urls bucket b, nil when unknown.
func getURL(b *bolt.Bucket, url string) (*linkvault.URLRecord, error) {
	v := b.Get([]byte(url))
	if v == nil {
		return nil, nil
	}
	return decodeURL([]byte(url), v)
}

// attachWayback fills rec.Wayback from the cache of Wayback lookups, so
// that readers of URL records see the "archived copy elsewhere", and
// rec.LastSeen from the latest complete run (lastSeen).
func attachWayback(tx *bolt.Tx, rec *linkvault.URLRecord) error {
	seen, err := seenAt(tx)
	if err != nil {
		return err
	}
	rec.LastSeen = lastSeen(rec, seen)
	if err := attachSource(tx, rec); err != nil {
		return err
	}
	wb, err := getWayback(tx.Bucket(bucketWayback), rec.URL)
	if wb != nil {
		rec.Wayback = wb
	}
	return err
}

// fillPercent is how full bbolt fills the pages of the URL records when a
// write splits them. The records are written in key order (BeginRun, the
// recorder's batches), for which bbolt's default of one half leaves every
// page half empty: the file and what reading it maps in were twice the
// records' size.
const fillPercent = 0.9

// seenAt returns the start of the latest complete run (keySeen; zero
// before the first one): every URL not gone was referenced by that run,
// so it was last seen then at the earliest (lastSeen).
func seenAt(tx *bolt.Tx) (time.Time, error) {
	v := tx.Bucket(bucketMeta).Get(keySeen)
	if v == nil {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, string(v))
	if err != nil {
		return time.Time{}, fmt.Errorf("archive: meta %q: %w", keySeen, err)
	}
	return t, nil
}

func putSeen(tx *bolt.Tx, t time.Time) error {
	if err := tx.Bucket(bucketMeta).Put(keySeen, []byte(t.UTC().Format(time.RFC3339Nano))); err != nil {
		return fmt.Errorf("archive: meta %q: %w", keySeen, err)
	}
	return nil
}

// lastSeen is rec's LastSeen given seen (seenAt): a complete run does not
// rewrite the records it only saw again (see BeginRun).
func lastSeen(rec *linkvault.URLRecord, seen time.Time) time.Time {
	if rec.State != linkvault.StateGone && rec.LastSeen.Before(seen) {
		return seen
	}
	return rec.LastSeen
}

func decodeURL(k, v []byte) (*linkvault.URLRecord, error) {
	v, err := urlJSON(k, v, nil)
	if err != nil {
		return nil, err
	}
	var rec linkvault.URLRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("archive: url record %q: %w", k, err)
	}
	if rec.URL == "" {
		rec.URL = string(k)
	}
	if rec.Last != nil {
		rec.Last.URL = rec.URL
		rec.Last.Duration = time.Duration(rec.Last.DurationMS) * time.Millisecond
	}
	return &rec, nil
}

func putURL(b *bolt.Bucket, rec *linkvault.URLRecord) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("archive: encode url record %q: %w", rec.URL, err)
	}
	if data, err = compressURL(data); err != nil {
		return err
	}
	if err := b.Put([]byte(rec.URL), data); err != nil {
		return fmt.Errorf("archive: put url record %q: %w", rec.URL, err)
	}
	return nil
}

// URL returns the record of url. An unknown URL is a *linkvault.Error with
// code ENotFound.
func (db *DB) URL(url string) (*linkvault.URLRecord, error) {
	rec, err := db.lookup(url)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, &linkvault.Error{Code: linkvault.ENotFound, Message: fmt.Sprintf("unknown URL %s", url)}
	}
	return rec, nil
}

// lookup returns the record of url with its cached Wayback answer, or
// nil when the URL is unknown.
func (db *DB) lookup(url string) (*linkvault.URLRecord, error) {
	var rec *linkvault.URLRecord
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		if rec, err = getURL(tx.Bucket(bucketURLs), url); err != nil || rec == nil {
			return err
		}
		return attachWayback(tx, rec)
	})
	return rec, err
}

// urlPage is how many records URLs reads per read transaction.
const urlPage = 1024

// URLs calls fn for every URL record in URL order. The records are read a
// page at a time in short read transactions, and fn runs outside of them,
// so a URL changed meanwhile may be seen before or after the change. An
// error from fn stops the iteration and is returned.
func (db *DB) URLs(fn func(*linkvault.URLRecord) error) error {
	var after []byte
	for {
		page := make([]*linkvault.URLRecord, 0, urlPage)
		err := db.view(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketURLs).Cursor()
			k, v := c.First()
			if after != nil {
				k, v = c.Seek(after)
				if k != nil && string(k) == string(after) {
					k, v = c.Next()
				}
			}
			for ; k != nil && len(page) < urlPage; k, v = c.Next() {
				rec, err := decodeURL(k, v)
				if err != nil {
					return err
				}
				if err := attachWayback(tx, rec); err != nil {
					return err
				}
				page = append(page, rec)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, rec := range page {
			if err := fn(rec); err != nil {
				return err
			}
		}
		if len(page) < urlPage {
			return nil
		}
		after = []byte(page[len(page)-1].URL)
	}
}

// Accept takes the current main text of a changed URL as what the notes
// cite: its fingerprint becomes Cited and the URL is alive again (moved
// when its last check followed a permanent redirect). The change of state
// is dated now. A URL that is not changed is an EInvalid error, an unknown
// one ENotFound.
func (db *DB) Accept(url string, now time.Time) (*linkvault.URLRecord, error) {
	var out *linkvault.URLRecord
	err := db.update(func(tx *bolt.Tx) error {
		urls := tx.Bucket(bucketURLs)
		rec, err := getURL(urls, url)
		switch {
		case err != nil:
			return err
		case rec == nil:
			return &linkvault.Error{Code: linkvault.ENotFound, Message: fmt.Sprintf("unknown URL %s", url)}
		case rec.State != linkvault.StateChanged || rec.Last == nil || rec.Last.TextHash == 0:
			return linkvault.Errorf(linkvault.EInvalid, "%s is %s, not changed: nothing to accept", url, rec.State)
		}
		c, err := getCounts(tx)
		if err != nil {
			return err
		}
		next := linkvault.StateAlive
		if rec.Last.MovedTo != "" {
			next = linkvault.StateMoved
		}
		rec.Cited, rec.LastMatch, rec.ChangedSince = rec.Last.TextHash, now, time.Time{}
		rec.PrevState, rec.State, rec.StateSince = rec.State, next, now
		c.addState(linkvault.StateChanged, next)
		if err := putURL(urls, rec); err != nil {
			return err
		}
		out = rec
		if err := attachWayback(tx, out); err != nil {
			return err
		}
		return putCounts(tx, c)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
