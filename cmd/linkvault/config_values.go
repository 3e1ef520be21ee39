package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/netip"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/linkvault/linkvault"
)

// checkValues decodes every value of the config document into the Go type
// of its key, so that a value of the wrong type is reported with its file,
// line and dotted key, and records the line of every key in lines for
// validate. Unknown keys of the top-level mappings are reported before,
// by checkKeys; unknown keys of list entries (soft404.signatures) here.
func checkValues(path string, n *yaml.Node, t reflect.Type, prefix string, lines map[string]int) error {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := prefix + k.Value
		lines[name] = k.Line
		ft, ok := yamlField(t, k.Value)
		if !ok {
			return linkvault.Errorf(linkvault.EInvalid, "%s:%d: unknown key %q", path, k.Line, name)
		}
		if err := checkValue(path, v, ft, name, lines); err != nil {
			return err
		}
	}
	return nil
}

// checkValue checks one value of type t named name.
func checkValue(path string, v *yaml.Node, t reflect.Type, name string, lines map[string]int) error {
	switch {
	case v.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		return checkValues(path, v, t, name+".", lines)
	case reflect.PointerTo(t).Implements(unmarshalerType):
		// A type that reads itself (wayback.exclude) names its own lines.
	case v.Kind == yaml.MappingNode && t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		for j := 0; j+1 < len(v.Content); j += 2 {
			k, e := v.Content[j], v.Content[j+1]
			lines[name+"."+k.Value] = k.Line
			if err := checkValue(path, e, t.Elem(), name+"."+k.Value, lines); err != nil {
				return err
			}
		}
		return nil
	case v.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		for j, e := range v.Content {
			en := fmt.Sprintf("%s[%d]", name, j)
			lines[en] = e.Line
			if err := checkValue(path, e, t.Elem(), en, lines); err != nil {
				return err
			}
		}
		return nil
	}
	if err := v.Decode(reflect.New(t).Interface()); err != nil {
		return valueError(path, v.Line, name, err)
	}
	return nil
}

// yamlField returns the type of the field of struct t whose yaml name is
// key.
func yamlField(t reflect.Type, key string) (reflect.Type, bool) {
	if t.Kind() != reflect.Struct {
		return nil, false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag == key && f.IsExported() {
			return f.Type, true
		}
	}
	return nil, false
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

var linePrefix = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(yaml: )?line (\d+): `) })

// valueError is "FILE:LINE: KEY: message" for a value that did not decode.
// The line and key a message starts with (an UnmarshalYAML naming an
// element of a list) replace line and name.
func valueError(path string, line int, name string, err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := linePrefix().FindStringSubmatch(msg); m != nil {
		if n, err := strconv.Atoi(m[2]); err == nil {
			line = n
		}
		msg = msg[len(m[0]):]
	}
	msg = strings.TrimPrefix(msg, name+": ")
	return linkvault.Errorf(linkvault.EInvalid, "%s:%d: %s: %s", path, line, name, cleanYAMLMessage(msg))
}

// Ranges of the config values, documented in the shipped config.yaml.
const (
	cfgMaxConcurrency = 1024
	cfgMaxRate        = 1000 // requests per second
	cfgMaxBurst       = 1000
	cfgMaxRetries     = 10
	cfgMaxCount       = 1000 // breaker, dead_after, generic_min
	cfgDay            = 24 * time.Hour
)

// valueCheck collects the first invalid value of a config, named with its
// file, line and key.
type valueCheck struct {
	c   *Config
	err error
}

// fail records "FILE:LINE: KEY: message" unless an error is recorded.
func (v *valueCheck) fail(key, format string, args ...any) {
	if v.err != nil {
		return
	}
	where := v.c.name()
	if line := v.c.line(key); line > 0 {
		where += ":" + strconv.Itoa(line)
	}
	if o := v.c.originOf(key); o != "" { // set by LINKVAULT_… or a flag (env.go)
		where = o
	}
	v.err = linkvault.Errorf(linkvault.EInvalid, "%s: %s: %s", where, key, fmt.Sprintf(format, args...))
}

// line is the line of key in the file, or of the closest enclosing key
// present (for soft404.signatures[1].text without text:, the entry); 0
// when the key comes from the defaults.
func (c *Config) line(key string) int {
	line, _ := enclosing(c.lines, key)
	return line
}

// enclosing looks key up in m, else the closest enclosing key that m has
// (soft404.signatures[1].text, then soft404.signatures[1], then
// soft404.signatures, then soft404).
func enclosing[V any](m map[string]V, key string) (V, bool) {
	for key != "" {
		if v, ok := m[key]; ok {
			return v, true
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	var zero V
	return zero, false
}

func (v *valueCheck) intIn(key string, n, lo, hi int) {
	if n < lo || n > hi {
		v.fail(key, "must be between %d and %d, got %d", lo, hi, n)
	}
}

// rate checks requests per second: above 0 (or 0 when zeroOK) and at most
// cfgMaxRate.
func (v *valueCheck) rate(key string, r float64, zeroOK bool) {
	if zeroOK && r == 0 {
		return
	}
	if !(r > 0 && r <= cfgMaxRate) { // also NaN
		v.fail(key, "must be above 0 and at most %d requests per second, got %g", cfgMaxRate, r)
	}
}

func (v *valueCheck) durIn(key string, d Duration, lo, hi time.Duration) {
	if time.Duration(d) < lo || time.Duration(d) > hi {
		v.fail(key, "must be between %s and %s, got %s", fmtDur(lo), fmtDur(hi), fmtDur(time.Duration(d)))
	}
}

func (v *valueCheck) sizeIn(key string, s Size, lo, hi int64) {
	if int64(s) < lo || int64(s) > hi {
		v.fail(key, "must be between %s and %s, got %s", fmtSize(lo), fmtSize(hi), fmtSize(int64(s)))
	}
}

// webURL checks an absolute http(s) URL; empty is allowed when emptyOK.
func (v *valueCheck) webURL(key, s string, emptyOK bool) {
	if s == "" && emptyOK {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.fail(key, "must be an http or https URL, got %q", s)
	}
}

// caFile checks that the file p holds PEM certificates.
func (v *valueCheck) caFile(key, p string) {
	pem, err := os.ReadFile(p)
	switch {
	case err != nil:
		v.fail(key, "%v", pathError(err))
	case !x509.NewCertPool().AppendCertsFromPEM(pem):
		v.fail(key, "no PEM certificate in %s", p)
	}
}

// resolveEntry checks one check.resolve entry: HOST[:PORT] mapped to an
// IP address with an optional port, as curl --resolve takes them.
func resolveEntry(host, addr string) error {
	if h, port, err := net.SplitHostPort(host); err == nil {
		if h == "" || !validPort(port) {
			return fmt.Errorf("%q is not HOST or HOST:PORT", host)
		}
	} else if host == "" || strings.ContainsAny(host, " /") {
		return fmt.Errorf("%q is not HOST or HOST:PORT", host)
	}
	ip := addr
	if h, port, err := net.SplitHostPort(addr); err == nil {
		if !validPort(port) {
			return fmt.Errorf("%q has an invalid port (want ADDR or ADDR:PORT, ADDR an IP address)", addr)
		}
		ip = h
	}
	if _, err := netip.ParseAddr(strings.Trim(ip, "[]")); err != nil {
		return fmt.Errorf("%q is not an IP address (want ADDR or ADDR:PORT)", addr)
	}
	return nil
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}

// fmtDur formats a duration the way the config writes them: 7d, 20h, 1h30m.
func fmtDur(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	if d%cfgDay == 0 {
		return strconv.FormatInt(int64(d/cfgDay), 10) + "d"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// fmtSize formats a byte count the way the config writes them: 10MB.
func fmtSize(n int64) string {
	for _, u := range []struct {
		unit string
		mult int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}} {
		if n != 0 && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.unit
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// mediaType reports whether s is "type/subtype" or "type/*".
func mediaType(s string) bool {
	mt, _, err := mime.ParseMediaType(s)
	return err == nil && strings.Count(mt, "/") == 1 && !strings.HasPrefix(mt, "/") && !strings.HasSuffix(mt, "/")
}
