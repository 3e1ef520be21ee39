package main

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/linkvault/linkvault"
)

// Every key the strict loader knows has an environment variable that
// reaches its field, and every variable is a key the loader knows.
func TestEnvEveryKeyHasAVariable(t *testing.T) {
	keys := configKeys()
	have := map[string]bool{}
	names := map[string]string{}
	cfg := DefaultConfig()
	for _, k := range keys {
		have[k] = true
		if other, dup := names[envName(k)]; dup {
			t.Errorf("%s and %s share the variable %s", k, other, envName(k))
		}
		names[envName(k)] = k
		if !cfg.field(k).IsValid() {
			t.Errorf("%s: no field", k)
		}
	}
	var walk func(prefix string, known map[string]any)
	walk = func(prefix string, known map[string]any) {
		for k, sub := range known {
			m, isMap := sub.(map[string]any)
			if isMap {
				walk(prefix+k+".", m)
				if k != "wayback" && k != "software_heritage" { // wayback: false is a value too
					continue
				}
			}
			if !have[prefix+k] {
				t.Errorf("config key %s%s has no environment variable (want %s)", prefix, k, envName(prefix+k))
			}
			delete(have, prefix+k)
		}
	}
	walk("", knownKeys)
	for k := range have {
		t.Errorf("variable %s names %s, which the config loader does not know", envName(k), k)
	}
	if got := envName("policy.fail_on"); got != "LINKVAULT_POLICY_FAIL_ON" {
		t.Errorf("envName(policy.fail_on) = %s", got)
	}
}

func TestEnvOverrides(t *testing.T) {
	file := "notes: [notes]\ncheck: {rate: 1, user_agent: file-agent}\nwayback: {endpoint: http://wb.test}\nhosts: {a.test: {rate: 3}}\n"
	tests := []struct {
		env   string
		check func(c *Config) bool
	}{
		{"LINKVAULT_CHECK_RATE=5", func(c *Config) bool { return c.Check.Rate == 5 }},
		{"LINKVAULT_POLICY_FAIL_ON=new", func(c *Config) bool { return c.Policy.FailOn == "new" }},
		{"LINKVAULT_CHECK_HOST_CONCURRENCY=7", func(c *Config) bool { return c.Check.HostConcurrency == 7 }},
		{"LINKVAULT_CHECK_RECHECK_AFTER=2d", func(c *Config) bool { return c.Check.RecheckAfter == Duration(48*time.Hour) }},
		{"LINKVAULT_CHECK_MAX_BODY=1MB", func(c *Config) bool { return c.Check.MaxBody == 1<<20 }},
		{"LINKVAULT_CHECK_USER_AGENT=Mozilla/5.0 (X11; a: b)", func(c *Config) bool { return c.Check.UserAgent == "Mozilla/5.0 (X11; a: b)" }},
		{"LINKVAULT_NOTES=docs", func(c *Config) bool { return slices.Equal(c.Notes, []string{"docs"}) }},
		{"LINKVAULT_NOTES=[a, b]", func(c *Config) bool { return slices.Equal(c.Notes, []string{"a", "b"}) }},
		{"LINKVAULT_EXCLUDE=^https://x\\.test/", func(c *Config) bool { return len(c.exclude) == 1 && c.exclude[0].MatchString("https://x.test/a") }},
		{"LINKVAULT_WAYBACK=false", func(c *Config) bool { return !c.Wayback.Enabled && c.Wayback.Endpoint == "http://wb.test" }},
		{"LINKVAULT_WAYBACK_ENDPOINT=http://other.test", func(c *Config) bool { return c.Wayback.Enabled && c.Wayback.Endpoint == "http://other.test" }},
		{"LINKVAULT_CHECK_ACCEPT=200..204,403", func(c *Config) bool { return slices.Equal(c.Check.Accept, StatusSet{200, 201, 202, 203, 204, 403}) }},
		{"LINKVAULT_HOSTS={b.test: {rate: 4}}", func(c *Config) bool { _, a := c.Hosts["a.test"]; return !a && c.Hosts["b.test"].Rate == 4 }},
		{"LINKVAULT_CHECK_RESOLVE={x.test: 127.0.0.1:80}", func(c *Config) bool { return c.Check.Resolve["x.test"] == "127.0.0.1:80" }},
		{"LINKVAULT_SOFT404_ENABLED=false", func(c *Config) bool { return !c.Soft404.Enabled }},
		{"LINKVAULT_CHECK_RATE=", func(c *Config) bool { return c.Check.Rate == 1 }}, // empty: ignored
		{"LINKVAULT_SHARED=/x", func(c *Config) bool { return c.Check.Rate == 1 }},   // not a section: ignored
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			cfg, err := decodeConfig("cfg.yaml", []byte(file))
			if err != nil {
				t.Fatal(err)
			}
			if err := cfg.applyEnv([]string{"HOME=/root", tt.env}); err != nil {
				t.Fatalf("applyEnv: %v", err)
			}
			if err := cfg.validate(); err != nil {
				t.Fatalf("validate: %v", err)
			}
			if !tt.check(cfg) {
				t.Errorf("%s not applied: check %+v, notes %v, wayback %+v, hosts %v", tt.env, cfg.Check, cfg.Notes, cfg.Wayback, cfg.Hosts)
			}
		})
	}
}

func TestEnvErrors(t *testing.T) {
	tests := []struct{ env, want string }{
		{"LINKVAULT_CHECK_RATE=fast", "LINKVAULT_CHECK_RATE: check.rate: cannot unmarshal !!str `fast` into a number"},
		{"LINKVAULT_CHECK_RATE=0", "LINKVAULT_CHECK_RATE: check.rate: must be above 0"},
		{"LINKVAULT_POLICY_FAIL_ON=sometimes", `LINKVAULT_POLICY_FAIL_ON: policy.fail_on: must be one of dead, new, broken, never; got "sometimes"`},
		{"LINKVAULT_POLICY_DEAD_MIN_AGE=soon", `LINKVAULT_POLICY_DEAD_MIN_AGE: policy.dead_min_age: cannot unmarshal "soon" into a duration`},
		{"LINKVAULT_CHECK_RTAE=1", "environment: LINKVAULT_CHECK_RTAE: no such config key"},
		{"LINKVAULT_HOSTS_GITHUB_COM_RATE=1", "environment: LINKVAULT_HOSTS_GITHUB_COM_RATE: no such config key (the variables are LINKVAULT_ and a key of config.yaml, like LINKVAULT_CHECK_RATE=5; a mapping takes YAML: LINKVAULT_HOSTS='{github.com: {rate: 1}}')"},
		{"LINKVAULT_CHECK_ACCEPT=2xx", `LINKVAULT_CHECK_ACCEPT: check.accept: invalid status code or range "2xx"`},
		{"LINKVAULT_HOSTS={a.test: {rate: -1}}", "LINKVAULT_HOSTS: hosts.a.test.rate: must be above 0"},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			cfg, err := decodeConfig("cfg.yaml", []byte("check: {rate: 1}\n"))
			if err != nil {
				t.Fatal(err)
			}
			err = cfg.applyEnv([]string{tt.env})
			if err == nil {
				err = cfg.validate()
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error = %v, want prefix %q", err, tt.want)
			}
			if linkvault.ErrorCode(err) != linkvault.EInvalid || strings.Contains(err.Error(), "\n") {
				t.Errorf("want one line, code invalid: %q (%s)", err, linkvault.ErrorCode(err))
			}
		})
	}
}

// Precedence: flag > environment > file > default.
func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(name, []byte("check: {retries: 4, concurrency: 8, rate: 3, user_agent: file}\nexclude: ['^https://file\\.test/']\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LINKVAULT_CHECK_RETRIES", "5")
	t.Setenv("LINKVAULT_CHECK_CONCURRENCY", "9")
	g := &globalOptions{ConfigFile: name}
	cfg, err := g.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Check.Retries != 5 || cfg.Check.Concurrency != 9 || cfg.Check.Rate != 3 || cfg.Check.HostConcurrency != 2 {
		t.Errorf("env over file: %+v", cfg.Check)
	}
	var f configFlags
	fs := pflag.NewFlagSet("check", pflag.ContinueOnError)
	f.addFlags(fs)
	if err := fs.Parse([]string{"--max-retries", "0", "--timeout", "5s", "--user-agent", "flag", "--exclude", `^https://flag\.test/`,
		"--include", `^https://file\.test/keep`, "--header", "X-Team: docs", "--header", "x-token=a=b", "--accept", "200..299,403"}); err != nil {
		t.Fatal(err)
	}
	if err := f.apply(cfg); err != nil {
		t.Fatal(err)
	}
	o := checkerOptions(g, cfg, nil)
	if cfg.Check.Retries != 0 || o.Retries > 0 || o.Concurrency != 9 || o.UserAgent != "flag" || o.Rate != 3 || o.Timeout != 5*time.Second {
		t.Errorf("flags over env: retries %d (crawler %d) concurrency %d user agent %q rate %v timeout %v", cfg.Check.Retries, o.Retries, o.Concurrency, o.UserAgent, o.Rate, o.Timeout)
	}
	if len(o.Exclude) != 2 || !o.Exclude[1].MatchString("https://flag.test/x") || len(o.Include) != 1 {
		t.Errorf("--exclude/--include: exclude %v include %v", o.Exclude, o.Include)
	}
	if want := map[string]string{"X-Team": "docs", "X-Token": "a=b"}; !reflect.DeepEqual(o.Headers, want) {
		t.Errorf("--header: %v, want %v", o.Headers, want)
	}
	// Headers given for every host are kept out of the archive too.
	if got, want := secretHeaders(cfg), []string{"X-Team", "X-Token"}; !slices.Equal(got, want) {
		t.Errorf("secretHeaders = %v, want %v", got, want)
	}
	if len(o.Accept) != 101 || o.Accept[100] != 403 {
		t.Errorf("--accept: %v", o.Accept)
	}
}

func TestFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--accept", "ok"}, `--accept: check.accept: invalid status code or range "ok"`},
		{[]string{"--max-concurrency", "0"}, "--max-concurrency: check.concurrency: must be between 1 and"},
		{[]string{"--header", "no colon"}, `--header "no colon": want "NAME: VALUE"`},
		{[]string{"--exclude", "("}, `--exclude: exclude[0]: invalid pattern "("`},
	}
	for _, tt := range tests {
		cfg, err := decodeConfig("config.yaml", nil)
		if err != nil {
			t.Fatal(err)
		}
		var f configFlags
		fs := pflag.NewFlagSet("check", pflag.ContinueOnError)
		f.addFlags(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		err = f.apply(cfg)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) || linkvault.ErrorCode(err) != linkvault.EInvalid {
			t.Errorf("%v: error = %v, want prefix %q", tt.args, err, tt.want)
		}
	}
}

func TestStatusSetYAML(t *testing.T) {
	cfg, err := ParseConfig("cfg.yaml", []byte("check:\n  accept: [200..=201, 403]\nhosts:\n  a.test: {accept: '200,429'}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Check.Accept, StatusSet{200, 201, 403}) || !slices.Equal(cfg.Hosts["a.test"].Accept, StatusSet{200, 429}) {
		t.Errorf("accept = %v, hosts %v", cfg.Check.Accept, cfg.Hosts)
	}
	o := checkerOptions(&globalOptions{}, cfg, nil)
	if !slices.Equal(o.Accept, []int{200, 201, 403}) || !slices.Equal(o.Hosts["a.test"].Accept, []int{200, 429}) {
		t.Errorf("crawler options: accept %v, hosts %+v", o.Accept, o.Hosts)
	}
	_, err = ParseConfig("cfg.yaml", []byte("check:\n  rate: 1\n  accept: 299..200\n"))
	if want := `cfg.yaml:3: check.accept: invalid status code or range "299..200"`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %v, want prefix %q", err, want)
	}
}

// Each lychee flag sets its key (--timeout as soon as check.timeout
// exists); a flag whose key this build lacks is not offered.
func TestKeyFlagsSetTheirKeys(t *testing.T) {
	sample := map[string]string{"timeout": "5s", "max-retries": "3", "max-concurrency": "7", "user-agent": "lv/1", "accept": "200,403"}
	for _, kf := range keyFlags {
		cfg := DefaultConfig()
		var f configFlags
		fs := pflag.NewFlagSet("check", pflag.ContinueOnError)
		f.addFlags(fs)
		before := cfg.field(kf.key)
		if !before.IsValid() {
			if fs.Lookup(kf.flag) != nil {
				t.Errorf("--%s offered without its key %s", kf.flag, kf.key)
			}
			continue
		}
		old := before.Interface()
		if err := fs.Parse([]string{"--" + kf.flag, sample[kf.flag]}); err != nil {
			t.Fatalf("--%s: %v", kf.flag, err)
		}
		if err := f.apply(cfg); err != nil {
			t.Fatalf("--%s %s: %v", kf.flag, sample[kf.flag], err)
		}
		if got := cfg.field(kf.key).Interface(); reflect.DeepEqual(got, old) {
			t.Errorf("--%s %s left %s at %v", kf.flag, sample[kf.flag], kf.key, got)
		}
		t.Logf("--%s %s: %s = %v", kf.flag, sample[kf.flag], kf.key, cfg.field(kf.key).Interface())
	}
}
