package archive

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/linkvault/linkvault"
)

// Names of the top-level buckets of the run history. The capture index
// (index.go) and the Wayback cache (wayback.go) have their own.
var (
	bucketMeta    = []byte("meta")
	bucketRuns    = []byte("runs")
	bucketURLs    = []byte("urls")
	bucketHistory = []byte("history")
)

// DefaultTimeout is how long Open waits for the file lock when
// Options.Timeout is zero.
const DefaultTimeout = time.Second

// initialMmapSize is the first memory map of the file. It is address space,
// not memory: a generous size keeps a write that grows the file from waiting
// for open read transactions (see the bbolt notes in LIBRARIES.md).
const initialMmapSize = 64 << 20

// ErrInUse is returned by Open, wrapped in a *linkvault.Error with code
// linkvault.EConflict, when another process holds the database file and the
// lock could not be taken within Options.Timeout. Test it with errors.Is.
var ErrInUse = errors.New("archive: database is in use by another process")

// inUseError is the error Open returns for a locked file: its message names
// the file for the user, and it matches ErrInUse.
type inUseError struct{ name string }

func (e *inUseError) Error() string {
	return e.name + " is in use by another linkvault process"
}

func (e *inUseError) Is(target error) bool { return target == ErrInUse }

// Options configures Open. A nil *Options means the defaults.
type Options struct {
	// Timeout is how long Open waits for the file lock held by another
	// process (DefaultTimeout when zero). Open never waits forever.
	Timeout time.Duration

	// ReadOnly opens the file with a shared lock for queries only. A
	// missing file is then an ENotFound error, and a file that needs a
	// schema migration is an EInvalid error (nothing is written).
	ReadOnly bool

	// NoCreate opens for writing only an existing database: as with
	// ReadOnly, a missing file is an ENotFound error and an empty one an
	// error matching ErrDamaged (a read-write open otherwise makes a new
	// database of either).
	NoCreate bool

	// Policy decides when a URL is dead. Zero fields take the defaults
	// (linkvault.Policy.WithDefaults: the zero Policy means
	// linkvault.DefaultPolicy(), DeadMinAge is used as given).
	Policy linkvault.Policy

	// Now returns the current time (time.Now when nil). Tests inject it.
	Now func() time.Time

	// Version is the linkvault version, written into a new file's meta
	// bucket and into the meta of files it migrates.
	Version string

	// OpenFile, when set, replaces os.OpenFile for the database file (as in
	// bbolt.Options).
	OpenFile func(name string, flag int, perm os.FileMode) (*os.File, error)
}

// DB is a linkvault database: the runs, the URL records and the check
// history in one bbolt file. Its methods are safe for concurrent use.
type DB struct {
	path string
	opts Options

	// mu guards bolt: GC takes it exclusively to swap in the compacted
	// file; every other method holds it shared.
	mu   sync.RWMutex
	bolt *bolt.DB

	// broken is the error of the first panic recovered from bbolt: the
	// file is damaged, and bbolt may have been left holding its own locks,
	// so every later call returns this error without entering bbolt.
	broken atomic.Pointer[error]
}

// Open opens the database at path, creating the file and its buckets when
// it does not exist (unless opts.ReadOnly) and migrating an older schema.
//
// Errors are *linkvault.Error values: EConflict wrapping ErrInUse when
// another process holds the file, EInvalid when the file is not a bbolt
// database or has a schema newer than this program knows, ENotFound for a
// missing file opened read-only.
//
// Before bbolt maps the file, Open checks it (see checkFile): a damaged
// file is refused with an error that matches ErrDamaged, has code
// EInternal, and names the file, what is wrong and what to do. A panic or
// memory fault inside bbolt on a damaged file that this check lets through
// is recovered by every method and returned the same way.
func Open(path string, opts *Options) (*DB, error) {
	db := &DB{path: path, opts: normalize(opts)}
	if err := db.checkBeforeOpen(path); err != nil {
		return nil, err
	}
	b, err := db.openBolt(path)
	if err != nil {
		return nil, err
	}
	db.bolt = b
	if err := db.prepare(); err != nil {
		_ = b.Close()
		return nil, err
	}
	return db, nil
}

func normalize(opts *Options) Options {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Policy = o.Policy.WithDefaults()
	return o
}

// ErrDamaged is matched (errors.Is) by the error Open and the other
// methods return when the database file is damaged: cut short, or pages
// overwritten. Such an error has code linkvault.EInternal.
var ErrDamaged = errDamaged

// damagedError is the error for a damaged file: one line for the user
// naming the file, what is wrong and what to do.
type damagedError struct {
	path, what string
}

func (e *damagedError) Error() string {
	return fmt.Sprintf("%s is damaged: %s; restore a copy of it, or move it aside to start a new database", e.path, e.what)
}

func (e *damagedError) Is(target error) bool { return target == errDamaged }

func damaged(path, what string) error {
	return &linkvault.Error{Code: linkvault.EInternal, Err: &damagedError{path: path, what: what}}
}

// recovered turns a panic value recovered around bbolt into the error of a
// damaged file: bbolt panics (and, with debug.SetPanicOnFault, faults)
// when it follows a damaged page.
func (db *DB) recovered(r any) error {
	err := damaged(db.path, fmt.Sprintf("reading it failed (%v)", r))
	db.broken.CompareAndSwap(nil, &err)
	return *db.broken.Load()
}

// brokenErr returns the error that broke the database, nil if none did.
func (db *DB) brokenErr() error {
	if p := db.broken.Load(); p != nil {
		return *p
	}
	return nil
}

// checkBeforeOpen checks the existing file at path before bbolt maps it.
// A missing file (or, opened for writing, an empty one) is a new database.
func (db *DB) checkBeforeOpen(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if db.opts.ReadOnly || db.opts.NoCreate {
			return &linkvault.Error{Code: linkvault.ENotFound,
				Message: fmt.Sprintf("no database at %s", path), Err: err}
		}
		return nil
	case err != nil:
		return &linkvault.Error{Code: linkvault.EInternal,
			Message: fmt.Sprintf("cannot open database %s", path), Err: fmt.Errorf("archive: open db: %w", err)}
	case fi.Size() == 0 && (db.opts.ReadOnly || db.opts.NoCreate):
		return damaged(path, "it is empty (0 bytes)")
	case fi.Size() == 0:
		return nil // bbolt writes the first pages of a new file
	}
	f, err := os.Open(path)
	if err != nil {
		return &linkvault.Error{Code: linkvault.EInternal,
			Message: fmt.Sprintf("cannot open database %s", path), Err: fmt.Errorf("archive: open db: %w", err)}
	}
	defer f.Close()
	if err := lockShared(f, db.opts.Timeout); errors.Is(err, errLockTimeout) {
		return &linkvault.Error{Code: linkvault.EConflict, Err: &inUseError{name: filepath.Base(path)}}
	} else if err != nil {
		return &linkvault.Error{Code: linkvault.EInternal,
			Message: fmt.Sprintf("cannot lock database %s", path), Err: fmt.Errorf("archive: open db: %w", err)}
	}
	if fi, err = f.Stat(); err != nil {
		return &linkvault.Error{Code: linkvault.EInternal,
			Message: fmt.Sprintf("cannot open database %s", path), Err: fmt.Errorf("archive: open db: %w", err)}
	}
	err = checkFile(f, fi.Size())
	var d *damage
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errNotBolt):
		return &linkvault.Error{Code: linkvault.EInvalid,
			Message: fmt.Sprintf("%s is not a linkvault database", path), Err: err}
	case errors.As(err, &d):
		return damaged(path, d.what)
	}
	return &linkvault.Error{Code: linkvault.EInternal,
		Message: fmt.Sprintf("cannot read database %s", path), Err: fmt.Errorf("archive: open db: %w", err)}
}

// openBolt opens the bbolt file and maps its errors to *linkvault.Error.
func (db *DB) openBolt(path string) (b *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, db.recovered(r)
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	b, err = bolt.Open(path, 0o600, &bolt.Options{
		Timeout:         db.opts.Timeout,
		ReadOnly:        db.opts.ReadOnly,
		InitialMmapSize: initialMmapSize,
		FreelistType:    bolt.FreelistMapType,
		OpenFile:        db.opts.OpenFile,
	})
	switch {
	case err == nil:
		return b, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, &linkvault.Error{Code: linkvault.EConflict, Err: &inUseError{name: filepath.Base(path)}}
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch):
		return nil, &linkvault.Error{Code: linkvault.EInvalid,
			Message: fmt.Sprintf("%s is not a linkvault database", path), Err: err}
	case errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrInvalidMapping):
		return nil, damaged(path, err.Error())
	default:
		return nil, &linkvault.Error{Code: linkvault.EInternal,
			Message: fmt.Sprintf("cannot open database %s", path), Err: fmt.Errorf("archive: open db: %w", err)}
	}
}

// Close closes the database. It waits for open transactions to end. Once
// bbolt has panicked on a damaged file, Close does not enter it again (it
// may wait forever on a lock the panic left held): the file stays open and
// locked until the process exits.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.bolt == nil {
		return nil
	}
	if db.brokenErr() != nil {
		db.bolt = nil
		return nil
	}
	err := db.bolt.Close()
	db.bolt = nil
	if err != nil {
		return fmt.Errorf("archive: close db: %w", err)
	}
	return nil
}

// Path returns the path of the database file.
func (db *DB) Path() string { return db.path }

// readOnly reports whether the database was opened read-only.
func (db *DB) readOnly() bool { return db.opts.ReadOnly }

// errClosed is returned by every method of a closed DB.
var errClosed = errors.New("archive: database is closed")

// update runs fn in a read-write transaction. A panic or memory fault in
// bbolt (a damaged file) rolls the transaction back and is returned as an
// error matching ErrDamaged.
func (db *DB) update(fn func(tx *bolt.Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = db.recovered(r)
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.bolt == nil {
		return errClosed
	}
	if err := db.brokenErr(); err != nil {
		return err
	}
	if db.opts.ReadOnly {
		return &linkvault.Error{Code: linkvault.EInvalid,
			Message: fmt.Sprintf("%s is open read-only", filepath.Base(db.path))}
	}
	return db.bolt.Update(fn)
}

// view runs fn in a read-only transaction. Keep fn short: an open read
// transaction holds back writers that need to grow the file. Panics and
// faults are recovered as in update.
func (db *DB) view(fn func(tx *bolt.Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = db.recovered(r)
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.bolt == nil {
		return errClosed
	}
	if err := db.brokenErr(); err != nil {
		return err
	}
	return db.bolt.View(fn)
}

// now returns the current time from Options.Now.
func (db *DB) now() time.Time { return db.opts.Now() }

// clone returns a copy of b that outlives the transaction b came from.
func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}
