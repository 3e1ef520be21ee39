// Package archive is linkvault's memory: one bbolt file holding every run,
// the state of every URL across runs and the history of its checks, plus
// the WARC snapshots of fetched pages and their index.
//
// Open returns a *DB. A run is recorded through a *Recorder: BeginRun
// stores the run and the links the notes reference, Record queues each
// check's linkvault.Result, and Finish stores the totals. Results are folded
// into linkvault.URLRecord values by linkvault.Advance, the pure state machine that
// decides when a URL is alive, failing, dead, blocked, moved, changed,
// fragment_missing or gone, and
// each check is appended to the URL's history as a linkvault.Check. The
// queries (URL, URLs, PlanRecords, History, Runs, LastRun, Stats) never touch the
// network. GC prunes old checks and compacts the file.
//
// The run history, the capture index, the Wayback cache and plans touch
// bbolt one way: every query is a function of a *bolt.Tx run by the DB's
// view or update, which also turn a fault in a damaged file into
// ErrDamaged. The capture index ("captures"), the digest index ("digests")
// and the Wayback cache ("wayback") are top-level buckets of their own,
// created on first write. The values of the capture and digest indexes
// are compact binary (entrycodec.go: under half the JSON they replace,
// the URL and time left to the key), and URL records are their JSON
// compressed with zstd against a frozen dictionary (urlcodec.go: a fifth
// to a third of it); the JSON values of databases written before are
// still read as they are, never rewritten. Schema version 2
// (migrate.go) makes a linkvault from before refuse such a file rather
// than misread it.
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
// # Deduplication
//
// A payload is stored once per archive, whatever URL it comes under. The
// digest index (bucket "digests", digests.go) maps each payload digest to
// the first full response record holding it (file, offset, record id, URL,
// date); it is written in the transaction that indexes that capture, after
// the record is on disk. Archiver.Capture writes an identical-payload-digest
// revisit record instead of a response when the payload equals that of the
// URL's own latest capture, or, failing that, when the digest index knows
// it: a site's stylesheet under site.css?v=1 and ?v=2, one CDN file linked
// from two hosts, the same picture on two pages. Pages and requisites
// alike (a requisite is no different a capture; two links serving the same
// bytes are the same copy). The revisit names the original with
// WARC-Refers-To (record id), WARC-Refers-To-Target-URI and
// WARC-Refers-To-Date, as WARC 1.1 §6.7.2 says, and with linkvault's
// filename and offset fields, which get, serve and the exports follow as
// for a revisit of the same URL; a revisit of another URL's payload has
// linkvault.Capture.RefersToURL set (JSON refers_to_url). Neither a
// truncated record nor an empty payload becomes an origin. Records are
// never deleted (GC prunes the check history and compacts; the copy keeps
// every bucket), so an entry never names a missing record. A database from
// before the digest index has no such bucket: lookups then scan the
// capture index, and the first capture written fills the bucket from it.
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
// # Object storage
//
// WARC files live in a *Store: a local directory, or an S3-compatible
// object store (OpenStore("s3://BUCKET/PREFIX?endpoint=…&region=…&path_style=…",
// outbox)). The client is the AWS SDK for Go v2 (service/s3 only), the
// reference client of the S3 API, which S3-compatible services (R2, B2,
// GCS's interoperability API, SeaweedFS, Ceph, MinIO) document for Go; it
// brings the standard credential
// chain (environment, profiles, SSO, instance and container roles),
// AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL and AWS_REGION, retries with
// backoff, and the conditional writes (If-None-Match, If-Match) the
// database's lease needs. gocloud.dev/blob wraps the same SDK and hides
// conditional writes; minio-go does not read AWS profiles or SSO. Only
// this package imports the SDK, and no SDK type leaves it: objstore.go
// wraps the eight operations the archive uses. Path-style addressing is
// used when the endpoint is an IP address or localhost, or when asked.
//
// With an object store, the Archiver writes into the store's local
// directory, the outbox, as it does into a local archive. A file closed
// (on rotation, or by Archiver.Upload at the end of a run) is uploaded
// once, under PREFIX/warc/NAME: the name it had locally, which never
// changes. The upload sends Content-MD5 (the server checks it) and the
// SHA-256 in the object's metadata, and the object's size and SHA-256 are
// read back; only then is the file entered in the database (bucket
// "warcs": name, size, SHA-256, ETag) and removed from the outbox. Index
// entries name a file, not a place: a reader takes the file from the
// outbox when it is there, else from the object store, with one range
// request of the record's length. So an index entry points at the outbox
// until the upload is verified, and at the object after: never at an
// object that is not there. A file whose upload failed stays in the
// outbox and goes up with the next Archiver on it; each run uploads only
// its own new files.
//
// Errors of the object store name the store, the operation and the key
// ("s3://b/p: put warc/NAME: AccessDenied: …") and carry code EInternal;
// Store.Check tries the store with one request before a run changes
// anything.
//
// # A database in a bucket
//
// A database can live in an object store (s3://BUCKET/PREFIX/NAME, see
// IsRemote) as numbered generations: the objects NAME/gen-NNNNNNNNNNNN.db.zst,
// each a zstd-compressed copy of the bbolt file (1 MB window: what a
// reader holds in memory to decompress it) with its size, SHA-256,
// the generation it was made from, the host and the command in its
// metadata, next to one lease object, NAME/lease. A command that writes
// calls CheckoutDB: it takes the lease, downloads the latest generation
// into a local file, and the command opens that file with Open; Commit
// uploads a snapshot (one read transaction, bbolt's Tx.WriteTo, so
// consistent while the Recorder writes) as the next generation, created
// only if absent (a generation is never overwritten), then checks the
// object (size, MD5 through its ETag, SHA-256 in its metadata) and
// deletes all but the last RemoteOptions.Generations. Fetch downloads the
// latest generation for commands that only read, without a lease. Restore
// uploads an older generation again as the latest.
//
// The lease is a small JSON object (host, pid, command, started,
// renewed, expires) created with If-None-Match: * and renewed every
// RemoteOptions.Lease/3 with If-Match on its last ETag, so that of two
// runs only one ever holds it: the other gets, at once, an EConflict
// error matching ErrInUse that names the holder ("… is in use by another
// linkvault run (started …, host …, pid …)"). A lease whose expiry has
// passed (its runner crashed or was cut off) is taken over by replacing
// it with If-Match, with a warning; the run that lost it finds out at its
// next renewal or at Commit (its ETag no longer matches) and does not
// upload: its local copy is kept and named. Expiry compares the
// holder's clock with the taker's: the runners' clocks must agree within
// the lease.
//
// Every downloaded generation is checked before it is used: its zstd
// frame checksum, its size and SHA-256 against its metadata, and the file
// as Open checks it (checkFile). A generation that fails is refused with
// an error matching ErrDamaged that names the generation before it, from
// which Restore starts again.
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
