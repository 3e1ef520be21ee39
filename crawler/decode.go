package crawler

// DecodeHTML returns an HTML page's bytes as UTF-8, its encoding taken, in
// order, from the Content-Type charset, a byte order mark, a <meta>
// declaration, a valid UTF-8 check and statistical detection, the way the
// checker reads titles and text (GBK pages with only a <meta charset>
// included). Invalid bytes become U+FFFD.
func DecodeHTML(raw []byte, contentType string) string {
	return decodeHTML(raw, contentType)
}
