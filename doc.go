// Package linkvault holds the domain types of linkvault, a tool that keeps
// the links in a body of notes alive, or at least recoverable.
//
// The root package has no behaviour beyond small helpers on its types and
// imports only the standard library. The work is done by the packages named
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
package linkvault
