package rules

import (
	"context"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// BenchmarkAudit runs the whole catalogue over the graph of the issue's
// synthetic site (10,000 pages, about 34,000 URLs), crawled once:
//
//	go test ./rules -run '^$' -bench Audit
func BenchmarkAudit(b *testing.B) {
	site := crawlertest.DefaultSynthetic()
	srv := site.Start()
	defer srv.Close()
	g, err := crawler.Crawl(context.Background(), crawler.Config{
		Seeds: []string{srv.URL + "/p/0"}, Concurrency: 16, Timeout: 30 * time.Second,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var rep *audit.Report
	for b.Loop() {
		rep = (&audit.Engine{Rules: All()}).Run(g) // the graph keeps nothing from one run to the next
	}
	if len(rep.Errors) > 0 {
		b.Fatalf("rule failed: %+v", rep.Errors[0])
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(g.Responses)), "ns/url")
	b.ReportMetric(float64(len(rep.Findings)), "findings")
}
