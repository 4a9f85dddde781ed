package crawler

import (
	"io"
	"net/http"
	"regexp"
	"time"
)

// Config says what to crawl and how. Zero values are not defaults: the
// command fills every field it exposes as a flag.
type Config struct {
	Seeds       []string // start URLs; in list mode, the URLs to check
	ListMode    bool     // fetch exactly the seeds with their chains: no link discovery, no sitemaps
	Concurrency int      // requests in flight at once
	// HostConcurrency caps the requests in flight to one host; 0 = as
	// many as Concurrency.
	HostConcurrency int
	Delay           time.Duration // between two requests to the same host
	MaxPages        int           // URLs fetched at most; 0 = no limit
	MaxDepth        int           // link depth from a start URL; 0 = no limit
	Timeout         time.Duration // per request, headers and body
	Retries         int           // tries after the first for a transient failure: a network error, 429, 502, 503, 504
	RetryBackoff    time.Duration // the wait before the first retry; it doubles at each retry (plus up to half at random)
	MaxRetryWait    time.Duration // the longest wait before a retry, Retry-After included; also the pause of a failing host
	MaxBody         int64         // body bytes read at most; the rest is cut and marked truncated
	UserAgent       string
	Header          http.Header       // extra request headers, sent only to the start URLs' origins (scheme, host and port)
	Include         []*regexp.Regexp  // a discovered URL must match one, if any are given
	Exclude         []*regexp.Regexp  // a discovered URL matching one is not fetched
	Sitemaps        []string          // sitemap URLs to read besides robots.txt's
	NoSitemaps      bool              // read no sitemap
	NoExternal      bool              // fetch no URL outside the scope
	Subdomains      bool              // the scope is the start hosts' registrable domains
	IgnoreRobots    bool              // do not read or obey robots.txt
	Proxy           string            // proxy URL; "" = HTTP_PROXY, HTTPS_PROXY, NO_PROXY
	Resolve         map[string]string // "host:port" -> "addr:port" to dial instead; curl's --resolve host:port:addr gives "addr:port"
	Insecure        bool              // skip TLS certificate checks
	AllowPrivate    bool              // reach loopback and private addresses from any start URL (see safety.go)
	Progress        func(Progress)    // called after each URL is fetched or blocked, never concurrently; must return quickly
	Log             io.Writer         // progress and warnings; nil = none

	// FollowNofollow fetches the URLs of links marked rel=nofollow, ugc
	// or sponsored like any other; without it, such links are recorded
	// (Reference.Nofollow) but get nothing fetched.
	FollowNofollow bool

	// NoResources skips page resources (images, stylesheets, scripts,
	// frames, media, icons, manifests, preloads; see RefKind.Resource):
	// they are neither recorded nor fetched.
	NoResources bool

	// Store keeps every task's record as it is made, and gives back
	// those of an earlier run of the same crawl, which are not fetched
	// again: a crawl cut short resumes where it stopped. nil keeps
	// nothing.
	Store Store
	// Frontier holds what the crawl fetches next and paces its requests
	// (see Frontier); it must be new, and enforce MaxPages. nil is
	// NewMemoryFrontier of this Config.
	Frontier Frontier
	// Offline builds the graph from Store's records alone: nothing is
	// fetched, and a task the store has no record of is left undone
	// (the crawl is then cut short, Stats.Cancelled).
	Offline bool
}

// Progress is a snapshot of a running crawl.
type Progress struct {
	Fetched int // URLs requested so far
	Queued  int // URLs scheduled and not started
	Errors  int // URLs that failed with a network or protocol error
}
