package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// StatusSet is a set of HTTP status codes counted as ok (check.accept,
// hosts.*.accept, --accept): codes and inclusive ranges, written
// "200..299,403" or as a YAML list [200..299, 403]. lychee's "200..=299"
// is read the same. Empty means the default: 2xx and 3xx.
type StatusSet []int

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *StatusSet) UnmarshalYAML(n *yaml.Node) error {
	var parts []string
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			*s = nil
			return nil
		}
		parts = []string{n.Value}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: cannot unmarshal a %s into status codes (like 200..299,403)", c.Line, kindName(c.Kind))
			}
			parts = append(parts, c.Value)
		}
	default:
		return fmt.Errorf("line %d: cannot unmarshal a %s into status codes (like 200..299,403)", n.Line, kindName(n.Kind))
	}
	set, err := parseStatusSet(strings.Join(parts, ","))
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*s = set
	return nil
}

// parseStatusSet reads "200..299,403" into the sorted codes it names.
func parseStatusSet(s string) (StatusSet, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil // the default
	}
	var out StatusSet
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "..")
		hi = strings.TrimPrefix(hi, "=")
		if !isRange {
			hi = lo
		}
		a, errA := statusCode(lo)
		b, errB := statusCode(hi)
		if errA != nil || errB != nil || a > b {
			return nil, fmt.Errorf("invalid status code or range %q (want codes 100 to 999 and ranges like 200..299, separated by commas)", part)
		}
		for c := a; c <= b; c++ {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no status code in %q (want codes and ranges like 200..299,403)", s)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func statusCode(s string) (int, error) {
	c, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || c < 100 || c > 999 {
		return 0, fmt.Errorf("invalid status code %q", s)
	}
	return c, nil
}
