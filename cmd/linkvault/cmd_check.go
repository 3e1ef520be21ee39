package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/crawler"
	"github.com/linkvault/linkvault/report"
)

// CheckOptions are the flags of `linkvault check`.
type CheckOptions struct {
	Format       string
	Output       string
	ReportDir    string
	FailOn       string
	AllowPrivate bool
	Resolve      []string
	NoArchive    bool
	IncludeCode  bool
	All          bool
	Budget       time.Duration // -1: not given
	ExcludePaths []string
	Config       configFlags // --exclude, --accept, --timeout … (flags.go)
	Site         siteFlags   // --max-depth, --allow-domain, --no-robots (site.go)
}

func newCheckCommand(g *globalOptions) *cobra.Command {
	var opts CheckOptions
	cmd := &cobra.Command{
		Use:   "check [PATH...]",
		Short: "Check every link, record the run, snapshot what is alive",
		Long: `Check every link in the notes and record the run in the database.

Links are checked concurrently across hosts and politely within each host: a
token bucket and a concurrency limit per host (check.rate, check.burst,
check.host_concurrency, hosts:), Retry-After honoured, retries with backoff
for 429, 5xx and timeouts, and a circuit breaker for hosts that do not answer.
Each check is classified as ok, broken, soft404 (answers 200 but the content
is gone: a deleted WeChat article, a dead page sent to the home page, a
parked domain; see soft404: in the config), unreachable, blocked (401, 403,
bot challenges: not the same as dead), throttled or skipped. A page whose
main text no longer matches what was first archived is "changed": alive,
but not what the notes cited (policy.drift_distance).

The database remembers every run, so a link is only called dead after
policy.dead_after consecutive bad runs spanning policy.dead_min_age (defaults:
2 runs, 20h); one bad night makes it "failing". Pages and PDFs that answer ok
are snapshotted into WARC files under archive.dir, so they can be fetched
back with 'linkvault get' after they vanish.

The exit status follows policy.fail_on (or --fail-on):
  dead    1 when any referenced URL is dead (default)
  new     1 only when a URL became dead in this run
  broken  1 when any check of this run was broken or unreachable
  never   always 0 unless linkvault itself could not run

Formats: text (default on a terminal; github when GITHUB_ACTIONS=true), json,
markdown, junit, sarif, github, html. The JSON schema is in report/SCHEMA.md.

PATHs (default: notes: in the config) are read as by 'linkvault links': "-"
reads a list of PATHs from standard input, one per line; --exclude-path and
exclude_paths: leave notes out. An http or https URL (as PATH, on a line of
"-" or in notes:) is a website: its pages are crawled (the start URL's host;
--allow-domain adds hosts; --max-depth, site.max_pages; robots.txt honoured
unless --no-robots; sitemap.xml read) and each page is a note, its links
found at their line and column in its HTML; the pages are links too. Every
request of the crawl waits for its host's token like the checks (check.rate,
hosts:). A start URL that cannot be crawled (unreachable, an error, robots.txt)
is one line on stderr and makes the run partial, like an unreadable note; a
start URL that is not HTML is checked as one link. The database takes the links read as all the
links of the notes: a URL no longer referenced becomes "gone" (kept, hidden).
When a note cannot be read (a missing path, a URL given as PATH, permission
denied), the links of the others are checked, nothing is marked gone, the run
is recorded as partial and the exit status is 2. When no note can be read, no
run is recorded.

A link excluded by exclude: (or a private address without
check.allow_private) is not fetched: its result is "skipped", counted as such
in the run and the reports; its state is left as it was.`,
		Example: `  linkvault check
  linkvault check --format json -o result.json
  linkvault check --fail-on new --format markdown >> "$GITHUB_STEP_SUMMARY"
  linkvault check --report-dir public/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("format") {
				opts.Format = defaultFormat()
			}
			return runCheck(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Format, "format", "f", "text", "output format: text, json, markdown, junit, sarif, github, html")
	f.StringVarP(&opts.Output, "output", "o", "", "write the report to FILE instead of stdout")
	f.StringVar(&opts.ReportDir, "report-dir", "", "also write the HTML health report into DIR, or as the page FILE.html (report.dir)")
	f.StringVar(&opts.FailOn, "fail-on", "", "exit 1 on: dead, new, broken or never (policy.fail_on)")
	f.BoolVar(&opts.AllowPrivate, "allow-private", false, "allow links to loopback and private addresses (check.allow_private)")
	f.StringArrayVar(&opts.Resolve, "resolve", nil, "connect to ADDR for HOST, like curl: HOST[:PORT]=ADDR:PORT (repeatable)")
	f.BoolVar(&opts.NoArchive, "no-archive", false, "do not snapshot pages into the WARC archive")
	f.BoolVar(&opts.IncludeCode, "include-code", false, "also check URLs inside code spans and code blocks")
	f.BoolVar(&opts.All, "all", false, "check every link, ignoring check.recheck_after")
	f.DurationVar(&opts.Budget, "budget", -1, "wall time of the run, e.g. 30m: the most urgent links first, the rest the next runs (check.budget; 0: every due link)")
	addExcludePathFlag(cmd, &opts.ExcludePaths)
	opts.Config.addFlags(f)
	opts.Site.addFlags(f)
	return cmd
}

// defaultFormat is github under GitHub Actions, text otherwise.
func defaultFormat() string {
	if os.Getenv("GITHUB_ACTIONS") == "true" {
		return "github"
	}
	return "text"
}

// runCheck is `linkvault check`: a short list of phases, each a method of
// checkRun that tests can call on its own.
func runCheck(ctx context.Context, g *globalOptions, opts CheckOptions, args []string) (err error) {
	c, err := newCheckRun(g, opts)
	if err != nil {
		return err
	}
	defer memoryLimit(c.cfg.Check.MemoryLimit)()
	defer gcPercent(os.Getenv)()
	if err := c.readNotes(ctx, args); err != nil {
		return err
	}
	if err := c.openArchive(ctx); err != nil {
		return err
	}
	defer func() { err = c.close(ctx, err) }()
	if err := c.plan(); err != nil {
		return err
	}
	if err := c.record(ctx, c.check(ctx)); err != nil {
		return err
	}
	if err := c.lookups(ctx); err != nil {
		return err
	}
	c.release()
	if err := c.reports(); err != nil {
		return err
	}
	return c.exitStatus()
}

// memoryLimit sets the Go runtime's soft memory limit (check.memory_limit)
// for the run, and returns the function that restores the one before. 0
// leaves it as it is: none, or GOMEMLIMIT. Under the limit the garbage
// collector runs more often instead of letting the heap grow to twice what
// is live; a limit below what is live costs CPU, never the run (the
// collector then takes at most about half the CPU, and the heap grows).
func memoryLimit(limit Size) (restore func()) {
	if limit <= 0 {
		return func() {}
	}
	prev := debug.SetMemoryLimit(int64(limit))
	return func() { debug.SetMemoryLimit(prev) }
}

// checkGCPercent is the garbage collector's goal during a check (Go's
// GOGC): the heap grows to 1.5 times what is live before a collection,
// instead of twice. A night over 40,000 links keeps some 45 MB live; at
// Go's default its heap reached 85–95 MB and the process 160–180 MB, at 50
// it stays near 60–70 MB and 120–140 MB, for about 1.6 times the
// collections (BENCHMARKS.md, issue 13). It scales with what is live, where
// a fixed limit (check.memory_limit) does not.
const checkGCPercent = 50

// gcPercent sets checkGCPercent for the run, unless the GOGC environment
// variable chooses, and returns the function that restores the one before.
func gcPercent(getenv func(string) string) (restore func()) {
	if getenv("GOGC") != "" {
		return func() {}
	}
	prev := debug.SetGCPercent(checkGCPercent)
	return func() { debug.SetGCPercent(prev) }
}

// checkRun is one `linkvault check` between its phases: what each phase
// found, for the next.
type checkRun struct {
	g    *globalOptions
	cfg  *Config
	opts CheckOptions

	links   []linkvault.Link     // the checkable links of the notes
	nLinks  int                  // len(links), kept by release
	partial bool                 // some notes could not be read
	buckets *crawler.HostBuckets // spent by the crawl of the sites given as notes
	// sitePages are the pages crawled, with their anchors: the hook of
	// fragment checks (issue 16 point 2), which need no other request.
	sitePages []crawler.SitePage

	db       *archive.DB
	remote   *remoteDB         // the database in a bucket, nil for a file
	archiver *archive.Archiver // nil: no snapshots

	begin   time.Time // the command's start: the budget counts from it
	start   time.Time
	cp      checkPlan
	checker *crawler.Checker
	rec     *archive.Recorder
	prog    *progress
	run     linkvault.Run
	data    *report.Data
	repos   sourceLinks // repository links checked ok: their source is archived
}

// newCheckRun loads the config and applies the flags to it.
func newCheckRun(g *globalOptions, opts CheckOptions) (*checkRun, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, err
	}
	if err := applyCheckFlags(cfg, opts); err != nil {
		return nil, err
	}
	if err := opts.Config.apply(cfg); err != nil {
		return nil, err
	}
	if err := opts.Site.apply(cfg); err != nil {
		return nil, err
	}
	if err := validFormat(opts.Format); err != nil {
		return nil, err
	}
	if err := cfg.addExcludePaths(opts.ExcludePaths); err != nil {
		return nil, err
	}
	return &checkRun{g: g, cfg: cfg, opts: opts, begin: time.Now()}, nil
}

// readNotes extracts the links of the notes. A note that cannot be read
// makes the run partial; none read, or an interruption, records no run.
func (c *checkRun) readNotes(ctx context.Context, args []string) error {
	var sites []string
	links, inputErr := extractInputs(ctx, c.g, c.cfg, args, c.opts.IncludeCode || c.cfg.IncludeCode, &sites)
	if inputErr == nil || inputErr == errUnread {
		crawled, err := crawlSites(ctx, c.g, c.cfg, sites)
		if err != nil && ctx.Err() == nil {
			return err
		}
		links, c.buckets, c.sitePages = mergeLinks(links, crawled.links), crawled.buckets, crawled.pages
		if crawled.failed {
			inputErr = errUnread // a site not crawled is a note not read: a partial run
		}
	}
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(c.g.stderr, "linkvault: interrupted while reading the notes: no run recorded")
		return &exitError{code: exitInterrupted}
	case inputErr != nil && inputErr != errUnread:
		return inputErr
	case inputErr != nil && len(links) == 0:
		return &exitError{code: exitUsage, err: errors.New("no link could be read from the notes: no run recorded")}
	}
	// A run that could not read every note does not know which links the
	// notes reference: it marks none gone.
	c.partial = inputErr != nil
	c.links = checkable(links)
	return nil
}

// openArchive opens the database and, unless snapshots are off, the
// archiver. close releases them.
func (c *checkRun) openArchive(ctx context.Context) error {
	var store *archive.Store
	if c.cfg.Archive.Enabled && !c.opts.NoArchive {
		// A store that cannot be written (wrong key, no bucket, no
		// answer) ends the run before anything is checked or changed.
		var err error
		if store, err = c.cfg.openStore(ctx); err != nil {
			return err
		}
		if err := store.Check(ctx); err != nil {
			return err
		}
	}
	db, err := c.openDB(ctx)
	if err != nil {
		return err
	}
	c.db = db
	if store != nil {
		c.archiver, err = archive.NewArchiver(db, archive.ArchiverOptions{
			Store:       store,
			MaxFileSize: int64(c.cfg.Archive.FileSize),
			Version:     version,
			// Configured host headers carry credentials.
			RedactHeaders: secretHeaders(c.cfg),
		})
		if err != nil {
			if c.remote != nil {
				c.remote.discard(ctx)
			} else {
				db.Close()
			}
			return err
		}
	}
	return nil
}

// openDB opens the database file, or takes the database in a bucket
// (db: s3://…): its lease, and a copy of its latest generation.
func (c *checkRun) openDB(ctx context.Context) (*archive.DB, error) {
	name := c.g.dbPath(c.cfg)
	if !archive.IsRemote(name) {
		return archive.Open(name, &archive.Options{Timeout: time.Second, Policy: c.cfg.policy()})
	}
	r, err := checkoutForWriting(ctx, c.g, c.cfg, name, "check", true)
	if err != nil {
		return nil, err
	}
	c.remote = r
	return r.db, nil
}

// closeDB closes the database; one in a bucket is uploaded as a new
// generation (see remoteDB.finish), what the run did is kept even when it
// failed or was interrupted.
func (c *checkRun) closeDB(ctx context.Context, runErr error) error {
	if c.remote != nil {
		return c.remote.finish(ctx, runErr)
	}
	c.db.Close()
	return runErr
}

// close releases what the phases opened, in reverse order, and returns
// runErr, the run's error, or the error of uploading a database in a
// bucket (closeDB).
func (c *checkRun) close(ctx context.Context, runErr error) error {
	if c.checker != nil {
		c.checker.Close()
	}
	// A no-op after record's close; otherwise nothing returns this
	// error, so it is said here.
	if err := closeArchiver(context.Background(), c.archiver); err != nil {
		fmt.Fprintf(c.g.stderr, "linkvault: %v\n", err)
	}
	return c.closeDB(ctx, runErr)
}

// plan decides what the run checks (planChecks), warns when a budget
// cannot keep verdicts within policy.max_age, and makes the checker.
func (c *checkRun) plan() error {
	g, cfg := c.g, c.cfg
	c.start = time.Now()
	cp, err := planChecks(c.db, cfg, c.links, c.opts.All, c.archiver != nil, c.start)
	if err != nil {
		return err
	}
	c.cp = cp
	if cp.plan != nil && !g.Quiet {
		if line, tooSlow := planVerdict(*cp.plan, cfg); tooSlow {
			fmt.Fprintf(g.stderr, "linkvault: warning: %s (linkvault plan shows the hosts)\n", line)
		}
	}
	copts := checkerOptions(g, cfg, c.archiver)
	copts.Buckets = c.buckets
	if cp.plan != nil {
		copts.Deadline = checkDeadline(c.begin, c.start, time.Duration(cfg.Check.Budget), requestTail(cfg))
	}
	if copts.KnownLandings, err = knownLandings(c.db, cp.targets); err != nil {
		return err
	}
	checker, err := crawler.NewChecker(copts)
	if err != nil {
		return linkvault.Errorf(linkvault.EInvalid, "%s: %w", cfg.name(), err)
	}
	c.checker = checker
	return nil
}

// check begins the run in the database and checks the planned links,
// recording each result as it comes. It returns the checker's error;
// an error beginning the run is returned the same way, with no run to
// record.
func (c *checkRun) check(ctx context.Context) error {
	runInfo := linkvault.Run{Start: c.start, Version: version, ConfigDigest: c.cfg.digest, Partial: c.partial}
	if c.cp.plan != nil {
		runInfo.BudgetSeconds = time.Duration(c.cfg.Check.Budget).Seconds()
		runInfo.Due = c.cp.plan.Due
	}
	rec, err := c.db.BeginRun(runInfo, c.links)
	if err != nil {
		return err
	}
	c.rec = rec
	for _, l := range c.cp.local {
		rec.Record(crawler.CheckLocal(l))
	}
	c.prog = newProgress(c.g, len(c.cp.targets))
	checkErr := c.checker.Check(ctx, c.cp.targets, func(res linkvault.Result) {
		rec.Record(res)
		c.prog.add(res)
		c.repos.add(res)
	})
	c.prog.done()
	if checkErr == nil && ctx.Err() == nil {
		captureSources(ctx, c.g, c.cfg, c.db, c.archiver, c.checker, c.repos.results)
	}
	return checkErr
}

// record closes the archiver and finishes the run in the database, then
// says what an interruption, a budget or an all-unreachable run means.
// checkErr is check's error.
func (c *checkRun) record(ctx context.Context, checkErr error) error {
	g, cfg := c.g, c.cfg
	if c.rec == nil {
		return checkErr // the run could not begin
	}
	interrupted := ctx.Err() != nil
	if c.cp.plan != nil {
		c.rec.SetLeft(c.cp.plan.Due - c.prog.n)
	}
	// The archive's error is the run's error unless the check failed
	// first; then it is said here, once, and the check's error returned.
	if err := closeArchiver(ctx, c.archiver); err != nil {
		if checkErr == nil {
			checkErr = err
		} else {
			fmt.Fprintf(g.stderr, "linkvault: %v\n", err)
		}
	}
	run, err := c.rec.Finish(context.WithoutCancel(ctx), c.checker.HostStats(), interrupted)
	if err != nil {
		return fmt.Errorf("record run: %w", err)
	}
	c.run = run
	if interrupted {
		fmt.Fprintf(g.stderr, "linkvault: interrupted: run %d saved with %d checks\n", run.ID, countChecks(run))
		return &exitError{code: exitInterrupted}
	}
	if checkErr != nil && !errors.Is(checkErr, context.Canceled) {
		return checkErr
	}

	if c.cp.plan != nil && !g.Quiet {
		fmt.Fprintf(g.stderr, "linkvault: budget %s: checked %s of %s due links; %s left for the next runs, keeping their state\n",
			humanDuration(time.Duration(cfg.Check.Budget)), report.Count(c.prog.n), report.Count(c.cp.plan.Due), report.Count(run.Left))
	}
	if n := c.prog.counts[linkvault.StatusUnreachable]; n > 0 && n == c.prog.n && !g.Quiet {
		fmt.Fprintf(g.stderr, "linkvault: warning: all %d links were unreachable: is this machine offline or behind a proxy (HTTPS_PROXY)? One bad run makes links failing, never dead.\n", n)
	}
	return nil
}

// lookups asks the Wayback Machine about the bad links (wayback.enabled)
// and Software Heritage about dead repository links
// (software_heritage.enabled).
func (c *checkRun) lookups(ctx context.Context) error {
	if c.cfg.Wayback.Enabled {
		lookupWayback(ctx, c.g, c.db, c.cfg, c.checker)
	}
	if c.cfg.SWH.Enabled && ctx.Err() == nil {
		lookupSoftwareHeritage(ctx, c.g, c.db, c.cfg, c.checker)
	}
	if ctx.Err() != nil {
		fmt.Fprintf(c.g.stderr, "linkvault: interrupted during the lookups of dead links (Wayback Machine, Software Heritage): run %d is saved\n", c.run.ID)
		return &exitError{code: exitInterrupted}
	}
	return nil
}

// release lets go of what the phases before the reports built (the links
// of the notes, the plan, the checker, the recorder): the reports read the
// run back from the database, and building them beside all that made the
// peak of a 40,000-link night (BENCHMARKS.md, issue 13).
func (c *checkRun) release() {
	c.nLinks = len(c.links)
	if c.checker != nil {
		c.checker.Close()
	}
	c.links, c.cp, c.checker, c.rec = nil, checkPlan{}, nil, nil
	c.sitePages, c.buckets, c.repos = nil, nil, sourceLinks{}
}

// reports writes the report of the run (--format, -o) and the HTML report
// (--report-dir, report.dir).
func (c *checkRun) reports() error {
	g, cfg := c.g, c.cfg
	data, err := buildReportData(c.db, cfg, &c.run)
	if err != nil {
		return err
	}
	c.data = data
	if err := writeReport(g, data, c.opts.Format, c.opts.Output); err != nil {
		return err
	}
	if dir := firstNonEmpty(c.opts.ReportDir, cfg.resolve(cfg.Report.Dir)); dir != "" {
		page, err := writeHTMLReport(c.db, cfg, data, dir)
		if err != nil {
			return err
		}
		if !g.Quiet {
			fmt.Fprintf(g.stderr, "linkvault: HTML report written to %s\n", page)
		}
	}
	return nil
}

// exitStatus is the exit status of the run: 2 when some notes could not be
// read, 1 when policy.fail_on says the run failed.
func (c *checkRun) exitStatus() error {
	if c.partial {
		fmt.Fprintf(c.g.stderr, "linkvault: some notes could not be read (see above): run %d took the %d links it could read and marked no link gone\n", c.run.ID, c.nLinks)
		return &exitError{code: exitUsage}
	}
	if failed(c.cfg.policy().FailOn, c.data) {
		return &exitError{code: exitFindings}
	}
	return nil
}

func applyCheckFlags(cfg *Config, opts CheckOptions) error {
	if err := applyFailOn(cfg, opts.FailOn); err != nil {
		return err
	}
	switch {
	case opts.Budget == -1:
	case opts.Budget < 0 || opts.Budget > 24*time.Hour:
		return linkvault.Errorf(linkvault.EInvalid, "--budget: must be between 0 and 24h, got %s", opts.Budget)
	default:
		cfg.Check.Budget = Duration(opts.Budget)
	}
	if opts.AllowPrivate {
		cfg.Check.AllowPrivate = true
	}
	for _, r := range opts.Resolve {
		host, addr, ok := strings.Cut(r, "=")
		if !ok || host == "" || addr == "" {
			return linkvault.Errorf(linkvault.EInvalid, "--resolve %q: want HOST[:PORT]=ADDR:PORT", r)
		}
		if err := resolveEntry(host, addr); err != nil {
			return linkvault.Errorf(linkvault.EInvalid, "--resolve %q: %w", r, err)
		}
		if cfg.Check.Resolve == nil {
			cfg.Check.Resolve = map[string]string{}
		}
		cfg.Check.Resolve[host] = addr
	}
	return nil
}

// applyFailOn applies a --fail-on flag (empty: none) to the config.
func applyFailOn(cfg *Config, failOn string) error {
	if failOn == "" {
		return nil
	}
	if !linkvault.FailOn(failOn).Valid() {
		return linkvault.Errorf(linkvault.EInvalid, "--fail-on: must be one of dead, new, broken, never; got %q", failOn)
	}
	cfg.Policy.FailOn = failOn
	return nil
}

// checkerOptions translates the config into crawler options.
func checkerOptions(g *globalOptions, cfg *Config, archiver *archive.Archiver) crawler.Options {
	c := cfg.Check
	o := crawler.Options{
		Concurrency:      c.Concurrency,
		HostConcurrency:  c.HostConcurrency,
		Rate:             c.Rate,
		Burst:            c.Burst,
		Retries:          retries(c.Retries),
		RetryWait:        time.Duration(c.RetryWait),
		RetryWaitMax:     time.Duration(c.RetryWaitMax),
		RetryAfterMax:    time.Duration(c.RetryAfterMax),
		DialTimeout:      time.Duration(c.ConnectTimeout),
		TLSTimeout:       time.Duration(c.TLSTimeout),
		HeaderTimeout:    time.Duration(c.HeaderTimeout),
		ReadTimeout:      time.Duration(c.ReadTimeout),
		Timeout:          time.Duration(c.Timeout),
		MaxBody:          int64(c.MaxBody),
		BreakerThreshold: c.Breaker,
		UserAgent:        c.UserAgent,
		Version:          version,
		CAFile:           cfg.resolve(c.CAFile),
		AllowPrivate:     c.AllowPrivate,
		Resolve:          c.Resolve,
		GitHubToken:      os.Getenv("GITHUB_TOKEN"),
		GitHubAPI:        c.GitHubAPI,
		Exclude:          cfg.exclude,
		Include:          cfg.include,
		Accept:           c.Accept,
		Headers:          c.Headers,
		CaptureMax:       int64(cfg.Archive.MaxSize),
		CaptureTypes:     cfg.Archive.Types,
		Soft404: crawler.Soft404Options{
			Disabled:   !cfg.Soft404.Enabled,
			NoProbe:    !cfg.Soft404.Probe,
			GoneText:   cfg.Soft404.GoneText,
			GenericMin: cfg.Soft404.GenericMin,
		},
	}
	for _, sg := range cfg.Soft404.Signatures {
		o.Soft404.Signatures = append(o.Soft404.Signatures, crawler.Signature{Host: sg.Host, Text: sg.Text})
	}
	if len(cfg.Hosts) > 0 {
		o.Hosts = make(map[string]crawler.HostOptions, len(cfg.Hosts))
		for h, hc := range cfg.Hosts {
			o.Hosts[h] = crawler.HostOptions{Rate: hc.Rate, Burst: hc.Burst, Concurrency: hc.Concurrency, Headers: hc.Headers, Accept: hc.Accept}
		}
	}
	if archiver != nil {
		// A failed snapshot (disk full …) is worth a warning, not a
		// failed check: the link itself answered.
		o.Capture = func(ctx context.Context, ex *linkvault.Exchange) error {
			_, err := archiver.Capture(ctx, ex)
			if err != nil && ctx.Err() == nil {
				fmt.Fprintf(g.stderr, "linkvault: warning: snapshot of %s: %v\n", ex.URL, err)
			}
			return err
		}
		o.Requisites = crawler.RequisiteOptions{
			Kinds:    cfg.Archive.Requisites,
			Max:      cfg.Archive.RequisitesMax,
			MaxBytes: int64(cfg.Archive.RequisitesMaxBytes),
			// Requisites are fetched for pages whose payload is new.
			Capture: func(ctx context.Context, ex *linkvault.Exchange) (bool, error) {
				c, err := archiver.Capture(ctx, ex)
				if err != nil && ctx.Err() == nil {
					fmt.Fprintf(g.stderr, "linkvault: warning: snapshot of %s: %v\n", ex.URL, err)
				}
				return err == nil && !c.Revisit, err
			},
		}
	}
	return o
}

// retries maps check.retries (0: no retry) to the crawler's Retries
// (0: the default, negative: none).
func retries(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// checkable drops the links that are never checked (mailto:, data: …).
func checkable(links []linkvault.Link) []linkvault.Link {
	out := links[:0:0]
	for _, l := range links {
		if l.Kind != linkvault.KindOther {
			out = append(out, l)
		}
	}
	return out
}

// checkPlan is what a run checks: the network targets in the order to
// check them, the local files, and, under a budget, the plan.
type checkPlan struct {
	targets []crawler.Target
	local   []linkvault.Link
	plan    *linkvault.Plan // nil without check.budget
}

// planChecks splits the links into network targets and local files. It
// drops web links checked ok within recheck_after; under check.budget it
// keeps, in order, the most urgent due links each host's rate allows
// (linkvault.MakePlan). The history is read in one transaction.
func planChecks(db *archive.DB, cfg *Config, links []linkvault.Link, all, capture bool, now time.Time) (checkPlan, error) {
	var cp checkPlan
	for _, l := range links {
		if l.Kind == linkvault.KindLocal {
			cp.local = append(cp.local, l)
		}
	}
	pl, po, recs, err := planInputs(db, cfg, links, now)
	if err != nil {
		return cp, err
	}
	if all {
		po.RecheckAfter = 0
	}
	p := linkvault.MakePlan(pl, po)
	if po.Budget > 0 {
		cp.plan = &p
	} else {
		// Without a budget every due link is checked in the notes' order
		// (the soft-404 probe of a host asks under its first deep link,
		// the same path every run).
		due := make(map[string]bool, len(p.Links))
		for _, u := range p.Links {
			due[u] = true
		}
		p.Links = p.Links[:0]
		for _, l := range pl {
			if due[l.URL] {
				p.Links = append(p.Links, l.URL)
			}
		}
	}
	captured, err := db.LatestCaptures(p.Links)
	if err != nil {
		return cp, err
	}
	frags := linkFragments(links)
	for _, u := range p.Links {
		t := crawler.Target{URL: u, Capture: capture, Captured: captured[u], Fragments: frags[u]}
		// A 304 has no body to judge fragments on: a page the notes link
		// to with a #fragment is asked without validators (a PDF's
		// #page=3 is never judged: it keeps them).
		if r := recs[u]; r != nil && (len(t.Fragments) == 0 || !lastHTML(r)) {
			t.ETag, t.LastModified = r.ETag, r.LastModified
		}
		cp.targets = append(cp.targets, t)
	}
	return cp, nil
}

// linkFragments maps the URL of each web link to the distinct #fragments
// its sources link to (crawler.Target.Fragments).
func linkFragments(links []linkvault.Link) map[string][]string {
	out := map[string][]string{}
	for _, l := range links {
		if l.Kind != linkvault.KindWeb {
			continue
		}
		for _, s := range l.Sources {
			if s.Fragment != "" && !slices.Contains(out[l.URL], s.Fragment) {
				out[l.URL] = append(out[l.URL], s.Fragment)
			}
		}
	}
	return out
}

// lastHTML reports whether the last check of r answered an HTML page, or
// there is no telling (never fetched, no Content-Type).
func lastHTML(r *linkvault.URLRecord) bool {
	if r.Last == nil || r.Last.ContentType == "" {
		return true
	}
	ct := strings.ToLower(r.Last.ContentType)
	return strings.Contains(ct, "text/html") || strings.Contains(ct, "xhtml")
}

// knownLandings maps the web links of the database that are not checked in
// this run and last ended on another URL to that URL, so that the checker
// can tell a landing page shared by many links across runs.
func knownLandings(db *archive.DB, targets []crawler.Target) (map[string]string, error) {
	checked := make(map[string]bool, len(targets))
	for _, t := range targets {
		checked[t.URL] = true
	}
	out := map[string]string{}
	err := db.URLs(func(r *linkvault.URLRecord) error {
		l := r.Last
		if r.Kind == linkvault.KindLocal || r.State == linkvault.StateGone || checked[r.URL] || l == nil {
			return nil
		}
		if l.HTTPStatus >= 200 && l.HTTPStatus < 300 && l.FinalURL != "" && l.FinalURL != r.URL {
			out[r.URL] = l.FinalURL
		}
		return nil
	})
	return out, err
}

// closeArchiver closes a, if any, and returns its error without saying
// it: the caller either returns the error or says it, never both.
func closeArchiver(ctx context.Context, a *archive.Archiver) error {
	if a == nil {
		return nil
	}
	// The files of an object store go up now (a failed upload leaves
	// them in the outbox for the next run); an interrupted run leaves
	// them there at once.
	return errors.Join(a.Upload(ctx), a.Close())
}

func countChecks(run linkvault.Run) int {
	n := 0
	for _, c := range run.Counts {
		n += c
	}
	return n
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
