package archive

// Where the WARC files are: a local directory, or an object store with a
// local outbox. See the package doc, "Object storage".

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// warcKeyPrefix is where the WARC files are under the store's prefix:
// s3://BUCKET/PREFIX/warc/NAME.warc.gz.
const warcKeyPrefix = "warc/"

// bucketWARCs is the database bucket of the WARC files uploaded to the
// object store: key file name, value JSON uploadRecord. A file is entered
// only after its upload was verified.
var bucketWARCs = []byte("warcs")

// uploadRecord is what the database keeps of an uploaded WARC file.
type uploadRecord struct {
	Size     int64     `json:"size"`
	SHA256   string    `json:"sha256"`
	ETag     string    `json:"etag,omitempty"`
	Uploaded time.Time `json:"uploaded"`
}

// Store is where the WARC files are: a local directory, or an object store
// (s3://BUCKET/PREFIX) whose files are written in a local directory, the
// outbox, and uploaded from there once closed. Readers look in the local
// directory first (a file not uploaded yet, or a local archive) and read
// other files from the object store with range requests.
type Store struct {
	location string // as given
	dir      string // absolute local directory: the archive, or the outbox
	obj      objectStore
	loc      storeLocation
}

// OpenStore returns the store named by location: "" or a path is a local
// directory (location itself, or dir when location is ""); s3://… is an
// object store, dir then being its local outbox. No request is made; see
// Check.
func OpenStore(ctx context.Context, location, dir string) (*Store, error) {
	if !isStoreURL(location) {
		if location != "" {
			dir = location
		}
		if dir == "" {
			dir = DefaultArchiveDir
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, fmt.Errorf("archive: store: %w", err)
		}
		return &Store{location: abs, dir: abs}, nil
	}
	loc, err := parseStoreURL(location)
	if err != nil {
		return nil, err
	}
	obj, err := openS3(ctx, loc)
	if err != nil {
		return nil, err
	}
	if dir == "" {
		dir = DefaultArchiveDir
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("archive: store: %w", err)
	}
	return &Store{location: loc.String(), dir: abs, obj: obj, loc: loc}, nil
}

// localStore is the store of a local directory.
func localStore(dir string) *Store { return &Store{location: dir, dir: dir} }

// String returns the store's name: its directory, or s3://BUCKET/PREFIX.
func (s *Store) String() string { return s.location }

// Dir returns the local directory: the archive, or the outbox of an object
// store.
func (s *Store) Dir() string { return s.dir }

// remote reports whether the files go to an object store.
func (s *Store) remote() bool { return s.obj != nil }

// Check makes one request (a listing of at most a page) to find out
// whether the object store answers, the bucket exists and the credentials
// are accepted. A local store needs no check.
func (s *Store) Check(ctx context.Context) error {
	if s.obj == nil {
		return nil
	}
	// A listing, not a HEAD request: the answer to HEAD has no body to
	// tell a missing bucket from a missing key.
	_, err := s.obj.List(ctx, warcKeyPrefix+".check")
	return err
}

// localPath returns the path of WARC file name in the local directory:
// name itself or, while it is being written, name.open; "" when neither
// exists.
func (s *Store) localPath(name string) (string, error) {
	p, err := recordPath(s.dir, name)
	if err == nil {
		return p, nil
	}
	if linkvault.ErrorCode(err) == linkvault.ENotFound {
		return "", nil
	}
	return "", err
}

// readRecord opens the record at offset in WARC file name: from the local
// directory when the file is there, else with one range request of length
// bytes (to the end of the object when length <= 0). It streams: nothing
// of the payload is read before the caller reads it.
func (s *Store) readRecord(ctx context.Context, name string, offset, length int64) (*storedRecord, error) {
	if name == "" || name != filepath.Base(name) {
		return nil, fmt.Errorf("archive: bad warc file name %q", name)
	}
	p, err := s.localPath(name)
	if err != nil {
		return nil, err
	}
	if p != "" || s.obj == nil {
		return readRecord(s.dir, name, offset)
	}
	if length <= 0 {
		length = -1
	}
	r, err := s.obj.GetRange(ctx, warcKeyPrefix+name, offset, length)
	if errors.Is(err, errObjectNotFound) && !errors.Is(err, errBucketMissing) {
		return nil, &linkvault.Error{Code: linkvault.ENotFound, Message: fmt.Sprintf(
			"warc file %s is neither in %s nor in %s (not uploaded yet: it waits in the outbox of the run that wrote it)",
			name, s.loc.String()+"/"+warcKeyPrefix, s.dir)}
	}
	if err != nil {
		return nil, err
	}
	rec, err := parseRecord(r)
	if err != nil {
		_ = r.Close()
		return nil, fmt.Errorf("archive: read record %s/%s%s@%d: %w", s.loc, warcKeyPrefix, name, offset, err)
	}
	rec.file = r
	return rec, nil
}

// OpenPayload is OpenPayload of the package for the files of s.
func (s *Store) OpenPayload(ctx context.Context, c linkvault.Capture) (io.ReadCloser, http.Header, error) {
	return openPayload(ctx, s, c)
}

// outboxFiles returns the names of the closed WARC files in the local
// directory, oldest name first.
func (s *Store) outboxFiles() ([]string, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("archive: outbox: %w", err)
	}
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".warc.gz") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// upload puts the closed WARC file name of the outbox into the object
// store, verified (size and digest), enters it in the database, and then
// removes the local file. A file the database already holds as uploaded
// with its size is only removed.
func (s *Store) upload(ctx context.Context, db *DB, name string) (int64, error) {
	path := filepath.Join(s.dir, name)
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("archive: upload: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("archive: upload: %w", err)
	}
	rec, ok, err := db.uploaded(name)
	if err != nil {
		return 0, err
	}
	var sent int64
	if !ok || rec.Size != fi.Size() {
		info, err := s.obj.Put(ctx, warcKeyPrefix+name, f, fi.Size())
		if err != nil {
			return 0, err
		}
		sent = fi.Size()
		rec = uploadRecord{Size: info.Size, SHA256: info.Meta[metaSHA256], ETag: info.ETag, Uploaded: time.Now().UTC()}
		if err := db.setUploaded(name, rec); err != nil {
			return sent, err
		}
	}
	// Only now, with the object verified and entered, the local copy goes.
	if err := os.Remove(path); err != nil {
		return sent, fmt.Errorf("archive: upload: %w", err)
	}
	return sent, syncDir(s.dir)
}

// uploaded returns the database's record of the uploaded WARC file name.
func (db *DB) uploaded(name string) (rec uploadRecord, ok bool, err error) {
	err = db.view(func(tx *bolt.Tx) error {
		v := getCopy(tx.Bucket(bucketWARCs), []byte(name))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &rec)
	})
	if err != nil {
		return rec, false, fmt.Errorf("archive: uploaded %s: %w", name, err)
	}
	return rec, ok, nil
}

// setUploaded enters the uploaded WARC file name.
func (db *DB) setUploaded(name string, rec uploadRecord) error {
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return db.update(func(tx *bolt.Tx) error {
		b, err := createBucket(tx, bucketWARCs)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(name), v); err != nil {
			return fmt.Errorf("archive: uploaded %s: %w", name, err)
		}
		return nil
	})
}

// uploader uploads the closed WARC files of an Archiver's outbox, one at
// a time, in the background: the files a previous run left, and each file
// as the Archiver closes it.
type uploader struct {
	store  *Store
	db     *DB
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	cond   *sync.Cond
	queue  []string
	queued map[string]bool
	busy   bool
	stop   bool
	failed map[string]error // files that stay in the outbox, with why
	sent   int64            // bytes uploaded
	files  int              // files uploaded
	done   chan struct{}
}

func newUploader(store *Store, db *DB) *uploader {
	ctx, cancel := context.WithCancel(context.Background())
	u := &uploader{store: store, db: db, ctx: ctx, cancel: cancel,
		queued: map[string]bool{}, failed: map[string]error{}, done: make(chan struct{})}
	u.cond = sync.NewCond(&u.mu)
	go u.run()
	return u
}

// add queues the outbox file name for upload.
func (u *uploader) add(names ...string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, n := range names {
		if !u.queued[n] {
			u.queued[n] = true
			u.queue = append(u.queue, n)
		}
	}
	u.cond.Broadcast()
}

func (u *uploader) run() {
	defer close(u.done)
	for {
		u.mu.Lock()
		for len(u.queue) == 0 && !u.stop {
			u.cond.Wait()
		}
		if len(u.queue) == 0 {
			u.mu.Unlock()
			return
		}
		name := u.queue[0]
		u.queue = u.queue[1:]
		u.busy = true
		u.mu.Unlock()

		n, err := u.store.upload(u.ctx, u.db, name)

		u.mu.Lock()
		u.busy = false
		delete(u.queued, name)
		u.sent += n
		if err != nil {
			u.failed[name] = err
		} else {
			u.files++
			delete(u.failed, name)
		}
		u.cond.Broadcast()
		u.mu.Unlock()
	}
}

// wait waits until the queue is empty; when ctx ends first, the upload in
// flight is cancelled. It returns an error naming the files that stay in
// the outbox, nil when there are none.
func (u *uploader) wait(ctx context.Context) error {
	stop := context.AfterFunc(ctx, u.cancel)
	defer stop()
	u.mu.Lock()
	defer u.mu.Unlock()
	for len(u.queue) > 0 || u.busy {
		u.cond.Wait()
	}
	if len(u.failed) == 0 {
		return nil
	}
	var names []string
	for n := range u.failed {
		names = append(names, n)
	}
	sort.Strings(names)
	first := u.failed[names[0]]
	what := names[0]
	if len(names) > 1 {
		what = fmt.Sprintf("%s and %d more", names[0], len(names)-1)
	}
	return linkvault.Errorf(linkvault.EInternal,
		"archive: upload of %s failed; kept in the outbox %s, it goes up on the next run: %w", what, u.store.dir, first)
}

// close stops the uploader, cancelling an upload in flight.
func (u *uploader) close() {
	u.mu.Lock()
	u.stop = true
	u.queue = nil
	u.cond.Broadcast()
	u.mu.Unlock()
	u.cancel()
	<-u.done
}

// StoreURL returns the store location with its options: for s3://… the
// URL with endpoint, region and pathStyle ("true", "false"; "" or "auto"
// for automatic) added to its query unless it names them itself; a local
// directory as it is. An invalid URL or option is an EInvalid error.
func StoreURL(location, endpoint, region, pathStyle string) (string, error) {
	if !isStoreURL(location) {
		return location, nil
	}
	loc, err := parseStoreURL(location)
	if err != nil {
		return "", err
	}
	if loc.Endpoint == "" {
		loc.Endpoint = endpoint
	}
	if loc.Region == "" {
		loc.Region = region
	}
	if loc.PathStyle == "" && pathStyle != "auto" {
		loc.PathStyle = pathStyle
	}
	q := url.Values{}
	if loc.Endpoint != "" {
		q.Set("endpoint", loc.Endpoint)
	}
	if loc.Region != "" {
		q.Set("region", loc.Region)
	}
	if loc.PathStyle != "" {
		q.Set("path_style", loc.PathStyle)
	}
	s := loc.String()
	if len(q) > 0 {
		s += "?" + q.Encode()
	}
	if _, err := parseStoreURL(s); err != nil {
		return "", err
	}
	return s, nil
}

// uploadedFiles returns the WARC files in the object store (nil for a
// local store), with one listing.
func (s *Store) uploadedFiles(ctx context.Context) (map[string]bool, error) {
	ok := map[string]bool{}
	if s.obj == nil {
		return ok, nil
	}
	list, err := s.obj.List(ctx, warcKeyPrefix)
	if err != nil {
		return nil, err
	}
	for _, o := range list {
		ok[strings.TrimPrefix(o.Key, warcKeyPrefix)] = true
	}
	return ok, nil
}
