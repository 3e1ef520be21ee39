package report

import (
	"strings"

	"github.com/linkvault/linkvault"
)

// waybackSearchBase is where a reader looks a URL up in the Wayback
// Machine when the archive knows no snapshot of it: the URL is appended.
const waybackSearchBase = "https://web.archive.org/web/*/"

// CopyNotes says where a reader finds a copy of e. local describes the
// archived copy that a report offers (see Offered), with the command that
// gives it back: "archived 2026-12-01 · linkvault get URL"; elsewhere
// names the Wayback Machine's latest snapshot: "archived copy elsewhere:
// URL". Each is "" when there is no such copy; a Wayback URL that is not
// http(s) is never returned.
func CopyNotes(e *Entry, p linkvault.Policy) (local, elsewhere string) {
	if c, ok := Offered(e, p); ok {
		local = "archived " + day(c.Time) + " · linkvault get " + shellQuote(e.URL)
	}
	if wb := waybackURL(e); webURL(wb) {
		elsewhere = "archived copy elsewhere: " + wb
	}
	return local, elsewhere
}

// copyMatters reports whether a reader needs a copy of e: its page is gone,
// going, or no longer what the notes cited.
func copyMatters(e *Entry) bool {
	switch e.State {
	case linkvault.StateDead, linkvault.StateFailing, linkvault.StateChanged:
		return true
	}
	return false
}

// waybackSearch is the Wayback Machine page listing the snapshots of u, for
// a dead or failing link whose snapshot the archive does not know; "" for
// anything but an http(s) URL.
func waybackSearch(u string) string {
	if !webURL(u) {
		return ""
	}
	// A # would end the Wayback URL's path; spaces and quotes are escaped
	// so the result stays one URL wherever it is pasted.
	return waybackSearchBase + strings.NewReplacer("#", "%23", " ", "%20", `"`, "%22", "'", "%27").Replace(u)
}

// archiveDownload is the file name under which the report offers the
// archived copy at p (a path relative to the report) as a download, or ""
// when the browser may open it. WriteHTML writes the copies in the
// forms of classifyCopy: pages inside copyPage's sandbox, PDFs, images and
// text as they are, and anything a browser could run as a .bin file, the
// only kind offered as a download. It mirrors the rule of report.js.
func archiveDownload(p string) string {
	if !relativeURL(p) || !strings.HasSuffix(strings.ToLower(p), ".bin") {
		return ""
	}
	return p[strings.LastIndex(p, "/")+1:]
}

// shellQuote quotes s for a POSIX shell when it holds anything but
// characters that are safe unquoted, so that a printed command can be
// pasted as it is.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:%@+=,~", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// SourceNote describes the archived source of a repository link:
// "source archived (commit abc1234, 2026-12-01) · linkvault get --source
// URL", or, when the latest commit was over the cap, "source not archived
// (commit abc1234 over archive.repo_max_size)"; "" when there is none.
func SourceNote(e *Entry) string {
	sc := e.SourceCode
	if sc == nil || sc.Commit == "" {
		return ""
	}
	if sc.Skipped != "" {
		return "source not archived (commit " + sc.ShortCommit() + " over archive.repo_max_size, " + Bytes(sc.MaxSize) + ")"
	}
	return "source archived (commit " + sc.ShortCommit() + ", " + day(sc.Time) + ") · linkvault get --source " + shellQuote(e.URL)
}

// SourceElsewhere names Software Heritage's copy of a repository's source:
// "source archived elsewhere: BROWSE-URL (last visit 2026-11-20)"; "" when
// it has none or the link was not looked up.
func SourceElsewhere(e *Entry) string {
	sw := e.SoftwareHeritage
	if sw == nil || !webURL(sw.BrowseURL) {
		return ""
	}
	return "source archived elsewhere: " + sw.BrowseURL + " (last visit " + day(sw.LastVisit) + ")"
}
