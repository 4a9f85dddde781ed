package crawler

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Limits of one sitemap, from the sitemaps.org protocol: 50 MB and
// 50,000 entries (URLs, or sitemaps in an index), uncompressed. A crawl
// reads at most MaxSitemaps sitemaps, and no more than --max-pages.
const (
	maxSitemapBytes   = 50 << 20
	maxSitemapEntries = 50000
	MaxSitemaps       = 10000
	// maxSitemapRun caps a run of text or a tag: the XML decoder holds
	// each token whole, and a sitemap's tokens are short.
	maxSitemapRun = 1 << 20
)

// parseSitemap reads a sitemap or sitemap index and returns its <loc>
// values as written, trimmed. index is true for a <sitemapindex>. Entries
// read before a syntax error are returned with the error; reading stops
// after maxSitemapEntries entries.
func parseSitemap(r io.Reader) (locs []string, index bool, err error) {
	dec := xml.NewDecoder(&boundedRuns{r: r})
	dec.Strict = false
	dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	var inLoc bool
	var loc strings.Builder
	var rootSpace string
	var parents []string // local names of the open elements
	root := true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return locs, index, nil
		}
		if err != nil {
			return locs, index, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			parent := ""
			if len(parents) > 0 {
				parent = parents[len(parents)-1]
			}
			parents = append(parents, strings.ToLower(t.Name.Local))
			if root {
				root = false
				rootSpace = t.Name.Space
				switch t.Name.Local {
				case "sitemapindex":
					index = true
				case "urlset":
				default:
					return nil, false, fmt.Errorf("not a sitemap: root element <%s>", t.Name.Local)
				}
			}
			// Only <url><loc> and <sitemap><loc> of the sitemap's own
			// namespace: extensions such as <image:loc> are not pages.
			if t.Name.Local == "loc" && t.Name.Space == rootSpace && (parent == "url" || parent == "sitemap") {
				inLoc = true
				loc.Reset()
			}
		case xml.CharData:
			if inLoc && loc.Len() < 8<<10 {
				loc.Write(t)
			}
		case xml.EndElement:
			if len(parents) > 0 {
				parents = parents[:len(parents)-1]
			}
			if t.Name.Local == "loc" && inLoc {
				inLoc = false
				if s := strings.TrimSpace(loc.String()); s != "" {
					if len(locs) == maxSitemapEntries {
						return locs, index, fmt.Errorf("more than %d entries: the rest were not read", maxSitemapEntries)
					}
					locs = append(locs, s)
				}
			}
		}
	}
}

// fetchSitemap GETs a sitemap, following up to five redirects, and reads
// its entries as it arrives (gunzipped when it is gzip data) without
// keeping the document. header gives the request header for each URL
// of the redirect chain, so that credentials stay with the start origins.
func fetchSitemap(ctx context.Context, client *http.Client, header func(*url.URL) http.Header, u string) (status int, locs []string, index bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, false, err
	}
	req.Header = header(req.URL)
	c := *client
	c.Jar = nil
	c.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		if len(via) > 5 {
			return errors.New("more than 5 redirects")
		}
		next.Header = header(next.URL)
		return nil
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, nil, false, fmt.Errorf("status %d", resp.StatusCode)
	}
	body := bufio.NewReader(resp.Body)
	var r io.Reader = body
	if head, _ := body.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(body)
		if err != nil {
			return resp.StatusCode, nil, false, fmt.Errorf("gzip: %w", err)
		}
		r = zr
	}
	locs, index, err = parseSitemap(&limitedBody{r: r, n: maxSitemapBytes})
	return resp.StatusCode, locs, index, err
}

// limitedBody reads at most n bytes of r, and fails after them.
type limitedBody struct {
	r io.Reader
	n int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		if n, err := l.r.Read(one[:]); n == 0 && err != nil {
			return 0, err // the end, or a read error, right at the limit
		}
		return 0, fmt.Errorf("larger than %d MB; the rest was not read", maxSitemapBytes>>20)
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// boundedRuns fails when a run of bytes without '<' or '>' grows longer
// than maxSitemapRun.
type boundedRuns struct {
	r   io.Reader
	run int
}

func (b *boundedRuns) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	for i, c := range p[:n] {
		if c == '<' || c == '>' {
			b.run = 0
			continue
		}
		if b.run++; b.run > maxSitemapRun {
			return i, fmt.Errorf("more than %d MiB of text or markup in one piece: the rest was not read", maxSitemapRun>>20)
		}
	}
	return n, err
}
