package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestStartupInitAllocs keeps the package-level state of linkvault's own
// packages lazy: every command, `get` of one record as much as `check`,
// runs every package's init, so compiled regular expressions, parsed
// templates and built tables belong in a sync.OnceValue next to their use,
// not in a var initialized at start. The test binary links the same
// packages as linkvault; it is run again with GODEBUG=inittrace=1, which
// prints what each package's init allocated. (Package main's own init is
// not measured here: in the test binary it is the tests'.)
func TestStartupInitAllocs(t *testing.T) {
	const budget = 8 << 10 // bytes allocated by one package's init
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		// init github.com/linkvault/linkvault/crawler @2.1 ms, 0.01 ms clock, 3464 bytes, 42 allocs
		f := strings.Fields(line)
		if len(f) < 11 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		pkg := f[1]
		switch pkg {
		case "github.com/linkvault/linkvault", "github.com/linkvault/linkvault/archive",
			"github.com/linkvault/linkvault/crawler", "github.com/linkvault/linkvault/crawler/extract",
			"github.com/linkvault/linkvault/report":
		default:
			continue
		}
		seen[pkg] = true
		n, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("inittrace line %q: %v", line, err)
		}
		if n > budget {
			t.Errorf("the init of %s allocates %d bytes (at most %d): make its package-level state lazy (sync.OnceValue)", pkg, n, budget)
		}
	}
	for _, pkg := range []string{"github.com/linkvault/linkvault/crawler", "github.com/linkvault/linkvault/report"} {
		if !seen[pkg] {
			t.Errorf("no inittrace line for %s in:\n%s", pkg, out)
		}
	}
}
