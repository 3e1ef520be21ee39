package extract

import (
	"bytes"
)

// nextCut returns where to cut buf, the beginning of a note not yet read
// to its end, so that the piece before the cut can be extracted on its
// own: the length of that piece, or 0 when buf holds no such place.
//
// Plain text is cut after the last newline (a URL never spans lines).
// Markdown is cut at the start of the last line that begins a new block
// whatever came before (see markdownCut).
func nextCut(f format, buf []byte) int {
	if f == formatMarkdown {
		return markdownCut(buf)
	}
	return bytes.LastIndexByte(buf, '\n') + 1
}

// markdownCut returns the offset of the last line of buf after which
// Markdown can be parsed on its own with the same links, or 0: a line that
// follows a blank line, starts in column 1 with a character other than a
// space or tab, and lies outside fenced code blocks and outside the HTML
// blocks that may hold blank lines (comments, <pre>, <script>, <style>,
// <textarea>, <? ?>, <![CDATA[ ]]>). Such a line cannot continue a
// paragraph, a list item or an indented code block, so the blocks before
// it are closed.
//
// One thing does not hold across a cut: a reference link ([text][label])
// whose definition lies in another piece is still found at its definition
// (where its position always is), but without its link text.
func markdownCut(buf []byte) int {
	var (
		cut       int
		blank     = false // the previous line was blank
		fence     []byte  // the opening fence of the code block we are in
		htmlClose string  // what ends the HTML block we are in
	)
	for off := 0; off < len(buf); {
		nl := bytes.IndexByte(buf[off:], '\n')
		if nl < 0 {
			break // the last line is not complete
		}
		line := buf[off : off+nl]
		next := off + nl + 1
		switch {
		case fence != nil:
			if isFenceClose(line, fence) {
				fence = nil
			}
		case htmlClose != "":
			if containsFold(line, htmlClose) {
				htmlClose = ""
			}
		default:
			if blank && len(line) > 0 && line[0] != ' ' && line[0] != '\t' && off > 0 {
				cut = off
			}
			if f := fenceOpen(line); f != nil {
				fence = f
			} else if end := htmlBlockEnd(line); end != "" && !containsFold(line[1:], end) {
				htmlClose = end
			}
		}
		blank = len(bytes.TrimSpace(line)) == 0
		off = next
	}
	return cut
}

// fenceOpen returns the fence (``` or ~~~, three or more) that opens a
// fenced code block on line, indented by at most three spaces, or nil.
func fenceOpen(line []byte) []byte {
	i := 0
	for i < len(line) && i < 3 && line[i] == ' ' {
		i++
	}
	if i+3 > len(line) || line[i] != '`' && line[i] != '~' {
		return nil
	}
	c := line[i]
	j := i
	for j < len(line) && line[j] == c {
		j++
	}
	if j-i < 3 || c == '`' && bytes.IndexByte(line[j:], '`') >= 0 {
		return nil
	}
	return line[i:j]
}

// isFenceClose reports whether line closes the code block opened by
// fence: the same character, at least as many, then only spaces.
func isFenceClose(line, fence []byte) bool {
	i := 0
	for i < len(line) && i < 3 && line[i] == ' ' {
		i++
	}
	j := i
	for j < len(line) && line[j] == fence[0] {
		j++
	}
	return j-i >= len(fence) && len(bytes.TrimSpace(line[j:])) == 0
}

// containsFold reports whether b contains the lowercase ASCII s, ignoring
// ASCII case.
func containsFold(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if equalFold(b[i:i+len(s)], s) {
			return true
		}
	}
	return false
}

// htmlBlocks are the starts of the HTML blocks that a blank line does not
// end (CommonMark kinds 1 to 5, less the declarations <!X…>, which
// htmlBlockEnd handles), with what ends them.
var htmlBlocks = []struct{ start, end string }{
	{"<!--", "-->"},
	{"<pre", "</pre>"},
	{"<script", "</script>"},
	{"<style", "</style>"},
	{"<textarea", "</textarea>"},
	{"<?", "?>"},
	{"<![cdata[", "]]>"},
}

// htmlBlockEnd returns what ends the HTML block that line starts, when
// it is one that may hold blank lines, or "".
func htmlBlockEnd(line []byte) string {
	i := 0
	for i < len(line) && i < 3 && line[i] == ' ' {
		i++
	}
	line = line[i:]
	if len(line) < 2 || line[0] != '<' {
		return ""
	}
	for _, b := range htmlBlocks {
		if len(line) >= len(b.start) && equalFold(line[:len(b.start)], b.start) {
			return b.end
		}
	}
	if len(line) > 2 && line[1] == '!' && ('a' <= line[2]|0x20 && line[2]|0x20 <= 'z') {
		return ">" // a declaration such as <!DOCTYPE
	}
	return ""
}
