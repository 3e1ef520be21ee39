package main

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/spf13/pflag"

	"github.com/linkvault/linkvault"
)

// configFlags are the flags of check that set config keys, named as in
// lychee so that its users find them. They win over the environment and
// the file (flag > env > file).
type configFlags struct {
	fs      *pflag.FlagSet
	exclude []string
	include []string
	headers []string
}

// keyFlags map a flag to the config key it sets; the flag's text is
// parsed like the key's value in the environment.
var keyFlags = []struct {
	flag, key, usage string
	kind             string // "int", "string"
}{
	{"timeout", "check.timeout", "total time for one attempt at a URL, like 30s (check.timeout)", "string"},
	{"max-retries", "check.retries", "retries for 429, 5xx, timeouts and resets (check.retries)", "int"},
	{"max-concurrency", "check.concurrency", "requests in flight over all hosts (check.concurrency)", "int"},
	{"user-agent", "check.user_agent", "User-Agent header (check.user_agent)", "string"},
	{"accept", "check.accept", "status codes counted as ok, like 200..299,403 (check.accept)", "string"},
}

// addFlags defines the flags on fs. A flag whose key this build does not
// have is not defined.
func (f *configFlags) addFlags(fs *pflag.FlagSet) {
	f.fs = fs
	cfg := DefaultConfig()
	for _, kf := range keyFlags {
		if !cfg.field(kf.key).IsValid() {
			continue
		}
		switch kf.kind {
		case "int":
			fs.Int(kf.flag, 0, kf.usage)
		default:
			fs.String(kf.flag, "", kf.usage)
		}
	}
	fs.StringArrayVar(&f.exclude, "exclude", nil, "skip URLs matching REGEX, added to exclude: (repeatable)")
	fs.StringArrayVar(&f.include, "include", nil, "check only URLs matching REGEX, even excluded ones; added to include: (repeatable)")
	fs.StringArrayVar(&f.headers, "header", nil, `send "NAME: VALUE" to every host, added to check.headers (repeatable)`)
}

// apply sets the keys of the flags given on the command line and
// validates the result.
func (f *configFlags) apply(cfg *Config) error {
	if f.fs == nil {
		return nil
	}
	for _, kf := range keyFlags {
		fl := f.fs.Lookup(kf.flag)
		if fl == nil || !fl.Changed {
			continue
		}
		if err := cfg.set(kf.key, fl.Value.String(), "--"+kf.flag); err != nil {
			return err
		}
	}
	for _, p := range f.exclude {
		cfg.setOrigin(fmt.Sprintf("exclude[%d]", len(cfg.Exclude)), "--exclude")
		cfg.Exclude = append(cfg.Exclude, p)
	}
	for _, p := range f.include {
		cfg.setOrigin(fmt.Sprintf("include[%d]", len(cfg.Include)), "--include")
		cfg.Include = append(cfg.Include, p)
	}
	for _, h := range f.headers {
		name, value, err := parseHeader(h)
		if err != nil {
			return err
		}
		if cfg.Check.Headers == nil {
			cfg.Check.Headers = map[string]string{}
		}
		cfg.Check.Headers[name] = value
	}
	return cfg.validate()
}

// parseHeader reads "Name: value" (or lychee's older "Name=value").
func parseHeader(s string) (name, value string, err error) {
	i := strings.IndexAny(s, ":=")
	if i > 0 {
		name, value = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	}
	if i <= 0 || !validHeaderName(name) {
		return "", "", linkvault.Errorf(linkvault.EInvalid, "--header %q: want \"NAME: VALUE\"", s)
	}
	return http.CanonicalHeaderKey(name), value, nil
}

// validHeaderName reports whether s is an HTTP token (RFC 9110).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}

func (c *Config) setOrigin(key, origin string) {
	if c.origin == nil {
		c.origin = map[string]string{}
	}
	c.origin[key] = origin
}
