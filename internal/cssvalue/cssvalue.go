// Package cssvalue decodes the values of CSS tokens (url(), strings,
// escapes) as CSS Syntax Level 3 defines them. The crawler reads
// stylesheets' references with it and the archive's replay rewrites them:
// both must read a reference the same way, so the rules live once, here.
// Tokenizing is tdewolff/parse's; this package only decodes a token's text.
package cssvalue

import (
	"bytes"
	"strings"
)

// URL returns the URL of a url() token (quoted or not).
func URL(tok []byte) string {
	i := bytes.IndexByte(tok, '(')
	if i < 0 {
		return ""
	}
	v := bytes.TrimSpace(bytes.TrimSuffix(tok[i+1:], []byte(")")))
	if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
		return String(v)
	}
	return Unescape(v)
}

// String returns the value of a quoted CSS string token.
func String(tok []byte) string {
	if len(tok) >= 1 && (tok[0] == '"' || tok[0] == '\'') {
		q := tok[0]
		tok = tok[1:]
		if len(tok) > 0 && tok[len(tok)-1] == q {
			tok = tok[:len(tok)-1]
		}
	}
	return Unescape(tok)
}

// Unescape undoes CSS escapes: \ and up to six hex digits (and one
// white space after them), or \ and any other character.
func Unescape(b []byte) string {
	if bytes.IndexByte(b, '\\') < 0 {
		return string(b)
	}
	var out strings.Builder
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 == len(b) {
			out.WriteByte(b[i])
			continue
		}
		i++
		j := i
		for j < len(b) && j-i < 6 && isHexDigit(b[j]) {
			j++
		}
		if j == i {
			if b[i] != '\n' { // an escaped newline is a line continuation
				out.WriteByte(b[i])
			}
			continue
		}
		var r rune
		for _, c := range b[i:j] {
			r = r<<4 | rune(hexDigit(c))
		}
		if r == 0 || r > 0x10FFFF {
			r = 0xFFFD
		}
		out.WriteRune(r)
		if j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n') {
			j++
		}
		i = j - 1
	}
	return out.String()
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexDigit(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
