package extract

import (
	"bytes"
	"regexp"
	"slices"
	"sync"
)

// Inline ignore markers. In Markdown and HTML they are HTML comments (so
// they do not show when the note is rendered); in plain text, words
// anywhere on a line:
//
//	<!-- linkvault-ignore -->            linkvault:ignore             the links of this line
//	<!-- linkvault-ignore-line -->       linkvault:ignore-line        the same
//	<!-- linkvault-ignore-next-line -->  linkvault:ignore-next-line   the links of the next line
//	<!-- linkvault-ignore-start -->      linkvault:ignore-start       every link up to the end marker
//	<!-- linkvault-ignore-end -->        linkvault:ignore-end         (or to the end of the file)
var (
	ignoreComment = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`<!--\s*linkvault-ignore(-line|-next-line|-start|-end)?\s*-->`)
	})
	ignoreWord  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`linkvault:ignore(-line|-next-line|-start|-end)?\b`) })
	ignoreToken = []byte("linkvault")
)

// ignoreState is what the markers of one piece of a file carry to the
// next.
type ignoreState struct {
	block    bool // inside a start … end block
	nextLine bool // the first line is ignored (a next-line marker ended the previous piece)
}

// ignored returns the sorted, merged byte ranges of data whose links are
// ignored, given the marker matches (pairs of offsets, in order, from a
// regexp with one group: the kind of marker), and updates st for the next
// piece of the file.
func ignored(data []byte, marks [][]int, st *ignoreState) []span {
	var out []span
	lineEnd := func(off int) int {
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			return off + i
		}
		return len(data)
	}
	if st.nextLine {
		out = append(out, span{0, lineEnd(0)})
		st.nextLine = false
	}
	blockStart := -1
	if st.block {
		blockStart = 0
	}
	for _, m := range marks {
		kind := ""
		if m[2] >= 0 {
			kind = string(data[m[2]:m[3]])
		}
		switch kind {
		case "", "-line":
			out = append(out, span{bytes.LastIndexByte(data[:m[0]], '\n') + 1, lineEnd(m[1])})
		case "-next-line":
			end := lineEnd(m[1])
			if end+1 >= len(data) { // the next line is in the next piece
				st.nextLine = true
			} else {
				out = append(out, span{end + 1, lineEnd(end + 1)})
			}
		case "-start":
			if blockStart < 0 {
				blockStart = m[0]
			}
		case "-end":
			if blockStart >= 0 {
				out = append(out, span{blockStart, m[1]})
				blockStart = -1
			}
		}
	}
	st.block = blockStart >= 0
	if st.block {
		out = append(out, span{blockStart, len(data)})
	}
	return mergeSpans(out)
}

// markers returns the ignore markers of a piece of a file in the given
// format. For Markdown, only comments in the raw HTML spans count (a
// marker shown in a code span or block is not one).
func markers(f format, data []byte, html []span) [][]int {
	if f == formatText {
		return ignoreWord().FindAllSubmatchIndex(data, -1)
	}
	if f == formatHTML {
		return ignoreComment().FindAllSubmatchIndex(data, -1)
	}
	var out [][]int
	for _, s := range html {
		for _, m := range ignoreComment().FindAllSubmatchIndex(data[s.start:s.stop], -1) {
			for i := range m {
				if m[i] >= 0 {
					m[i] += s.start
				}
			}
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b []int) int { return a[0] - b[0] })
	return out
}

// dropIgnored removes the occurrences, sorted by offset, that lie in the
// ignored ranges.
func dropIgnored(occ []occurrence, ranges []span) []occurrence {
	if len(ranges) == 0 {
		return occ
	}
	return slices.DeleteFunc(occ, func(o occurrence) bool { return masked(ranges, o.off, o.off+1) })
}
