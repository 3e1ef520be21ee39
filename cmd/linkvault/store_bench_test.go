package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkvault/linkvault/internal/s3test"
)

// BenchmarkCheckStore times one `linkvault check` of 300 links to pages
// of 40 KB on loopback (5 ms latency each), archiving every page, with the
// WARC store in a local directory and in a bucket of SeaweedFS on
// loopback (upload at the end of the run included). Each iteration is a
// first night: an empty database, every page archived.
func BenchmarkCheckStore(b *testing.B) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond)
		rng := rand.New(rand.NewPCG(uint64(len(r.URL.Path)), uint64(r.URL.Path[len(r.URL.Path)-1])))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><head><title>%s</title></head><body><p>", r.URL.Path)
		words := []string{"link", "vault", "archive", "note", "page", "copy", "web", "dead", "alive"}
		for n := 0; n < 40<<10; {
			s := words[rng.IntN(len(words))] + " "
			n += len(s)
			fmt.Fprint(w, s)
		}
		fmt.Fprint(w, "</p></body></html>")
	}))
	defer web.Close()
	var note strings.Builder
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&note, "- %s/page/%d\n", web.URL, i)
	}

	srv := s3test.Shared(b)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		b.Setenv(k, v)
	}
	bucket, err := srv.NewBucket("bench-check")
	if err != nil {
		b.Fatal(err)
	}
	for _, store := range []string{"", "s3://" + bucket + "/bench"} {
		name := "local"
		if store != "" {
			name = "s3"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				dir := b.TempDir()
				notePath := filepath.Join(dir, "notes.md")
				if err := os.WriteFile(notePath, []byte(note.String()), 0o644); err != nil {
					b.Fatal(err)
				}
				cfg := "check:\n  retries: 0\n  rate: 1000\n  burst: 100\n  host_concurrency: 16\nwayback: false\n"
				cfgFile := filepath.Join(dir, "config.yaml")
				if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
					b.Fatal(err)
				}
				var stderr bytes.Buffer
				g := &globalOptions{ConfigFile: cfgFile, DBFile: filepath.Join(dir, "linkvault.db"), Store: store,
					Quiet: true, stdout: &bytes.Buffer{}, stderr: &stderr}
				opts := CheckOptions{Format: "json", AllowPrivate: true, Budget: -1, FailOn: "never"}
				b.StartTimer()
				if err := runCheck(context.Background(), g, opts, []string{notePath}); err != nil {
					b.Fatalf("check: %v\n%s", err, stderr.String())
				}
			}
		})
	}
}
