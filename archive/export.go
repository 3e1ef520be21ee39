package archive

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// cdxjRecord is the JSON part of a CDXJ line, as pywb and ReplayWeb.page
// read it.
type cdxjRecord struct {
	URL      string `json:"url"`
	Mime     string `json:"mime"`
	Status   string `json:"status"`
	Digest   string `json:"digest"`
	Length   string `json:"length"`
	Offset   string `json:"offset"`
	Filename string `json:"filename"`
}

// finishOpenFiles finishes the open WARC files of dir: those the
// Archivers of this process are writing (the next capture starts a new
// file), or else those a crashed run left (a torn last record cut off, the
// .open suffix dropped, as the next NewArchiver would). No other process
// is writing there: it would hold the database for writing.
func finishOpenFiles(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("archive: export: %w", err)
	}
	active.Lock()
	if active.dirs[abs] == 0 {
		defer active.Unlock()
		return recoverOpenFiles(abs)
	}
	var live []*Archiver
	for a := range active.archivers[abs] {
		live = append(live, a)
	}
	active.Unlock()
	for _, a := range live {
		if err := a.finishFile(); err != nil {
			return fmt.Errorf("archive: export: %w", err)
		}
	}
	return nil
}

// finished reports whether the WARC file name of dir is a finished file.
func finished(dir, name string) bool {
	if name == "" || name != filepath.Base(name) {
		return false
	}
	fi, err := os.Stat(filepath.Join(dir, name))
	return err == nil && fi.Mode().IsRegular()
}

// cdxjLines returns the sorted CDXJ lines of every capture (aliases of
// redirected links left out: they point at the same records) and the WARC
// files they name. Open files are finished first (finishOpenFiles);
// captures whose WARC files are missing from dir are left out.
func cdxjLines(ctx context.Context, db *DB, s *Store) (lines []string, files []string, pages []indexEntry, err error) {
	if err := finishOpenFiles(s.dir); err != nil {
		return nil, nil, nil, err
	}
	ok, err := s.uploadedFiles(ctx)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("archive: export: %w", err)
	}
	seen := map[string]bool{}
	isFinished := func(name string) bool {
		if v, found := ok[name]; found {
			return v
		}
		ok[name] = finished(s.dir, name)
		return ok[name]
	}
	err = db.forEachEntry(func(key string, e indexEntry) error {
		if key != e.URL {
			return nil
		}
		if !isFinished(e.File) || (e.RefFile != "" && !isFinished(e.RefFile)) {
			return nil
		}
		mime := e.ContentType
		if i := strings.IndexByte(mime, ';'); i >= 0 {
			mime = mime[:i]
		}
		mime = strings.TrimSpace(mime)
		if mime == "" {
			mime = "unk"
		}
		if e.Revisit {
			mime = "warc/revisit"
		} else if e.HTTPStatus >= 200 && e.HTTPStatus < 300 {
			pages = append(pages, e)
		}
		status := e.HTTPStatus
		if e.RecordStatus != 0 {
			status = e.RecordStatus
		}
		j, err := json.Marshal(cdxjRecord{
			URL: e.URL, Mime: mime, Status: strconv.Itoa(status), Digest: e.Digest,
			Length: strconv.FormatInt(e.Length, 10), Offset: strconv.FormatInt(e.Offset, 10), Filename: e.File,
		})
		if err != nil {
			return err
		}
		lines = append(lines, surt(e.URL)+" "+e.Time.UTC().Format(timestampLayout)+" "+string(j))
		for _, f := range []string{e.File, e.RefFile} {
			if f != "" && !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("archive: export: %w", err)
	}
	sort.Strings(lines)
	sort.Strings(files)
	return lines, files, pages, nil
}

// ExportCDXJ writes a CDXJ index of every capture to w: one line per
// record, "SURT TIMESTAMP JSON", sorted, as pywb and ReplayWeb.page read
// it. dir is the archive directory: open WARC files are finished first
// (those of a crashed run repaired), and only finished files are named.
func ExportCDXJ(db *DB, dir string, w io.Writer) error {
	return localStore(dir).ExportCDXJ(context.Background(), db, w)
}

// ExportCDXJ is ExportCDXJ of the package for the files of s: those in
// its local directory and, for an object store, those uploaded.
func (s *Store) ExportCDXJ(ctx context.Context, db *DB, w io.Writer) error {
	lines, _, _, err := cdxjLines(ctx, db, s)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	for _, l := range lines {
		bw.WriteString(l)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("archive: export cdxj: %w", err)
	}
	return nil
}

// surt returns the Sort-friendly URI Reordering Transform of u as pywb
// computes it: host labels reversed and comma-separated without "www.",
// then ")" and the lowercased path and sorted query ("com,example)/a?b=1").
func surt(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return strings.ToLower(u)
	}
	host := strings.ToLower(strings.TrimSuffix(p.Hostname(), "."))
	var b strings.Builder
	if net.ParseIP(host) != nil {
		b.WriteString(host)
	} else {
		labels := strings.Split(host, ".")
		if len(labels) > 2 && strings.HasPrefix(labels[0], "www") &&
			strings.Trim(labels[0][3:], "0123456789") == "" {
			labels = labels[1:]
		}
		for i := len(labels) - 1; i >= 0; i-- {
			b.WriteString(labels[i])
			if i > 0 {
				b.WriteByte(',')
			}
		}
	}
	if port := p.Port(); port != "" && !(p.Scheme == "http" && port == "80") && !(p.Scheme == "https" && port == "443") {
		b.WriteString(":" + port)
	}
	b.WriteByte(')')
	path := p.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(strings.ToLower(path))
	if p.RawQuery != "" {
		q := strings.Split(p.RawQuery, "&")
		sort.Strings(q)
		b.WriteString("?" + strings.ToLower(strings.Join(q, "&")))
	}
	return b.String()
}

// waczResource is one entry of datapackage.json.
type waczResource struct {
	Name  string `json:"name"`
	Path  string `json:"path"`
	Hash  string `json:"hash"`
	Bytes int64  `json:"bytes"`
}

// ExportWACZ writes every capture as a WACZ 1.1.1 file at path: the WARC
// files under archive/ (stored, not recompressed), indexes/index.cdxj,
// pages/pages.jsonl (one page per successful non-revisit capture),
// datapackage.json with the sha256 and size of each resource, and
// datapackage-digest.json with the sha256 of datapackage.json. The file is
// written to path.tmp and renamed into place. As with ExportCDXJ, open
// WARC files are finished first and only finished files are included.
func ExportWACZ(db *DB, dir string, path string) (err error) {
	return localStore(dir).ExportWACZ(context.Background(), db, path)
}

// ExportWACZ is ExportWACZ of the package for the files of s: those in
// its local directory and, for an object store, those uploaded (read
// whole, streamed into the WACZ file).
func (s *Store) ExportWACZ(ctx context.Context, db *DB, path string) (err error) {
	lines, files, pages, err := cdxjLines(ctx, db, s)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("archive: export wacz: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	zw := zip.NewWriter(f)
	var resources []waczResource

	// add writes one zip entry from r, recording its digest.
	add := func(name string, method uint16, r io.Reader) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: time.Now().UTC()})
		if err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(w, h), r)
		if err != nil {
			return err
		}
		resources = append(resources, waczResource{Name: filepath.Base(name), Path: name, Hash: digestOf(h), Bytes: n})
		return nil
	}

	for _, name := range files {
		if err := s.addWARC(ctx, name, func(r io.Reader) error { return add("archive/"+name, zip.Store, r) }); err != nil {
			return fmt.Errorf("archive: export wacz: %w", err)
		}
	}
	var idx bytes.Buffer
	for _, l := range lines {
		idx.WriteString(l)
		idx.WriteByte('\n')
	}
	if err := add("indexes/index.cdxj", zip.Deflate, &idx); err != nil {
		return fmt.Errorf("archive: export wacz: %w", err)
	}
	pj, err := pagesJSONL(pages)
	if err != nil {
		return fmt.Errorf("archive: export wacz: %w", err)
	}
	if err := add("pages/pages.jsonl", zip.Deflate, pj); err != nil {
		return fmt.Errorf("archive: export wacz: %w", err)
	}

	dp, dd, err := dataPackage(resources)
	if err != nil {
		return fmt.Errorf("archive: export wacz: %w", err)
	}
	if err := add("datapackage.json", zip.Deflate, bytes.NewReader(dp)); err != nil {
		return fmt.Errorf("archive: export wacz: %w", err)
	}
	if err := add("datapackage-digest.json", zip.Deflate, bytes.NewReader(dd)); err != nil {
		return fmt.Errorf("archive: export wacz: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("archive: export wacz: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("archive: export wacz: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("archive: export wacz: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("archive: export wacz: %w", err)
	}
	return nil
}

// pagesJSONL is the pages/pages.jsonl of a WACZ: a header line, then one
// line per page.
func pagesJSONL(pages []indexEntry) (*bytes.Buffer, error) {
	var pj bytes.Buffer
	pj.WriteString(`{"format":"json-pages-1.0","id":"pages","title":"All Pages"}` + "\n")
	enc := json.NewEncoder(&pj)
	for _, e := range pages {
		id := sha256.Sum256([]byte(e.URL + " " + e.Time.Format(time.RFC3339Nano)))
		if err := enc.Encode(map[string]string{
			"id": hex.EncodeToString(id[:8]), "url": e.URL,
			"ts": e.Time.UTC().Format(time.RFC3339Nano), "title": e.Title,
		}); err != nil {
			return nil, err
		}
	}
	return &pj, nil
}

// dataPackage returns the datapackage.json of a WACZ holding resources
// and its datapackage-digest.json.
func dataPackage(resources []waczResource) (dp, digest []byte, err error) {
	now := time.Now().UTC().Format(time.RFC3339)
	dp, err = json.MarshalIndent(map[string]any{
		"profile":      "data-package",
		"wacz_version": "1.1.1",
		"title":        "linkvault archive",
		"created":      now,
		"modified":     now,
		"software":     "linkvault",
		"resources":    resources,
	}, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	dpSum := sha256.Sum256(dp)
	digest, _ = json.MarshalIndent(map[string]string{
		"path": "datapackage.json",
		"hash": "sha256:" + hex.EncodeToString(dpSum[:]),
	}, "", "  ")
	return dp, digest, nil
}

// addWARC passes the finished WARC file name of s to fn: the local file,
// else the object.
func (s *Store) addWARC(ctx context.Context, name string, fn func(io.Reader) error) error {
	if s.obj != nil && !finished(s.dir, name) {
		r, _, err := s.obj.Get(ctx, warcKeyPrefix+name)
		if err != nil {
			return err
		}
		defer r.Close()
		return fn(r)
	}
	f, err := os.Open(filepath.Join(s.dir, name))
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return fn(io.LimitReader(f, fi.Size()))
}

func digestOf(h hash.Hash) string { return "sha256:" + hex.EncodeToString(h.Sum(nil)) }
