package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/crawler"
)

func TestShippedConfig(t *testing.T) {
	cfg, err := LoadConfig("../../config.yaml")
	if err != nil {
		t.Fatalf("shipped config.yaml: %v", err)
	}
	def := DefaultConfig()
	if got, want := cfg.Check, def.Check; got.Concurrency != want.Concurrency || got.Rate != want.Rate || got.HostConcurrency != want.HostConcurrency ||
		got.MaxBody != want.MaxBody || got.RetryAfterMax != want.RetryAfterMax || got.Breaker != want.Breaker {
		t.Errorf("shipped check: differs from DefaultConfig:\n got %+v\nwant %+v", got, want)
	}
	if got := cfg.policy(); got != linkvault.DefaultPolicy() {
		t.Errorf("shipped policy = %+v, want %+v", got, linkvault.DefaultPolicy())
	}
	if cfg.Hosts["github.com"].Rate != 1 {
		t.Errorf("github.com rate = %v, want 1", cfg.Hosts["github.com"].Rate)
	}
	if !cfg.Wayback.Enabled || cfg.Wayback.MaxAge != Duration(7*24*time.Hour) {
		t.Errorf("wayback = %+v", cfg.Wayback)
	}
	wantNotes, _ := filepath.Abs("../../examples/notes")
	if got := cfg.resolve(cfg.Notes[0]); got != wantNotes {
		t.Errorf("notes resolve to %q, want %q", got, wantNotes)
	}
}

// Every key of the struct must be documented in the shipped config.yaml.
func TestShippedConfigDocumentsEveryKey(t *testing.T) {
	data, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	var walk func(prefix string, known map[string]any)
	walk = func(prefix string, known map[string]any) {
		for k, sub := range known {
			if !strings.Contains(text, k+":") {
				t.Errorf("config.yaml does not mention key %s%s", prefix, k)
			}
			if m, ok := sub.(map[string]any); ok {
				walk(prefix+k+".", m)
			}
		}
	}
	walk("", knownKeys)
	walk("hosts.HOST.", hostKeys)
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown top key", "notes: [a]\nnotse: [b]\n", `cfg.yaml:2: unknown key "notse" (did you mean "notes"?)`},
		{"unknown nested key", "check:\n  rate: 1\n  rtae: 2\n", `cfg.yaml:3: unknown key "check.rtae" (did you mean "rate"?)`},
		{"unknown host key", "hosts:\n  github.com:\n    rate: 1\n    concurency: 1\n", `cfg.yaml:4: unknown key "hosts.github.com.concurency" (did you mean "concurrency"?)`},
		{"wrong type", "check:\n  rate: fast\n", `cfg.yaml:2: cannot unmarshal !!str ` + "`fast`" + ` into a number`},
		{"bad duration", "policy:\n  dead_min_age: soon\n", `cfg.yaml:2: cannot unmarshal "soon" into a duration (like 30s, 20h, 7d)`},
		{"bad size", "check:\n  max_body: huge\n", `cfg.yaml:2: cannot unmarshal "huge" into a size (like 10MB)`},
		{"bad fail_on", "policy:\n  fail_on: sometimes\n", `cfg.yaml: policy.fail_on: must be one of dead, new, broken, never; got "sometimes"`},
		{"bad regexp", "exclude: ['(']\n", `cfg.yaml: exclude: invalid pattern "("`},
		{"zero rate", "check:\n  rate: 0\n", `cfg.yaml: check.rate: must be above 0`},
		{"syntax", "check: [\n", `cfg.yaml:`},
		{"not a mapping", "- a\n- b\n", `cfg.yaml:1: the config must be a mapping of keys`},
		{"unknown soft404 key", "soft404:\n  probes: false\n", `cfg.yaml:2: unknown key "soft404.probes" (did you mean "probe"?)`},
		{"generic_min 1", "soft404:\n  generic_min: 1\n", `cfg.yaml: soft404.generic_min: must be at least 2, got 1`},
		{"drift distance", "policy:\n  drift_distance: 65\n", `cfg.yaml: policy.drift_distance: must be between 0 (off) and 64, got 65`},
		{"empty signature", "soft404:\n  signatures: [{host: a.example}]\n", `cfg.yaml: soft404.signatures[0].text: must not be empty`},
		{"signature key", "soft404:\n  signatures: [{host: a.example, txt: gone}]\n", `cfg.yaml:2: `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig("cfg.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %q, want prefix %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error has several lines: %q", err)
			}
			if linkvault.ErrorCode(err) != linkvault.EInvalid {
				t.Errorf("code = %q, want invalid", linkvault.ErrorCode(err))
			}
		})
	}
}

func TestConfigValues(t *testing.T) {
	cfg, err := ParseConfig("/x/cfg.yaml", []byte(`
notes: [notes/*.md]
wayback: false
policy: {dead_min_age: 0, dead_after: 3}
check: {recheck_after: 2d, max_body: 512KB}
archive: {dir: /abs/arch}
hosts: {example.com: {rate: 0.5, headers: {X-Token: t}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Wayback.Enabled {
		t.Error("wayback: false left it enabled")
	}
	if cfg.policy().DeadMinAge != 0 || cfg.policy().DeadAfter != 3 {
		t.Errorf("policy = %+v", cfg.policy())
	}
	if cfg.Check.RecheckAfter != Duration(48*time.Hour) || cfg.Check.MaxBody != 512<<10 {
		t.Errorf("check = %+v", cfg.Check)
	}
	if got := cfg.resolve(cfg.Archive.Dir); got != "/abs/arch" {
		t.Errorf("absolute dir resolved to %q", got)
	}
	if got := cfg.resolve(cfg.Notes[0]); got != "/x/notes/*.md" {
		t.Errorf("notes resolved to %q", got)
	}
	if h := cfg.Hosts["example.com"]; h.Rate != 0.5 || h.Headers["X-Token"] != "t" {
		t.Errorf("hosts = %+v", cfg.Hosts)
	}
	if _, ok := cfg.Hosts["github.com"]; !ok {
		t.Error("a hosts: entry dropped the github.com default")
	}
}

func TestConfigSoft404(t *testing.T) {
	def, err := ParseConfig("cfg.yaml", []byte("notes: [n]\n"))
	if err != nil {
		t.Fatal(err)
	}
	o := checkerOptions(&globalOptions{}, def, nil)
	if o.Soft404.Disabled || o.Soft404.NoProbe || o.Soft404.GenericMin != 3 || def.policy().DriftDistance != linkvault.DefaultDriftDistance {
		t.Errorf("defaults: %+v, drift %d", o.Soft404, def.policy().DriftDistance)
	}
	cfg, err := ParseConfig("cfg.yaml", []byte(`
soft404:
  enabled: false
  probe: false
  generic_min: 5
  gone_text: ["Nothing here"]
  signatures: [{host: bbs.example.com, text: 帖子已被删除}]
policy: {drift_distance: 0}
`))
	if err != nil {
		t.Fatal(err)
	}
	o = checkerOptions(&globalOptions{}, cfg, nil)
	want := crawler.Soft404Options{Disabled: true, NoProbe: true, GenericMin: 5, GoneText: []string{"Nothing here"},
		Signatures: []crawler.Signature{{Host: "bbs.example.com", Text: "帖子已被删除"}}}
	if !reflect.DeepEqual(o.Soft404, want) {
		t.Errorf("soft404 options = %+v, want %+v", o.Soft404, want)
	}
	if d := cfg.policy().DriftDistance; d >= 0 {
		t.Errorf("drift_distance 0: policy distance %d, want negative (off)", d)
	}
}
