package archive

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// PlanRecords returns, for each of urls that has a record, the part of
// it that planning a run reads: State, FirstSeen, LastChecked, LastOK,
// ETag, LastModified and Last.ContentType (every other field is zero), in
// one read transaction. It decodes only those fields: 40,000 records of a
// database with 30 nights of history are read in about half a second
// (BENCHMARKS.md, issue 13).
func (db *DB) PlanRecords(urls []string) (map[string]*linkvault.URLRecord, error) {
	out := make(map[string]*linkvault.URLRecord, len(urls))
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketURLs)
		if b == nil {
			return nil
		}
		var buf []byte
		for _, u := range urls {
			v := b.Get([]byte(u))
			if v == nil {
				continue
			}
			v, err := urlJSON([]byte(u), v, &buf)
			if err != nil {
				return err
			}
			var p planRecord
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("archive: url record %q: %w", u, err)
			}
			rec := &linkvault.URLRecord{URL: u, State: p.State, FirstSeen: p.FirstSeen,
				LastChecked: p.LastChecked, LastOK: p.LastOK, ETag: p.ETag, LastModified: p.LastModified}
			if p.Last != nil {
				rec.Last = &linkvault.Result{URL: u, ContentType: p.Last.ContentType}
			}
			out[u] = rec
		}
		return nil
	})
	return out, err
}

// planRecord is the part of a stored linkvault.URLRecord that
// PlanRecords decodes (the same JSON names).
type planRecord struct {
	FirstSeen    time.Time       `json:"first_seen"`
	Last         *planResult     `json:"result"`
	State        linkvault.State `json:"state"`
	LastOK       time.Time       `json:"last_ok"`
	LastChecked  time.Time       `json:"last_checked"`
	ETag         string          `json:"etag"`
	LastModified string          `json:"last_modified"`
}

type planResult struct {
	ContentType string `json:"content_type"`
}

// LatestCaptures returns the time of the latest capture of each of urls
// that has one, in one read transaction.
func (db *DB) LatestCaptures(urls []string) (map[string]time.Time, error) {
	out := make(map[string]time.Time)
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCaptures)
		for _, u := range urls {
			k, _ := lastInBucket(b, urlPrefix(u))
			if t, ok := captureKeyTime(k, u); ok {
				out[u] = t
			}
		}
		return nil
	})
	return out, err
}

// LearnedRates returns the rate each host ended at in the last runs
// (newest first wins), from their host statistics: what a host taught by
// asking for less (429, Retry-After) holds for the runs after it.
func (db *DB) LearnedRates(runs int) (map[string]float64, error) {
	rs, err := db.Runs(runs)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for i := len(rs) - 1; i >= 0; i-- {
		for h, st := range rs[i].Hosts {
			if _, ok := out[h]; !ok && st != nil && st.Rate > 0 {
				out[h] = st.Rate
			}
		}
	}
	return out, nil
}
