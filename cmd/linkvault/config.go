package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/crawler"
)

// Config is the content of config.yaml. Every key is documented in the
// shipped config.yaml; DefaultConfig gives the values of absent keys.
type Config struct {
	Notes       []string              `yaml:"notes"`
	IncludeCode bool                  `yaml:"include_code"`
	Exclude     []string              `yaml:"exclude"`
	Include     []string              `yaml:"include"`
	DB          string                `yaml:"db"`
	Check       CheckConfig           `yaml:"check"`
	Hosts       map[string]HostConfig `yaml:"hosts"`
	Policy      PolicyConfig          `yaml:"policy"`
	Soft404     Soft404Config         `yaml:"soft404"`
	Archive     ArchiveConfig         `yaml:"archive"`
	Wayback     WaybackConfig         `yaml:"wayback"`
	SWH         SWHConfig             `yaml:"software_heritage"`
	Report      ReportConfig          `yaml:"report"`
	Site        SiteConfig            `yaml:"site"`

	// ExcludePaths are regular expressions of note paths not read.
	ExcludePaths []string `yaml:"exclude_paths"`

	path    string           // the file it was read from, "" for defaults
	dir     string           // paths in the config are relative to this
	digest  string           // sha256 of the file's bytes
	exclude []*regexp.Regexp // compiled Exclude
	lines   map[string]int   // line of each dotted key in the file ("check.rate", "exclude[0]")

	excludePaths []*regexp.Regexp // compiled ExcludePaths, then --exclude-path
	include      []*regexp.Regexp // compiled Include
	siteExclude  []*regexp.Regexp // compiled Site.Exclude
	// origin names where a key's value came from when not from the
	// file: "LINKVAULT_CHECK_RATE", "--max-retries" (see env.go).
	origin map[string]string
}

// CheckConfig holds the keys under check:.
type CheckConfig struct {
	Concurrency     int               `yaml:"concurrency"`
	HostConcurrency int               `yaml:"host_concurrency"`
	Rate            float64           `yaml:"rate"`
	Burst           int               `yaml:"burst"`
	Retries         int               `yaml:"retries"`
	RetryWait       Duration          `yaml:"retry_wait"`
	RetryWaitMax    Duration          `yaml:"retry_wait_max"`
	RetryAfterMax   Duration          `yaml:"retry_after_max"`
	ConnectTimeout  Duration          `yaml:"connect_timeout"`
	TLSTimeout      Duration          `yaml:"tls_timeout"`
	HeaderTimeout   Duration          `yaml:"header_timeout"`
	ReadTimeout     Duration          `yaml:"read_timeout"`
	Timeout         Duration          `yaml:"timeout"`
	MaxBody         Size              `yaml:"max_body"`
	Breaker         int               `yaml:"breaker"`
	UserAgent       string            `yaml:"user_agent"`
	CAFile          string            `yaml:"ca_file"`
	AllowPrivate    bool              `yaml:"allow_private"`
	RecheckAfter    Duration          `yaml:"recheck_after"`
	Resolve         map[string]string `yaml:"resolve"`
	GitHubAPI       string            `yaml:"github_api"`
	Budget          Duration          `yaml:"budget"`
	Accept          StatusSet         `yaml:"accept"`
	Headers         map[string]string `yaml:"headers"`
	MemoryLimit     Size              `yaml:"memory_limit"` // 0: none (GOMEMLIMIT still applies)
}

// HostConfig holds the per-host overrides under hosts:.
type HostConfig struct {
	Rate        float64           `yaml:"rate"`
	Burst       int               `yaml:"burst"`
	Concurrency int               `yaml:"concurrency"`
	Headers     map[string]string `yaml:"headers"`
	Accept      StatusSet         `yaml:"accept"`
}

// PolicyConfig holds the keys under policy:.
type PolicyConfig struct {
	DeadAfter  int      `yaml:"dead_after"`
	DeadMinAge Duration `yaml:"dead_min_age"`
	FailOn     string   `yaml:"fail_on"`
	// DriftDistance: from this fingerprint distance a page's main text
	// no longer matches what was cited; 0 turns drift tracking off.
	DriftDistance int `yaml:"drift_distance"`
	// MaxAge: a verdict older than this is stale (0: never).
	MaxAge Duration `yaml:"max_age"`
}

// Soft404Config holds the keys under soft404:.
type Soft404Config struct {
	Enabled    bool              `yaml:"enabled"`
	Probe      bool              `yaml:"probe"`
	GenericMin int               `yaml:"generic_min"`
	GoneText   []string          `yaml:"gone_text"`
	Signatures []SignatureConfig `yaml:"signatures"`
}

// SignatureConfig is one entry of soft404.signatures.
type SignatureConfig struct {
	Host string `yaml:"host"`
	Text string `yaml:"text"`
}

// ArchiveConfig holds the keys under archive:.
type ArchiveConfig struct {
	Enabled  bool     `yaml:"enabled"`
	Dir      string   `yaml:"dir"`
	MaxSize  Size     `yaml:"max_size"`
	Types    []string `yaml:"types"`
	FileSize Size     `yaml:"file_size"`
	// RepoMaxSize caps a repository's source tarball (0: no sources).
	RepoMaxSize Size `yaml:"repo_max_size"`
	// Requisites: the kinds of page requisites captured with a page
	// (crawler.RequisiteKinds); empty: none.
	Requisites         []string `yaml:"requisites"`
	RequisitesMax      int      `yaml:"requisites_max"`
	RequisitesMaxBytes Size     `yaml:"requisites_max_bytes"`
	// Store is where the WARC files go: "" (Dir), a directory, or
	// s3://BUCKET/PREFIX with the options below (see store.go).
	Store          string `yaml:"store"`
	StoreEndpoint  string `yaml:"store_endpoint"`
	StoreRegion    string `yaml:"store_region"`
	StorePathStyle string `yaml:"store_path_style"`
	// DBGenerations and DBLease: a database in a bucket (db: s3://…)
	// keeps this many generations, and a run's lease on it lasts this
	// long after its last renewal.
	DBGenerations int      `yaml:"db_generations"`
	DBLease       Duration `yaml:"db_lease"`
}

// WaybackConfig is wayback: — either a boolean or a mapping.
type WaybackConfig struct {
	Enabled  bool     `yaml:"enabled"`
	Endpoint string   `yaml:"endpoint"`
	MaxAge   Duration `yaml:"max_age"`
	// Exclude: hosts never looked up; PublicHosts: hosts looked up even
	// when they resolve to a private address (see wayback.go).
	Exclude     ExcludeHosts `yaml:"exclude"`
	PublicHosts PublicHosts  `yaml:"public_hosts"`
}

// ReportConfig holds the keys under report:.
type ReportConfig struct {
	Dir      string `yaml:"dir"`
	RepoURL  string `yaml:"repo_url"`
	ShowGone bool   `yaml:"show_gone"`
}

// SiteConfig holds the keys under site: (websites given as notes).
type SiteConfig struct {
	MaxDepth     int      `yaml:"max_depth"`
	MaxPages     int      `yaml:"max_pages"`
	AllowDomains []string `yaml:"allow_domains"`
	Robots       bool     `yaml:"robots"`
	Sitemap      bool     `yaml:"sitemap"`
	Exclude      []string `yaml:"exclude"`
}

// DefaultConfig returns the configuration used for absent keys.
func DefaultConfig() *Config {
	return &Config{
		DB: "linkvault.db",
		Check: CheckConfig{
			Concurrency:     64,
			HostConcurrency: 2,
			Rate:            2,
			Burst:           2,
			Retries:         2,
			RetryWait:       Duration(time.Second),
			RetryWaitMax:    Duration(crawler.DefaultRetryWaitMax),
			RetryAfterMax:   Duration(60 * time.Second),
			ConnectTimeout:  Duration(10 * time.Second),
			TLSTimeout:      Duration(10 * time.Second),
			HeaderTimeout:   Duration(20 * time.Second),
			ReadTimeout:     Duration(20 * time.Second),
			Timeout:         Duration(crawler.DefaultTimeout),
			MaxBody:         10 << 20,
			Breaker:         3,
			GitHubAPI:       "https://api.github.com",
		},
		Hosts: map[string]HostConfig{
			"github.com":     {Rate: 1, Burst: 1, Concurrency: 2},
			"api.github.com": {Rate: 1, Burst: 1, Concurrency: 1},
		},
		Policy: PolicyConfig{
			DeadAfter:  2,
			DeadMinAge: Duration(20 * time.Hour),
			FailOn:     string(linkvault.FailOnDead),

			DriftDistance: linkvault.DefaultDriftDistance,
		},
		Soft404: Soft404Config{Enabled: true, Probe: true, GenericMin: 3},
		Archive: ArchiveConfig{
			Enabled:  true,
			Dir:      "archive",
			MaxSize:  50 << 20,
			FileSize: 1 << 30,

			RepoMaxSize:        100 << 20,
			Requisites:         slices.Clone(crawler.DefaultRequisiteKinds),
			RequisitesMax:      crawler.DefaultRequisitesMax,
			RequisitesMaxBytes: crawler.DefaultRequisitesMaxBytes,
			StorePathStyle:     "auto",

			DBGenerations: archive.DefaultGenerations,
			DBLease:       Duration(archive.DefaultLease),
		},
		Wayback: WaybackConfig{
			Enabled:  true,
			Endpoint: "https://web.archive.org",
			MaxAge:   Duration(7 * 24 * time.Hour),
		},
		SWH: SWHConfig{
			Enabled:  true,
			Endpoint: "https://archive.softwareheritage.org",
			MaxAge:   Duration(7 * 24 * time.Hour),
		},
		Site: SiteConfig{MaxDepth: crawler.DefaultSiteMaxDepth, MaxPages: crawler.DefaultSiteMaxPages, Robots: true, Sitemap: true},
	}
}

// LoadConfig reads and validates a config file. Unknown keys and values of
// the wrong type are errors naming the file, line and key.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, linkvault.Errorf(linkvault.EInvalid, "config: %w", pathError(err))
	}
	cfg, err := ParseConfig(path, data)
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// ParseConfig parses config bytes read from path.
func ParseConfig(path string, data []byte) (*Config, error) {
	cfg, err := decodeConfig(path, data)
	if err != nil {
		return nil, err
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// decodeConfig parses config bytes read from path without validating
// the values, so that the environment can override them first.
func decodeConfig(path string, data []byte) (*Config, error) {
	cfg := DefaultConfig()
	cfg.path = path
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	cfg.dir = filepath.Dir(abs)
	sum := sha256.Sum256(data)
	cfg.digest = hex.EncodeToString(sum[:])

	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, configError(path, err)
	}
	if len(root.Content) > 0 {
		if err := checkKeys(path, root.Content[0], cfg); err != nil {
			return nil, err
		}
		cfg.lines = map[string]int{}
		if err := checkValues(path, root.Content[0], reflect.TypeFor[Config](), "", cfg.lines); err != nil {
			return nil, err
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(cfg); err != nil {
			return nil, configError(path, err)
		}
	}
	return cfg, nil
}

// checkKeys walks the document against the Config struct so that an
// unknown key is reported with its full dotted name and line.
func checkKeys(path string, n *yaml.Node, cfg *Config) error {
	if n.Kind != yaml.MappingNode {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return nil
		}
		return linkvault.Errorf(linkvault.EInvalid, "%s:%d: the config must be a mapping of keys", path, n.Line)
	}
	return walkKeys(path, "", n, knownKeys)
}

// knownKeys describes the config tree: nil is a leaf (any value, checked
// by the decoder), a map lists the subkeys; hosts: has one hostKeys
// mapping per host name.
var knownKeys = map[string]any{
	"notes": nil, "include_code": nil, "exclude": nil, "exclude_paths": nil, "include": nil, "db": nil,
	"check": map[string]any{
		"concurrency": nil, "host_concurrency": nil, "rate": nil, "burst": nil,
		"retries": nil, "retry_wait": nil, "retry_wait_max": nil, "retry_after_max": nil,
		"connect_timeout": nil, "tls_timeout": nil, "header_timeout": nil, "read_timeout": nil, "timeout": nil,
		"max_body": nil, "breaker": nil, "user_agent": nil, "ca_file": nil,
		"allow_private": nil, "recheck_after": nil, "resolve": nil, "github_api": nil,
		"budget": nil,
		"accept": nil, "headers": nil,
		"memory_limit": nil,
	},
	"hosts":   nil,
	"policy":  map[string]any{"dead_after": nil, "dead_min_age": nil, "fail_on": nil, "drift_distance": nil, "max_age": nil},
	"soft404": map[string]any{"enabled": nil, "probe": nil, "generic_min": nil, "gone_text": nil, "signatures": nil},
	"archive": map[string]any{"enabled": nil, "dir": nil, "max_size": nil, "types": nil, "file_size": nil, "repo_max_size": nil,
		"requisites": nil, "requisites_max": nil, "requisites_max_bytes": nil,
		"store": nil, "store_endpoint": nil, "store_region": nil, "store_path_style": nil,
		"db_generations": nil, "db_lease": nil},
	"wayback": map[string]any{"enabled": nil, "endpoint": nil, "max_age": nil, "exclude": nil, "public_hosts": nil},
	"report":  map[string]any{"dir": nil, "repo_url": nil, "show_gone": nil},

	"software_heritage": map[string]any{"enabled": nil, "endpoint": nil, "max_age": nil},
	"site":              map[string]any{"max_depth": nil, "max_pages": nil, "allow_domains": nil, "robots": nil, "sitemap": nil, "exclude": nil},
}

var hostKeys = map[string]any{"rate": nil, "burst": nil, "concurrency": nil, "headers": nil, "accept": nil}

func walkKeys(path, prefix string, n *yaml.Node, known map[string]any) error {
	if n.Kind != yaml.MappingNode {
		return nil // type errors are reported by the decoder
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := prefix + k.Value
		sub, ok := known[k.Value]
		if !ok {
			return linkvault.Errorf(linkvault.EInvalid, "%s:%d: unknown key %q%s", path, k.Line, name, suggest(k.Value, known))
		}
		if name == "hosts" && v.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(v.Content); j += 2 {
				if err := walkKeys(path, "hosts."+v.Content[j].Value+".", v.Content[j+1], hostKeys); err != nil {
					return err
				}
			}
			continue
		}
		if m, isMap := sub.(map[string]any); isMap && len(m) > 0 {
			if err := walkKeys(path, name+".", v, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// suggest returns ` (did you mean "x"?)` for a near miss.
func suggest(key string, known map[string]any) string {
	best, bestD := "", 3
	for k := range known {
		if d := editDistance(key, k); d < bestD || (d == bestD && k < best) {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line (\d+): (.*)`) })

// configError turns a yaml error into "FILE:LINE: message" lines.
func configError(path string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg := te.Errors[0]
		if m := yamlLine().FindStringSubmatch(msg); m != nil {
			return linkvault.Errorf(linkvault.EInvalid, "%s:%s: %s", path, m[1], cleanYAMLMessage(m[2]))
		}
		return linkvault.Errorf(linkvault.EInvalid, "%s: %s", path, msg)
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine().FindStringSubmatch(msg); m != nil {
		return linkvault.Errorf(linkvault.EInvalid, "%s:%s: %s", path, m[1], m[2])
	}
	return linkvault.Errorf(linkvault.EInvalid, "%s: %s", path, msg)
}

// cleanYAMLMessage rewords yaml's Go-typed messages for users.
func cleanYAMLMessage(s string) string {
	r := strings.NewReplacer(
		"into main.Duration", "into a duration (like 30s, 20h, 7d)",
		"into main.Size", "into a size (like 10MB)",
		"into main.WaybackConfig", "into wayback (true, false or a mapping)",
		"into main.SWHConfig", "into software_heritage (true, false or a mapping)",
		"into float64", "into a number", "into int", "into an integer",
		"into bool", "into true or false", "into []string", "into a list of strings",
		"into string", "into a string",
	)
	return goTypeName().ReplaceAllStringFunc(r.Replace(s), func(t string) string {
		if strings.HasPrefix(t, "into []") {
			return "into a list of mappings"
		}
		return "into a mapping"
	})
}

// goTypeName matches the Go types of mappings in yaml's messages.
var goTypeName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`into (\[\])?(main\.\w+|map\[string\]\w+)`) })

// validate checks every value against its range, documented in the
// shipped config.yaml; an invalid one is named with file, line and key.
//
// One piece: a flat list of independent checks, one or a few lines per
// key in the order of config.yaml, read side by side with it; each new key
// adds its line here.
func (c *Config) validate() error {
	v := &valueCheck{c: c}
	ch := c.Check
	v.intIn("check.concurrency", ch.Concurrency, 1, cfgMaxConcurrency)
	v.intIn("check.host_concurrency", ch.HostConcurrency, 1, cfgMaxConcurrency)
	v.rate("check.rate", ch.Rate, false)
	v.intIn("check.burst", ch.Burst, 1, cfgMaxBurst)
	v.intIn("check.retries", ch.Retries, 0, cfgMaxRetries)
	v.durIn("check.retry_wait", ch.RetryWait, time.Millisecond, time.Hour)
	v.durIn("check.retry_wait_max", ch.RetryWaitMax, time.Duration(ch.RetryWait), cfgDay)
	v.durIn("check.retry_after_max", ch.RetryAfterMax, time.Second, cfgDay)
	v.durIn("check.connect_timeout", ch.ConnectTimeout, 100*time.Millisecond, time.Hour)
	v.durIn("check.tls_timeout", ch.TLSTimeout, 100*time.Millisecond, time.Hour)
	v.durIn("check.header_timeout", ch.HeaderTimeout, 100*time.Millisecond, time.Hour)
	v.durIn("check.read_timeout", ch.ReadTimeout, 100*time.Millisecond, time.Hour)
	v.durIn("check.timeout", ch.Timeout, 100*time.Millisecond, time.Hour)
	v.sizeIn("check.max_body", ch.MaxBody, 1<<10, 1<<30)
	if ch.MemoryLimit != 0 {
		v.sizeIn("check.memory_limit", ch.MemoryLimit, 16<<20, 1<<40)
	}
	v.intIn("check.breaker", ch.Breaker, 1, cfgMaxCount)
	if strings.ContainsFunc(ch.UserAgent, unicode.IsControl) {
		v.fail("check.user_agent", "must not contain control characters, got %q", ch.UserAgent)
	}
	if ch.CAFile != "" {
		v.caFile("check.ca_file", c.resolve(ch.CAFile))
	}
	v.durIn("check.recheck_after", ch.RecheckAfter, 0, 365*cfgDay)
	v.durIn("check.budget", ch.Budget, 0, cfgDay)
	for _, host := range slices.Sorted(maps.Keys(ch.Resolve)) {
		if err := resolveEntry(host, ch.Resolve[host]); err != nil {
			v.fail("check.resolve."+host, "%v", err)
		}
	}
	v.webURL("check.github_api", ch.GitHubAPI, false)
	for _, host := range slices.Sorted(maps.Keys(c.Hosts)) {
		h, key := c.Hosts[host], "hosts."+host
		if strings.TrimSpace(host) == "" {
			v.fail(key, "must name a host")
		}
		v.rate(key+".rate", h.Rate, true)
		v.intIn(key+".burst", h.Burst, 0, cfgMaxBurst)
		v.intIn(key+".concurrency", h.Concurrency, 0, cfgMaxConcurrency)
		for name, val := range h.Headers {
			if strings.ContainsFunc(name+val, unicode.IsControl) || name == "" {
				v.fail(key+".headers."+name, "must be a header name and a value without control characters")
			}
		}
	}
	v.intIn("policy.dead_after", c.Policy.DeadAfter, 1, cfgMaxCount)
	v.durIn("policy.dead_min_age", c.Policy.DeadMinAge, 0, 365*cfgDay)
	v.durIn("policy.max_age", c.Policy.MaxAge, 0, 365*cfgDay)
	if !linkvault.FailOn(c.Policy.FailOn).Valid() {
		v.fail("policy.fail_on", "must be one of dead, new, broken, never; got %q", c.Policy.FailOn)
	}
	if d := c.Policy.DriftDistance; d < 0 || d > 64 {
		v.fail("policy.drift_distance", "must be between 0 (off) and 64, got %d", d)
	}
	v.intIn("soft404.generic_min", c.Soft404.GenericMin, 2, cfgMaxCount)
	for i, sg := range c.Soft404.Signatures {
		if strings.TrimSpace(sg.Text) == "" {
			v.fail(fmt.Sprintf("soft404.signatures[%d].text", i), "must not be empty")
		}
	}
	v.sizeIn("archive.max_size", c.Archive.MaxSize, 1<<10, 16<<30)
	v.sizeIn("archive.file_size", c.Archive.FileSize, 1<<20, 1<<40)
	c.validStore(v)
	v.intIn("archive.db_generations", c.Archive.DBGenerations, 1, 1000)
	v.durIn("archive.db_lease", c.Archive.DBLease, 10*time.Second, cfgDay)
	for i, t := range c.Archive.Types {
		if !mediaType(t) {
			v.fail(fmt.Sprintf("archive.types[%d]", i), "must be a media type like application/json or video/*, got %q", t)
		}
	}
	for i, k := range c.Archive.Requisites {
		if !slices.Contains(crawler.RequisiteKinds, k) {
			v.fail(fmt.Sprintf("archive.requisites[%d]", i), "must be one of %s, got %q", strings.Join(crawler.RequisiteKinds, ", "), k)
		}
	}
	v.intIn("archive.requisites_max", c.Archive.RequisitesMax, 1, cfgMaxCount)
	v.sizeIn("archive.requisites_max_bytes", c.Archive.RequisitesMaxBytes, 1<<10, 1<<30)
	v.webURL("wayback.endpoint", c.Wayback.Endpoint, !c.Wayback.Enabled)
	v.durIn("wayback.max_age", c.Wayback.MaxAge, time.Minute, 365*cfgDay)
	v.sizeIn("archive.repo_max_size", c.Archive.RepoMaxSize, 0, 64<<30)
	v.webURL("software_heritage.endpoint", c.SWH.Endpoint, !c.SWH.Enabled)
	v.durIn("software_heritage.max_age", c.SWH.MaxAge, time.Minute, 365*cfgDay)
	v.webURL("report.repo_url", c.Report.RepoURL, true)
	c.validateSite(v)
	c.exclude = c.exclude[:0]
	for i, p := range c.Exclude {
		re, err := regexp.Compile(p)
		if err != nil {
			v.fail(fmt.Sprintf("exclude[%d]", i), "invalid pattern %q: %v", p, err)
			continue
		}
		c.exclude = append(c.exclude, re)
	}
	c.excludePaths = c.excludePaths[:0]
	for i, p := range c.ExcludePaths {
		re, err := regexp.Compile(p)
		if err != nil {
			v.fail(fmt.Sprintf("exclude_paths[%d]", i), "invalid regular expression %q: %v", p, regexpReason(err))
			continue
		}
		c.excludePaths = append(c.excludePaths, re)
	}
	c.include = c.include[:0]
	for i, p := range c.Include {
		re, err := regexp.Compile(p)
		if err != nil {
			v.fail(fmt.Sprintf("include[%d]", i), "invalid pattern %q: %v", p, err)
			continue
		}
		c.include = append(c.include, re)
	}
	return v.err
}

func (c *Config) name() string {
	if c.path == "" {
		return "default config"
	}
	return c.path
}

// resolve makes a config path absolute against the config's directory.
func (c *Config) resolve(p string) string {
	if p == "" || filepath.IsAbs(p) || c.dir == "" {
		return p
	}
	return filepath.Join(c.dir, p)
}

// Policy returns the policy of the config.
func (c *Config) policy() linkvault.Policy {
	return linkvault.Policy{
		DeadAfter:  c.Policy.DeadAfter,
		DeadMinAge: time.Duration(c.Policy.DeadMinAge),
		FailOn:     linkvault.FailOn(c.Policy.FailOn),

		DriftDistance: c.driftDistance(),
		MaxAge:        time.Duration(c.Policy.MaxAge),
	}
}

// driftDistance maps policy.drift_distance, where 0 means off, to
// linkvault.Policy.DriftDistance, where 0 means the default and off is
// linkvault.DriftOff (see linkvault.Policy).
func (c *Config) driftDistance() int {
	if c.Policy.DriftDistance == 0 {
		return linkvault.DriftOff
	}
	return c.Policy.DriftDistance
}

// Duration is a time.Duration that also accepts days ("90d") in YAML.
type Duration time.Duration

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: cannot unmarshal a %s into a duration (like 30s, 20h, 7d)", n.Line, kindName(n.Kind))
	}
	v, err := parseDuration(n.Value)
	if errors.Is(err, errOutOfRange) {
		return fmt.Errorf("line %d: %q is out of range", n.Line, n.Value)
	}
	if err != nil {
		return fmt.Errorf("line %d: cannot unmarshal %q into a duration (like 30s, 20h, 7d)", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// errOutOfRange is returned by parseDuration and parseSize for a number
// too large for the type (or NaN).
var errOutOfRange = errors.New("out of range")

// validDurationSyntax matches what time.ParseDuration parses, whatever
// the size of the numbers.
var validDurationSyntax = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[-+]?([0-9]*(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+$`)
})

// kindName names a YAML node kind in messages.
func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "value"
}

func (d Duration) String() string { return time.Duration(d).String() }

// parseDuration accepts Go durations plus a "d" (day) unit, and "0".
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		if f := days * float64(24*time.Hour); !(math.Abs(f) < math.MaxInt64) {
			return 0, errOutOfRange
		}
		return time.Duration(days * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil && validDurationSyntax().MatchString(s) {
		return 0, errOutOfRange // time says "invalid duration" for an overflow
	}
	return d, err
}

// Size is a byte count that accepts units in YAML ("10MB", "1GiB", "512k").
type Size int64

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *Size) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: cannot unmarshal a %s into a size (like 10MB)", n.Line, kindName(n.Kind))
	}
	v, err := parseSize(n.Value)
	if errors.Is(err, errOutOfRange) {
		return fmt.Errorf("line %d: %q is out of range", n.Line, n.Value)
	}
	if err != nil {
		return fmt.Errorf("line %d: cannot unmarshal %q into a size (like 10MB)", n.Line, n.Value)
	}
	*s = Size(v)
	return nil
}

func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(strings.ToUpper(s))
	units := []struct {
		suffix string
		mult   int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	if b := f * float64(mult); !(b < math.MaxInt64) {
		return 0, errOutOfRange
	}
	return int64(f * float64(mult)), nil
}

// UnmarshalYAML lets wayback: be true, false or a mapping.
func (w *WaybackConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var b bool
		if err := n.Decode(&b); err != nil {
			return fmt.Errorf("line %d: cannot unmarshal %q into wayback (true, false or a mapping)", n.Line, n.Value)
		}
		w.Enabled = b
		return nil
	}
	type plain WaybackConfig
	p := plain(*w)
	p.Enabled = true
	if err := n.Decode(&p); err != nil {
		return err
	}
	*w = WaybackConfig(p)
	return nil
}

func pathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// SWHConfig is software_heritage: — either a boolean or a mapping.
type SWHConfig struct {
	Enabled  bool     `yaml:"enabled"`
	Endpoint string   `yaml:"endpoint"`
	MaxAge   Duration `yaml:"max_age"`
}

// UnmarshalYAML lets software_heritage: be true, false or a mapping.
func (w *SWHConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var b bool
		if err := n.Decode(&b); err != nil {
			return fmt.Errorf("line %d: cannot unmarshal %q into software_heritage (true, false or a mapping)", n.Line, n.Value)
		}
		w.Enabled = b
		return nil
	}
	type plain SWHConfig
	p := plain(*w)
	p.Enabled = true
	if err := n.Decode(&p); err != nil {
		return err
	}
	*w = SWHConfig(p)
	return nil
}
