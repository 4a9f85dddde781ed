package crawler_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// The crawl benchmarks run against crawlertest.Synthetic on loopback.
// Figures for the README: go test ./crawler -run '^$' -bench . -benchtime 3x

func benchConfig(srv string) crawler.Config {
	return crawler.Config{
		Seeds:        []string{srv + "/p/0"},
		Concurrency:  16,
		Timeout:      30 * time.Second,
		Retries:      3, // as the command's defaults: they cost nothing on a healthy site
		RetryBackoff: time.Second,
		MaxRetryWait: time.Minute,
		MaxBody:      5 << 20,
		UserAgent:    "hopaudit-bench",
	}
}

// BenchmarkCrawl crawls the 10,000-page site (about 34,000 URLs)
// and reports URLs per second and the memory kept per URL.
func BenchmarkCrawl(b *testing.B) {
	site := crawlertest.DefaultSynthetic()
	srv := site.Start()
	defer srv.Close()
	var urls int
	var kept uint64
	b.ReportAllocs()
	for b.Loop() {
		g, err := crawler.Crawl(context.Background(), benchConfig(srv.URL))
		if err != nil {
			b.Fatal(err)
		}
		urls = g.Len()
		b.StopTimer()
		kept = retained(g)
		b.StartTimer()
	}
	if urls != site.URLs() {
		b.Fatalf("crawled %d URLs, the site has %d", urls, site.URLs())
	}
	b.ReportMetric(float64(urls)*float64(b.N)/b.Elapsed().Seconds(), "urls/s")
	b.ReportMetric(float64(kept)/float64(urls), "kept-B/url")
}

// BenchmarkCrawlVsReference crawls the same site with hopaudit and with a
// lean reference crawler, alternately in every iteration, and reports the
// ratio of their wall times (the target: at most 2).
func BenchmarkCrawlVsReference(b *testing.B) {
	site := crawlertest.DefaultSynthetic()
	srv := site.Start()
	defer srv.Close()
	var ours, ref time.Duration
	for b.Loop() {
		start := time.Now()
		n := crawlertest.ReferenceCrawl(srv.URL+"/p/0", 16)
		ref += time.Since(start)
		if n != site.URLs() {
			b.Fatalf("reference crawled %d URLs, the site has %d", n, site.URLs())
		}
		start = time.Now()
		g, err := crawler.Crawl(context.Background(), benchConfig(srv.URL))
		if err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		if g.Len() != site.URLs() {
			b.Fatalf("hopaudit crawled %d URLs, the site has %d", g.Len(), site.URLs())
		}
	}
	b.ReportMetric(ref.Seconds()/float64(b.N), "ref-s/op")
	b.ReportMetric(ours.Seconds()/float64(b.N), "hopaudit-s/op")
	b.ReportMetric(ours.Seconds()/ref.Seconds(), "ratio")
}

// BenchmarkCrawlLatency adds 20 ms to every response: with concurrency 16
// the ceiling is 800 responses a second (the target: 90% of it).
func BenchmarkCrawlLatency(b *testing.B) {
	site := &crawlertest.Synthetic{Pages: 2000, PageBytes: 15000, Nav: 30, Content: 10, ChainEvery: 10, ChainHops: 3, Latency: 20 * time.Millisecond}
	srv := site.Start()
	defer srv.Close()
	for b.Loop() {
		before := site.Requests()
		start := time.Now()
		if _, err := crawler.Crawl(context.Background(), benchConfig(srv.URL)); err != nil {
			b.Fatal(err)
		}
		rate := float64(site.Requests()-before) / time.Since(start).Seconds()
		b.ReportMetric(rate, "responses/s")
		b.ReportMetric(rate/(16/0.020)*100, "%-of-ceiling")
	}
}

// retained is the live heap while the graph is still in use.
func retained(g *crawler.Graph) uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	runtime.KeepAlive(g)
	return m.HeapAlloc
}
