// Package archive is linkvault's memory: one bbolt file holding every run,
// the state of every URL across runs and the history of its checks, plus
// the WARC snapshots of fetched pages and their index.
//
// Open returns a *DB. A run is recorded through a *Recorder: BeginRun
// stores the run and the links the notes reference, Record queues each
// check's linkvault.Result, and Finish stores the totals. Results are folded
// into linkvault.URLRecord values by linkvault.Advance, the pure state machine that
// decides when a URL is alive, failing, dead, blocked, moved, changed or
// gone, and
// each check is appended to the URL's history as a linkvault.Check. The
// queries (URL, URLs, Records, History, Runs, LastRun, Stats) never touch the
// network. GC prunes old checks and compacts the file.
//
// The run history, the capture index, the Wayback cache and plans touch
// bbolt one way: every query is a function of a *bolt.Tx run by the DB's
// view or update, which also turn a fault in a damaged file into
// ErrDamaged. The capture index ("captures") and the Wayback cache
// ("wayback") are top-level buckets of their own, created on first write.
// No bbolt type leaves the package, and no type inside it holds a
// transaction, bucket or cursor (TestOneWayToBolt).
//
// # Repository sources
//
// Archiver.CaptureSource stores the source tarball of a repository at one
// commit as a WARC resource record (WARC-Target-URI the tarball's URL,
// the bytes as the forge sent them) and indexes it in its own bucket,
// "sources", by repository and commit and by link over time (see
// source.go): the capture index, and so the CDXJ and WACZ exports and the
// replay, are unchanged by sources. DB.SourceOf says whether a commit was
// archived (or skipped over the cap: a tarball over the caller's cap is
// not stored, and the skip is remembered with the cap), DB.NoteSource
// points another link at a commit already archived, and
// DB.LatestStoredSource finds what `linkvault get --source` gives back.
// URL records read through URL and URLs carry the latest source of the
// link (URLRecord.SourceCode).
//
// DB.SoftwareHeritageLookup asks Software Heritage's API for the latest
// visit of a repository origin, as WaybackLookup asks the Wayback Machine,
// and caches the answer (found or not) in the database; a 429 is a
// *RateLimitError (ErrRateLimited) and, like other errors, is not cached.
// URL records carry the cached answer (URLRecord.SoftwareHeritage).
//
// # States
//
// The states of a URL and the rules that move it from one to another are
// the root package's (linkvault.Advance, linkvault package documentation,
// # States); the archive applies them to every result a run records. A URL
// the notes no longer reference becomes gone (its record and history are
// kept) and gets its previous state back when it is referenced again; a
// partial run (linkvault.Run.Partial: some notes could not be read) marks
// nothing gone, since it does not know what the notes reference.
//
// # Page requisites
//
// The stylesheets, images and fonts a page needs (the crawler's page
// requisites) are captured as ordinary response records, indexed under
// their URL like any capture, and deduplicated like any capture: an
// unchanged payload becomes a revisit record. NewReplayHandler serves a
// page with its requisites (see its documentation for the rewriting and
// the Content-Security-Policy that keeps the replay off the live web).
//
// # Secrets
//
// An *Archiver never writes credentials: request records lose
// Authorization, Proxy-Authorization, Cookie and every header named in
// ArchiverOptions.RedactHeaders (linkvault passes all hosts.*.headers of
// the config), and response records lose Set-Cookie. WACZ and CDXJ exports
// are made from these records, so they hold none either.
//
// # Damaged files
//
// Open checks the file before bbolt maps it (checkFile, in verify.go):
// that it holds every page the meta page's high-water mark names, and that
// every page reachable from the root bucket (and the freelist) lies below
// that mark, says it is the page it is, is reached once, and holds its
// elements, keys and values inside itself in ascending order. It reads every
// page once, so every command pays it (see BENCHMARKS.md); it is what keeps
// bbolt from touching memory past the end of a file cut short (SIGBUS) and
// from following a page back to its ancestor (endless recursion), which
// bbolt's own Tx.Check would do too. DB.Check runs bbolt's Tx.Check (also
// free pages against used ones, keys in order across pages); GC runs it
// before compacting. A damaged file gives an error matching ErrDamaged, code
// linkvault.EInternal, naming the file, the damage and what to do. A panic
// or memory fault in bbolt that the check let through is recovered in every
// method (debug.SetPanicOnFault) into the same error; the DB then answers
// every call with it, since bbolt may have been left holding its locks.
// Values carry no checksum: damage inside a value shows as a decoding error.
//
// FuzzOpen opens mutated database files read-only and for writing and runs
// every query: errors only, never a panic or a hang (run for 4 minutes,
// 4,736 executions, on 2026-12-02; its corpus is in testdata/fuzz).
//
// # Caveats
//
// The file is locked by the process that has it open; Open waits at most
// Options.Timeout and then fails with ErrInUse. Read-only opens share the
// lock with each other but not with a writer. After bbolt panicked on a
// damaged file, Close leaves the file open and locked until the process
// exits.
//
// WARC files are written by the Archiver through its own writer (gowarc
// builds and marshals the records): a write that fails, as on a full disk,
// is cut back to the end of the last whole record, so later records get
// right offsets and nothing is indexed that was not wholly written and
// synced. Exports finish open WARC files first (see ExportCDXJ).
//
// Nothing returned by this package refers to memory inside the database:
// a byte slice from bbolt is valid only during its transaction, so every
// query decodes it or copies it (getCopy) before the transaction ends;
// transactions are kept short, since an open read transaction holds back a
// write that has to grow the file.
//
// A *Recorder owns one writer goroutine that commits results in batches
// (at most 100 ms or 8192 results each, one transaction and one fsync per
// batch); results queued since the last commit are lost if the process
// dies, and a
// run left unfinished by a crash is marked interrupted (with no end time) by
// the next BeginRun. Use one Recorder at a time per database.
//
// GC rewrites the file into a compacted copy and renames it over the
// original. Other methods wait while it runs. A process that was waiting
// for the lock on the old file when the rename happened would open the
// replaced file: run GC when no other linkvault process uses the database.
//
// History keys use a 64-bit hash of the URL; two URLs with the same hash
// would share a history. Statuses and states are stored as small codes
// from append-only tables (statusTable, stateTable), so a database written
// before a status or state was added reads back unchanged.
package archive
