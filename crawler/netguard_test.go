package crawler

import (
	"net"
	"testing"
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
