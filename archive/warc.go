package archive

// WARC files: how exchanges become records, how files are named and
// recovered after a crash, and how one record is read back at its offset.
//
// Layout on disk (ArchiverOptions.Dir):
//
//	PREFIX-YYYYMMDDhhmmss-NNNNN-RANDOM.warc.gz       closed WARC file
//	PREFIX-YYYYMMDDhhmmss-NNNNN-RANDOM.warc.gz.open  file being written
//	.tmp/                                            spool of record blocks
//
// Every record is one gzip member, so a record can be read at the offset
// the index stores. The files are written by warcWriter (below): gowarc
// builds and marshals the records, and a write that fails is cut back to
// the last whole record. Each file starts with a warcinfo record. Revisit
// records carry, besides the standard WARC-Refers-To* fields, the
// WARC-Refers-To-Filename and WARC-Refers-To-File-Offset extension fields
// (as written by Heritrix) naming the record that holds the payload, so a
// payload can be found without the index.

import (
	"bufio"
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nlnwa/gowarc/v3"

	"github.com/linkvault/linkvault"
)

// Extension fields of revisit records: where the payload is.
const (
	fieldRefersToFilename = "WARC-Refers-To-Filename"
	fieldRefersToOffset   = "WARC-Refers-To-File-Offset"
)

// openSuffix is the suffix gowarc gives a WARC file while it is written.
const openSuffix = ".open"

// tmpDirName is the spool directory of record blocks under the archive
// directory (the same file system as the WARC files, not a tmpfs).
const tmpDirName = ".tmp"

// Content types of the HTTP blocks.
const (
	contentTypeResponse = "application/http;msgtype=response"
	contentTypeRequest  = "application/http;msgtype=request"
)

// fileNamer names new WARC files PREFIX-TIMESTAMP-SERIAL-RANDOM.warc (gowarc
// appends .gz and .open). The random part is drawn once per Archiver, so two
// processes started in the same second never pick the same name.
type fileNamer struct {
	dir    string
	prefix string
	now    func() time.Time
	id     string
	serial atomic.Int32
}

func newFileNamer(dir, prefix string, now func() time.Time) *fileNamer {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return &fileNamer{dir: dir, prefix: prefix, now: now, id: hex.EncodeToString(b)}
}

// NewWarcfileName implements gowarc.WarcFileNameGenerator.
func (n *fileNamer) NewWarcfileName() (string, string) {
	return n.dir, fmt.Sprintf("%s-%s-%05d-%s.warc", n.prefix,
		n.now().UTC().Format(timestampLayout), n.serial.Add(1), n.id)
}

// timestampLayout is the 14-digit WARC/Wayback timestamp.
const timestampLayout = "20060102150405"

// statusLine returns the status line of the response of ex, without CRLF.
func statusLine(ex *linkvault.Exchange) string {
	proto := ex.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	status := ex.Status
	code := strconv.Itoa(ex.StatusCode)
	if !strings.HasPrefix(status, code) {
		status = code + " " + http.StatusText(ex.StatusCode)
	}
	return proto + " " + strings.TrimSpace(status)
}

// responseHead serializes the status line and header of ex as received,
// ending with the blank line.
func responseHead(ex *linkvault.Exchange) string {
	var b strings.Builder
	b.WriteString(statusLine(ex))
	b.WriteString("\r\n")
	_ = ex.ResponseHeader.Write(&b)
	b.WriteString("\r\n")
	return b.String()
}

// requestHead serializes the request of ex: request line, Host and the
// request header, ending with the blank line.
func requestHead(ex *linkvault.Exchange) string {
	method := ex.Method
	if method == "" {
		method = http.MethodGet
	}
	proto := ex.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	target, host := "/", ""
	if u, err := url.Parse(ex.URL); err == nil {
		target, host = u.RequestURI(), u.Host
	}
	if h := ex.RequestHeader.Get("Host"); h != "" {
		host = h
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\r\nHost: %s\r\n", method, target, proto, host)
	hdr := ex.RequestHeader.Clone()
	if hdr != nil {
		hdr.Del("Host")
	}
	_ = hdr.Write(&b)
	b.WriteString("\r\n")
	return b.String()
}

// remoteIP returns the IP address of addr ("host:port" or a bare address),
// "" when it is not one.
func remoteIP(addr string) string {
	if addr == "" {
		return ""
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if net.ParseIP(host) == nil {
		return ""
	}
	return host
}

// warcDate formats t as gowarc writes WARC-Date (RFC 3339, nanoseconds).
func warcDate(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// storedRecord is one record read back from a WARC file: its WARC header,
// for HTTP blocks the parsed message head, and a reader positioned at the
// payload (the rest of the block). Close releases the file.
type storedRecord struct {
	Type       string
	Header     textproto.MIMEHeader // WARC header fields
	HTTPStatus int
	HTTPHeader http.Header
	Payload    io.Reader
	file       io.Closer // the file, or the body of a range request
}

func (r *storedRecord) Close() error { return r.file.Close() }

// recordPath returns the path of the WARC file name in dir: name itself or,
// while it is still being written, name.open.
func recordPath(dir, name string) (string, error) {
	if name == "" || name != filepath.Base(name) {
		return "", fmt.Errorf("archive: bad warc file name %q", name)
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("archive: %w", err)
	}
	if _, err := os.Stat(p + openSuffix); err == nil {
		return p + openSuffix, nil
	}
	// Renamed between the two checks: the final name exists now.
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", &linkvault.Error{Code: linkvault.ENotFound,
		Message: fmt.Sprintf("warc file %s is missing from %s", name, dir)}
}

// readRecord opens the record at offset in the WARC file name of dir. It
// streams: nothing of the payload is read before the caller reads it.
func readRecord(dir, name string, offset int64) (*storedRecord, error) {
	path, err := recordPath(dir, name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("archive: open warc: %w", err)
	}
	rec, err := parseRecordAt(f, offset)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("archive: read record %s@%d: %w", name, offset, err)
	}
	return rec, nil
}

func parseRecordAt(f *os.File, offset int64) (*storedRecord, error) {
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, err
	}
	rec, err := parseRecord(f)
	if err != nil {
		return nil, err
	}
	rec.file = f
	return rec, nil
}

// parseRecord reads the WARC record at the start of r (one gzip member)
// up to its payload. The record's file is left for the caller to set.
func parseRecord(r io.Reader) (*storedRecord, error) {
	zr, err := gzip.NewReader(bufio.NewReaderSize(r, 32<<10))
	if err != nil {
		return nil, err
	}
	zr.Multistream(false)
	tr := textproto.NewReader(bufio.NewReaderSize(zr, 32<<10))
	line, err := tr.ReadLine()
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(line, "WARC/") {
		return nil, fmt.Errorf("not a warc record: %.20q", line)
	}
	h, err := tr.ReadMIMEHeader()
	if err != nil {
		return nil, fmt.Errorf("warc header: %w", err)
	}
	n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("bad content-length %q", h.Get("Content-Length"))
	}
	rec := &storedRecord{Type: h.Get("WARC-Type"), Header: h}
	block := io.LimitReader(tr.R, n)
	rec.Payload = block
	if !strings.HasPrefix(strings.ToLower(h.Get("Content-Type")), "application/http") {
		return rec, nil
	}
	// The HTTP head: read with a reader of its own so that the payload is
	// exactly what follows the blank line, whatever the header announces.
	br := bufio.NewReaderSize(block, 32<<10)
	hr := textproto.NewReader(br)
	status, err := hr.ReadLine()
	if err != nil {
		return nil, fmt.Errorf("http head: %w", err)
	}
	mh, err := hr.ReadMIMEHeader()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("http header: %w", err)
	}
	rec.HTTPHeader = http.Header(mh)
	if rec.HTTPHeader == nil {
		rec.HTTPHeader = http.Header{}
	}
	if strings.HasPrefix(status, "HTTP/") {
		if f := strings.Fields(status); len(f) >= 2 {
			rec.HTTPStatus, _ = strconv.Atoi(f[1])
		}
	}
	rec.Payload = br
	return rec, nil
}

// countingReader counts the bytes consumed through it. It is an
// io.ByteReader so that compress/flate reads no further than it needs, which
// makes the count the exact end of a gzip member.
type countingReader struct {
	r *bufio.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// validLength returns the length of the longest prefix of the WARC file at
// path made of complete gzip members (records) whose checksums are right.
func validLength(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cr := &countingReader{r: bufio.NewReaderSize(f, 256<<10)}
	var zr gzip.Reader
	var good int64
	for {
		if err := zr.Reset(cr); err != nil {
			return good, nil // io.EOF at a member boundary, or a torn header
		}
		zr.Multistream(false)
		if _, err := io.Copy(io.Discard, &zr); err != nil {
			return good, nil
		}
		good = cr.n
	}
}

// recoverOpenFiles finishes the WARC files a crashed run left with the
// .open suffix in dir: a torn record at the end is cut off (the index never
// points at it: entries are committed only after their record is synced),
// and the file gets its final name; a file left empty is removed.
func recoverOpenFiles(dir string) error {
	paths, err := filepath.Glob(filepath.Join(dir, "*.warc.gz"+openSuffix))
	if err != nil {
		return fmt.Errorf("archive: recover: %w", err)
	}
	for _, p := range paths {
		n, err := validLength(p)
		if err != nil {
			return fmt.Errorf("archive: recover %s: %w", filepath.Base(p), err)
		}
		if n == 0 {
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("archive: recover: %w", err)
			}
			continue
		}
		if err := os.Truncate(p, n); err != nil {
			return fmt.Errorf("archive: recover: %w", err)
		}
		final := strings.TrimSuffix(p, openSuffix)
		if _, err := os.Stat(final); err == nil {
			return fmt.Errorf("archive: recover: both %s and its .open file exist", filepath.Base(final))
		}
		if err := os.Rename(p, final); err != nil {
			return fmt.Errorf("archive: recover: %w", err)
		}
	}
	if len(paths) > 0 {
		return syncDir(dir)
	}
	return nil
}

// syncDir makes renames in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("archive: sync %s: %w", dir, err)
	}
	return nil
}

// recordOptions are the gowarc options of every record linkvault builds:
// WARC 1.1, sha256 digests added, blocks spooled to tmp beyond 1 MiB,
// record IDs from newRecordID.
func recordOptions(tmp string) []gowarc.WarcRecordOption {
	return []gowarc.WarcRecordOption{
		gowarc.WithVersion(gowarc.V1_1),
		gowarc.WithAddMissingDigest(true),
		gowarc.WithDefaultDigestAlgorithm("sha256"),
		gowarc.WithBufferTmpDir(tmp),
		gowarc.WithBufferMaxMemBytes(1 << 20),
		gowarc.WithRecordIdFunc(newRecordID),
	}
}

// newRecordID returns a random (version 4) UUID URN for WARC-Record-ID. It
// replaces gowarc's default, github.com/google/uuid with its global pool
// switch that is not safe for concurrent use (see builderMu).
func newRecordID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]), nil
}

// warcFile is what warcWriter needs of a file it writes. *os.File has it;
// tests substitute files that fail as a full disk does.
type warcFile interface {
	io.Writer
	io.Seeker
	Truncate(size int64) error
	Sync() error
	Close() error
}

// openWARC is the default ArchiverOptions.openFile.
func openWARC(name string, flag int, perm os.FileMode) (warcFile, error) {
	return os.OpenFile(name, flag, perm)
}

// recordPos is where a record was written: file name (final, without
// .open), offset and compressed length.
type recordPos struct {
	file           string
	offset, length int64
}

// warcWriter writes WARC files: one gzip member per record, a warcinfo
// record first in each file, the file named NAME.open until it is
// finished. It is not safe for concurrent use (the Archiver holds a.mu).
//
// A write that fails (a full disk) is undone: the file is cut back to
// the end of the last whole record and the position reset, so the next
// record starts there and its offset is right. When the file cannot be
// cut back, or a sync fails (the kernel may have dropped what it could not
// write), the file is left as NAME.open, where the next NewArchiver repairs
// it, and the next write starts a new file.
type warcWriter struct {
	dir      string
	namer    *fileNamer
	openFile func(name string, flag int, perm os.FileMode) (warcFile, error)
	maxSize  int64
	info     func(rb gowarc.WarcRecordBuilder) error
	closed   func(name string) // called with each file finished, if set
	ropt     []gowarc.WarcRecordOption
	m        gowarc.Marshaler
	gz       *gzip.Writer
	bw       *bufio.Writer // between gz and the file: flate writes every 240 bytes

	f       warcFile // nil between files
	path    string   // path of f, with .open
	name    string   // final name of f
	size    int64    // bytes of whole records in f
	records int      // records in f besides the warcinfo record
	infoID  string   // WARC-Record-ID of f's warcinfo record
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// write writes recs (WARC-Concurrent-To each other when more than one)
// one after the other into the current file, syncs it once and returns
// where each record is. On error nothing of recs is left in the file.
// write closes recs.
func (w *warcWriter) write(recs ...gowarc.WarcRecord) (pos []recordPos, err error) {
	defer func() {
		for _, r := range recs {
			_ = r.Close()
		}
	}()
	for i, r := range recs {
		for j, o := range recs {
			if i != j {
				r.WarcHeader().AddId(gowarc.WarcConcurrentTo, o.WarcHeader().GetId(gowarc.WarcRecordID))
			}
		}
	}
	var n int64
	for _, r := range recs {
		cl, _ := r.WarcHeader().GetInt64(gowarc.ContentLength)
		n += cl
	}
	if w.f != nil && w.records > 0 && w.size+n+n/64+4096 > w.maxSize { // gzip never grows data by more
		if err := w.finish(); err != nil {
			return nil, err
		}
	}
	if w.f == nil {
		if err := w.create(); err != nil {
			return nil, err
		}
	}
	start := w.size
	for _, r := range recs {
		n, err := w.writeOne(r)
		if err != nil {
			return nil, w.undo(start, false, fmt.Errorf("write warc: %w", err))
		}
		pos = append(pos, recordPos{file: w.name, offset: w.size, length: n})
		w.size += n
	}
	if err := w.f.Sync(); err != nil {
		return nil, w.undo(start, true, fmt.Errorf("sync warc: %w", err))
	}
	w.records += len(recs)
	return pos, nil
}

// writeOne writes r as one gzip member at the end of the current file and
// returns its compressed length.
func (w *warcWriter) writeOne(r gowarc.WarcRecord) (int64, error) {
	if w.infoID != "" {
		r.WarcHeader().SetId(gowarc.WarcWarcinfoID, w.infoID)
	}
	cw := &countWriter{w: w.f}
	if w.bw == nil {
		w.bw = bufio.NewWriterSize(cw, 64<<10)
	}
	w.bw.Reset(cw)
	w.gz.Reset(w.bw)
	if _, _, err := w.m.Marshal(w.gz, r, 0); err != nil {
		_ = w.gz.Close()
		return cw.n, err
	}
	if err := w.gz.Close(); err != nil {
		return cw.n, err
	}
	if err := w.bw.Flush(); err != nil {
		return cw.n, err
	}
	return cw.n, nil
}

// undo cuts the current file back to start after a failed write and
// returns cause, or an error saying the file could not be cut back. When
// abandon is set, or the cut fails, the file is left as NAME.open and the
// next write starts a new file.
func (w *warcWriter) undo(start int64, abandon bool, cause error) error {
	err := w.f.Truncate(start)
	if err == nil {
		_, err = w.f.Seek(start, io.SeekStart)
	}
	w.size = start
	if err == nil && !abandon {
		return cause
	}
	_ = w.f.Close() // NAME.open: the next NewArchiver cuts off a torn tail
	w.f = nil
	if err != nil {
		return fmt.Errorf("%w (and cutting %s back failed: %w)", cause, w.name, err)
	}
	return cause
}

// create starts a new file with its warcinfo record.
func (w *warcWriter) create() error {
	dir, base := w.namer.NewWarcfileName()
	name := base + ".gz"
	path := filepath.Join(dir, name+openSuffix)
	f, err := w.openFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o666)
	if err != nil {
		return fmt.Errorf("create warc: %w", err)
	}
	w.f, w.path, w.name, w.size, w.records, w.infoID = f, path, name, 0, 0, ""
	rb := newRecordBuilder(gowarc.Warcinfo, w.ropt...)
	rb.AddWarcHeaderTime(gowarc.WarcDate, w.namer.now())
	rb.AddWarcHeader(gowarc.WarcFilename, name)
	rb.AddWarcHeader(gowarc.ContentType, gowarc.ApplicationWarcFields)
	err = w.info(rb)
	var info gowarc.WarcRecord
	if err == nil {
		info, _, err = rb.Build()
	} else {
		_ = rb.Close()
	}
	var n int64
	if err == nil {
		n, err = w.writeOne(info)
		_ = info.Close()
	}
	if err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		w.f = nil
		return fmt.Errorf("create warc: %w", err)
	}
	w.size = n
	w.infoID = info.WarcHeader().GetId(gowarc.WarcRecordID)
	return nil
}

// finish closes the current file and gives it its final name; a file
// holding no record but its warcinfo is removed.
func (w *warcWriter) finish() error {
	if w.f == nil {
		return nil
	}
	f := w.f
	w.f = nil
	if err := f.Close(); err != nil {
		return fmt.Errorf("close warc: %w", err)
	}
	if w.records == 0 {
		if err := os.Remove(w.path); err != nil {
			return fmt.Errorf("close warc: %w", err)
		}
		return nil
	}
	if err := os.Rename(w.path, filepath.Join(w.dir, w.name)); err != nil {
		return fmt.Errorf("close warc: %w", err)
	}
	if err := syncDir(w.dir); err != nil {
		return err
	}
	if w.closed != nil {
		w.closed(w.name)
	}
	return nil
}
