package report

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

// heapProbe is a writer that measures the live heap (after a collection)
// once, when it has been given half of want bytes.
type heapProbe struct {
	n, at int
	live  uint64
}

func (p *heapProbe) Write(b []byte) (int, error) {
	p.n += len(b)
	if p.live == 0 && p.n >= p.at {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		p.live = ms.HeapAlloc
	}
	return len(b), nil
}

// TestJSONLinksOneAtATime: the JSON report converts each link as it
// writes it, so writing the report of 20,000 links holds no copy of them
// all (it held 26 MB at 40,000 links of a budgeted night, issue 13).
func TestJSONLinksOneAtATime(t *testing.T) {
	const n = 20_000
	t0 := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	d := &Data{Version: "test", GeneratedAt: t0, Run: &linkvault.Run{ID: 3, Start: t0}}
	for i := range n {
		u := fmt.Sprintf("https://host%d.example/posts/%d", i%500, i)
		e := Entry{URLRecord: linkvault.URLRecord{URL: u, Kind: linkvault.KindWeb, State: linkvault.StateAlive,
			FirstSeen: t0, LastSeen: t0, LastChecked: t0,
			Last: &linkvault.Result{URL: u, Status: linkvault.StatusOK, HTTPStatus: 200, CheckedAt: t0}}}
		e.Sources = []linkvault.Source{{File: "notes/周报.md", Line: i + 1, Column: 3}}
		for r := range 5 {
			e.Checks = append(e.Checks, linkvault.Check{RunID: uint64(r + 1), Time: t0, Status: linkvault.StatusOK, HTTPStatus: 200})
		}
		d.Entries = append(d.Entries, e)
	}
	// Size the report, then write it again and look at the heap halfway.
	var size heapProbe
	size.at = 1 << 62
	if err := writeJSON(&size, d); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	p := &heapProbe{at: size.n / 2}
	if err := writeJSON(p, d); err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(d) // the entries stay: what is measured is what writing adds
	grown := int64(p.live) - int64(before.HeapAlloc)
	t.Logf("report of %d links: %d KB; heap halfway through writing it: %+d KB", n, size.n>>10, grown>>10)
	if grown > 2<<20 {
		t.Errorf("writing the JSON report of %d links holds %d KB more heap halfway through; want under 2 MB (no copy of every link)", n, grown>>10)
	}
}
