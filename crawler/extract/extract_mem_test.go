package extract

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// extractMemEnv, when set in the environment of the test binary, makes it
// extract the notes under the directory it names and exit at once (see
// init): BenchmarkExtract50MB runs extraction in such a child process to
// read its peak RSS alone, which a benchmark sharing a process with other
// tests cannot. The child prints the links and sources found and the peak
// of its live heap (what each garbage collection kept; the RSS peaks near
// twice that under the default GOGC=100).
const extractMemEnv = "LINKVAULT_EXTRACT_MEM_CHILD"

// extractMemProfileEnv, when set too, names a file the child writes a heap
// profile to once extraction is done (go tool pprof -sample_index
// inuse_space): what the links returned hold.
const extractMemProfileEnv = "LINKVAULT_EXTRACT_MEM_PROFILE"

// extractMemLimitEnv, when set too, is the soft memory limit of the child
// in MB, as check.memory_limit sets it for the command.
const extractMemLimitEnv = "LINKVAULT_EXTRACT_MEM_LIMIT"

func init() {
	dir := os.Getenv(extractMemEnv)
	if dir == "" {
		return
	}
	// The peak of the live heap (what the last GC kept), sampled.
	var peakLive atomic.Uint64
	done := make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peakLive.Load() {
				peakLive.Store(v)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	if limit := os.Getenv(extractMemLimitEnv); limit != "" {
		// As check.memory_limit does for the command (MB).
		if mb, err := strconv.Atoi(limit); err == nil {
			debug.SetMemoryLimit(int64(mb) << 20)
		}
	}
	links, err := Files(context.Background(), []string{dir}, Options{})
	runtime.GC() // the links themselves are live
	if name := os.Getenv(extractMemProfileEnv); name != "" {
		// What the result holds: a heap profile of the live links.
		if f, err := os.Create(name); err == nil {
			pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	close(done)
	sources := 0
	for _, l := range links {
		sources += len(l.Sources)
	}
	fmt.Printf("links=%d sources=%d peakLiveHeap-MB=%d\n", len(links), sources, peakLive.Load()>>20)
	runtime.KeepAlive(links)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// writeNotes writes about size bytes of notes in the given extension
// under dir, in files of about perFile bytes (one file when perFile >=
// size): Chinese and English prose, headings, lists of links, bare URLs,
// reference links, images and code blocks, with URLs drawn from a pool of
// 400,000, so that most links are unique and some occur several times.
func writeNotes(tb testing.TB, dir, ext string, size, perFile int) {
	tb.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	n := 0
	flush := func() {
		name := filepath.Join(dir, fmt.Sprintf("sub%02d", n%16), fmt.Sprintf("note%04d%s", n, ext))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
			tb.Fatal(err)
		}
		b.Reset()
		n++
	}
	url := func() string {
		k := r.IntN(400000)
		return fmt.Sprintf("https://site%d.example/docs/%d/page-%d.html", k%700, k/700, k)
	}
	total := 0
	for total < size {
		start := b.Len()
		switch i := r.IntN(10); {
		case i == 0:
			fmt.Fprintf(&b, "## 第%d节 Section %d\n\n", r.IntN(100), r.IntN(1000))
		case i < 4:
			for range 3 + r.IntN(5) {
				fmt.Fprintf(&b, "- [项目 %d](%s) — 一个用于云原生的工具，详见%s。\n", r.IntN(9999), url(), url())
			}
			b.WriteString("\n")
		case i < 7:
			fmt.Fprintf(&b, "这是一段关于 Kubernetes 和 etcd 的笔记，讲到了备份与恢复（见%s），"+
				"and some English text about the release notes at %s for details. "+
				"参考[官方文档][ref%d]和**重点** _emphasis_ `inline code`。\n\n", url(), url(), r.IntN(50))
		case i == 7:
			fmt.Fprintf(&b, "[ref%d]: %s\n\n", r.IntN(50), url())
		case i == 8:
			fmt.Fprintf(&b, "![图 %d](%s)\n\n", r.IntN(99), url())
		default:
			fmt.Fprintf(&b, "```sh\ncurl -sSL %s | sh\n```\n\n", url())
		}
		total += b.Len() - start
		if b.Len() >= perFile {
			flush()
		}
	}
	if b.Len() > 0 {
		flush()
	}
}

// BenchmarkExtract50MB extracts 50 MB of notes — 500 files of 100 KB, or
// one file of 50 MB; Markdown or plain text — in a child process and
// reports its peak RSS (getrusage maxrss) and the links found.
func BenchmarkExtract50MB(b *testing.B) {
	const size = 50 << 20
	for _, tc := range []struct {
		name    string
		ext     string
		perFile int
	}{
		{"md-files", ".md", 100 << 10},
		{"md-one", ".md", size},
		{"txt-files", ".txt", 100 << 10},
		{"txt-one", ".txt", size},
	} {
		b.Run(tc.name, func(b *testing.B) {
			dir := b.TempDir()
			writeNotes(b, dir, tc.ext, size, tc.perFile)
			b.SetBytes(size)
			var peak int64
			var out []byte
			for b.Loop() {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), extractMemEnv+"="+dir)
				var err error
				out, err = cmd.Output()
				if err != nil {
					b.Fatalf("child: %v\n%s", err, out)
				}
				ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				if !ok {
					b.Skip("no rusage on this system")
				}
				peak = max(peak, ru.Maxrss<<10) // KB on Linux
			}
			b.ReportMetric(float64(peak)/(1<<20), "peakRSS-MB")
			for _, f := range strings.Fields(string(out)) {
				if k, v, ok := strings.Cut(f, "="); ok {
					if n, err := strconv.Atoi(v); err == nil {
						b.ReportMetric(float64(n), k)
					}
				}
			}
		})
	}
}
