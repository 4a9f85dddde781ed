// Package crawlertest serves fixture web sites on loopback for tests and
// benchmarks of the crawler, the rules and the command.
//
// A fixture is text: a route per "-- ... --" line, header lines starting
// with "> ", then the body.
//
//	-- /old 301 /new --
//	-- /new --
//	<a href="/missing">gone</a>
//	-- http://site.test/temp 302 --
//	> Location: https://site.test/temp
//	> Cache-Control: max-age=86400
//
// The route line is PATH [STATUS [LOCATION]]. PATH is "/path" (host
// site.test, either scheme), "//host/path" (either scheme) or a full
// "http(s)://host/path"; a query is part of the path. STATUS defaults to
// 200, and a 200 with a body and no Content-Type is served as HTML; 0
// drops the connection without an answer, a network error.
// Unknown URLs answer 404. Every host name is served by the same two
// loopback servers, one plain and one TLS, reached through
// crawler.Config.Resolve, so URLs in results are stable.
package crawlertest

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
)

// Host is the default host name of a fixture.
const Host = "site.test"

// Route is one fixture URL.
type Route struct {
	Scheme string // "" = either
	Host   string
	Path   string // path and query, as requested
	Status int
	Header http.Header
	Body   string
}

// Request is one request a fixture server received.
type Request struct {
	Method string
	URL    string // scheme://host/path?query
	Body   int64  // request body bytes
	Header http.Header
}

// Site is a running fixture.
type Site struct {
	HTTP, TLS *httptest.Server

	// Hold, when set, is called with every request before it is
	// answered. A test makes the site look slow by blocking there until
	// it releases the request or the request's context is done, never
	// for a time: a sleep races the machine's speed. Set it before the
	// crawl starts.
	Hold func(*http.Request)

	routes map[string]*Route // by scheme://host/path and //host/path
	hosts  []string

	mu       sync.Mutex
	requests []Request
}

// Parse reads fixture text.
func Parse(text string) ([]Route, error) {
	var routes []Route
	var cur *Route
	inHeader := false
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(line, " --") {
			f := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(line, "-- "), " --"))
			if len(f) == 0 || len(f) > 3 {
				return nil, fmt.Errorf("line %d: want -- PATH [STATUS [LOCATION]] --", n)
			}
			r := Route{Status: 200, Header: http.Header{}}
			switch {
			case strings.HasPrefix(f[0], "http://"), strings.HasPrefix(f[0], "https://"):
				r.Scheme, f[0], _ = strings.Cut(f[0], "://")
				r.Host, r.Path = splitHostPath(f[0])
			case strings.HasPrefix(f[0], "//"):
				r.Host, r.Path = splitHostPath(f[0][2:])
			case strings.HasPrefix(f[0], "/"):
				r.Host, r.Path = Host, f[0]
			default:
				return nil, fmt.Errorf("line %d: path %q must start with / or a scheme", n, f[0])
			}
			if len(f) > 1 {
				s, err := strconv.Atoi(f[1])
				if err != nil {
					return nil, fmt.Errorf("line %d: status %q: %w", n, f[1], err)
				}
				r.Status = s
			}
			if len(f) > 2 {
				r.Header.Add("Location", f[2])
			}
			routes = append(routes, r)
			cur, inHeader = &routes[len(routes)-1], true
			continue
		}
		if cur == nil {
			if strings.TrimSpace(line) == "" {
				continue
			}
			return nil, fmt.Errorf("line %d: text before the first route", n)
		}
		if inHeader && strings.HasPrefix(line, "> ") {
			k, v, ok := strings.Cut(line[2:], ":")
			if !ok {
				return nil, fmt.Errorf("line %d: header line without a colon", n)
			}
			cur.Header.Add(strings.TrimSpace(k), strings.TrimPrefix(v, " "))
			continue
		}
		inHeader = false
		cur.Body += line + "\n"
	}
	return routes, sc.Err()
}

func splitHostPath(s string) (host, path string) {
	i := strings.IndexAny(s, "/?")
	if i < 0 {
		return strings.ToLower(s), "/"
	}
	path = s[i:]
	if path[0] == '?' {
		path = "/" + path
	}
	return strings.ToLower(s[:i]), path
}

// New starts a fixture site; it is closed when the test ends.
func New(tb testing.TB, fixture string) *Site {
	tb.Helper()
	routes, err := Parse(fixture)
	if err != nil {
		tb.Fatalf("fixture: %v", err)
	}
	s := NewFromRoutes(routes)
	tb.Cleanup(s.Close)
	return s
}

// NewFromRoutes starts a fixture site from routes; Close stops it.
func NewFromRoutes(routes []Route) *Site {
	s := &Site{routes: make(map[string]*Route, len(routes)), hosts: []string{Host}}
	for i := range routes {
		r := &routes[i]
		if r.Scheme == "" {
			s.routes["//"+r.Host+r.Path] = r
		} else {
			s.routes[r.Scheme+"://"+r.Host+r.Path] = r
		}
		if !slices.Contains(s.hosts, r.Host) {
			s.hosts = append(s.hosts, r.Host)
		}
	}
	s.HTTP = httptest.NewServer(s)
	s.TLS = httptest.NewTLSServer(s)
	return s
}

// Close stops the servers.
func (s *Site) Close() {
	s.HTTP.Close()
	s.TLS.Close()
}

// ServeHTTP answers from the routes.
func (s *Site) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	host := strings.ToLower(req.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	u := scheme + "://" + host + req.URL.RequestURI()
	n, _ := req.Body.Read(make([]byte, 1))
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: req.Method, URL: u, Body: int64(n), Header: req.Header.Clone()})
	hold := s.Hold
	s.mu.Unlock()
	if hold != nil {
		hold(req)
	}
	r := s.routes[u]
	if r == nil {
		r = s.routes["//"+host+req.URL.RequestURI()]
	}
	if r == nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if r.Status == 0 {
		// The server drops the connection without an answer.
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
		}
		return
	}
	for k, v := range r.Header {
		w.Header()[k] = v
	}
	if r.Body != "" && w.Header().Get("Content-Type") == "" && r.Status == 200 {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	w.WriteHeader(r.Status)
	if req.Method != http.MethodHead {
		_, _ = w.Write([]byte(r.Body))
	}
}

// Resolve maps port 80 and 443 of every fixture host to the servers, for
// crawler.Config.Resolve.
func (s *Site) Resolve() map[string]string {
	m := make(map[string]string, 2*len(s.hosts))
	for _, h := range s.hosts {
		m[h+":80"] = s.HTTP.Listener.Addr().String()
		m[h+":443"] = s.TLS.Listener.Addr().String()
	}
	return m
}

// AddHost makes another host name reach the servers (one that no route
// names, so that it answers 404 everywhere).
func (s *Site) AddHost(host string) { s.hosts = append(s.hosts, host) }

// Timeout is the request timeout of Config: so long that no load on the
// machine makes a loopback request reach it. A request that must time
// out never ends, and goes in a crawl of its own with a short timeout
// (or waits this one out).
const Timeout = time.Minute

// Config returns a crawler configuration for this site with the command's
// defaults, small limits, robots.txt obeyed, the fixture hosts resolved
// and a timeout no load reaches.
func (s *Site) Config(seeds ...string) crawler.Config {
	return crawler.Config{
		Seeds:       seeds,
		Concurrency: 4,
		MaxPages:    10000,
		Timeout:     Timeout,
		MaxBody:     5 << 20,
		UserAgent:   "hopaudit-test",
		Resolve:     s.Resolve(),
		Insecure:    true,
	}
}

// Requests returns every request received so far, in arrival order.
func (s *Site) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Hits counts the requests for one URL (scheme://host/path?query).
func (s *Site) Hits(u string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.URL == u {
			n++
		}
	}
	return n
}
