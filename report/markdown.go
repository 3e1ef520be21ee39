package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/linkvault/linkvault"
)

// maxMarkdownRows caps each table so a job summary stays within GitHub's
// limits (1 MiB per step summary); the rest is counted.
const maxMarkdownRows = 200

// maxMarkdownSources caps the occurrences listed in one cell.
const maxMarkdownSources = 5

// writeMarkdown writes a GitHub-flavoured Markdown report fit for a job summary
// or an issue body: a headline with health counts, then tables of newly
// dead, dead, recovered and newly moved links, with failing and blocked
// links collapsed in <details>. Everything from the notes or the web is
// escaped so that it can neither break a table nor inject HTML; only http
// and https URLs become links.
func writeMarkdown(w io.Writer, d *Data) error {
	bw := bufio.NewWriter(w)
	s := summarize(d)
	m := mdWriter{w: bw, d: d}

	m.printf("## linkvault link health\n\n")
	m.printf("%s\n\n", headline(d, &s, func(st linkvault.State, n int) string {
		return fmt.Sprintf("%s **%d** %s", stateEmoji[st], n, st)
	}, " · "))
	if d.Run != nil {
		m.printf("%s\n\n", mdEscape(runLine(d)))
	}
	if line := freshnessLine(d); line != "" {
		m.printf("%s\n\n", mdEscape(line))
	}
	if d.Run != nil {
		m.printf("Since the previous run: **%d** newly dead, **%d** recovered, **%d** newly moved, **%d** newly failing.\n\n",
			len(s.NewlyDead), len(s.Recovered), len(s.NewlyMoved), len(s.NewlyFailing))
	}

	m.deadTable("Newly dead", s.NewlyDead)
	heading := "Dead"
	if d.Run != nil {
		heading = "Still dead"
	}
	m.deadTable(heading, s.StillDead)
	if len(s.Recovered) > 0 {
		m.printf("### ✅ Recovered (%d)\n\n| Link | Now | Verified | Where |\n| --- | --- | --- | --- |\n", len(s.Recovered))
		m.rows(s.Recovered, func(e *Entry) string {
			return fmt.Sprintf("| %s | %s | %s | %s |", m.link(e.URL, e.URL), mdEscape(string(e.State)), m.verified(e), m.sources(e))
		})
	}
	if len(s.NewlyMoved) > 0 {
		m.printf("### ↪️ Newly moved (%d)\n\n| Link | Moved to | Verified | Where |\n| --- | --- | --- | --- |\n", len(s.NewlyMoved))
		m.rows(s.NewlyMoved, func(e *Entry) string {
			return fmt.Sprintf("| %s | %s | %s | %s |", m.link(e.URL, e.URL), m.link(movedTo(e), movedTo(e)), m.verified(e), m.sources(e))
		})
	}
	if len(s.Changed) > 0 {
		m.printf("### 📝 Changed content (%d)\n\nAlive, but the main text no longer matches what the notes cited.\n\n| Link | Changed since | Verified | Copy as cited | Where |\n| --- | --- | --- | --- | --- |\n", len(s.Changed))
		m.rows(s.Changed, func(e *Entry) string {
			return fmt.Sprintf("| %s | %s | %s | %s | %s |", m.link(e.URL, e.URL), mdEscape(day(e.ChangedSince)), m.verified(e), m.copies(e), m.sources(e))
		})
	}
	if len(s.FragmentMissing) > 0 {
		m.printf("### ⚓ Fragment missing (%d)\n\nAlive, but the section a link points to is gone: no anchor of that name on the page.\n\n| Link | Missing | Verified | Where |\n| --- | --- | --- | --- |\n", len(s.FragmentMissing))
		m.rows(withFragmentSources(s.FragmentMissing), func(e *Entry) string {
			return fmt.Sprintf("| %s | %s | %s | %s |", m.link(e.URL, e.URL), mdEscape("#"+strings.Join(missingFragments(e), ", #")), m.verified(e), m.sources(e))
		})
	}
	m.collapsed("⚠️ Failing", s.Failing, "| Link | Last check | Verified | Bad runs | Copies | Where |\n| --- | --- | --- | --- | --- | --- |\n", func(e *Entry) string {
		return fmt.Sprintf("| %s | %s | %s | %d | %s | %s |", m.link(e.URL, e.URL), mdEscape(reason(e)), m.verified(e), e.ConsecutiveBad, m.copies(e), m.sources(e))
	})
	m.collapsed("🚫 Blocked", s.Blocked, "| Link | Last check | Verified | Where |\n| --- | --- | --- | --- |\n", func(e *Entry) string {
		return fmt.Sprintf("| %s | %s | %s | %s |", m.link(e.URL, e.URL), mdEscape(reason(e)), m.verified(e), m.sources(e))
	})
	if len(s.NewlyDead)+len(s.StillDead)+len(s.Failing)+len(s.Blocked) == 0 {
		m.printf("No dead, failing or blocked links. 🎉\n\n")
	}
	m.printf("<sub>linkvault %s · report schema %d · generated %s</sub>\n",
		mdEscape(d.Version), SchemaVersion, d.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"))
	if m.err != nil {
		return fmt.Errorf("report: markdown: %w", m.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: markdown: %w", err)
	}
	return nil
}

var stateEmoji = map[linkvault.State]string{
	linkvault.StateDead:    "🔴",
	linkvault.StateFailing: "🟠",
	linkvault.StateChanged: "📝",
	linkvault.StateBlocked: "🚫",
	linkvault.StateMoved:   "↪️",
	linkvault.StateAlive:   "🟢",
	linkvault.StateNew:     "🆕",
	linkvault.StateGone:    "👻",

	linkvault.StateFragmentMissing: "⚓",
}

// headline joins the counts of the states that a report shows: every state
// but gone, which appears only when d.ShowGone is set.
func headline(d *Data, s *summary, item func(linkvault.State, int) string, sep string) string {
	var parts []string
	for _, st := range linkvault.States {
		if st == linkvault.StateGone && !d.ShowGone {
			continue
		}
		parts = append(parts, item(st, s.States[st]))
	}
	return strings.Join(parts, sep)
}

// runLine describes the reported run in one line.
func runLine(d *Data) string {
	r := d.Run
	out := fmt.Sprintf("Run #%d started %s", r.ID, r.Start.UTC().Format("2006-01-02 15:04 UTC"))
	if !r.End.IsZero() {
		out += fmt.Sprintf(", took %s", r.End.Sub(r.Start).Round(1e9))
	}
	switch {
	case r.Interrupted:
		out += " (interrupted)"
	case !r.Finished:
		out += " (not finished)"
	}
	out += "."
	if r.Partial {
		out += " Some notes could not be read: no link was marked gone."
	}
	return out
}

type mdWriter struct {
	w   *bufio.Writer
	d   *Data
	err error
}

func (m *mdWriter) printf(format string, args ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, args...)
	}
}

func (m *mdWriter) rows(entries []*Entry, row func(*Entry) string) {
	for i, e := range entries {
		if i == maxMarkdownRows {
			m.printf("\n…and %d more.\n", len(entries)-i)
			break
		}
		m.printf("%s\n", row(e))
	}
	m.printf("\n")
}

func (m *mdWriter) deadTable(heading string, entries []*Entry) {
	if len(entries) == 0 {
		return
	}
	m.printf("### 🔴 %s (%d)\n\n| Link | Reason | Since | Verified | Where | Copies |\n| --- | --- | --- | --- | --- | --- |\n", heading, len(entries))
	m.rows(entries, func(e *Entry) string {
		link := m.link(e.URL, e.URL)
		if t := title(e, m.d.Policy); t != "" {
			link += "<br>" + mdEscape(t)
		}
		since := ""
		if !e.StateSince.IsZero() {
			since = e.StateSince.UTC().Format("2006-01-02")
		}
		return fmt.Sprintf("| %s | %s | %s | %s | %s | %s |", link, mdEscape(reason(e)), since, m.verified(e), m.sources(e), m.copies(e))
	})
}

func (m *mdWriter) collapsed(heading string, entries []*Entry, head string, row func(*Entry) string) {
	if len(entries) == 0 {
		return
	}
	m.printf("<details><summary>%s (%d)</summary>\n\n%s", heading, len(entries), head)
	m.rows(entries, row)
	m.printf("</details>\n\n")
}

// verified says when e was last checked ("3 days ago"), marked **stale**
// when the verdict is older than policy.max_age.
func (m *mdWriter) verified(e *Entry) string {
	ago := verifiedAgo(m.d, e)
	if stale(m.d, e) {
		return mdEscape(ago) + " · **stale**"
	}
	return mdEscape(ago)
}

// link renders a Markdown link when target is an http(s) URL, otherwise
// the escaped text.
func (m *mdWriter) link(text, target string) string {
	if text == "" {
		return ""
	}
	if !webURL(target) && !relativeURL(target) {
		return mdEscape(text)
	}
	return "[" + mdEscape(text) + "](" + mdDest(target) + ")"
}

// sources lists where a link occurs, linked into the repository when
// RepoURL is set.
func (m *mdWriter) sources(e *Entry) string {
	var parts []string
	for i, s := range e.Sources {
		if i == maxMarkdownSources {
			parts = append(parts, fmt.Sprintf("+%d more", len(e.Sources)-i))
			break
		}
		loc := location(s)
		if u := sourceURL(m.d, s); u != "" {
			parts = append(parts, m.link(loc, u))
		} else {
			parts = append(parts, mdEscape(loc))
		}
	}
	return strings.Join(parts, "<br>")
}

// copies links the archived copy, the Wayback copy, the new URL and a
// repository's source (archived here, or Software Heritage's).
func (m *mdWriter) copies(e *Entry) string {
	var parts []string
	if relativeURL(e.ArchivePath) {
		parts = append(parts, "["+"archived"+"]("+mdDest(e.ArchivePath)+")")
	} else if c, ok := Offered(e, m.d.Policy); ok {
		parts = append(parts, "archived "+day(c.Time)+" (linkvault get)")
	}
	if wb := waybackURL(e); webURL(wb) {
		parts = append(parts, "[Wayback]("+mdDest(wb)+")")
	}
	if mv := movedTo(e); webURL(mv) {
		parts = append(parts, "[moved]("+mdDest(mv)+")")
	}
	if sc := e.SourceCode; sc != nil && sc.Skipped == "" && sc.Commit != "" {
		parts = append(parts, mdEscape("source "+sc.ShortCommit()+" "+day(sc.Time)+" (linkvault get --source)"))
	} else if sw := e.SoftwareHeritage; sw != nil && webURL(sw.BrowseURL) {
		parts = append(parts, "[Software Heritage]("+mdDest(sw.BrowseURL)+")")
	}
	return strings.Join(parts, " · ")
}

var mdEscaper = strings.NewReplacer(
	`\`, `\\`,
	"|", `\|`,
	"[", `\[`,
	"]", `\]`,
	"*", `\*`,
	"_", `\_`,
	"`", "\\`",
	"~", `\~`,
	"<", "&lt;",
	">", "&gt;",
	"&", "&amp;",
	"\r\n", " ",
	"\n", " ",
	"\r", " ",
)

// mdEscape makes text from the notes or the web safe inside a Markdown
// table cell: no table break, no link, no emphasis, no HTML.
func mdEscape(s string) string {
	return mdEscaper.Replace(clean(s))
}

// mdDest makes a URL safe as a Markdown link destination inside a table:
// characters that end the destination or open HTML are percent-encoded,
// and | is escaped for the table.
func mdDest(u string) string {
	var b strings.Builder
	for _, r := range clean(u) {
		switch r {
		case ' ', '<', '>', '(', ')', '"', '\'', '`', '\\', '[', ']':
			fmt.Fprintf(&b, "%%%02X", r)
		case '|':
			b.WriteString(`\|`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
