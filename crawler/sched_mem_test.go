package crawler

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/linkvault/linkvault"
)

// TestWaitingLinkSmall checks what a link costs while it waits in its
// host's queue: a few bytes, its job (about 300 bytes, and its parsed URL
// 144 more) being made only when its check starts. A run admits all its
// links at once: with 100,000 links over 20,000 hosts
// (BenchmarkCheckMemory) the jobs of the links waiting were most of the
// live heap.
func TestWaitingLinkSmall(t *testing.T) {
	c, err := NewChecker(Options{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 20000
	targets := make([]Target, n)
	for i := range targets {
		targets[i].URL = fmt.Sprintf("http://h%d.test/page/%d", i%10, i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := c.newRun(context.Background(), targets, func(linkvault.Result) {})
	r.admitAll()
	runtime.GC()
	runtime.ReadMemStats(&after)
	queued := 0
	for _, h := range r.hosts {
		queued += h.queued()
	}
	runtime.KeepAlive(r)
	if queued != n {
		t.Fatalf("%d links queued, want %d", queued, n)
	}
	if per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n; per > 32 {
		t.Errorf("a waiting link takes %d bytes of heap, want at most 32", per)
	}
}
