package archive

// The consistency check Open runs before bbolt maps the file.
//
// bbolt trusts its file: it maps it into memory and follows page ids
// without bounds checks. A file cut short makes it touch memory past the
// end of the file (SIGBUS, a fatal signal, not a panic); random bytes over
// a page make it slice out of range (a panic) or follow a page that points
// back at its ancestor (endless recursion, a fatal stack overflow). bbolt's
// own Tx.Check walks the same pointers the same way, in a goroutine of its
// own, so it fails in the same ways on the damage it is meant to find.
//
// checkFile reads the file with ReadAt instead, through no mapping, and
// checks what bbolt will follow: the meta page bbolt will pick (the valid
// one with the highest transaction id), that the file holds every page
// below its high-water mark, and, from the root bucket down through every
// nested bucket, that each page id is below the mark, each page says it is
// the page it is, is reached once, has a branch or leaf type, and that its
// elements, keys and values lie inside it in ascending key order; the
// freelist page and the ids it lists must lie below the mark too. The
// contents of values are not checked (bbolt keeps no checksum of them).
// It reads every page once: see BENCHMARKS.md for what that costs.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
)

// The bbolt file format (go.etcd.io/bbolt/internal/common), little-endian
// on every platform linkvault is built for.
const (
	boltMagic          = 0xED0CDAED
	boltVersion        = 2
	pageHeaderSize     = 16 // id u64, flags u16, count u16, overflow u32
	branchElemSize     = 16 // pos u32, ksize u32, pgid u64
	leafElemSize       = 16 // flags u32, pos u32, ksize u32, vsize u32
	bucketHeaderSize   = 16 // root pgid u64, sequence u64
	metaSize           = 64 // magic, version, pageSize, flags u32; root InBucket; freelist, pgid, txid, checksum u64
	pgidNoFreelist     = ^uint64(0)
	branchPageFlag     = 0x01
	leafPageFlag       = 0x02
	metaPageFlag       = 0x04
	freelistPageFlag   = 0x10
	bucketLeafFlag     = 0x01
	maxCheckedPageSize = 1 << 16
)

// errDamaged is wrapped by every error of checkFile and by the errors of
// a bbolt panic recovered at the package boundary.
var errDamaged = errors.New("damaged database")

// errNotBolt is returned by checkFile for a file in which neither meta
// page has bbolt's magic number: not a damaged database but something else.
var errNotBolt = errors.New("not a bbolt file")

// damage is a finding of checkFile: what is wrong, for the user.
type damage struct{ what string }

func (d *damage) Error() string { return d.what }
func (d *damage) Unwrap() error { return errDamaged }

func damagef(format string, args ...any) error {
	return &damage{what: fmt.Sprintf(format, args...)}
}

// boltMeta is the part of a meta page checkFile uses.
type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64 // high-water mark: pages [0, pgid) are in use or free
	txid     uint64
}

// parseMeta decodes the meta page in buf (a page from its header on) and
// reports whether it is valid as bbolt validates it.
func parseMeta(buf []byte) (boltMeta, bool) {
	if len(buf) < pageHeaderSize+metaSize {
		return boltMeta{}, false
	}
	m := buf[pageHeaderSize : pageHeaderSize+metaSize]
	le := binary.LittleEndian
	if le.Uint32(m[0:]) != boltMagic || le.Uint32(m[4:]) != boltVersion {
		return boltMeta{}, false
	}
	h := fnv.New64a()
	_, _ = h.Write(m[:56])
	if h.Sum64() != le.Uint64(m[56:]) {
		return boltMeta{}, false
	}
	return boltMeta{pageSize: le.Uint32(m[8:]), root: le.Uint64(m[16:]),
		freelist: le.Uint64(m[32:]), pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}, true
}

// readMeta returns the meta page bbolt would use for the file f of size
// bytes.
func readMeta(f io.ReaderAt, size int64) (boltMeta, error) {
	buf := make([]byte, pageHeaderSize+metaSize)
	var metas []boltMeta
	magic := false
	hasMagic := func() bool {
		return binary.LittleEndian.Uint32(buf[pageHeaderSize:]) == boltMagic
	}
	if n, _ := f.ReadAt(buf, 0); n == len(buf) {
		magic = hasMagic()
		if m, ok := parseMeta(buf); ok {
			metas = append(metas, m)
		}
	}
	// The second meta page is one page in; without a valid first one the
	// page size is not known: try them all, as bbolt does.
	sizes := []int64{1024, 2048, 4096, 8192, 16384, 32768, 65536}
	if len(metas) == 1 {
		sizes = []int64{int64(metas[0].pageSize)}
	}
	for _, ps := range sizes {
		if ps+int64(len(buf)) > size {
			break
		}
		if n, _ := f.ReadAt(buf, ps); n == len(buf) {
			magic = magic || hasMagic()
			if m, ok := parseMeta(buf); ok && int64(m.pageSize) == ps {
				metas = append(metas, m)
				break
			}
		}
	}
	switch {
	case len(metas) == 0 && !magic:
		return boltMeta{}, errNotBolt
	case len(metas) == 0:
		return boltMeta{}, damagef("neither of its two meta pages is valid")
	case len(metas) == 2 && metas[1].txid > metas[0].txid:
		return metas[1], nil
	}
	return metas[0], nil
}

// checkFile checks the bbolt file f of size bytes as described at the top
// of this file. It returns nil or an error wrapping errDamaged.
func checkFile(f io.ReaderAt, size int64) error {
	m, err := readMeta(f, size)
	if err != nil {
		return err
	}
	ps := int64(m.pageSize)
	if ps < 1024 || ps > maxCheckedPageSize || ps&(ps-1) != 0 {
		return damagef("its meta page gives a page size of %d", ps)
	}
	if m.pgid < 2 || m.pgid > uint64(size/ps) {
		return damagef("it is cut short: its last commit needs %d bytes (%d pages of %d), the file has %d",
			m.pgid*uint64(ps), m.pgid, ps, size)
	}
	c := &checker{f: f, pageSize: ps, hwm: m.pgid, seen: make([]bool, m.pgid)}
	c.seen[0], c.seen[1] = true, true
	if m.freelist != pgidNoFreelist {
		if err := c.checkFreelist(m.freelist); err != nil {
			return err
		}
	}
	return c.tree(m.root, 0)
}

// checker walks the pages of one file.
type checker struct {
	f        io.ReaderAt
	pageSize int64
	hwm      uint64
	seen     []bool
	bufs     [][]byte // page buffers by depth, reused
}

// maxDepth bounds the nesting of pages and buckets (a real file has a few
// levels; every page is visited once, so this only shortens a bad walk).
const maxDepth = 256

// page reads page id with its overflow pages, marking them seen, into the
// buffer of depth (valid until the next page of that depth is read).
func (c *checker) page(id uint64, what string, depth int) ([]byte, error) {
	if id < 2 || id >= c.hwm {
		return nil, damagef("%s points at page %d, outside the file's %d pages", what, id, c.hwm)
	}
	for len(c.bufs) <= depth {
		c.bufs = append(c.bufs, make([]byte, c.pageSize))
	}
	buf := c.bufs[depth][:c.pageSize] // one read for the usual page without overflow
	if _, err := c.f.ReadAt(buf, int64(id)*c.pageSize); err != nil {
		return nil, fmt.Errorf("read page %d: %w", id, err)
	}
	le := binary.LittleEndian
	if got := le.Uint64(buf); got != id {
		return nil, damagef("page %d (%s) is overwritten: its header says page %d", id, what, got)
	}
	overflow := uint64(le.Uint32(buf[12:]))
	if overflow >= c.hwm-id {
		return nil, damagef("page %d (%s) claims %d overflow pages, past the end of the file", id, what, overflow)
	}
	for i := id; i <= id+overflow; i++ {
		if c.seen[i] {
			return nil, damagef("page %d (%s) is reached twice", i, what)
		}
		c.seen[i] = true
	}
	if overflow > 0 {
		buf = append(buf, make([]byte, int64(overflow)*c.pageSize)...)
		c.bufs[depth] = buf
		if _, err := c.f.ReadAt(buf[c.pageSize:], int64(id+1)*c.pageSize); err != nil {
			return nil, fmt.Errorf("read page %d: %w", id, err)
		}
	}
	return buf, nil
}

func (c *checker) checkFreelist(id uint64) error {
	p, err := c.page(id, "the freelist", 0)
	if err != nil {
		return err
	}
	le := binary.LittleEndian
	if flags := le.Uint16(p[8:]); flags != freelistPageFlag {
		return damagef("the freelist page %d has type %#x", id, flags)
	}
	n, start := uint64(le.Uint16(p[10:])), uint64(pageHeaderSize)
	if n == 0xFFFF {
		n, start = le.Uint64(p[pageHeaderSize:]), pageHeaderSize+8
	}
	if n > (uint64(len(p))-start)/8 {
		return damagef("the freelist page %d claims %d free pages, more than it holds", id, n)
	}
	for i := uint64(0); i < n; i++ {
		if free := le.Uint64(p[start+8*i:]); free < 2 || free >= c.hwm {
			return damagef("the freelist lists page %d, outside the file's %d pages", free, c.hwm)
		}
	}
	return nil
}

// tree checks the B+tree whose root is page id.
func (c *checker) tree(id uint64, depth int) error {
	if depth > maxDepth {
		return damagef("page %d is nested %d levels deep", id, depth)
	}
	p, err := c.page(id, "a bucket", depth)
	if err != nil {
		return err
	}
	le := binary.LittleEndian
	flags, count := le.Uint16(p[8:]), int(le.Uint16(p[10:]))
	switch flags {
	case branchPageFlag:
		if pageHeaderSize+count*branchElemSize > len(p) {
			return damagef("branch page %d claims %d elements, more than it holds", id, count)
		}
		var prev []byte
		for i := 0; i < count; i++ {
			at := pageHeaderSize + i*branchElemSize
			e := p[at:]
			key, err := span(p, at, le.Uint32(e[0:]), uint64(le.Uint32(e[4:])))
			if err != nil {
				return damagef("branch page %d, element %d: %v", id, i, err)
			}
			if i > 0 && bytes.Compare(prev, key) >= 0 {
				return damagef("branch page %d: keys out of order at element %d", id, i)
			}
			prev = key
			if err := c.tree(le.Uint64(e[8:]), depth+1); err != nil {
				return err
			}
		}
		return nil
	case leafPageFlag:
		return c.leaf(p, id, count, depth)
	}
	return damagef("page %d has type %#x where a branch or leaf page belongs", id, flags)
}

// leaf checks the leaf page p (of page id, 0 for an inline bucket) with
// count elements and the buckets nested in it.
func (c *checker) leaf(p []byte, id uint64, count, depth int) error {
	le := binary.LittleEndian
	if pageHeaderSize+count*leafElemSize > len(p) {
		return damagef("leaf page %d claims %d elements, more than it holds", id, count)
	}
	var prev []byte
	for i := 0; i < count; i++ {
		at := pageHeaderSize + i*leafElemSize
		e := p[at:]
		ksize, vsize := le.Uint32(e[8:]), le.Uint32(e[12:])
		kv, err := span(p, at, le.Uint32(e[4:]), uint64Sum(ksize, vsize))
		if err != nil {
			return damagef("leaf page %d, element %d: %v", id, i, err)
		}
		key, val := kv[:ksize], kv[ksize:]
		if i > 0 && bytes.Compare(prev, key) >= 0 {
			return damagef("leaf page %d: keys out of order at element %d", id, i)
		}
		prev = key
		if le.Uint32(e[0:])&bucketLeafFlag == 0 {
			continue
		}
		if err := c.bucket(val, id, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// bucket checks the bucket header val found on page id and its tree.
func (c *checker) bucket(val []byte, id uint64, depth int) error {
	if depth > maxDepth {
		return damagef("buckets on page %d are nested %d levels deep", id, depth)
	}
	if len(val) < bucketHeaderSize {
		return damagef("leaf page %d holds a bucket header of %d bytes", id, len(val))
	}
	root := binary.LittleEndian.Uint64(val)
	if root != 0 {
		return c.tree(root, depth)
	}
	inline := val[bucketHeaderSize:]
	if len(inline) < pageHeaderSize {
		return damagef("leaf page %d holds an inline bucket of %d bytes", id, len(inline))
	}
	if flags := binary.LittleEndian.Uint16(inline[8:]); flags != leafPageFlag {
		return damagef("an inline bucket on page %d has type %#x", id, flags)
	}
	return c.leaf(inline, id, int(binary.LittleEndian.Uint16(inline[10:])), depth)
}

// span returns p[at+pos : at+pos+n], or an error when it is not inside p.
func span(p []byte, at int, pos uint32, n uint64) ([]byte, error) {
	start := uint64(at) + uint64(pos)
	if start > uint64(len(p)) || n > uint64(len(p))-start {
		return nil, fmt.Errorf("%d bytes at %d lie outside its %d bytes", n, start, len(p))
	}
	return p[start : start+n], nil
}

func uint64Sum(a, b uint32) uint64 { return uint64(a) + uint64(b) }
