package archive

// Repository sources: tarballs of one commit, stored as WARC resource
// records, with their own index in the bucket "sources" (not the capture
// index, so the CDXJ and WACZ exports and the replay are unchanged).
//
// Keys of the bucket:
//
//	0x01 REPO 0x00 COMMIT    the source of REPO at COMMIT (stored or skipped)
//	LINK 0x00 TIME           the sources of a link over time (captureKey)
//
// A link key holds the same JSON linkvault.SourceCopy as the commit key it
// names: two links to one repository at one commit share one record.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/nlnwa/gowarc/v3"
	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

var bucketSources = []byte("sources")

// sourceKey is the key of the source of repo at commit.
func sourceKey(repo, commit string) []byte {
	k := append([]byte{1}, repo...)
	k = append(k, 0)
	return append(k, commit...)
}

// errTooLarge ends the read of a tarball longer than the cap.
var errTooLarge = errors.New("over the size cap")

// cappedReader reads r, failing with errTooLarge past max bytes.
type cappedReader struct {
	r   io.Reader
	max int64
	n   int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return n, errTooLarge
	}
	return n, err
}

// SourceOf returns the source of repo at commit as it was archived or
// skipped; false when it never was.
func (db *DB) SourceOf(repo, commit string) (linkvault.SourceCopy, bool, error) {
	var sc linkvault.SourceCopy
	var ok bool
	err := db.view(func(tx *bolt.Tx) error {
		v := getCopy(tx.Bucket(bucketSources), sourceKey(repo, commit))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &sc)
	})
	if err != nil {
		return sc, false, fmt.Errorf("archive: source of %s: %w", repo, err)
	}
	return sc, ok, nil
}

// latestSource returns the latest source recorded for link; false when
// there is none.
func (db *DB) latestSource(link string) (linkvault.SourceCopy, bool, error) {
	var sc linkvault.SourceCopy
	var ok bool
	err := db.view(func(tx *bolt.Tx) error {
		_, v := lastInBucket(tx.Bucket(bucketSources), urlPrefix(link))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &sc)
	})
	if err != nil {
		return sc, false, fmt.Errorf("archive: source of %s: %w", link, err)
	}
	return sc, ok, nil
}

// LatestStoredSource returns the latest source of link that was stored
// (not skipped); false when there is none.
func (db *DB) LatestStoredSource(link string) (linkvault.SourceCopy, bool, error) {
	var sc linkvault.SourceCopy
	var ok bool
	err := db.view(func(tx *bolt.Tx) error {
		return scanPrefix(tx.Bucket(bucketSources), urlPrefix(link), func(_, v []byte) error {
			var s linkvault.SourceCopy
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			if s.Skipped == "" {
				sc, ok = s, true
			}
			return nil
		})
	})
	if err != nil {
		return sc, false, fmt.Errorf("archive: source of %s: %w", link, err)
	}
	return sc, ok, nil
}

// NoteSource records that link's source is sc, already archived (or
// skipped) for another link or an earlier run: nothing is written when
// the latest source of link is already sc's commit.
func (db *DB) NoteSource(link string, sc linkvault.SourceCopy) error {
	last, ok, err := db.latestSource(link)
	if err != nil {
		return err
	}
	if ok && last.Repo == sc.Repo && last.Commit == sc.Commit && last.Skipped == sc.Skipped {
		return nil
	}
	return db.putSource(link, sc, false)
}

// putSource indexes sc under link at sc.Time and, when commit is set,
// under its repository and commit.
func (db *DB) putSource(link string, sc linkvault.SourceCopy, commit bool) error {
	v, err := json.Marshal(sc)
	if err != nil {
		return fmt.Errorf("archive: source index: %w", err)
	}
	return db.update(func(tx *bolt.Tx) error {
		b, err := createBucket(tx, bucketSources)
		if err != nil {
			return err
		}
		if commit {
			if err := b.Put(sourceKey(sc.Repo, sc.Commit), v); err != nil {
				return fmt.Errorf("archive: put: %w", err)
			}
		}
		at := sc.Time
		for b.Get(captureKey(link, at)) != nil {
			at = at.Add(time.Nanosecond)
		}
		if err := b.Put(captureKey(link, at), v); err != nil {
			return fmt.Errorf("archive: put: %w", err)
		}
		return nil
	})
}

// CaptureSource stores the tarball of sc.Repo at sc.Commit, read from
// body, as a WARC resource record (WARC-Target-URI sc.URL, the tarball's
// URL; Content-Type sc.ContentType) and indexes it under link and under
// the repository and commit. A tarball longer than max bytes — announced
// (length, -1 unknown) or read — is not stored: the returned SourceCopy
// has Skipped set and MaxSize max, and is indexed so, so that the same
// commit is not fetched again under the same cap. The fields of sc that
// CaptureSource sets are Capture's (but URL and ContentType), Skipped and
// MaxSize.
func (a *Archiver) CaptureSource(ctx context.Context, link string, sc linkvault.SourceCopy, body io.Reader, length, max int64) (linkvault.SourceCopy, error) {
	if err := ctx.Err(); err != nil {
		return sc, fmt.Errorf("archive: source of %s: %w", sc.Repo, err)
	}
	if sc.ContentType == "" {
		sc.ContentType = "application/gzip"
	}
	sc.MaxSize = max
	if length > max {
		return a.skipSource(link, sc)
	}
	rb := newRecordBuilder(gowarc.Resource, a.ropt...)
	rb.AddWarcHeader(gowarc.WarcTargetURI, sc.URL)
	rb.AddWarcHeader(gowarc.ContentType, sc.ContentType)
	n, err := rb.ReadFrom(&cappedReader{r: body, max: max})
	if errors.Is(err, errTooLarge) {
		_ = rb.Close()
		return a.skipSource(link, sc)
	}
	if err != nil {
		_ = rb.Close()
		return sc, fmt.Errorf("archive: source of %s: read: %w", sc.Repo, err)
	}
	if err := ctx.Err(); err != nil {
		_ = rb.Close()
		return sc, fmt.Errorf("archive: source of %s: %w", sc.Repo, err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		_ = rb.Close()
		return sc, errArchiverClosed
	}
	sc.Time = a.opts.Now().UTC()
	rb.AddWarcHeaderTime(gowarc.WarcDate, sc.Time)
	rec, _, err := rb.Build()
	if err != nil {
		return sc, fmt.Errorf("archive: source of %s: build record: %w", sc.Repo, err)
	}
	sc.Size, sc.HTTPStatus = n, 200
	sc.Digest = rec.WarcHeader().Get(gowarc.WarcPayloadDigest)
	if sc.Digest == "" {
		sc.Digest = rec.WarcHeader().Get(gowarc.WarcBlockDigest)
	}
	if sc.File, sc.Offset, sc.Length, err = a.write(rec, nil); err != nil {
		return sc, fmt.Errorf("archive: source of %s: %w", sc.Repo, err)
	}
	if err := a.db.putSource(link, sc, true); err != nil {
		return sc, fmt.Errorf("archive: source of %s: index: %w", sc.Repo, err)
	}
	return sc, nil
}

// skipSource indexes sc as not stored, over the cap.
func (a *Archiver) skipSource(link string, sc linkvault.SourceCopy) (linkvault.SourceCopy, error) {
	sc.Skipped = errTooLarge.Error()
	sc.Time = a.opts.Now().UTC()
	if err := a.db.putSource(link, sc, true); err != nil {
		return sc, fmt.Errorf("archive: source of %s: index: %w", sc.Repo, err)
	}
	return sc, nil
}

// attachSource fills rec.SourceCode from the source index and
// rec.SoftwareHeritage from the cache of Software Heritage lookups.
func attachSource(tx *bolt.Tx, rec *linkvault.URLRecord) error {
	if b := tx.Bucket(bucketSources); b != nil {
		_, v := lastInBucket(b, urlPrefix(rec.URL))
		if v != nil {
			sc := new(linkvault.SourceCopy)
			if err := json.Unmarshal(v, sc); err != nil {
				return fmt.Errorf("archive: source of %s: %w", rec.URL, err)
			}
			rec.SourceCode = sc
		}
	}
	if b := tx.Bucket(bucketSWH); b != nil {
		if v := b.Get([]byte(rec.URL)); v != nil {
			sw := new(linkvault.SoftwareHeritage)
			if err := json.Unmarshal(v, sw); err != nil {
				return fmt.Errorf("archive: software heritage cache of %s: %w", rec.URL, err)
			}
			rec.SoftwareHeritage = sw
		}
	}
	return nil
}
