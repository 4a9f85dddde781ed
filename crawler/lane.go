package crawler

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gocolly/colly/v2"
	"golang.org/x/net/html/charset"
)

// A lane makes one request at a time: a crawl has one per worker. It
// owns a colly collector whose client reads each response's body into
// the lane's buffer, which the next request reuses, so that a crawl
// does not allocate a body per URL (colly would read each into a new
// slice, grown as it reads: 38% of what a crawl allocated). The body
// stays the lane's until the fetcher has made the task's record of it:
// nothing the record keeps points into it.
//
// The lane is also the collector's RoundTripper, and keeps what net/http
// would lose: a redirect whose Location does not parse makes http.Client
// fail before CheckRedirect runs, and the response is gone; the lane
// keeps its status and header. And it marks every body as already
// decoded, so that colly never inflates one itself: colly inflates
// after its body limit, which would let a small gzip file (a .gz URL, a
// gzip Content-Type) grow without bound. The transport has decoded what
// the Content-Encoding says.
type lane struct {
	collector *colly.Collector
	ctx       *colly.Context // the collector's requests', reused: the lane keeps its result itself
	next      http.RoundTripper
	timeout   time.Duration // Config.Timeout: for the request, its head and its body
	limit     int64         // body bytes read at most: Config.MaxBody and one, to tell a body cut
	res       fetchResult
	kept      *http.Response // the response of a Location that does not parse, without body
	buf       []byte
	extract   extractor // reads the lane's pages
}

// The most room a lane keeps for its next task, in body bytes and in
// references of a page: a page of many megabytes, or of a hundred
// thousand links, is not held by its lane for the rest of the crawl.
const (
	maxLaneBuffer = 1 << 20
	maxLaneRefs   = 4096
)

// trim lets go of the room the lane's last task took beyond what it
// keeps for the next (see maxLaneBuffer).
func (l *lane) trim() {
	if cap(l.buf) > maxLaneBuffer {
		l.buf = nil
	}
	if cap(l.extract.raws) > maxLaneRefs {
		l.extract.raws = nil
	}
}

// newLane returns a lane whose requests go through tr; cancelling ctx
// cuts them short.
func newLane(ctx context.Context, cfg *Config, tr http.RoundTripper) *lane {
	l := &lane{next: tr, timeout: cfg.Timeout, limit: cfg.MaxBody + 1, ctx: colly.NewContext()}
	l.collector = colly.NewCollector(
		colly.StdlibContext(ctx),
		colly.AllowURLRevisit(), // the frontier fetches each URL once
		colly.ParseHTTPErrorResponse(),
		colly.IgnoreRobotsTxt(), // robots.txt is read by the crawler, to record blocked URLs
	)
	l.collector.SetClient(&http.Client{
		Transport: l, // which times the request out (see RoundTrip)
		// Every hop is its own request: net/http follows nothing.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	})
	l.collector.OnResponseHeaders(func(r *colly.Response) {
		l.res.status, l.res.header = r.StatusCode, *r.Headers
		if l.res.resource && !mayBeHTML(r.StatusCode, l.res.header.Get("Content-Type")) {
			l.res.headersOnly = true
			r.Request.Abort()
		}
	})
	return l
}

// do GETs u with header h, the request of result res, and returns what
// it got in res, the body the lane's until its next request.
func (l *lane) do(u string, h http.Header, res fetchResult) (*fetchResult, error) {
	l.res, l.kept = res, nil
	err := l.collector.Request(http.MethodGet, u, nil, l.ctx, h)
	if l.res.status == 0 && l.kept != nil {
		l.res.status, l.res.header = l.kept.StatusCode, l.kept.Header
		err = nil // the Location error is recorded by the caller
	}
	if err == nil && l.res.body != nil {
		l.res.body, err = toUTF8(l.res.body, l.res.header.Get("Content-Type"))
	}
	return &l.res, err
}

// RoundTrip sends req with the lane's timeout, from its start to the
// end of its body, which the lane reads before colly closes it. It is
// the lane's and not http.Client's: for a transport that is not its own,
// http.Client times a request out with a goroutine, a timer and two
// channels each, where a context with a deadline needs only a timer.
func (l *lane) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := req.Context(), context.CancelFunc(func() {})
	if l.timeout > 0 { // none, as for http.Client, when it is zero
		ctx, cancel = context.WithTimeout(ctx, l.timeout)
	}
	resp, err := l.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	if IsRedirectStatus(resp.StatusCode) {
		if loc := resp.Header.Get("Location"); loc != "" {
			if _, perr := req.URL.Parse(loc); perr != nil {
				l.kept = &http.Response{StatusCode: resp.StatusCode, Header: resp.Header}
			}
		}
	}
	resp.Uncompressed = true
	resp.Body = &laneBody{ReadCloser: resp.Body, lane: l, cancel: cancel}
	return resp, nil
}

// laneBody is a response body that its lane reads: colly's first read
// reads it whole into the lane's buffer and ends it, and colly gets an
// empty body. Colly reads none when it aborts the request after its
// header.
type laneBody struct {
	io.ReadCloser
	lane   *lane
	cancel context.CancelFunc // the request's timeout, over once the body is closed
	read   bool               // into the lane's buffer: it is over
}

func (b *laneBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

func (b *laneBody) Read([]byte) (int, error) {
	if b.read {
		return 0, io.EOF
	}
	b.read = true
	l := b.lane
	buf := bytes.NewBuffer(l.buf[:0])
	_, err := buf.ReadFrom(io.LimitReader(b.ReadCloser, l.limit))
	l.buf = buf.Bytes()
	if err != nil {
		return 0, err
	}
	l.res.body = l.buf
	return 0, io.EOF
}

// toUTF8 returns body in UTF-8 when its Content-Type names another
// character set, as colly converts the bodies it reads itself: the
// references found in a Latin-1 page are text like any other.
func toUTF8(body []byte, contentType string) ([]byte, error) {
	ct := strings.ToLower(contentType)
	for _, media := range []string{"image/", "video/", "audio/", "font/"} {
		if strings.Contains(ct, media) {
			return body, nil
		}
	}
	if len(body) == 0 || !strings.Contains(ct, "charset") || strings.Contains(ct, "utf-8") || strings.Contains(ct, "utf8") {
		return body, nil
	}
	r, err := charset.NewReader(bytes.NewReader(body), ct)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}
