package main

import (
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/linkvault/linkvault"
)

// Every config key can be set from the environment: LINKVAULT_ followed
// by the key in upper case with dots as underscores (check.rate is
// LINKVAULT_CHECK_RATE). The names are derived from the yaml tags of
// Config, so a new key gets its variable without more code. Precedence:
// flag > environment > config file > default.
//
// Values are YAML, like in the file (LINKVAULT_CHECK_RATE=0.5,
// LINKVAULT_WAYBACK=false, LINKVAULT_CHECK_RESOLVE='{a.test: 127.0.0.1:8080}'),
// except that a string key takes the value as it is and a list of strings
// takes a plain value as a list of one (LINKVAULT_NOTES=docs). An empty
// variable is ignored. A LINKVAULT_ variable that names a section but no
// key (LINKVAULT_CHECK_RTAE) is an error.
const envPrefix = "LINKVAULT_"

// envName is the environment variable of a dotted config key.
func envName(key string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// configKeys returns the dotted name of every key of Config, parents
// before their children: the leaves, and the mappings that are also
// values (wayback: false).
func configKeys() []string {
	var keys []string
	var walk func(prefix string, t reflect.Type)
	walk = func(prefix string, t reflect.Type) {
		for f := range t.Fields() {
			name := yamlName(f)
			if name == "" {
				continue
			}
			key := prefix + name
			ft := f.Type
			if ft.Kind() == reflect.Struct {
				if reflect.PointerTo(ft).Implements(yamlUnmarshaler) {
					keys = append(keys, key)
				}
				walk(key+".", ft)
				continue
			}
			keys = append(keys, key)
		}
	}
	walk("", reflect.TypeFor[Config]())
	return keys
}

var yamlUnmarshaler = reflect.TypeFor[yaml.Unmarshaler]()

func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// field returns the settable field of a dotted key, or an invalid Value.
func (c *Config) field(key string) reflect.Value {
	v := reflect.ValueOf(c).Elem()
	for _, name := range strings.Split(key, ".") {
		if v.Kind() != reflect.Struct {
			return reflect.Value{}
		}
		found := false
		for i := range v.NumField() {
			if yamlName(v.Type().Field(i)) == name {
				v, found = v.Field(i), true
				break
			}
		}
		if !found {
			return reflect.Value{}
		}
	}
	return v
}

// applyEnv sets the keys named by LINKVAULT_ variables of environ
// ("NAME=value" strings, as os.Environ returns them).
func (c *Config) applyEnv(environ []string) error {
	env := map[string]string{}
	for _, kv := range environ {
		if name, val, ok := strings.Cut(kv, "="); ok && val != "" && strings.HasPrefix(name, envPrefix) {
			env[name] = val
		}
	}
	if len(env) == 0 {
		return nil
	}
	keys := configKeys()
	known := map[string]bool{}
	sections := map[string]bool{}
	for _, k := range keys {
		known[envName(k)] = true
		if sec, _, ok := strings.Cut(k, "."); ok {
			sections[envName(sec)+"_"] = true
		}
		if c.field(k).Kind() == reflect.Map { // LINKVAULT_HOSTS_GITHUB_COM_RATE
			sections[envName(k)+"_"] = true
		}
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range env {
			if !yield(n) {
				return
			}
		}
	})
	for _, name := range names {
		if known[name] {
			continue
		}
		for sec := range sections {
			if strings.HasPrefix(name, sec) {
				return linkvault.Errorf(linkvault.EInvalid, "environment: %s: no such config key (the variables are LINKVAULT_ and a key of config.yaml, like LINKVAULT_CHECK_RATE=5; a mapping takes YAML: LINKVAULT_HOSTS='{github.com: {rate: 1}}')", name)
			}
		}
	}
	for _, k := range keys {
		if val := env[envName(k)]; val != "" {
			if err := c.set(k, val, envName(k)); err != nil {
				return err
			}
		}
	}
	return nil
}

// set sets key to the text value, parsed as YAML unless the key is a
// string, and records origin as where the value came from.
func (c *Config) set(key, value, origin string) error {
	v := c.field(key)
	if !v.IsValid() {
		return linkvault.Errorf(linkvault.EInvalid, "%s: no such config key %q", origin, key)
	}
	bad := func(err error) error {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
		msg = strings.TrimSpace(msg)
		if m := yamlLine().FindStringSubmatch(msg); m != nil {
			msg = m[2]
		}
		return linkvault.Errorf(linkvault.EInvalid, "%s: %s: %s", origin, key, cleanYAMLMessage(msg))
	}
	switch {
	case v.Kind() == reflect.String:
		v.SetString(value)
	case v.Type() == reflect.TypeFor[[]string]() && !strings.HasPrefix(strings.TrimSpace(value), "["):
		v.Set(reflect.ValueOf([]string{value}))
	default:
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(value), &doc); err != nil {
			return bad(err)
		}
		if len(doc.Content) == 0 {
			return nil
		}
		// A mapping replaces the file's; a struct (wayback) keeps the
		// fields the value does not name.
		nv := reflect.New(v.Type())
		if v.Kind() != reflect.Map {
			nv.Elem().Set(v)
		}
		if err := doc.Content[0].Decode(nv.Interface()); err != nil {
			return bad(err)
		}
		v.Set(nv.Elem())
	}
	c.setOrigin(key, origin)
	return nil
}

// originOf names the environment variable or flag that set key (or
// the closest enclosing key: hosts.a.test.rate from LINKVAULT_HOSTS), or
// "" when its value comes from the file or the defaults.
func (c *Config) originOf(key string) string {
	o, _ := enclosing(c.origin, key)
	return o
}
