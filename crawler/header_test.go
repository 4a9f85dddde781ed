package crawler_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// otherPort is a second loopback server, reached as site.test:8081 (the
// same host name as the start URL, another port: another origin). It
// records the Authorization header of every request by path.
type otherPort struct {
	mu   sync.Mutex
	auth map[string]string // path -> Authorization ("" when none)
}

func newOtherPort(t *testing.T, routes map[string]string) (*otherPort, string) {
	o := &otherPort{auth: map[string]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.auth[r.URL.Path] = r.Header.Get("Authorization")
		o.mu.Unlock()
		body, ok := routes[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if strings.HasPrefix(body, "<?xml") {
			w.Header().Set("Content-Type", "application/xml")
		}
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return o, srv.Listener.Addr().String()
}

func (o *otherPort) requests() map[string]string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.auth
}

// TestHeadersStayOnTheStartOrigins: --header (credentials) goes to the
// origins of the start URLs only, as curl keeps them (CVE-2022-27776):
// not to another port or scheme of the same host name, not to its www
// twin, not to robots.txt or sitemaps of another origin, and not in
// cleartext after an https start URL redirects to http. No cookie is
// ever sent back.
func TestHeadersStayOnTheStartOrigins(t *testing.T) {
	const secret = "Bearer secret"
	site := crawlertest.New(t, `
-- https://site.test/robots.txt --
> Content-Type: text/plain
Sitemap: http://site.test:8081/sitemap.xml
-- https://site.test/ --
> Set-Cookie: session=1; Path=/
<a href="/a">same origin</a>
<a href="http://site.test/plain">http, same host</a>
<a href="http://site.test:8081/port">other port</a>
<a href="https://www.site.test/twin">www twin</a>
<a href="http://other.test/x">other site</a>
<a href="/down">redirects to http</a>
<a href="/to-port">redirects to another port</a>
-- https://site.test/a --
a
-- https://site.test/down 301 http://site.test/after-downgrade --
-- https://site.test/to-port 302 http://site.test:8081/hop --
-- http://site.test/robots.txt --
> Content-Type: text/plain
Sitemap: http://site.test/plain-sitemap.xml
-- http://site.test/plain --
plain
-- http://site.test/after-downgrade --
downgraded
-- https://www.site.test/twin --
twin
-- http://other.test/x --
x
`)
	site.AddHost("www.site.test")
	port, addr := newOtherPort(t, map[string]string{
		"/robots.txt":  "User-agent: *\nAllow: /\n",
		"/sitemap.xml": `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://site.test:8081/listed</loc></url></urlset>`,
		"/port":        "port",
		"/hop":         "hop",
		"/listed":      "listed",
	})
	cfg := site.Config("https://site.test/")
	cfg.Resolve["site.test:8081"] = addr
	cfg.Header = http.Header{"Authorization": {secret}}
	g := crawl(t, cfg)

	var withAuth, without []string
	for _, r := range site.Requests() {
		if c := r.Header.Get("Cookie"); c != "" {
			t.Errorf("%s: cookie %q sent", r.URL, c)
		}
		if ua := r.Header.Get("User-Agent"); ua != "hopaudit-test" {
			t.Errorf("%s: User-Agent %q", r.URL, ua)
		}
		if r.Header.Get("Authorization") == secret {
			withAuth = append(withAuth, r.URL)
		} else {
			without = append(without, r.URL)
		}
	}
	for _, u := range withAuth {
		if !strings.HasPrefix(u, "https://site.test/") {
			t.Errorf("%s got the start origin's Authorization header", u)
		}
	}
	for _, u := range without {
		if strings.HasPrefix(u, "https://site.test/") {
			t.Errorf("%s, on the start origin, got no Authorization header", u)
		}
	}
	// Every case was requested, so that the checks above covered it.
	for _, u := range []string{
		"https://site.test/", "https://site.test/robots.txt", "https://site.test/a", "https://site.test/down",
		"http://site.test/plain", "http://site.test/after-downgrade", "https://www.site.test/twin", "http://other.test/x",
	} {
		if !slices.Contains(withAuth, u) && !slices.Contains(without, u) {
			t.Errorf("%s was not requested", u)
		}
	}
	for path, auth := range port.requests() {
		if auth != "" {
			t.Errorf("http://site.test:8081%s (another port) got Authorization %q", path, auth)
		}
	}
	for _, p := range []string{"/robots.txt", "/sitemap.xml", "/port", "/hop", "/listed"} {
		if _, ok := port.requests()[p]; !ok {
			t.Errorf("http://site.test:8081%s was not requested", p)
		}
	}
	if r := g.Lookup("http://site.test:8081/listed"); r == nil || r.Status != 200 {
		t.Errorf("the sitemap of the other port was not read: %+v", r)
	}
}
