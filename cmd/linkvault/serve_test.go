package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkvault/linkvault/archive"
)

// newTestServe serves an empty archive the way `linkvault serve` does.
func newTestServe(t *testing.T, allow ...string) *httptest.Server {
	t.Helper()
	db, err := archive.Open(filepath.Join(t.TempDir(), "s.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := DefaultConfig()
	cfg.dir = t.TempDir()
	srv := httptest.NewServer(checkHost(newServeMux(db, cfg), allow))
	t.Cleanup(srv.Close)
	return srv
}

// rawGet sends a request line exactly as given (curl sends typed UTF-8
// raw) and returns the status code and body.
func rawGet(t *testing.T, addr, target, host string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, host)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestServeReplayPaths: replay URLs are served as they come, never
// redirected to a cleaned path (curl without -L got nothing), and a path
// typed in raw UTF-8 is looked up in its percent-encoded form.
func TestServeReplayPaths(t *testing.T) {
	srv := newTestServe(t)
	addr := strings.TrimPrefix(srv.URL, "http://")
	for _, tt := range []struct {
		target, contains string
	}{
		{"/web/20261201000000/https://example.com/a", "no archived copy of https://example.com/a"},
		{"/web/2026/https://example.com/a", "no archived copy of https://example.com/a"},
		{"/web/https://example.com/a", "no archived copy of https://example.com/a"},
		{"/web/*/https://example.com/a", "There is no archived copy"},
		{"/web/https://example.com/posts/链接检查工具对比", "no archived copy of https://example.com/posts/%E9%93%BE%E6%8E%A5%E6%A3%80%E6%9F%A5%E5%B7%A5%E5%85%B7%E5%AF%B9%E6%AF%94"},
	} {
		code, body := rawGet(t, addr, tt.target, "127.0.0.1")
		if code != http.StatusNotFound || !strings.Contains(body, tt.contains) {
			t.Errorf("GET %s = %d, want 404 with %q:\n%.300s", tt.target, code, tt.contains, body)
		}
	}
	if code, body := rawGet(t, addr, "/", "localhost"); code != http.StatusOK || !strings.Contains(body, "<html") {
		t.Errorf("GET / = %d %.100q, want the report", code, body)
	}
}

// TestServeHostHeader: only localhost, IP addresses and --allow-host
// names are served (DNS rebinding needs the attacker's host name).
func TestServeHostHeader(t *testing.T) {
	srv := newTestServe(t, "archive.team.example")
	addr := strings.TrimPrefix(srv.URL, "http://")
	for _, tt := range []struct {
		host string
		want int
	}{
		{"localhost", 200},
		{"LOCALHOST:8080", 200},
		{"app.localhost", 200},
		{"127.0.0.1:8080", 200},
		{"[::1]:8080", 200},
		{"192.0.2.7", 200},
		{"archive.team.example", 200},
		{"archive.team.example.:8080", 200},
		{"rebind.attacker.example", 421},
		{"rebind.attacker.example:8080", 421},
		{"localhost.attacker.example", 421},
		{"", 421},
	} {
		code, body := rawGet(t, addr, "/", tt.host)
		if code != tt.want {
			t.Errorf("Host %q: %d, want %d: %.200s", tt.host, code, tt.want, body)
		}
		if code == 421 && !strings.Contains(body, "--allow-host") {
			t.Errorf("Host %q: the 421 page does not say how to allow it: %s", tt.host, body)
		}
	}
	any := newTestServe(t, "*")
	if code, _ := rawGet(t, strings.TrimPrefix(any.URL, "http://"), "/", "anything.example"); code != 200 {
		t.Errorf("--allow-host '*': %d, want 200", code)
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine to write.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeWarnsBeyondLoopback: binding every interface is said; loopback
// is not.
func TestServeWarnsBeyondLoopback(t *testing.T) {
	dir := t.TempDir()
	db, err := archive.Open(filepath.Join(dir, "linkvault.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("db: linkvault.db\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		addr string
		warn bool
	}{{"127.0.0.1:0", false}, {"0.0.0.0:0", true}, {":0", true}} {
		var stderr syncBuffer
		g := &globalOptions{ConfigFile: filepath.Join(dir, "config.yaml"), stdout: io.Discard, stderr: &stderr}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- runServe(ctx, g, ServeOptions{Addr: tt.addr}) }()
		// The warning comes before the line every server prints.
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(stderr.String(), "serving") && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("serve --addr %s: %v", tt.addr, err)
		}
		got := stderr.String()
		if warned := strings.Contains(got, "warning: listening on") && strings.Contains(got, "can read the archive"); warned != tt.warn {
			t.Errorf("serve -q --addr %s: stderr %q, want a warning: %v", tt.addr, got, tt.warn)
		}
	}
}
