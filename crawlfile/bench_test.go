package crawlfile

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
)

// syntheticRecords returns the records a crawl of
// crawlertest.DefaultSynthetic makes, in their shape: pages with about
// 43 references each, a 301 and a 302 URL per page, and a 3-hop chain
// every tenth page.
func syntheticRecords(pages int) []*crawler.Record {
	const site = "http://127.0.0.1:41234"
	page := func(n int) string { return fmt.Sprintf("%s/p/%d", site, n) }
	var recs []*crawler.Record
	redirect := func(u string, status int, to string) {
		recs = append(recs, &crawler.Record{Kind: crawler.RecordURL, URL: u, Response: &crawler.Response{
			URL: u, Status: status, Depth: 2, Bytes: 56, Elapsed: 812 * time.Microsecond, Internal: true, Attempts: 1,
			ContentType: "text/html; charset=utf-8",
			Redirect:    &crawler.Redirect{Locations: []string{to[len(site):]}, Location: to},
		}})
	}
	for n := range pages {
		u := page(n)
		r := &crawler.Record{Kind: crawler.RecordURL, URL: u, Response: &crawler.Response{
			URL: u, Status: 200, Depth: 1 + n%5, Bytes: 15000, Elapsed: time.Duration(1+n%7) * time.Millisecond,
			ContentType: "text/html; charset=utf-8", Canonical: u, Internal: true, Parsed: true, Attempts: 1,
		}}
		seen := map[string]bool{}
		add := func(kind crawler.RefKind, target, text string) {
			if seen[target+"\x00"+kind.String()] {
				return
			}
			seen[target+"\x00"+kind.String()] = true
			r.Refs = append(r.Refs, crawler.Reference{Kind: kind, Source: u, Target: target, Text: text})
		}
		add(crawler.RefCanonical, u, "")
		for i := range min(30, pages) {
			add(crawler.RefAnchor, page(i), fmt.Sprintf("Section %d", i))
		}
		for i := 1; i <= 10; i++ {
			add(crawler.RefAnchor, page((n*10+i)%pages), fmt.Sprintf("Article %d", i))
		}
		add(crawler.RefAnchor, fmt.Sprintf("%s/m/%d", site, n), "moved")
		add(crawler.RefAnchor, fmt.Sprintf("%s/t/%d", site, n), "temporary")
		if n%10 == 0 {
			add(crawler.RefAnchor, fmt.Sprintf("%s/c/%d/1", site, n), "chain")
		}
		recs = append(recs, r)
		redirect(fmt.Sprintf("%s/m/%d", site, n), 301, page((n+1)%pages))
		redirect(fmt.Sprintf("%s/t/%d", site, n), 302, page((n+2)%pages))
		if n%10 == 0 {
			for hop := 1; hop <= 3; hop++ {
				to := fmt.Sprintf("%s/c/%d/%d", site, n, hop+1)
				if hop == 3 {
					to = page((n + 3) % pages)
				}
				redirect(fmt.Sprintf("%s/c/%d/%d", site, n, hop), 301, to)
			}
		}
	}
	return recs
}

// BenchmarkWrite writes the records of a crawl of the default synthetic
// site (10,000 pages, about 33,000 URLs) to a new crawl file, as a crawl
// does, and reports the records written per second and the file's
// bytes per URL.
func BenchmarkWrite(b *testing.B) {
	recs := syntheticRecords(10000)
	refs := 0
	for _, r := range recs {
		refs += len(r.Refs)
	}
	b.ReportAllocs()
	var size int64
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		path := filepath.Join(b.TempDir(), fmt.Sprintf("crawl%d.db", i))
		f, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		c, _, err := f.Begin(`{"seeds":["http://127.0.0.1:41234/"]}`, false, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range recs {
			if err := c.Record(r); err != nil {
				b.Fatal(err)
			}
		}
		if err := c.Finish(crawler.Stats{}); err != nil {
			b.Fatal(err)
		}
		c.Close()
		f.Close()
		st, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		size = st.Size()
		if _, err := os.Stat(path + "-wal"); err == nil {
			b.Fatal("WAL left after Close")
		}
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(size)/float64(len(recs)), "bytes/URL")
	b.ReportMetric(float64(refs)/float64(len(recs)), "refs/URL")
}

// cpuTime returns the CPU time the process has used: the machine may be
// busy with others, whose share a benchmark's wall time would count.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// BenchmarkRecorded asks for the records of a finished crawl of the
// default synthetic site, as a resumed crawl asks for every task's.
func BenchmarkRecorded(b *testing.B) {
	recs := syntheticRecords(10000)
	f, err := Open(filepath.Join(b.TempDir(), "crawl.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	c, _, err := f.Begin(`{}`, false, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for _, r := range recs {
		if err := c.Record(r); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Flush(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := recs[i%len(recs)]
		if got, err := c.Recorded(r.Kind, r.URL); err != nil || got == nil {
			b.Fatal(got, err)
		}
		i++
	}
}

// BenchmarkRecords reads every record of a crawl of the default
// synthetic site, as an audit of the file does.
func BenchmarkRecords(b *testing.B) {
	recs := syntheticRecords(10000)
	f, err := Open(filepath.Join(b.TempDir(), "crawl.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	c, _, err := f.Begin(`{}`, false, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for _, r := range recs {
		if err := c.Record(r); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Flush(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, err := range c.Records() {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != len(recs) {
			b.Fatal(n)
		}
	}
}
