package linkvault

import "unicode/utf8"

// Ellipsis ends a text that [Shorten] cut.
const Ellipsis = "…"

// quotePairs maps each opening quotation mark to its closing one. The ASCII
// double quote closes itself; the ASCII apostrophe is left out (it is
// mostly an apostrophe).
var quotePairs = map[rune]rune{
	'“': '”', '‘': '’', '「': '」', '『': '』', '《': '》', '"': '"',
}

// Shorten returns s when it is at most n bytes long, or else its longest
// prefix that ends neither inside a multibyte character nor inside a
// quotation (“…”, ‘…’, 「…」, 『…』, 《…》, "…"), followed by [Ellipsis],
// in at most n bytes in all. A quotation is kept whole or left out: a
// reason such as `says “该内容已被发布者删除”` never loses its closing
// mark. Trailing spaces before the ellipsis are dropped. When not even the
// ellipsis fits, the result is empty.
func Shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	limit := n - len(Ellipsis)
	if limit < 0 {
		return ""
	}
	// cut is the end of the longest prefix found so far that ends outside
	// a quotation and within limit.
	cut := 0
	var close rune // the mark that closes the quotation we are in
	for i, r := range s {
		if i > limit {
			break
		}
		if close == 0 {
			cut = i
		}
		switch {
		case close != 0 && r == close:
			close = 0
			if end := i + utf8.RuneLen(r); end <= limit {
				cut = end
			}
			continue
		case close == 0:
			if c, ok := quotePairs[r]; ok {
				close = c
				continue
			}
		}
		if close == 0 {
			if end := i + utf8.RuneLen(r); end <= limit {
				cut = end
			}
		}
	}
	for cut > 0 && s[cut-1] == ' ' {
		cut--
	}
	return s[:cut] + Ellipsis
}
