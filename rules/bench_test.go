package rules

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// BenchmarkAudit runs the whole catalogue over the graph of the issue's
// synthetic site (10,000 pages, about 34,000 URLs; HOPAUDIT_SYNTHETIC=
// pages=N for another size), crawled once: at GOGC 25, as hopaudit
// crawl runs the audit (see cmd/hopaudit's auditMemory), and at the
// garbage collector's default. It reports the collections per audit and
// their CPU seconds, which other work on the machine disturbs less than
// the time:
//
//	go test ./rules -run '^$' -bench Audit
func BenchmarkAudit(b *testing.B) {
	site := crawlertest.DefaultSynthetic()
	if v, ok := strings.CutPrefix(os.Getenv("HOPAUDIT_SYNTHETIC"), "pages="); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("HOPAUDIT_SYNTHETIC=%s: this benchmark takes pages=N only", os.Getenv("HOPAUDIT_SYNTHETIC"))
		}
		site.Pages = n
	}
	srv := site.Start()
	defer srv.Close()
	g, err := crawler.Crawl(context.Background(), crawler.Config{
		Seeds: []string{srv.URL + "/p/0"}, Concurrency: 16, Timeout: 30 * time.Second,
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, gogc := range []int{25, 100} {
		b.Run(fmt.Sprintf("gogc%d", gogc), func(b *testing.B) {
			defer debug.SetGCPercent(debug.SetGCPercent(gogc))
			b.ReportAllocs()
			gc := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/cpu/classes/gc/total:cpu-seconds"}}
			runtime.GC()
			metrics.Read(gc)
			cycles, gcCPU := gc[0].Value.Uint64(), gc[1].Value.Float64()
			var rep *audit.Report
			for b.Loop() {
				rep = (&audit.Engine{Rules: All()}).Run(g) // the graph keeps nothing from one run to the next
			}
			if len(rep.Errors) > 0 {
				b.Fatalf("rule failed: %+v", rep.Errors[0])
			}
			runtime.GC() // brings the CPU classes up to date; counted, as each run's garbage is
			metrics.Read(gc)
			b.ReportMetric(float64(gc[0].Value.Uint64()-cycles)/float64(b.N), "gc/op")
			b.ReportMetric((gc[1].Value.Float64()-gcCPU)/float64(b.N), "gc-cpu-s/op")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(g.Len()), "ns/url")
			b.ReportMetric(float64(len(rep.Findings)), "findings")
		})
	}
}
