package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/linkvault/linkvault"
)

// TextOptions tunes the terminal summary. The zero value is plain and
// short.
type TextOptions struct {
	Color   bool // ANSI colors (for a terminal)
	Verbose bool // list every dead, failing and blocked link with all its occurrences
}

// maxTextList caps the lists of the short text summary.
const maxTextList = 20

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
	ansiPurple = "\x1b[35m"
	ansiCyan   = "\x1b[36m"
	ansiOrange = "\x1b[38;5;208m" // 256-colour orange: fragment missing
)

var stateColor = map[linkvault.State]string{
	linkvault.StateDead:    ansiRed,
	linkvault.StateFailing: ansiYellow,
	linkvault.StateChanged: ansiBlue,
	linkvault.StateBlocked: ansiPurple,
	linkvault.StateMoved:   ansiBlue,
	linkvault.StateAlive:   ansiGreen,
	linkvault.StateNew:     ansiCyan,
	linkvault.StateGone:    ansiDim,

	linkvault.StateFragmentMissing: ansiOrange,
}

// Text writes a terminal summary: the counts of each state, then what
// changed in the reported run (newly dead, recovered, newly moved, newly
// failing). Still-dead, failing and blocked links are counted, and listed
// with every occurrence when opts.Verbose is set. Text from the notes or
// the web is stripped of control characters, so it cannot drive the
// terminal.
func Text(w io.Writer, d *Data, opts TextOptions) error {
	bw := bufio.NewWriter(w)
	s := summarize(d)
	t := textWriter{w: bw, d: d, color: opts.Color}

	head := "linkvault"
	if d.Version != "" {
		head += " " + clean(d.Version)
	}
	t.printf("%s", t.paint(ansiBold, head))
	if d.Run != nil {
		t.printf(" · %s", clean(runLine(d)))
	} else {
		t.printf(" · no run yet")
	}
	t.printf("\n")
	total := 0
	for _, st := range linkvault.States {
		if st != linkvault.StateGone {
			total += s.States[st]
		}
	}
	t.printf("%d links: %s", total, headline(d, &s, func(st linkvault.State, n int) string {
		label := fmt.Sprintf("%d %s", n, st)
		if n == 0 {
			return t.paint(ansiDim, label)
		}
		return t.paint(stateColor[st], label)
	}, ", "))
	if g := s.States[linkvault.StateGone]; g > 0 && !d.ShowGone {
		t.printf("%s", t.paint(ansiDim, fmt.Sprintf(" (%d gone, hidden)", g)))
	}
	t.printf("\n")
	if d.Run != nil && len(d.Run.Counts) > 0 {
		t.printf("%s\n", t.paint(ansiDim, "This run: "+classLine(d.Run.Counts)))
	}
	if line := freshnessLine(d); line != "" {
		t.printf("%s\n", t.paint(ansiDim, line))
	}

	t.list("Newly dead", "✗", ansiRed, s.NewlyDead, reason, opts.Verbose)
	t.list("Recovered", "✓", ansiGreen, s.Recovered, nil, opts.Verbose)
	t.list("Newly moved", "→", ansiBlue, s.NewlyMoved, nil, opts.Verbose)
	t.list("Newly failing", "!", ansiYellow, s.NewlyFailing, reason, opts.Verbose)
	t.list("Fragment missing", "#", ansiOrange, withFragmentSources(s.FragmentMissing), fragmentNote, opts.Verbose)
	if opts.Verbose {
		t.list("Still dead", "✗", ansiRed, s.StillDead, reason, true)
		t.list("Still failing", "!", ansiYellow, without(s.Failing, s.NewlyFailing), reason, true)
		t.list("Blocked", "?", ansiPurple, s.Blocked, reason, true)
		t.list("Changed content", "~", ansiBlue, s.Changed, changedNote, true)
		t.list("Skipped", "-", ansiDim, s.Skipped, skipReason, true)
		t.list("GitHub repositories to look at", "~", ansiBlue, s.Repos, repoNote, true)
		t.hosts(s.Hosts)
	} else if n := len(s.StillDead) + len(s.Failing) + len(s.Blocked); n > 0 {
		t.printf("\n%s\n", t.paint(ansiDim, fmt.Sprintf("%d still dead, %d failing, %d blocked (listed without -q, and in every report format).",
			len(s.StillDead), len(s.Failing), len(s.Blocked))))
	}
	if t.err != nil {
		return fmt.Errorf("report: text: %w", t.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: text: %w", err)
	}
	return nil
}

type textWriter struct {
	w     *bufio.Writer
	d     *Data
	color bool
	err   error
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

func (t *textWriter) paint(code, s string) string {
	if !t.color || code == "" {
		return s
	}
	return code + s + ansiReset
}

// list prints one section; why, when set, gives each entry's reason.
func (t *textWriter) list(heading, mark, color string, entries []*Entry, why func(*Entry) string, verbose bool) {
	if len(entries) == 0 {
		return
	}
	t.printf("\n%s\n", t.paint(ansiBold, fmt.Sprintf("%s (%d)", heading, len(entries))))
	for i, e := range entries {
		if !verbose && i == maxTextList {
			t.printf("  … and %d more\n", len(entries)-i)
			break
		}
		line := "  " + t.paint(color, mark) + " " + clean(e.URL)
		if e.State == linkvault.StateMoved && movedTo(e) != "" {
			line += " → " + clean(movedTo(e))
		}
		note := verified(t.d, e)
		if why != nil {
			note = strings.Join(nonEmpty(clean(why(e)), note), " · ")
		}
		switch {
		case stale(t.d, e):
			line += "  " + t.paint(ansiYellow, note)
		case note != "":
			line += "  " + t.paint(ansiDim, note)
		}
		t.printf("%s\n", line)
		srcs := e.Sources
		if !verbose && len(srcs) > 1 {
			srcs = srcs[:1]
		}
		var locs []string
		for _, s := range srcs {
			loc := location(s)
			if s.Fragment != "" {
				loc += " #" + s.Fragment
			}
			locs = append(locs, clean(loc))
		}
		if extra := len(e.Sources) - len(srcs); extra > 0 {
			locs = append(locs, fmt.Sprintf("+%d more", extra))
		}
		if len(locs) > 0 {
			t.printf("      %s\n", t.paint(ansiDim, strings.Join(locs, ", ")))
		}
		// Where the reader finds what the link pointed to: the local copy
		// first; the Wayback Machine's when there is none (or always, in
		// verbose mode).
		if copyMatters(e) {
			local, elsewhere := CopyNotes(e, t.d.Policy)
			if local != "" {
				t.printf("      %s\n", t.paint(ansiGreen, clean(local)))
			}
			if elsewhere != "" && (local == "" || verbose) {
				t.printf("      %s\n", clean(elsewhere))
			}
			// A repository's code: archived here, or by Software Heritage.
			if note := SourceNote(e); note != "" {
				t.printf("      %s\n", t.paint(ansiGreen, clean(note)))
			} else if note := SourceElsewhere(e); note != "" {
				t.printf("      %s\n", clean(note))
			}
		}
	}
}

// classLine counts the checks of a run per class, in report order.
func classLine(counts map[linkvault.Status]int) string {
	total := 0
	var parts []string
	for _, st := range linkvault.Statuses {
		if n := counts[st]; n > 0 {
			total += n
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	return fmt.Sprintf("%d checks: %s", total, strings.Join(parts, ", "))
}

// without returns the entries of all that are not in some.
func without(all, some []*Entry) []*Entry {
	skip := make(map[*Entry]bool, len(some))
	for _, e := range some {
		skip[e] = true
	}
	var out []*Entry
	for _, e := range all {
		if !skip[e] {
			out = append(out, e)
		}
	}
	return out
}

// hosts prints the hosts that had trouble: dead or blocked links, or 429s.
func (t *textWriter) hosts(rows []hostRow) {
	var bad []hostRow
	for _, h := range rows {
		if h.Dead > 0 || h.Blocked > 0 || h.Throttled > 0 {
			bad = append(bad, h)
		}
	}
	if len(bad) == 0 {
		return
	}
	t.printf("\n%s\n", t.paint(ansiBold, fmt.Sprintf("Hosts with trouble (%d of %d)", len(bad), len(rows))))
	for _, h := range bad {
		line := fmt.Sprintf("  %s  %s", clean(h.Host), plural(h.Links, "link"))
		if h.Dead > 0 {
			line += fmt.Sprintf(", %d dead", h.Dead)
		}
		if h.Blocked > 0 {
			line += fmt.Sprintf(", %d blocked", h.Blocked)
		}
		if h.Throttled > 0 {
			line += fmt.Sprintf(", %d × 429", h.Throttled)
		}
		if h.MeanLatency > 0 {
			line += fmt.Sprintf(", mean %s", h.MeanLatency.Round(time.Millisecond))
		}
		t.printf("%s\n", line)
	}
}
