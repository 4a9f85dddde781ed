package crawler

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"sync"
	"syscall"
	"time"
)

// The address guard keeps a crawl of the public web from reaching the
// machine it runs on, its network or the cloud metadata service (SSRF):
// a hostile page can link or redirect anywhere.
//
// The policy, decided on the address actually dialed (after DNS, so that
// a host name that changes its address between two lookups gains
// nothing):
//
//   - Public addresses may always be fetched.
//   - Loopback and private addresses (RFC 1918, fc00::/7, 100.64.0.0/10)
//     may be fetched when a start URL's host is in the same class: a
//     crawl of http://localhost:3000/ may follow links to 127.0.0.1, a
//     crawl of a staging site on 10.0.0.5 may reach 10.0.0.6. Config
//     AllowPrivate (--allow-private) allows both classes whatever the
//     start URLs are.
//   - Link-local addresses (169.254.0.0/16, fe80::/10) and the cloud
//     metadata addresses are fetched only at the addresses of the start
//     URLs' hosts themselves, even with AllowPrivate.
//   - Multicast, broadcast and reserved addresses are never dialed.
//   - A --resolve entry (Config.Resolve) is the user's word: connections
//     to its host:port go to its address unchecked. It says nothing of
//     other hosts: a start host reached through --resolve does not open
//     its address class to the rest of the crawl.
//   - A proxy is the user's too: connections to it are unchecked, and a
//     proxied request is checked only when its URL names an IP address
//     (the proxy resolves host names).
//
// The start URLs' hosts (Config.Seeds and Config.Sitemaps) are looked
// up once, the first time a non-public address is dialed.

// addrClass sorts addresses for the guard.
type addrClass uint8

const (
	classPublic addrClass = iota
	classLoopback
	classPrivate
	classLinkLocal // link-local unicast and cloud metadata
	classReserved  // multicast, broadcast, reserved: never dialed
	numClasses
)

func (c addrClass) String() string {
	switch c {
	case classPublic:
		return "public"
	case classLoopback:
		return "loopback"
	case classPrivate:
		return "private"
	case classLinkLocal:
		return "link-local"
	}
	return "reserved"
}

var (
	sharedSpace  = netip.MustParsePrefix("100.64.0.0/10") // RFC 6598, carrier-grade NAT and VPN overlays
	thisNetwork  = netip.MustParsePrefix("0.0.0.0/8")     // "this network" (RFC 1122): not a destination; 0.0.0.0 alone reaches the local machine
	reservedV4   = netip.MustParsePrefix("240.0.0.0/4")   // includes 255.255.255.255
	siteLocalV6  = netip.MustParsePrefix("fec0::/10")     // deprecated site-local
	nat64        = netip.MustParsePrefix("64:ff9b::/96")  // RFC 6052: an IPv4 address inside
	metadataAddr = map[netip.Addr]bool{
		netip.MustParseAddr("169.254.169.254"): true, // AWS, GCP, Azure, OCI, DigitalOcean
		netip.MustParseAddr("fd00:ec2::254"):   true, // AWS over IPv6
		netip.MustParseAddr("fd20:ce::254"):    true, // GCP over IPv6
		netip.MustParseAddr("100.100.100.200"): true, // Alibaba Cloud
		netip.MustParseAddr("192.0.0.192"):     true, // Oracle Cloud (legacy)
	}
)

// classify tells the class of an address.
func classify(ip netip.Addr) addrClass {
	ip = ip.Unmap().WithZone("")
	if ip.Is6() && nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	}
	switch {
	case !ip.IsValid():
		return classReserved
	case metadataAddr[ip], ip.IsLinkLocalUnicast():
		return classLinkLocal
	case ip.IsLoopback(), ip.IsUnspecified():
		return classLoopback
	case thisNetwork.Contains(ip):
		return classReserved
	case ip.IsPrivate(), sharedSpace.Contains(ip), siteLocalV6.Contains(ip):
		return classPrivate
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast(), ip.IsLinkLocalMulticast(), reservedV4.Contains(ip):
		return classReserved
	}
	return classPublic
}

// refusedError is the error of a connection the guard refused.
type refusedError struct {
	addr  netip.Addr
	class addrClass
}

func (e *refusedError) Error() string {
	switch e.class {
	case classLinkLocal:
		return fmt.Sprintf("refused: %s is a link-local or cloud metadata address; it is fetched only when a start URL is on it", e.addr)
	case classReserved:
		return fmt.Sprintf("refused: %s is not a unicast address", e.addr)
	}
	return fmt.Sprintf("refused: %s is a %s address and no start URL is; --allow-private allows it", e.addr, e.class)
}

// guard decides which addresses a crawl may connect to.
type guard struct {
	allowPrivate bool
	starts       []string // start hosts to look up: names and IP literals
	lookup       func(ctx context.Context, host string) ([]netip.Addr, error)

	once       sync.Once
	allowed    [numClasses]bool    // classes some start host is in
	startAddrs map[netip.Addr]bool // every address of a start host
}

// newGuard builds the guard of a crawl. Start hosts reached through
// resolve (keys "host:port", lowercase) are not looked up.
func newGuard(cfg Config, resolve map[string]string) *guard {
	g := &guard{
		allowPrivate: cfg.AllowPrivate,
		lookup: func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		},
	}
	seen := map[string]bool{}
	for _, s := range append(append([]string(nil), cfg.Seeds...), cfg.Sitemaps...) {
		u, err := url.Parse(s)
		if err != nil || u.Hostname() == "" {
			continue
		}
		port := u.Port()
		if port == "" {
			port = "80"
			if u.Scheme == "https" {
				port = "443"
			}
		}
		host := u.Hostname()
		if _, ok := resolve[net.JoinHostPort(host, port)]; ok || seen[host] {
			continue
		}
		seen[host] = true
		g.starts = append(g.starts, host)
	}
	return g
}

// learnStarts looks the start hosts up, a few at a time, each for at
// most ten seconds.
func (g *guard) learnStarts(ctx context.Context) {
	g.startAddrs = map[netip.Addr]bool{}
	g.allowed[classPublic] = true
	ctx = context.WithoutCancel(ctx) // the first dial's deadline must not decide for the whole crawl
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, h := range g.starts {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var addrs []netip.Addr
			if ip, err := netip.ParseAddr(h); err == nil {
				addrs = []netip.Addr{ip}
			} else {
				lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				addrs, _ = g.lookup(lctx, h) // a host that does not resolve opens nothing
				cancel()
			}
			mu.Lock()
			defer mu.Unlock()
			for _, ip := range addrs {
				ip = ip.Unmap().WithZone("")
				g.startAddrs[ip] = true
				g.allowed[classify(ip)] = true
			}
		})
	}
	wg.Wait()
}

// check says whether the crawl may connect to ip.
func (g *guard) check(ctx context.Context, ip netip.Addr) error {
	ip = ip.Unmap().WithZone("")
	class := classify(ip)
	if class == classPublic {
		return nil
	}
	g.once.Do(func() { g.learnStarts(ctx) })
	switch class {
	case classLoopback, classPrivate:
		if g.allowPrivate || g.allowed[class] {
			return nil
		}
	case classLinkLocal, classReserved:
		if g.startAddrs[ip] {
			return nil
		}
	}
	return &refusedError{addr: ip, class: class}
}

// control is a net.Dialer ControlContext: it runs on the address about
// to be connected, after name resolution.
func (g *guard) control(ctx context.Context, _, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("refused: unexpected address %q", address)
	}
	return g.check(ctx, ap.Addr())
}

// checkHost checks the host of a URL that names an IP address; host
// names pass (they are checked when dialed, or resolved by a proxy).
func (g *guard) checkHost(ctx context.Context, host string) error {
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return nil
	}
	return g.check(ctx, ip)
}
