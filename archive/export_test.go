package archive

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func TestSURT(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://www.Example.com/A/b?z=1&a=2", "com,example)/a/b?a=2&z=1"},
		{"http://example.com", "com,example)/"},
		{"http://example.com:8080/x", "com,example:8080)/x"},
		{"https://example.com:443/x", "com,example)/x"},
		{"https://www2.sub.example.org/", "org,example,sub)/"},
		{"http://127.0.0.1:9/p", "127.0.0.1:9)/p"},
		{"https://example.com/%E4%B8%AD", "com,example)/%e4%b8%ad"},
	}
	for _, tt := range tests {
		if got := surt(tt.in); got != tt.want {
			t.Errorf("surt(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// parseCDXJ parses CDXJ lines, failing the test on a malformed one.
func parseCDXJ(t *testing.T, data []byte) []cdxjRecord {
	t.Helper()
	var out []cdxjRecord
	var keys []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		key, rest, ok1 := strings.Cut(line, " ")
		ts, js, ok2 := strings.Cut(rest, " ")
		if !ok1 || !ok2 || len(ts) != 14 || strings.Trim(ts, "0123456789") != "" {
			t.Fatalf("malformed CDXJ line %q", line)
		}
		var r cdxjRecord
		if err := json.Unmarshal([]byte(js), &r); err != nil {
			t.Fatalf("CDXJ line %q: %v", line, err)
		}
		if key != surt(r.URL) {
			t.Errorf("CDXJ key %q, want surt(%s) = %q", key, r.URL, surt(r.URL))
		}
		keys = append(keys, line)
		out = append(out, r)
	}
	if !sort.StringsAreSorted(keys) {
		t.Errorf("CDXJ lines are not sorted")
	}
	return out
}

func TestExportCDXJ(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{})
	captured := captureMix(t, env)
	var buf bytes.Buffer
	if err := ExportCDXJ(env.db, env.dir, &buf); err != nil {
		t.Fatal(err)
	}
	recs := parseCDXJ(t, buf.Bytes())
	if len(recs) != captured {
		t.Errorf("%d CDXJ lines, want %d (one per capture, aliases left out)", len(recs), captured)
	}
	for _, r := range recs {
		off, err1 := strconv.ParseInt(r.Offset, 10, 64)
		n, err2 := strconv.ParseInt(r.Length, 10, 64)
		if err1 != nil || err2 != nil || n <= 0 || r.Status == "" || r.Mime == "" || !strings.HasPrefix(r.Digest, "sha256:") {
			t.Errorf("CDXJ record %+v: bad fields", r)
			continue
		}
		rec, err := readRecord(env.dir, r.Filename, off)
		if err != nil {
			t.Errorf("CDXJ record %+v: %v", r, err)
			continue
		}
		wantType := "response"
		if r.Mime == "warc/revisit" {
			wantType = "revisit"
		}
		if rec.Type != wantType || rec.Header.Get("WARC-Target-URI") != r.URL {
			t.Errorf("CDXJ %s@%s: record %s %s, want %s %s", r.Filename, r.Offset, rec.Type,
				rec.Header.Get("WARC-Target-URI"), wantType, r.URL)
		}
		rec.Close()
	}
}

func TestExportWACZ(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{MaxFileSize: 512 << 10})
	captured := captureMix(t, env)
	path := filepath.Join(t.TempDir(), "notes.wacz")
	// Exported while the archiver still has a file open, then after Close.
	for _, closeFirst := range []bool{false, true} {
		if closeFirst {
			if err := env.a.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if err := ExportWACZ(env.db, env.dir, path); err != nil {
			t.Fatal(err)
		}
		checkWACZ(t, path, captured, len(warcFiles(t, env.dir)))
	}
}

// readZipFile returns the uncompressed content of f.
func readZipFile(t *testing.T, f *zip.File) []byte {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("%s in the zip: %v", f.Name, err)
	}
	return b
}

func checkWACZ(t *testing.T, path string, captures, warcs int) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	content := map[string][]byte{}
	var warcNames []string
	for _, f := range zr.File {
		content[f.Name] = readZipFile(t, f)
		if strings.HasPrefix(f.Name, "archive/") {
			warcNames = append(warcNames, f.Name)
			if f.Method != zip.Store {
				t.Errorf("%s compressed with method %d, want Store", f.Name, f.Method)
			}
		}
	}
	for _, name := range []string{"datapackage.json", "datapackage-digest.json", "indexes/index.cdxj", "pages/pages.jsonl"} {
		if _, ok := content[name]; !ok {
			t.Errorf("WACZ has no %s", name)
		}
	}
	if len(warcNames) != warcs {
		t.Errorf("WACZ has %d WARC files, want %d", len(warcNames), warcs)
	}
	var dp struct {
		Profile   string         `json:"profile"`
		Version   string         `json:"wacz_version"`
		Resources []waczResource `json:"resources"`
	}
	if err := json.Unmarshal(content["datapackage.json"], &dp); err != nil {
		t.Fatal(err)
	}
	if dp.Profile != "data-package" || dp.Version != "1.1.1" {
		t.Errorf("datapackage profile %q version %q", dp.Profile, dp.Version)
	}
	listed := map[string]bool{}
	for _, r := range dp.Resources {
		listed[r.Path] = true
		b, ok := content[r.Path]
		s := sha256.Sum256(b)
		if !ok || r.Hash != "sha256:"+hex.EncodeToString(s[:]) || r.Bytes != int64(len(b)) {
			t.Errorf("resource %s: hash %s, %d bytes; content sha256:%x, %d bytes (present %v)", r.Path, r.Hash, r.Bytes, s, len(b), ok)
		}
	}
	for name := range content {
		if !listed[name] && !strings.HasPrefix(name, "datapackage") {
			t.Errorf("%s is not listed in datapackage.json", name)
		}
	}
	var dd struct{ Path, Hash string }
	if err := json.Unmarshal(content["datapackage-digest.json"], &dd); err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(content["datapackage.json"])
	if dd.Path != "datapackage.json" || dd.Hash != "sha256:"+hex.EncodeToString(s[:]) {
		t.Errorf("datapackage-digest.json = %+v, want the sha256 of datapackage.json", dd)
	}
	if n := len(parseCDXJ(t, content["indexes/index.cdxj"])); n != captures {
		t.Errorf("index.cdxj has %d lines, want %d", n, captures)
	}
	pages := strings.Split(strings.TrimSpace(string(content["pages/pages.jsonl"])), "\n")
	for i, p := range pages {
		var m map[string]string
		if err := json.Unmarshal([]byte(p), &m); err != nil {
			t.Errorf("pages.jsonl line %d: %v", i+1, err)
		}
		if i == 0 && m["format"] != "json-pages-1.0" {
			t.Errorf("pages.jsonl header %q", p)
		}
		if i > 0 && (m["url"] == "" || m["ts"] == "" || m["id"] == "") {
			t.Errorf("pages.jsonl line %d lacks url, ts or id: %s", i+1, p)
		}
	}
	if len(pages) < 2 {
		t.Errorf("pages.jsonl has no pages")
	}
}

// A WARC file left open by a crash (NAME.open, a torn record at its end)
// is finished before an export: the CDXJ names only finished files that
// read record by record to their end.
func TestExportFinishesOpenFiles(t *testing.T) {
	db := MustOpenDB(t)
	dir := t.TempDir()
	a, err := NewArchiver(db, ArchiverOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		mustCapture(t, a, newExchange("https://example.com/"+itoa(i), day1, "text/html", []byte("page "+itoa(i))))
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	// What a crash in the middle of the next record leaves.
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	if len(files) != 1 {
		t.Fatalf("%d WARC files, want 1", len(files))
	}
	if err := os.Rename(files[0], files[0]+openSuffix); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(files[0]+openSuffix, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 1, 2, 3})
	f.Close()

	var buf bytes.Buffer
	if err := ExportCDXJ(db, dir, &buf); err != nil {
		t.Fatal(err)
	}
	recs := parseCDXJ(t, buf.Bytes())
	if len(recs) != 3 {
		t.Errorf("%d CDXJ lines, want 3", len(recs))
	}
	for _, r := range recs {
		p := filepath.Join(dir, r.Filename)
		n, err := validLength(p)
		fi, serr := os.Stat(p)
		if err != nil || serr != nil || fi.Size() != n {
			t.Errorf("CDXJ names %s: %v %v, or a torn end", r.Filename, err, serr)
		}
	}
	if _, err := os.Stat(files[0] + openSuffix); err == nil {
		t.Errorf("%s is still open after the export", filepath.Base(files[0]))
	}
}
