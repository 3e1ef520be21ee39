package linkvault

import "strings"

// Source is one place where a link occurs in the notes.
type Source struct {
	File     string `json:"file"`               // path as given or found (slash-separated)
	Line     int    `json:"line"`               // 1-based line of the first byte of the URL
	Column   int    `json:"column"`             // 1-based column, counted in characters (runes)
	Text     string `json:"text,omitempty"`     // link text, where the format has one
	Raw      string `json:"raw,omitempty"`      // the URL as written, when it differs from the canonical form
	Fragment string `json:"fragment,omitempty"` // the #fragment as written, without '#'
}

// Compare orders sources as a reader meets them: by file, then line, then
// column; it returns a negative number, zero or a positive number as s
// comes before, with or after t (for slices.SortFunc).
func (s Source) Compare(t Source) int {
	switch {
	case s.File != t.File:
		return strings.Compare(s.File, t.File)
	case s.Line != t.Line:
		return s.Line - t.Line
	}
	return s.Column - t.Column
}

// Kind tells what sort of target a link has.
type Kind string

// Link kinds.
const (
	KindWeb   Kind = "web"   // an absolute http or https URL: checkable on the network
	KindLocal Kind = "local" // a relative reference to a file next to the note
	KindOther Kind = "other" // mailto:, javascript:, data:, file: …: never fetched
)

// Link is one unique target and every place it occurs.
//
// For web links URL is the canonical form (see extract.Canonical in crawler/extract): lowercase
// scheme and host, default port dropped, IDN host in punycode, non-ASCII and
// spaces percent-encoded once, fragment removed (kept per Source). For local
// links URL is the slash-separated path of the target file.
type Link struct {
	URL     string   `json:"url"`
	Kind    Kind     `json:"kind,omitempty"`
	Sources []Source `json:"sources"`
}
