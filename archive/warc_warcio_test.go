package archive

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// warcioEnv names the warcio command-line tool (webrecorder's warcio.js)
// for TestWarcioReadsWARC. Without it the test looks in the user cache
// directory, where .ci/run installs it. Tests never install anything
// themselves: they stay off the network.
const warcioEnv = "LINKVAULT_WARCIO"

// findWarcio returns the path of the warcio CLI. It fails the test when
// the tool cannot be had and CI=true, and skips it otherwise.
func findWarcio(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(warcioEnv); p != "" {
		return p
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	prefix := filepath.Join(cache, "linkvault-test", "warcio")
	bin := filepath.Join(prefix, "node_modules", ".bin", "warcio")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	unavailable := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("warcio is required in CI: "+format, args...)
		}
		t.Skipf("warcio unavailable (set %s or install node and npm): "+format, append([]any{warcioEnv}, args...)...)
	}
	unavailable("%s not found (.ci/run installs it: npm install --prefix %s warcio@2)", bin, prefix)
	return ""
}

// TestWarcioReadsWARC checks the WARC files with an independent reader:
// warcio must see the same records at the same offsets as the index.
func TestWarcioReadsWARC(t *testing.T) {
	warcio := findWarcio(t)
	env := newCaptureEnv(t, ArchiverOptions{MaxFileSize: 512 << 10})
	captureMix(t, env)
	if err := env.a.Close(); err != nil {
		t.Fatal(err)
	}

	type rec struct {
		Offset  int64  `json:"offset"`
		Length  int64  `json:"length"`
		Type    string `json:"warc-type"`
		URI     string `json:"warc-target-uri"`
		Payload string `json:"warc-payload-digest"`
	}
	seen := map[string]rec{}
	for _, f := range warcFiles(t, env.dir) {
		out, err := exec.Command(warcio, "index", f, "-f", "offset", "length", "warc-type",
			"warc-target-uri", "warc-payload-digest").Output()
		if err != nil {
			t.Fatalf("warcio index %s: %v", filepath.Base(f), stderrOf(err))
		}
		ours := readAllRecords(t, f)
		var theirs []rec
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			var r rec
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("warcio index line %q: %v", sc.Text(), err)
			}
			theirs = append(theirs, r)
			seen[fmt.Sprintf("%s@%d", filepath.Base(f), r.Offset)] = r
		}
		if len(theirs) != len(ours) {
			t.Errorf("%s: warcio sees %d records, gowarc %d", filepath.Base(f), len(theirs), len(ours))
			continue
		}
		for i := range ours {
			if theirs[i].Offset != ours[i].Offset || theirs[i].Length != ours[i].Size || theirs[i].Type != ours[i].Type {
				t.Errorf("%s record %d: warcio %+v, gowarc %s@%d+%d", filepath.Base(f), i, theirs[i], ours[i].Type, ours[i].Offset, ours[i].Size)
			}
		}
	}
	err := env.db.forEachEntry(func(key string, e indexEntry) error {
		r, ok := seen[fmt.Sprintf("%s@%d", e.File, e.Offset)]
		if !ok || r.URI != e.URL || r.Length != e.Length || r.Payload != e.Digest {
			t.Errorf("index %s → %s@%d+%d %s: warcio sees %+v (found %v)", key, e.File, e.Offset, e.Length, e.Digest, r, ok)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// warcio's CDXJ indexer agrees with ExportCDXJ line by line (digests
	// aside from their "sha256:" prefix).
	var ours bytes.Buffer
	if err := ExportCDXJ(env.db, env.dir, &ours); err != nil {
		t.Fatal(err)
	}
	type line struct {
		key, ts string
		rec     cdxjRecord
	}
	parse := func(l string) (line, error) {
		key, rest, _ := strings.Cut(l, " ")
		ts, js, _ := strings.Cut(rest, " ")
		var r cdxjRecord
		err := json.Unmarshal([]byte(js), &r)
		r.Digest = strings.TrimPrefix(r.Digest, "sha256:")
		return line{key, ts, r}, err
	}
	theirs := map[string]line{}
	for _, f := range warcFiles(t, env.dir) {
		out, err := exec.Command(warcio, "cdx-index", f).Output()
		if err != nil {
			t.Fatalf("warcio cdx-index %s: %v", filepath.Base(f), stderrOf(err))
		}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			p, err := parse(l)
			if err != nil {
				t.Fatalf("warcio cdx-index line %q: %v", l, err)
			}
			theirs[p.rec.Filename+"@"+p.rec.Offset] = p
		}
	}
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(ours.String()), "\n") {
		n++
		p, err := parse(l)
		if err != nil {
			t.Fatalf("ExportCDXJ line %q: %v", l, err)
		}
		if w := theirs[p.rec.Filename+"@"+p.rec.Offset]; w != p {
			t.Errorf("CDXJ line\n ours   %+v\n warcio %+v", p, w)
		}
	}
	if n != len(theirs) {
		t.Errorf("ExportCDXJ has %d lines, warcio cdx-index %d", n, len(theirs))
	}

	// The WACZ package: warcio indexes the WARC files taken out of it, and
	// its indexes/index.cdxj agrees with that line by line.
	wacz := filepath.Join(t.TempDir(), "notes.wacz")
	if err := ExportWACZ(env.db, env.dir, wacz); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(wacz)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := t.TempDir()
	var packed []byte
	fromWACZ := map[string]line{}
	for _, f := range zr.File {
		b := readZipFile(t, f)
		switch {
		case f.Name == "indexes/index.cdxj":
			packed = b
		case strings.HasPrefix(f.Name, "archive/"):
			p := filepath.Join(out, path.Base(f.Name))
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			idx, err := exec.Command(warcio, "cdx-index", p).Output()
			if err != nil {
				t.Fatalf("warcio cdx-index %s from the WACZ: %v", f.Name, stderrOf(err))
			}
			for _, l := range strings.Split(strings.TrimSpace(string(idx)), "\n") {
				p, err := parse(l)
				if err != nil {
					t.Fatalf("warcio cdx-index line %q: %v", l, err)
				}
				fromWACZ[p.rec.Filename+"@"+p.rec.Offset] = p
			}
		}
	}
	if len(fromWACZ) == 0 || packed == nil {
		t.Fatalf("WACZ without WARC records (%d) or without indexes/index.cdxj", len(fromWACZ))
	}
	n = 0
	for _, l := range strings.Split(strings.TrimSpace(string(packed)), "\n") {
		n++
		p, err := parse(l)
		if err != nil {
			t.Fatalf("WACZ index.cdxj line %q: %v", l, err)
		}
		if w := fromWACZ[p.rec.Filename+"@"+p.rec.Offset]; w != p {
			t.Errorf("WACZ index.cdxj line\n ours   %+v\n warcio %+v", p, w)
		}
	}
	if n != len(fromWACZ) {
		t.Errorf("WACZ index.cdxj has %d lines, warcio finds %d records in its WARC files", n, len(fromWACZ))
	}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return err.Error() + ": " + string(ee.Stderr)
	}
	return err.Error()
}
