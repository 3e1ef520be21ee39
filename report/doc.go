// Package report renders what the archive holds: a terminal summary and
// machine-readable reports (JSON, Markdown, JUnit XML, SARIF, GitHub
// Actions annotations) and a self-contained HTML health report.
//
// The package is pure: renderers read a [Data] value that the command
// fills from the archive and write to an [io.Writer]; nothing here touches
// the network or the database. summarize computes the views every
// renderer shares (counts, what changed in the run, per-host rows), so
// that all formats agree.
//
// # Which links a report lists
//
// Every renderer lists the entries of visible: gone URLs (no longer in
// the notes) are left out unless Data.ShowGone is set, and the order is by
// state severity — dead, failing, changed, fragment_missing, blocked,
// moved, alive, new, gone (the order of linkvault.States) — then by URL, byte-wise. Per-occurrence
// formats (JUnit, SARIF, GitHub) are ordered by file, line, column, URL.
//
// A URL "changed in the run" when one of its checks of the reported run
// has Check.Changed set, or, without a check of that run, when its
// StateSince falls within the run. Newly dead, recovered (alive or moved
// again after failing or dead), newly moved and newly failing are the
// changed URLs in those states.
//
// # Freshness
//
// Every row of the terminal lists, the Markdown tables and the HTML table
// says when its link was last verified ("verified 3 days ago": the
// record's LastChecked, else its last result's CheckedAt, against
// Data.GeneratedAt). A verdict older than policy.max_age is stale: the
// terminal and Markdown write ", stale" / "**stale**" beside it, the HTML
// row gets the class "stale" and a "stale" mark in words (with a legend
// in the footer), never colour alone. With a budget or max_age in play,
// the summaries add one line: how many links are verified, the oldest
// verdict, how many are stale and how many due links the run left.
//
// # Fragment missing
//
// A link whose last check answered but found a #fragment the notes use
// missing from the page (Result.MissingFragments) is listed in its own
// section (text, Markdown) with only the occurrences to fix, whatever its
// state (a moved page may also have lost a section): the state
// fragment_missing has its own colour, card and filter (HTML). The
// per-occurrence formats mark only the occurrences whose fragment is
// missing: a fragment-missing SARIF result (warning), a GitHub
// "::warning", and in JUnit a failure under fail_on broken, a system-out
// note otherwise (fail_on dead never fails on a live page). [Outcomes]
// sets Outcome.FragmentMissing for fail_on.
//
// # Paths and links into the repository
//
// The command gives renderers source files relative to the repository
// root (the top level of the git repository holding the config, else the
// config's directory; Data.Root), and absolute paths for notes outside it.
// SARIF locates the former relative to %SRCROOT% and the latter by file://
// URIs; GitHub annotations place only the former on files. When
// Data.RepoURL is set (report.repo_url, or derived from GitHub Actions or
// .git), relative paths link into the repository; absolute ones never do.
//
// # The JSON contract
//
// The JSON report is an API that users script against; SCHEMA.md beside
// this file describes every field. In short: a top-level object with
// "schema_version" (the [SchemaVersion] constant, 1), "version",
// "generated_at", "run" (null before any run), "summary", "hosts" and
// "links". Each element of "links" starts with the fields of the link JSON
// that `linkvault links --format json` prints ("url", "kind", "sources")
// and adds the archive's knowledge ("result", "state", "state_since",
// "history", "captures", "wayback", …), so a script written against the
// link JSON reads the report unchanged. Times are RFC 3339 in UTC; a time
// that is unknown is left out. Fields are only ever added within a schema
// version.
//
// # Safety
//
// URLs, titles, error messages and file names come from the notes or the
// web and are treated as hostile: HTML goes through html/template, the
// embedded JSON is escaped for a <script> element, Markdown cells are
// escaped so they can neither break a table nor inject HTML, terminal and
// annotation output is stripped of control characters, and only http and
// https URLs (and relative archive paths) ever become links.
//
// Archived copies put beside the HTML report ([WriteHTML], through the
// caller's functions that open a stored payload, decode a page and write a
// file) are hostile pages too: they are only ever written in a form a browser will not run (classifyCopy):
// an HTML page is shown by copyPage in an <iframe sandbox srcdoc> under
// a Content-Security-Policy that loads nothing (no script runs, no request
// leaves, the report around it is out of reach; tested in Chromium);
// PDFs, raster images and plain text are written as they are; anything
// else is a .bin download. File extensions come from the content type,
// never from the URL.
package report
