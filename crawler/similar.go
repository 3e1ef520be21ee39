package crawler

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/linkvault/linkvault/crawler/extract"

	"github.com/linkvault/linkvault"
)

// Limits of the text comparison.
const (
	minHashTokens = 40   // tokens a text needs for textHash to be non-zero
	maxDiffTokens = 3000 // tokens of each side compared by diffRatio
	shingleWords  = 3    // words per Latin shingle
	nearDistance  = 3    // simhash distance up to which near pages are the same
	nearRatio     = 0.95 // diff ratio from which near pages are the same
	shellRunes    = 30   // visible text below which a page with scripts is a shell
)

// unspaced reports whether r belongs to a script written without spaces
// between words: [extract.IsCJK], or the Katakana prolonged sound mark (a Common
// character that appears inside Katakana words).
func unspaced(r rune) bool { return r >= 0x1100 && (extract.IsCJK(r) || r == 'ー') }

// isWord reports whether r is part of a word of a spaced script.
func isWord(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// tokens splits s into comparison tokens: lowercased words of letters and
// digits for spaced scripts, and overlapping character bigrams for runs of
// Han, Kana and Hangul ("链接检查" gives "链接", "接检", "检查"; a run of
// one character is one token). Everything else separates tokens.
func tokens(s string) []string {
	var out []string
	eachToken(s, func(t string) { out = append(out, t) })
	return out
}

// eachToken calls fn with each token of s, as tokens returns them.
func eachToken(s string, fn func(string)) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case unspaced(r):
			j, prev := i+n, i
			for j < len(s) {
				r, m := utf8.DecodeRuneInString(s[j:])
				if !unspaced(r) {
					break
				}
				fn(s[prev : j+m])
				prev, j = j, j+m
			}
			if prev == i {
				fn(s[i:j])
			}
			i = j
		case isWord(r):
			j := i + n
			for j < len(s) {
				if c := rune(s[j]); c < utf8.RuneSelf {
					if !isWord(c) {
						break
					}
					j++
					continue
				}
				r, m := utf8.DecodeRuneInString(s[j:])
				if !isWord(r) || unspaced(r) {
					break
				}
				j += m
			}
			fn(strings.ToLower(s[i:j]))
			i = j
		default:
			i += n
		}
	}
}

// FNV-64a parameters.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fnvAdd continues the FNV-64a hash h with the bytes of s.
func fnvAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// shingler turns a token sequence, given one token at a time, into the
// FNV-64a hashes of its features: each CJK bigram as it is, and for each
// run of words the overlapping shingles of shingleWords words joined by
// spaces (a run shorter than that is one feature). Shingles keep word
// order, so a changed word touches only the few features around it.
type shingler struct {
	fn   func(uint64)             // called with each feature hash
	last [shingleWords - 1]string // the words before the current one
	run  int                      // words in the current run
}

// add adds the next token.
func (sh *shingler) add(t string) {
	if r, _ := utf8.DecodeRuneInString(t); unspaced(r) {
		sh.end()
		sh.fn(fnvAdd(fnvOffset, t))
		return
	}
	if sh.run++; sh.run >= shingleWords {
		h := fnvAdd(fnvOffset, sh.last[0])
		for _, w := range sh.last[1:] {
			h = fnvAdd(fnvAdd(h, " "), w)
		}
		sh.fn(fnvAdd(fnvAdd(h, " "), t))
	}
	copy(sh.last[:], sh.last[1:])
	sh.last[len(sh.last)-1] = t
}

// end ends the current run of words: a run shorter than a shingle is
// one feature.
func (sh *shingler) end() {
	if sh.run > 0 && sh.run < shingleWords {
		words := sh.last[len(sh.last)-sh.run:]
		h := fnvAdd(fnvOffset, words[0])
		for _, w := range words[1:] {
			h = fnvAdd(fnvAdd(h, " "), w)
		}
		sh.fn(h)
	}
	sh.run = 0
}

// simhasher accumulates the simhash of feature hashes. Each feature adds
// one to the count of each bit its hash has set and subtracts one for
// each bit it has not; the sum has the bits whose count is positive.
type simhasher struct {
	ones  [64]int   // per bit, the features that have it set
	lanes [8]uint64 // bits b, b+8, …, b+56 counted in the bytes of lanes[b]
	n     int       // features
}

// add adds the hash of a feature. Eight bits are counted at a time in the
// byte lanes, moved to ones before a lane can overflow.
func (s *simhasher) add(x uint64) {
	for b := range s.lanes {
		s.lanes[b] += x >> b & 0x0101010101010101
	}
	if s.n++; s.n%255 == 0 {
		s.flush()
	}
}

// flush moves the counts of the lanes to ones.
func (s *simhasher) flush() {
	for b, l := range s.lanes {
		for k := range 8 {
			s.ones[8*k+b] += int(l >> (8 * k) & 0xff)
		}
	}
	s.lanes = [8]uint64{}
}

// sum returns the simhash.
func (s *simhasher) sum() uint64 {
	s.flush()
	var h uint64
	for i, c := range s.ones {
		if 2*c > s.n {
			h |= 1 << i
		}
	}
	return h
}

// simhash returns the 64-bit simhash of a token sequence (from tokens):
// each occurrence of a feature (shingler) adds one to the count of each
// bit its hash has set and subtracts one for each bit it has not; the
// result has the bits whose count is positive. Similar sequences give
// hashes at a small Hamming distance, unrelated ones differ in 32 bits on
// average. No tokens give 0.
func simhash(toks []string) uint64 {
	var s simhasher
	sh := shingler{fn: s.add}
	for _, t := range toks {
		sh.add(t)
	}
	sh.end()
	return s.sum()
}

// textHash returns the simhash of the tokens of text, or 0 when text has
// fewer than minHashTokens tokens (40 words, or about 40 Chinese
// characters): too little for a stable fingerprint, where one changed word
// would move it by many bits. A fingerprint that happens to be 0 is
// returned as 1, so 0 always means "none".
func textHash(text string) uint64 {
	var s simhasher
	sh := shingler{fn: s.add}
	n := 0
	eachToken(text, func(t string) {
		n++
		sh.add(t)
	})
	sh.end()
	if n < minHashTokens {
		return 0
	}
	return max(s.sum(), 1)
}

// diffRatio returns the similarity of two token sequences in [0, 1] as
// Python's difflib SequenceMatcher.ratio does: twice the number of tokens
// in matching blocks over the total number of tokens (1 when both are
// empty). Only the first maxDiffTokens of each side are compared, which
// bounds the cost for long pages.
func diffRatio(a, b []string) float64 { return matcher(a, b).Ratio() }

// matcher returns a SequenceMatcher of the first maxDiffTokens of a and b.
func matcher(a, b []string) *difflib.SequenceMatcher {
	return difflib.NewMatcher(a[:min(len(a), maxDiffTokens)], b[:min(len(b), maxDiffTokens)])
}

// pageSig is what near compares of a page: its title and main text with
// the tokens of the request path removed, so that an error template that
// echoes the requested path looks the same for every path.
type pageSig struct {
	title string   // title tokens without the path's, joined by spaces
	hash  uint64   // simhash of toks, 0 without tokens
	toks  []string // main text tokens without the path's
}

// newSig returns the signature of p fetched at path (a URL path, escaped
// or not). The words of the path, escaped and unescaped, are removed from
// the title and the main text: Latin words (letters and digits, split at
// everything else, lowercased) as tokens wherever they occur, runs of two
// or more CJK characters as substrings before the text is split into
// bigrams, so that no bigram straddling the echoed path is left.
func newSig(p page, path string) pageSig {
	forms := []string{path}
	if u, err := url.PathUnescape(path); err == nil && u != path {
		forms = append(forms, u)
	}
	drop := make(map[string]bool) // tokens removed
	var runs []string             // CJK substrings removed
	for _, f := range forms {
		for _, t := range tokens(f) {
			if r, _ := utf8.DecodeRuneInString(t); !unspaced(r) || utf8.RuneCountInString(t) == 1 {
				drop[t] = true
			}
		}
		for _, run := range strings.FieldsFunc(f, func(r rune) bool { return !unspaced(r) }) {
			if utf8.RuneCountInString(run) > 1 {
				runs = append(runs, run)
			}
		}
	}
	slices.SortFunc(runs, func(a, b string) int { return len(b) - len(a) }) // longest first
	strip := func(s string) []string {
		for _, r := range runs {
			s = strings.ReplaceAll(s, r, " ")
		}
		return slices.DeleteFunc(tokens(s), func(t string) bool { return drop[t] })
	}
	s := pageSig{title: strings.Join(strip(p.title), " "), toks: strip(p.main)}
	if len(s.toks) > 0 {
		s.hash = simhash(s.toks)
	}
	return s
}

// near reports whether two pages are the same page for soft 404
// detection: their titles are equal and their texts are nearly equal,
// by simhash distance (at most nearDistance) or, failing that, by diff
// ratio (at least nearRatio). The reason names the measure that decided.
// A page without text is near no page: there is nothing to compare.
func (a pageSig) near(b pageSig) (bool, string) {
	switch {
	case len(a.toks) == 0 || len(b.toks) == 0:
		return false, "no text"
	case a.title != b.title:
		return false, "titles differ"
	}
	d := linkvault.Fingerprint(a.hash).Distance(linkvault.Fingerprint(b.hash))
	if d <= nearDistance {
		return true, fmt.Sprintf("simhash distance %d", d)
	}
	m := matcher(a.toks, b.toks)
	if m.RealQuickRatio() < nearRatio || m.QuickRatio() < nearRatio {
		return false, fmt.Sprintf("simhash distance %d", d) // the ratio cannot reach nearRatio
	}
	r := m.Ratio()
	if r < nearRatio {
		return false, fmt.Sprintf("simhash distance %d, diff ratio %.2f", d, r)
	}
	return true, fmt.Sprintf("diff ratio %.2f", r)
}

// appShell reports whether p is a JavaScript application shell whose
// content the crawler cannot see: it has an empty mount point (an element
// with id root, app, __next, __nuxt or ___gatsby, or an <app-root>,
// without text) — whatever menu and footer the server renders around it —
// or its visible text (without script, style, noscript and template) is
// shorter than shellRunes runes and it loads a script from a URL
// (<script src>). Every page of such a site looks alike: soft 404 checks
// do not compare it with its probe.
func appShell(p page) bool {
	return p.emptyMount || utf8.RuneCountInString(p.text) < shellRunes && p.scriptSrc
}
