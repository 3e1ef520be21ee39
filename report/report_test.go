package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

func urls(es []*Entry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.URL)
	}
	return out
}

func TestSummarize(t *testing.T) {
	s := summarize(fixture())
	wantStates := map[linkvault.State]int{
		linkvault.StateDead: 2, linkvault.StateFailing: 3, linkvault.StateChanged: 1, linkvault.StateBlocked: 1, linkvault.StateMoved: 2,
		linkvault.StateFragmentMissing: 1, linkvault.StateAlive: 2, linkvault.StateNew: 2, linkvault.StateGone: 1,
	}
	for _, st := range linkvault.States {
		if s.States[st] != wantStates[st] {
			t.Errorf("States[%s] = %d, want %d", st, s.States[st], wantStates[st])
		}
	}
	wantStatuses := map[linkvault.Status]int{linkvault.StatusOK: 6, linkvault.StatusSoft404: 1, linkvault.StatusBroken: 2, linkvault.StatusUnreachable: 2, linkvault.StatusBlocked: 1}
	for _, st := range linkvault.Statuses {
		if s.Statuses[st] != wantStatuses[st] {
			t.Errorf("Statuses[%s] = %d, want %d", st, s.Statuses[st], wantStatuses[st])
		}
	}
	lists := []struct {
		name string
		got  []*Entry
		want []string
	}{
		{"NewlyDead", s.NewlyDead, []string{"https://example.com/gone"}},
		{"StillDead", s.StillDead, []string{pipeURL}},
		{"Recovered", s.Recovered, []string{"https://back.example.com/"}},
		{"NewlyMoved", s.NewlyMoved, []string{"http://github.com/old/repo"}},
		{"NewlyFailing", s.NewlyFailing, []string{"https://blog.example.org/2019/05/kubecon-notes", "https://flaky.example.net/"}},
		{"Failing", s.Failing, []string{"https://blog.example.org/2019/05/kubecon-notes", "https://flaky.example.net/", "https://slow.example.net/x"}},
		{"Blocked", s.Blocked, []string{"https://www.linkedin.com/in/someone"}},
		{"Changed", s.Changed, []string{"https://docs.example.io/guide"}},
		{"FragmentMissing", s.FragmentMissing, []string{"https://tool.example.dev/readme"}},
	}
	for _, l := range lists {
		if got := urls(l.got); !slices.Equal(got, l.want) {
			t.Errorf("%s = %q, want %q", l.name, got, l.want)
		}
	}
	hosts := map[string]hostRow{}
	for _, h := range s.Hosts {
		hosts[h.Host] = h
	}
	if _, ok := hosts["removed.example.com"]; ok {
		t.Error("a gone link's host is in the host table")
	}
	if _, ok := hosts[""]; ok {
		t.Error("a non-web link gave a host row")
	}
	wantHosts := []hostRow{
		{Host: "example.com", Links: 1, Dead: 1, Requests: 2, MeanLatency: 150 * time.Millisecond},
		{Host: "flaky.example.net", Links: 1, Throttled: 2, Requests: 3, MeanLatency: 300 * time.Millisecond},
		{Host: "www.linkedin.com", Links: 1, Blocked: 1, MeanLatency: 90 * time.Millisecond}, // no run stats: from the last check
	}
	for _, w := range wantHosts {
		if got := hosts[w.Host]; got != w {
			t.Errorf("host %s = %+v, want %+v", w.Host, got, w)
		}
	}
	if s.Hosts[0].Dead == 0 || s.Hosts[len(s.Hosts)-1].Dead != 0 {
		t.Errorf("hosts not ordered most dead first: %+v", s.Hosts)
	}
}

func TestChanged(t *testing.T) {
	run := &linkvault.Run{ID: 7, Start: t0, End: t0.Add(time.Hour)}
	tests := []struct {
		name string
		e    Entry
		run  *linkvault.Run
		want bool
	}{
		{"no run", Entry{URLRecord: linkvault.URLRecord{StateSince: t0}}, nil, false},
		{"check of the run changed", Entry{Checks: []linkvault.Check{{RunID: 7, Changed: true}}}, run, true},
		{"check of the run unchanged wins over since", Entry{URLRecord: linkvault.URLRecord{StateSince: t0.Add(time.Minute)}, Checks: []linkvault.Check{{RunID: 7}}}, run, false},
		{"change in an earlier run", Entry{Checks: []linkvault.Check{{RunID: 6, Changed: true}, {RunID: 7}}}, run, false},
		{"since within the run", Entry{URLRecord: linkvault.URLRecord{StateSince: t0.Add(time.Minute)}}, run, true},
		{"since at the start", Entry{URLRecord: linkvault.URLRecord{StateSince: t0}}, run, true},
		{"since before the run", Entry{URLRecord: linkvault.URLRecord{StateSince: t0.Add(-time.Second)}}, run, false},
		{"since after the run", Entry{URLRecord: linkvault.URLRecord{StateSince: t0.Add(2 * time.Hour)}}, run, false},
		{"since, run without end", Entry{URLRecord: linkvault.URLRecord{StateSince: t0.Add(2 * time.Hour)}}, &linkvault.Run{ID: 7, Start: t0}, true},
		{"zero since", Entry{}, run, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Changed(&tt.e, tt.run); got != tt.want {
				t.Errorf("Changed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestVisible(t *testing.T) {
	d := fixture()
	var got []linkvault.State
	for _, e := range visible(d) {
		got = append(got, e.State)
	}
	want := []linkvault.State{"dead", "dead", "failing", "failing", "failing", "changed", "fragment_missing", "blocked", "moved", "moved", "alive", "alive", "new", "new"}
	if !slices.Equal(got, want) {
		t.Errorf("states in report order = %v, want %v", got, want)
	}
	d.ShowGone = true
	vis := visible(d)
	if last := vis[len(vis)-1]; last.State != linkvault.StateGone {
		t.Errorf("with ShowGone the last entry is %s, want the gone one", last.State)
	}
}

func TestRender(t *testing.T) {
	for _, f := range Formats() {
		t.Run(f, func(t *testing.T) {
			var b bytes.Buffer
			if err := Render(&b, f, fixture()); err != nil {
				t.Fatal(err)
			}
			if b.Len() == 0 {
				t.Error("empty output")
			}
		})
	}
	err := Render(&bytes.Buffer{}, "yaml", fixture())
	if err == nil {
		t.Fatal("unknown format accepted")
	}
	if linkvault.ErrorCode(err) != linkvault.EInvalid {
		t.Errorf("error code = %q, want %q", linkvault.ErrorCode(err), linkvault.EInvalid)
	}
	for _, f := range Formats() {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not list %q", err, f)
		}
	}
}

// TestEmpty renders every format for a database without any run or link.
func TestEmpty(t *testing.T) {
	for _, f := range Formats() {
		t.Run(f, func(t *testing.T) {
			var b bytes.Buffer
			if err := Render(&b, f, &Data{Version: "dev", GeneratedAt: t0}); err != nil {
				t.Fatal(err)
			}
		})
	}
	var b bytes.Buffer
	if err := writeJSON(&b, &Data{}); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["run"] != nil {
		t.Errorf("run = %v, want null", got["run"])
	}
	if links, ok := got["links"].([]any); !ok || len(links) != 0 {
		t.Errorf("links = %#v, want []", got["links"])
	}
}

// TestJSONExtendsLinkJSON checks the contract: a link of the report
// decodes as a linkvault.Link (url, kind, sources) unchanged.
func TestJSONExtendsLinkJSON(t *testing.T) {
	d := fixture()
	var b bytes.Buffer
	if err := writeJSON(&b, d); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		SchemaVersion int              `json:"schema_version"`
		Links         []linkvault.Link `json:"links"`
	}
	if err := json.Unmarshal(b.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.SchemaVersion != SchemaVersion {
		t.Errorf("schema_version = %d, want %d", rep.SchemaVersion, SchemaVersion)
	}
	vis := visible(d)
	if len(rep.Links) != len(vis) {
		t.Fatalf("%d links, want %d", len(rep.Links), len(vis))
	}
	for i, l := range rep.Links {
		want := linkvault.Link{URL: vis[i].URL, Kind: vis[i].Kind, Sources: vis[i].Sources}
		lj, _ := json.Marshal(l)
		wj, _ := json.Marshal(want)
		if !bytes.Equal(lj, wj) {
			t.Errorf("link %d decodes as %s, want %s", i, lj, wj)
		}
	}
}

// TestJSONTimesUTC checks that times in another zone come out in UTC.
func TestJSONTimesUTC(t *testing.T) {
	d := fixture()
	zone := time.FixedZone("CST", 8*3600)
	d.GeneratedAt = d.GeneratedAt.In(zone)
	d.Entries[0].StateSince = d.Entries[0].StateSince.In(zone)
	d.Entries[0].Checks[0].Time = d.Entries[0].Checks[0].Time.In(zone)
	var b bytes.Buffer
	if err := writeJSON(&b, d); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b.Bytes(), []byte("+08:00")) {
		t.Error("the JSON report has a time that is not in UTC")
	}
	if !bytes.Contains(b.Bytes(), []byte(`"generated_at": "2026-03-01T10:03:00Z"`)) {
		t.Error("generated_at is not 2026-03-01T10:03:00Z")
	}
}

func TestMarkdownEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a|b", `a\|b`},
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"[x](javascript:alert(1))", `\[x\](javascript:alert(1))`},
		{"*bold* _it_ `code` ~s~", "\\*bold\\* \\_it\\_ \\`code\\` \\~s\\~"},
		{"line\nbreak\r\nx", "line break  x"},
		{"&amp;", "&amp;amp;"},
		{"back\\slash", `back\\slash`},
		{"esc\x1b[31mred", `esc\[31mred`},
		{"中文标题", "中文标题"},
	}
	for _, tt := range tests {
		if got := mdEscape(tt.in); got != tt.want {
			t.Errorf("mdEscape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	dests := []struct{ in, want string }{
		{"https://e.com/a|b", `https://e.com/a\|b`},
		{"https://e.com/a b<c>(d)", "https://e.com/a%20b%3Cc%3E%28d%29"},
	}
	for _, tt := range dests {
		if got := mdDest(tt.in); got != tt.want {
			t.Errorf("mdDest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestMarkdownTable checks that hostile cells keep every table row to its
// column count and never yield raw HTML or a javascript: link.
func TestMarkdownTable(t *testing.T) {
	var b bytes.Buffer
	if err := writeMarkdown(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script", "javascript:", "](archive" + "\n"} {
		if strings.Contains(out, bad) {
			t.Errorf("markdown contains %q", bad)
		}
	}
	cols := 0
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = 0
			continue
		}
		n := strings.Count(line, "|") - strings.Count(line, `\|`)
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("row has %d cell separators, header has %d: %s", n, cols, line)
		}
	}
}

func TestGitHubEscape(t *testing.T) {
	tests := []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"100%", "100%25", "100%25"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"file:1,2", "file:1,2", "file%3A1%2C2"},
		{"%0A", "%250A", "%250A"},
	}
	for _, tt := range tests {
		if got := ghData(tt.in); got != tt.data {
			t.Errorf("ghData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := ghProperty(tt.in); got != tt.prop {
			t.Errorf("ghProperty(%q) = %q, want %q", tt.in, got, tt.prop)
		}
	}
	// A file name and a reason that try to start a second command.
	d := fixture()
	d.Entries[0].Sources = []linkvault.Source{{File: "a,b:c.md", Line: 1, Column: 1}}
	d.Entries[0].Last.Reason = "boom\n::error::injected"
	var b bytes.Buffer
	if err := GitHub(&b, d); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if !strings.HasPrefix(line, "::error file=") && !strings.HasPrefix(line, "::warning file=") && !strings.HasPrefix(line, "::notice file=") {
			t.Errorf("unexpected line %q", line)
		}
		if strings.Contains(line, "::error::injected") && strings.HasPrefix(line, "::error::") {
			t.Errorf("injected command: %q", line)
		}
	}
	if !strings.Contains(b.String(), "file=a%2Cb%3Ac.md,line=1,col=1,title=Dead link::") {
		t.Errorf("file property not escaped:\n%s", b.String())
	}
}

func TestTextStripsControls(t *testing.T) {
	d := fixture()
	d.Entries[0].URL = "https://example.com/\x1b]0;pwned\x07gone"
	d.Entries[0].Last.Reason = "bad\x1b[2J"
	for _, opts := range []TextOptions{{}, {Verbose: true}} {
		var b bytes.Buffer
		if err := Text(&b, d, opts); err != nil {
			t.Fatal(err)
		}
		if bytes.ContainsAny(b.Bytes(), "\x1b\x07") {
			t.Errorf("text output (%+v) carries control characters from the data", opts)
		}
	}
}

func TestSourceURL(t *testing.T) {
	tests := []struct {
		repo string
		src  linkvault.Source
		want string
	}{
		{"https://github.com/o/r/blob/main/", linkvault.Source{File: "notes/a.md", Line: 3}, "https://github.com/o/r/blob/main/notes/a.md#L3"},
		{"https://github.com/o/r/blob/main", linkvault.Source{File: "./笔记 1.md", Line: 1}, "https://github.com/o/r/blob/main/%E7%AC%94%E8%AE%B0%201.md#L1"},
		{"https://github.com/o/r/blob/main/", linkvault.Source{File: "a#b?.md"}, "https://github.com/o/r/blob/main/a%23b%3F.md"},
		{"javascript:alert(1)//", linkvault.Source{File: "a.md", Line: 1}, ""},
		{"", linkvault.Source{File: "a.md", Line: 1}, ""},
	}
	for _, tt := range tests {
		if got := sourceURL(&Data{RepoURL: tt.repo}, tt.src); got != tt.want {
			t.Errorf("sourceURL(%q, %+v) = %q, want %q", tt.repo, tt.src, got, tt.want)
		}
	}
}

func TestSafeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://e.com/", "https://e.com/"},
		{"http://e.com/x", "http://e.com/x"},
		{"archive/e.com/x.html", "archive/e.com/x.html"},
		{"javascript:alert(1)", ""},
		{"JavaScript:alert(1)", ""},
		{"data:text/html,<script>", ""},
		{"//evil.com/x", ""},
		{"mailto:a@b.c", ""},
		{"https:/nohost", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := safeURL(tt.in); got != tt.want {
			t.Errorf("safeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	for _, f := range Formats() {
		t.Run(f, func(t *testing.T) {
			err := Render(failWriter{}, f, fixture())
			if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.HasPrefix(err.Error(), "report: ") {
				t.Errorf("error = %v, want a report: error wrapping disk full", err)
			}
		})
	}
}

// TestSchemaDocumented checks that SCHEMA.md names every field the JSON
// report of the fixture writes, so the documented contract cannot fall
// behind the code.
func TestSchemaDocumented(t *testing.T) {
	doc, err := os.ReadFile("SCHEMA.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, span := range regexp.MustCompile("`[^`]+`").FindAllString(string(doc), -1) {
		for _, w := range regexp.MustCompile(`[a-z_0-9]+`).FindAllString(span, -1) {
			documented[w] = true
		}
	}
	// Keys that are data, not fields: states, statuses, host names.
	data := map[string]bool{}
	for _, s := range linkvault.States {
		data[string(s)] = true
	}
	for _, s := range linkvault.Statuses {
		data[string(s)] = true
	}
	d := fixture()
	d.ShowGone = true
	var b bytes.Buffer
	if err := writeJSON(&b, d); err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				if !data[k] && !strings.Contains(k, ".") {
					if !documented[k] && !seen[k] {
						t.Errorf("field %s.%s is not in SCHEMA.md", path, k)
					}
					seen[k] = true
				}
				walk(path+"."+k, c)
			}
		case []any:
			for _, c := range v {
				walk(path+"[]", c)
			}
		}
	}
	walk("", v)
	if !seen["schema_version"] || len(seen) < 40 {
		t.Errorf("only %d fields seen: the walk misses the document", len(seen))
	}
}

// TestFragmentMissingSources: a report lists a missing fragment only
// while the notes still link to it, and only the occurrences to fix.
func TestFragmentMissingSources(t *testing.T) {
	d := fixture()
	var e *Entry
	for i := range d.Entries {
		if d.Entries[i].URL == "https://tool.example.dev/readme" {
			e = &d.Entries[i]
		}
	}
	if got := fragmentSources(e).Sources; len(got) != 1 || got[0].Fragment != "install" {
		t.Errorf("sources to fix = %v, want the one with #install", got)
	}
	e.Last.MissingFragments = []string{"install", "fixed-since"}
	if got := missingFragments(e); !slices.Equal(got, []string{"install"}) {
		t.Errorf("missing = %q, want [install] (no note links to #fixed-since any more)", got)
	}
	e.Sources = e.Sources[1:] // the note linking to #install was fixed
	if got := summarize(d).FragmentMissing; len(got) != 0 {
		t.Errorf("FragmentMissing = %d entries, want none once no note links to a missing fragment", len(got))
	}
	if o := Outcomes(d); slices.ContainsFunc(o, func(o linkvault.Outcome) bool { return o.FragmentMissing }) {
		t.Error("an outcome has FragmentMissing, want none")
	}
}
