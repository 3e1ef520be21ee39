package crawler

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/net/publicsuffix"
)

// specialBlock is one address block the private-address guard refuses.
type specialBlock struct {
	prefix netip.Prefix
	name   string // as the registry names it
	rfc    string
}

// specialBlocks are the address blocks never contacted unless
// Options.AllowPrivate is set. The list is the IANA IPv4 and IPv6
// Special-Purpose Address Registries
// (https://www.iana.org/assignments/iana-ipv4-special-registry and
// https://www.iana.org/assignments/iana-ipv6-special-registry, as of
// 2025): every block whose "Globally Reachable" column is False or N/A.
// Blocks the registries mark globally reachable (AS112, AMT, the PCP and
// TURN anycast addresses outside 192.0.0.0/24 and 2001::/23) are public
// and allowed. Added beside the registries, each marked so: multicast,
// deprecated site-local fec0::/10 and IPv4-compatible ::/96.
//
// Addresses embedding an IPv4 address are judged by that address:
// IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d (RFC 6052 forbids it
// for non-global IPv4 addresses, so a private one there is an attack, and a
// public one is how IPv6-only networks reach IPv4 sites) and 6to4
// 2002:AABB:CCDD::/48.
var specialBlocks = sync.OnceValue(func() []specialBlock {
	rows := []struct{ prefix, name, rfc string }{
		// IANA IPv4 Special-Purpose Address Registry.
		{"0.0.0.0/8", "this network", "RFC 791"},
		{"10.0.0.0/8", "private-use", "RFC 1918"},
		{"100.64.0.0/10", "shared address space (carrier-grade NAT; 100.100.100.200 is Alibaba Cloud's metadata service)", "RFC 6598"},
		{"127.0.0.0/8", "loopback", "RFC 1122"},
		{"169.254.0.0/16", "link local (169.254.169.254: cloud metadata)", "RFC 3927"},
		{"172.16.0.0/12", "private-use", "RFC 1918"},
		{"192.0.0.0/24", "IETF protocol assignments", "RFC 6890"},
		{"192.0.2.0/24", "documentation (TEST-NET-1)", "RFC 5737"},
		{"192.88.99.0/24", "deprecated 6to4 relay anycast", "RFC 7526"},
		{"192.168.0.0/16", "private-use", "RFC 1918"},
		{"198.18.0.0/15", "benchmarking", "RFC 2544"},
		{"198.51.100.0/24", "documentation (TEST-NET-2)", "RFC 5737"},
		{"203.0.113.0/24", "documentation (TEST-NET-3)", "RFC 5737"},
		{"240.0.0.0/4", "reserved", "RFC 1112"},
		{"255.255.255.255/32", "limited broadcast", "RFC 919"},
		// Not in the registry: IPv4 multicast (IANA IPv4 Multicast
		// Address Space Registry).
		{"224.0.0.0/4", "multicast", "RFC 5771"},

		// IANA IPv6 Special-Purpose Address Registry.
		{"::1/128", "loopback", "RFC 4291"},
		{"::/128", "unspecified", "RFC 4291"},
		{"64:ff9b:1::/48", "IPv4-IPv6 translation, local use", "RFC 8215"},
		{"100::/64", "discard-only", "RFC 6666"},
		{"100:0:0:1::/64", "dummy IPv6 prefix", "RFC 9780"},
		{"2001::/23", "IETF protocol assignments (Teredo, benchmarking, ORCHID …)", "RFC 2928"},
		{"2001:db8::/32", "documentation", "RFC 3849"},
		{"3fff::/20", "documentation", "RFC 9637"},
		{"5f00::/16", "segment routing SIDs", "RFC 9602"},
		{"fc00::/7", "unique-local", "RFC 4193"},
		{"fe80::/10", "link-local unicast", "RFC 4291"},
		// Not in the registry (IANA IPv6 Address Space Registry).
		{"::/96", "IPv4-compatible (deprecated)", "RFC 4291"},
		{"fec0::/10", "site-local (deprecated)", "RFC 3879"},
		{"ff00::/8", "multicast", "RFC 4291"},
	}
	out := make([]specialBlock, len(rows))
	for i, r := range rows {
		out[i] = specialBlock{netip.MustParsePrefix(r.prefix), r.name, r.rfc}
	}
	return out
})

var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

// specialAddr returns the special-purpose block holding a, if any.
func specialAddr(a netip.Addr) (specialBlock, bool) {
	a = a.Unmap().WithZone("")
	if !a.IsValid() {
		return specialBlock{}, false
	}
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64Prefix.Contains(a):
			return specialAddr(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(a):
			return specialAddr(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	for _, s := range specialBlocks() {
		if s.prefix.Contains(a) {
			return s, true
		}
	}
	return specialBlock{}, false
}

// privateIP reports whether ip must not be contacted by default: it lies
// in one of the specialBlocks.
func privateIP(ip net.IP) bool {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return true // not an address we can judge: refuse
	}
	_, special := specialAddr(a)
	return special
}

// privateHosts records the host names seen resolving to a private address
// in this run: refused by the guard, or connected to with AllowPrivate.
// Such a name is never named to a third party (see Checker.Disclose).
type privateHosts struct {
	mu     sync.Mutex
	names  map[string]net.IP // the private address seen, nil when unknown
	public map[string]bool   // "host[:port]"s resolved to no private address
}

func (p *privateHosts) addPublic(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.public == nil {
		p.public = map[string]bool{}
	}
	p.public[name] = true
}

func (p *privateHosts) isPublic(name string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.public[name]
}

func (p *privateHosts) add(name string, ip net.IP) {
	name = strings.ToLower(strings.Trim(name, "[]"))
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.names == nil {
		p.names = map[string]net.IP{}
	}
	p.names[name] = ip
}

func (p *privateHosts) has(name string) bool {
	_, ok := p.addr(name)
	return ok
}

// addr returns the private address name was seen with (nil when unknown).
func (p *privateHosts) addr(name string) (net.IP, bool) {
	name = strings.ToLower(strings.Trim(name, "[]"))
	p.mu.Lock()
	defer p.mu.Unlock()
	ip, ok := p.names[name]
	return ip, ok
}

// dialRecord is the transport's dialer: dial, noting the names that
// turned out to be private.
func (c *Checker) dialRecord(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := c.dial(ctx, network, addr)
	if c.proxyHost[strings.ToLower(addr)] {
		return conn, err
	}
	host, _, splitErr := net.SplitHostPort(addr)
	if splitErr != nil {
		return conn, err
	}
	var oe *net.OpError
	if errors.As(err, &oe) && errors.Is(err, errPrivate) {
		var ip net.IP
		if a, ok := oe.Addr.(*net.TCPAddr); ok {
			ip = a.IP
		} else if a, ok := oe.Addr.(ipAddr); ok {
			ip = net.IP(a)
		}
		c.private.add(host, ip)
	} else if errors.Is(err, errPrivate) {
		c.private.add(host, nil)
	} else if conn != nil {
		if ta, ok := conn.RemoteAddr().(*net.TCPAddr); ok && privateIP(ta.IP) {
			c.private.add(host, ta.IP)
		}
	}
	return conn, err
}

// guardProxy wraps the proxy function of the transport. A proxy connects
// for us, so the dialer's guard sees only the proxy's address: every
// request sent through a proxy (each redirect hop is one) has its target
// checked here first, by literal address, by Options.Resolve and by name
// resolution, and is refused before the proxy is asked. A name that does
// not resolve here is left to the proxy (networks where only the proxy
// resolves names). Each host is resolved once per run.
func (c *Checker) guardProxy(next func(*url.URL) (*url.URL, error)) func(*http.Request) (*url.URL, error) {
	return func(r *http.Request) (*url.URL, error) {
		p, err := next(r.URL)
		if err != nil || p == nil || c.opts.AllowPrivate {
			return p, err
		}
		if err := c.checkTarget(r.Context(), r.URL); err != nil {
			return nil, err
		}
		return p, nil
	}
}

// checkTarget returns an error wrapping errPrivate when u's host is, or
// resolves to, a private address.
func (c *Checker) checkTarget(ctx context.Context, u *url.URL) error {
	if ip, private := c.targetPrivate(ctx, u); private {
		return &net.OpError{Op: "proxy", Net: "tcp", Addr: ipAddr(ip), Err: errPrivate}
	}
	return nil
}

// targetPrivate returns the private address u's host is or resolves to
// (see hostAddrs), if any. Names are resolved once per run; a name that
// does not resolve is not private: it is left to the proxy, or is a
// domain that is gone.
func (c *Checker) targetPrivate(ctx context.Context, u *url.URL) (net.IP, bool) {
	if ip, ok := c.private.addr(u.Hostname()); ok {
		return ip, true
	}
	key := strings.ToLower(u.Host)
	if c.private.isPublic(key) {
		return nil, false
	}
	ips, err := c.hostAddrs(ctx, u)
	if err != nil {
		if ctx.Err() == nil {
			c.private.addPublic(key)
		}
		return nil, false
	}
	for _, ip := range ips {
		if privateIP(ip) {
			c.private.add(u.Hostname(), ip)
			return ip, true
		}
	}
	c.private.addPublic(key)
	return nil, false
}

// hostAddrs returns the addresses u's host stands for: the literal
// address, the Options.Resolve override, or what the resolver answers.
func (c *Checker) hostAddrs(ctx context.Context, u *url.URL) ([]net.IP, error) {
	host := u.Hostname()
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	addr := c.resolveOverride(net.JoinHostPort(host, port))
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	if ip := net.ParseIP(host); ip != nil {
		return []net.IP{ip}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.DialTimeout)
	defer cancel()
	if c.opts.LookupIP != nil {
		return c.opts.LookupIP(ctx, host)
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	ips := make([]net.IP, len(addrs))
	for i, a := range addrs {
		ips[i] = a.IP
	}
	return ips, nil
}

// Errors of Checker.Disclose.
var (
	// ErrPrivateHost is returned when a URL's host is a special-purpose
	// address, resolves to one (now, or when this run connected to it),
	// or is not a name of the public DNS.
	ErrPrivateHost = errors.New("private host")
	// ErrHostHeaders is returned when the URL's host has headers
	// configured (Options.Hosts): credentials of an account there.
	ErrHostHeaders = errors.New("host with configured headers")
)

// specialUseNames are the top-level names of the IANA Special-Use Domain
// Names registry (and common intranet suffixes outside the public DNS):
// never public.
var specialUseNames = map[string]bool{
	"localhost": true, "local": true, "test": true, "example": true,
	"invalid": true, "onion": true, "alt": true, "internal": true,
	"home.arpa": true, "intranet": true, "lan": true, "corp": true,
	"private": true, "localdomain": true,
}

// Disclose returns nil when rawURL may be named to a third-party service
// (the Wayback Machine): its host is a public address, or a name of the
// public DNS (its top-level domain is an ICANN one) that neither resolved
// to a special-purpose address when this run connected to it nor resolves
// to one now (through Options.Resolve, Options.LookupIP or the system
// resolver), and no headers are configured for it. A public name that
// does not resolve at all (an expired domain) may be disclosed. Otherwise
// the error wraps ErrPrivateHost or ErrHostHeaders.
func (c *Checker) Disclose(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("%w: invalid URL", ErrPrivateHost)
	}
	host := strings.ToLower(u.Hostname())
	if ho, ok := c.hostOptions(u.Host); ok && len(ho.Headers) > 0 {
		return fmt.Errorf("%s: %w", host, ErrHostHeaders)
	}
	if ip := net.ParseIP(host); ip != nil {
		if privateIP(ip) {
			return fmt.Errorf("%s: %w", host, ErrPrivateHost)
		}
		return nil
	}
	name := strings.TrimSuffix(host, ".")
	tld := name[strings.LastIndexByte(name, '.')+1:]
	if _, icann := publicsuffix.PublicSuffix(tld); !icann || !strings.Contains(name, ".") ||
		specialUseNames[tld] || strings.HasSuffix(name, ".home.arpa") {
		return fmt.Errorf("%s: not a public DNS name: %w", host, ErrPrivateHost)
	}
	if c.private.has(host) {
		return fmt.Errorf("%s: resolved to a private address: %w", host, ErrPrivateHost)
	}
	if _, private := c.targetPrivate(ctx, u); private {
		return fmt.Errorf("%s: resolves to a private address: %w", host, ErrPrivateHost)
	}
	return nil
}
