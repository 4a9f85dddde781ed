package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxSitemapBytes caps a sitemap after decompression: the sitemaps
// protocol allows 50 MB uncompressed.
const maxSitemapBytes = 50 << 20

// parseSitemap reads a sitemap or sitemap index and returns its <loc>
// values as written, trimmed. index is true for a <sitemapindex>. Entries
// read before a syntax error are returned with the error.
func parseSitemap(r io.Reader) (locs []string, index bool, err error) {
	dec := xml.NewDecoder(r)
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
					locs = append(locs, s)
				}
			}
		}
	}
}

// fetchSitemap GETs a sitemap (following the client's redirects) and returns
// its body, gunzipped when it is gzip data, cut at maxSitemapBytes.
func fetchSitemap(ctx context.Context, client *http.Client, header http.Header, u string) (status int, body []byte, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header = header
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	var br io.Reader = io.LimitReader(resp.Body, maxSitemapBytes+1)
	head := make([]byte, 2)
	n, _ := io.ReadFull(br, head)
	br = io.MultiReader(bytes.NewReader(head[:n]), br)
	if n == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return resp.StatusCode, nil, fmt.Errorf("gzip: %w", err)
		}
		br = io.LimitReader(zr, maxSitemapBytes+1)
	}
	body, err = io.ReadAll(br)
	if err != nil {
		return resp.StatusCode, body, err
	}
	if len(body) > maxSitemapBytes {
		return resp.StatusCode, body[:maxSitemapBytes], errors.New("larger than 50 MB; the rest was not read")
	}
	return resp.StatusCode, body, nil
}
