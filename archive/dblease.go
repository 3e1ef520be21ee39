package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/linkvault/linkvault"
)

// leaseBody is the content of the lease object: who runs, since when,
// and until when the lease holds unless renewed.
type leaseBody struct {
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Command string    `json:"command,omitempty"`
	Version string    `json:"version,omitempty"`
	Started time.Time `json:"started"`
	Renewed time.Time `json:"renewed"`
	Expires time.Time `json:"expires"`
}

// holder describes the run holding a lease, for messages.
func (b leaseBody) holder() string {
	var parts []string
	parts = append(parts, "started "+stamp(b.Started))
	if b.Host != "" {
		parts = append(parts, "host "+b.Host)
	}
	if b.PID != 0 {
		parts = append(parts, fmt.Sprintf("pid %d", b.PID))
	}
	return strings.Join(parts, ", ")
}

// remoteInUseError is the error for a database whose lease another run
// holds. It matches ErrInUse.
type remoteInUseError struct {
	url    string
	holder leaseBody
}

func (e *remoteInUseError) Error() string {
	return fmt.Sprintf("%s is in use by another linkvault run (%s; its lease expires %s unless renewed)",
		e.url, e.holder.holder(), stamp(e.holder.Expires))
}

func (e *remoteInUseError) Is(target error) bool { return target == ErrInUse }

// lease is a run's hold on a remote database: the lease object, created
// only if absent (or replaced only if unchanged when it had expired),
// renewed every Lease/3 until released.
type lease struct {
	r *remoteDB

	mu   sync.Mutex
	etag string    // of the lease object as this run last wrote it
	body leaseBody // as last written
	lost error     // set when another run took the lease

	stop chan struct{}
	done chan struct{}
}

// takeLease takes the lease of r. A lease held by another run is an
// EConflict error matching ErrInUse, at once; an expired one is taken
// over with a warning.
func (r *remoteDB) takeLease(ctx context.Context) (*lease, error) {
	host, _ := os.Hostname()
	now := r.opts.Now().UTC()
	body := leaseBody{Host: host, PID: os.Getpid(), Command: r.opts.Command, Version: r.opts.Version,
		Started: now, Renewed: now, Expires: now.Add(r.opts.Lease)}
	data, _ := json.Marshal(body)
	key := r.key(leaseObject)
	var held leaseBody
	for range 3 {
		info, err := r.store.Create(ctx, key, data, nil)
		if err == nil {
			return r.startLease(info.ETag, body), nil
		}
		if !errors.Is(err, errObjectExists) {
			return nil, err
		}
		old, info, err := r.readLease(ctx)
		if errors.Is(err, errObjectNotFound) {
			continue // released meanwhile
		}
		if err != nil {
			return nil, err
		}
		held = old
		if now.Before(old.Expires) {
			return nil, &linkvault.Error{Code: linkvault.EConflict, Err: &remoteInUseError{url: r.url, holder: old}}
		}
		info, err = r.store.Replace(ctx, key, info.ETag, data, nil)
		if errors.Is(err, errObjectChanged) || errors.Is(err, errObjectNotFound) {
			continue // another run was quicker: look again
		}
		if err != nil {
			return nil, err
		}
		r.opts.Warn(fmt.Sprintf("%s: took over the lease of a run that did not finish (%s; expired %s): what it did since its last upload is lost",
			r.url, old.holder(), stamp(old.Expires)))
		return r.startLease(info.ETag, body), nil
	}
	return nil, &linkvault.Error{Code: linkvault.EConflict, Err: &remoteInUseError{url: r.url, holder: held}}
}

// readLease reads the lease object. One that does not parse (not written
// by linkvault) counts as expired Lease after it was last written.
func (r *remoteDB) readLease(ctx context.Context) (leaseBody, objectInfo, error) {
	rc, info, err := r.store.Get(ctx, r.key(leaseObject))
	if err != nil {
		return leaseBody{}, info, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 64<<10))
	if err != nil {
		return leaseBody{}, info, err
	}
	var b leaseBody
	if json.Unmarshal(data, &b) != nil || b.Expires.IsZero() {
		b = leaseBody{Started: info.Modified, Expires: info.Modified.Add(r.opts.Lease)}
	}
	return b, info, nil
}

func (r *remoteDB) startLease(etag string, body leaseBody) *lease {
	l := &lease{r: r, etag: etag, body: body, stop: make(chan struct{}), done: make(chan struct{})}
	go l.keep()
	return l
}

// keep renews the lease every Lease/3 until stopped or lost.
func (l *lease) keep() {
	defer close(l.done)
	t := time.NewTicker(l.r.opts.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), l.r.opts.Lease/3)
			err := l.renew(ctx)
			cancel()
			if l.lostErr() != nil {
				return
			}
			if err != nil {
				l.r.opts.Warn(fmt.Sprintf("%s: the lease could not be renewed (will try again): %v", l.r.url, err))
			}
		}
	}
}

// renew extends the lease, if this run still holds it: a lease replaced
// by another run (which took it over after it expired) is lost for good.
func (l *lease) renew(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost != nil {
		return l.lost
	}
	now := l.r.opts.Now().UTC()
	if now.After(l.body.Expires) {
		// Another run may have taken it over without a trace yet.
		l.lost = &linkvault.Error{Code: linkvault.EConflict,
			Message: fmt.Sprintf("%s: this run's lease expired at %s before it could be renewed", l.r.url, stamp(l.body.Expires))}
		return l.lost
	}
	body := l.body
	body.Renewed, body.Expires = now, now.Add(l.r.opts.Lease)
	data, _ := json.Marshal(body)
	info, err := l.r.store.Replace(ctx, l.r.key(leaseObject), l.etag, data, nil)
	switch {
	case errors.Is(err, errObjectChanged), errors.Is(err, errObjectNotFound):
		l.lost = &linkvault.Error{Code: linkvault.EConflict,
			Message: fmt.Sprintf("%s: another run took over this run's lease", l.r.url), Err: err}
		return l.lost
	case err != nil:
		return err
	}
	l.etag, l.body = info.ETag, body
	return nil
}

func (l *lease) lostErr() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

// release stops the renewal and deletes the lease object if it is still
// this run's.
func (l *lease) release(ctx context.Context) error {
	select {
	case <-l.stop:
		return nil
	default:
		close(l.stop)
	}
	<-l.done
	if l.lostErr() != nil {
		return nil
	}
	info, err := l.r.store.Stat(ctx, l.r.key(leaseObject))
	if errors.Is(err, errObjectNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	l.mu.Lock()
	mine := info.ETag == l.etag
	l.mu.Unlock()
	if !mine {
		return nil
	}
	return l.r.store.Delete(ctx, l.r.key(leaseObject))
}

// Checkout is a database taken from an object store for writing: its
// lease is held (and renewed) from CheckoutDB to Release, the latest
// generation is downloaded into a local file (Path) that the run opens
// with Open, and Commit uploads the result as a new generation.
type Checkout struct {
	r     *remoteDB
	lease *lease
	dir   string
	temp  bool
	path  string
	from  Generation // Number 0: the bucket held no database
	done  bool       // committed: the local copy is no longer needed
}

// CheckoutDB takes the lease of the database at the URL u
// (s3://BUCKET/PREFIX/NAME) and downloads its latest generation, or
// generation from when it is not 0. A bucket without any generation gives
// a new, empty database. Another run's lease is an EConflict error
// matching ErrInUse (its message names the run); a lease left behind by
// a run that stopped renewing it is taken over with a warning. A damaged
// generation is refused with an error that names the previous one.
func CheckoutDB(ctx context.Context, u string, from int64, opts RemoteOptions) (*Checkout, error) {
	r, err := openRemote(ctx, u, opts)
	if err != nil {
		return nil, err
	}
	return r.checkout(ctx, from)
}

func (r *remoteDB) checkout(ctx context.Context, from int64) (_ *Checkout, err error) {
	l, err := r.takeLease(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = l.release(context.WithoutCancel(ctx))
		}
	}()
	dir, temp, err := r.workDir()
	if err != nil {
		return nil, err
	}
	c := &Checkout{r: r, lease: l, dir: dir, temp: temp, path: filepath.Join(dir, r.name)}
	if from == 0 {
		ns, err := r.numbers(ctx)
		if err != nil {
			return nil, err
		}
		if len(ns) > 0 {
			from = ns[len(ns)-1]
		}
	}
	if from == 0 {
		if err := os.Remove(c.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("archive: %s: %w", r.url, err)
		}
		return c, nil
	}
	c.from, err = r.fetch(ctx, from, c.path)
	if err != nil {
		c.removeCopy()
		return nil, err
	}
	return c, nil
}

// Path returns the local database file: open it with Open.
func (c *Checkout) Path() string { return c.path }

// From returns the generation the local file was downloaded from
// (Number 0: none, a new database).
func (c *Checkout) From() Generation { return c.from }

// Commit uploads a consistent snapshot of db (which must be the database
// opened at Path) as the next generation, compressed, verifies it, and
// deletes the generations beyond RemoteOptions.Generations. It refuses
// when this run lost its lease (another run took it over): the local
// file is then kept, Release says where.
func (c *Checkout) Commit(ctx context.Context, db *DB) (Generation, error) {
	return c.commit(ctx, func(n int64) (Generation, error) {
		return c.r.upload(ctx, db, n, c.from.Number, c.r.opts.Command)
	})
}

func (c *Checkout) commit(ctx context.Context, up func(n int64) (Generation, error)) (Generation, error) {
	if err := c.lease.renew(ctx); err != nil {
		return Generation{}, err
	}
	ns, err := c.r.numbers(ctx)
	if err != nil {
		return Generation{}, err
	}
	next := c.from.Number + 1
	if len(ns) > 0 {
		next = max(next, ns[len(ns)-1]+1)
	}
	g, err := up(next)
	if err != nil {
		return g, err
	}
	c.done = true
	c.r.prune(ctx)
	return g, nil
}

// Release gives the lease back and deletes the local copy once it was
// committed. A copy that was not committed is kept: kept names it.
func (c *Checkout) Release(ctx context.Context) (kept string, err error) {
	err = c.lease.release(ctx)
	if c.done {
		c.removeCopy()
		return "", err
	}
	return c.path, err
}

// Discard gives the lease back and deletes the local copy without
// uploading it: for a command that failed before it changed anything.
func (c *Checkout) Discard(ctx context.Context) error {
	c.done = true
	_, err := c.Release(ctx)
	return err
}

func (c *Checkout) removeCopy() {
	if c.temp {
		_ = os.RemoveAll(c.dir)
		return
	}
	_ = os.Remove(c.path)
}

// Restore makes generation gen of the database at the URL u the latest
// again: under the lease, it is downloaded, checked, and uploaded
// unchanged as a new generation, so that the next run starts from it.
// The generations after it stay until pruned.
func Restore(ctx context.Context, u string, gen int64, opts RemoteOptions) (Generation, error) {
	r, err := openRemote(ctx, u, opts)
	if err != nil {
		return Generation{}, err
	}
	return r.restore(ctx, gen)
}

func (r *remoteDB) restore(ctx context.Context, gen int64) (Generation, error) {
	c, err := r.checkout(ctx, gen)
	if err != nil {
		return Generation{}, err
	}
	defer c.Release(context.WithoutCancel(ctx))
	body, err := os.ReadFile(c.path)
	if err != nil {
		return Generation{}, fmt.Errorf("archive: restore %s: %w", r.url, err)
	}
	src := c.from
	return c.commit(ctx, func(n int64) (Generation, error) {
		return r.putDB(ctx, n, body, Generation{From: src.Number, Command: fmt.Sprintf("restore %d", src.Number)})
	})
}
