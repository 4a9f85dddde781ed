package crawler

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		addr string
		want addrClass
	}{
		{"8.8.8.8", classPublic},
		{"93.184.216.34", classPublic},
		{"2606:4700::1111", classPublic},
		{"172.32.0.1", classPublic},  // just outside 172.16.0.0/12
		{"100.128.0.1", classPublic}, // just outside 100.64.0.0/10
		{"127.0.0.1", classLoopback},
		{"127.255.255.254", classLoopback},
		{"::1", classLoopback},
		{"0.0.0.0", classLoopback}, // connecting to it reaches this machine
		{"0.1.2.3", classReserved}, // "this network": not a destination (RFC 1122)
		{"::", classLoopback},
		{"::ffff:127.0.0.1", classLoopback}, // IPv4-mapped
		{"64:ff9b::7f00:1", classLoopback},  // NAT64 of 127.0.0.1
		{"10.0.0.1", classPrivate},
		{"172.16.5.4", classPrivate},
		{"172.31.255.255", classPrivate},
		{"192.168.1.1", classPrivate},
		{"100.64.0.1", classPrivate},
		{"fc00::1", classPrivate},
		{"fd12:3456::1", classPrivate},
		{"fec0::1", classPrivate},
		{"::ffff:10.1.2.3", classPrivate},
		{"169.254.169.254", classLinkLocal},
		{"169.254.0.1", classLinkLocal},
		{"fe80::1", classLinkLocal},
		{"fe80::1%eth0", classLinkLocal},
		{"::ffff:169.254.169.254", classLinkLocal},
		{"fd00:ec2::254", classLinkLocal}, // AWS metadata over IPv6, inside fc00::/7
		{"100.100.100.200", classLinkLocal},
		{"224.0.0.1", classReserved},
		{"ff02::1", classReserved},
		{"255.255.255.255", classReserved},
		{"240.0.0.1", classReserved},
	}
	for _, tc := range tests {
		if got := classify(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("classify(%s) = %s; want %s", tc.addr, got, tc.want)
		}
	}
}

// fakeLookup answers host lookups from a table.
func fakeLookup(table map[string][]string) func(context.Context, string) ([]netip.Addr, error) {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		addrs, ok := table[host]
		if !ok {
			return nil, errors.New("no such host")
		}
		var out []netip.Addr
		for _, a := range addrs {
			out = append(out, netip.MustParseAddr(a))
		}
		return out, nil
	}
}

// TestGuard: which addresses a crawl may dial, by where its start URLs
// are.
func TestGuard(t *testing.T) {
	dns := map[string][]string{
		"www.example.com": {"93.184.216.34"},
		"localhost":       {"127.0.0.1", "::1"},
		"staging.corp":    {"10.0.0.5"},
		"metadata.test":   {"169.254.169.254"},
		"router.test":     {"fe80::1"},
	}
	allowed := func(ip string, got error) string {
		if got == nil {
			return ip + " allowed"
		}
		var r *refusedError
		if !errors.As(got, &r) {
			return ip + " error " + got.Error()
		}
		return ip + " refused"
	}
	tests := []struct {
		name         string
		seeds        []string
		resolve      map[string]string
		allowPrivate bool
		want         []string // "ADDR allowed" or "ADDR refused"
	}{
		{
			name:  "public start",
			seeds: []string{"https://www.example.com/"},
			want: []string{
				"1.1.1.1 allowed", "127.0.0.1 refused", "::1 refused", "0.0.0.0 refused", "10.0.0.5 refused",
				"192.168.0.1 refused", "fd00::1 refused", "169.254.169.254 refused", "fe80::1 refused",
				"fd00:ec2::254 refused", "224.0.0.1 refused",
			},
		},
		{
			name:         "public start, allow private",
			seeds:        []string{"https://www.example.com/"},
			allowPrivate: true,
			want:         []string{"127.0.0.1 allowed", "10.0.0.5 allowed", "fd00::1 allowed", "169.254.169.254 refused", "fe80::1 refused"},
		},
		{
			name:  "loopback start opens loopback only",
			seeds: []string{"http://localhost:3000/"},
			want:  []string{"127.0.0.1 allowed", "127.0.0.2 allowed", "::1 allowed", "10.0.0.5 refused", "169.254.169.254 refused"},
		},
		{
			name:  "IP literal start",
			seeds: []string{"http://192.168.1.10:8080/"},
			want:  []string{"192.168.1.11 allowed", "10.0.0.5 allowed", "127.0.0.1 refused", "fe80::1 refused"},
		},
		{
			name:  "private start by name",
			seeds: []string{"https://staging.corp/"},
			want:  []string{"10.0.0.6 allowed", "127.0.0.1 refused"},
		},
		{
			name:  "link-local start opens its own address only",
			seeds: []string{"http://metadata.test/latest/"},
			want:  []string{"169.254.169.254 allowed", "169.254.169.253 refused", "fe80::1 refused", "127.0.0.1 refused"},
		},
		{
			name:  "IPv6 link-local start",
			seeds: []string{"http://[fe80::1%25eth0]/"},
			want:  []string{"fe80::1 allowed", "fe80::2 refused"},
		},
		{
			name:  "sitemap counts as a start",
			seeds: []string{"https://www.example.com/", "http://localhost/sitemap.xml"},
			want:  []string{"127.0.0.1 allowed", "10.0.0.5 refused"},
		},
		{
			name:    "a start reached through --resolve opens nothing",
			seeds:   []string{"http://staging.corp/"},
			resolve: map[string]string{"staging.corp:80": "127.0.0.1:8080"},
			want:    []string{"127.0.0.1 refused", "10.0.0.5 refused"},
		},
		{
			name:    "--resolve applies to its port only",
			seeds:   []string{"https://staging.corp/"},
			resolve: map[string]string{"staging.corp:80": "127.0.0.1:8080"},
			want:    []string{"10.0.0.5 allowed", "127.0.0.1 refused"},
		},
		{
			name:  "unresolvable start opens nothing",
			seeds: []string{"http://nowhere.test/"},
			want:  []string{"127.0.0.1 refused", "1.1.1.1 allowed"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{AllowPrivate: tc.allowPrivate}
			for _, s := range tc.seeds {
				if strings.HasSuffix(s, "sitemap.xml") {
					cfg.Sitemaps = append(cfg.Sitemaps, s)
				} else {
					cfg.Seeds = append(cfg.Seeds, s)
				}
			}
			g := newGuard(cfg, tc.resolve)
			g.lookup = fakeLookup(dns)
			for _, w := range tc.want {
				ip, _, _ := strings.Cut(w, " ")
				if got := allowed(ip, g.check(context.Background(), netip.MustParseAddr(ip))); got != w {
					t.Errorf("got %q; want %q", got, w)
				}
			}
		})
	}
}

// TestGuardControl: the dialer hook reads the address being connected.
func TestGuardControl(t *testing.T) {
	g := newGuard(Config{Seeds: []string{"https://www.example.com/"}}, nil)
	g.lookup = fakeLookup(map[string][]string{"www.example.com": {"93.184.216.34"}})
	for addr, ok := range map[string]bool{
		"93.184.216.34:443":           true,
		"127.0.0.1:80":                false,
		"[::1]:80":                    false,
		"[fe80::1%eth0]:80":           false,
		"[::ffff:169.254.169.254]:80": false,
		"not an address":              false,
	} {
		err := g.control(context.Background(), "tcp", addr, nil)
		if (err == nil) != ok {
			t.Errorf("control(%q) = %v; want allowed %v", addr, err, ok)
		}
	}
}

// TestRefusedMessage: the error says what was refused and how to allow it.
func TestRefusedMessage(t *testing.T) {
	g := newGuard(Config{Seeds: []string{"https://www.example.com/"}}, nil)
	g.lookup = fakeLookup(nil)
	for ip, want := range map[string]string{
		"10.1.2.3":        "refused: 10.1.2.3 is a private address and no start URL is; --allow-private allows it",
		"127.0.0.1":       "refused: 127.0.0.1 is a loopback address and no start URL is; --allow-private allows it",
		"169.254.169.254": "refused: 169.254.169.254 is a link-local or cloud metadata address; it is fetched only when a start URL is on it",
	} {
		if err := g.check(context.Background(), netip.MustParseAddr(ip)); err == nil || err.Error() != want {
			t.Errorf("check(%s) = %v; want %q", ip, err, want)
		}
	}
}

// TestTransportRefusesUnsafeRequests: whatever a caller asks, only GET
// and HEAD without a body leave, and no overlong URL.
func TestTransportRefusesUnsafeRequests(t *testing.T) {
	tr, err := newTransport(Config{Seeds: []string{"http://127.0.0.1/"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, url string
		body        string
		want        string
	}{
		{http.MethodPost, "http://127.0.0.1:1/", "", "no POST request"},
		{http.MethodPut, "http://127.0.0.1:1/", "", "no PUT request"},
		{http.MethodDelete, "http://127.0.0.1:1/", "", "no DELETE request"},
		{http.MethodGet, "http://127.0.0.1:1/", "x", "no request body"},
		{http.MethodGet, "http://127.0.0.1:1/" + strings.Repeat("a", maxURLBytes), "", "not requested: longer than 16 KiB"},
	} {
		req, err := http.NewRequest(tc.method, tc.url, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if tc.body == "" {
			req.Body = nil
		}
		resp, err := tr.RoundTrip(req)
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s %.40s: sent", tc.method, tc.url)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %.40s: error %q; want one containing %q", tc.method, tc.url, err, tc.want)
		}
	}
}
