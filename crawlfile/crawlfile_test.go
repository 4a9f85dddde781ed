package crawlfile

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// hostile are strings a website may send: NUL bytes, invalid UTF-8,
// SQL and JSON syntax, and a long value.
var hostile = []string{"a\x00b", "\xff\xfe\x00", "'); DROP TABLE urls; --", `["x",1]`, "\x00",
	strings.Repeat("long-\u00e9\x01", 40000), " ", "é"}

// everyRecord returns records of every kind with every field set, some
// of them to hostile strings.
func everyRecord() []*crawler.Record {
	full := &crawler.Response{
		URL: "https://a.example/full", ContentType: "text/html; charset=\x00utf-8", Error: hostile[1],
		ParseError: hostile[5], Canonical: "https://a.example/canonical\x00", Bytes: 1 << 40, Elapsed: 1234567891 * time.Nanosecond,
		Status: 599, Depth: 7, Truncated: true, Blocked: true, Refused: true, Internal: true, Parsed: true, Noindex: true, Attempts: 255,
		Redirect: &crawler.Redirect{Locations: []string{"/first", "", hostile[0], hostile[5]}, Location: "https://a.example/first", LocationErr: hostile[2],
			Header: &crawler.Headers{CacheControl: "max-age=0", Expires: "0", Date: "Sun", Vary: "*", RetryAfter: "1",
				Refresh: "0;url=/x", Link: "</c>; rel=canonical", XRobotsTag: "noindex", XRedirectBy: "WordPress"}},
		Refresh: &crawler.Refresh{Kind: crawler.HopMetaRefresh, Delay: 2.5, Raw: "2.5; url=/r", URL: "https://a.example/r"},
	}
	return []*crawler.Record{
		{Kind: crawler.RecordURL, URL: full.URL, Response: full, Refs: []crawler.Reference{
			{Kind: crawler.RefAnchor, Source: full.URL, Target: "https://a.example/b", Text: hostile[0]},
			{Kind: crawler.RefAnchor, Nofollow: true, Source: full.URL, Target: "https://a.example/b", Text: ""},
			{Kind: crawler.RefCanonical, Source: full.URL, Target: hostile[3]},
			{Kind: crawler.RefImage, Source: full.URL, Target: hostile[4], Text: hostile[5]},
			{Kind: crawler.RefVideo, Nofollow: true, Source: full.URL, Target: "https://a.example/v", Text: "poster"},
			{Kind: crawler.RefAnchor, Source: full.URL, Target: "https://a.example/b", Text: hostile[0]},
		}},
		// A plain page; a Location field on a 200 (Redirect without
		// Header); a 3xx without Location (Redirect all zero); an empty
		// Location field; an empty Headers; a refresh of kind 0 and
		// delay 0; a response whose URL is not the record's.
		{Kind: crawler.RecordURL, URL: "https://a.example/", Response: &crawler.Response{URL: "https://a.example/", Status: 200}},
		{Kind: crawler.RecordURL, URL: "https://a.example/l", Response: &crawler.Response{URL: "https://a.example/l", Status: 200,
			Redirect: &crawler.Redirect{Locations: []string{"x"}, LocationErr: "bad"}}},
		{Kind: crawler.RecordURL, URL: "https://a.example/3", Response: &crawler.Response{URL: "https://a.example/3", Status: 301,
			Redirect: &crawler.Redirect{}}},
		{Kind: crawler.RecordURL, URL: "https://a.example/e", Response: &crawler.Response{URL: "https://a.example/e", Status: 302,
			Redirect: &crawler.Redirect{Locations: []string{""}, Header: &crawler.Headers{}}}},
		{Kind: crawler.RecordURL, URL: "https://a.example/z", Response: &crawler.Response{URL: "https://a.example/z", Status: 200,
			Refresh: &crawler.Refresh{}}},
		{Kind: crawler.RecordURL, URL: "https://a.example/other", Response: &crawler.Response{URL: "https://a.example/Other", Status: -1, Depth: -3, Bytes: -1}},
		{Kind: crawler.RecordURL, URL: hostile[0], Response: &crawler.Response{URL: hostile[0], Error: "dial: refused", Refused: true}},
		{Kind: crawler.RecordSitemap, URL: "https://a.example/sitemap.xml", Sitemap: &crawler.Sitemap{URL: "https://a.example/sitemap.xml",
			From: crawler.SitemapRobots, Status: 200, Entries: 3, Index: true, Error: hostile[1]},
			Refs:     []crawler.Reference{{Kind: crawler.RefSitemap, Source: "https://a.example/sitemap.xml", Target: "https://a.example/"}},
			Sitemaps: []string{"https://a.example/s1.xml", hostile[0]}},
		// A sitemap that is also a page: two records of one URL.
		{Kind: crawler.RecordSitemap, URL: "https://a.example/", Sitemap: &crawler.Sitemap{URL: "https://a.example/x", From: crawler.SitemapGuessed}},
		{Kind: crawler.RecordSitemaps, URL: "https://a.example", Sitemaps: []string{"/sitemap.xml", hostile[1], ""}},
		{Kind: crawler.RecordSitemaps, URL: "https://b.example"},
	}
}

// begin opens a new file in a test directory and begins a crawl in it.
func begin(t *testing.T, settings string) (*File, *Crawl, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "crawl.db")
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	c, resumed, err := f.Begin(settings, false, time.Now())
	if err != nil || resumed {
		t.Fatalf("Begin = %v, %v", resumed, err)
	}
	t.Cleanup(func() { c.Close() })
	return f, c, path
}

func recordAll(t *testing.T, c *Crawl, recs []*crawler.Record) {
	t.Helper()
	for _, r := range recs {
		if err := c.Record(r); err != nil {
			t.Fatal(err)
		}
	}
}

// checkRecorded checks that crawl c gives back every record of recs,
// by Recorded and by Records.
func checkRecorded(t *testing.T, c *Crawl, recs []*crawler.Record) {
	t.Helper()
	want := make(map[key]*crawler.Record)
	for _, r := range recs {
		want[key{r.Kind, r.URL}] = r
		got, err := c.Recorded(r.Kind, r.URL)
		if err != nil {
			t.Fatal(err)
		}
		if got == r {
			t.Errorf("Recorded(%s, %.40q) returned the record given, not one read", r.Kind, r.URL)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("Recorded(%s, %.40q):\n got %+v\nwant %+v", r.Kind, r.URL, brief(got), brief(r))
		}
	}
	n := 0
	for got, err := range c.Records() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if r := want[key{got.Kind, got.URL}]; !reflect.DeepEqual(got, r) {
			t.Errorf("Records: %s %.40q:\n got %+v\nwant %+v", got.Kind, got.URL, brief(got), brief(r))
		}
	}
	if n != len(want) {
		t.Errorf("Records gave %d records, want %d", n, len(want))
	}
}

// brief shows a record for a failure message.
func brief(r *crawler.Record) string {
	if r == nil {
		return "<nil>"
	}
	s := strings.ReplaceAll(fmtRecord(r), hostile[5], "<long>")
	if len(s) > 3000 {
		s = s[:3000] + "..."
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	f, c, _ := begin(t, `{"seeds":["https://a.example/"]}`)
	recs := everyRecord()
	recordAll(t, c, recs)
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	checkRecorded(t, c, recs)
	if got, err := c.Recorded(crawler.RecordURL, "https://a.example/none"); got != nil || err != nil {
		t.Errorf("Recorded(none) = %v, %v", got, err)
	}
	if got, err := c.Recorded(crawler.RecordSitemaps, "https://a.example/"); got != nil || err != nil {
		t.Errorf("Recorded(sitemaps of a page) = %v, %v", got, err)
	}

	// Read by another File, as a resumed crawl or an audit would.
	if err := c.Finish(crawler.Stats{Fetched: 3}); err != nil {
		t.Fatal(err)
	}
	g, err := OpenExisting(f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	r, err := g.Crawl(c.ID())
	if err != nil {
		t.Fatal(err)
	}
	checkRecorded(t, r, recs)
	if err := r.Record(recs[0]); err == nil {
		t.Error("Record on a crawl opened for reading did not fail")
	}
}

// TestRecordReplaces checks that a second record of the same task
// replaces the first.
func TestRecordReplaces(t *testing.T) {
	_, c, _ := begin(t, `{}`)
	recs := everyRecord()
	recordAll(t, c, recs)
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	again := []*crawler.Record{
		{Kind: crawler.RecordURL, URL: recs[0].URL, Response: &crawler.Response{URL: recs[0].URL, Status: 404},
			Refs: []crawler.Reference{{Kind: crawler.RefForm, Source: recs[0].URL, Target: "https://a.example/form", Text: "post"}}},
		{Kind: crawler.RecordSitemap, URL: recs[8].URL, Sitemap: &crawler.Sitemap{URL: recs[8].URL}},
		{Kind: crawler.RecordSitemaps, URL: recs[10].URL, Sitemaps: []string{"/other.xml"}},
	}
	recordAll(t, c, again)
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	recs[0], recs[8], recs[10] = again[0], again[1], again[2]
	checkRecorded(t, c, recs)
}

// TestRecordedPending checks that Recorded sees a record given to Record
// before it is written.
func TestRecordedPending(t *testing.T) {
	_, c, _ := begin(t, `{}`)
	rec := everyRecord()[1]
	c.mu.Lock() // the writer cannot take the record
	c.queue = append(c.queue, rec)
	c.pending[key{rec.Kind, rec.URL}] = rec
	c.mu.Unlock()
	if got, err := c.Recorded(rec.Kind, rec.URL); got != rec || err != nil {
		t.Errorf("Recorded = %v, %v; want the record queued", got, err)
	}
}

func TestRecordRefuses(t *testing.T) {
	_, c, _ := begin(t, `{}`)
	for _, rec := range []*crawler.Record{
		{Kind: crawler.RecordURL, URL: "https://a.example/"},
		{Kind: crawler.RecordURL, URL: "https://a.example/", Response: &crawler.Response{Referrers: crawler.Referrers{Links: 1}}},
		{Kind: crawler.RecordURL, URL: "https://a.example/", Response: &crawler.Response{}, Refs: []crawler.Reference{{Source: "https://b.example/"}}},
		{Kind: crawler.RecordSitemap, URL: "https://a.example/"},
		{Kind: crawler.RecordSitemaps, URL: "https://a.example", Response: &crawler.Response{}},
		{Kind: 9, URL: "https://a.example/"},
	} {
		if err := c.Record(rec); err == nil {
			t.Errorf("Record(%+v) did not fail", rec)
		}
	}
}

func TestFindings(t *testing.T) {
	_, c, _ := begin(t, `{}`)
	findings := []audit.Finding{
		{Rule: "redirect-chain", URL: "https://a.example/a", Source: "https://a.example/", Target: "https://a.example/c",
			Message: "2 hops; link to /c", Status: 301, Hops: 2, Severity: audit.Warning, Fix: audit.Fix{Status: 301, Target: "https://a.example/c"}},
		{Rule: "broken-link", URL: hostile[0], Message: hostile[5], Status: 404, Severity: audit.Error},
	}
	for range 2 { // replaced, not appended
		if err := c.PutFindings(findings); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.Findings()
	if err != nil || !reflect.DeepEqual(got, findings) {
		t.Errorf("Findings = %+v, %v\nwant %+v", got, err, findings)
	}
	if err := c.PutFindings(nil); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Findings(); len(got) != 0 || err != nil {
		t.Errorf("Findings after PutFindings(nil) = %v, %v", got, err)
	}
}

// fmtRecord shows a record with what its pointers point at.
func fmtRecord(r *crawler.Record) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{%s %.60q", r.Kind, r.URL)
	if r.Response != nil {
		x := *r.Response
		fmt.Fprintf(&b, " resp=%+v", x)
		if x.Redirect != nil {
			fmt.Fprintf(&b, " redirect=%+v", *x.Redirect)
			if x.Redirect.Header != nil {
				fmt.Fprintf(&b, " header=%+v", *x.Redirect.Header)
			}
		}
		if x.Refresh != nil {
			fmt.Fprintf(&b, " refresh=%+v", *x.Refresh)
		}
	}
	if r.Sitemap != nil {
		fmt.Fprintf(&b, " sitemap=%+v", *r.Sitemap)
	}
	fmt.Fprintf(&b, " refs=%+v sitemaps=%q}", r.Refs, r.Sitemaps)
	return b.String()
}

// TestConcurrent records and asks from several goroutines at once, as
// a crawl does.
func TestConcurrent(t *testing.T) {
	_, c, _ := begin(t, `{}`)
	c.mu.Lock()
	c.batch = 7 // many batches, and Record waits for the writer
	c.mu.Unlock()
	recs := syntheticRecords(60)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(recs); i += 4 {
				if err := c.Record(recs[i]); err != nil {
					t.Error(err)
					return
				}
				// A record asked for at once is there, written or not.
				for _, j := range []int{i, i / 2} {
					got, err := c.Recorded(recs[j].Kind, recs[j].URL)
					if err != nil {
						t.Error(err)
						return
					}
					if j == i && !reflect.DeepEqual(got, recs[i]) {
						t.Errorf("Recorded(%s) = %s", recs[i].URL, brief(got))
					}
				}
			}
		})
	}
	wg.Wait()
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	checkRecorded(t, c, recs)
}

func TestDecodeRefusesBadText(t *testing.T) {
	n := newNames()
	n.urls[1], n.urls[2] = "u1", "u2"
	n.texts[3] = "t3"
	if got, err := n.decode([]byte("[[1,2],[2,1,3],[2,1,0,1]]"), "s"); err != nil || len(got) != 3 || got[1].Text != "t3" || !got[2].Nofollow {
		t.Errorf("decode = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "[", "[]", "[[1]]", "[[1,2],]", "[[1,2]x]", "[[1,2]", "[[1,2],[9,1]]", "[[1,2,8]]", "[[1,2][1,2]]", "[[1,-2]]"} {
		if got, err := n.decode([]byte(bad), "s"); err == nil {
			t.Errorf("decode(%q) = %+v, want an error", bad, got)
		}
	}
}
