package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/linkvault/linkvault"
)

// captureEnv is a database and an archive directory in t.TempDir().
type captureEnv struct {
	db  *DB
	dir string
	a   *Archiver
}

// newCaptureEnv opens a database and an Archiver with opts (Dir is set to
// a temporary directory when empty); both are closed at cleanup.
func newCaptureEnv(t testing.TB, opts ArchiverOptions) *captureEnv {
	t.Helper()
	tmp := t.TempDir()
	db, err := Open(filepath.Join(tmp, "linkvault.db"), nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if opts.Dir == "" {
		opts.Dir = filepath.Join(tmp, "archive")
	}
	a, err := NewArchiver(db, opts)
	if err != nil {
		t.Fatalf("NewArchiver: %v", err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("Archiver.Close: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("DB.Close: %v", err)
		}
	})
	return &captureEnv{db: db, dir: a.Dir(), a: a}
}

var day1 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

// newExchange returns a 200 exchange for url at t with body.
func newExchange(url string, t time.Time, ctype string, body []byte) *linkvault.Exchange {
	return &linkvault.Exchange{
		URL:           url,
		LinkURL:       url,
		Time:          t,
		Method:        http.MethodGet,
		RequestHeader: http.Header{"User-Agent": {"linkvault-test"}, "Accept": {"*/*"}},
		Proto:         "HTTP/1.1",
		StatusCode:    200,
		Status:        "200 OK",
		ResponseHeader: http.Header{
			"Content-Type":   {ctype},
			"Content-Length": {itoa(len(body))},
			"Date":           {t.Format(http.TimeFormat)},
		},
		RemoteAddr: "127.0.0.1:8080",
		Body:       bytes.NewReader(body),
		Size:       int64(len(body)),
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func mustCapture(t testing.TB, a *Archiver, ex *linkvault.Exchange) linkvault.Capture {
	t.Helper()
	c, err := a.Capture(context.Background(), ex)
	if err != nil {
		t.Fatalf("Capture(%s) = %v", ex.URL, err)
	}
	return c
}

// readPayload returns the payload and header OpenPayload gives for c.
func readPayload(t testing.TB, dir string, c linkvault.Capture) ([]byte, http.Header) {
	t.Helper()
	rc, h, err := OpenPayload(dir, c)
	if err != nil {
		t.Fatalf("OpenPayload(%s@%d) = %v", c.File, c.Offset, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read payload: %v", err)
	}
	return b, h
}

// randomBytes returns n pseudo-random (incompressible) bytes.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

func gbkPage(t testing.TB) []byte {
	t.Helper()
	page := `<html><head><meta charset="gbk"><title>链接保险库</title></head>` +
		`<body><p>笔记里的链接：<a href="https://example.com/中文">中文</a></p></body></html>`
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dirSize is the total size of the WARC files in dir.
func dirSize(t testing.TB, dir string) int64 {
	t.Helper()
	var n int64
	for _, p := range warcFiles(t, dir) {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}

// warcFiles lists the WARC files of dir, open or closed.
func warcFiles(t testing.TB, dir string) []string {
	t.Helper()
	a, err := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz.open"))
	return append(a, b...)
}

func TestCaptureRoundTrip(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{})
	pdf := append([]byte("%PDF-1.7\n"), randomBytes(1, 2<<20)...)
	tests := []struct {
		name, url, ctype, title string
		body                    []byte
	}{
		{"html", "https://example.com/page", "text/html; charset=utf-8", "A page",
			[]byte(`<html><head><title>A page</title></head><body><a href="/x">x</a></body></html>`)},
		{"gbk", "https://example.cn/gbk", "text/html", "链接保险库", gbkPage(t)},
		{"pdf", "https://example.com/paper.pdf", "application/pdf", "", pdf},
		{"empty", "https://example.com/empty", "text/plain", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := newExchange(tt.url, day1, tt.ctype, tt.body)
			ex.Title = tt.title
			c := mustCapture(t, env.a, ex)
			want := linkvault.Capture{URL: tt.url, Time: day1, File: c.File, Offset: c.Offset, Length: c.Length,
				Digest: "sha256:" + sum(tt.body), HTTPStatus: 200, ContentType: tt.ctype, Title: tt.title,
				Size: int64(len(tt.body))}
			if c != want {
				t.Errorf("Capture = %+v\nwant %+v", c, want)
			}
			if c.Length <= 0 || c.File == "" {
				t.Errorf("Capture location %s@%d+%d", c.File, c.Offset, c.Length)
			}
			got, h := readPayload(t, env.dir, c)
			if sum(got) != sum(tt.body) {
				t.Errorf("payload sha256 %s (%d bytes), want %s (%d bytes)", sum(got), len(got), sum(tt.body), len(tt.body))
			}
			if h.Get("Content-Type") != tt.ctype {
				t.Errorf("stored Content-Type %q, want %q", h.Get("Content-Type"), tt.ctype)
			}
			at, err := env.db.CaptureAt(tt.url, time.Time{})
			if err != nil || at != c {
				t.Errorf("CaptureAt(latest) = %+v, %v; want %+v", at, err, c)
			}
		})
	}
}

func TestCaptureRevisit(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{})
	const u = "https://example.com/report.pdf"
	body1 := randomBytes(7, 300<<10)
	body2 := randomBytes(8, 300<<10)

	c1 := mustCapture(t, env.a, newExchange(u, day1, "application/pdf", body1))
	size1 := dirSize(t, env.dir)
	c2 := mustCapture(t, env.a, newExchange(u, day1.Add(24*time.Hour), "application/pdf", body1))
	growth := dirSize(t, env.dir) - size1
	c3 := mustCapture(t, env.a, newExchange(u, day1.Add(48*time.Hour), "application/pdf", body2))
	c4 := mustCapture(t, env.a, newExchange(u, day1.Add(72*time.Hour), "application/pdf", body2))
	c5 := mustCapture(t, env.a, newExchange(u, day1.Add(96*time.Hour), "application/pdf", body2))

	t.Logf("archive growth on an unchanged capture: %d bytes", growth)
	if growth > 1024 {
		t.Errorf("second unchanged capture grew the archive by %d bytes, want ≤ 1024 (no payload)", growth)
	}
	tests := []struct {
		name     string
		c        linkvault.Capture
		revisit  bool
		refersTo time.Time
		body     []byte
	}{
		{"first", c1, false, time.Time{}, body1},
		{"unchanged", c2, true, c1.Time, body1},
		{"changed", c3, false, time.Time{}, body2},
		{"unchanged again", c4, true, c3.Time, body2},
		{"revisit of a revisit", c5, true, c3.Time, body2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.c.Revisit != tt.revisit || !tt.c.RefersTo.Equal(tt.refersTo) {
				t.Errorf("Revisit, RefersTo = %v, %v; want %v, %v", tt.c.Revisit, tt.c.RefersTo, tt.revisit, tt.refersTo)
			}
			if tt.c.Size != int64(len(tt.body)) || tt.c.Digest != "sha256:"+sum(tt.body) {
				t.Errorf("Size, Digest = %d, %s; want %d, sha256:%s", tt.c.Size, tt.c.Digest, len(tt.body), sum(tt.body))
			}
			got, _ := readPayload(t, env.dir, tt.c)
			if !bytes.Equal(got, tt.body) {
				t.Errorf("payload sha256 %s, want %s", sum(got), sum(tt.body))
			}
		})
	}
	all, err := env.db.Captures(u)
	if err != nil {
		t.Fatal(err)
	}
	want := []linkvault.Capture{c1, c2, c3, c4, c5}
	if len(all) != len(want) {
		t.Fatalf("Captures = %d entries, want %d", len(all), len(want))
	}
	for i := range want {
		if all[i] != want[i] {
			t.Errorf("Captures[%d] = %+v, want %+v", i, all[i], want[i])
		}
	}
}

func TestCaptureAt(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{})
	const u = "https://example.com/a"
	var cs []linkvault.Capture
	for i := range 3 {
		cs = append(cs, mustCapture(t, env.a, newExchange(u, day1.Add(time.Duration(i)*time.Hour), "text/plain",
			[]byte("version "+itoa(i)))))
	}
	// A redirected link: indexed under the final URL and the link URL.
	ex := newExchange("https://example.com/final", day1, "text/plain", []byte("moved here"))
	ex.LinkURL = "http://example.com/old"
	moved := mustCapture(t, env.a, ex)

	tests := []struct {
		name    string
		url     string
		at      time.Time
		want    linkvault.Capture
		wantErr string // error code
	}{
		{"latest", u, time.Time{}, cs[2], ""},
		{"exact", u, cs[1].Time, cs[1], ""},
		{"between", u, cs[1].Time.Add(30 * time.Minute), cs[1], ""},
		{"after all", u, day1.Add(100 * time.Hour), cs[2], ""},
		{"before all", u, day1.Add(-time.Second), linkvault.Capture{}, linkvault.ENotFound},
		{"unknown url", "https://example.com/nope", time.Time{}, linkvault.Capture{}, linkvault.ENotFound},
		{"prefix of a captured url", "https://example.com/", time.Time{}, linkvault.Capture{}, linkvault.ENotFound},
		{"link url alias", "http://example.com/old", time.Time{}, moved, ""},
		{"final url", "https://example.com/final", time.Time{}, moved, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := env.db.CaptureAt(tt.url, tt.at)
			if code := linkvault.ErrorCode(err); code != tt.wantErr {
				t.Fatalf("CaptureAt(%s, %v) error = %v (code %q), want code %q", tt.url, tt.at, err, code, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), tt.url) {
				t.Errorf("error %q does not name the URL", err)
			}
			if got != tt.want {
				t.Errorf("CaptureAt(%s, %v) = %+v, want %+v", tt.url, tt.at, got, tt.want)
			}
			has, err := env.db.HasCapture(tt.url)
			if err != nil || has != (tt.wantErr == "" || tt.name == "before all") {
				t.Errorf("HasCapture(%s) = %v, %v", tt.url, has, err)
			}
		})
	}
}

func TestCaptureTruncated(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{})
	body := randomBytes(3, 64<<10)
	ex := newExchange("https://example.com/big.iso", day1, "application/octet-stream", body)
	ex.ResponseHeader.Set("Content-Length", "1000000000")
	ex.Truncated = true
	c := mustCapture(t, env.a, ex)
	if !c.Truncated {
		t.Errorf("Capture.Truncated = false, want true")
	}
	got, h := readPayload(t, env.dir, c)
	if !bytes.Equal(got, body) {
		t.Errorf("payload %d bytes, want the %d bytes received", len(got), len(body))
	}
	if h.Get("Content-Length") != "1000000000" {
		t.Errorf("stored Content-Length %q, want the header as received", h.Get("Content-Length"))
	}
	rec, err := readRecord(env.dir, c.File, c.Offset)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	if got := rec.Header.Get("WARC-Truncated"); got != "length" {
		t.Errorf("WARC-Truncated = %q, want length", got)
	}
	// An untruncated capture has no WARC-Truncated field, revisit or not.
	for i := range 2 {
		c := mustCapture(t, env.a, newExchange("https://example.com/small", day1.Add(time.Duration(i)*time.Hour), "text/plain", []byte("small")))
		rec, err := readRecord(env.dir, c.File, c.Offset)
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.Header.Get("WARC-Truncated"); got != "" || c.Truncated {
			t.Errorf("capture %d (revisit %v): WARC-Truncated = %q, Truncated %v; want none", i, c.Revisit, got, c.Truncated)
		}
		rec.Close()
	}
}

func TestNotModified(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{})
	const u = "https://example.com/etag"
	body := []byte("<html><title>t</title>cached</html>")
	ex304 := func(at time.Time) *linkvault.Exchange {
		ex := newExchange(u, at, "", nil)
		ex.StatusCode, ex.Status = 304, "304 Not Modified"
		ex.ResponseHeader = http.Header{"Etag": {`"v1"`}}
		ex.RequestHeader.Set("If-None-Match", `"v1"`)
		return ex
	}
	_, err := env.a.notModified(context.Background(), ex304(day1))
	if linkvault.ErrorCode(err) != linkvault.ENotFound {
		t.Fatalf("NotModified without a capture = %v, want ENotFound", err)
	}
	if n := len(warcFiles(t, env.dir)); n != 0 {
		t.Errorf("NotModified without a capture wrote %d files", n)
	}
	c1 := mustCapture(t, env.a, newExchange(u, day1, "text/html", body))
	before := dirSize(t, env.dir)
	c2, err := env.a.notModified(context.Background(), ex304(day1.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("a 304 revisit costs %d bytes", dirSize(t, env.dir)-before)
	if !c2.Revisit || !c2.RefersTo.Equal(c1.Time) || c2.HTTPStatus != 200 || c2.ContentType != "text/html" || c2.Digest != c1.Digest {
		t.Errorf("NotModified = %+v; want a revisit of %+v", c2, c1)
	}
	got, h := readPayload(t, env.dir, c2)
	if !bytes.Equal(got, body) || h.Get("Content-Type") != "text/html" {
		t.Errorf("payload %q, Content-Type %q; want the first capture's", got, h.Get("Content-Type"))
	}
	latest, err := env.db.CaptureAt(u, time.Time{})
	if err != nil || latest != c2 {
		t.Errorf("CaptureAt(latest) = %+v, %v; want %+v", latest, err, c2)
	}
}

func TestCaptureRotation(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{MaxFileSize: 200 << 10, Prefix: "rot"})
	var cs []linkvault.Capture
	for i := range 12 {
		u := "https://example.com/blob/" + itoa(i)
		cs = append(cs, mustCapture(t, env.a, newExchange(u, day1, "application/octet-stream", randomBytes(uint64(i), 60<<10))))
	}
	if err := env.a.Close(); err != nil {
		t.Fatal(err)
	}
	files := warcFiles(t, env.dir)
	if len(files) < 3 {
		t.Fatalf("%d WARC files after 720 KiB at MaxFileSize 200 KiB, want ≥ 3", len(files))
	}
	for _, f := range files {
		if strings.HasSuffix(f, openSuffix) {
			t.Errorf("%s still open after Close", filepath.Base(f))
		}
		if !strings.HasPrefix(filepath.Base(f), "rot-") {
			t.Errorf("%s does not start with the prefix", filepath.Base(f))
		}
		recs := readAllRecords(t, f)
		if len(recs) == 0 || recs[0].Type != "warcinfo" {
			t.Errorf("%s does not start with a warcinfo record", filepath.Base(f))
		}
		if fi, _ := os.Stat(f); fi.Size() > 300<<10 {
			t.Errorf("%s is %d bytes, far above MaxFileSize", filepath.Base(f), fi.Size())
		}
	}
	for i, c := range cs {
		got, _ := readPayload(t, env.dir, c)
		if !bytes.Equal(got, randomBytes(uint64(i), 60<<10)) {
			t.Errorf("capture %d: wrong payload", i)
		}
	}
}

func TestCaptureErrors(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		ex   *linkvault.Exchange
	}{
		{"no url", context.Background(), &linkvault.Exchange{}},
		{"nil exchange", context.Background(), nil},
		{"canceled", ctx, newExchange("https://example.com/", day1, "text/plain", []byte("x"))},
		{"failing body", context.Background(), func() *linkvault.Exchange {
			ex := newExchange("https://example.com/fail", day1, "text/plain", nil)
			ex.Body = io.MultiReader(strings.NewReader("partial"), errReader{})
			return ex
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := env.a.Capture(tt.ctx, tt.ex); err == nil {
				t.Errorf("Capture = nil error, want an error")
			}
		})
	}
	if has, _ := env.db.HasCapture("https://example.com/fail"); has {
		t.Errorf("a failed capture was indexed")
	}
	ents, _ := os.ReadDir(filepath.Join(env.dir, tmpDirName))
	if len(ents) != 0 {
		t.Errorf("%d spool files left after failed captures", len(ents))
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestRecoverOpenFile(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{})
	c := mustCapture(t, env.a, newExchange("https://example.com/r", day1, "text/plain", []byte("recover me")))
	// Simulate a crash: copy the open file, then append half a record.
	open := filepath.Join(env.dir, c.File+openSuffix)
	data, err := os.ReadFile(open)
	if err != nil {
		t.Fatalf("the current file is not open: %v", err)
	}
	if err := env.a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(env.dir, c.File)); err != nil {
		t.Fatal(err)
	}
	torn := append(append([]byte{}, data...), data[c.Offset:c.Offset+c.Length/2]...)
	if err := os.WriteFile(open, torn, 0o644); err != nil {
		t.Fatal(err)
	}
	// Before recovery the capture is readable from the .open file.
	if got, _ := readPayload(t, env.dir, c); string(got) != "recover me" {
		t.Errorf("payload from .open file = %q", got)
	}
	a2, err := NewArchiver(env.db, ArchiverOptions{Dir: env.dir})
	if err != nil {
		t.Fatal(err)
	}
	defer a2.Close()
	if _, err := os.Stat(open); !errors.Is(err, os.ErrNotExist) {
		t.Errorf(".open file still there after recovery: %v", err)
	}
	fixed, err := os.ReadFile(filepath.Join(env.dir, c.File))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fixed, data) {
		t.Errorf("recovered file is %d bytes, want the %d bytes of whole records", len(fixed), len(data))
	}
	if got, _ := readPayload(t, env.dir, c); string(got) != "recover me" {
		t.Errorf("payload after recovery = %q", got)
	}
}

func TestCaptureConcurrent(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{MaxFileSize: 256 << 10})
	const workers, each = 6, 15
	errs := make(chan error, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				doc, version := (w+i)%4, (w*i)%2
				u := "https://example.com/c/" + itoa(doc)
				ex := newExchange(u, time.Time{}, "text/plain", randomBytes(uint64(doc*10+version), 20<<10))
				if _, err := env.a.Capture(context.Background(), ex); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// In time order (the order they were written), across URLs: a capture
	// is a revisit exactly when its payload was stored before (the URL's
	// own or another's), and every payload reads back.
	var all []linkvault.Capture
	for doc := range 4 {
		cs, err := env.db.Captures("https://example.com/c/" + itoa(doc))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, cs...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Time.Before(all[j].Time) })
	stored := map[string]bool{}
	for _, c := range all {
		if want := stored[c.Digest]; c.Revisit != want {
			t.Errorf("%s at %v: Revisit %v, want %v", c.URL, c.Time, c.Revisit, want)
		}
		stored[c.Digest] = true
		got, _ := readPayload(t, env.dir, c)
		if "sha256:"+sum(got) != c.Digest {
			t.Errorf("%s at %v: payload does not match its digest", c.URL, c.Time)
		}
	}
	if len(all) != workers*each {
		t.Errorf("%d captures indexed, want %d", len(all), workers*each)
	}
}
