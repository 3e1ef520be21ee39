// Package crawler checks links politely and classifies what it finds: the
// per-host fetching of one check, soft-404 detection, page analysis and
// the network safety rules.
//
// Turning notes into links (the walk, the Markdown, HTML and plain-text
// readers, the scanner's rules, inline-ignore markers and the canonical
// form of a URL) is package extract, in crawler/extract: its
// documentation is the extraction manual. The checker keys web links by
// [extract.Canonical].
//
// # Checking
//
// [Checker] checks targets politely (per-host queues, token buckets,
// concurrency limits, Retry-After, retries, circuit breakers; see its
// documentation) and classifies each one. Slow answers do not starve a
// run: every request has a total timeout, a request running longer than
// Options.SlowAfter gives its slot back (within a bounded pool of slow
// requests, and only while its host's last answer came quickly: a host
// whose answers are all slow is overloaded and keeps its concurrency
// limit), retries wait outside the slots, then go ahead of the host's
// links not yet started (a retry left for the end of a big host's queue
// made the run's tail), and a host's breaker opens only when the host is
// down, never because some of its URLs are slow. Memory follows the work
// under way, not the run's size: a link waiting in its host's queue is an
// index (its job is made when its check starts), and a host with nothing
// left to do is forgotten (see run.sweep). A 2xx answer is not
// believed blindly: soft 404s (a deleted WeChat article, a dead page sent to the
// home page, a parked domain, a site answering every path with its "not
// found" template) are reported as linkvault.StatusSoft404 with their
// evidence, found by platform signatures, redirect targets, one
// random-path probe per host and run, and landing pages shared by many
// links ([Soft404Options]; the rules are in soft404.go). Each page's main
// text is read with go-readability and fingerprinted (Result.TextHash)
// for content drift.
//
// The checking side has one file per concept: options.go (Options and
// their defaults), checker.go (Checker, NewChecker), transport.go and
// netguard.go (TLS roots, proxies, dialing, the private-address guard),
// client.go (the HTTP client of side requests), exchange.go (one request
// and its body), sched.go (queues, hosts,
// dispatch, the slow pool, the deadline), job.go (the life of one link:
// handle, redirect, finish, complete), classify.go (what an answer means:
// judgeOutcome, a pure function the scheduler only acts on; accept.go,
// which codes count as ok and which URLs are checked), page.go, decode.go
// and maintext.go (analysis of an HTML page: encoding, title, text, main
// text),
// soft404.go and similar.go (the pure half of soft 404 detection:
// signals, judge, similarity), probe.go (its scheduling half: the
// random-path probe of each host), requisites_find.go (what a page or a
// stylesheet needs to render: a pure reader) and requisites.go (their
// fetching). local.go checks local links on disk.
// source.go finds the repository source of a link (SourceOf: a GitHub
// repository, or a tree or file in one), the commit it names
// (Checker.SourceCommit: the GraphQL data of the check, else GitHub's REST
// API) and requests its tarball (Checker.OpenSource, through the polite
// client of side requests), for the archive to keep.
// site.go and sitemap.go crawl a website given as notes; buckets.go shares
// the per-host token buckets between a crawl and a check.
//
// Which answers count as ok is configurable, like lychee's --accept:
// Options.Accept (and HostOptions.Accept per host) list the final status
// codes counted as ok instead of 2xx and 3xx. Which URLs are checked at
// all: Options.Exclude skips matching URLs, Options.Include checks only
// matching ones and wins over Exclude; skipped URLs are reported as
// linkvault.StatusSkipped, "excluded" or "not included".
//
// # Page requisites
//
// With Options.Requisites, a page captured with a new payload (its first
// capture, or content that changed) brings what it needs to render:
// stylesheets (and their @import), images (src, srcset, the lazy-loading
// data-src and data-original of WeChat-like pages, CSS backgrounds,
// posters), fonts (@font-face), favicons, and scripts when asked. HTML is
// read with goquery; CSS with tdewolff/parse's CSS Syntax Level 3
// tokenizer, so comments, strings and escapes never pass for url().
// Requisites are jobs of the same run: each waits in its host's queue,
// spends a token of its host's bucket, counts against the concurrency
// limits, and is retried and slows its host down on 429 like a check (no
// politeness rule is bypassed). Each is asked with the page as Referer
// (hosts refusing hotlinks want it) and a browser's Accept, once per run
// however many pages need it, at most RequisiteOptions.Max per page and
// MaxBytes of payload; it is captured through the same capture function
// (the archive stores a payload it already has, under this URL or any
// other, as a small revisit: a stylesheet shared across pages, hosts or
// query strings is stored once). A page
// whose capture is a revisit brings no requisite: an unchanged rerun
// costs no requisite request (and a page archived before requisites were
// turned on gets them only when its content next changes). Requisites
// never produce a Result.
//
// # Websites as notes
//
// [Checker.Crawl] crawls a website given as notes (`linkvault check
// https://blog.example.com/`): its pages become notes, each link found at
// its line and column in the page's HTML ([linkvault.Source] File is the
// page's URL), and the pages themselves are links (the caller checks
// [Site.Links] with Check, which archives them like any page). This is
// where colly is used, for what it is: a crawler. Its collector brings the
// allowed domains ([SiteOptions].AllowDomains, the start URL's host and
// the host its redirects lead to by default), URL filters (Exclude), robots.txt (honoured unless
// IgnoreRobots, each host's file fetched once), the cookie jar and the
// redirects followed within the allowed domains; Crawl owns the rest, as
// LIBRARIES.md advises: a queue of pages breadth first from the start page
// and the pages of /sitemap.xml (sitemap indexes and .xml.gz followed; a
// sitemap is a note too, each <loc> a source at its line), HostConcurrency
// workers each calling the synchronous collector, de-duplication of
// canonical URLs (colly's is not atomic, and marks redirect targets
// visited), MaxDepth and MaxPages (a warning names the URL pattern, digits
// as N and query values as *, that most pages left out share: a calendar,
// session ids), redirect loops cut at their first repeated URL, the
// charset (DecodeHTML, as in Check: colly would convert only when the
// header names one), and the anchors of each page ([SitePage].Anchors:
// ids and <a name>, kept for fragment checks, which need no other
// request). Every request of a crawl — pages, redirects, robots.txt,
// sitemaps — goes through siteTransport: it takes a token from the host's
// bucket when the request leaves and then uses the Checker's transport
// (proxy, CA, resolve overrides, private-address guard), so a site is
// crawled as politely as links are checked. [Options].Buckets shares
// those buckets between the crawl and the Check that follows: one
// politeness budget per host. A start page that cannot be fetched, answers
// an error or is disallowed by robots.txt is a [*SiteError]; a start URL
// that is not HTML is returned as one link (Site.NotHTML).
//
// The start URL's redirects are followed wherever they lead, to any host,
// as muffet, linkinator and LinkChecker do: users give the address they
// know (http for https, the bare name for www, an old domain for its new
// one) and the server says where the site is. The host of the page landed
// on becomes one of the site's, crawled like the start URL's
// ([Site].Final names the page; the CLI says "crawling … (redirected from
// …)"); its /sitemap.xml is the one read, and the page landed on is
// checked against its host's robots.txt (colly checks robots.txt before a
// request, not before its redirects). There is no registrable-domain
// rule: it would refuse a github.io site moved to its own domain or a
// renamed domain, and the start URL is the user's own choice. Only the
// start page's redirects do this: another page that redirects to another
// host is a link, checked and not crawled. Every hop of every redirect
// takes its host's token like any request.
//
// Check does not crawl: it fetches one URL at a time, hop by hop, each
// hop one request of a plain net/http client whose RoundTripper (the
// recorder, exchange.go) reads and caps the body. It used colly's
// collector with every crawling feature turned off, which brought nothing
// but a request smuggled through a context and colly's URL rewriting on
// the wire; now that colly crawls sites, the check uses net/http directly.
// Each site page is fetched
// twice in a run, once by the crawl (for its links) and once by the check
// (for its verdict, soft-404 signals and snapshot), both within the same
// per-host budget.
//
// # Fragments
//
// A Target lists the #fragments the notes link to on its URL
// (Target.Fragments); links that differ only by fragment are one target,
// fetched once, and every fragment is judged. When the answer is an HTML
// page read whole, its anchors are collected on the tree the page
// analysis parses anyway (no other request, no second parse; anchors.go):
// every id, the name of every <a name>, and for rendered Markdown on
// GitHub (also Gitea, Forgejo) the heading ids "user-content-X" answer
// for #X, as the site's script scrolls there (a repository README on the
// repository's page, a blob/…md page; also when GitHub sends the
// rendered Markdown inside a JSON payload for its script, as its code view
// does: user-content- ids are looked for in the whole text, JSON escapes
// undone). A fragment is looked up as written
// and percent-decoded. Those not found are Result.MissingFragments: the
// page is alive, the section is gone (linkvault.StateFragmentMissing).
// Never judged, never missing: client-side routes (#/path, #!…), line
// anchors (#L10, #L10-L20, #L10C2-L12C4), text fragments (#:~:text=…;
// #sec:~:text=… asks for sec), #top and an empty fragment. No verdict
// (MissingFragments empty) when the page cannot be searched: not HTML
// (a PDF's #page=3), a body cut at MaxBody (the anchor may be past the
// cut), an application shell (its script builds the page and its
// anchors), a HEAD-only check, a bad answer, a 304 (the CLI asks a page
// linked with fragments without validators, so that it can be judged). A
// repository link with a fragment is fetched as a page even when GitHub's GraphQL API answers for the repository, which
// does not tell the README's anchors. Local Markdown and HTML files are
// judged by CheckLocal against their headings and anchors (see
// extract.Anchors).
//
// # Network safety
//
// Unless Options.AllowPrivate is set, no request reaches a special-purpose
// address of the IANA IPv4 and IPv6 registries (loopback, RFC 1918,
// link-local and cloud metadata 169.254.169.254, shared 100.64.0.0/10
// with Alibaba's 100.100.100.200, benchmarking, documentation, unique and
// site-local, NAT64 and 6to4 forms of those, …: the table is specialBlocks
// in netguard.go). Every hop is checked: direct connections on the
// resolved address at connect time, and requests sent through a proxy
// (HTTP_PROXY, HTTPS_PROXY) on the hop's literal address, Options.Resolve
// and a name lookup before the proxy is asked. A name that does not
// resolve locally is left to the proxy.
//
// The GitHub token (Options.GitHubToken) goes only over HTTPS to
// github.com, api.github.com and the host of Options.GitHubAPI, and never
// after a redirect crossed to another host or scheme. With a token, links
// to repositories, and to files and trees in them, are answered by
// GitHub's GraphQL API in batches (github_batch.go, github_graphql.go)
// before any page is fetched.
//
// [Checker.Disclose] tells whether a URL may be named to a third party
// (the Wayback Machine): only one on a public host, never a host that is,
// resolves to, or in this run connected to a special-purpose address, a
// name outside the public DNS, or a host with configured headers.
package crawler
