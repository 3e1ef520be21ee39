package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/crawler"
)

// TestConfigRequisites: archive.requisites, requisites_max and
// requisites_max_bytes reach the checker with their documented defaults;
// invalid values name file, line and key.
func TestConfigRequisites(t *testing.T) {
	cfg, err := ParseConfig("cfg.yaml", []byte("notes: [n]\n"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := archive.Open(t.TempDir()+"/x.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := archive.NewArchiver(db, archive.ArchiverOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	o := checkerOptions(&globalOptions{}, cfg, a)
	if !slices.Equal(o.Requisites.Kinds, []string{"css", "images", "fonts", "favicons"}) || o.Requisites.Max != 50 ||
		o.Requisites.MaxBytes != 20<<20 || o.Requisites.Capture == nil {
		t.Errorf("default requisites = %+v", o.Requisites)
	}
	if o := checkerOptions(&globalOptions{}, cfg, nil); len(o.Requisites.Kinds) != 0 {
		t.Errorf("without an archive, requisites = %+v, want none", o.Requisites)
	}

	cfg, err = ParseConfig("cfg.yaml", []byte("archive:\n  requisites: [css, scripts]\n  requisites_max: 7\n  requisites_max_bytes: 1MB\n"))
	if err != nil {
		t.Fatal(err)
	}
	o = checkerOptions(&globalOptions{}, cfg, a)
	if !slices.Equal(o.Requisites.Kinds, []string{crawler.RequisiteCSS, crawler.RequisiteScripts}) || o.Requisites.Max != 7 || o.Requisites.MaxBytes != 1<<20 {
		t.Errorf("requisites = %+v", o.Requisites)
	}
	cfg, err = ParseConfig("cfg.yaml", []byte("archive:\n  requisites: []\n"))
	if err != nil || len(checkerOptions(&globalOptions{}, cfg, a).Requisites.Kinds) != 0 {
		t.Errorf("requisites: [] = %v, %v; want off", err, cfg)
	}

	for _, tt := range []struct{ yaml, want string }{
		{"archive:\n  requisites: [css, video]\n", `cfg.yaml:2: archive.requisites[1]: must be one of css, images, fonts, favicons, scripts, got "video"`},
		{"archive:\n  requisites_max: 0\n", `cfg.yaml:2: archive.requisites_max: must be between 1 and 1000, got 0`},
		{"archive:\n  requisites_max_bytes: 10\n", `cfg.yaml:2: archive.requisites_max_bytes: must be between`},
		{"archive:\n  requisite: [css]\n", `cfg.yaml:2: unknown key "archive.requisite"`},
	} {
		_, err := ParseConfig("cfg.yaml", []byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.want)
		}
	}
}
