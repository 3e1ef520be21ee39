package extract

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/sharedtest"
	"github.com/yuin/goldmark/text"
)

// flat renders links one source per line: "kind URL line:col" followed by
// text=, raw= and frag= when set.
func flat(links []linkvault.Link) []string {
	var out []string
	for _, l := range links {
		for _, s := range l.Sources {
			line := fmt.Sprintf("%s %s %d:%d", l.Kind, l.URL, s.Line, s.Column)
			if s.Text != "" {
				line += fmt.Sprintf(" text=%q", s.Text)
			}
			if s.Raw != "" {
				line += fmt.Sprintf(" raw=%q", s.Raw)
			}
			if s.Fragment != "" {
				line += fmt.Sprintf(" frag=%q", s.Fragment)
			}
			out = append(out, line)
		}
	}
	return out
}

type extractCase struct {
	name string
	src  string
	code bool // IncludeCode
	want []string
}

func runExtractCases(t *testing.T, file string, tests []extractCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			links := Bytes(file, []byte(tt.src), Options{IncludeCode: tt.code})
			got := flat(links)
			if !slices.Equal(got, tt.want) {
				t.Errorf("ExtractBytes(%q, %q)\n got: %q\nwant: %q", file, tt.src, got, tt.want)
			}
		})
	}
}

func TestExtractMarkdown(t *testing.T) {
	runExtractCases(t, "notes/a.md", []extractCase{
		{"inline link", `See [the docs](https://a.example/docs "Title").`,
			false, []string{`web https://a.example/docs 1:16 text="the docs"`}},
		{"inline link, Chinese", "详见[文档](https://a.example/文档)。",
			false, []string{`web https://a.example/%E6%96%87%E6%A1%A3 1:8 text="文档" raw="https://a.example/文档"`}},
		{"angle destination", "[x](<https://a.example/a b>)",
			false, []string{`web https://a.example/a%20b 1:6 text="x" raw="https://a.example/a b"`}},
		{"reference link reported at its definition", "Read [Go][go] and [again][go].\n\n[go]: https://go.dev/doc\n",
			false, []string{`web https://go.dev/doc 3:7 text="Go"`}},
		{"collapsed and shortcut references, Chinese", "见[文档][]和[文档]。\n\n[文档]: https://a.example/d\n",
			false, []string{`web https://a.example/d 3:7 text="文档"`}},
		{"unused definition", "text\n\n[x]: https://a.example/unused\n",
			false, []string{`web https://a.example/unused 3:6`}},
		{"image", "![logo 图](https://a.example/l.png)",
			false, []string{`web https://a.example/l.png 1:11 text="logo 图"`}},
		{"image inside link", "[![badge](https://a.example/b.svg)](https://a.example/ci)",
			false, []string{`web https://a.example/b.svg 1:11 text="badge"`, `web https://a.example/ci 1:37 text="badge"`}},
		{"autolink", "Go to <https://a.example/x>.",
			false, []string{`web https://a.example/x 1:8`}},
		{"email autolink is other", "写信<me@a.example>",
			false, []string{`other mailto:me@a.example 1:4`}},
		{"mailto link is other", "[mail](mailto:me@a.example)",
			false, []string{`other mailto:me@a.example 1:8 text="mail"`}},
		{"file and ftp links are other, never web", "[f](file:///etc/hosts) [p](ftp://a.example/x)",
			false, []string{`other file:///etc/hosts 1:5 text="f"`, `other ftp://a.example/x 1:28 text="p"`}},
		{"javascript and data dropped", "[j](javascript:alert(1)) ![d](data:image/png;base64,AAAA)",
			false, nil},
		{"escapes and entities unescaped", `[x](https://a.example/a\_b?x=1&amp;y=2)`,
			false, []string{`web https://a.example/a_b?x=1&y=2 1:5 text="x"`}},
		{"fragment apart", "[s](https://a.example/p#sec-2)",
			false, []string{`web https://a.example/p 1:5 text="s" raw="https://a.example/p#sec-2" frag="sec-2"`}},
		{"URL as link text taken once", "[https://a.example/x](https://a.example/x)",
			false, []string{`web https://a.example/x 1:23 text="https://a.example/x"`}},
		{"title URL not taken", `[x](https://a.example/x "see https://a.example/t")`,
			false, []string{`web https://a.example/x 1:5 text="x"`}},
		{"raw inline HTML", `Some <a href="https://a.example/h">x</a> text`,
			false, []string{`web https://a.example/h 1:15`}},
		{"HTML block", "<div>\n<img src=\"https://a.example/i.png\" alt=\"图\">\n</div>",
			false, []string{`web https://a.example/i.png 2:11 text="图"`}},
		{"bare URL glued to Chinese", "中文说明：https://a.example/x。",
			false, []string{`web https://a.example/x 1:6`}},
		{"bare URL, English", "Visit https://a.example/a_b_c now.",
			false, []string{`web https://a.example/a_b_c 1:7`}},
		{"bare URL split by emphasis", "https://a.example/a*b*c",
			false, []string{`web https://a.example/a*b*c 1:1`}},
		{"bare URL in bold", "**详见https://a.example/x**",
			false, []string{`web https://a.example/x 1:5`}},
		{"bare URL with escape", `https://a.example/a\_b`,
			false, []string{`web https://a.example/a_b 1:1`}},
		{"bare URLs in list, quote, heading", "# 标题 https://a.example/h\n\n- item https://a.example/l\n\n> 引用 https://a.example/q\n",
			false, []string{`web https://a.example/h 1:6`, `web https://a.example/l 3:8`, `web https://a.example/q 5:6`}},
		{"bare URL on second line of a paragraph", "first line\n第二行见https://a.example/p，完",
			false, []string{`web https://a.example/p 2:5`}},
		{"code span skipped", "Run `curl https://a.example/code` now",
			false, nil},
		{"code span included", "Run `curl https://a.example/code` now",
			true, []string{`web https://a.example/code 1:11`}},
		{"fenced code skipped", "```\ncurl https://a.example/f\n```\n",
			false, nil},
		{"fenced code included", "```\ncurl https://a.example/f\n```\n",
			true, []string{`web https://a.example/f 2:6`}},
		{"indented code skipped", "para\n\n    curl https://a.example/i\n",
			false, nil},
		{"indented code included", "para\n\n    curl https://a.example/i\n",
			true, []string{`web https://a.example/i 3:10`}},
		{"local link", "[k](kubecon-notes.zh.txt#L3)",
			false, []string{`local notes/kubecon-notes.zh.txt 1:5 text="k" frag="L3"`}},
		{"local link up and escaped", "[up](../README.md) [sp](my%20file.md?x=1)",
			false, []string{`local README.md 1:6 text="up"`, `local notes/my file.md 1:25 text="sp"`}},
		{"pure anchor, empty and query-only destinations ignored", "[a](#anchor) [b](<>) [c](?x=1)",
			false, nil},
		{"same URL in two forms merged", "https://A.example:443/x and [y](https://a.example/x)",
			false, []string{`web https://a.example/x 1:1 raw="https://A.example:443/x"`, `web https://a.example/x 1:33 text="y"`}},
		{"protocol-relative", "[c](//cdn.example/x.js)",
			false, []string{`web https://cdn.example/x.js 1:5 text="c" raw="//cdn.example/x.js"`}},
	})
}

func TestExtractMarkdownInvalidHostWarns(t *testing.T) {
	var warns []string
	links := Bytes("a.md", []byte("[x](https://)\n[y](https://a..b/)"), Options{
		Warn: func(path, msg string) { warns = append(warns, path+": "+msg) },
	})
	if len(links) != 0 {
		t.Errorf("links = %q, want none", flat(links))
	}
	want := []string{"a.md: line 1: invalid URL https://", "a.md: line 2: invalid URL https://a..b/"}
	if !slices.Equal(warns, want) {
		t.Errorf("warnings = %q, want %q", warns, want)
	}
}

func TestExtractHTML(t *testing.T) {
	runExtractCases(t, "site/p.html", []extractCase{
		{"anchor with text", `<p>See <a href="https://a.example/x">the  docs</a></p>`,
			false, []string{`web https://a.example/x 1:17 text="the docs"`}},
		{"entities decoded", `<a href="https://a.example/s?a=1&amp;b=2">x</a>`,
			false, []string{`web https://a.example/s?a=1&b=2 1:10 text="x"`}},
		{"whitespace stripped", "<a href=\"\n  https://a.example/x\n\">x</a>",
			false, []string{`web https://a.example/x 2:3 text="x"`}},
		{"base applies to relative URLs, first base only", `<base href="https://a.example/dir/"><base href="https://b.example/"><a href="p.html">p</a><a href="https://c.example/">c</a>`,
			false, []string{`web https://a.example/dir/p.html 1:78 text="p"`, `web https://c.example/ 1:100 text="c"`}},
		{"srcset with commas in URLs", `<img srcset="https://a.example/a,b.png 1x, https://a.example/c.png 2x" alt="图">`,
			false, []string{`web https://a.example/a,b.png 1:14 text="图"`, `web https://a.example/c.png 1:44 text="图"`}},
		{"picture sources", "<picture>\n<source srcset=\"https://a.example/s.webp\">\n<img src=\"https://a.example/i.jpg\">\n</picture>",
			false, []string{`web https://a.example/s.webp 2:17`, `web https://a.example/i.jpg 3:11`}},
		{"other elements", `<link href="https://a.example/s.css"><script src="https://a.example/j.js"></script><iframe src="https://a.example/f"></iframe><video src="https://a.example/v.mp4"></video><audio src="https://a.example/a.mp3"></audio><object data="https://a.example/o.pdf"></object>`,
			false, []string{`web https://a.example/s.css 1:13`, `web https://a.example/j.js 1:51`, `web https://a.example/f 1:97`, `web https://a.example/v.mp4 1:139`, `web https://a.example/a.mp3 1:184`, `web https://a.example/o.pdf 1:231`}},
		{"bare URLs in text, not in script or style", "<p>见https://a.example/t。</p>\n<script>var u = \"https://a.example/s\";</script>\n<style>a{background:url(https://a.example/c)}</style>",
			false, []string{`web https://a.example/t 1:5`}},
		{"same URL twice on two lines", "<a href=\"https://a.example/x\">one</a>\n<p>text</p>\n<a href=\"https://a.example/x\">two</a>",
			false, []string{`web https://a.example/x 1:10 text="one"`, `web https://a.example/x 3:10 text="two"`}},
		{"uppercase tags and unquoted attributes", "<A HREF=https://a.example/u>U</A>",
			false, []string{`web https://a.example/u 1:9 text="U"`}},
		{"video and audio sources", "<video><source src=\"https://a.example/v.webm\"></video>\n<audio><source src=\"https://a.example/a.ogg\"></audio>",
			false, []string{`web https://a.example/v.webm 1:21`, `web https://a.example/a.ogg 2:21`}},
		{"numeric entities and inner tab and newline removed", "<a href=\"https://a.example/&#x6D;\t/p&#47;q\n\">x</a>",
			false, []string{`web https://a.example/m/p/q 1:10 text="x"`}},
		{"file, mailto and javascript are not web links", `<a href="file:///etc/passwd">f</a><a href="mailto:me@a.example">m</a><a href="javascript:void(0)">j</a>`,
			false, []string{`other file:///etc/passwd 1:10 text="f"`, `other mailto:me@a.example 1:44 text="m"`}},
		{"local and anchor", `<a href="#top">top</a><a href="img/a.png">a</a>`,
			false, []string{`local site/img/a.png 1:32 text="a"`}},
	})
}

func TestExtractPlainText(t *testing.T) {
	runExtractCases(t, "notes/n.txt", []extractCase{
		{"Chinese", "第一行\n腾讯开源了:https://github.com/tkestack/kstone。\n", false,
			[]string{`web https://github.com/tkestack/kstone 2:7`}},
		{"markdown syntax is not parsed in text", "[x](https://a.example/x) `https://a.example/c`", false,
			[]string{`web https://a.example/x 1:5`, `web https://a.example/c 1:27`}},
		{"invalid UTF-8 keeps positions", "\xff\xfe见https://a.example/x\n\xffhttps://a.example/y", false,
			[]string{`web https://a.example/x 1:4`, `web https://a.example/y 2:2`}},
		{"CRLF", "a\r\nb https://a.example/x\r\n", false,
			[]string{`web https://a.example/x 2:3`}},
	})
}

func TestExtractFormatByExtension(t *testing.T) {
	src := []byte("[x](https://a.example/x)\n")
	tests := []struct {
		name string
		want string
	}{
		{"a.md", "web https://a.example/x 1:5 text=\"x\""},
		{"a.MARKDOWN", "web https://a.example/x 1:5 text=\"x\""},
		{"a.mdx", "web https://a.example/x 1:5 text=\"x\""},
		{"a.txt", "web https://a.example/x 1:5"},
		{"a", "web https://a.example/x 1:5"},
	}
	for _, tt := range tests {
		got := flat(Bytes(tt.name, src, Options{}))
		if !slices.Equal(got, []string{tt.want}) {
			t.Errorf("ExtractBytes(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestExtractBinarySkipped(t *testing.T) {
	var warns []string
	warn := func(path, msg string) { warns = append(warns, path+": "+msg) }
	data := []byte("https://a.example/x\x00\x01")
	if got := Bytes("img.png", data, Options{Warn: warn}); len(got) != 0 {
		t.Errorf("links = %q, want none", flat(got))
	}
	if want := []string{"img.png: binary file skipped"}; !slices.Equal(warns, want) {
		t.Errorf("warnings = %q, want %q", warns, want)
	}
	// A NUL byte after the first 8 KB does not make a file binary.
	data = append([]byte("https://a.example/x "), make([]byte, 9000)...)
	copy(data[20:], strings.Repeat("a", 8200))
	if got := flat(Bytes("late.txt", data, Options{})); len(got) != 1 {
		t.Errorf("late NUL: links = %q, want one", got)
	}
}

func TestExtractPaths(t *testing.T) {
	dir := sharedtest.WriteFiles(t, map[string]string{
		"b.md":                 "[x](https://a.example/x)\n[l](sub/c.txt)\n",
		"sub/c.txt":            "见https://a.example/c。\nhttps://a.example/x\n",
		"sub/pic.png":          "\x89PNG\x00\x00https://a.example/png",
		".hidden/h.md":         "https://a.example/hidden",
		".secret.txt":          "https://a.example/hiddenfile",
		"node_modules/m/r.md":  "https://a.example/nm",
		"vendor/v.txt":         "https://a.example/vendor",
		"sub/deeper/page.html": `<a href="https://a.example/html">h</a>`,
	})
	var warns []string
	missing := filepath.Join(dir, "missing.md")
	links, err := Files(context.Background(), []string{filepath.Join(dir, "sub", "c.txt"), dir, missing}, Options{
		Warn: func(path, msg string) { warns = append(warns, msg) },
	})
	// The missing path is reported, the rest is extracted.
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want one wrapping fs.ErrNotExist", err)
	}
	if want := "crawler: read " + filepath.ToSlash(missing) + ": no such file or directory"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != filepath.ToSlash(missing) {
		t.Errorf("err = %#v, want a *fs.PathError for %s", err, missing)
	}
	if want := []string{"binary file skipped"}; !slices.Equal(warns, want) {
		t.Errorf("warnings = %q, want %q", warns, want)
	}
	d := filepath.ToSlash(dir)
	got := flat(links)
	want := []string{
		// sub/c.txt was given first: its links come first; it is not read twice.
		"web https://a.example/c 1:2",
		"web https://a.example/x " + "1:5 text=\"x\"", // b.md sorts before sub/c.txt
		"web https://a.example/x 2:1",
		"local " + d + "/sub/c.txt 2:5 text=\"l\"",
		"web https://a.example/html 1:10 text=\"h\"",
	}
	if !slices.Equal(got, want) {
		t.Errorf("links\n got: %q\nwant: %q", got, want)
	}
	if f := links[1].Sources[0].File; f != d+"/b.md" {
		t.Errorf("first source of %s in %q, want %q", links[1].URL, f, d+"/b.md")
	}
}

func TestExtractSizeCap(t *testing.T) {
	defer func(old int64) { maxFileSize = old }(maxFileSize)
	maxFileSize = 30
	dir := sharedtest.WriteFiles(t, map[string]string{"big.txt": "https://a.example/first\n" + strings.Repeat("x", 40) + " https://a.example/late\n"})
	var warns []string
	links, err := Files(context.Background(), []string{dir}, Options{Warn: func(_, msg string) { warns = append(warns, msg) }})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := flat(links), []string{"web https://a.example/first 1:1"}; !slices.Equal(got, want) {
		t.Errorf("links = %q, want %q", got, want)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "size cap") {
		t.Errorf("warnings = %q, want one about the size cap", warns)
	}
}

func TestExpandNotes(t *testing.T) {
	dir := sharedtest.WriteFiles(t, map[string]string{
		"a.md":             "",
		"b.txt":            "",
		"notes/x.md":       "",
		"notes/2021/y.md":  "",
		"notes/2021/z.txt": "",
		"notes/.git/h.md":  "",
	})
	j := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
	tests := []struct {
		name     string
		patterns []string
		want     []string
		wantErr  string
	}{
		{"plain paths kept even if missing", []string{"b.txt", "later.md"}, []string{j("b.txt"), j("later.md")}, ""},
		{"glob", []string{"*.md"}, []string{j("a.md")}, ""},
		{"double star", []string{"notes/**/*.md"}, []string{j("notes/2021/y.md"), j("notes/x.md")}, ""},
		{"duplicates removed", []string{"a.md", "*.md"}, []string{j("a.md")}, ""},
		{"directory", []string{"notes"}, []string{j("notes")}, ""},
		{"glob matching nothing", []string{"*.md", "none/*.md"}, []string{j("a.md")}, `crawler: notes "none/*.md": no file matches`},
		{"bad glob", []string{"[.md"}, nil, `crawler: notes "[.md": syntax error in pattern`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ExpandNotes(dir, tt.patterns)
			if gotErr := fmt.Sprint(err); tt.wantErr == "" && err != nil || tt.wantErr != "" && gotErr != tt.wantErr {
				t.Errorf("error = %v, want %q", err, tt.wantErr)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ExpandNotes(%q) = %q, want %q", tt.patterns, got, tt.want)
			}
		})
	}
}

// TestExtractKubeconNote is the golden test on the first real notes file:
// Chinese prose whose URLs are glued to Chinese text and punctuation.
func TestExtractKubeconNote(t *testing.T) {
	name := sharedtest.File(t, "notes/kubecon-china-2021.txt")
	links, err := Files(context.Background(), []string{name}, Options{})
	if err != nil {
		t.Fatalf("Extract(%s): %v", name, err)
	}
	want := []string{
		"web https://kccncosschn21.sched.com/ line 5",
		"web https://towardsdatascience.com/machine-learning-and-data-processing-in-the-gpu-with-vulkan-kompute-c9350e5e5d3a line 55",
		"web https://github.com/kubernetes-sigs/apiserver-builder-alpha/blob/63a62eda7b302fcba08cdcfc5f01cc5ad5751a5a/example/non-etcd/cmd/apiserver/main.go line 61",
		"web https://github.com/tkestack/kstone line 93",
		"web https://github.com/tkestack/tapp line 99",
		"web https://files.alicdn.com/tpsservice/cd9626b87ca646a05f05eb1d1c962126.pdf line 119",
		"web https://developer.aliyun.com/article/765449 line 148",
		"web https://github.com/Tencent/Caelus line 174",
		"web https://mp.weixin.qq.com/s/U6-wcBsBC-Khffb7kTBtjA line 200",
		"web https://gotc.oschina.net/uploads/files/15%20%E5%BC%A0%E6%99%8B%E6%B6%9B%20%E7%94%9F%E4%BA%A7%E7%8E%AF%E5%A2%83%E4%B8%8B%E7%9A%84k8s%E5%AE%89%E5%85%A8%E5%9B%B0%E5%A2%83%E5%8F%8A%E5%BA%94%E5%AF%B9%E6%8E%AA%E6%96%BD-%E5%BC%A0%E6%99%8B%E6%B6%9B.pdf line 245",
	}
	var got []string
	for _, l := range links {
		for _, s := range l.Sources {
			got = append(got, fmt.Sprintf("%s %s line %d", l.Kind, l.URL, s.Line))
			if s.File != name {
				t.Errorf("source file %q, want %q", s.File, name)
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("links\n got: %q\nwant: %q", got, want)
	}
}

// TestExtractExampleNotes checks the example notes shipped with the
// project (examples/notes): a Chinese plain-text note and an English
// Markdown note that links to it.
func TestExtractExampleNotes(t *testing.T) {
	const dir = "../../examples/notes"
	links, err := Files(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := flat(links)
	want := []string{
		`web https://github.com/tkestack/kstone 4:10`,
		`web https://github.com/Tencent/Caelus 9:15`,
		`web https://mp.weixin.qq.com/s/U6-wcBsBC-Khffb7kTBtjA 13:16`,
		`web https://files.alicdn.com/tpsservice/cd9626b87ca646a05f05eb1d1c962126.pdf 16:11`,
		`web https://developer.aliyun.com/article/765449 19:6`,
		`web https://etcd.io/docs/v3.5/op-guide/recovery/ 22:20`,
		`web https://github.com/kubernetes/kubernetes/blob/master/CHANGELOG/CHANGELOG-1.22.md 25:1`,
		`web https://zh.wikipedia.org/wiki/%E4%BA%91%E5%8E%9F%E7%94%9F%E8%AE%A1%E7%AE%97%E5%9F%BA%E9%87%91%E4%BC%9A 28:6 raw="https://zh.wikipedia.org/wiki/云原生计算基金会"`,
		`web https://en.wikipedia.org/wiki/Go_(programming_language) 29:8`,
		`web https://go.dev/doc/effective_go 5:30 text="Effective Go"`,
		`web https://go.dev/images/gophers/ladder.svg 8:25 text="A gopher on a ladder"`,
		`web https://pkg.go.dev/golang.org/x/net/html 10:22`,
		`local ../../examples/notes/kubecon-notes.zh.txt 12:48 text="my KubeCon notes" frag="L3"`,
		`web https://www.cncf.io/projects/ 13:52 text="CNCF project list"`,
		`web https://go.dev/blog/ 15:12 text="blog"`,
		// The URL in the fenced code block (line 20) is not a link.
		`web https://www.rfc-editor.org/rfc/rfc3986 23:49 raw="https://www.rfc-editor.org/rfc/rfc3986#section-3.2.2" frag="section-3.2.2"`,
		`other mailto:reader@example.org 25:26 text="write to me"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("links\n got: %q\nwant: %q", got, want)
	}
}

func BenchmarkExtractAwesomeGo(b *testing.B) {
	name := sharedtest.File(b, "corpora/awesome-go.md")
	data, err := os.ReadFile(name)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		Bytes(name, data, Options{})
	}
}

// BenchmarkGoldmarkParseAwesomeGo is the baseline of the benchmark above:
// goldmark's parsing alone, the floor of Markdown extraction.
func BenchmarkGoldmarkParseAwesomeGo(b *testing.B) {
	data, err := os.ReadFile(sharedtest.File(b, "corpora/awesome-go.md"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		mdParser().Parse(text.NewReader(data))
	}
}
