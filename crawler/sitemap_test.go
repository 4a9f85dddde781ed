package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParseSitemap(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		locs    []string
		index   bool
		wantErr string // substring of the error; "" = no error
	}{
		{
			name: "urlset",
			doc: `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://example.com/</loc><lastmod>2024-01-01</lastmod></url>
  <url><loc>https://example.com/a</loc><changefreq>daily</changefreq><priority>0.5</priority></url>
</urlset>`,
			locs: []string{"https://example.com/", "https://example.com/a"},
		},
		{
			name: "sitemapindex",
			doc: `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://example.com/s1.xml</loc></sitemap>
  <sitemap><loc>https://example.com/s2.xml.gz</loc><lastmod>2024-01-01</lastmod></sitemap>
</sitemapindex>`,
			locs:  []string{"https://example.com/s1.xml", "https://example.com/s2.xml.gz"},
			index: true,
		},
		{
			name: "no namespace",
			doc:  `<urlset><url><loc>https://example.com/x</loc></url></urlset>`,
			locs: []string{"https://example.com/x"},
		},
		{
			name: "prefixed elements",
			doc: `<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
<sm:url><sm:loc>https://example.com/p</sm:loc></sm:url></sm:urlset>`,
			locs: []string{"https://example.com/p"},
		},
		{
			name:  "prefixed index",
			doc:   `<s:sitemapindex xmlns:s="http://www.sitemaps.org/schemas/sitemap/0.9"><s:sitemap><s:loc>https://example.com/s.xml</s:loc></s:sitemap></s:sitemapindex>`,
			locs:  []string{"https://example.com/s.xml"},
			index: true,
		},
		{
			name: "white space around locs",
			doc:  "<urlset><url><loc>\n\t  https://example.com/ws  \r\n</loc></url><url><loc>   </loc></url><url><loc></loc></url></urlset>",
			locs: []string{"https://example.com/ws"},
		},
		{
			name: "CDATA and entities",
			doc:  `<urlset><url><loc><![CDATA[https://example.com/?a=1&b=2]]></loc></url><url><loc>https://example.com/?c=3&amp;d=4</loc></url><url><loc> <![CDATA[https://example.com/]]>mixed </loc></url></urlset>`,
			locs: []string{"https://example.com/?a=1&b=2", "https://example.com/?c=3&d=4", "https://example.com/mixed"},
		},
		{
			name: "comments and processing instructions",
			doc:  `<?xml version="1.0"?><!-- generated --><?xml-stylesheet href="s.xsl"?><urlset><url><loc>https://example.com/<!-- c -->c</loc></url></urlset>`,
			locs: []string{"https://example.com/c"},
		},
		{
			name: "BOM and other encoding declared",
			doc:  "\ufeff<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><urlset><url><loc>https://example.com/bom</loc></url></urlset>",
			locs: []string{"https://example.com/bom"},
		},
		{
			name: "relative loc kept as written",
			doc:  `<urlset><url><loc>/relative</loc></url></urlset>`,
			locs: []string{"/relative"},
		},
		{
			name: "not strict XML",
			doc:  `<urlset><url><loc>https://example.com/?a=1&b=2</loc></url><URL><loc>https://example.com/up</loc></URL></urlset>`,
			locs: []string{"https://example.com/?a=1&b=2", "https://example.com/up"},
		},
		{
			name:    "html root",
			doc:     `<!DOCTYPE html><html><body><a href="/x">x</a><loc>https://example.com/no</loc></body></html>`,
			wantErr: "not a sitemap: root element <html>",
		},
		{
			name:    "rss root",
			doc:     `<?xml version="1.0"?><rss><channel><loc>https://example.com/no</loc></channel></rss>`,
			wantErr: "not a sitemap: root element <rss>",
		},
		{
			name:    "truncated",
			doc:     `<urlset><url><loc>https://example.com/1</loc></url><url><loc>https://example.com/2</loc></url><url><loc>https://exa`,
			locs:    []string{"https://example.com/1", "https://example.com/2"},
			wantErr: "unexpected EOF",
		},
		{
			name:    "truncated index",
			doc:     `<sitemapindex><sitemap><loc>https://example.com/s1.xml</loc></sitemap><sitemap>`,
			locs:    []string{"https://example.com/s1.xml"},
			index:   true,
			wantErr: "unexpected EOF",
		},
		{
			name:    "syntax error midway",
			doc:     `<urlset><url><loc>https://example.com/1</loc></url><url><loc>https://example.com/2</loc></url></wrong></urlset>`,
			locs:    []string{"https://example.com/1", "https://example.com/2"},
			wantErr: "XML syntax error",
		},
		{
			name: "empty urlset",
			doc:  `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			locs, index, err := parseSitemap(strings.NewReader(tc.doc))
			if !reflect.DeepEqual(locs, tc.locs) {
				t.Errorf("locs = %q; want %q", locs, tc.locs)
			}
			if index != tc.index {
				t.Errorf("index = %v; want %v", index, tc.index)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("error %v; want none", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("error %v; want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestParseSitemapExtensions: only the <loc> of a <url> or <sitemap> is
// an entry (sitemaps.org protocol). The image extension
// (http://www.google.com/schemas/sitemap-image/1.1) has an <image:loc>
// inside <image:image>, which is an image, not a page.
func TestParseSitemapExtensions(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
        xmlns:video="http://www.google.com/schemas/sitemap-video/1.1"
        xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <url>
    <loc>https://example.com/page</loc>
    <image:image><image:loc>https://example.com/photo.jpg</image:loc></image:image>
    <video:video><video:content_loc>https://example.com/v.mp4</video:content_loc><video:player_loc>https://example.com/player</video:player_loc></video:video>
    <xhtml:link rel="alternate" hreflang="de" href="https://example.com/de/page"/>
  </url>
</urlset>`
	locs, index, err := parseSitemap(strings.NewReader(doc))
	if err != nil || index {
		t.Fatalf("index %v, error %v", index, err)
	}
	if want := []string{"https://example.com/page"}; !reflect.DeepEqual(locs, want) {
		t.Errorf("locs = %q; want %q: an image:loc is no page", locs, want)
	}
}

func FuzzParseSitemap(f *testing.F) {
	f.Add([]byte(`<urlset><url><loc>https://example.com/</loc></url></urlset>`))
	f.Add([]byte(`<sitemapindex><sitemap><loc><![CDATA[https://example.com/s.xml]]></loc></sitemap></sitemapindex>`))
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-16"?><urlset><url><loc>x</loc>`))
	f.Add([]byte(`<!DOCTYPE urlset [<!ENTITY a "aaaa">]><urlset><loc>&a;&a;</loc></urlset>`))
	f.Add([]byte("\x00<\xff"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		locs, index, err := parseSitemap(bytes.NewReader(doc))
		if err == nil && len(locs) > 0 && !bytes.Contains(doc, []byte("urlset")) && !bytes.Contains(doc, []byte("sitemapindex")) {
			t.Fatalf("%d locs without a sitemap root (index %v)", len(locs), index)
		}
		for _, l := range locs {
			if l == "" || strings.TrimSpace(l) != l {
				t.Fatalf("loc %q: empty or not trimmed", l)
			}
		}
	})
}

func gzipped(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestFetchSitemap(t *testing.T) {
	const doc = `<urlset><url><loc>https://example.com/</loc></url></urlset>`
	gz := gzipped(t, doc)
	var gotUA, gotMethod string
	mux := http.NewServeMux()
	mux.HandleFunc("/plain.xml", func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotMethod = r.Header.Get("User-Agent"), r.Method
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write([]byte(doc))
	})
	mux.HandleFunc("/file.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		// A .gz file: gzip magic bytes, no Content-Encoding.
		w.Header().Set("Content-Type", "application/x-gzip")
		_, _ = w.Write(gz)
	})
	mux.HandleFunc("/misnamed.xml", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(gz) // gzip data whatever the name says
	})
	mux.HandleFunc("/encoded.xml", func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			http.Error(w, "no gzip", http.StatusNotAcceptable)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(gz)
	})
	mux.HandleFunc("/bad.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(append([]byte{0x1f, 0x8b}, "not really gzip"...))
	})
	mux.HandleFunc("/cut.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(gz[:len(gz)-10])
	})
	mux.HandleFunc("/one-byte.xml", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte{0x1f})
	})
	mux.HandleFunc("/empty.xml", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/moved.xml", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/plain.xml", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/gone.xml", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusGone)
	})
	mux.HandleFunc("/error.xml", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "oops", http.StatusInternalServerError)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	header := func(*url.URL) http.Header { return http.Header{"User-Agent": {"hopaudit-test"}} }
	one := []string{"https://example.com/"}
	tests := []struct {
		path    string
		status  int
		locs    []string
		wantErr string // substring; "" = none
	}{
		{"/plain.xml", 200, one, ""},
		{"/file.xml.gz", 200, one, ""},
		{"/misnamed.xml", 200, one, ""},
		{"/encoded.xml", 200, one, ""},
		{"/moved.xml", 200, one, ""},
		{"/one-byte.xml", 200, nil, "XML syntax error"},
		{"/empty.xml", 200, nil, ""},
		{"/missing.xml", 404, nil, "status 404"},
		{"/gone.xml", 410, nil, "status 410"},
		{"/error.xml", 500, nil, "status 500"},
		{"/bad.xml.gz", 200, nil, "gzip: "},
		{"/cut.xml.gz", 200, one, "unexpected EOF"}, // what arrived before the cut counts
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			status, locs, _, err := fetchSitemap(context.Background(), srv.Client(), header, srv.URL+tc.path)
			if status != tc.status {
				t.Errorf("status = %d; want %d", status, tc.status)
			}
			if !reflect.DeepEqual(locs, tc.locs) {
				t.Errorf("locs = %q; want %q", locs, tc.locs)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("error %v; want none", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("error %v; want one containing %q", err, tc.wantErr)
			}
		})
	}
	if gotUA != "hopaudit-test" || gotMethod != http.MethodGet {
		t.Errorf("request: User-Agent %q, method %q; want hopaudit-test, GET", gotUA, gotMethod)
	}
}

func TestFetchSitemapCancelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("a request reached the server after the context was cancelled")
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	status, locs, _, err := fetchSitemap(ctx, srv.Client(), func(*url.URL) http.Header { return http.Header{} }, srv.URL+"/s.xml")
	if err == nil || status != 0 || locs != nil {
		t.Errorf("fetchSitemap with a cancelled context = %d, %q, %v; want 0, nil, an error", status, locs, err)
	}
}

func TestLimitedBody(t *testing.T) {
	for _, tc := range []struct {
		body    string
		n       int64
		wantErr bool
	}{
		{"12345", 5, false},
		{"12345", 6, false},
		{"123456", 5, true},
		{"", 0, false},
	} {
		got, err := io.ReadAll(&limitedBody{r: strings.NewReader(tc.body), n: tc.n})
		if (err != nil) != tc.wantErr || int64(len(got)) > tc.n {
			t.Errorf("%q with limit %d: %q, %v", tc.body, tc.n, got, err)
		}
	}
}

// TestParseSitemapLimits: a sitemap stops at 50,000 entries, and at a
// run of text longer than any sitemap token.
func TestParseSitemapLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("<urlset>")
	for i := range maxSitemapEntries + 5 {
		fmt.Fprintf(&b, "<url><loc>/p%d</loc></url>", i)
	}
	b.WriteString("</urlset>")
	locs, _, err := parseSitemap(strings.NewReader(b.String()))
	if len(locs) != maxSitemapEntries || err == nil || !strings.Contains(err.Error(), "more than 50000 entries") {
		t.Errorf("%d locs, error %v; want %d and an error", len(locs), err, maxSitemapEntries)
	}
	doc := "<urlset><url><loc>/a</loc></url><url><loc>" + strings.Repeat(" ", maxSitemapRun+1) + "/b</loc></url></urlset>"
	locs, _, err = parseSitemap(strings.NewReader(doc))
	if !reflect.DeepEqual(locs, []string{"/a"}) || err == nil || !strings.Contains(err.Error(), "more than 1 MiB of text or markup in one piece") {
		t.Errorf("long run: %q, %v", locs, err)
	}
}
