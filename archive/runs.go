package archive

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// The writer goroutine of a Recorder commits a batch when it holds
// batchSize results or when flushInterval has passed since the first result
// of the batch arrived. Results that arrive slowly are committed every
// flushInterval; a fast producer gets large batches, which touch fewer
// pages per result (each commit writes every page it changed and syncs).
//
// queueSize results wait for the writer while it commits, which lets a
// checker that gives a few hundred results a second go on through a
// commit of seconds; each waiting result is some 350 bytes (twice the
// batch, as before, held 5.7 MB for the whole run).
const (
	batchSize     = 8192
	queueSize     = 1024
	flushInterval = 100 * time.Millisecond
)

// Recorder records the results of one run. Create it with BeginRun, call
// Record for every result (from any goroutine) and Finish once.
type Recorder struct {
	db      *DB
	run     linkvault.Run
	results chan linkvault.Result
	done    chan struct{} // closed when the writer goroutine has returned

	mu     sync.RWMutex // guards closed against Record
	closed bool

	// Owned by the writer goroutine until done is closed.
	err       error
	counts    map[linkvault.Status]int
	newlyDead int
	recovered int
}

func runKey(id uint64) []byte { return binary.BigEndian.AppendUint64(nil, id) }

func putRun(b *bolt.Bucket, run *linkvault.Run) error {
	data, err := json.Marshal(run)
	if err != nil {
		return fmt.Errorf("archive: encode run %d: %w", run.ID, err)
	}
	if err := b.Put(runKey(run.ID), data); err != nil {
		return fmt.Errorf("archive: put run %d: %w", run.ID, err)
	}
	return nil
}

func decodeRun(v []byte) (linkvault.Run, error) {
	var run linkvault.Run
	if err := json.Unmarshal(v, &run); err != nil {
		return run, fmt.Errorf("archive: decode run: %w", err)
	}
	return run, nil
}

// BeginRun starts recording run. It assigns run.ID (one more than the last
// run's), sets run.Start (when zero) and run.Version (from Options.Version
// when empty), and stores the run as unfinished. Runs that an earlier
// process left unfinished are marked interrupted, their End left unset.
//
// Every link is upserted: a new URL gets state new and FirstSeen; every
// referenced URL gets LastSeen = run.Start and this run's sources; a gone
// URL referenced again gets its previous state back. URLs the links do not
// reference any more become gone (kept, with their history) — unless
// run.Partial is set: a run that could not read all of its inputs does
// not know what the notes reference, and marks nothing gone.
//
// A complete run rewrites only the records it changes: a URL referenced
// as before (same kind, same sources) keeps its stored record, and its
// LastSeen is the start of the latest complete run (seenAt), which every
// URL not gone was referenced by. Rewriting all 40,000 records of a corpus
// each night held the whole bucket's pages and new values in memory (62
// MB) and copied every page of the file (BENCHMARKS.md, issue 13).
//
// BeginRun starts the writer goroutine that Finish stops.
func (db *DB) BeginRun(run linkvault.Run, links []linkvault.Link) (*Recorder, error) {
	if run.Start.IsZero() {
		run.Start = db.now()
	}
	if run.Version == "" {
		run.Version = db.opts.Version
	}
	run.Finished, run.Interrupted, run.End = false, false, time.Time{}
	start := run.Start

	byURL := linksByURL(links)

	err := db.update(func(tx *bolt.Tx) error {
		c, err := getCounts(tx)
		if err != nil {
			return err
		}
		runs := tx.Bucket(bucketRuns)
		if err := markInterrupted(runs); err != nil {
			return err
		}
		if run.ID, err = nextRunID(runs); err != nil {
			return err
		}
		if err := putRun(runs, &run); err != nil {
			return err
		}
		c.Runs++

		urls := tx.Bucket(bucketURLs)
		seen, err := seenAt(tx)
		if err != nil {
			return err
		}
		if err := seeLinks(urls, byURL, start, !run.Partial, &c); err != nil {
			return err
		}
		if !run.Partial {
			if err := markGone(urls, byURL, start, seen, &c); err != nil {
				return err
			}
			if err := putSeen(tx, start); err != nil {
				return err
			}
		}
		return putCounts(tx, c)
	})
	if err != nil {
		return nil, fmt.Errorf("archive: begin run: %w", err)
	}
	r := &Recorder{
		db:      db,
		run:     run,
		results: make(chan linkvault.Result, queueSize),
		done:    make(chan struct{}),
		counts:  make(map[linkvault.Status]int),
	}
	go r.write()
	return r, nil
}

// linksByURL merges links by URL (the sources of each URL together),
// skipping links without one.
func linksByURL(links []linkvault.Link) map[string]linkvault.Link {
	byURL := make(map[string]linkvault.Link, len(links))
	for _, l := range links {
		if l.URL == "" {
			continue
		}
		if prev, ok := byURL[l.URL]; ok {
			prev.Sources = append(prev.Sources, l.Sources...)
			l = prev
		}
		byURL[l.URL] = l
	}
	return byURL
}

// seeLinks upserts the record of every URL of byURL in urls as seen at
// start (see BeginRun) and counts the moves between states in c. In a
// complete run a record that only its LastSeen would change is left as it
// is: seenAt gives it.
func seeLinks(urls *bolt.Bucket, byURL map[string]linkvault.Link, start time.Time, complete bool, c *counts) error {
	// In key order: bbolt inserts into an unsplit node by shifting it,
	// which is quadratic for random keys into a new bucket. Keys in order
	// also fill the pages: see fillPercent.
	urls.FillPercent = fillPercent
	for _, u := range slices.Sorted(maps.Keys(byURL)) {
		l := byURL[u]
		rec, err := getURL(urls, u)
		if err != nil {
			return err
		}
		var from linkvault.State
		if rec == nil {
			rec = &linkvault.URLRecord{URL: u, FirstSeen: start, State: linkvault.StateNew, StateSince: start}
		} else {
			from = rec.State
			if complete && rec.State != linkvault.StateGone && (l.Kind == "" || l.Kind == rec.Kind) && slices.Equal(rec.Sources, l.Sources) {
				continue
			}
		}
		rec.LastSeen = start
		rec.Sources = l.Sources
		if l.Kind != "" {
			rec.Kind = l.Kind
		}
		if rec.State == linkvault.StateGone {
			rec.State, rec.PrevState = rec.PrevState, linkvault.StateGone
			if rec.State == "" || rec.State == linkvault.StateGone {
				rec.State = linkvault.StateNew
			}
			rec.StateSince = start
		}
		if err := putURL(urls, rec); err != nil {
			return err
		}
		c.addState(from, rec.State)
	}
	return nil
}

// markGone marks gone, at start, every URL of urls that byURL does not
// reference and that is not gone yet, and counts the moves in c. seen is
// the start of the complete run before this one: a URL not gone was last
// seen then at the latest (seenAt), which its record now keeps.
func markGone(urls *bolt.Bucket, byURL map[string]linkvault.Link, start, seen time.Time, c *counts) error {
	var gone []*linkvault.URLRecord
	cur := urls.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		if _, ok := byURL[string(k)]; ok {
			continue
		}
		rec, err := decodeURL(k, v)
		if err != nil {
			return err
		}
		if rec.State != linkvault.StateGone {
			gone = append(gone, rec)
		}
	}
	for _, rec := range gone {
		rec.LastSeen = lastSeen(rec, seen)
		c.addState(rec.State, linkvault.StateGone)
		rec.PrevState, rec.State, rec.StateSince = rec.State, linkvault.StateGone, start
		if err := putURL(urls, rec); err != nil {
			return err
		}
	}
	return nil
}

// nextRunID returns the id of a new run: one more than the bucket's
// sequence and than the greatest stored id.
func nextRunID(runs *bolt.Bucket) (uint64, error) {
	id := runs.Sequence() + 1
	if k, _ := runs.Cursor().Last(); len(k) == 8 {
		id = max(id, binary.BigEndian.Uint64(k)+1)
	}
	if err := runs.SetSequence(id); err != nil {
		return 0, fmt.Errorf("archive: next run id: %w", err)
	}
	return id, nil
}

// markInterrupted marks the runs left neither finished nor interrupted.
func markInterrupted(runs *bolt.Bucket) error {
	var stale []linkvault.Run
	err := runs.ForEach(func(_, v []byte) error {
		run, err := decodeRun(v)
		if err != nil {
			return err
		}
		if !run.Finished && !run.Interrupted {
			stale = append(stale, run)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := range stale {
		stale[i].Interrupted = true
		if err := putRun(runs, &stale[i]); err != nil {
			return err
		}
	}
	return nil
}

// Run returns the run being recorded, with its ID.
func (r *Recorder) Run() linkvault.Run { return r.run }

// SetLeft records, before Finish, how many due links a budgeted run did
// not reach.
func (r *Recorder) SetLeft(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.run.Left = n
}

// Record queues res for the writer goroutine, blocking while the queue is
// full. res.URL is the canonical URL; res.CheckedAt, when set, is the time
// of the check (the database's clock at the call otherwise). Results
// recorded after Finish are ignored. Write errors are reported by Finish.
func (r *Recorder) Record(res linkvault.Result) {
	if res.CheckedAt.IsZero() {
		res.CheckedAt = r.db.now()
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return
	}
	r.results <- res
}

// write is the writer goroutine: it commits the queued results in batches.
func (r *Recorder) write() {
	defer close(r.done)
	batch := make([]linkvault.Result, 0, batchSize)
	timer := time.NewTimer(flushInterval)
	timer.Stop()
	flush := func() {
		timer.Stop()
		if len(batch) > 0 && r.err == nil {
			r.err = r.commit(batch)
		}
		batch = batch[:0]
	}
	for {
		select {
		case res, ok := <-r.results:
			if !ok {
				flush()
				return
			}
			batch = append(batch, res)
			if len(batch) == 1 {
				timer.Reset(flushInterval)
			}
			if len(batch) >= batchSize {
				flush()
			}
		case <-timer.C:
			flush()
		}
	}
}

// commit folds one batch of results into the database in one transaction.
func (r *Recorder) commit(batch []linkvault.Result) error {
	policy := r.db.opts.Policy
	counts := make(map[linkvault.Status]int)
	var newlyDead, recovered int
	// Key order for locality; the stable sort keeps the order of two
	// results for one URL.
	slices.SortStableFunc(batch, func(a, b linkvault.Result) int { return strings.Compare(a.URL, b.URL) })
	err := r.db.update(func(tx *bolt.Tx) error {
		c, err := getCounts(tx)
		if err != nil {
			return err
		}
		urls, history := tx.Bucket(bucketURLs), tx.Bucket(bucketHistory)
		urls.FillPercent = fillPercent
		for _, res := range batch {
			if res.URL == "" {
				continue
			}
			t := res.CheckedAt
			rec, err := getURL(urls, res.URL)
			if err != nil {
				return err
			}
			var from linkvault.State
			if rec == nil {
				rec = &linkvault.URLRecord{URL: res.URL, Kind: linkvault.KindWeb,
					FirstSeen: t, LastSeen: t, State: linkvault.StateNew, StateSince: t}
			} else {
				from = rec.State
			}
			next, chk := linkvault.Advance(*rec, res, policy, t)
			chk.RunID = r.run.ID
			if err := putURL(urls, &next); err != nil {
				return err
			}
			if err := putCheck(history, urlHash(res.URL), &chk); err != nil {
				return err
			}
			c.addState(from, next.State)
			c.Checks++
			counts[res.Status]++
			if chk.Changed && next.State == linkvault.StateDead {
				newlyDead++
			}
			if chk.Changed && linkvault.Recovered(next.PrevState, next.State) {
				recovered++
			}
		}
		return putCounts(tx, c)
	})
	if err != nil {
		return fmt.Errorf("archive: record results: %w", err)
	}
	for s, n := range counts {
		r.counts[s] += n
	}
	r.newlyDead += newlyDead
	r.recovered += recovered
	return nil
}

// Finish flushes the queued results and stores the end of the run: its end
// time, the counts per status of the recorded checks and per state of all
// URL records, hosts, and how many URLs became dead or recovered. The run
// is stored as finished, or as interrupted when interrupted is true (or
// when recording failed). Finish returns the final run; call it once.
//
// When ctx ends before the queue is flushed, Finish returns ctx's error and
// leaves the run unfinished (the next BeginRun marks it interrupted).
func (r *Recorder) Finish(ctx context.Context, hosts map[string]*linkvault.HostStats, interrupted bool) (linkvault.Run, error) {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.results)
	}
	r.mu.Unlock()
	select {
	case <-r.done:
	case <-ctx.Done():
		return r.run, fmt.Errorf("archive: finish run %d: %w", r.run.ID, ctx.Err())
	}

	run := r.run
	run.End = r.db.now()
	run.Interrupted = interrupted || r.err != nil
	run.Finished = !run.Interrupted
	run.Counts = maps.Clone(r.counts)
	run.Hosts = hosts
	run.NewlyDead = r.newlyDead
	run.Recovered = r.recovered
	err := r.db.update(func(tx *bolt.Tx) error {
		c, err := getCounts(tx)
		if err != nil {
			return err
		}
		run.States = maps.Clone(c.States)
		return putRun(tx.Bucket(bucketRuns), &run)
	})
	if err != nil {
		err = fmt.Errorf("archive: finish run %d: %w", run.ID, err)
	}
	r.run = run
	return run, errors.Join(r.err, err)
}

// Runs returns the last limit runs (all when limit <= 0), newest last.
func (db *DB) Runs(limit int) ([]linkvault.Run, error) {
	return db.runs(limit, decodeRun)
}

// RunSummaries is Runs without the statistics of each host (Run.Hosts is
// nil), which it does not decode: a run over 8,000 hosts stores half a
// megabyte of them, and a report's 30 runs held some 30 MB (BENCHMARKS.md,
// issue 13).
func (db *DB) RunSummaries(limit int) ([]linkvault.Run, error) {
	return db.runs(limit, decodeRunSummary)
}

// decodeRunSummary is decodeRun without Run.Hosts.
func decodeRunSummary(v []byte) (linkvault.Run, error) {
	var s struct {
		linkvault.Run
		Hosts struct{} `json:"hosts"` // shadows Run.Hosts: skipped, not decoded
	}
	if err := json.Unmarshal(v, &s); err != nil {
		return s.Run, fmt.Errorf("archive: decode run: %w", err)
	}
	return s.Run, nil
}

func (db *DB) runs(limit int, decode func([]byte) (linkvault.Run, error)) ([]linkvault.Run, error) {
	var out []linkvault.Run
	err := db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRuns).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			run, err := decode(v)
			if err != nil {
				return err
			}
			out = append(out, run)
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

// LastRun returns the newest run, finished or not. With no run recorded
// yet it returns a *linkvault.Error with code ENotFound.
func (db *DB) LastRun() (*linkvault.Run, error) {
	runs, err := db.Runs(1)
	if err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		return nil, &linkvault.Error{Code: linkvault.ENotFound, Message: "no run recorded yet"}
	}
	return &runs[0], nil
}

// Run returns the run with the given id, or a *linkvault.Error with code
// ENotFound.
func (db *DB) Run(id uint64) (*linkvault.Run, error) {
	var run *linkvault.Run
	err := db.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketRuns).Get(runKey(id))
		if v == nil {
			return nil
		}
		r, err := decodeRun(v)
		run = &r
		return err
	})
	if err != nil {
		return nil, err
	}
	if run == nil {
		return nil, &linkvault.Error{Code: linkvault.ENotFound, Message: fmt.Sprintf("no run %d", id)}
	}
	return run, nil
}
