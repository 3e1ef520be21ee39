package main

import (
	"bytes"
	"fmt"
	"log"
	"strings"
	"sync"
)

// routeStdLog sends what libraries print through the standard log package
// (net/http's transport logs "Unsolicited response received on idle HTTP
// channel …" when a server sends bytes nobody asked for, typically a body
// after a HEAD answer) to g's stderr as one short warning line, or nowhere
// with -q, instead of raw on the process's stderr. It returns a function
// restoring the previous output.
func routeStdLog(g *globalOptions) (restore func()) {
	out, flags, prefix := log.Writer(), log.Flags(), log.Prefix()
	log.SetOutput(&stdLogFilter{g: g})
	log.SetFlags(0)
	log.SetPrefix("")
	return func() {
		log.SetOutput(out)
		log.SetFlags(flags)
		log.SetPrefix(prefix)
	}
}

// stdLogFilter is the std log output while a command runs.
type stdLogFilter struct {
	g  *globalOptions
	mu sync.Mutex
}

// maxLogLine caps a routed line: net/http quotes the stray bytes it got.
const maxLogLine = 200

func (f *stdLogFilter) Write(p []byte) (int, error) {
	if f.g.Quiet || f.g.stderr == nil {
		return len(p), nil
	}
	msg := strings.TrimSpace(string(bytes.ToValidUTF8(p, []byte("?"))))
	if strings.HasPrefix(msg, "Unsolicited response received on idle HTTP channel") {
		msg = "a server sent bytes after its answer (a body to a HEAD request?); the connection was dropped"
	} else if len(msg) > maxLogLine {
		msg = msg[:maxLogLine] + "…"
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fmt.Fprintf(f.g.stderr, "linkvault: warning: %s\n", msg)
	return len(p), nil
}
