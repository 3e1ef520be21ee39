package archive

// The compact encoding of the capture index's and the digest index's
// values (version 1). Earlier versions wrote JSON; both decoders read
// either, dispatching on the first byte: a JSON object starts with '{', a
// compact value with its version byte, which JSON never starts with. No
// migration rewrites the JSON values: they stay readable as they are.
//
// An index entry (key URL + 0x00 + time, see captureKey) is, after its
// version byte:
//
//	flags           uvarint: entryRevisit, entryTruncated, entryURL, entryTextHash,
//	                entryRefersTo, entryRef, entryRefURL
//	url             string, only with entryURL (an alias: a link URL redirected to url)
//	file            string
//	offset, length  varint
//	digest          see appendDigest
//	http status     varint
//	content type    see appendContentType
//	title           string
//	text hash       8 bytes big-endian, only with entryTextHash
//	size            varint
//	record id       see appendRecordID
//	record status   varint
//	refers_to       time, only with entryRefersTo
//	with entryRef:  refers_to_url, ref file (strings), ref offset (varint),
//	                ref record id, ref URL (string; not with entryRefURL)
//
// The URL is the key's unless entryURL says otherwise; the time is always
// the key's (putEntry writes an entry under keys of its own time). A
// string is a uvarint length and its bytes; a time is a varint of Unix
// nanoseconds and reads back in UTC. A page capture shaped like the
// budgeted night's takes 43 % of its JSON (TestEntrySize).

import (
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linkvault/linkvault"
)

// valueV1 is the first byte of a compact value.
const valueV1 = 0x01

// Flags of an encoded index entry.
const (
	entryRevisit = 1 << iota
	entryTruncated
	entryURL      // the URL differs from the key's: stored
	entryTextHash // TextHash is not zero: stored
	entryRefersTo // RefersTo is not zero: stored
	entryRef      // the other fields of a revisit's reference are stored
	entryRefURL   // the reference's URL is the entry's: not stored
)

// errBadValue is the cause of every error of a damaged compact value.
var errBadValue = errors.New("corrupt value")

// encodeEntry appends the compact encoding of e, indexed under a key of
// keyURL and e.Time, to dst. It fails only for a time that Unix
// nanoseconds cannot hold (before 1678 or after 2262), which no key can
// hold either.
func encodeEntry(dst []byte, keyURL string, e *indexEntry) ([]byte, error) {
	var flags uint64
	if e.Revisit {
		flags |= entryRevisit
	}
	if e.Truncated {
		flags |= entryTruncated
	}
	if e.URL != keyURL {
		flags |= entryURL
	}
	if e.TextHash != 0 {
		flags |= entryTextHash
	}
	if !e.RefersTo.IsZero() {
		flags |= entryRefersTo
	}
	if e.RefersToURL != "" || e.RefFile != "" || e.RefOffset != 0 || e.RefRecordID != "" || e.RefURL != "" {
		flags |= entryRef
	}
	if flags&entryRef != 0 && e.RefURL == e.URL {
		flags |= entryRefURL
	}
	if !nanoTime(e.Time) || flags&entryRefersTo != 0 && !nanoTime(e.RefersTo) {
		return nil, fmt.Errorf("archive: index entry %s: time out of range", e.URL)
	}
	dst = binary.AppendUvarint(append(dst, valueV1), flags)
	if flags&entryURL != 0 {
		dst = appendString(dst, e.URL)
	}
	dst = appendString(dst, e.File)
	dst = binary.AppendVarint(dst, e.Offset)
	dst = binary.AppendVarint(dst, e.Length)
	dst = appendDigest(dst, e.Digest)
	dst = binary.AppendVarint(dst, int64(e.HTTPStatus))
	dst = appendContentType(dst, e.ContentType)
	dst = appendString(dst, e.Title)
	if flags&entryTextHash != 0 {
		dst = binary.BigEndian.AppendUint64(dst, uint64(e.TextHash))
	}
	dst = binary.AppendVarint(dst, e.Size)
	dst = appendRecordID(dst, e.RecordID)
	dst = binary.AppendVarint(dst, int64(e.RecordStatus))
	if flags&entryRefersTo != 0 {
		dst = appendTime(dst, e.RefersTo)
	}
	if flags&entryRef != 0 {
		dst = appendString(dst, e.RefersToURL)
		dst = appendString(dst, e.RefFile)
		dst = binary.AppendVarint(dst, e.RefOffset)
		dst = appendRecordID(dst, e.RefRecordID)
		if flags&entryRefURL == 0 {
			dst = appendString(dst, e.RefURL)
		}
	}
	return dst, nil
}

// decodeEntry decodes the value v of the index key k: compact (see
// encodeEntry) or JSON (earlier versions). A damaged value is an error
// naming the key.
func decodeEntry(k, v []byte) (indexEntry, error) {
	var e indexEntry
	if len(v) > 0 && v[0] == valueV1 {
		u := keyURL(k)
		at, ok := captureKeyTime(k, u)
		r := valueReader{b: v[1:]}
		flags := r.uvarint()
		e.URL, e.Time = u, at
		if flags&entryURL != 0 {
			e.URL = r.string()
		}
		e.File = r.string()
		e.Offset, e.Length = r.varint(), r.varint()
		e.Digest = r.digest()
		e.HTTPStatus = int(r.varint())
		e.ContentType, e.Title = r.contentType(), r.string()
		if flags&entryTextHash != 0 {
			e.TextHash = linkvault.Fingerprint(binary.BigEndian.Uint64(r.next(8)))
		}
		e.Size = r.varint()
		e.RecordID = r.recordID()
		e.RecordStatus = int(r.varint())
		if flags&entryRefersTo != 0 {
			e.RefersTo = r.time()
		}
		if flags&entryRef != 0 {
			e.RefersToURL, e.RefFile = r.string(), r.string()
			e.RefOffset = r.varint()
			e.RefRecordID, e.RefURL = r.recordID(), e.URL
			if flags&entryRefURL == 0 {
				e.RefURL = r.string()
			}
		}
		e.Revisit, e.Truncated = flags&entryRevisit != 0, flags&entryTruncated != 0
		if !ok || r.bad || len(r.b) > 0 || flags >= entryRefURL<<1 || flags&(entryRef|entryRefURL) == entryRefURL {
			return indexEntry{}, fmt.Errorf("archive: index entry %s: %w", describeKey(k), errBadValue)
		}
		return e, nil
	}
	if err := json.Unmarshal(v, &e); err != nil {
		return e, fmt.Errorf("archive: index entry %s: %w", describeKey(k), err)
	}
	return e, nil
}

// describeKey names the index key k in an error: URL and time, or the
// quoted bytes when k is not a capture key.
func describeKey(k []byte) string {
	u := keyURL(k)
	if t, ok := captureKeyTime(k, u); ok {
		return u + " at " + t.Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%q", k)
}

// encodeDigestEntry appends the compact encoding of de to dst: the
// version byte, then file, offset, record id, URL and time (see
// encodeEntry for each kind of field). The digest is the key.
func encodeDigestEntry(dst []byte, de *digestEntry) ([]byte, error) {
	if !nanoTime(de.Time) {
		return nil, fmt.Errorf("archive: digest entry %s: time out of range", de.URL)
	}
	dst = appendString(append(dst, valueV1), de.File)
	dst = binary.AppendVarint(dst, de.Offset)
	dst = appendRecordID(dst, de.RecordID)
	dst = appendString(dst, de.URL)
	return appendTime(dst, de.Time), nil
}

// decodeDigestEntry decodes the value v of the digest key d: compact (see
// encodeDigestEntry) or JSON (earlier versions).
func decodeDigestEntry(d string, v []byte) (digestEntry, error) {
	var de digestEntry
	if len(v) > 0 && v[0] == valueV1 {
		r := valueReader{b: v[1:]}
		de.File = r.string()
		de.Offset = r.varint()
		de.RecordID = r.recordID()
		de.URL = r.string()
		de.Time = r.time()
		if r.bad || len(r.b) > 0 {
			return digestEntry{}, fmt.Errorf("archive: digest entry %s: %w", d, errBadValue)
		}
		return de, nil
	}
	if err := json.Unmarshal(v, &de); err != nil {
		return de, fmt.Errorf("archive: digest entry %s: %w", d, err)
	}
	return de, nil
}

// nanoTime reports whether t is exactly a number of Unix nanoseconds.
func nanoTime(t time.Time) bool {
	return t.Equal(time.Unix(0, t.UnixNano()))
}

func appendString(dst []byte, s string) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(s))), s...)
}

func appendTime(dst []byte, t time.Time) []byte {
	return binary.AppendVarint(dst, t.UnixNano())
}

// contentTypes are the content types stored as one byte, their 1-based
// index (0: a string follows). The list is append-only: a value's place
// is its code on disk.
var contentTypes = []string{
	"text/html; charset=utf-8", "text/html", "text/html; charset=UTF-8", "text/css",
	"text/css; charset=utf-8", "application/javascript", "text/javascript", "application/json",
	"text/plain", "text/plain; charset=utf-8", "application/pdf", "image/png",
	"image/jpeg", "image/gif", "image/svg+xml", "image/webp",
	"image/x-icon", "font/woff2", "font/woff", "font/ttf",
	"application/xml", "text/xml", "application/octet-stream",
}

// appendContentType appends a content type: one byte for those of
// contentTypes, 0 and a string otherwise (the empty one included).
func appendContentType(dst []byte, ct string) []byte {
	if c := code(contentTypes, ct); c != 0 && ct != "" {
		return append(dst, c)
	}
	return appendString(append(dst, 0), ct)
}

// Kinds of an encoded record id, the byte before it.
const (
	idString        = iota // a string
	idUUID                 // "urn:uuid:" and a lowercase UUID: its 16 bytes
	idUUIDBracketed        // the same in angle brackets ("<urn:uuid:…>")
)

const uuidPrefix = "urn:uuid:"

// appendRecordID appends a record id: 17 bytes for the UUID URNs that
// newRecordID writes (with or without angle brackets), a string otherwise.
func appendRecordID(dst []byte, id string) []byte {
	kind, s := byte(idUUID), id
	if len(s) > 2 && s[0] == '<' && s[len(s)-1] == '>' {
		kind, s = idUUIDBracketed, s[1:len(s)-1]
	}
	if u, ok := parseUUID(s); ok {
		return append(append(dst, kind), u[:]...)
	}
	return appendString(append(dst, idString), id)
}

// parseUUID parses "urn:uuid:" and a UUID in lowercase hex, and only what
// formatUUID gives back unchanged.
func parseUUID(s string) (u [16]byte, ok bool) {
	h, found := strings.CutPrefix(s, uuidPrefix)
	if !found || len(h) != 36 || h[8] != '-' || h[13] != '-' || h[18] != '-' || h[23] != '-' {
		return u, false
	}
	hexDigits := h[0:8] + h[9:13] + h[14:18] + h[19:23] + h[24:]
	if _, err := hex.Decode(u[:], []byte(hexDigits)); err != nil {
		return u, false
	}
	return u, formatUUID(u) == s
}

// formatUUID returns "urn:uuid:" and u in the form newRecordID writes.
func formatUUID(u [16]byte) string {
	h := hex.EncodeToString(u[:])
	return uuidPrefix + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Kinds of an encoded payload digest, the byte before it.
const (
	digestString     = iota // a string (empty, or a form not below)
	digestSHA256Hex         // "sha256:" and 64 lowercase hex digits: 32 bytes
	digestSHA1Base32        // "sha1:" and 32 base32 digits: 20 bytes
)

// digestForms are the digests stored as their raw bytes: how each is
// written (gowarc writes sha256 in lowercase hex, sha1 in base32).
var digestForms = []struct {
	kind   byte
	prefix string
	size   int
	decode func(string) ([]byte, error)
	encode func([]byte) string
}{
	{digestSHA256Hex, "sha256:", 32, hex.DecodeString, hex.EncodeToString},
	{digestSHA1Base32, "sha1:", 20, base32.StdEncoding.DecodeString, base32.StdEncoding.EncodeToString},
}

// appendDigest appends a payload digest: a kind and raw bytes when d is in
// one of digestForms and reads back the same, a string otherwise.
func appendDigest(dst []byte, d string) []byte {
	for _, f := range digestForms {
		s, ok := strings.CutPrefix(d, f.prefix)
		if !ok {
			continue
		}
		if raw, err := f.decode(s); err == nil && len(raw) == f.size && f.encode(raw) == s {
			return append(append(dst, f.kind), raw...)
		}
	}
	return appendString(append(dst, digestString), d)
}

// valueReader reads a compact value. A read past its end, or a malformed
// number, sets bad and gives zero values from then on.
type valueReader struct {
	b   []byte
	bad bool
}

func (r *valueReader) next(n int) []byte {
	if r.bad || n < 0 || n > len(r.b) {
		r.bad = true
		return make([]byte, max(n, 0))
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *valueReader) uvarint() uint64 {
	n, size := binary.Uvarint(r.b)
	if r.bad || size <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[size:]
	return n
}

func (r *valueReader) varint() int64 {
	n, size := binary.Varint(r.b)
	if r.bad || size <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[size:]
	return n
}

func (r *valueReader) string() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.bad = true
		return ""
	}
	return string(r.next(int(n)))
}

func (r *valueReader) time() time.Time {
	return time.Unix(0, r.varint()).UTC()
}

func (r *valueReader) contentType() string {
	c := r.next(1)[0]
	if c == 0 {
		return r.string()
	}
	if int(c) > len(contentTypes) {
		r.bad = true
		return ""
	}
	return contentTypes[c-1]
}

func (r *valueReader) recordID() string {
	switch kind := r.next(1)[0]; kind {
	case idString:
		return r.string()
	case idUUID, idUUIDBracketed:
		id := formatUUID([16]byte(r.next(16)))
		if kind == idUUIDBracketed {
			id = "<" + id + ">"
		}
		return id
	}
	r.bad = true
	return ""
}

func (r *valueReader) digest() string {
	kind := r.next(1)[0]
	if kind == digestString {
		return r.string()
	}
	for _, f := range digestForms {
		if f.kind == kind {
			return f.prefix + f.encode(r.next(f.size))
		}
	}
	r.bad = true
	return ""
}
