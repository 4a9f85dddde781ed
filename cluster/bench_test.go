package cluster_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/cluster"
	"github.com/hopaudit/hopaudit/cluster/redistest"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// The benchmarks crawl the synthetic site of the performance issue
// (crawlertest.Synthetic) with worker processes (the test binary, see
// TestMain) sharing a crawl in a real redis-server:
//
//	go test ./cluster -run '^$' -bench . -benchtime 1x

// sharedRun crawls site with processes worker processes of the given
// concurrency and collects the records; it returns how long the crawl
// took, the end, and the records. sample, if not nil, is called every
// 50 ms while the crawl runs, and once more (over) when it is over,
// before its keys are removed.
func sharedRun(b *testing.B, srv *redistest.Server, seed string, processes, concurrency int, sample func(over bool)) (time.Duration, cluster.End, int) {
	b.Helper()
	ctx := context.Background()
	cfg := killConfig(seed)
	id := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	start := time.Now()
	c := create(b, srv, id, cfg)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var cpu time.Duration
	for range processes {
		w := startWorker(b, srv, seed, concurrency)
		wg.Go(func() {
			if err := w.Wait(); err != nil {
				b.Errorf("worker: %v", err)
			}
			mu.Lock()
			cpu += w.ProcessState.UserTime() + w.ProcessState.SystemTime()
			mu.Unlock()
		})
	}
	stop := make(chan struct{})
	if sample != nil {
		go func() {
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					sample(false)
				}
			}
		}()
	}
	n := 0
	end, err := c.Collect(ctx, func(*crawler.Record) error { n++; return nil }, func() error { return nil }, nil)
	if err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	close(stop)
	wg.Wait()
	if sample != nil {
		sample(true)
	}
	rdb, err := cluster.Dial(ctx, srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer rdb.Close()
	if err := cluster.Remove(ctx, rdb, id); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), fmt.Sprintf("worker-CPU-µs/URL-%dproc", processes))
	return took, end, n
}

// BenchmarkThroughput: the target, 3 worker processes at
// concurrency 8 against a site that answers in 50 ms reach at least 2.5
// times the URLs per second of one. It reports both rates, their ratio
// and the Redis round trips per URL.
func BenchmarkThroughput(b *testing.B) {
	srv := redistest.Start(b)
	site := crawlertest.DefaultSynthetic()
	site.Pages, site.PageBytes, site.Latency = 2000, 5000, 50*time.Millisecond
	web := site.Start()
	defer web.Close()
	var one, three float64
	for b.Loop() {
		for _, procs := range []int{1, 3} {
			took, end, n := sharedRun(b, srv, web.URL+"/p/0", procs, 8, nil)
			rate := float64(n) / took.Seconds()
			if procs == 1 {
				one = rate
			} else {
				three = rate
			}
			b.ReportMetric(float64(end.RoundTrips)/float64(n), fmt.Sprintf("trips/URL-%dproc", procs))
		}
	}
	b.ReportMetric(one, "URLs/s-1proc")
	b.ReportMetric(three, "URLs/s-3proc")
	b.ReportMetric(three/one, "speedup")
}

// BenchmarkRedisMemory measures Redis's memory per URL of a crawl of
// the synthetic site (HOPAUDIT_SYNTHETIC is not read: 30,000 pages,
// about 100,000 URLs): used_memory at its highest during the crawl, and
// once the crawl is over (the seen set and the crawl's counters), less
// what it was before.
func BenchmarkRedisMemory(b *testing.B) {
	srv := redistest.Start(b)
	rdb := srv.Client(b)
	site := crawlertest.DefaultSynthetic()
	site.Pages, site.PageBytes = 30000, 3000
	web := site.Start()
	defer web.Close()
	for b.Loop() {
		base := srv.UsedMemory(b, rdb)
		var mu sync.Mutex
		peak, final := base, base
		_, _, n := sharedRun(b, srv, web.URL+"/p/0", 3, 8, func(over bool) {
			m := srv.UsedMemory(b, rdb)
			mu.Lock()
			peak = max(peak, m)
			if over {
				final = m
			}
			mu.Unlock()
		})
		b.ReportMetric(float64(peak-base)/float64(n), "peak-B/URL")
		b.ReportMetric(float64(final-base)/float64(n), "end-B/URL")
		b.ReportMetric(float64(n), "URLs")
	}
}
