package report

import (
	"fmt"
	"time"

	"github.com/linkvault/linkvault"
)

// t0 is the start of the reported run of the fixture.
var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

const (
	xssTitle   = "<script>alert(1)</script>"
	pipeURL    = "https://old.example.org/page?a=1|2&b=<x>"
	chineseMD  = "笔记/读书.md"
	chineseTxt = "中文笔记.txt"
)

// checks builds a history of n checks in runs last-n+1 … last, all with
// status st except the final one, which gets final and changed.
func checks(last uint64, n int, st linkvault.Status, code int, final linkvault.Status, finalCode int, state linkvault.State, changed bool) []linkvault.Check {
	var out []linkvault.Check
	for i := n - 1; i >= 0; i-- {
		id := last - uint64(i)
		c := linkvault.Check{RunID: id, Time: t0.Add(-time.Duration(i) * 24 * time.Hour), Status: st, HTTPStatus: code, DurationMS: 120, State: state}
		if i == 0 {
			c.Status, c.HTTPStatus, c.Changed = final, finalCode, changed
		}
		out = append(out, c)
	}
	return out
}

// fixture is a Data with every state, a Chinese file name and title, a URL
// with | and <, a hostile title, and hostile non-http URLs in Wayback and
// MovedTo.
func fixture() *Data {
	run := &linkvault.Run{
		ID: 5, Start: t0, End: t0.Add(2*time.Minute + 30*time.Second), Version: "1.2.3", Finished: true,
		Counts: map[linkvault.Status]int{linkvault.StatusOK: 3, linkvault.StatusBroken: 2, linkvault.StatusUnreachable: 2, linkvault.StatusBlocked: 1},
		States: map[linkvault.State]int{linkvault.StateDead: 2, linkvault.StateFailing: 2, linkvault.StateBlocked: 1, linkvault.StateMoved: 1, linkvault.StateAlive: 2, linkvault.StateNew: 2},
		Hosts: map[string]*linkvault.HostStats{
			"example.com":       {Requests: 2, LatencyMS: 300, Links: 1, Bad: 1},
			"flaky.example.net": {Requests: 3, Throttled: 2, LatencyMS: 900, Links: 1, Bad: 1},
			"go.dev":            {Requests: 1, LatencyMS: 80, Links: 1},
		},
		NewlyDead: 1, Recovered: 1,
	}
	runs := []linkvault.Run{
		{ID: 1, Start: t0.Add(-96 * time.Hour), States: map[linkvault.State]int{linkvault.StateAlive: 6, linkvault.StateNew: 2}},
		{ID: 2, Start: t0.Add(-72 * time.Hour), States: map[linkvault.State]int{linkvault.StateAlive: 5, linkvault.StateFailing: 2, linkvault.StateNew: 1}},
		{ID: 3, Start: t0.Add(-48 * time.Hour), States: map[linkvault.State]int{linkvault.StateAlive: 5, linkvault.StateDead: 1, linkvault.StateFailing: 2, linkvault.StateNew: 1}},
		{ID: 4, Start: t0.Add(-24 * time.Hour), States: map[linkvault.State]int{linkvault.StateAlive: 5, linkvault.StateDead: 2, linkvault.StateFailing: 1, linkvault.StateBlocked: 1, linkvault.StateNew: 1}},
		*run,
	}
	seen := t0.Add(-30 * 24 * time.Hour)
	src := func(file string, line, col int) linkvault.Source {
		return linkvault.Source{File: file, Line: line, Column: col}
	}
	entries := []Entry{
		{ // newly dead, two occurrences, archived and in the Wayback Machine
			URLRecord: linkvault.URLRecord{
				URL: "https://example.com/gone", Kind: linkvault.KindWeb, FirstSeen: seen, LastSeen: t0,
				Sources: []linkvault.Source{src("notes/a.md", 3, 5), {File: chineseMD, Line: 10, Column: 1, Text: "读书笔记"}},
				Last:    &linkvault.Result{Status: linkvault.StatusBroken, HTTPStatus: 404, Reason: "404 Not Found", Title: "示例页面 | 旧", DurationMS: 150, CheckedAt: t0.Add(time.Minute)},
				State:   linkvault.StateDead, StateSince: t0.Add(time.Minute), PrevState: linkvault.StateFailing,
				ConsecutiveBad: 2, FirstBad: t0.Add(-24 * time.Hour), LastOK: t0.Add(-48 * time.Hour), LastChecked: t0.Add(time.Minute),
				Wayback: &linkvault.Wayback{URL: "https://web.archive.org/web/20260101000000/https://example.com/gone", CheckedAt: t0.Add(time.Minute)},
			},
			Checks:      checks(5, 5, linkvault.StatusOK, 200, linkvault.StatusBroken, 404, linkvault.StateDead, true),
			Captures:    []linkvault.Capture{{URL: "https://example.com/gone", Time: t0.Add(-48 * time.Hour), File: "linkvault-00001.warc.gz", Offset: 0, Length: 900, Digest: "sha256:abc", HTTPStatus: 200, ContentType: "text/html", Title: "示例页面", Size: 2048}},
			ArchivePath: "archive/example.com/gone.html",
		},
		{ // dead before the run; URL with | and <; hostile title; javascript: Wayback URL
			URLRecord: linkvault.URLRecord{
				URL: pipeURL, Kind: linkvault.KindWeb, FirstSeen: seen, LastSeen: t0,
				Sources: []linkvault.Source{src("notes/b.md", 7, 12)},
				Last:    &linkvault.Result{Status: linkvault.StatusUnreachable, Reason: "connection refused", Error: "dial tcp: connection refused", Title: xssTitle, DurationMS: 20},
				State:   linkvault.StateDead, StateSince: t0.Add(-48 * time.Hour), PrevState: linkvault.StateFailing, ConsecutiveBad: 4,
				Wayback: &linkvault.Wayback{URL: "javascript:alert(3)", CheckedAt: t0},
			},
			Checks: checks(5, 4, linkvault.StatusUnreachable, 0, linkvault.StatusUnreachable, 0, linkvault.StateDead, false),
		},
		{ // newly failing
			URLRecord: linkvault.URLRecord{
				URL: "https://flaky.example.net/", Kind: linkvault.KindWeb, FirstSeen: seen, LastSeen: t0,
				Sources: []linkvault.Source{src("notes/a.md", 20, 1)},
				Last:    &linkvault.Result{Status: linkvault.StatusBroken, HTTPStatus: 503, Reason: "503 Service Unavailable", DurationMS: 300},
				State:   linkvault.StateFailing, StateSince: t0.Add(time.Minute), PrevState: linkvault.StateAlive, ConsecutiveBad: 1, LastOK: t0.Add(-24 * time.Hour),
			},
			Checks: checks(5, 3, linkvault.StatusOK, 200, linkvault.StatusBroken, 503, linkvault.StateFailing, true),
		},
		{ // failing for a while
			URLRecord: linkvault.URLRecord{
				URL: "https://slow.example.net/x", Kind: linkvault.KindWeb, FirstSeen: seen, LastSeen: t0,
				Sources: []linkvault.Source{src(chineseTxt, 2, 8)},
				Last:    &linkvault.Result{Status: linkvault.StatusUnreachable, Reason: "timeout", DurationMS: 10000},
				State:   linkvault.StateFailing, StateSince: t0.Add(-20 * time.Hour), PrevState: linkvault.StateAlive, ConsecutiveBad: 2,
			},
			Checks: checks(5, 2, linkvault.StatusUnreachable, 0, linkvault.StatusUnreachable, 0, linkvault.StateFailing, false),
		},
		{ // blocked
			URLRecord: linkvault.URLRecord{
				URL: "https://www.linkedin.com/in/someone", Kind: linkvault.KindWeb, FirstSeen: seen, LastSeen: t0,
				Sources: []linkvault.Source{src("notes/b.md", 1, 1)},
				Last:    &linkvault.Result{Status: linkvault.StatusBlocked, HTTPStatus: 999, Reason: "999 Request denied", DurationMS: 90},
				State:   linkvault.StateBlocked, StateSince: t0.Add(-24 * time.Hour),
			},
			Checks: checks(5, 2, linkvault.StatusBlocked, 999, linkvault.StatusBlocked, 999, linkvault.StateBlocked, false),
		},
		{ // newly moved
			URLRecord: linkvault.URLRecord{
				URL: "http://github.com/old/repo", Kind: linkvault.KindWeb, FirstSeen: seen, LastSeen: t0,
				Sources: []linkvault.Source{src("notes/a.md", 30, 3)},
				Last: &linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, Reason: "200 OK", MovedTo: "https://github.com/new/repo",
					Redirects: []linkvault.Redirect{{Status: 301, URL: "http://github.com/old/repo"}}, FinalURL: "https://github.com/new/repo", DurationMS: 200},
				State: linkvault.StateMoved, StateSince: t0.Add(time.Minute), PrevState: linkvault.StateAlive, LastOK: t0.Add(time.Minute),
			},
			Checks: checks(5, 3, linkvault.StatusOK, 200, linkvault.StatusOK, 200, linkvault.StateMoved, true),
		},
		{ // moved a while ago with a hostile target
			URLRecord: linkvault.URLRecord{
				URL: "https://moved.example.com/", Kind: linkvault.KindWeb, FirstSeen: seen, LastSeen: t0,
				Sources: []linkvault.Source{src("notes/c.md", 4, 2)},
				Last:    &linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, MovedTo: "javascript:alert(2)", DurationMS: 40},
				State:   linkvault.StateMoved, StateSince: t0.Add(-72 * time.Hour), PrevState: linkvault.StateAlive,
			},
		},
		{ // recovered
			URLRecord: linkvault.URLRecord{
				URL: "https://back.example.com/", Kind: linkvault.KindWeb, FirstSeen: seen, LastSeen: t0,
				Sources: []linkvault.Source{src("notes/c.md", 9, 1)},
				Last:    &linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, Reason: "200 OK", Title: "Back again", DurationMS: 60},
				State:   linkvault.StateAlive, StateSince: t0.Add(time.Minute), PrevState: linkvault.StateDead, LastOK: t0.Add(time.Minute),
			},
			Checks: checks(5, 4, linkvault.StatusBroken, 500, linkvault.StatusOK, 200, linkvault.StateAlive, true),
		},
		{ // alive, Chinese title
			URLRecord: linkvault.URLRecord{
				URL: "https://go.dev/doc/", Kind: linkvault.KindWeb, FirstSeen: seen, LastSeen: t0,
				Sources: []linkvault.Source{src(chineseTxt, 1, 4), src("notes/a.md", 40, 1)},
				Last:    &linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, Reason: "200 OK", Title: "文档 - Go 编程语言", DurationMS: 80},
				State:   linkvault.StateAlive, StateSince: seen, LastOK: t0.Add(time.Minute),
			},
			Checks: checks(5, 5, linkvault.StatusOK, 200, linkvault.StatusOK, 200, linkvault.StateAlive, false),
		},
		{ // soft 404 found by the probe: the report offers the copy from before
			URLRecord: linkvault.URLRecord{
				URL: "https://blog.example.org/2019/05/kubecon-notes", Kind: linkvault.KindWeb, FirstSeen: seen, LastSeen: t0,
				Sources: []linkvault.Source{src("notes/d.md", 5, 1)},
				Last: &linkvault.Result{Status: linkvault.StatusSoft404, HTTPStatus: 200, SoftNotFound: true,
					Evidence: []string{linkvault.EvidenceProbeSimilar, linkvault.EvidenceGoneText},
					Reason:   "soft 404: says “page not found”; same page as a random path (simhash distance 1)", Title: "Page not found", DurationMS: 70},
				State: linkvault.StateFailing, StateSince: t0.Add(time.Minute), PrevState: linkvault.StateAlive, ConsecutiveBad: 1,
				FirstBad: t0.Add(time.Minute), LastOK: t0.Add(-24 * time.Hour),
			},
			Checks: checks(5, 3, linkvault.StatusOK, 200, linkvault.StatusSoft404, 200, linkvault.StateFailing, true),
			Captures: []linkvault.Capture{
				{URL: "https://blog.example.org/2019/05/kubecon-notes", Time: t0.Add(-24*time.Hour - time.Second), File: "linkvault-00001.warc.gz", Offset: 900, Length: 700, Digest: "sha256:def", HTTPStatus: 200, ContentType: "text/html", Title: "KubeCon notes", Size: 4096},
				{URL: "https://blog.example.org/2019/05/kubecon-notes", Time: t0.Add(30 * time.Second), File: "linkvault-00001.warc.gz", Offset: 1600, Length: 300, Digest: "sha256:404", HTTPStatus: 200, ContentType: "text/html", Title: "Page not found", Size: 512},
			},
		},
		{ // changed content: alive, but not what was cited
			URLRecord: linkvault.URLRecord{
				URL: "https://docs.example.io/guide", Kind: linkvault.KindWeb, FirstSeen: seen, LastSeen: t0,
				Sources: []linkvault.Source{src("notes/c.md", 20, 3)},
				Last:    &linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, Reason: "200 OK", Title: "Pricing", TextHash: 0xffff0000ffff0000, DurationMS: 90},
				State:   linkvault.StateChanged, StateSince: t0.Add(-24 * time.Hour), PrevState: linkvault.StateAlive, LastOK: t0.Add(time.Minute),
				Cited: 0x0123456789abcdef, LastMatch: t0.Add(-48 * time.Hour), ChangedSince: t0.Add(-24 * time.Hour),
			},
			Checks: checks(5, 3, linkvault.StatusOK, 200, linkvault.StatusOK, 200, linkvault.StateChanged, false),
			Captures: []linkvault.Capture{
				{URL: "https://docs.example.io/guide", Time: t0.Add(-48 * time.Hour), File: "linkvault-00001.warc.gz", Offset: 1900, Length: 800, Digest: "sha256:aaa", HTTPStatus: 200, ContentType: "text/html", Title: "Install guide", TextHash: 0x0123456789abcdef, Size: 5000},
				{URL: "https://docs.example.io/guide", Time: t0.Add(-24 * time.Hour), File: "linkvault-00001.warc.gz", Offset: 2700, Length: 800, Digest: "sha256:bbb", HTTPStatus: 200, ContentType: "text/html", Title: "Pricing", TextHash: 0xffff0000ffff0000, Size: 5100},
			},
		},
		{ // fragment missing: the page answers, #install is gone, #usage is still there
			URLRecord: linkvault.URLRecord{
				URL: "https://tool.example.dev/readme", Kind: linkvault.KindWeb, FirstSeen: seen, LastSeen: t0,
				Sources: []linkvault.Source{{File: "notes/c.md", Line: 30, Column: 1, Fragment: "install"}, {File: "notes/a.md", Line: 50, Column: 2, Fragment: "usage"}},
				Last:    &linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, Reason: "200 OK", Title: "Tool", DurationMS: 50, MissingFragments: []string{"install"}},
				State:   linkvault.StateFragmentMissing, StateSince: t0.Add(time.Minute), PrevState: linkvault.StateAlive, LastOK: t0.Add(time.Minute), LastChecked: t0.Add(time.Minute),
			},
			Checks: checks(5, 2, linkvault.StatusOK, 200, linkvault.StatusOK, 200, linkvault.StateFragmentMissing, true),
		},
		{ // new, never checked
			URLRecord: linkvault.URLRecord{
				URL: "https://never.example.com/", Kind: linkvault.KindWeb, FirstSeen: t0, LastSeen: t0,
				Sources: []linkvault.Source{src("notes/c.md", 12, 7)},
				State:   linkvault.StateNew, StateSince: t0,
			},
		},
		{ // other kind, never fetched
			URLRecord: linkvault.URLRecord{
				URL: "mailto:someone@example.com", Kind: linkvault.KindOther, FirstSeen: seen, LastSeen: t0,
				Sources: []linkvault.Source{src("notes/c.md", 15, 1)},
				State:   linkvault.StateNew, StateSince: seen,
			},
		},
		{ // gone
			URLRecord: linkvault.URLRecord{
				URL: "https://removed.example.com/", Kind: linkvault.KindWeb, FirstSeen: seen, LastSeen: t0.Add(-48 * time.Hour),
				Sources: []linkvault.Source{src("notes/old.md", 1, 1)},
				State:   linkvault.StateGone, StateSince: t0.Add(-24 * time.Hour), PrevState: linkvault.StateAlive,
			},
		},
	}
	// Every checked link was verified by the run, but the one moved a
	// while ago, which the run did not reach (a budgeted night).
	for i := range entries {
		e := &entries[i]
		switch {
		case e.Last == nil:
		case e.URL == "https://moved.example.com/":
			e.LastChecked = t0.Add(-72 * time.Hour)
		default:
			e.LastChecked = t0.Add(time.Minute)
		}
	}
	return &Data{
		Version:     "1.2.3",
		GeneratedAt: t0.Add(3 * time.Minute),
		Run:         run,
		Runs:        runs,
		Entries:     entries,
		RepoURL:     "https://github.com/o/r/blob/main/",
		Policy:      linkvault.DefaultPolicy(),
	}
}

// generated builds a Data of n links over a few hundred hosts and files,
// with 30 checks each, for size tests and benchmarks.
func generated(n int) *Data {
	d := fixture()
	d.Run.ID = 40
	d.Runs[len(d.Runs)-1].ID = 40
	d.Entries = d.Entries[:0]
	states := []linkvault.State{linkvault.StateAlive, linkvault.StateAlive, linkvault.StateAlive, linkvault.StateAlive,
		linkvault.StateAlive, linkvault.StateAlive, linkvault.StateDead, linkvault.StateFailing, linkvault.StateBlocked, linkvault.StateMoved}
	for i := range n {
		st := states[i%len(states)]
		status, code := linkvault.StatusOK, 200
		switch st {
		case linkvault.StateDead, linkvault.StateFailing:
			status, code = linkvault.StatusBroken, 404
		case linkvault.StateBlocked:
			status, code = linkvault.StatusBlocked, 403
		}
		e := Entry{
			URLRecord: linkvault.URLRecord{
				URL:     fmt.Sprintf("https://host%d.example.com/section/%d/article-%d.html", i%300, i%17, i),
				Kind:    linkvault.KindWeb,
				Sources: []linkvault.Source{{File: fmt.Sprintf("notes/topic-%d/笔记-%d.md", i%40, i%400), Line: 1 + i%200, Column: 1 + i%30}},
				Last: &linkvault.Result{Status: status, HTTPStatus: code, Reason: fmt.Sprintf("%d %s", code, "Status"),
					Title: fmt.Sprintf("Article %d — 一个标题", i), DurationMS: int64(50 + i%400)},
				State: st, StateSince: t0.Add(-time.Duration(i%500) * time.Hour), ConsecutiveBad: i % 3,
				FirstSeen: t0.Add(-1000 * time.Hour), LastSeen: t0,
			},
			Checks: checks(40, 30, linkvault.StatusOK, 200, status, code, st, i%50 == 0),
		}
		if st == linkvault.StateDead {
			e.ArchivePath = fmt.Sprintf("archive/host%d/%d.html", i%300, i)
			e.Wayback = &linkvault.Wayback{URL: "https://web.archive.org/web/2025/" + e.URL}
		}
		d.Entries = append(d.Entries, e)
	}
	return d
}
