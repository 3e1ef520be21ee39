package crawler

import (
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"testing"

	"github.com/linkvault/linkvault"
)

// TestPrivateIP checks the guard's table (the IANA special-purpose
// registries) address by address.
func TestPrivateIP(t *testing.T) {
	tests := []struct {
		addr    string
		private bool
	}{
		// IPv4 special-purpose blocks.
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"10.0.0.1", true},
		{"100.64.0.1", true},
		{"100.100.100.200", true}, // Alibaba Cloud metadata
		{"100.127.255.254", true},
		{"127.0.0.1", true},
		{"127.8.9.10", true},
		{"169.254.169.254", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.0.0.1", true},
		{"192.0.0.170", true},
		{"192.0.2.10", true},
		{"192.88.99.1", true},
		{"192.168.1.1", true},
		{"198.18.0.1", true},
		{"198.19.255.255", true},
		{"198.51.100.7", true},
		{"203.0.113.9", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"240.0.0.1", true},
		{"255.255.255.255", true},
		// IPv4 public, including the edges of the blocks above.
		{"1.1.1.1", false},
		{"8.8.8.8", false},
		{"93.184.216.34", false},
		{"100.63.255.255", false},
		{"100.128.0.0", false},
		{"172.15.255.255", false},
		{"172.32.0.0", false},
		{"192.0.1.1", false},
		{"192.31.196.1", false}, // AS112: globally reachable
		{"192.169.0.1", false},
		{"198.17.255.255", false},
		{"198.20.0.0", false},
		{"223.255.255.255", false},
		// IPv6 special-purpose blocks.
		{"::", true},
		{"::1", true},
		{"::a9fe:a9fe", true},      // IPv4-compatible 169.254.169.254
		{"::8.8.8.8", true},        // IPv4-compatible, deprecated
		{"::ffff:10.0.0.1", true},  // IPv4-mapped private
		{"::ffff:127.0.0.1", true}, // IPv4-mapped loopback
		{"64:ff9b::a9fe:a9fe", true},
		{"64:ff9b::10.0.0.1", true},
		{"64:ff9b:1::1", true},
		{"100::1", true},
		{"2001::1", true},           // Teredo
		{"2001:2::1", true},         // benchmarking
		{"2001:db8::1", true},       // documentation
		{"2002:a9fe:a9fe::1", true}, // 6to4 of 169.254.169.254
		{"2002:0a00:0001::1", true}, // 6to4 of 10.0.0.1
		{"3fff::1", true},
		{"5f00::1", true},
		{"fc00::1", true},
		{"fd12:3456::1", true},
		{"fe80::1", true},
		{"fec0::1", true},
		{"feff::1", true},
		{"ff02::1", true},
		// IPv6 public.
		{"2606:4700:4700::1111", false},
		{"2a00:1450:4001::200e", false},
		{"::ffff:8.8.8.8", false},
		{"64:ff9b::8.8.8.8", false},  // NAT64 of a public address
		{"2002:0808:0808::1", false}, // 6to4 of a public address
		{"2001:4860::8888", false},
	}
	for _, tt := range tests {
		ip := net.ParseIP(tt.addr)
		if ip == nil {
			t.Fatalf("bad test address %q", tt.addr)
		}
		if got := privateIP(ip); got != tt.private {
			t.Errorf("privateIP(%s) = %v, want %v", tt.addr, got, tt.private)
		}
	}
	if !privateIP(net.IP{1, 2, 3}) {
		t.Error("privateIP of a 3-byte slice = false, want true (refuse what cannot be judged)")
	}
}

// TestDisclose: only links on public hosts may be named to a third party.
func TestDisclose(t *testing.T) {
	srv := httptest.NewServer(htmlPage("intranet", ""))
	defer srv.Close()
	dns := map[string][]net.IP{
		"github.com":          {net.ParseIP("140.82.121.4")},
		"user.github.io":      {net.ParseIP("185.199.108.153")},
		"wiki.example.com":    {net.ParseIP("10.1.2.3")},
		"split.example.org":   {net.ParseIP("93.184.216.34"), net.ParseIP("fd00::5")},
		"cgnat.example.net":   {net.ParseIP("100.100.100.200")},
		"dialled.example.org": {net.ParseIP("93.184.216.34")}, // DNS says public …
		"secret.example.com":  {net.ParseIP("93.184.216.34")},
		"mp.weixin.qq.com":    {net.ParseIP("109.244.5.24")},
		"pinned.example.com":  {net.ParseIP("93.184.216.34")}, // … Resolve says private
	}
	opts := Options{
		AllowPrivate: true,
		Soft404:      Soft404Options{NoProbe: true},
		Hosts:        map[string]HostOptions{"secret.example.com": {Headers: map[string]string{"PRIVATE-TOKEN": "x"}}, "*.corp-git.com": {Headers: map[string]string{"Cookie": "a=b"}}},
		Resolve:      map[string]string{"pinned.example.com": "192.168.0.9"},
		LookupIP: func(ctx context.Context, host string) ([]net.IP, error) {
			if ips, ok := dns[host]; ok {
				return ips, nil
			}
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		},
		// … but the run connected to it on loopback.
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, srv.Listener.Addr().String())
		},
	}
	c, err := NewChecker(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Check(context.Background(), []Target{{URL: "http://dialled.example.org/"}}, func(linkvault.Result) {}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url  string
		want error
	}{
		{"https://github.com/gone/repo", nil},
		{"https://user.github.io/post", nil},
		{"https://mp.weixin.qq.com/s/abc", nil},
		{"https://expired-domain-nobody-has.com/page", nil}, // resolves nowhere: a gone site
		{"http://93.184.216.34/", nil},
		{"http://wiki.example.com/page", ErrPrivateHost},
		{"http://split.example.org/", ErrPrivateHost},
		{"http://cgnat.example.net/", ErrPrivateHost},
		{"http://dialled.example.org/page", ErrPrivateHost},
		{"http://pinned.example.com/", ErrPrivateHost},
		{"http://10.0.0.1/", ErrPrivateHost},
		{"http://[fd00::1]/", ErrPrivateHost},
		{"http://localhost:8080/", ErrPrivateHost},
		{"http://intranet/wiki", ErrPrivateHost},
		{"http://jira.corp/browse/X-1", ErrPrivateHost},
		{"http://nas.local/", ErrPrivateHost},
		{"http://router.home.arpa/", ErrPrivateHost},
		{"http://svc.internal/", ErrPrivateHost},
		{"http://printer.lan/", ErrPrivateHost},
		{"https://secret.example.com/repo", ErrHostHeaders},
		{"https://a.corp-git.com/repo", ErrHostHeaders},
	}
	for _, tt := range tests {
		err := c.Disclose(context.Background(), tt.url)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("Disclose(%s) = %v, want %v", tt.url, err, tt.want)
		}
	}
}
