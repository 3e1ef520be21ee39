package main

import (
	"path/filepath"
	"testing"
)

// TestStoreDB: a store in a bucket gives linkvault.db beside the WARC
// files, with the store's options; other stores give none.
func TestStoreDB(t *testing.T) {
	tests := []struct{ store, endpoint, region, pathStyle, want string }{
		{"s3://notes/linkvault", "", "", "auto", "s3://notes/linkvault/linkvault.db"},
		{"s3://notes/linkvault/", "", "", "", "s3://notes/linkvault/linkvault.db"},
		{"s3://notes", "", "", "", "s3://notes/linkvault.db"},
		{"s3://notes/lv?endpoint=http://127.0.0.1:8333&region=r1", "", "", "", "s3://notes/lv/linkvault.db?endpoint=http%3A%2F%2F127.0.0.1%3A8333&region=r1"},
		{"s3://notes/lv", "https://r2.example", "auto", "true", "s3://notes/lv/linkvault.db?endpoint=https%3A%2F%2Fr2.example&path_style=true&region=auto"},
		{"s3://notes/lv?region=eu", "", "us", "", "s3://notes/lv/linkvault.db?region=eu"}, // the URL's own option wins
		{"", "", "", "", ""},
		{"archive", "https://r2.example", "", "", ""},
	}
	for _, tt := range tests {
		if got := storeDB(tt.store, tt.endpoint, tt.region, tt.pathStyle); got != tt.want {
			t.Errorf("storeDB(%q, %q, %q, %q) = %q, want %q", tt.store, tt.endpoint, tt.region, tt.pathStyle, got, tt.want)
		}
	}
}

// TestDBSet: the database derived from the store is used only when no
// db was named: by --db, db: in the file, or LINKVAULT_DB.
func TestDBSet(t *testing.T) {
	dir := t.TempDir()
	load := func(t *testing.T, g *globalOptions, yaml string, env []string) *Config {
		t.Helper()
		p := filepath.Join(dir, "config.yaml")
		cfg, err := decodeConfig(p, []byte(yaml))
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.applyEnv(env); err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	for _, tt := range []struct {
		name string
		g    globalOptions
		yaml string
		env  []string
		want bool
	}{
		{"nothing", globalOptions{}, "notes: [n]\n", nil, false},
		{"db: in the file", globalOptions{}, "db: linkvault.db\n", nil, true},
		{"LINKVAULT_DB", globalOptions{}, "notes: [n]\n", []string{"LINKVAULT_DB=x.db"}, true},
		{"--db", globalOptions{DBFile: "x.db"}, "notes: [n]\n", nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := load(t, &tt.g, tt.yaml, tt.env)
			if got := tt.g.dbSet(cfg); got != tt.want {
				t.Errorf("dbSet = %v, want %v", got, tt.want)
			}
			if !tt.want && tt.g.dbPath(cfg) != filepath.Join(dir, "linkvault.db") {
				t.Errorf("dbPath = %q, want the default beside the config (the store is not a bucket)", tt.g.dbPath(cfg))
			}
		})
	}
}
