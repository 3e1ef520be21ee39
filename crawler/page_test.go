package crawler

import (
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func TestPageTitle(t *testing.T) {
	enc := func(e encoding.Encoding, s string) []byte {
		b, err := e.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	const zh = "云原生技术实践：链接检查"
	long := make([]byte, 0, 8<<10)
	for len(long) < 4<<10 {
		long = append(long, "<!-- padding padding padding -->\n"...)
	}
	tests := []struct {
		name        string
		body        []byte
		contentType string
		want        string
	}{
		{"utf-8 header", []byte("<html><head><title> Hello\n  World </title></head></html>"), "text/html; charset=utf-8", "Hello World"},
		{"GBK meta only", enc(simplifiedchinese.GBK, `<html><head><meta charset="gbk"><title>`+zh+`</title></head></html>`), "text/html", zh},
		{"GB2312 http-equiv", enc(simplifiedchinese.GBK, `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>`+zh+`</title></head></html>`), "text/html", zh},
		{"GB18030 header", enc(simplifiedchinese.GB18030, `<html><head><title>`+zh+`</title></head></html>`), "text/html; charset=GB18030", zh},
		{"GBK meta after 1 KB", append(append([]byte("<html><head>"), long...), enc(simplifiedchinese.GBK, `<meta charset="gbk"><title>`+zh+`</title></head></html>`)...), "text/html", zh},
		{"GBK undeclared, detected", enc(simplifiedchinese.GBK, `<html><head><title>`+zh+`</title></head><body>`+zh+zh+zh+`</body></html>`), "text/html", zh},
		{"UTF-8 undeclared", []byte(`<html><head><title>` + zh + `</title></head></html>`), "", zh},
		{"UTF-16 BOM", append([]byte{0xFF, 0xFE}, enc(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), `<html><head><title>`+zh+`</title></head></html>`)...), "text/html", zh},
		{"Shift_JIS header", enc(japanese.ShiftJIS, `<html><head><title>日本語のページ</title></head></html>`), "text/html; charset=shift_jis", "日本語のページ"},
		{"SVG title ignored", []byte(`<html><head></head><body><svg><title>icon</title></svg></body></html>`), "text/html", ""},
	}
	for _, tt := range tests {
		if got := analyzePage(tt.body, tt.contentType, "").title; got != tt.want {
			t.Errorf("%s: title = %q, want %q", tt.name, got, tt.want)
		}
	}
}
