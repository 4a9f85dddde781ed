package crawler

import (
	"context"
	"errors"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gocolly/colly/v2"
)

// fetchResult is what one request of a lane got: what colly's callbacks
// saw of the response, and the body the lane read.
type fetchResult struct {
	epoch  int // the host gate's, when the request started
	status int
	header http.Header
	body   []byte
	// resource: a page resource, whose body is read only when it is
	// HTML; headersOnly: its body was not read (see request).
	resource, headersOnly bool
}

// fetcher makes a task's record from the network: it asks robots.txt,
// sends the request (trying again after transient failures, at the pace
// the host's gate allows), reads the response's header and body and the
// references of a page or a sitemap. It knows nothing of the graph or
// the frontier: one task in, one record out.
type fetcher struct {
	cfg       Config
	ctx       context.Context // the crawl's
	retry     retryPolicy
	scope     Scope
	transport http.RoundTripper
	lanes     chan *lane // lanes free for a request (see lane)
	robots    *robots
	plain     *http.Client    // follows up to 5 redirects: robots.txt and sitemaps
	gates     Politeness      // the frontier's
	origins   map[string]bool // the start URLs' origins (see headerOrigin): where Config.Header goes
	headers   requestHeaders
	logf      func(format string, args ...any)
	stop      func(why string) // ends the crawl: the site stopped answering
}

// url requests one URL, never following its redirects, and returns its
// record; nil when the crawl was cut short first.
func (f *fetcher) url(t Task) *Record {
	u, err := url.Parse(t.URL)
	if err != nil { // a task's URL was resolved: this is no request's fault
		return &Record{Kind: RecordURL, URL: t.URL, Response: &Response{URL: t.URL, Depth: int(t.Depth), Error: errorText(err)}}
	}
	r := &Response{URL: t.URL, Depth: int(t.Depth), Internal: f.scope.internalHost(u.Hostname())}
	if !f.cfg.IgnoreRobots && !f.robots.allowed(f.ctx, u) {
		r.Blocked = true
		r.Error = f.robots.unreachable(f.ctx, u) // robots.txt failed: why all is disallowed
		return &Record{Kind: RecordURL, URL: t.URL, Response: r}
	}
	l := f.lane()
	defer f.free(l)
	res, err := f.request(l, r, u, t.Asset)
	if res == nil {
		return nil // cut short: the URL stays unfetched
	}
	if err != nil {
		r.Error = errorText(err)
		var refused *refusedError
		r.Refused = errors.As(err, &refused)
	}
	r.Status = res.status
	if r.Internal {
		what := ""
		// A body the site sent corrupt (not the gzip it says) fails the
		// URL, but no pause of the host mends it: the safeguard counts
		// only what the network or the server failed at.
		badData := err != nil && r.Status != 0 && !retryableError(err)
		if failedAnswer(r.Status, r.Error != "" && !badData, r.Blocked) {
			what = failure(r) // for the safeguard's message; a success says nothing
		}
		if why := f.gates.Outcome(u.Host, res.epoch, what != "", what); why != "" {
			f.stop(why)
		}
	}
	if res.header != nil {
		f.readHeader(r, u, res.header)
	}
	body := res.body
	if int64(len(body)) > f.cfg.MaxBody {
		body, r.Truncated = body[:f.cfg.MaxBody], true
	}
	r.Bytes = int64(len(body))
	rec := &Record{Kind: RecordURL, URL: t.URL, Response: r}
	if r.Status < 200 || r.Status > 299 || r.Error != "" {
		return rec
	}
	var refs []Reference
	// A Refresh header comes before any meta refresh in the page.
	_, _, headerRefresh := ParseRefresh(res.header.Get("Refresh"))
	if r.Internal && !f.cfg.ListMode {
		refs = linkHeader(strings.Join(res.header.Values("Link"), ", "), u, r.URL)
		if r.Refresh != nil {
			refs = append(refs, Reference{Kind: RefRefreshHeader, Source: r.URL, Target: r.Refresh.URL, Text: r.Refresh.Raw})
		}
	}
	if isHTML(r.ContentType, body) && (r.Internal || f.cfg.ListMode) {
		p, err := l.extract.page(u, body)
		if err != nil {
			r.ParseError = err.Error()
		} else {
			r.Parsed = true
			r.Canonical = p.canonical
			r.Noindex = r.Noindex || p.noindex
			if !p.nofollow && isNofollow(strings.Join(res.header.Values("X-Robots-Tag"), ", ")) {
				p.nofollow = true
				nofollowAll(p.refs)
			}
			if p.nofollow && r.Depth == 0 && !f.cfg.FollowNofollow && !f.cfg.ListMode {
				f.logf("warning: %s says nofollow (robots meta tag or X-Robots-Tag, as a staging site often does): its links are not followed; --follow-nofollow crawls them", r.URL)
			}
			if !headerRefresh {
				r.Refresh = p.refresh
			}
			if !f.cfg.ListMode {
				if headerRefresh {
					p.refs = slices.DeleteFunc(p.refs, func(ref Reference) bool { return ref.Kind == RefMetaRefresh || ref.Kind == RefJavaScript })
				}
				if refs == nil { // most pages: no Link or Refresh header
					refs = p.refs
				} else {
					refs = append(refs, p.refs...)
				}
			}
		}
	}
	rec.Refs = l.extract.unique(refs)
	return rec
}

// lane returns a lane for one task's request, a free one if there is.
func (f *fetcher) lane() *lane {
	select {
	case l := <-f.lanes:
		return l
	default:
		return newLane(f.ctx, &f.cfg, f.transport)
	}
}

// free gives back a lane whose request's body is no longer read.
func (f *fetcher) free(l *lane) {
	l.trim()
	select {
	case f.lanes <- l:
	default: // more lanes than workers: let it go
	}
}

// request GETs u on lane l for the response r, trying again after a transient
// failure (see retryPolicy), and returns what the last try got; nil
// when the crawl was cut short. A 429 or 503 also slows the host down
// for the rest of the crawl.
//
// Of a resource, only the header is read unless the answer is a 2xx
// HTML page (or says no Content-Type, which the body tells): an image
// or a video is not downloaded to learn its status.
func (f *fetcher) request(l *lane, r *Response, u *url.URL, resource bool) (*fetchResult, error) {
	for attempt := 0; ; attempt++ {
		epoch, err := f.gates.Acquire(f.ctx, u.Host)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		res, err := l.do(r.URL, f.requestHeader(u), fetchResult{epoch: epoch, resource: resource})
		r.Elapsed = time.Since(start)
		f.gates.Release(u.Host)
		if res.headersOnly && errors.Is(err, colly.ErrAbortedAfterHeaders) {
			err = nil // the body was not wanted
		}
		if err != nil && f.ctx.Err() != nil {
			return nil, err
		}
		r.Attempts = uint8(min(attempt+1, math.MaxUint8))
		if !transient(res.status, err) || attempt >= f.retry.retries {
			return res, err
		}
		wait := f.retry.wait(attempt, res.header, time.Now())
		if res.status == http.StatusTooManyRequests || res.status == http.StatusServiceUnavailable {
			f.gates.SlowDown(u.Host, wait)
		}
		if sleep(f.ctx, wait) != nil {
			return nil, f.ctx.Err()
		}
	}
}

// requestHeader is the header of a request to u: the User-Agent, and the
// extra headers when u has the origin of a start URL. Credentials go
// nowhere else: not to another port or scheme of the same host name (so
// never in cleartext when the start URL was https), not to a www twin,
// not to robots.txt or sitemaps elsewhere, as curl keeps them (CVE-2022-27776).
//
// Requests share the two headers (see newHeaders): neither net/http nor
// colly changes a request's header that has a User-Agent and a
// non-empty Accept.
func (f *fetcher) requestHeader(u *url.URL) http.Header {
	if len(f.cfg.Header) > 0 && f.origins[headerOrigin(u)] {
		return f.headers.own
	}
	return f.headers.other
}

// requestHeaders are the two headers of a crawl's requests (see
// requestHeader).
type requestHeaders struct {
	own   http.Header // to the start URLs' origins: with Config.Header
	other http.Header // elsewhere
}

// newHeaders returns the request headers of a crawl of cfg: the
// User-Agent, and Accept as colly sends it unless Config.Header says
// another.
func newHeaders(cfg *Config) requestHeaders {
	other := http.Header{"User-Agent": {cfg.UserAgent}, "Accept": {"*/*"}}
	own := other.Clone()
	for k, v := range cfg.Header {
		own[k] = v
	}
	own.Set("User-Agent", cfg.UserAgent)
	if own.Get("Accept") == "" { // colly would set it in the shared map
		own.Set("Accept", "*/*")
	}
	return requestHeaders{own: own, other: other}
}

// headerOrigin is the origin requestHeader matches u by: its normalised
// scheme, host and port, whatever userinfo u has.
func headerOrigin(u *url.URL) string {
	v := *u
	v.User = nil
	return origin(&v)
}

// readHeader copies the header fields the audit reads.
func (f *fetcher) readHeader(r *Response, u *url.URL, h http.Header) {
	join := func(k string) string { return strings.Join(h.Values(k), ", ") }
	locations := h.Values("Location")
	is3xx := r.Status >= 300 && r.Status <= 399
	// Every 3xx gets a Redirect, with or without a Location: the cache
	// rules read its Header.
	if is3xx || len(locations) > 0 {
		r.Redirect = &Redirect{}
	}
	if is3xx {
		hdr := Headers{
			CacheControl: join("Cache-Control"),
			Expires:      join("Expires"),
			Vary:         join("Vary"),
			RetryAfter:   join("Retry-After"),
			Refresh:      join("Refresh"),
			Link:         join("Link"),
			XRobotsTag:   join("X-Robots-Tag"),
			XRedirectBy:  cut(join("X-Redirect-By"), MaxXRedirectBy),
		}
		// Most redirects carry none of these: keep nothing for them
		// (Date only matters next to Expires).
		if hdr != (Headers{}) {
			hdr.Date = join("Date")
			r.Redirect.Header = &hdr
		}
	}
	r.ContentType = h.Get("Content-Type")
	r.Noindex = isNoindex(join("X-Robots-Tag"))
	if len(locations) > 0 {
		// A copy: the header's own slice shares one array with every field.
		r.Redirect.Locations = slices.Clone(locations)
		if first := strings.TrimSpace(locations[0]); first != "" {
			target, err := Resolve(u, first)
			if err != nil {
				r.Redirect.LocationErr = err.Error()
			} else {
				r.Redirect.Location = target
			}
		}
	}
	if r.Status >= 200 && r.Status < 300 && h.Get("Refresh") != "" {
		r.Refresh, _ = refreshTo(HopRefreshHeader, h.Get("Refresh"), u, r.URL)
	}
}

// cut returns s cut to at most n bytes, before a character that would
// be split, so that a valid string stays valid.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for back := 0; back < utf8.UTFMax-1 && n > 0 && !utf8.RuneStart(s[n]); back++ {
		n--
	}
	return s[:n]
}

// robotsSitemaps returns the record of an origin's Sitemap lines in
// robots.txt: none when robots.txt is ignored, unreadable or names none;
// nil when the crawl was cut short.
func (f *fetcher) robotsSitemaps(t Task) *Record {
	u, err := url.Parse(t.URL)
	if err != nil {
		return nil
	}
	rec := &Record{Kind: RecordSitemaps, URL: t.URL}
	if !f.cfg.IgnoreRobots {
		rec.Sitemaps = f.robots.file(f.ctx, u).sitemaps
		if f.ctx.Err() != nil {
			return nil
		}
	}
	return rec
}

// sitemap reads a sitemap or sitemap index and returns its record; nil
// when the crawl was cut short. A sitemap that fails or is cut at a
// limit is a warning on the log and a row with its error; a guessed
// /sitemap.xml that answers 404 is only a row, as most sites have none.
func (f *fetcher) sitemap(t Task) *Record {
	sm := &Sitemap{URL: t.URL, From: t.From}
	base, _ := url.Parse(t.URL)
	var status int
	var locs []string
	var index bool
	var err error
	for attempt := 0; ; attempt++ {
		status, locs, index, err = fetchSitemap(f.ctx, f.plain, f.requestHeader, t.URL)
		if !f.retry.again(f.ctx, attempt, transient(status, err), http.Header{}) {
			break
		}
	}
	sm.Status, sm.Index = status, index
	if err != nil {
		if f.ctx.Err() != nil {
			return nil
		}
		sm.Error = errorText(err)
	}
	if index && t.Depth > 0 {
		sm.Error, locs = "a sitemap index listed in a sitemap index: not read, indexes do not nest", nil
	}
	if sm.Error != "" && !(t.From == SitemapGuessed && status == http.StatusNotFound) {
		f.logf("warning: sitemap %s (%s): %s", sm.URL, sm.From, sm.Error)
	}
	rec := &Record{Kind: RecordSitemap, URL: t.URL, Sitemap: sm}
	for _, loc := range locs {
		target, err := Resolve(base, loc)
		if err != nil {
			continue
		}
		if sm.Index {
			rec.Sitemaps = append(rec.Sitemaps, target)
			continue
		}
		rec.Refs = append(rec.Refs, Reference{Kind: RefSitemap, Source: t.URL, Target: target})
	}
	sm.Entries = len(locs)
	return rec
}

// notRead starts the error of a sitemap that a limit kept from being read.
const notRead = "not read"

// errorText is an error without the "Get URL:" wrapping of net/http.
func errorText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// isHTML tells an HTML body by its Content-Type, or by sniffing when
// there is none.
func isHTML(contentType string, body []byte) bool {
	if contentType == "" {
		contentType = http.DetectContentType(body)
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "text/html" || mt == "application/xhtml+xml")
}
