package extract

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/linkvault/linkvault"
)

// Options tunes [Files] and [Bytes]. The zero value is the
// default.
type Options struct {
	// IncludeCode also takes URLs inside code spans and code blocks.
	IncludeCode bool
	// Warn, when not nil, is told about non-fatal problems: a binary file
	// skipped, a named pipe or device skipped, a file truncated at the
	// size cap, a link with an invalid host.
	Warn func(path, msg string)
	// ExcludePaths are the files and directories not read: a file or
	// directory is skipped when one of these expressions matches its
	// slash-separated path as Files names it (the path given, joined
	// with the names below it), a directory's path ending in "/". The
	// paths given to Files are matched too.
	ExcludePaths []*regexp.Regexp
	// Page, when set, is the URL of the web page that [Bytes] reads (a
	// page of a crawled site): the data is read as HTML whatever its name,
	// and relative references resolve against the page's <base href>
	// (itself resolved against Page) or else against Page, so that they
	// are web links, not local files.
	Page *url.URL
}

func (o *Options) warn(path, msg string) {
	if o.Warn != nil {
		o.Warn(path, msg)
	}
}

const (
	// binarySniffLen is how much of a file is searched for a NUL byte.
	binarySniffLen = 8 << 10
)

// maxFileSize caps how much of one file is read; a variable for tests.
var maxFileSize int64 = 64 << 20

// Files reads every path — a file, or a directory walked recursively,
// skipping hidden files and directories, node_modules and vendor, and
// following symbolic links (each real directory once) — and returns each
// unique link once, in order of first appearance (files in the order
// given or walked, then by position in the file), with every Source
// sorted by file then position. Only regular files are read: a named
// pipe, socket or device is skipped with a warning (Options.Warn).
//
// A path that cannot be read does not stop the others: the returned error
// joins one *fs.PathError per such path, whose message names it
// ("crawler: read notes/x.md: permission denied"). The links found
// elsewhere are returned with it.
//
// When ctx ends, Files stops between two files or directory entries
// and returns nil and ctx.Err().
func Files(ctx context.Context, paths []string, opts Options) ([]linkvault.Link, error) {
	var (
		w    = newWalker(ctx, &opts)
		c    = newCollector()
		seen = make(map[string]bool)
	)
	for _, p := range paths {
		for _, f := range w.list(p) {
			if ctx.Err() != nil {
				break
			}
			key := filepath.Clean(f)
			if seen[key] {
				continue
			}
			seen[key] = true
			if err := c.readFile(f, &opts); err != nil {
				w.errs = append(w.errs, err)
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return c.links(), errors.Join(w.errs...)
}

// Bytes extracts the links of one in-memory file named name; the
// format is chosen by name's extension, and name is the File of every
// Source and the directory local links are joined with. A binary file
// gives no links (and a warning).
func Bytes(name string, data []byte, opts Options) []linkvault.Link {
	c := newCollector()
	name = filepath.ToSlash(name)
	if len(data) <= chunkSize {
		// One piece: no copy.
		if isBinary(data) {
			opts.warn(name, "binary file skipped")
			return nil
		}
		c.file(name, data, &fileState{line: 1}, &opts)
		return c.links()
	}
	// Reading from memory cannot fail.
	_ = c.read(name, bytes.NewReader(data), int64(len(data)), -1, &opts)
	return c.links()
}

// readFile extracts the links of one note, up to maxFileSize bytes. A
// file that is not a regular file (any more) gives no links and a warning
// through opts.Warn.
func (c *collector) readFile(name string, opts *Options) error {
	f, err := openNote(name)
	var nr *notRegularError
	if errors.As(err, &nr) {
		opts.warn(filepath.ToSlash(name), nr.Error())
		return nil
	}
	if err != nil {
		return pathError(name, err)
	}
	defer f.Close()
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	if err := c.read(filepath.ToSlash(name), f, size, maxFileSize, opts); err != nil {
		return pathError(name, err)
	}
	return nil
}

// read extracts the links of the note name read from r, of size bytes
// when size >= 0, and at most limit bytes when limit >= 0. Markdown and
// plain text are read in pieces of about chunkSize bytes cut where no
// link can span (see nextCut), so that a large note takes bounded memory;
// HTML is read whole.
func (c *collector) read(name string, r io.Reader, size, limit int64, opts *Options) error {
	format := formatOf(name)
	if limit >= 0 {
		r = io.LimitReader(r, limit+1)
	}
	bufSize := max(chunkSize, binarySniffLen) // the first piece holds the sniffed bytes
	if format == formatHTML || size >= 0 && size < int64(bufSize) {
		// Read whole: one read more than the size to see the end.
		bufSize = int(max(size, 0)) + 1
		if limit >= 0 {
			bufSize = int(min(int64(bufSize), limit+1))
		}
	}
	buf := make([]byte, 0, bufSize)
	var (
		total int64
		eof   bool
		first = true
		st    = fileState{line: 1}
	)
	for {
		for !eof && (len(buf) < cap(buf) || format == formatHTML) {
			if len(buf) == cap(buf) {
				buf = slices.Grow(buf, cap(buf))
			}
			n, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			total += int64(n)
			switch {
			case err == io.EOF:
				eof = true
			case err != nil:
				return err
			}
		}
		if limit >= 0 && total > limit {
			buf = buf[:len(buf)-int(total-limit)]
			total, eof = limit, true
			opts.warn(name, "file larger than the size cap: only its beginning was read")
		}
		if first {
			first = false
			if isBinary(buf) {
				opts.warn(name, "binary file skipped")
				return nil
			}
		}
		k := len(buf)
		if !eof {
			if k = nextCut(format, buf); k == 0 {
				// No place to cut yet: read on into a larger buffer.
				buf = slices.Grow(buf, cap(buf))
				continue
			}
		}
		c.file(name, buf[:k], &st, opts)
		if k == len(buf) && eof {
			return nil
		}
		st.line += bytes.Count(buf[:k], newline)
		buf = buf[:copy(buf, buf[k:])]
	}
}

// chunkSize is the size of the pieces a large note is read in; a
// variable for tests.
var chunkSize = 1 << 20

var newline = []byte{'\n'}

// fileState is what extraction carries from one piece of a file to the
// next.
type fileState struct {
	line   int // the line the piece starts on
	ignore ignoreState
}

// pathError wraps err as "crawler: read PATH: cause", keeping the cause
// (fs.ErrNotExist, fs.ErrPermission …) reachable with errors.Is.
func pathError(name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &fs.PathError{Op: "crawler: read", Path: filepath.ToSlash(name), Err: err}
}

// isBinary reports whether data has a NUL byte in its first 8 KB.
func isBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), binarySniffLen)], 0) >= 0
}

// format is how a file is read, chosen by extension.
type format int

const (
	formatText format = iota
	formatMarkdown
	formatHTML
)

func formatOf(name string) format {
	switch strings.ToLower(path.Ext(name)) {
	case ".md", ".markdown", ".mdx":
		return formatMarkdown
	case ".html", ".htm":
		return formatHTML
	}
	return formatText
}

// occurrence is one link found in one file, before classification.
type occurrence struct {
	off  int    // byte offset of the first byte of the link in the file
	dest string // the link as meant (format escapes resolved)
	text string // link text, if any
}

// linkKey identifies a link: its kind (kindCode) and URL. A byte rather
// than the Kind string keeps the index smaller.
type linkKey struct {
	kind byte
	url  string
}

func kindCode(k linkvault.Kind) byte {
	switch k {
	case linkvault.KindWeb:
		return 0
	case linkvault.KindLocal:
		return 1
	}
	return 2
}

// kindOfCode is the Kind of a kindCode.
func kindOfCode(b byte) linkvault.Kind {
	switch b {
	case 0:
		return linkvault.KindWeb
	case 1:
		return linkvault.KindLocal
	}
	return linkvault.KindOther
}

// collector folds the occurrences of many files into unique links.
//
// While the notes are read it keeps compact records — a link is its URL,
// kind and counts, an occurrence a record of 40 bytes naming the link and
// the file by number — and links builds the result once at the end, each
// link's Sources an exact slice of one array. (Kept as []Source per link
// while reading, the sources took 70 MB for 555,000 occurrences instead of
// 44: a slice grown by append is up to half empty, and the first source
// of a link that grows is left behind in its block.)
type collector struct {
	index map[linkKey]uint32 // number of the link, in order of first appearance
	// The links and occurrences, in blocks that never move (a growing
	// slice would hold its old and new arrays at once).
	recs  blocks[linkRec]
	occs  blocks[srcRec]
	files []string // the file names, numbered by srcRec.file
}

// linkRec is a link while the notes are read.
type linkRec struct {
	url  string
	kind byte   // kindCode
	n    uint32 // its occurrences
	last uint32 // number of its latest occurrence
}

// srcRec is one occurrence of a link while the notes are read: a Source
// with the link and the file by number.
type srcRec struct {
	link, file, line, col uint32
	text                  string
	extra                 *srcExtra // nil when both are empty, as most are
}

// srcExtra holds the rarely set fields of an occurrence.
type srcExtra struct{ raw, fragment string }

// blocks is a list in fixed blocks of blockLen elements.
type blocks[T any] struct {
	full [][]T
	cur  []T
}

// blockLen is the number of elements in a block of a blocks list;
// sourceChunk the number of sources in an array the result's Sources are
// sliced from (32 KB).
const (
	blockLen    = 4096
	sourceChunk = 32 << 10 / 80
)

func (b *blocks[T]) len() int { return len(b.full)*blockLen + len(b.cur) }

func (b *blocks[T]) add(v T) {
	if len(b.cur) == cap(b.cur) {
		if b.cur != nil {
			b.full = append(b.full, b.cur)
		}
		b.cur = make([]T, 0, blockLen)
	}
	b.cur = append(b.cur, v)
}

func (b *blocks[T]) at(i uint32) *T {
	if k := int(i) / blockLen; k < len(b.full) {
		return &b.full[k][int(i)%blockLen]
	}
	return &b.cur[int(i)%blockLen]
}

// drain calls f with each block in order, dropping each after the call.
func (b *blocks[T]) drain(f func([]T)) {
	for i := range b.full {
		f(b.full[i])
		b.full[i] = nil
	}
	if b.cur != nil {
		f(b.cur)
	}
	b.full, b.cur = nil, nil
}

func newCollector() *collector {
	return &collector{index: make(map[linkKey]uint32)}
}

// file extracts the links of one file, or of one piece of it that starts
// on line st.line, and adds them.
func (c *collector) file(name string, data []byte, st *fileState, opts *Options) {
	// Most links have a scheme; Markdown links ("](") often do not (local
	// and #anchor links).
	hint := bytes.Count(data, schemeSep)
	format := formatOf(name)
	if opts.Page != nil {
		format = formatHTML
	}
	if format == formatMarkdown {
		hint = max(hint, bytes.Count(data, mdLinkSep))
	}
	occ := make([]occurrence, 0, hint+hint/8+8)
	emit := func(o occurrence) { occ = append(occ, o) }
	shared := false
	marked := bytes.Contains(data, ignoreToken)
	var html []span
	switch format {
	case formatMarkdown:
		html = extractMarkdown(data, opts.IncludeCode, hint, marked, emit)
	case formatHTML:
		extractHTMLAt(data, []span{{0, len(data)}}, opts.Page, emit)
	default:
		// The URLs are slices of one string the size of the piece: a
		// new link keeps a copy of its own (see add).
		shared = true
		for _, m := range ScanText(string(data)) {
			emit(occurrence{off: m.Start, dest: m.URL})
		}
	}
	slices.SortStableFunc(occ, func(a, b occurrence) int { return a.off - b.off })
	if marked || st.ignore.block || st.ignore.nextLine {
		occ = dropIgnored(occ, ignored(data, markers(format, data, html), &st.ignore))
	}

	if c.recs.len() == 0 && len(occ) > 0 {
		c.index = make(map[linkKey]uint32, len(occ))
	}
	dir := path.Dir(name)
	pos := newPositioner(data, st.line)
	for _, o := range occ {
		kind, u, frag, ok := kindOf(o.dest, dir)
		if !ok {
			if kind == linkvault.KindWeb {
				line, _ := pos.at(o.off)
				opts.warn(name, "line "+strconv.Itoa(line)+": invalid URL "+o.dest)
			}
			continue
		}
		line, col := pos.at(o.off)
		src := linkvault.Source{File: name, Line: line, Column: col, Text: o.text, Fragment: frag}
		if kind == linkvault.KindWeb && o.dest != u {
			src.Raw = o.dest
		}
		if shared {
			src.Fragment, src.Raw = strings.Clone(src.Fragment), strings.Clone(src.Raw)
		}
		c.add(kind, u, src, shared)
	}
}

// add records one source of a link.
//
// When shared is set, u is a slice of a larger string: a new link keeps a
// copy of its own so that the larger string can be freed.
func (c *collector) add(kind linkvault.Kind, u string, src linkvault.Source, shared bool) {
	key := linkKey{kindCode(kind), u}
	i, ok := c.index[key]
	if !ok {
		if shared {
			u = strings.Clone(u)
			key.url = u
		}
		i = uint32(c.recs.len())
		c.index[key] = i
		c.recs.add(linkRec{url: u, kind: key.kind})
	}
	l := c.recs.at(i)
	if n := len(c.files); n == 0 || c.files[n-1] != src.File {
		c.files = append(c.files, src.File)
	}
	file := uint32(len(c.files) - 1)
	// The same place found twice (a reference definition and its uses):
	// one Source, with the first link text found.
	if l.n > 0 {
		last := c.occs.at(l.last)
		if last.file == file && last.line == uint32(src.Line) && last.col == uint32(src.Column) {
			if last.text == "" {
				last.text = src.Text
			}
			return
		}
	}
	r := srcRec{link: i, file: file, line: uint32(src.Line), col: uint32(src.Column), text: src.Text}
	if src.Raw != "" || src.Fragment != "" {
		r.extra = &srcExtra{raw: src.Raw, fragment: src.Fragment}
	}
	l.last = uint32(c.occs.len())
	l.n++
	c.occs.add(r)
}

// links returns the links with their sources sorted by file and position.
// It ends the collector's use.
func (c *collector) links() []linkvault.Link {
	c.index = nil // no longer needed: let it go first
	out := make([]linkvault.Link, 0, c.recs.len())
	var all []linkvault.Source
	c.recs.drain(func(b []linkRec) {
		for _, l := range b {
			n := int(l.n)
			if len(all) < n {
				// Arrays of sourceChunk rather than one: they fit in the
				// pages the garbage of reading left free.
				all = make([]linkvault.Source, max(n, sourceChunk))
			}
			out = append(out, linkvault.Link{URL: l.url, Kind: kindOfCode(l.kind), Sources: all[:0:n]})
			all = all[n:]
		}
	})
	c.occs.drain(func(b []srcRec) {
		for _, r := range b {
			src := linkvault.Source{File: c.files[r.file], Line: int(r.line), Column: int(r.col), Text: r.text}
			if r.extra != nil {
				src.Raw, src.Fragment = r.extra.raw, r.extra.fragment
			}
			l := &out[r.link]
			l.Sources = append(l.Sources, src)
		}
	})
	c.files = nil
	for i := range out {
		slices.SortStableFunc(out[i].Sources, linkvault.Source.Compare)
	}
	return out
}

// kindOf tells what kind of link a destination is. Web links get their canonical
// URL; local links the cleaned slash path joined with dir; other schemes
// the destination as written. ok is false for what is not a link at all
// (empty, a pure #anchor, javascript: or data:), and for a web URL that
// Canonical rejects (kind is then KindWeb).
func kindOf(dest, dir string) (kind linkvault.Kind, u, fragment string, ok bool) {
	dest = strings.TrimSpace(dest)
	if dest == "" || dest[0] == '#' {
		return "", "", "", false
	}
	if strings.HasPrefix(dest, "//") {
		dest = "https:" + dest
	}
	if scheme, ok := schemeOf(dest); ok {
		switch strings.ToLower(scheme) {
		case "http", "https":
			u, frag, err := Canonical(dest)
			if err != nil {
				return linkvault.KindWeb, "", "", false
			}
			return linkvault.KindWeb, u, frag, true
		case "javascript", "data":
			return "", "", "", false
		}
		return linkvault.KindOther, dest, "", true
	}
	p := dest
	if h := strings.IndexByte(p, '#'); h >= 0 {
		p, fragment = p[:h], p[h+1:]
	}
	if q := strings.IndexByte(p, '?'); q >= 0 {
		p = p[:q]
	}
	if p == "" {
		return "", "", "", false
	}
	if un, err := url.PathUnescape(p); err == nil {
		p = un
	}
	if !path.IsAbs(p) {
		p = path.Join(dir, p)
	}
	return linkvault.KindLocal, path.Clean(p), fragment, true
}

// schemeOf returns the scheme of an absolute URL: a letter, then letters,
// digits, '+', '-' or '.', then ':'. A single letter is taken for a
// Windows drive, not a scheme.
func schemeOf(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case c == ':' && i > 1:
			return s[:i], true
		default:
			return "", false
		}
	}
	return "", false
}

// positioner turns increasing byte offsets into 1-based lines and
// columns (in runes; an invalid byte counts as one).
type positioner struct {
	data      []byte
	off       int // last offset asked for
	line      int // its line
	lineStart int // offset of the first byte of that line
	first     int // the line of offset 0
}

// newPositioner returns a positioner for data, whose first line is line.
func newPositioner(data []byte, line int) *positioner {
	return &positioner{data: data, line: line, first: line}
}

func (p *positioner) at(off int) (line, col int) {
	off = min(max(off, 0), len(p.data))
	if off < p.off { // not expected: offsets are sorted; start again
		p.off, p.line, p.lineStart = 0, p.first, 0
	}
	seg := p.data[p.off:off]
	if n := bytes.Count(seg, []byte{'\n'}); n > 0 {
		p.line += n
		p.lineStart = p.off + bytes.LastIndexByte(seg, '\n') + 1
	}
	p.off = off
	return p.line, utf8.RuneCount(p.data[p.lineStart:off]) + 1
}
