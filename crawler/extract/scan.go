package extract

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Match is one bare URL found by [ScanText].
type Match struct {
	// URL is the URL as written, s[Start:End], except that a '%' which
	// starts no valid escape is written "%25". Valid escapes are kept as
	// written and nothing else is encoded.
	URL string
	// Start and End are the byte offsets of the URL in the scanned text.
	Start, End int
}

// ScanText finds the bare http and https URLs in plain text. It is the
// CJK-aware scanner described in the package documentation: a URL starts
// at its scheme wherever that is (even glued to a Chinese character) and
// ends at whitespace, at CJK or full-width punctuation, at a few ASCII
// delimiters and at the bracket or quote that closes one written just
// before it (the ')' of a Markdown "](" among them); trailing punctuation
// that belongs to the sentence is trimmed. Offsets are byte offsets into
// s. Invalid UTF-8 is tolerated.
func ScanText(s string) []Match {
	var out []Match
	i := 0
	for i < len(s) {
		k := strings.Index(s[i:], "://")
		if k < 0 {
			break
		}
		k += i
		start := -1
		switch {
		case k-5 >= i && hasPrefixFold(s[k-5:k], "https"):
			start = k - 5
		case k-4 >= i && hasPrefixFold(s[k-4:k], "http"):
			start = k - 4
		}
		if start < 0 {
			i = k + 3
			continue
		}
		end, ok := scanURL(s, start, k+3, closerOf(s, start))
		if !ok {
			i = k + 3
			continue
		}
		out = append(out, Match{URL: fixPercent(s[start:end]), Start: start, End: end})
		i = end
	}
	return out
}

// hasPrefixFold reports whether s begins with the lowercase ASCII prefix,
// ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for j := 0; j < len(prefix); j++ {
		if s[j]|0x20 != prefix[j] {
			return false
		}
	}
	return true
}

// asciiStop marks the ASCII bytes that end a URL.
var asciiStop = func() (t [utf8.RuneSelf]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t[0x7f] = true
	for _, c := range " <>`" {
		t[c] = true
	}
	return t
}()

// closerOf returns the character that closes the bracket or quote written
// just before the URL starting at start, or 0. A URL opened by one ends
// at its closing partner: at the first ')' (']', '}') that closes no '('
// ('[', '{') of the URL itself, or at the next quote of the same kind.
func closerOf(s string, start int) byte {
	if start == 0 {
		return 0
	}
	switch c := s[start-1]; c {
	case '(':
		return ')'
	case '[':
		return ']'
	case '{':
		return '}'
	case '"', '\'':
		return c
	}
	return 0
}

// stopRune reports whether the non-ASCII rune r ends a URL.
func stopRune(r rune) bool {
	switch {
	case r == utf8.RuneError: // invalid UTF-8 (or a literal U+FFFD)
		return true
	case r >= 0x80 && r <= 0x9f: // C1 controls
		return true
	case r >= 0x3000 && r <= 0x303f: // CJK symbols and punctuation
		return true
	case r >= 0xff00 && r <= 0xff65: // full-width forms
		return true
	case r >= 0x2018 && r <= 0x201f, r == 0x2026: // curly quotes, ellipsis
		return true
	case r == 0x00a0, r == 0x200b, r == 0xfeff:
		return true
	case r >= 0xfe10 && r <= 0xfe1f, r >= 0xfe30 && r <= 0xfe4f: // vertical forms, CJK compatibility forms
		return true
	}
	return unicode.IsSpace(r) || unicode.IsControl(r)
}

// scanURL finds the end of the URL whose scheme starts at start and whose
// authority starts at p (just after "://"). ok is false when there is no
// valid URL there. The work done for a failed attempt is bounded by the
// length of its authority, so that scanning stays linear.
//
// closer, when not 0, is the character that closes a bracket or quote
// written just before the URL (see closerOf): the URL ends there.
func scanURL(s string, start, p int, closer byte) (end int, ok bool) {
	// 1. The authority runs to '/', '?', '#' or a stop character; where it
	// stops being a plausible userinfo@host:port, the URL stops.
	ae := scanTo(s, p, true, closer)
	end = cutAuthority(s, p, ae)
	if end == ae && ae < len(s) && (s[ae] == '/' || s[ae] == '?' || s[ae] == '#') {
		// A path follows: the authority is final (no trimming reaches it).
		if !validAuthority(s[p:ae]) {
			return 0, false
		}
		// 2. Path, query and fragment run to the first stop character.
		end = scanTo(s, ae, false, closer)
	}
	// 3. Trailing punctuation that belongs to the sentence.
	end = trimTrailing(s, start, end)
	if end <= p {
		return 0, false
	}
	// 4. What is left must have a valid host.
	if !validAuthority(s[p:authorityEnd(s, p, end)]) {
		return 0, false
	}
	return end, true
}

// scanTo returns the offset of the first stop character at or after i
// (and, when authority is set, of the first '/', '?' or '#'), or of the
// closer (when not 0) that is not balanced by an opener after i.
func scanTo(s string, i int, authority bool, closer byte) int {
	var opener byte
	switch closer {
	case ')':
		opener = '('
	case ']':
		opener = '['
	case '}':
		opener = '{'
	}
	depth := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiStop[c] || authority && (c == '/' || c == '?' || c == '#') {
				return i
			}
			if c == '"' && closer != '"' {
				// A double quote ends the URL unless another one closes
				// it before the URL would end: a_"quoted" is kept whole.
				if authority {
					return i
				}
				j := scanTo(s, i+1, false, '"')
				if j >= len(s) || s[j] != '"' {
					return i
				}
				i = j + 1
				continue
			}
			if closer != 0 {
				switch c {
				case opener:
					depth++
				case closer:
					if depth == 0 {
						return i
					}
					depth--
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if stopRune(r) {
			return i
		}
		i += size
	}
	return i
}

// authorityEnd returns the end of the authority that starts at p.
func authorityEnd(s string, p, end int) int {
	if k := strings.IndexAny(s[p:end], "/?#"); k >= 0 {
		return p + k
	}
	return end
}

// cutAuthority returns end, or an earlier position where the authority
// in s[p:end] stops being a plausible userinfo@host:port.
func cutAuthority(s string, p, end int) int {
	ae := authorityEnd(s, p, end)
	hp := p
	if at := strings.LastIndexByte(s[p:ae], '@'); at >= 0 {
		hp = p + at + 1
	}
	i := hp
	if i < ae && s[i] == '[' { // IP literal
		j := strings.IndexByte(s[i:ae], ']')
		if j < 0 {
			return i
		}
		i += j + 1
	} else {
		var urlEnds bool
		if i, urlEnds = hostNameEnd(s, hp, ae); urlEnds {
			return i
		}
	}
	if i < ae && s[i] == ':' {
		i++
		for i < ae && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i < ae {
			return p // a port that is not a number: no URL
		}
	}
	if i < ae {
		return i
	}
	return end
}

// hostNameEnd returns where the host name at s[hp:ae] stops: at ae, or at
// the first byte or rune no host name has (a port's ':' among them). ends
// reports that the URL itself ends there: a CJK character or a symbol
// glued to an ASCII top-level label ("https://a.example中文" is
// https://a.example).
func hostNameEnd(s string, hp, ae int) (i int, ends bool) {
	dot, asciiLabel := false, true
	for i = hp; i < ae; {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '.':
				dot, asciiLabel = true, true
			case isHostByte(c):
			default:
				return i, false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		symbol := unicode.Is(unicode.So, r) // ✪, ➡: IDNA decides
		if !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r) && !symbol {
			return i, false
		}
		if dot && asciiLabel && i > hp && s[i-1] != '.' && (symbol || IsCJK(r)) {
			return i, true
		}
		asciiLabel = false
		i += size
	}
	return i, false
}

// isHostByte reports whether c may appear in an ASCII host label.
func isHostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// IsCJK reports whether r is a Han, Hiragana, Katakana or Hangul character:
// the scripts written without spaces, where a URL may be glued to the text
// around it. The scanner cuts hosts on it; the checker's page similarity
// (package crawler) uses it to split such text into shingles.
func IsCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// trimTrailing trims sentence punctuation from the end of s[start:end]:
// . , ; : ! ? always; ) ] } when unbalanced; ' and " when their count in
// the URL is odd (quotes pair like brackets); * _ ~ beyond the count of
// the same character earlier in the URL.
func trimTrailing(s string, start, end int) int {
	var n [128]int // counts of the bracket, quote and delimiter characters
	for j := start; j < end; j++ {
		switch c := s[j]; c {
		case '(', ')', '[', ']', '{', '}', '*', '_', '~', '\'', '"':
			n[c]++
		}
	}
	for end > start {
		c := s[end-1]
		switch c {
		case '.', ',', ';', ':', '!', '?':
			end--
			continue
		case '\'', '"':
			if n[c]%2 == 1 {
				n[c]--
				end--
				continue
			}
		case ')', ']', '}':
			open := byte('(')
			if c == ']' {
				open = '['
			} else if c == '}' {
				open = '{'
			}
			if n[c] > n[open] {
				n[c]--
				end--
				continue
			}
		case '*', '_', '~':
			run := 0
			for end-run > start && s[end-run-1] == c {
				run++
			}
			if inner := n[c] - run; inner < run {
				n[c] -= run - inner
				end -= run - inner
				continue
			}
		}
		break
	}
	return end
}

// validAuthority reports whether a is userinfo@host:port with a non-empty,
// valid host and a numeric port.
func validAuthority(a string) bool {
	if at := strings.LastIndexByte(a, '@'); at >= 0 {
		for j := 0; j < at; j++ {
			if !isUserinfoByte(a[j]) {
				return false
			}
		}
		a = a[at+1:]
	}
	host := a
	if strings.HasPrefix(a, "[") {
		j := strings.IndexByte(a, ']')
		if j < 0 {
			return false
		}
		host, a = a[:j+1], a[j+1:]
		if !validIPLiteral(host) {
			return false
		}
	} else if j := strings.IndexByte(a, ':'); j >= 0 {
		host, a = a[:j], a[j:]
		if !validHost(host) {
			return false
		}
	} else {
		return validHost(host)
	}
	if a == "" {
		return true
	}
	if a[0] != ':' {
		return false
	}
	for j := 1; j < len(a); j++ {
		if a[j] < '0' || a[j] > '9' {
			return false
		}
	}
	return true
}

func isUserinfoByte(c byte) bool {
	return isHostByte(c) || strings.IndexByte(".~!$&'()*+,;=:%", c) >= 0
}

// validIPLiteral reports whether h is a bracketed IPv6 address.
func validIPLiteral(h string) bool {
	if len(h) < 2 || h[0] != '[' || h[len(h)-1] != ']' {
		return false
	}
	a, err := netip.ParseAddr(h[1 : len(h)-1])
	return err == nil && a.Is6() && a.Zone() == ""
}

// validHost reports whether h is a plausible host name: dot-separated
// non-empty labels (a single trailing dot allowed), ASCII letters, digits,
// '-' and '_', or an internationalised name that IDNA accepts.
func validHost(h string) bool {
	if h == "" || h == "." || tooLong(h) {
		return false
	}
	ascii := true
	for j := 0; j < len(h); j++ {
		if h[j] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		_, err := idna.Lookup.ToASCII(h)
		return err == nil
	}
	label := 0
	for j := 0; j < len(h); j++ {
		c := h[j]
		switch {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
		case isHostByte(c):
			label++
		default:
			return false
		}
	}
	return true
}

// fixPercent writes a '%' that starts no valid escape as "%25".
func fixPercent(u string) string {
	j := strings.IndexByte(u, '%')
	if j < 0 {
		return u
	}
	var b strings.Builder
	last := 0
	for ; j < len(u); j++ {
		if u[j] != '%' {
			continue
		}
		if j+2 < len(u) && isHex(u[j+1]) && isHex(u[j+2]) {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(u) + 4)
		}
		b.WriteString(u[last:j])
		b.WriteString("%25")
		last = j + 1
	}
	if last == 0 {
		return u
	}
	b.WriteString(u[last:])
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// tooLong reports whether host h exceeds what DNS allows: 253 characters
// in all, 63 in a label (counted in runes, which is never more than in the
// ASCII form of an internationalised name). It also bounds the quadratic
// cost of punycode.
func tooLong(h string) bool {
	total, label := 0, 0
	for _, r := range h {
		total++
		label++
		if r == '.' {
			label = 0
		}
		if label > 63 || total > 254 {
			return true
		}
	}
	return false
}
