package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

// newsletterCorpus writes notes shaped like the newsletter of issue 13:
// n URLs, 45 % on one image CDN, 16 % on github.com, the rest over
// thousands of hosts, most with a single URL. It returns the note files
// and the URLs per host.
func newsletterCorpus(b *testing.B, dir string, n int) ([]string, map[string]int) {
	b.Helper()
	hosts := map[string]int{}
	var urls []string
	add := func(host, path string) {
		hosts[host]++
		urls = append(urls, "http://"+host+path)
	}
	cdn, gh := n*45/100, n*16/100
	for i := range cdn {
		add("img.cdn.example", fmt.Sprintf("/%x/%d.png", i*7919, i))
	}
	for i := range gh {
		add("github.com", fmt.Sprintf("/owner%d/repo-%d", i%900, i))
	}
	rest := n - cdn - gh
	for i := range rest {
		switch {
		case i < rest*44/100: // a long tail of hosts with one URL each
			add(fmt.Sprintf("solo%d.example", i), "/article")
		default: // and some hosts with a few
			add(fmt.Sprintf("blog%d.example", i%1200), fmt.Sprintf("/posts/%d", i))
		}
	}
	var files []string
	const perFile = 100
	for f := 0; f*perFile < len(urls); f++ {
		var s strings.Builder
		fmt.Fprintf(&s, "# 第 %d 期\n\n", f+1)
		for _, u := range urls[f*perFile : min(len(urls), (f+1)*perFile)] {
			fmt.Fprintf(&s, "- 推荐阅读：%s\n", u)
		}
		name := filepath.Join(dir, "notes", "issue-"+strconv.Itoa(f+1)+".md")
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(s.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		files = append(files, name)
	}
	return files, hosts
}

// budgetedNight is the setting of the budgeted-night benchmarks: the
// newsletter's notes, a config with the budget, and the fake web whose
// hosts enforce the shipped politeness.
type budgetedNight struct {
	dir, cfgFile string
	files        []string
	budget       time.Duration
	web          *fakeweb.Web
	resolve      map[string]string // every host of the notes → the fake web
}

// newBudgetedNight writes 40,000 links shaped like the newsletter and a
// config (check.budget: LINKVAULT_BENCH_BUDGET, default 25 s; archive off
// with LINKVAULT_BENCH_NOARCHIVE; check.memory_limit:
// LINKVAULT_BENCH_MEMORY_LIMIT), and starts the fake web (closed with b).
func newBudgetedNight(b *testing.B) *budgetedNight {
	b.Helper()
	const n = 40_000
	budget := 25 * time.Second
	if s := os.Getenv("LINKVAULT_BENCH_BUDGET"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			b.Fatal(err)
		}
		budget = d
	}
	dir := b.TempDir()
	files, hosts := newsletterCorpus(b, dir, n)
	cfgFile := filepath.Join(dir, "config.yaml")
	cfg := fmt.Sprintf("check:\n  budget: %s\n  allow_private: true\n", budget)
	if s := os.Getenv("LINKVAULT_BENCH_MEMORY_LIMIT"); s != "" {
		cfg += "  memory_limit: " + s + "\n"
	}
	cfg += "wayback:\n  enabled: false\n"
	if os.Getenv("LINKVAULT_BENCH_NOARCHIVE") != "" {
		cfg += "archive:\n  enabled: false\n"
	}
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		b.Fatal(err)
	}
	web := fakeweb.New()
	b.Cleanup(web.Close)
	resolve := map[string]string{}
	for h := range hosts {
		fh := web.Host(h)
		fh.Rate, fh.Burst, fh.Latency = 2, 2, 30*time.Millisecond
		if h == "github.com" {
			fh.Rate, fh.Burst = 1, 1
		}
		resolve[h] = web.Addr()
	}
	return &budgetedNight{dir: dir, cfgFile: cfgFile, files: files, budget: budget, web: web, resolve: resolve}
}

// BenchmarkBudgetedNight runs `linkvault check` with a budget (its phases,
// as runCheck does: read the notes, plan, check, record, report) over
// 40,000 links shaped like the newsletter, against a fake web whose hosts
// enforce the shipped politeness with 429 (2 requests a second, 1 for
// github.com) and answer in 30 ms. The full politeness bound is 2 h 30 min;
// the budget, 25 s (LINKVAULT_BENCH_BUDGET). Goals (issue 13): wall ≤
// budget × 1.05 + 5 s, no provoked 429, peak RSS of the process ≤ 150 MB.
func BenchmarkBudgetedNight(b *testing.B) {
	n := newBudgetedNight(b)
	files, budget, cfgFile, dir, web, resolve := n.files, n.budget, n.cfgFile, n.dir, n.web, n.resolve
	night := 0
	for b.Loop() {
		night++
		var stderr bytes.Buffer
		g := &globalOptions{ConfigFile: cfgFile, DBFile: filepath.Join(dir, "linkvault.db"), Quiet: true, stdout: &bytes.Buffer{}, stderr: &stderr}
		start := time.Now()
		c, err := newCheckRun(g, CheckOptions{Format: "json", Output: filepath.Join(dir, "report.json"), FailOn: "never", Budget: -1})
		if err != nil {
			b.Fatal(err)
		}
		c.cfg.Check.Resolve = resolve
		run := budgetedRun(b, c, files)
		wall := time.Since(start)
		b.ReportMetric(float64(web.Stats("img.cdn.example").Requests), "cdn-requests")
		if stderr.Len() > 0 {
			b.Logf("stderr: %s", stderr.String())
		}
		checks := countChecks(run)
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(wall.Seconds()/(budget.Seconds()*1.05+5), "x-goal")
		b.ReportMetric(float64(web.Throttled()), "429s")
		b.ReportMetric(float64(checks), "checks")
		b.ReportMetric(float64(run.Left), "left")
		b.ReportMetric(float64(peakRSS())/(1<<20), "peakRSS-MB")
		if checks == 0 || run.BudgetSeconds != budget.Seconds() {
			b.Errorf("night %d: %d checks, budget %v s: want a budgeted run that checked links", night, checks, run.BudgetSeconds)
		}
	}
}

// warmUp gives the database of n a history before the measured nights:
// LINKVAULT_BENCH_WARM_NIGHTS nights (0 by default) of `linkvault check`
// with a budget of LINKVAULT_BENCH_WARM_BUDGET (10 s by default), the
// archive on, as the measured nights, so that these start from a database
// of that many nights (the "database with 30 nights of history").
func warmUp(b *testing.B, bin string, n *budgetedNight) {
	b.Helper()
	nights, _ := strconv.Atoi(os.Getenv("LINKVAULT_BENCH_WARM_NIGHTS"))
	budget := cmp.Or(os.Getenv("LINKVAULT_BENCH_WARM_BUDGET"), "10s")
	db := filepath.Join(n.dir, "linkvault.db")
	start := time.Now()
	for i := range nights {
		cmd := exec.Command(bin, "--config", n.cfgFile, "--db", db, "--quiet",
			"check", "--budget", budget, "--format", "json", "--output", filepath.Join(n.dir, "warm.json"), "--fail-on", "never")
		cmd.Args = append(cmd.Args, n.files...)
		cmd.Dir = n.dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("warm-up night %d: %v\n%s", i+1, err, out)
		}
	}
	if nights > 0 {
		fi, _ := os.Stat(db)
		b.Logf("warm-up: %d nights of %s in %v; the database is %d MB", nights, budget, time.Since(start).Round(time.Second), fi.Size()>>20)
	}
}

// BenchmarkBudgetedNightProcess is BenchmarkBudgetedNight with the check
// in its own process: the linkvault binary, built once into a temporary
// directory, runs `linkvault check` against the fake web of the benchmark
// process (check.resolve maps every host of the notes to it), so
// child-peakRSS-MB is the peak RSS of linkvault alone (its VmHWM, see
// sampleRSS; child-maxrss-MB, its ru_maxrss, may be the benchmark's own
// peak instead), without the fake web's hosts, logs and
// goroutines that BenchmarkBudgetedNight's peakRSS-MB counts too. wall-s
// runs from the start of the process to its exit.
func BenchmarkBudgetedNightProcess(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "linkvault")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	n := newBudgetedNight(b)
	cfg, err := os.ReadFile(n.cfgFile)
	if err != nil {
		b.Fatal(err)
	}
	var res strings.Builder
	res.WriteString("check:\n  resolve:\n")
	for _, h := range slices.Sorted(maps.Keys(n.resolve)) {
		fmt.Fprintf(&res, "    %s: %q\n", h, n.resolve[h])
	}
	cfg = []byte(strings.Replace(string(cfg), "check:\n", res.String(), 1))
	if err := os.WriteFile(n.cfgFile, cfg, 0o644); err != nil {
		b.Fatal(err)
	}
	warmUp(b, bin, n)
	night := 0
	for b.Loop() {
		night++
		report := filepath.Join(n.dir, "report.json")
		cmd := exec.Command(bin, "--config", n.cfgFile, "--db", filepath.Join(n.dir, "linkvault.db"), "--quiet",
			"check", "--format", "json", "--output", report, "--fail-on", "never")
		cmd.Args = append(cmd.Args, n.files...)
		cmd.Dir = n.dir
		gctrace := os.Getenv("LINKVAULT_BENCH_GCTRACE") != ""
		if gctrace {
			cmd.Env = append(os.Environ(), "GODEBUG=gctrace=1")
		}
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		sampled := make(chan rssSample)
		done := make(chan struct{})
		go func() { sampled <- sampleRSS(cmd.Process.Pid, done) }()
		err := cmd.Wait()
		wall := time.Since(start)
		close(done)
		rss := <-sampled
		var dbSize int64
		if fi, err := os.Stat(filepath.Join(n.dir, "linkvault.db")); err == nil {
			dbSize = fi.Size()
		}
		b.Logf("night %d: sampled every 100 ms: at most %d MB anonymous, %d MB file-backed (the binary's pages, the database's mmap: the file is %d MB), %d MB shared memory", night, rss.anon>>10, rss.file>>10, dbSize>>20, rss.shmem>>10)
		if gctrace {
			b.Logf("night %d: %s", night, gcSummary(&stderr))
		}
		if stderr.Len() > 0 {
			b.Logf("night %d: stderr: %s", night, stderr.String())
		}
		if err != nil {
			b.Fatalf("night %d: linkvault check: %v", night, err)
		}
		var doc struct {
			Run linkvault.Run `json:"run"`
		}
		data, err := os.ReadFile(report)
		if err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			b.Fatalf("%s: %v", report, err)
		}
		run := doc.Run
		checks := countChecks(run)
		maxrss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KB on Linux
		b.Logf("night %d: %d due, %d checks, %d left, %.1f s, CPU %.1f s, child peak RSS %.0f MB (VmHWM; ru_maxrss %.0f MB)", night, run.Due, checks, run.Left, wall.Seconds(),
			(cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds(), float64(rss.hwm)/1024, float64(maxrss)/1024)
		b.ReportMetric(float64(n.web.Stats("img.cdn.example").Requests), "cdn-requests")
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(wall.Seconds()/(n.budget.Seconds()*1.05+5), "x-goal")
		b.ReportMetric(float64(n.web.Throttled()), "429s")
		b.ReportMetric(float64(checks), "checks")
		b.ReportMetric(float64(run.Left), "left")
		b.ReportMetric(float64(rss.hwm)/1024, "child-peakRSS-MB")
		b.ReportMetric(float64(maxrss)/1024, "child-maxrss-MB") // an upper bound: see sampleRSS
		b.ReportMetric((cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds(), "child-cpu-s")
		b.ReportMetric(float64(peakRSS())/(1<<20), "bench-peakRSS-MB")
		if checks == 0 || run.BudgetSeconds != n.budget.Seconds() {
			b.Errorf("night %d: %d checks, budget %v s: want a budgeted run that checked links", night, checks, run.BudgetSeconds)
		}
	}
}

// rssSample is the largest RssAnon, RssFile and RssShmem seen, and the
// last VmHWM (the process's own peak RSS), in KB.
type rssSample struct{ anon, file, shmem, hwm int64 }

// sampleRSS reads /proc/PID/status every 10 ms until done is closed. The
// child's ru_maxrss is no measure of its own: Go starts it with vfork, and
// the kernel takes the parent's peak RSS at the exec into the child's
// (the benchmark's process, with the fake web, peaks at 70–160 MB); VmHWM,
// read while the child lives, is the child's alone, up to the last 10 ms.
func sampleRSS(pid int, done <-chan struct{}) rssSample {
	var s rssSample
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
			for line := range strings.SplitSeq(string(data), "\n") {
				k, v, _ := strings.Cut(line, ":")
				f := strings.Fields(v)
				if len(f) == 0 {
					continue
				}
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				switch k {
				case "RssAnon":
					s.anon = max(s.anon, kb)
				case "RssFile":
					s.file = max(s.file, kb)
				case "RssShmem":
					s.shmem = max(s.shmem, kb)
				case "VmHWM":
					s.hwm = max(s.hwm, kb)
				}
			}
		}
		select {
		case <-done:
			return s
		case <-tick.C:
		}
	}
}

// gcSummary takes the lines of GODEBUG=gctrace=1 out of stderr and sums
// them up: the number of collections, the largest heap at the start of a
// collection, the largest heap left live after one and the largest size of
// the goroutine stacks, in MB.
func gcSummary(stderr *bytes.Buffer) string {
	var rest bytes.Buffer
	gcs, maxStart, maxLive, maxStacks := 0, 0, 0, 0
	for line := range strings.Lines(stderr.String()) {
		if !strings.HasPrefix(line, "gc ") {
			rest.WriteString(line)
			continue
		}
		gcs++
		// gc 12 @1.2s 3%: …, 40->45->20 MB, 41 MB goal, …
		for f := range strings.SplitSeq(line, ",") {
			f = strings.TrimSpace(f)
			if st, ok := strings.CutSuffix(f, " MB stacks"); ok {
				v, _ := strconv.Atoi(st)
				maxStacks = max(maxStacks, v)
			}
			if heap, ok := strings.CutSuffix(f, " MB"); ok && strings.Count(heap, "->") == 2 {
				p := strings.Split(heap, "->")
				start, _ := strconv.Atoi(p[0])
				live, _ := strconv.Atoi(p[2])
				maxStart, maxLive = max(maxStart, start), max(maxLive, live)
			}
		}
	}
	*stderr = rest
	return fmt.Sprintf("%d GCs, heap at most %d MB at a GC's start, at most %d MB live after one; goroutine stacks at most %d MB", gcs, maxStart, maxLive, maxStacks)
}

// budgetedRun runs the phases of check, reporting the wall time of each.
func budgetedRun(b *testing.B, c *checkRun, files []string) linkvault.Run {
	ctx := context.Background()
	t := time.Now()
	lap := func(unit string) {
		b.ReportMetric(time.Since(t).Seconds(), unit)
		b.Logf("after %s: peak RSS %.0f MB", strings.TrimSuffix(unit, "-s"), float64(peakRSS())/(1<<20))
		t = time.Now()
	}
	if err := c.readNotes(ctx, files); err != nil {
		b.Fatal(err)
	}
	lap("read-s")
	if err := c.openArchive(ctx); err != nil {
		b.Fatal(err)
	}
	defer c.close(ctx, nil)
	if err := c.plan(); err != nil {
		b.Fatal(err)
	}
	lap("plan-s")
	b.Logf("%d links, %d due, %d planned", len(c.links), c.cp.plan.Due, len(c.cp.targets))
	checkErr := c.check(ctx)
	lap("check-s")
	b.Logf("checked %d: %v", c.prog.n, c.prog.counts)
	if err := c.record(ctx, checkErr); err != nil {
		b.Fatal(err)
	}
	lap("record-s")
	if err := c.reports(); err != nil {
		b.Fatal(err)
	}
	lap("report-s")
	return c.run
}

// peakRSS reads VmHWM from /proc/self/status, in bytes (0 if unknown).
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}
