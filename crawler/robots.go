package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"

	"github.com/temoto/robotstxt"
)

// maxRobotsBytes is the part of a robots.txt that is read (RFC 9309
// §2.5 asks crawlers to parse at least 500 KiB).
const maxRobotsBytes = 500 << 10

// robots fetches each origin's robots.txt once and answers whether a URL
// may be fetched.
type robots struct {
	client *http.Client // must follow at least 5 redirects (RFC 9309 §2.3.1.2)
	agent  string       // product token matched against User-agent lines
	header func(*url.URL) http.Header
	log    func(format string, args ...any)
	retry  retryPolicy

	mu    sync.Mutex
	files map[string]*robotsFile // by scheme://host
}

type robotsFile struct {
	once     sync.Once
	data     *robotstxt.RobotsData // nil = everything allowed
	sitemaps []string
	// unreachable says why everything is disallowed when robots.txt
	// could not be read although its server answered (RFC 9309
	// §2.3.1.4); "" otherwise.
	unreachable string
}

func newRobots(client *http.Client, userAgent string, header func(*url.URL) http.Header, log func(string, ...any), retry retryPolicy) *robots {
	agent, _, _ := strings.Cut(userAgent, "/")
	agent, _, _ = strings.Cut(agent, " ")
	return &robots{
		client: client,
		agent:  agent,
		header: header,
		log:    log,
		retry:  retry,
		files:  map[string]*robotsFile{},
	}
}

// disallowAll is the robots.txt of an origin whose robots.txt is
// unreachable.
var disallowAll, _ = robotstxt.FromStatusAndBytes(http.StatusServiceUnavailable, nil)

// file returns the robots.txt of u's origin, fetching it on first use.
//
// As RFC 9309 §2.3.1 says: a 2xx is parsed; up to five redirects are
// followed, even to other hosts, and more make robots.txt unavailable;
// 4xx (and any other status) means unavailable: everything allowed; 5xx,
// a timeout or a connection that fails once the server was reached
// means unreachable: everything disallowed. When the server cannot be
// reached at all (no such host, connection refused, TLS failure, an
// address the guard refuses), everything is allowed, so that each URL
// of the origin is requested and its own error recorded.
func (r *robots) file(ctx context.Context, u *url.URL) *robotsFile {
	origin := u.Scheme + "://" + u.Host
	r.mu.Lock()
	f := r.files[origin]
	if f == nil {
		f = &robotsFile{}
		r.files[origin] = f
	}
	r.mu.Unlock()
	f.once.Do(func() {
		a, err := r.fetchRetrying(ctx, origin+"/robots.txt")
		status, body := a.status, a.body
		switch {
		case err != nil && ctx.Err() != nil:
			// Cut short: the crawl is ending, nothing is learnt.
		case err != nil && !a.connected:
			r.log("warning: robots.txt of %s: %s; crawling it as allowed", origin, errorText(err))
		case errors.Is(err, errTooManyRedirects):
			r.log("warning: robots.txt of %s: %s; crawling it as allowed (RFC 9309)", origin, errorText(err))
		case err != nil:
			f.data = disallowAll
			f.unreachable = "robots.txt unreachable (" + errorText(err) + ")" + a.tries + ": everything disallowed, as RFC 9309 says"
			r.log("warning: %s: %s", origin, f.unreachable)
		case status >= 500 && status <= 599:
			f.data = disallowAll
			f.unreachable = fmt.Sprintf("robots.txt answered %d%s: everything disallowed, as RFC 9309 says", status, a.tries)
			r.log("warning: %s: %s", origin, f.unreachable)
		case status >= 200 && status <= 299:
			data, err := robotstxt.FromBytes(body)
			if err != nil {
				r.log("warning: robots.txt of %s: %s; crawling it as allowed", origin, err)
				return
			}
			f.data = data
			f.sitemaps = data.Sitemaps
		}
		// Any other status: robots.txt is unavailable, everything allowed.
	})
	return f
}

var errTooManyRedirects = errors.New("more than 5 redirects")

// robotsAnswer is what a robots.txt request got.
type robotsAnswer struct {
	status    int
	body      []byte
	header    http.Header
	connected bool   // the last request reached its server
	tries     string // " after N attempts" when it took more than one; "" otherwise
}

// fetchRetrying is fetch, tried again as the crawl's requests are when
// the server answered 5xx or 429 or the connection failed once reached,
// so that one bad moment does not disallow a whole site.
func (r *robots) fetchRetrying(ctx context.Context, u string) (robotsAnswer, error) {
	for attempt := 0; ; attempt++ {
		a, err := r.fetch(ctx, u)
		// Any 5xx, not only the transient ones: RFC 9309 disallows all on it.
		transient := a.status >= 500 || a.status == http.StatusTooManyRequests ||
			err != nil && a.connected && retryableError(err)
		if !r.retry.again(ctx, attempt, transient, a.header) {
			if attempt > 0 {
				a.tries = fmt.Sprintf(" after %d attempts", attempt+1)
			}
			return a, err
		}
	}
}

// fetch GETs a robots.txt, following up to five redirects, each with the
// headers for its own host.
func (r *robots) fetch(ctx context.Context, u string) (robotsAnswer, error) {
	var mu sync.Mutex
	reached := false
	trace := &httptrace.ClientTrace{
		GetConn: func(string) { mu.Lock(); reached = false; mu.Unlock() },
		GotConn: func(httptrace.GotConnInfo) { mu.Lock(); reached = true; mu.Unlock() },
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, u, nil)
	if err != nil {
		return robotsAnswer{}, err
	}
	req.Header = r.header(req.URL)
	client := *r.client
	client.Jar = nil
	client.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		if len(via) > 5 {
			return errTooManyRedirects
		}
		next.Header = r.header(next.URL) // credentials stay with the start origins
		return nil
	}
	resp, err := client.Do(req)
	if err != nil {
		mu.Lock()
		defer mu.Unlock()
		return robotsAnswer{connected: reached}, err
	}
	defer resp.Body.Close()
	a := robotsAnswer{status: resp.StatusCode, header: resp.Header, connected: true}
	a.body, err = io.ReadAll(io.LimitReader(resp.Body, maxRobotsBytes))
	if err != nil {
		a.body = nil
	}
	return a, err
}

// allowed reports whether robots.txt lets the crawler fetch u.
func (r *robots) allowed(ctx context.Context, u *url.URL) bool {
	f := r.file(ctx, u)
	if f.data == nil {
		return true
	}
	p := u.EscapedPath()
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return f.data.TestAgent(p, r.agent)
}

// unreachable says why every URL of u's origin is disallowed when its
// robots.txt could not be read; "" when it could.
func (r *robots) unreachable(ctx context.Context, u *url.URL) string {
	return r.file(ctx, u).unreachable
}
