package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkvault/linkvault/internal/fakeweb"
)

// dirSize is the total size of the files under dir.
func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRequisitesStoredOnce: `linkvault check` captures the requisites of
// the pages it archives (get gives them back); a second run on unchanged
// pages asks for no requisite and grows the WARC files by at most 1 KB per
// URL (the pages' revisit records); requisites are never links of the
// notes: no report row, no history.
func TestRequisitesStoredOnce(t *testing.T) {
	web := fakeweb.New()
	defer web.Close()
	site := fakeweb.NewStyledSite(web, "styled.example.com", "img.example.net", nil)
	dir, cfgPath := styledNotes(t, web, site)
	lv := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), append([]string{"--config", cfgPath, "-q"}, args...), strings.NewReader(""), &out, &errb)
		return code, out.String() + errb.String()
	}

	checkStyled(t, cfgPath)
	requests := func() int { return web.Stats(site.Site).Requests + web.Stats(site.Images).Requests }
	first, warc := requests(), dirSize(t, filepath.Join(dir, "warc"))
	if first != 12 {
		t.Errorf("first run: %d requests, want 12 (2 pages, 10 requisites, the shared ones once)", first)
	}
	out := filepath.Join(dir, "lazy.png")
	if code, msg := lv("get", "http://img.example.net/lazy/1.png", "-o", out); code != 0 {
		t.Fatalf("get of a requisite exited %d: %s", code, msg)
	}
	if b, err := os.ReadFile(out); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("the lazy image came back as %.20q, %v", b, err)
	}

	checkStyled(t, cfgPath)
	if n := requests() - first; n != 2 {
		t.Errorf("unchanged rerun: %d requests, want 2 (the pages)", n)
	}
	growth := dirSize(t, filepath.Join(dir, "warc")) - warc
	t.Logf("WARC files: %d bytes after the first run, +%d bytes after the unchanged rerun (%d URLs)", warc, growth, 2)
	if growth > 2*1024 {
		t.Errorf("unchanged rerun grew the WARC files by %d bytes, want at most 1 KB per URL", growth)
	}

	code, msg := lv("report", "--format", "json", "--fail-on", "never")
	if code != 0 {
		t.Fatalf("report exited %d: %s", code, msg)
	}
	var rep struct {
		Links []struct {
			URL string `json:"url"`
		} `json:"links"`
	}
	if err := json.Unmarshal([]byte(msg), &rep); err != nil {
		t.Fatalf("report JSON: %v\n%.500s", err, msg)
	}
	var urls []string
	for _, l := range rep.Links {
		urls = append(urls, l.URL)
	}
	if len(urls) != 2 || strings.Join(urls, " ") != site.ArticleURL("one")+" "+site.ArticleURL("two") {
		t.Errorf("report rows %v, want the two articles only", urls)
	}
	if code, msg := lv("history", "http://styled.example.com/css/site.css"); code != 1 || !strings.Contains(msg, "unknown URL") {
		t.Errorf("history of a requisite: exit %d, %q; want 1, unknown URL", code, msg)
	}
}
