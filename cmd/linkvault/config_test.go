package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
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
		got.MaxBody != want.MaxBody || got.RetryAfterMax != want.RetryAfterMax || got.Breaker != want.Breaker ||
		got.Retries != want.Retries || got.RetryWait != want.RetryWait || got.RetryWaitMax != want.RetryWaitMax || got.Timeout != want.Timeout {
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

// Every rejected value is one line naming file, line and key, with the
// range that would be accepted.
func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown top key", "notes: [a]\nnotse: [b]\n", `cfg.yaml:2: unknown key "notse" (did you mean "notes"?)`},
		{"unknown nested key", "check:\n  rate: 1\n  rtae: 2\n", `cfg.yaml:3: unknown key "check.rtae" (did you mean "rate"?)`},
		{"unknown host key", "hosts:\n  github.com:\n    rate: 1\n    concurency: 1\n", `cfg.yaml:4: unknown key "hosts.github.com.concurency" (did you mean "concurrency"?)`},
		{"syntax", "check: [\n", `cfg.yaml:1: did not find expected node content`},
		{"not a mapping", "- a\n- b\n", `cfg.yaml:1: the config must be a mapping of keys`},
		{"unknown soft404 key", "soft404:\n  probes: false\n", `cfg.yaml:2: unknown key "soft404.probes" (did you mean "probe"?)`},
		{"signature key", "soft404:\n  signatures: [{host: a.example, txt: gone}]\n", `cfg.yaml:2: unknown key "soft404.signatures[0].txt"`},

		// Wrong types name the key.
		{"wrong type", "check:\n  rate: fast\n", "cfg.yaml:2: check.rate: cannot unmarshal !!str `fast` into a number"},
		{"wrong type in a flow mapping", "check: {rate: 1,\n  burst: fast}\n", "cfg.yaml:2: check.burst: cannot unmarshal !!str `fast` into an integer"},
		{"integer too large", "check:\n  retries: 1e100\n", "cfg.yaml:2: check.retries: cannot unmarshal !!float `1e100` into an integer"},
		{"list expected", "notes: 5\n", "cfg.yaml:1: notes: cannot unmarshal !!int `5` into a list of strings"},
		{"mapping expected", "hosts:\n  x.example: 5\n", "cfg.yaml:2: hosts.x.example: cannot unmarshal !!int `5` into a mapping"},
		{"header type", "hosts:\n  x.example:\n    headers: {X-A: [1]}\n", "cfg.yaml:3: hosts.x.example.headers.X-A: cannot unmarshal !!seq into a string"},
		{"bad wayback", "wayback: maybe\n", `cfg.yaml:1: wayback: cannot unmarshal "maybe" into wayback (true, false or a mapping)`},
		{"bad software_heritage", "\nsoftware_heritage: maybe\n", `cfg.yaml:2: software_heritage: cannot unmarshal "maybe" into software_heritage (true, false or a mapping)`},
		{"bad duration", "policy:\n  dead_min_age: soon\n", `cfg.yaml:2: policy.dead_min_age: cannot unmarshal "soon" into a duration (like 30s, 20h, 7d)`},
		{"bad size", "check:\n  max_body: huge\n", `cfg.yaml:2: check.max_body: cannot unmarshal "huge" into a size (like 10MB)`},
		{"size list", "check:\n  max_body: [1]\n", `cfg.yaml:2: check.max_body: cannot unmarshal a list into a size (like 10MB)`},

		// Values that do not fit their type.
		{"size overflow", "check:\n  max_body: 1e30GB\n", `cfg.yaml:2: check.max_body: "1e30GB" is out of range`},
		{"size inf", "archive:\n  max_size: inf\n", `cfg.yaml:2: archive.max_size: cannot unmarshal "inf" into a size (like 10MB)`},
		{"size nan", "archive:\n  file_size: nan\n", `cfg.yaml:2: archive.file_size: cannot unmarshal "nan" into a size (like 10MB)`},
		{"size negative", "check:\n  max_body: -1MB\n", `cfg.yaml:2: check.max_body: cannot unmarshal "-1MB" into a size (like 10MB)`},
		{"days overflow", "policy:\n  dead_min_age: 1e300d\n", `cfg.yaml:2: policy.dead_min_age: "1e300d" is out of range`},
		{"days nan", "policy:\n  dead_min_age: nand\n", `cfg.yaml:2: policy.dead_min_age: "nand" is out of range`},
		{"hours overflow", "check:\n  recheck_after: 9999999999999h\n", `cfg.yaml:2: check.recheck_after: "9999999999999h" is out of range`},

		// Values outside their documented range.
		{"negative duration", "check:\n  read_timeout: -1h\n", `cfg.yaml:2: check.read_timeout: must be between 100ms and 1h, got -1h`},
		{"negative days", "policy:\n  dead_min_age: -2d\n", `cfg.yaml:2: policy.dead_min_age: must be between 0 and 365d, got -2d`},
		{"zero timeout", "check:\n  connect_timeout: 0\n", `cfg.yaml:2: check.connect_timeout: must be between 100ms and 1h, got 0`},
		{"long timeout", "check:\n  header_timeout: 2h\n", `cfg.yaml:2: check.header_timeout: must be between 100ms and 1h, got 2h`},
		{"tls timeout", "check:\n  tls_timeout: 1ms\n", `cfg.yaml:2: check.tls_timeout: must be between 100ms and 1h, got 1ms`},
		{"retry_after_max", "check:\n  retry_after_max: 0\n", `cfg.yaml:2: check.retry_after_max: must be between 1s and 1d, got 0`},
		{"recheck_after", "check:\n  recheck_after: 400d\n", `cfg.yaml:2: check.recheck_after: must be between 0 and 365d, got 400d`},
		{"retries", "check:\n  retries: 1000000\n", `cfg.yaml:2: check.retries: must be between 0 and 10, got 1000000`},
		{"negative retries", "check:\n  retries: -1\n", `cfg.yaml:2: check.retries: must be between 0 and 10, got -1`},
		{"zero concurrency", "check:\n  concurrency: 0\n", `cfg.yaml:2: check.concurrency: must be between 1 and 1024, got 0`},
		{"host concurrency", "check:\n  host_concurrency: 5000\n", `cfg.yaml:2: check.host_concurrency: must be between 1 and 1024, got 5000`},
		{"zero rate", "check:\n  rate: 0\n", `cfg.yaml:2: check.rate: must be above 0 and at most 1000 requests per second, got 0`},
		{"negative rate", "\ncheck:\n  rate: -1\n", `cfg.yaml:3: check.rate: must be above 0 and at most 1000 requests per second, got -1`},
		{"nan rate", "check:\n  rate: .nan\n", `cfg.yaml:2: check.rate: must be above 0 and at most 1000 requests per second, got NaN`},
		{"inf rate", "check:\n  rate: .inf\n", `cfg.yaml:2: check.rate: must be above 0 and at most 1000 requests per second, got +Inf`},
		{"burst", "check:\n  burst: 0\n", `cfg.yaml:2: check.burst: must be between 1 and 1000, got 0`},
		{"breaker", "check:\n  breaker: 0\n", `cfg.yaml:2: check.breaker: must be between 1 and 1000, got 0`},
		{"max_body zero", "check:\n  max_body: 0\n", `cfg.yaml:2: check.max_body: must be between 1KB and 1GB, got 0B`},
		{"max_body large", "check:\n  max_body: 2GB\n", `cfg.yaml:2: check.max_body: must be between 1KB and 1GB, got 2GB`},
		{"memory_limit small", "check:\n  memory_limit: 1MB\n", `cfg.yaml:2: check.memory_limit: must be between 16MB and 1024GB, got 1MB`},
		{"max_size", "archive:\n  max_size: 20GB\n", `cfg.yaml:2: archive.max_size: must be between 1KB and 16GB, got 20GB`},
		{"file_size", "archive:\n  file_size: 1KB\n", `cfg.yaml:2: archive.file_size: must be between 1MB and 1024GB, got 1KB`},
		{"store bucket", "archive:\n  store: s3://My_Bucket/p\n", `cfg.yaml:2: archive.store: must be a directory or s3://BUCKET/PREFIX: "s3://My_Bucket/p": bad bucket name "My_Bucket" (3–63 lower-case letters, digits, dots and hyphens)`},
		{"store option", "archive:\n  store: s3://bucket/p?regoin=x\n", `cfg.yaml:2: archive.store: must be a directory or s3://BUCKET/PREFIX: "s3://bucket/p?regoin=x": unknown option "regoin" (known: endpoint, region, path_style)`},
		{"store endpoint", "archive:\n  store_endpoint: 127.0.0.1:9000\n", `cfg.yaml:2: archive.store_endpoint: must be an http or https URL, got "127.0.0.1:9000"`},
		{"store path style", "archive:\n  store_path_style: yes\n", `cfg.yaml:2: archive.store_path_style: must be auto, true or false, got "yes"`},
		{"archive type", "archive:\n  types: [application/json,\n    json]\n", `cfg.yaml:3: archive.types[1]: must be a media type like application/json or video/*, got "json"`},
		{"user agent", "check:\n  user_agent: \"a\\r\\nX-Evil: 1\"\n", `cfg.yaml:2: check.user_agent: must not contain control characters, got "a\r\nX-Evil: 1"`},
		{"ca_file missing", "check:\n  ca_file: /nonexistent-linkvault/no-such.pem\n", `cfg.yaml:2: check.ca_file: /nonexistent-linkvault/no-such.pem: no such file or directory`},
		{"ca_file not PEM", "check:\n  ca_file: /dev/null\n", `cfg.yaml:2: check.ca_file: no PEM certificate in /dev/null`},
		{"github_api", "check:\n  github_api: api.github.com\n", `cfg.yaml:2: check.github_api: must be an http or https URL, got "api.github.com"`},
		{"resolve addr", "check:\n  resolve:\n    github.com: not-an-addr\n", `cfg.yaml:3: check.resolve.github.com: "not-an-addr" is not an IP address (want ADDR or ADDR:PORT)`},
		{"resolve port", "check:\n  resolve:\n    github.com:443: 127.0.0.1:0\n", `cfg.yaml:3: check.resolve.github.com:443: "127.0.0.1:0" has an invalid port (want ADDR or ADDR:PORT, ADDR an IP address)`},
		{"resolve host", "check:\n  resolve:\n    \"github.com:99999\": 127.0.0.1\n", `cfg.yaml:3: check.resolve.github.com:99999: "github.com:99999" is not HOST or HOST:PORT`},
		{"host rate", "hosts:\n  example.com:\n    rate: -1\n", `cfg.yaml:3: hosts.example.com.rate: must be above 0 and at most 1000 requests per second, got -1`},
		{"host burst", "hosts:\n  example.com: {burst: -2}\n", `cfg.yaml:2: hosts.example.com.burst: must be between 0 and 1000, got -2`},
		{"host concurrency", "hosts:\n  example.com:\n    concurrency: 2000\n", `cfg.yaml:3: hosts.example.com.concurrency: must be between 0 and 1024, got 2000`},
		{"budget", "check:\n  budget: -30m\n", `cfg.yaml:2: check.budget: must be between 0 and 1d, got -30m`},
		{"policy max_age", "policy:\n  max_age: -1d\n", `cfg.yaml:2: policy.max_age: must be between 0 and 365d, got -1d`},
		{"dead_after", "policy:\n  dead_after: 0\n", `cfg.yaml:2: policy.dead_after: must be between 1 and 1000, got 0`},
		{"bad fail_on", "policy:\n  fail_on: sometimes\n", `cfg.yaml:2: policy.fail_on: must be one of dead, new, broken, never; got "sometimes"`},
		{"drift distance", "policy:\n  drift_distance: 65\n", `cfg.yaml:2: policy.drift_distance: must be between 0 (off) and 64, got 65`},
		{"generic_min 1", "soft404:\n  generic_min: 1\n", `cfg.yaml:2: soft404.generic_min: must be between 2 and 1000, got 1`},
		{"empty signature", "soft404:\n  signatures:\n    - {host: a.example, text: x}\n    - {host: a.example}\n", `cfg.yaml:4: soft404.signatures[1].text: must not be empty`},
		{"bad regexp", "exclude:\n  - ^https://ok\\.example/\n  - '('\n", "cfg.yaml:3: exclude[1]: invalid pattern \"(\": error parsing regexp: missing closing ): `(`"},
		{"wayback endpoint", "wayback:\n  endpoint: ftp://archive.example\n", `cfg.yaml:2: wayback.endpoint: must be an http or https URL, got "ftp://archive.example"`},
		{"wayback max_age", "wayback:\n  max_age: 0\n", `cfg.yaml:2: wayback.max_age: must be between 1m and 365d, got 0`},
		{"repo_max_size", "archive:\n  repo_max_size: 65GB\n", `cfg.yaml:2: archive.repo_max_size: must be between 0B and 64GB, got 65GB`},
		{"software_heritage endpoint", "software_heritage:\n  endpoint: archive.softwareheritage.org\n", `cfg.yaml:2: software_heritage.endpoint: must be an http or https URL, got "archive.softwareheritage.org"`},
		{"software_heritage max_age", "software_heritage:\n  max_age: 10s\n", `cfg.yaml:2: software_heritage.max_age: must be between 1m and 365d, got 10s`},
		{"wayback exclude", "wayback:\n  exclude:\n    - example.com\n    - https://github.com/\n", `cfg.yaml:4: wayback.exclude: invalid host pattern "https://github.com/": want a host name like example.com or *.example.com`},
		{"wayback public_hosts", "wayback:\n  public_hosts: 5\n", `cfg.yaml:2: wayback.public_hosts: want a list of host names`},
		{"repo_url", "report:\n  repo_url: javascript:alert(1)\n", `cfg.yaml:2: report.repo_url: must be an http or https URL, got "javascript:alert(1)"`},
		{"zero total timeout", "check:\n  timeout: 0\n", `cfg.yaml:2: check.timeout: must be between 100ms and 1h, got 0`},
		{"retry_wait", "check:\n  retry_wait: 0\n", `cfg.yaml:2: check.retry_wait: must be between 1ms and 1h, got 0`},
		{"retry_wait_max below retry_wait", "check:\n  retry_wait: 2s\n  retry_wait_max: 1s\n", `cfg.yaml:3: check.retry_wait_max: must be between 2s and 1d, got 1s`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig("cfg.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q\n         want %q", err, tt.want)
			}
			if linkvault.ErrorCode(err) != linkvault.EInvalid {
				t.Errorf("code = %q, want invalid", linkvault.ErrorCode(err))
			}
		})
	}
}

// The edges of the documented ranges are accepted.
func TestConfigRangesAccepted(t *testing.T) {
	cfg, err := ParseConfig("cfg.yaml", []byte(`
check:
  concurrency: 1024
  host_concurrency: 1
  rate: 1000
  burst: 1
  retries: 0
  retry_after_max: 1d
  connect_timeout: 100ms
  tls_timeout: 1h
  max_body: 1KB
  breaker: 1000
  recheck_after: 365d
  resolve: {"github.com:443": "127.0.0.1:8443", go.dev: "::1", "[::1]:80": "[::1]:8080"}
hosts:
  example.com: {rate: 0.001, burst: 0, concurrency: 0}
policy: {dead_after: 1, dead_min_age: 0}
archive: {max_size: 16GB, file_size: 1MB, types: [application/json, "video/*"]}
wayback: {enabled: false, endpoint: "", max_age: 1m}
report: {repo_url: "https://github.com/o/r/blob/main/"}
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Check.Concurrency != 1024 || cfg.Check.Retries != 0 || cfg.Archive.MaxSize != 16<<30 {
		t.Errorf("check = %+v, archive = %+v", cfg.Check, cfg.Archive)
	}
}

func TestConfigValues(t *testing.T) {
	cfg, err := ParseConfig("/x/cfg.yaml", []byte(`
notes: [notes/*.md]
wayback: false
software_heritage: false
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
	if cfg.SWH.Enabled || cfg.SWH.Endpoint != "https://archive.softwareheritage.org" || cfg.Archive.RepoMaxSize != 100<<20 {
		t.Errorf("software_heritage: false = %+v, archive.repo_max_size %d", cfg.SWH, cfg.Archive.RepoMaxSize)
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

// --resolve is checked like check.resolve.
func TestResolveFlag(t *testing.T) {
	for _, tc := range []struct{ flag, want string }{
		{"github.com:443=127.0.0.1:8443", ""},
		{"github.com=::1", ""},
		{"github.com=not-an-addr", `--resolve "github.com=not-an-addr": "not-an-addr" is not an IP address (want ADDR or ADDR:PORT)`},
		{"github.com", `--resolve "github.com": want HOST[:PORT]=ADDR:PORT`},
	} {
		err := applyCheckFlags(DefaultConfig(), CheckOptions{Resolve: []string{tc.flag}})
		if got := fmt.Sprint(err); (tc.want == "" && err != nil) || (tc.want != "" && got != tc.want) {
			t.Errorf("--resolve %s: %v, want %q", tc.flag, err, tc.want)
		}
	}
}

// TestConfigRetriesAndTimeout checks how the retry and timeout keys reach
// the checker: check.retries: 0 means no retry (the crawler's 0 would be
// its default of 2), the others pass as they are.
func TestConfigRetriesAndTimeout(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	cfg, err := ParseConfig("cfg.yaml", []byte("check: {retries: 0, retry_wait: 10ms, retry_wait_max: 2m, timeout: 5s, allow_private: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	o := checkerOptions(&globalOptions{}, cfg, nil)
	if o.RetryWait != 10*time.Millisecond || o.RetryWaitMax != 2*time.Minute || o.Timeout != 5*time.Second {
		t.Errorf("options: retry_wait %v, retry_wait_max %v, timeout %v; want 10ms, 2m, 5s", o.RetryWait, o.RetryWaitMax, o.Timeout)
	}
	c, err := crawler.NewChecker(o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var got linkvault.Result
	if err := c.Check(context.Background(), []crawler.Target{{URL: srv.URL + "/"}}, func(r linkvault.Result) { got = r }); err != nil {
		t.Fatal(err)
	}
	if n := requests.Load(); n != 1 || got.Status != linkvault.StatusBroken {
		t.Errorf("retries: 0 made %d requests (%s), want 1 (broken)", n, got)
	}
}
