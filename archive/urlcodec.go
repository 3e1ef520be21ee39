package archive

// URL records are stored as JSON compressed with zstd against a fixed
// dictionary (urlrecords.dict: eleven records of every shape, frozen: the
// stored values depend on it byte for byte). A record's JSON repeats field
// names, states, statuses, content types and timestamps that the
// dictionary holds, so the value is a fifth to a third of its JSON: the
// 40,000 records of the newsletter corpus take 6–9 MB of pages instead of
// 22–37 MB, which is what planning, recording and every report read (and
// what the run maps in: BENCHMARKS.md, issue 13). zstd is the one of
// klauspost/compress, which gowarc already links in.
//
// A value is either JSON (written by schema version 1 and by the version 0
// migration; it starts with '{') or urlZstd followed by one zstd frame.

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

//go:embed urlrecords.dict
var urlDict []byte

// urlDictID names urlDict in the frames (zstd's dictionary id): a new
// dictionary would get another id and another leading byte, and this one
// would stay to read the values written with it.
const urlDictID = 1

// urlZstd is the leading byte of a compressed URL record.
const urlZstd = 0x01

var urlCodec = sync.OnceValues(func() (*urlCoder, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderDictRaw(urlDictID, urlDict), zstd.WithEncoderCRC(false),
		zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true), zstd.WithWindowSize(1<<15))
	if err != nil {
		return nil, err
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderDictRaw(urlDictID, urlDict), zstd.WithDecoderConcurrency(2),
		zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxMemory(1<<24))
	if err != nil {
		return nil, err
	}
	return &urlCoder{enc: enc, dec: dec}, nil
})

// urlCoder compresses and decompresses URL records; both are safe for
// concurrent use.
type urlCoder struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

// compressURL returns the stored value of a URL record's JSON.
func compressURL(data []byte) ([]byte, error) {
	c, err := urlCodec()
	if err != nil {
		return nil, fmt.Errorf("archive: url records: %w", err)
	}
	return c.enc.EncodeAll(data, []byte{urlZstd}), nil
}

// urlJSON returns the JSON of the stored value v of the URL record k. A
// compressed value is decoded into *buf (nil: a new slice), which keeps
// the grown buffer for the next call; a JSON value is v itself, which
// *buf never takes: v is the database's read-only memory.
func urlJSON(k, v []byte, buf *[]byte) ([]byte, error) {
	if len(v) == 0 || v[0] != urlZstd {
		return v, nil // JSON as earlier versions wrote it
	}
	c, err := urlCodec()
	if err != nil {
		return nil, fmt.Errorf("archive: url records: %w", err)
	}
	var dst []byte
	if buf != nil {
		dst = (*buf)[:0]
	}
	out, err := c.dec.DecodeAll(v[1:], dst)
	if err != nil {
		return nil, fmt.Errorf("archive: url record %q: %w", k, err)
	}
	if buf != nil {
		*buf = out
	}
	return out, nil
}
