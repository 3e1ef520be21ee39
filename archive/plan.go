package archive

import (
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// Records returns the records of urls that the database has, in one read
// transaction: what a run plans with.
func (db *DB) Records(urls []string) (map[string]*linkvault.URLRecord, error) {
	out := make(map[string]*linkvault.URLRecord, len(urls))
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketURLs)
		for _, u := range urls {
			rec, err := getURL(b, u)
			if err != nil {
				return err
			}
			if rec != nil {
				out[u] = rec
			}
		}
		return nil
	})
	return out, err
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
