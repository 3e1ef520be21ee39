package s3test

import (
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
)

// Proxy forwards loopback TCP connections to the server and kills the
// server once (Kill) after more than a given number of bytes went from
// clients to it: a crash in the middle of an upload.
type Proxy struct {
	Endpoint string // http://127.0.0.1:PORT, to use instead of the server's
	ln       net.Listener
	target   string
	limit    atomic.Int64
	kill     func()
	sent     atomic.Int64
	once     sync.Once
	killed   chan struct{}
}

// KillingProxy starts a Proxy in front of s that kills s after limit
// bytes (limit < 0: never; see SetLimit). Close stops it.
func (s *Server) KillingProxy(limit int64) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{Endpoint: "http://" + ln.Addr().String(), ln: ln,
		target: strings.TrimPrefix(s.Endpoint, "http://"), kill: s.Kill, killed: make(chan struct{})}
	p.limit.Store(limit)
	go p.serve()
	return p, nil
}

// SetLimit sets the number of bytes after which the server is killed,
// counted from now; < 0 never.
func (p *Proxy) SetLimit(n int64) {
	p.sent.Store(0)
	p.limit.Store(n)
}

// Killed is closed once the proxy killed the server.
func (p *Proxy) Killed() <-chan struct{} { return p.killed }

// Sent returns the bytes sent from clients to the server since the
// last SetLimit (or the start).
func (p *Proxy) Sent() int64 { return p.sent.Load() }

// Close stops the proxy.
func (p *Proxy) Close() { _ = p.ln.Close() }

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

func (p *Proxy) forward(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer s.Close()
	go func() { _, _ = io.Copy(c, s); _ = c.Close() }()
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if lim := p.limit.Load(); p.sent.Add(int64(n)) > lim && lim >= 0 {
				p.once.Do(func() { p.kill(); close(p.killed) })
			}
			if _, werr := s.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
