// Package linkvault holds the domain types of linkvault, a tool that keeps
// the links in a body of notes alive, or at least recoverable.
//
// The root package holds the domain types and the domain rules that the
// other packages share without importing each other (the URL state machine
// [Advance] and [Recovered], the [FailOn] decision, [Policy.WithDefaults]),
// and imports only the standard library. The work is done by the packages named
// after what they wrap:
//
//   - crawler/extract: notes → links (extraction, normalisation); no
//     network code.
//   - crawler: scheduling, fetching and classification of one check.
//   - archive: the BoltDB store of runs, URL states and check history, and
//     the WARC snapshots with their index.
//   - report: pure rendering of what the archive holds.
//   - cmd/linkvault: the command-line program that wires them together.
//
// The flow of one run is: [Link] values (a canonical URL and every [Source]
// where it occurs) are checked, each check giving a [Result] with a
// [Status]; the archive folds results into a [URLRecord] whose [State]
// remembers the URL across runs ([Run]); snapshots of what was fetched are
// indexed as [Capture] values.
//
// # States
//
// A URL is new until its first check. An ok check makes it alive (moved
// when the check followed a permanent redirect), resetting its bad streak;
// changed when its main text has drifted Policy.DriftDistance bits or more
// from the fingerprint of the first text seen, what the notes cited (see
// [URLRecord]: Cited, LastMatch, ChangedSince); fragment_missing when it
// answers but a #fragment the notes link to names none of its anchors
// (Result.MissingFragments: the page is alive, the section is gone; it
// fails a run under fail_on broken, never under dead). A broken, soft404
// or unreachable check makes it failing, and dead once
// Policy.DeadAfter consecutive bad checks span at least Policy.DeadMinAge
// since the first of them; a 404 or 410 counts as one bad check like any
// other. Blocked and throttled checks cannot tell alive from dead: they turn
// only a new URL into blocked, leave every other state as it is, and neither
// advance nor reset a bad streak. A skipped check (excluded, a private
// address) becomes the URL's last result but changes neither its state
// nor its streak. These rules are [Advance]; a failing or dead URL that
// answers again has [Recovered]. A URL the notes no longer reference becomes
// gone: the archive decides that at the end of a run (see its package
// documentation, # States).
package linkvault
