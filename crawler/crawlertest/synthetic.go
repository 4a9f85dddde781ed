package crawlertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Synthetic describes a generated site for benchmarks and load tests:
// pages are made on request, so a site of any size costs no memory.
//
// Every page /p/N links the shared navigation (/p/0 to /p/Nav-1, and with
// NavMoved the URLs /m/0 to /m/NavMoved-1 that answer 301, as a
// template's links to moved pages), Content other pages, one URL that
// answers 301 and one that answers 302 (each to a page), and every
// ChainEvery-th page a chain of ChainHops redirects.
// Pages are padded with text to PageBytes. With Images, every page also
// shows that many images of its own, /i/N/0 to /i/N/Images-1, and the
// logo /i/logo.png that all pages share: each a 2 KB image/png.
type Synthetic struct {
	Pages      int
	PageBytes  int
	Nav        int
	NavMoved   int // navigation links to URLs that answer 301, on every page
	Content    int
	ChainEvery int // 0 = no chains
	ChainHops  int
	Images     int           // images of each page's own, besides the shared logo; 0 = no images
	Latency    time.Duration // added to every response

	requests atomic.Int64
}

// DefaultSynthetic is the site of the performance issue: 10,000 pages of
// about 15 KB, 30 navigation links, 10 content links, a 301 and a 302
// link on every page and a 3-hop chain on every tenth: about 34,000 URLs.
func DefaultSynthetic() *Synthetic {
	return &Synthetic{Pages: 10000, PageBytes: 15000, Nav: 30, Content: 10, ChainEvery: 10, ChainHops: 3}
}

// URLs is the number of distinct URLs a full crawl discovers: pages, the
// 301 and 302 URL of each page, the chain hops, and the images with the
// logo.
func (s *Synthetic) URLs() int {
	n := 3 * s.Pages
	if s.ChainEvery > 0 {
		n += (s.Pages + s.ChainEvery - 1) / s.ChainEvery * s.ChainHops
	}
	if s.Images > 0 {
		n += s.Pages*s.Images + 1
	}
	return n
}

// imageBody is the body of every image of the site: a PNG signature padded
// to 2 KB (a crawl that reads only the header never sees it).
var imageBody = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 2048-8)...)

// Requests counts the requests served so far.
func (s *Synthetic) Requests() int64 { return s.requests.Load() }

// Start serves the site on loopback; the caller closes the server.
func (s *Synthetic) Start() *httptest.Server { return httptest.NewServer(s) }

func (s *Synthetic) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if s.Latency > 0 {
		time.Sleep(s.Latency)
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	n := -1
	if len(parts) >= 2 {
		if v, err := strconv.Atoi(parts[1]); err == nil && v >= 0 && v < s.Pages {
			n = v
		}
	}
	switch {
	case r.URL.Path == "/":
		http.Redirect(w, r, "/p/0", http.StatusMovedPermanently)
	case r.URL.Path == "/i/logo.png" && s.Images > 0:
		s.image(w)
	case n < 0:
		http.NotFound(w, r)
	case parts[0] == "p" && len(parts) == 2:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(s.page(n))
	case parts[0] == "m" && len(parts) == 2:
		http.Redirect(w, r, "/p/"+strconv.Itoa((n+1)%s.Pages), http.StatusMovedPermanently)
	case parts[0] == "t" && len(parts) == 2:
		http.Redirect(w, r, "/p/"+strconv.Itoa((n+2)%s.Pages), http.StatusFound)
	case parts[0] == "i" && len(parts) == 3:
		if k, err := strconv.Atoi(parts[2]); err != nil || k < 0 || k >= s.Images || parts[2] != strconv.Itoa(k) {
			http.NotFound(w, r)
		} else {
			s.image(w)
		}
	case parts[0] == "c" && len(parts) == 3:
		hop, err := strconv.Atoi(parts[2])
		switch {
		case err != nil || hop < 1 || hop > s.ChainHops:
			http.NotFound(w, r)
		case hop < s.ChainHops:
			http.Redirect(w, r, fmt.Sprintf("/c/%d/%d", n, hop+1), http.StatusMovedPermanently)
		default:
			http.Redirect(w, r, "/p/"+strconv.Itoa((n+3)%s.Pages), http.StatusMovedPermanently)
		}
	default:
		http.NotFound(w, r)
	}
}

func (s *Synthetic) image(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(len(imageBody)))
	_, _ = w.Write(imageBody)
}

func (s *Synthetic) page(n int) []byte {
	b := make([]byte, 0, s.PageBytes+512)
	b = fmt.Appendf(b, "<!doctype html><html><head><title>Page %d</title>"+
		"<link rel=\"canonical\" href=\"/p/%d\"></head><body><nav>", n, n)
	for i := range min(s.Nav, s.Pages) {
		b = fmt.Appendf(b, "<a href=\"/p/%d\">Section %d</a>", i, i)
	}
	for i := range min(s.NavMoved, s.Pages) {
		b = fmt.Appendf(b, "<a href=\"/m/%d\">Moved %d</a>", i, i)
	}
	b = append(b, "</nav><main>"...)
	if s.Images > 0 {
		b = append(b, "<p><img src=\"/i/logo.png\" alt=\"Logo\"></p>"...)
	}
	for k := range s.Images {
		b = fmt.Appendf(b, "<p><img src=\"/i/%d/%d\" alt=\"Figure %d\"></p>", n, k, k)
	}
	for i := 1; i <= s.Content; i++ {
		// Content links reach every page, whatever the site's size.
		b = fmt.Appendf(b, "<p><a href=\"/p/%d\">Article %d</a></p>", (n*s.Content+i)%s.Pages, i)
	}
	b = fmt.Appendf(b, "<p><a href=\"/m/%d\">moved</a> <a href=\"/t/%d\">temporary</a></p>", n, n)
	if s.ChainEvery > 0 && n%s.ChainEvery == 0 {
		b = fmt.Appendf(b, "<p><a href=\"/c/%d/1\">chain</a></p>", n)
	}
	const filler = "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p>\n"
	for len(b) < s.PageBytes-len("</main></body></html>") {
		b = append(b, filler...)
	}
	return append(b, "</main></body></html>"...)
}
