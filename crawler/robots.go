package crawler

import (
	"context"
	"fmt"
	"io"
	"net/http"
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

	mu    sync.Mutex
	files map[string]*robotsFile // by scheme://host
}

type robotsFile struct {
	once     sync.Once
	data     *robotstxt.RobotsData // nil = everything allowed
	sitemaps []string
}

func newRobots(client *http.Client, userAgent string, header func(*url.URL) http.Header, log func(string, ...any)) *robots {
	agent, _, _ := strings.Cut(userAgent, "/")
	agent, _, _ = strings.Cut(agent, " ")
	return &robots{
		client: client,
		agent:  agent,
		header: header,
		log:    log,
		files:  map[string]*robotsFile{},
	}
}

// file returns the robots.txt of u's origin, fetching it on first use.
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
		data, err := r.fetch(ctx, origin+"/robots.txt")
		if err != nil {
			// An unreachable robots.txt leaves the URLs of the origin
			// to be fetched, so that their own error is recorded.
			r.log("robots.txt of %s: %s; crawling it as allowed", origin, errorText(err))
			return
		}
		f.data = data
		f.sitemaps = data.Sitemaps
	})
	return f
}

func (r *robots) fetch(ctx context.Context, u string) (*robotstxt.RobotsData, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header = r.header(req.URL)
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRobotsBytes))
	if err != nil {
		return nil, err
	}
	data, err := robotstxt.FromStatusAndBytes(resp.StatusCode, body)
	if err != nil {
		return nil, fmt.Errorf("status %d: %w", resp.StatusCode, err)
	}
	return data, nil
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
