package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/linkvault/linkvault"
)

// progress shows how a check advances on stderr: a live bar on a
// terminal, a plain line every few seconds otherwise, nothing with -q.
type progress struct {
	w      io.Writer
	tty    bool
	quiet  bool
	total  int
	n      int
	bad    int
	start  time.Time
	last   time.Time
	every  time.Duration
	counts map[linkvault.Status]int
}

func newProgress(g *globalOptions, total int) *progress {
	p := &progress{w: g.stderr, quiet: g.Quiet, total: total, start: time.Now(), every: 5 * time.Second, counts: map[linkvault.Status]int{}}
	if f, ok := g.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
		p.every = 100 * time.Millisecond
	}
	p.last = p.start
	return p
}

// add counts one result; it is called serially by the checker.
func (p *progress) add(r linkvault.Result) {
	p.n++
	p.counts[r.Status]++
	if r.Status.Bad() {
		p.bad++
	}
	if p.quiet {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < p.every && p.n < p.total {
		return
	}
	p.last = now
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", p.line(now))
	} else {
		fmt.Fprintf(p.w, "linkvault: %s\n", p.line(now))
	}
}

func (p *progress) line(now time.Time) string {
	const width = 24
	frac := 1.0
	if p.total > 0 {
		frac = float64(p.n) / float64(p.total)
	}
	n := int(frac * width)
	bar := ""
	if p.tty {
		bar = "[" + strings.Repeat("=", n) + strings.Repeat(" ", width-n) + "] "
	}
	return fmt.Sprintf("%s%d/%d links checked, %d broken or unreachable, %s", bar, p.n, p.total, p.bad, now.Sub(p.start).Round(time.Second))
}

// done ends the live line.
func (p *progress) done() {
	if p.quiet || p.total == 0 {
		return
	}
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// useColor tells whether terminal output may use colours.
func useColor(g *globalOptions) bool {
	if g.NoColor || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := g.stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
