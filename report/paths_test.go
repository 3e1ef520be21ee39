package report

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/linkvault/linkvault"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// outside moves the first source of the newly dead link of the fixture
// out of the repository (an absolute path) and sets the root.
func outside(d *Data) {
	d.Root = "/work/notes repo"
	d.Entries[0].Sources[0].File = "/tmp/elsewhere/笔记.md"
}

// SARIF locates notes in the repository relative to %SRCROOT% (which
// originalUriBaseIds defines) and notes outside it by an absolute file://
// URI without a base, as the SARIF Multitool's SARIF1004 wants: a URI with
// a uriBaseId is relative and does not begin with a slash.
func TestSARIFPathsOutsideRepo(t *testing.T) {
	d := fixture()
	outside(d)
	var b bytes.Buffer
	if err := writeSARIF(&b, d); err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sarifSchema(t).Validate(inst); err != nil {
		t.Errorf("the SARIF log does not validate: %v", err)
	}
	type al struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId"`
	}
	var log struct {
		Runs []struct {
			Bases   map[string]al `json:"originalUriBaseIds"`
			Results []struct {
				Locations []struct {
					Physical struct {
						Artifact al `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if got, want := run.Bases["%SRCROOT%"], (al{URI: "file:///work/notes%20repo/"}); got != want {
		t.Errorf("originalUriBaseIds[%%SRCROOT%%] = %+v, want %+v", got, want)
	}
	var absolute []string
	for _, r := range run.Results {
		for _, l := range r.Locations {
			a := l.Physical.Artifact
			u, err := url.Parse(a.URI)
			if err != nil {
				t.Errorf("uri %q: %v", a.URI, err)
				continue
			}
			switch {
			case a.URIBaseID != "" && (strings.HasPrefix(a.URI, "/") || u.IsAbs()):
				t.Errorf("uri %q with uriBaseId %s is not relative (SARIF1004)", a.URI, a.URIBaseID)
			case a.URIBaseID == "" && !u.IsAbs():
				t.Errorf("uri %q without uriBaseId is not absolute", a.URI)
			case a.URIBaseID == "":
				absolute = append(absolute, a.URI)
			}
		}
	}
	if want := "file:///tmp/elsewhere/%E7%AC%94%E8%AE%B0.md"; len(absolute) != 1 || absolute[0] != want {
		t.Errorf("absolute locations %q, want [%s]", absolute, want)
	}
}

// GitHub annotates files of the repository only: a note outside it is
// named in the message, with no file= that GitHub would drop.
func TestGitHubPathsOutsideRepo(t *testing.T) {
	d := fixture()
	outside(d)
	var b bytes.Buffer
	if err := GitHub(&b, d); err != nil {
		t.Fatal(err)
	}
	want := "::error title=Dead link::https://example.com/gone — 404 Not Found (at /tmp/elsewhere/笔记.md:3:5)\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("annotations lack\n%s\ngot:\n%s", want, b.String())
	}
	if strings.Contains(b.String(), "file=/") {
		t.Errorf("an annotation names an absolute file:\n%s", b.String())
	}
	// The note in the repository is still placed on its line.
	if w := "::error file=笔记/读书.md,line=10,col=1,title=Dead link::https://example.com/gone"; !strings.Contains(b.String(), w) {
		t.Errorf("annotations lack %s:\n%s", w, b.String())
	}
}

// Only paths within the repository link into it.
func TestSourceURLOnlyInRepo(t *testing.T) {
	d := fixture()
	for file, want := range map[string]string{
		"notes/a.md":          "https://github.com/o/r/blob/main/notes/a.md#L3",
		"./notes/a.md":        "https://github.com/o/r/blob/main/notes/a.md#L3",
		"/tmp/x/notes/a.md":   "",
		"../other/a.md":       "",
		`C:/Users/me/a.md`:    "",
		`\\server\share\a.md`: "",
	} {
		if got := sourceURL(d, sourceAt(file, 3)); got != want {
			t.Errorf("sourceURL(%q) = %q, want %q", file, got, want)
		}
	}
}

func sourceAt(file string, line int) linkvault.Source {
	return linkvault.Source{File: file, Line: line}
}
