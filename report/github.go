package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/linkvault/linkvault"
)

// GitHub writes GitHub Actions workflow commands that annotate the notes:
// "::error" for every occurrence of a dead link, "::warning" for every
// occurrence of a link that started failing in the reported run or whose
// #fragment names no anchor of its page (fragment missing), and
// "::notice" for a link that moved in the run. Each is placed on the note
// (file, line, col) when the note is in the repository; one outside it
// (an absolute path) is named in the message instead, since GitHub only
// annotates files of the repository. Values are escaped as the runner
// expects (%, CR and LF everywhere; also : and , in properties).
func GitHub(w io.Writer, d *Data) error {
	bw := bufio.NewWriter(w)
	s := summarize(d)
	newly := map[*Entry]bool{}
	for _, e := range s.NewlyFailing {
		newly[e] = true
	}
	for _, e := range s.NewlyMoved {
		newly[e] = true
	}
	for _, o := range occurrences(visible(d)) {
		var cmd, title, msg string
		switch {
		case o.e.State == linkvault.StateDead:
			cmd, title, msg = "error", "Dead link", o.e.URL+" — "+reason(o.e)
		case o.e.State == linkvault.StateFailing && newly[o.e]:
			cmd, title, msg = "warning", "Failing link", o.e.URL+" — "+reason(o.e)
		case sourceMissing(o.e, o.src):
			cmd, title, msg = "warning", "Fragment missing", o.e.URL+"#"+o.src.Fragment+" — "+fragmentNote(o.e)
		case o.e.State == linkvault.StateMoved && newly[o.e]:
			cmd, title, msg = "notice", "Moved link", o.e.URL+" → "+movedTo(o.e)
		default:
			continue
		}
		var props []string
		if o.src.File != "" && !inRepo(o.src.File) {
			// GitHub places annotations on files of the repository only: a
			// note outside it is named in the message.
			msg += " (at " + location(o.src) + ")"
		} else if o.src.File != "" {
			props = append(props, "file="+ghProperty(clean(o.src.File)))
			if o.src.Line > 0 {
				props = append(props, "line="+strconv.Itoa(o.src.Line))
			}
			if o.src.Column > 0 {
				props = append(props, "col="+strconv.Itoa(o.src.Column))
			}
		}
		props = append(props, "title="+ghProperty(title))
		if _, err := fmt.Fprintf(bw, "::%s %s::%s\n", cmd, strings.Join(props, ","), ghData(clean(msg))); err != nil {
			return fmt.Errorf("report: github: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: github: %w", err)
	}
	return nil
}

var (
	ghDataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghPropertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// ghData escapes the message of a workflow command.
func ghData(s string) string { return ghDataEscaper.Replace(s) }

// ghProperty escapes a property value of a workflow command.
func ghProperty(s string) string { return ghPropertyEscaper.Replace(s) }
