package main

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/linkvault/linkvault/internal/fakegithub"
	"github.com/linkvault/linkvault/internal/fakeswh"
)

// The repository sources of the fake web (see serveSource).
const (
	vanishCommit  = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678" // tkestack/vanish, day 1
	kstoneCommit1 = "0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5" // tkestack/kstone, days 1–2
	kstoneCommit2 = "f0e1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d" // tkestack/kstone, from day 3
)

// Tarballs of the fake repositories, the bytes get --source must give back.
var (
	vanishTarball  = fakegithub.Tarball("tkestack-vanish-a1b2c3d", map[string]string{"README.md": "# vanish\n", "main.go": "package main\n\nfunc main() {}\n"})
	kstoneTarball1 = fakegithub.Tarball("tkestack-kstone-0c1d2e3", map[string]string{"README.md": "# kstone\n"})
	kstoneTarball2 = fakegithub.Tarball("tkestack-kstone-f0e1d2c", map[string]string{"README.md": "# kstone\n\nv2\n"})
	// bigTarball is over the cap of the scripts (archive.repo_max_size: 16KB).
	bigTarball = fakegithub.Tarball("tkestack-big-9a9a9a9", map[string]string{"blob.txt": noise(64 << 10)})
)

// noise returns n hex digits that do not compress much (a SHA-256 chain).
func noise(n int) string {
	var b strings.Builder
	sum := sha256.Sum256([]byte("linkvault"))
	for b.Len() < n {
		b.WriteString(hex.EncodeToString(sum[:]))
		sum = sha256.Sum256(sum[:])
	}
	return b.String()[:n]
}

// The repository linkvault/forge on GitLab and Codeberg (one fake holds
// both).
const forgeCommit = "5555555555555555555555555555555555555555"

var forgeTarball = fakegithub.Tarball("forge-5555555", map[string]string{"README": "forge\n"})

// swhVisit is when the fake Software Heritage last visited Tencent/Caelus.
var swhVisit = time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)

// serveSource answers the repository pages and source archives of
// tkestack/vanish (alive on day 1 only), tkestack/big and the commits and
// tarballs of tkestack/kstone (a new commit from day 3), and the Software
// Heritage API (it knows Tencent/Caelus). It reports whether it answered.
func (w *fakeWeb) serveSource(rw http.ResponseWriter, r *http.Request, host string, day int) bool {
	if host == "archive.softwareheritage.org" {
		w.swh.ServeHTTP(rw, r)
		return true
	}
	if host == "github.com" && (r.URL.Path == "/tkestack/vanish" || r.URL.Path == "/tkestack/big" || r.URL.Path == "/tkestack/kstone/tree/main/docs") {
		if day >= 2 && r.URL.Path == "/tkestack/vanish" {
			http.NotFound(rw, r)
			return true
		}
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = rw.Write([]byte("<!doctype html><title>" + r.URL.Path[1:] + "</title><h1>repository</h1>"))
		return true
	}
	if page := host + r.URL.Path; page == "gitlab.com/linkvault/forge/-/tree/main/docs" || page == "codeberg.org/linkvault/forge" {
		if day >= 2 { // both vanish on day 2
			http.NotFound(rw, r)
			return true
		}
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = rw.Write([]byte("<!doctype html><title>" + host + r.URL.Path + "</title><h1>repository</h1>"))
		return true
	}
	if !w.sources.Handles(r) {
		return false
	}
	if day < 2 {
		w.sources.Set("linkvault/forge", &fakegithub.SourceRepo{Branches: map[string]string{"main": forgeCommit}, Tarballs: map[string][]byte{forgeCommit: forgeTarball}})
	} else {
		w.sources.Remove("linkvault/forge")
	}
	kstone := &fakegithub.SourceRepo{Branches: map[string]string{"main": kstoneCommit1}, Tarballs: map[string][]byte{kstoneCommit1: kstoneTarball1}}
	if day >= 3 {
		kstone = &fakegithub.SourceRepo{Branches: map[string]string{"main": kstoneCommit2}, Tarballs: map[string][]byte{kstoneCommit1: kstoneTarball1, kstoneCommit2: kstoneTarball2}}
	}
	w.sources.Set("tkestack/kstone", kstone)
	w.sources.Set("tkestack/big", &fakegithub.SourceRepo{Branches: map[string]string{"main": strings.Repeat("9a", 20)}, Tarballs: map[string][]byte{strings.Repeat("9a", 20): bigTarball}})
	if day < 2 {
		w.sources.Set("tkestack/vanish", &fakegithub.SourceRepo{Branches: map[string]string{"main": vanishCommit}, Tarballs: map[string][]byte{vanishCommit: vanishTarball}})
	} else {
		w.sources.Remove("tkestack/vanish")
	}
	w.sources.ServeHTTP(rw, r)
	return true
}

func newSourceFakes() (*fakegithub.Sources, *fakeswh.Server) {
	return fakegithub.NewSources(), fakeswh.New(map[string]time.Time{"https://github.com/Tencent/Caelus": swhVisit})
}

// warccount DIR REGEXP N: the WARC files of DIR hold N matches of REGEXP
// in all (decompressed).
func cmdWARCCount(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: warccount DIR REGEXP N")
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	want, err := strconv.Atoi(args[2])
	ts.Check(err)
	files, err := filepath.Glob(filepath.Join(ts.MkAbs(args[0]), "*.warc.gz*"))
	ts.Check(err)
	got := 0
	for _, f := range files {
		fh, err := os.Open(f)
		ts.Check(err)
		zr, err := gzip.NewReader(fh)
		ts.Check(err)
		b, err := io.ReadAll(zr)
		fh.Close()
		ts.Check(err)
		got += len(re.FindAllIndex(b, -1))
	}
	if got != want {
		ts.Fatalf("%d matches of %q in %s, want %d", got, args[1], args[0], want)
	}
}

// swhlimit N: the fake Software Heritage answers 429 once it answered N
// requests in all (0: never). swhlimit delay D: it waits D before every
// answer.
func cmdSWHLimit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: swhlimit N | swhlimit delay DURATION")
	}
	if args[0] == "delay" && len(args) == 2 {
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		fakeWebOf(ts).swh.SetDelay(d)
		return
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	fakeWebOf(ts).swh.SetLimit(n)
}

// ghapi limit N: GitHub's commits API answers N requests in all, then 403
// for its rate limit (0: no limit). ghapi requests N: it received N.
func cmdGHAPI(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: ghapi limit|requests N")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	src := fakeWebOf(ts).sources
	switch args[0] {
	case "limit":
		src.SetAPILimit(n)
	case "requests":
		if got := src.APIRequests(); got != n {
			ts.Fatalf("GitHub's commits API received %d requests, want %d", got, n)
		}
	default:
		ts.Fatalf("usage: ghapi limit|requests N")
	}
}
