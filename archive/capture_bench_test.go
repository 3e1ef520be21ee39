package archive

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

// BenchmarkCapture measures capture throughput (MB/s of payload into WARC)
// for incompressible and for HTML-like bodies.
func BenchmarkCapture(b *testing.B) {
	for _, bc := range []struct {
		name string
		body []byte
	}{
		{"random-1MiB", randomBytes(1, 1<<20)},
		{"html-256KiB", bytes.Repeat([]byte(`<p>链接 <a href="https://example.com/x">x</a></p>`+"\n"), 256<<10/56)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			env := newCaptureEnv(b, ArchiverOptions{})
			b.SetBytes(int64(len(bc.body)))
			i := 0
			for b.Loop() {
				// A distinct URL each time: full captures, no revisits.
				mustCapture(b, env.a, newExchange("https://example.com/"+strconv.Itoa(i), day1, "text/html", bc.body))
				i++
			}
		})
	}
}

// BenchmarkCaptureLargeBody captures a 50 MB streamed body and reports the
// peak heap in use and the peak resident set above the baseline.
func BenchmarkCaptureLargeBody(b *testing.B) {
	const size = 50 << 20
	env := newCaptureEnv(b, ArchiverOptions{})
	mustCapture(b, env.a, newExchange("https://example.com/warm", day1, "text/plain", []byte("warm")))
	var peakHeap, peakRSS uint64
	b.SetBytes(size)
	i := 0
	for b.Loop() {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		baseHeap := ms.HeapInuse
		resetPeakRSS()
		baseRSS := rss("VmRSS")
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var heap atomic.Uint64
		wg.Go(func() {
			t := time.NewTicker(2 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					if ms.HeapInuse > baseHeap && ms.HeapInuse-baseHeap > heap.Load() {
						heap.Store(ms.HeapInuse - baseHeap)
					}
				}
			}
		})
		ex := newExchange("https://example.com/big/"+strconv.Itoa(i), day1, "application/octet-stream", nil)
		ex.Body, ex.Size = newPatternReader(size), size
		mustCapture(b, env.a, ex)
		close(stop)
		wg.Wait()
		peakHeap = max(peakHeap, heap.Load())
		if hwm := rss("VmHWM"); hwm > baseRSS {
			peakRSS = max(peakRSS, hwm-baseRSS)
		}
		i++
	}
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peakRSS)/(1<<20), "peak-rss-MiB")
}

// rss returns a /proc/self/status value in bytes (0 where there is none).
func rss(field string) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// resetPeakRSS resets VmHWM to the current RSS (Linux).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// BenchmarkRevisitGrowth reports how much the archive grows when a URL is
// captured again with an unchanged body.
func BenchmarkRevisitGrowth(b *testing.B) {
	env := newCaptureEnv(b, ArchiverOptions{})
	body := randomBytes(2, 200<<10)
	const u = "https://example.com/unchanged.pdf"
	mustCapture(b, env.a, newExchange(u, day1, "application/pdf", body))
	before := dirSize(b, env.dir)
	n := 0
	for b.Loop() {
		n++
		c := mustCapture(b, env.a, newExchange(u, day1.Add(time.Duration(n)*time.Hour), "application/pdf", body))
		if !c.Revisit {
			b.Fatal("not a revisit")
		}
	}
	b.ReportMetric(float64(dirSize(b, env.dir)-before)/float64(n), "archive-B/capture")
}

// BenchmarkCaptureAtOpenPayload looks up a capture by time in an index of
// 10,000 captures (1,000 URLs × 10) and reads its whole payload.
func BenchmarkCaptureAtOpenPayload(b *testing.B) {
	env := newCaptureEnv(b, ArchiverOptions{})
	const urls, per = 1000, 10
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for u := w; u < urls; u += 4 {
				for k := range per {
					body := []byte(strings.Repeat("version "+strconv.Itoa(k)+" of page "+strconv.Itoa(u)+"\n", 100))
					ex := newExchange("https://example.com/page/"+strconv.Itoa(u), day1.Add(time.Duration(k)*24*time.Hour), "text/html", body)
					if _, err := env.a.Capture(context.Background(), ex); err != nil {
						b.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	r := rand.New(rand.NewPCG(1, 2))
	var c linkvault.Capture
	var err error
	for b.Loop() {
		u := "https://example.com/page/" + strconv.Itoa(r.IntN(urls))
		c, err = env.db.CaptureAt(u, day1.Add(time.Duration(r.IntN(per*24))*time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		rc, _, err := OpenPayload(env.dir, c)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			b.Fatal(err)
		}
		rc.Close()
	}
}
