package archive

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlnwa/gowarc/v3"

	"github.com/linkvault/linkvault"
)

// warcRec is what the tests check of a record read with gowarc's reader.
type warcRec struct {
	Type          string
	Version       string // "WARC/1.1"
	Offset, Size  int64
	ID            string
	Date          string
	TargetURI     string
	PayloadDigest string
	ConcurrentTo  []string
	Profile       string
	RefersTo      string
	RefersToURI   string
	RefersToDate  string
	Validation    []error
}

// readAllRecords reads every record of the WARC file at path with gowarc's
// reader, validating digests and syntax, and fails the test on any error.
func readAllRecords(t testing.TB, path string) []warcRec {
	t.Helper()
	r, err := gowarc.NewWarcFileReader(path, 0,
		gowarc.WithSyntaxErrorPolicy(gowarc.ErrFail),
		gowarc.WithSpecViolationPolicy(gowarc.ErrWarn),
		gowarc.WithBufferTmpDir(t.TempDir()))
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer r.Close()
	var out []warcRec
	for rec, err := range r.Records() {
		if err != nil {
			t.Fatalf("%s: record %d: %v", filepath.Base(path), len(out), err)
		}
		h := rec.WarcRecord.WarcHeader()
		w := warcRec{
			Type: rec.WarcRecord.Type().String(), Offset: rec.Offset, Size: rec.Size,
			Version:       rec.WarcRecord.Version().String(),
			ID:            h.GetId(gowarc.WarcRecordID),
			Date:          h.Get(gowarc.WarcDate),
			TargetURI:     h.Get(gowarc.WarcTargetURI),
			PayloadDigest: h.Get(gowarc.WarcPayloadDigest),
			Profile:       h.Get(gowarc.WarcProfile),
			RefersTo:      h.GetId(gowarc.WarcRefersTo),
			RefersToURI:   h.Get(gowarc.WarcRefersToTargetURI),
			RefersToDate:  h.Get(gowarc.WarcRefersToDate),
			Validation:    rec.Validation,
		}
		for _, v := range h.GetAll(gowarc.WarcConcurrentTo) {
			w.ConcurrentTo = append(w.ConcurrentTo, strings.Trim(v, "<>"))
		}
		out = append(out, w)
		_ = rec.Close()
	}
	return out
}

// captureMix captures a bit of everything into env and returns the count.
func captureMix(t testing.TB, env *captureEnv) int {
	t.Helper()
	n := 0
	capture := func(ex *linkvault.Exchange) {
		mustCapture(t, env.a, ex)
		n++
	}
	capture(newExchange("https://example.com/page", day1, "text/html", []byte("<title>p</title>")))
	capture(newExchange("https://example.cn/gbk", day1, "text/html", gbkPage(t)))
	capture(newExchange("https://example.com/a.pdf", day1, "application/pdf", randomBytes(5, 1<<20)))
	capture(newExchange("https://example.com/page", day1.Add(time.Hour), "text/html", []byte("<title>p</title>")))
	capture(newExchange("https://example.com/page", day1.Add(2*time.Hour), "text/html", []byte("<title>p</title>")))
	// The PDF under another URL: a revisit of the first record, across URLs.
	capture(newExchange("https://cdn.example.net/a.pdf", day1.Add(3*time.Hour), "application/pdf", randomBytes(5, 1<<20)))
	tr := newExchange("https://example.com/big", day1, "application/octet-stream", randomBytes(6, 10<<10))
	tr.Truncated = true
	capture(tr)
	moved := newExchange("https://example.com/new", day1, "text/plain", []byte("moved"))
	moved.LinkURL = "https://example.com/old"
	capture(moved)
	nm := newExchange("https://example.com/a.pdf", day1.Add(time.Hour), "", nil)
	nm.StatusCode, nm.Status, nm.ResponseHeader = 304, "304 Not Modified", http.Header{}
	if _, err := env.a.notModified(context.Background(), nm); err != nil {
		t.Fatal(err)
	}
	n++
	return n
}

func TestWARCIndexResolves(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{})
	captured := captureMix(t, env)
	if err := env.a.Close(); err != nil {
		t.Fatal(err)
	}

	byPos := map[string]warcRec{}
	byID := map[string]warcRec{}
	for _, f := range warcFiles(t, env.dir) {
		recs := readAllRecords(t, f)
		if len(recs) == 0 || recs[0].Type != "warcinfo" {
			t.Errorf("%s does not start with warcinfo", filepath.Base(f))
		}
		// One gzip member per record: the members start exactly where
		// the records do.
		var offsets []int64
		for i, r := range recs {
			offsets = append(offsets, r.Offset)
			if i > 0 && r.Type == "warcinfo" {
				t.Errorf("%s@%d: a second warcinfo record", filepath.Base(f), r.Offset)
			}
			if r.Version != "WARC/1.1" {
				t.Errorf("%s@%d (%s): version %q, want WARC/1.1", filepath.Base(f), r.Offset, r.Type, r.Version)
			}
		}
		if members := gzipMembers(t, f); !slices.Equal(members, offsets) {
			t.Errorf("%s: gzip members start at %v, records at %v", filepath.Base(f), members, offsets)
		}
		for _, r := range recs {
			for _, v := range r.Validation {
				t.Errorf("%s@%d (%s): validation: %v", filepath.Base(f), r.Offset, r.Type, v)
			}
			byPos[fmt.Sprintf("%s@%d", filepath.Base(f), r.Offset)] = r
			byID[r.ID] = r
		}
	}

	entries := 0
	err := env.db.forEachEntry(func(key string, e indexEntry) error {
		entries++
		pos := fmt.Sprintf("%s@%d", e.File, e.Offset)
		r, ok := byPos[pos]
		if !ok {
			t.Errorf("index %s → %s: no record there", key, pos)
			return nil
		}
		wantType := "response"
		if e.Revisit {
			wantType = "revisit"
		}
		if r.Type != wantType || r.TargetURI != e.URL || r.ID != e.RecordID {
			t.Errorf("index %s → %s: record %s %s %s; want %s %s %s", key, pos, r.Type, r.TargetURI, r.ID,
				wantType, e.URL, e.RecordID)
		}
		if r.Size != e.Length {
			t.Errorf("index %s → %s: record is %d bytes, index says %d", key, pos, r.Size, e.Length)
		}
		if r.Type == "response" && r.PayloadDigest != e.Digest {
			t.Errorf("index %s → %s: payload digest %s, index %s", key, pos, r.PayloadDigest, e.Digest)
		}
		if !e.Revisit && (len(r.ConcurrentTo) != 1 || byID[r.ConcurrentTo[0]].Type != "request" ||
			byID[r.ConcurrentTo[0]].TargetURI != e.URL) {
			t.Errorf("index %s → %s: WARC-Concurrent-To %v is not its request", key, pos, r.ConcurrentTo)
		}
		if e.Revisit && len(r.ConcurrentTo) != 0 {
			t.Errorf("revisit %s → %s: WARC-Concurrent-To %v, want none (no request record)", key, pos, r.ConcurrentTo)
		}
		if e.Revisit {
			orig := byID[r.RefersTo]
			if orig.Type != "response" || r.RefersToURI != orig.TargetURI || r.RefersToURI == "" ||
				r.RefersToDate == "" || r.RefersToDate != orig.Date || orig.PayloadDigest != e.Digest ||
				fmt.Sprintf("%s@%d", e.RefFile, e.RefOffset) != fmt.Sprintf("%s@%d", e.RefFile, orig.Offset) {
				t.Errorf("revisit %s → %s: refers to %q (%s %s of %s, date field %s), want the response with digest %s", key, pos,
					r.RefersTo, orig.Type, orig.TargetURI, orig.Date, r.RefersToDate, e.Digest)
			}
			wantProfile := gowarc.ProfileIdenticalPayloadDigestV1_1
			if e.HTTPStatus != 200 || key == "https://example.com/a.pdf" { // the 304
				wantProfile = gowarc.ProfileServerNotModifiedV1_1
			}
			if r.Profile != wantProfile {
				t.Errorf("revisit %s: profile %s, want %s", key, r.Profile, wantProfile)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The redirected capture has two keys.
	if entries != captured+1 {
		t.Errorf("%d index entries, want %d", entries, captured+1)
	}
}

// gzipMembers returns the offsets at which the gzip members of the file at
// path start, reading it member by member. The file must be nothing but
// whole members.
func gzipMembers(t testing.TB, path string) []int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := &countingReader{r: bufio.NewReader(f)}
	var zr gzip.Reader
	var starts []int64
	for {
		start := cr.n
		if err := zr.Reset(cr); err == io.EOF {
			return starts
		} else if err != nil {
			t.Fatalf("%s@%d: not a gzip member: %v", filepath.Base(path), start, err)
		}
		zr.Multistream(false)
		if _, err := io.Copy(io.Discard, &zr); err != nil {
			t.Fatalf("%s@%d: gzip member: %v", filepath.Base(path), start, err)
		}
		starts = append(starts, start)
	}
}
