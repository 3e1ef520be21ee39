package main

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"github.com/rogpeppe/go-internal/testscript"
)

// warcgrep DIR REGEXP: some record of the WARC files in DIR (gunzipped)
// matches REGEXP; with !, none does.
func cmdWARCGrep(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: warcgrep DIR REGEXP")
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	files, err := filepath.Glob(filepath.Join(ts.MkAbs(args[0]), "*.warc.gz*"))
	ts.Check(err)
	if len(files) == 0 {
		ts.Fatalf("no WARC file in %s", args[0])
	}
	for _, f := range files {
		fh, err := os.Open(f)
		ts.Check(err)
		zr, err := gzip.NewReader(fh)
		ts.Check(err)
		b, err := io.ReadAll(zr)
		fh.Close()
		ts.Check(err)
		if loc := re.FindIndex(b); loc != nil {
			if neg {
				ts.Fatalf("%s matches %q: %q", filepath.Base(f), args[1], b[max(0, loc[0]-40):min(len(b), loc[1]+40)])
			}
			return
		}
	}
	if !neg {
		ts.Fatalf("no WARC record matches %q", args[1])
	}
}
