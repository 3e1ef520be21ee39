// Package extract turns notes into links: it walks the notes, reads
// Markdown, HTML and plain text (much of it Chinese), finds every URL with
// its file, line and column, honours the inline-ignore markers, and gives
// each web link its canonical form. It does no network I/O; checking the
// links is package crawler's job, which uses [Canonical] for the URLs it
// meets while checking.
//
// # Extraction
//
// [Files] reads files and directories (walked recursively, skipping
// hidden files and directories, node_modules and vendor and the paths of
// Options.ExcludePaths; symbolic links are followed, each real
// directory read once, so a link loop ends; only regular files are read,
// a named pipe, socket or device being skipped with a warning, since
// reading one could block forever; a file is read up to 64 MiB, in pieces;
// a file with a NUL byte in its first 8 KB is skipped with a warning; the
// walk stops when its context ends) and returns each unique link once, in order of
// first appearance, with every [linkvault.Source] where it occurs: file,
// 1-based line, 1-based column counted in runes (an invalid UTF-8 byte
// counts as one), link text, the URL as written when it differs from the
// canonical form, and the #fragment. [Bytes] does the same for one
// file in memory; [ExpandNotes] expands the `notes:` entries of the
// configuration, with "**" globs.
//
// The format is chosen by extension:
//
//   - Markdown (.md, .markdown, .mdx) is parsed with goldmark (CommonMark,
//     no extensions, no Linkify). Inline, reference, collapsed and shortcut
//     links, images, reference definitions, <…> autolinks (an e-mail
//     autolink becomes mailto:), and the links of raw HTML, inline and
//     block, read as in HTML files. Destinations are unescaped as goldmark
//     renders them (a\_b → a_b, &amp; → &). Bare URLs are found by
//     [ScanText] in the source lines of paragraphs, headings and list
//     items, outside links, code spans and raw HTML, so emphasis
//     delimiters inside a URL (https://a.example/a*b*c) do not cut it. Code
//     spans and code blocks, fenced or indented, hold no links unless
//     Options.IncludeCode is set. A link's position is that of its
//     destination; for a reference link it is that of the destination in
//     the definition, where the link is fixed (several uses make one
//     Source, with the text of the first use).
//   - HTML (.html, .htm) is parsed with goquery: a[href], img[src],
//     img[srcset], source[src], source[srcset], link[href], script[src],
//     iframe[src], video[src], audio[src] and object[data], plus bare URLs
//     in text outside script and style. Entities are decoded, leading and
//     trailing whitespace and inner tabs and newlines removed from
//     attribute values (inner spaces are kept and percent-encoded), srcset
//     split by the HTML standard's algorithm (a URL may contain commas),
//     and relative URLs resolved against the first <base href>. The parser
//     gives no positions, so they are found in the source: walking the
//     document in order, each element's start tag, then its attribute
//     value, then each bare URL of a text node is searched forward from
//     where the previous one was found; an element the parser invented or
//     moved gets the position reached so far.
//   - Everything else is plain text, scanned by [ScanText].
//
// A link can be ignored from the note itself (it is then neither returned
// nor checked). In Markdown and HTML the markers are HTML comments, which
// do not show in the rendered note; in plain text, words anywhere on a
// line (in a YAML comment, say):
//
//	<!-- linkvault-ignore -->            linkvault:ignore             the links of this line
//	<!-- linkvault-ignore-line -->       linkvault:ignore-line        the same
//	<!-- linkvault-ignore-next-line -->  linkvault:ignore-next-line   the links of the next line
//	<!-- linkvault-ignore-start -->      linkvault:ignore-start       the links after the marker …
//	<!-- linkvault-ignore-end -->        linkvault:ignore-end         … and before this one
//
// A start marker without an end ignores the rest of the file. The names
// follow markdown-link-check's <!-- markdown-link-check-disable-line -->
// family, which users of Markdown link checkers know. In Markdown only
// raw HTML counts: a marker shown in a code span or a code block is not a
// marker. A link is ignored by the position it is reported at: a
// reference link by its definition's line ([label]: https://…, which a
// comment on the same line would turn into text, so use -next-line).
//
// Markdown and plain text are read in pieces of about 1 MiB, so that the
// memory a note takes does not grow with its size (the links found do).
// Plain text is cut after a newline; Markdown before a line that follows
// a blank line and starts in column 1, outside fenced code blocks and
// outside HTML blocks that may hold blank lines — where the blocks before
// it are closed, so that each piece parses as it would in the whole note.
// One thing is lost across a cut: the link text of a reference link whose
// definition is in another piece (the link itself is still found, at its
// definition). HTML files are read whole.
//
// What a destination becomes:
//
//   - http and https URLs (and protocol-relative //host/… ones, taken as
//     https) are web links, keyed by their [Canonical] form. A URL whose
//     host Canonical rejects is dropped with a warning.
//   - Other schemes (mailto:, tel:, ftp:, file: …) are kept as
//     linkvault.KindOther with the URL as written, so that they can be
//     listed; they are never fetched. javascript: and data: URLs are
//     dropped: they are code and content, not references.
//   - A relative reference in Markdown or HTML is a local link: its URL is
//     the path, percent-decoded, without query and fragment, joined with
//     the note's directory and cleaned (notes/a.md linking to ../b.md
//     gives b.md); the fragment is kept in the Source. crawler.CheckLocal checks
//     that the file exists, and judges the fragments of links to Markdown
//     and HTML files against [Anchors]: GitHub's heading anchors ([Slug],
//     [Slugger]: lowercase, punctuation removed but '-' and '_', each
//     space a '-', Chinese kept, duplicates -1, -2 …) and the ids and
//     <a name> of HTML. A pure #anchor, an empty destination and a
//     path-less "?query" are not links.
//
// # The plain-text scanner
//
// The usual linkifiers (xurls, linkify-it, goldmark's Linkify) fail on
// Chinese text: they do not start a URL glued to a Chinese character and
// swallow the Chinese punctuation that follows it. [ScanText] follows these
// rules:
//
//   - A URL starts at "http://" or "https://", in any letter case,
//     wherever it is: 细节见https://a.example/x，然后 gives
//     https://a.example/x, and so does linkhttps://a.example/x. Only http
//     and https are scanned; www.example.com without a scheme is not a
//     link (too many file names and host names in prose look alike).
//   - It ends at whitespace (Unicode), control characters, invalid UTF-8,
//     < > and backtick, and at CJK and full-width punctuation: U+3000–
//     U+303F (。、「」【】《》 …), U+FF00–U+FF65 (，：；！？（） …),
//     U+2018–U+201F (“” ‘’), U+2026 (…), U+00A0, U+200B, U+FEFF and the
//     CJK compatibility and vertical forms.
//   - Brackets and quotes pair. A ( [ { " or ' written just before the
//     URL closes it: the URL ends at the first ) ] or } that closes no
//     bracket of its own, or at the next quote of the same kind. So
//     Markdown habits in a plain-text note read as in Markdown:
//     [docs](https://x.example/a)[mail](mailto:a@x.example) gives
//     https://x.example/a, [Go](https://en.wikipedia.org/wiki/Go_(lang))
//     keeps the inner parentheses, and the items of
//     ["https://a.example/x","https://b.example/y"] are two URLs. Inside a
//     URL a " is kept only when a second one follows before the URL ends
//     (https://a.example/b_"q" is whole; https://a.example/x"后 ends at
//     the quote).
//   - Trailing . , ; : ! ? are trimmed. A trailing ) ] or } is trimmed
//     only when unbalanced, and a trailing ' or " only when the URL holds
//     an odd number of them: https://en.wikipedia.org/wiki/Go_(programming_language)
//     keeps its parenthesis and https://a.example/b_'q' its quote, while
//     "(see https://a.example/x)" and 'see https://a.example/x' lose
//     them. Trailing * _ ~ are trimmed beyond the number of the same
//     character earlier in the URL: **https://a.example/x** gives
//     https://a.example/x while https://a.example/_x_ is kept whole.
//   - Non-ASCII letters are part of the path:
//     https://zh.wikipedia.org/wiki/云原生计算基金会 and
//     https://mu.example.com/文档/说明.pdf are found whole. So Chinese text
//     glued after a path is taken into it (https://a.example/x然后 →
//     https://a.example/x然后): write a space or a punctuation mark after
//     a URL. In the host, though, a CJK character glued to an ASCII label
//     after a dot ends the URL (https://a.example中文 → https://a.example),
//     while internationalised hosts (https://例子.测试/) are kept.
//   - The host must be valid: non-empty, dot-separated non-empty labels of
//     ASCII letters, digits, '-' and '_' (one trailing dot allowed), an
//     IPv6 literal, or a name that IDNA (Lookup profile) accepts; the port
//     must be numeric. Otherwise there is no URL there
//     (https://, https:///x, https://a..b/, https://a.example:port/).
//     Where the host stops being valid without reaching '/', '?' or '#',
//     the URL stops (https://a.example{x} → https://a.example).
//   - Percent-escapes are kept as written, never decoded nor re-encoded;
//     in Match.URL a '%' that starts no escape is written %25 so that the
//     URL parses.
//
// Measured against the http(s) cases of linkify-it's own fixture
// (test/fixtures/links.txt), the scanner agrees on all of them. It
// deliberately differs from linkify-it elsewhere:
//
//   - No schemeless links: linkify-it's "fuzzy" mode takes example.com,
//     www.example.com/x, //example.com and 192.168.1.1/abc; in notes
//     these are mostly file names, host names in prose and config
//     values, and a link checker that fetches them would report noise.
//     Write the scheme.
//   - No "_" or other word character required before the scheme:
//     linkify-it does not link _http://a.example or
//     linkhttp://a.example, but Chinese text glues URLs to whatever
//     precedes them (见https://…), so a URL starts at its scheme wherever
//     it is.
//   - A host label may start or end with '-' (http://-a.example/):
//     linkify-it refuses it, but such a URL was written on purpose and
//     checking it reports the problem (the DNS lookup fails) instead of
//     silently dropping it.
//   - Chinese text and punctuation end a URL where linkify-it swallows
//     them (https://a.example/x。下一句 gives https://a.example/x).
//
// # Canonical form
//
// [Canonical] gives the key under which a web link is reported once:
// lowercase scheme and host, default port dropped, IDN host in punycode,
// non-ASCII bytes, spaces and controls percent-encoded once (existing
// escapes kept as written, hex case included), "/" for an empty path,
// fragment returned apart. Nothing else changes: no dot-segment
// resolution, no query sorting, no trailing-slash games, so that the URL
// fetched is the URL written.
//
// # Caveats
//
// Lines are counted at '\n'; a lone '\r' does not end a line. In HTML, a
// bare URL written with entities in a text node, or an element the parser
// moved (foster-parented table content), may be given a position slightly
// before the real one.
package extract
