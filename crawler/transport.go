package crawler

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// errPrivate is returned by the dialer for a refused private address.
var errPrivate = errors.New("private address not allowed")

// maxHeaderBytes caps response headers: a server sending more is answered
// with an error instead of costing memory.
const maxHeaderBytes = 256 << 10

// dial resolves Resolve overrides, dials with the base dialer and refuses
// private addresses unless allowed. The address is checked after name
// resolution, right before connecting, so DNS cannot bypass the guard.
func (c *Checker) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	isProxy := c.proxyHost[strings.ToLower(addr)]
	addr = c.resolveOverride(addr)
	guard := !c.opts.AllowPrivate && !isProxy
	ctx, cancel := context.WithTimeout(ctx, c.opts.DialTimeout)
	defer cancel()
	if host, _, err := net.SplitHostPort(addr); err == nil && guard {
		if ip := net.ParseIP(host); ip != nil && privateIP(ip) {
			return nil, &net.OpError{Op: "dial", Net: network, Addr: ipAddr(ip), Err: errPrivate}
		}
	}
	if c.opts.DialContext != nil {
		conn, err := c.opts.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if guard {
			if ta, ok := conn.RemoteAddr().(*net.TCPAddr); ok && privateIP(ta.IP) {
				conn.Close()
				return nil, &net.OpError{Op: "dial", Net: network, Addr: ta, Err: errPrivate}
			}
		}
		return conn, nil
	}
	d := net.Dialer{Timeout: c.opts.DialTimeout, KeepAlive: 30 * time.Second}
	if guard {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || privateIP(ip) {
				return errPrivate
			}
			return nil
		}
	}
	return d.DialContext(ctx, network, addr)
}

type ipAddr net.IP

func (a ipAddr) Network() string { return "ip" }

func (a ipAddr) String() string { return net.IP(a).String() }

// resolveOverride applies Options.Resolve to a "host:port" address.
func (c *Checker) resolveOverride(addr string) string {
	if len(c.opts.Resolve) == 0 {
		return addr
	}
	if to, ok := c.opts.Resolve[addr]; ok {
		return to
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	to, ok := c.opts.Resolve[host]
	if !ok {
		return addr
	}
	if _, _, err := net.SplitHostPort(to); err == nil {
		return to
	}
	return net.JoinHostPort(strings.Trim(to, "[]"), port)
}

// rootPool returns the certificate pool that verifies servers: the
// system's, plus the certificates of SSL_CERT_FILE and of caFile. The
// file of SSL_CERT_FILE is read here too, not left to the system pool: the
// pool reads it once per process (and not at all on some systems).
func rootPool(caFile string) (*x509.CertPool, error) {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	for _, f := range []struct{ name, path string }{
		{"SSL_CERT_FILE", os.Getenv("SSL_CERT_FILE")},
		{"CA file", caFile},
	} {
		if f.path == "" {
			continue
		}
		pem, err := os.ReadFile(f.path)
		if err != nil {
			return nil, fmt.Errorf("crawler: read %s: %w", f.name, err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("crawler: %s %s: no PEM certificate found", f.name, f.path)
		}
	}
	return roots, nil
}

// proxyAddrs returns the dial addresses ("host:port", lower case) of the
// configured proxies: the dialer lets them through the private-address
// guard.
func proxyAddrs(cfg *httpproxy.Config) map[string]bool {
	addrs := map[string]bool{}
	for _, p := range []string{cfg.HTTPProxy, cfg.HTTPSProxy} {
		if p == "" {
			continue
		}
		if !strings.Contains(p, "://") {
			p = "http://" + p
		}
		if u, err := url.Parse(p); err == nil && u.Host != "" {
			host := u.Host
			if u.Port() == "" {
				port := "80"
				if u.Scheme == "https" {
					port = "443"
				}
				host = net.JoinHostPort(u.Hostname(), port)
			}
			addrs[strings.ToLower(host)] = true
		}
	}
	return addrs
}
