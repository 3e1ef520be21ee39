package archive

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/nlnwa/gowarc/v3"

	"github.com/linkvault/linkvault"
)

// ArchiverOptions configures NewArchiver. The zero value of a field means
// its default.
type ArchiverOptions struct {
	Dir string // archive directory (default "archive"), created when missing
	// Store, when set, is where the files go, and Dir is ignored: its
	// Dir, and for an object store its uploads (see Archiver.Upload).
	Store       *Store
	MaxFileSize int64            // size at which WARC files are rotated (default 1 GiB)
	Prefix      string           // WARC file name prefix (default "linkvault")
	Version     string           // linkvault version, for the warcinfo software field
	Now         func() time.Time // clock for captures without a time and for file names (default time.Now)
	// RedactHeaders are request header names (the hosts.*.headers of the
	// config) never written to the archive, besides Authorization,
	// Proxy-Authorization and Cookie; Set-Cookie is never archived with a
	// response.
	RedactHeaders []string

	// openFile, when set, replaces os.OpenFile for new WARC files (tests
	// inject files that fail as a full disk does).
	openFile func(name string, flag int, perm os.FileMode) (warcFile, error)
}

// Defaults of ArchiverOptions.
const (
	DefaultArchiveDir  = "archive"
	DefaultMaxFileSize = 1 << 30
	DefaultPrefix      = "linkvault"
)

// Archiver writes exchanges as WARC records and indexes them in the DB. Its
// methods are safe for concurrent use; Close must be called to give the
// current WARC file its final name.
//
// Durability: a record is written and the WARC file fsynced before its
// index entry is committed, so the index never points at a record that is
// not wholly on disk. The index stores the final file name; while a file
// is written it is named NAME.open, and readers (OpenPayload) look for
// both. A .open file left by a crashed run is repaired (a torn last record
// cut off) and renamed by the next NewArchiver on the same directory.
type Archiver struct {
	db   *DB
	opts ArchiverOptions
	dir  string
	tmp  string
	ropt []gowarc.WarcRecordOption

	mu     sync.Mutex // serializes write + index of one capture
	closed bool
	w      *warcWriter // guarded by mu
	up     *uploader   // nil: a local store
}

// builderMu serializes gowarc.NewRecordBuilder, which writes a global of
// github.com/google/uuid (EnableRandPool) without synchronization.
var builderMu sync.Mutex

func newRecordBuilder(rt gowarc.RecordType, opts ...gowarc.WarcRecordOption) gowarc.WarcRecordBuilder {
	builderMu.Lock()
	defer builderMu.Unlock()
	return gowarc.NewRecordBuilder(rt, opts...)
}

// active counts the Archivers of this process per directory, so that a
// second Archiver on a directory does not "recover" the files the first is
// writing. Other processes are kept out by the database lock.
// It also lists them, so that an export can finish the files they write.
var active = struct {
	sync.Mutex
	dirs      map[string]int
	archivers map[string]map[*Archiver]bool
}{dirs: map[string]int{}, archivers: map[string]map[*Archiver]bool{}}

// NewArchiver returns an Archiver writing into opts.Dir and indexing into
// db. Leftover .open files of a crashed run are repaired and renamed first.
func NewArchiver(db *DB, opts ArchiverOptions) (*Archiver, error) {
	if db == nil {
		return nil, errors.New("archive: new archiver: nil db")
	}
	if opts.Store != nil {
		opts.Dir = opts.Store.Dir()
	}
	if opts.Dir == "" {
		opts.Dir = DefaultArchiveDir
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("archive: new archiver: %w", err)
	}
	tmp := filepath.Join(dir, tmpDirName)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("archive: new archiver: %w", err)
	}

	active.Lock()
	first := active.dirs[dir] == 0
	active.dirs[dir]++
	active.Unlock()
	if first {
		if err := cleanTmp(tmp); err != nil {
			release(dir)
			return nil, err
		}
		if err := recoverOpenFiles(dir); err != nil {
			release(dir)
			return nil, err
		}
	}

	a := &Archiver{db: db, opts: opts, dir: dir, tmp: tmp, ropt: recordOptions(tmp)}
	software := "linkvault"
	if opts.Version != "" {
		software += "/" + opts.Version
	}
	if opts.openFile == nil {
		opts.openFile = openWARC
	}
	gz, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	a.w = &warcWriter{
		dir:      dir,
		namer:    newFileNamer(dir, opts.Prefix, opts.Now),
		openFile: opts.openFile,
		maxSize:  opts.MaxFileSize,
		ropt:     a.ropt,
		m:        gowarc.NewMarshaler(),
		gz:       gz,
		info: func(rb gowarc.WarcRecordBuilder) error {
			_, err := fmt.Fprintf(rb, "software: %s (gowarc)\r\nformat: WARC File Format 1.1\r\n"+
				"conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n"+
				"description: snapshots of the links of a body of notes\r\n", software)
			return err
		},
	}
	if err := a.startUploads(opts.Store); err != nil {
		release(dir)
		return nil, err
	}
	active.Lock()
	if active.archivers[dir] == nil {
		active.archivers[dir] = map[*Archiver]bool{}
	}
	active.archivers[dir][a] = true
	active.Unlock()
	return a, nil
}

// startUploads starts the uploads of an object store: the files a
// previous run could not upload go up first, in the background; each file
// the Archiver closes follows. A local store (or none) uploads nothing.
func (a *Archiver) startUploads(store *Store) error {
	if store == nil || !store.remote() {
		return nil
	}
	names, err := store.outboxFiles()
	if err != nil {
		return err
	}
	a.up = newUploader(store, a.db)
	a.up.add(names...)
	a.w.closed = func(name string) { a.up.add(name) }
	return nil
}

func release(dir string) {
	active.Lock()
	defer active.Unlock()
	if active.dirs[dir]--; active.dirs[dir] <= 0 {
		delete(active.dirs, dir)
	}
}

// cleanTmp removes spool files a crashed run left behind.
func cleanTmp(tmp string) error {
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return fmt.Errorf("archive: clean spool: %w", err)
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(tmp, e.Name())); err != nil {
			return fmt.Errorf("archive: clean spool: %w", err)
		}
	}
	return nil
}

// Dir returns the absolute archive directory.
func (a *Archiver) Dir() string { return a.dir }

// Upload closes the current WARC file and, for an object store, waits
// until every closed file of the outbox is uploaded (verified), entered in
// the database and removed from the outbox. The uploads run in the
// background from NewArchiver on (the files a previous run left) and as
// files are closed (rotation); Upload waits for them, at most until ctx
// ends. A file whose upload failed stays in the outbox for the next run,
// and the error names it. Captures may continue after Upload.
func (a *Archiver) Upload(ctx context.Context) error {
	a.mu.Lock()
	closed := a.closed
	a.mu.Unlock()
	if closed {
		return nil
	}
	if err := a.finishFile(); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if a.up == nil {
		return nil
	}
	return a.up.wait(ctx)
}

// Close closes the current WARC file (dropping its .open suffix). Capture
// fails after Close. Uploads still running are cancelled (call Upload
// first): their files stay in the outbox for the next run.
func (a *Archiver) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	err := a.w.finish()
	a.mu.Unlock()
	if a.up != nil {
		a.up.close()
	}
	active.Lock()
	delete(active.archivers[a.dir], a)
	active.Unlock()
	release(a.dir)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

var errArchiverClosed = errors.New("archive: archiver is closed")

// finishFile finishes the WARC file being written (its final name, no
// .open suffix); the next capture starts a new file.
func (a *Archiver) finishFile() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil
	}
	return a.w.finish()
}

// Capture stores ex as a response and a request record and indexes it.
//
// The response record holds the status line and header as received and
// the body exactly as read from ex.Body, streamed through a disk spool (a
// large body costs no memory). When the payload digest equals that of the
// latest capture of ex.URL, an identical-payload-digest revisit record is
// written instead of the response: no payload is stored again, and the
// returned Capture has Revisit set and RefersTo the time of the capture
// holding the payload. A revisit is written without a request record (it
// would double its size): it costs about 600 bytes. A truncated body
// (ex.Truncated) is marked WARC-Truncated: length and flagged in the index.
//
// A payload not the URL's own but already stored under another URL (a
// stylesheet shared by two pages, site.css?v=1 and ?v=2, one CDN file
// linked from two hosts) is likewise written as a revisit, of the first
// record that stored it: WARC-Refers-To-Target-URI and
// WARC-Refers-To-Date name that record's URL and date (WARC 1.1 §6.7.2),
// and the returned Capture's RefersTo is its time. Pages and requisites
// alike: a payload is stored once per archive.
//
// The capture is indexed under ex.URL and, when it differs, also under
// ex.LinkURL.
func (a *Archiver) Capture(ctx context.Context, ex *linkvault.Exchange) (linkvault.Capture, error) {
	if err := a.checkExchange(ctx, ex); err != nil {
		return linkvault.Capture{}, err
	}
	ex = a.redact(ex)
	at := ex.Time.UTC() // provisional when zero: set under the lock

	resp, size, err := a.buildResponse(ex, at)
	if err != nil {
		return linkvault.Capture{}, err
	}
	defer resp.Close() // a no-op once written
	if err := ctx.Err(); err != nil {
		return linkvault.Capture{}, fmt.Errorf("archive: capture %s: %w", ex.URL, err)
	}
	digest := resp.WarcHeader().Get(gowarc.WarcPayloadDigest)

	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return linkvault.Capture{}, errArchiverClosed
	}
	if ex.Time.IsZero() {
		// Captures without a time are stamped in the order they are
		// written, so "the latest capture" is the one written last.
		at = a.opts.Now().UTC()
	}
	prev, hasPrev, err := a.db.lastEntry(ex.URL)
	if err != nil {
		return linkvault.Capture{}, err
	}
	e := indexEntry{Capture: linkvault.Capture{
		URL:         ex.URL,
		Time:        at,
		Digest:      digest,
		HTTPStatus:  ex.StatusCode,
		ContentType: ex.ResponseHeader.Get("Content-Type"),
		Title:       ex.Title,
		TextHash:    ex.TextHash,
		Size:        size,
		Truncated:   ex.Truncated,
	}}
	if hasPrev && prev.Time.Equal(at) {
		// Keep WARC-Date and index time in step with the key order.
		at = prev.Time.Add(time.Nanosecond)
		e.Time = at
	}
	resp.WarcHeader().Set(gowarc.WarcDate, warcDate(at))

	first := resp
	ref, dup, err := a.payloadOrigin(prev, hasPrev, digest, size)
	if err != nil {
		return linkvault.Capture{}, fmt.Errorf("archive: capture %s: %w", ex.URL, err)
	}
	if dup {
		if first, err = revisitOf(resp, ref, ex, &e); err != nil {
			return linkvault.Capture{}, err
		}
	}
	e.RecordID = resp.RecordId()

	var req gowarc.WarcRecord
	if !e.Revisit {
		if req, err = a.buildRequest(ex, at); err != nil {
			return linkvault.Capture{}, err
		}
	}
	if e.File, e.Offset, e.Length, err = a.write(first, req); err != nil {
		return linkvault.Capture{}, fmt.Errorf("archive: capture %s: %w", ex.URL, err)
	}
	keys := []string{ex.URL}
	if ex.LinkURL != "" && ex.LinkURL != ex.URL {
		keys = append(keys, ex.LinkURL)
	}
	e, err = a.db.putEntry(e, keys...)
	if err != nil {
		return linkvault.Capture{}, fmt.Errorf("archive: capture %s: index: %w", ex.URL, err)
	}
	return e.Capture, nil
}

// payloadOrigin returns the capture whose record already holds the payload
// with digest d (of size bytes): the URL's own latest capture when it has
// that payload, else the first record of that payload under any URL (the
// digest index). dup is false when the payload is new or empty (a revisit
// of nothing saves nothing).
func (a *Archiver) payloadOrigin(prev indexEntry, hasPrev bool, d string, size int64) (ref indexEntry, dup bool, err error) {
	if d == "" {
		return ref, false, nil
	}
	if hasPrev && prev.Digest == d {
		return prev, true, nil
	}
	if size == 0 {
		return ref, false, nil
	}
	return a.db.digestOrigin(d)
}

// revisitOf returns the revisit record that replaces resp, whose payload
// is that of the capture prev, and marks e as that revisit.
func revisitOf(resp gowarc.WarcRecord, prev indexEntry, ex *linkvault.Exchange, e *indexEntry) (gowarc.WarcRecord, error) {
	file, off, id, uri, t := prev.original()
	rev, err := resp.ToRevisitRecord(&gowarc.RevisitRef{
		Profile:        gowarc.ProfileIdenticalPayloadDigestV1_1,
		TargetRecordId: id,
		TargetUri:      uri,
		TargetDate:     warcDate(t),
	})
	if err != nil {
		return nil, fmt.Errorf("archive: capture %s: revisit: %w", ex.URL, err)
	}
	if !ex.Truncated {
		rev.WarcHeader().Delete(gowarc.WarcTruncated) // gowarc always sets it
	}
	rev.WarcHeader().Set(fieldRefersToFilename, file)
	rev.WarcHeader().Set(fieldRefersToOffset, strconv.FormatInt(off, 10))
	e.Revisit, e.RefersTo = true, t
	e.RefFile, e.RefOffset, e.RefRecordID, e.RefURL = file, off, id, uri
	if uri != ex.URL {
		e.RefersToURL = uri
	}
	return rev, nil
}

func (a *Archiver) checkExchange(ctx context.Context, ex *linkvault.Exchange) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("archive: capture: %w", err)
	}
	if ex == nil || ex.URL == "" {
		return errors.New("archive: capture: exchange without url")
	}
	return nil
}

// buildResponse builds the response record of ex, spooling the body. It
// returns the record and the number of payload bytes.
func (a *Archiver) buildResponse(ex *linkvault.Exchange, at time.Time) (gowarc.WarcRecord, int64, error) {
	rb := newRecordBuilder(gowarc.Response, a.ropt...)
	rb.AddWarcHeader(gowarc.WarcTargetURI, ex.URL)
	rb.AddWarcHeaderTime(gowarc.WarcDate, at)
	rb.AddWarcHeader(gowarc.ContentType, contentTypeResponse)
	if ip := remoteIP(ex.RemoteAddr); ip != "" {
		rb.AddWarcHeader(gowarc.WarcIPAddress, ip)
	}
	if ex.Truncated {
		rb.AddWarcHeader(gowarc.WarcTruncated, "length")
	}
	if _, err := rb.WriteString(responseHead(ex)); err != nil {
		_ = rb.Close()
		return nil, 0, fmt.Errorf("archive: capture %s: spool: %w", ex.URL, err)
	}
	var size int64
	if ex.Body != nil {
		n, err := rb.ReadFrom(ex.Body)
		if err != nil {
			_ = rb.Close()
			return nil, 0, fmt.Errorf("archive: capture %s: read body: %w", ex.URL, err)
		}
		size = n
	}
	rec, _, err := rb.Build()
	if err != nil {
		return nil, 0, fmt.Errorf("archive: capture %s: build record: %w", ex.URL, err)
	}
	return rec, size, nil
}

// buildRequest builds the request record of ex.
func (a *Archiver) buildRequest(ex *linkvault.Exchange, at time.Time) (gowarc.WarcRecord, error) {
	rb := newRecordBuilder(gowarc.Request, a.ropt...)
	rb.AddWarcHeader(gowarc.WarcTargetURI, ex.URL)
	rb.AddWarcHeaderTime(gowarc.WarcDate, at)
	rb.AddWarcHeader(gowarc.ContentType, contentTypeRequest)
	if _, err := rb.WriteString(requestHead(ex)); err != nil {
		_ = rb.Close()
		return nil, fmt.Errorf("archive: capture %s: spool: %w", ex.URL, err)
	}
	rec, _, err := rb.Build()
	if err != nil {
		return nil, fmt.Errorf("archive: capture %s: build request: %w", ex.URL, err)
	}
	return rec, nil
}

// write writes main and, when not nil, req in one call (they then get
// WARC-Concurrent-To each other) and returns where main is: file, offset
// and compressed length. The file is synced (once) before write returns;
// on error nothing of the capture is left in it (see warcWriter).
func (a *Archiver) write(main, req gowarc.WarcRecord) (file string, off, length int64, err error) {
	recs := []gowarc.WarcRecord{main}
	if req != nil {
		recs = append(recs, req)
	}
	pos, err := a.w.write(recs...)
	if err != nil {
		return "", 0, 0, err
	}
	return pos[0].file, pos[0].offset, pos[0].length, nil
}

// notModified records that a conditional request for ex.URL was answered
// 304 Not Modified: a server-not-modified revisit record (with the 304
// head, no payload, no request record) referring to the record that holds
// the payload of the latest capture, and an index entry that resolves to that payload. This
// costs a few hundred bytes and keeps the capture timeline truthful: the
// copy was confirmed current at ex.Time.
//
// Without an earlier capture of ex.URL nothing is written and the error is
// a *linkvault.Error with code ENotFound. ex.Body is not read.
//
// It has no caller outside the tests yet: the checker does not hand 304
// answers to the archive. It is kept, unexported, for the day it does
// (the reader and the replay already understand its records).
func (a *Archiver) notModified(ctx context.Context, ex *linkvault.Exchange) (linkvault.Capture, error) {
	if err := a.checkExchange(ctx, ex); err != nil {
		return linkvault.Capture{}, err
	}
	ex = a.redact(ex)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return linkvault.Capture{}, errArchiverClosed
	}
	at := ex.Time
	if at.IsZero() {
		at = a.opts.Now()
	}
	at = at.UTC()
	prev, ok, err := a.db.lastEntry(ex.URL)
	if err != nil {
		return linkvault.Capture{}, err
	}
	if !ok {
		return linkvault.Capture{}, linkvault.Errorf(linkvault.ENotFound,
			"no archived copy of %s for the 304 answer to refer to", ex.URL)
	}
	if prev.Time.Equal(at) {
		at = at.Add(time.Nanosecond)
	}
	file, off, id, uri, t := prev.original()

	rb := newRecordBuilder(gowarc.Revisit, a.ropt...)
	rb.AddWarcHeader(gowarc.WarcTargetURI, ex.URL)
	rb.AddWarcHeaderTime(gowarc.WarcDate, at)
	rb.AddWarcHeader(gowarc.ContentType, contentTypeResponse)
	rb.AddWarcHeader(gowarc.WarcProfile, gowarc.ProfileServerNotModifiedV1_1)
	rb.AddWarcHeader(gowarc.WarcRefersTo, "<"+id+">")
	rb.AddWarcHeader(gowarc.WarcRefersToTargetURI, uri)
	rb.AddWarcHeader(gowarc.WarcRefersToDate, warcDate(t))
	rb.AddWarcHeader(fieldRefersToFilename, file)
	rb.AddWarcHeader(fieldRefersToOffset, strconv.FormatInt(off, 10))
	if prev.Digest != "" {
		// The payload the server confirmed unchanged.
		rb.AddWarcHeader(gowarc.WarcPayloadDigest, prev.Digest)
	}
	if ip := remoteIP(ex.RemoteAddr); ip != "" {
		rb.AddWarcHeader(gowarc.WarcIPAddress, ip)
	}
	if _, err := rb.WriteString(responseHead(ex)); err != nil {
		_ = rb.Close()
		return linkvault.Capture{}, fmt.Errorf("archive: not modified %s: %w", ex.URL, err)
	}
	rev, _, err := rb.Build()
	if err != nil {
		return linkvault.Capture{}, fmt.Errorf("archive: not modified %s: build record: %w", ex.URL, err)
	}
	e := prev
	e.URL, e.Time, e.Revisit, e.RefersTo = ex.URL, at, true, t
	e.RecordStatus = ex.StatusCode
	e.RecordID = rev.RecordId()
	e.RefFile, e.RefOffset, e.RefRecordID, e.RefURL = file, off, id, uri
	if e.File, e.Offset, e.Length, err = a.write(rev, nil); err != nil {
		return linkvault.Capture{}, fmt.Errorf("archive: not modified %s: %w", ex.URL, err)
	}
	keys := []string{ex.URL}
	if ex.LinkURL != "" && ex.LinkURL != ex.URL {
		keys = append(keys, ex.LinkURL)
	}
	if e, err = a.db.putEntry(e, keys...); err != nil {
		return linkvault.Capture{}, fmt.Errorf("archive: not modified %s: index: %w", ex.URL, err)
	}
	return e.Capture, nil
}

// OpenPayload returns the captured body of c exactly as the server sent it
// (for a revisit, the payload of the record it refers to) and the HTTP
// response header stored with c. dir is the archive directory. The caller
// must close the reader.
func OpenPayload(dir string, c linkvault.Capture) (io.ReadCloser, http.Header, error) {
	return openPayload(context.Background(), localStore(dir), c)
}

func openPayload(ctx context.Context, s *Store, c linkvault.Capture) (io.ReadCloser, http.Header, error) {
	rec, err := s.readRecord(ctx, c.File, c.Offset, c.Length)
	if err != nil {
		return nil, nil, err
	}
	switch rec.Type {
	case "response", "resource":
		return payloadReader{rec.Payload, rec}, rec.HTTPHeader, nil
	case "revisit":
	default:
		_ = rec.Close()
		return nil, nil, fmt.Errorf("archive: record %s@%d is a %s record, not a capture", c.File, c.Offset, rec.Type)
	}
	defer rec.Close()
	file := rec.Header.Get(fieldRefersToFilename)
	off, err := strconv.ParseInt(rec.Header.Get(fieldRefersToOffset), 10, 64)
	if file == "" || err != nil {
		return nil, nil, fmt.Errorf("archive: revisit %s@%d does not name the record it refers to", c.File, c.Offset)
	}
	orig, err := s.readRecord(ctx, file, off, -1) // its length is in no header
	if err != nil {
		return nil, nil, err
	}
	if orig.Type != "response" && orig.Type != "resource" {
		_ = orig.Close()
		return nil, nil, fmt.Errorf("archive: revisit %s@%d refers to a %s record", c.File, c.Offset, orig.Type)
	}
	hdr := rec.HTTPHeader
	if rec.Header.Get("WARC-Profile") == gowarc.ProfileServerNotModifiedV1_1 || hdr == nil {
		hdr = orig.HTTPHeader // a 304 head says little about the payload
	}
	return payloadReader{orig.Payload, orig}, hdr, nil
}

// payloadReader reads a record's payload and closes its file.
type payloadReader struct {
	io.Reader
	rec *storedRecord
}

func (p payloadReader) Close() error { return p.rec.Close() }
