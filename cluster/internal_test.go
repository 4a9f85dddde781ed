package cluster

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/cluster/redistest"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
	"github.com/redis/go-redis/v9"
)

// TestReleaseAfterReap: a worker taken for dead with a request in
// flight goes on under a new id; that request's end must not take a
// slot of the new id's, or the host would stay full for ever under
// --host-concurrency.
func TestReleaseAfterReap(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	c, _, err := Create(ctx, rdb, "leak", Spec{Settings: "{}", HostConcurrency: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	acquire := func(w string) int64 {
		v, err := c.run(ctx, acquireScript, w, "h", 0, 1).Int64()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.run(ctx, heartbeatScript, "w1", 1, 1, 0).Err()) // a lease of 1 ms
	if acquire("w1") < 0 {
		t.Fatal("the first request may not start")
	}
	must(c.run(ctx, heartbeatScript, "x", 60000, 1, 0).Err())
	must(c.run(ctx, leaseScript, "x", 1, maxStream).Err()) // w1 is taken for dead
	must(c.run(ctx, heartbeatScript, "w2", 60000, 1, 0).Err())
	must(c.run(ctx, releaseScript, "w2", "h").Err()) // w1's request ends, under its new id
	for i := range 3 {
		if acquire("w2") < 0 {
			t.Fatalf("request %d may not start, with nothing in flight", i+2)
		}
		must(c.run(ctx, releaseScript, "w2", "h").Err())
	}
}

// TestGone: once a crawl is removed (over, or dropped by another
// coordinator), its workers stop at once and write nothing back.
func TestGone(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	c, _, err := Create(ctx, rdb, "gone", Spec{Settings: "{}"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Remove(ctx); err != nil {
		t.Fatal(err)
	}
	w := &worker{c: c, lease: DefaultLease}
	id := "w"
	w.id.Store(&id)
	if err := w.heartbeat(ctx, true); err != errGone {
		t.Errorf("heartbeat of a crawl removed: %v, want errGone", err)
	}
	if _, _, err := w.next(ctx); err != errGone {
		t.Errorf("lease of a crawl removed: %v, want errGone", err)
	}
	if keys := rdb.Keys(ctx, "*").Val(); len(keys) > 0 {
		t.Errorf("keys written after the crawl was removed: %q", keys)
	}
}

// TestOrphan: a crawl whose records no coordinator collects for
// orphanAfter stops, and its workers end.
func TestOrphan(t *testing.T) {
	defer func(d time.Duration) { orphanAfter = d }(orphanAfter)
	orphanAfter = 0 // abandoned at the second look
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	c, _, err := Create(ctx, rdb, "orphan", Spec{Settings: "{}"}, []crawler.Task{{URL: "http://127.0.0.1:1/"}})
	if err != nil {
		t.Fatal(err)
	}
	w := &worker{c: c, lease: DefaultLease}
	id := "w"
	w.id.Store(&id)
	if err := w.heartbeat(ctx, true); err != nil {
		t.Fatal(err)
	}
	status := ""
	for range 3 {
		if _, status, err = w.next(ctx); err != nil {
			t.Fatal(err)
		}
		if status == "end" {
			break
		}
		if _, err := c.run(ctx, givebackScript, "w", "1").Result(); err != nil {
			t.Fatal(err)
		}
	}
	stopped := rdb.HGet(ctx, c.key("meta"), "stopped").Val()
	if status != "end" || !strings.Contains(stopped, "no coordinator") {
		t.Errorf("a crawl without a coordinator: lease says %q, stopped %q", status, stopped)
	}
	if ttl := rdb.TTL(ctx, c.key("meta")).Val(); ttl <= 0 {
		t.Errorf("its keys do not expire (TTL %v)", ttl)
	}
}

// TestReapIdleWorker: a worker taken for dead with no request in flight
// (its busy hash says 0 for a host, as earlier versions left it, or
// says nothing) loses its leases to the next worker that leases, and
// that lease succeeds: a count of 0 once failed the lease script for
// every worker, and the whole crawl waited for ever.
func TestReapIdleWorker(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	for _, left := range []string{"released", "zero"} {
		t.Run(left, func(t *testing.T) {
			c, _, err := Create(ctx, rdb, "idle-"+left, Spec{Settings: "{}"}, []crawler.Task{{URL: "http://h/"}})
			if err != nil {
				t.Fatal(err)
			}
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(c.run(ctx, heartbeatScript, "w1", 60000, 1, 0).Err())
			res, err := c.run(ctx, leaseScript, "w1", 1, maxStream).StringSlice()
			if err != nil || res[0] != "tasks" {
				t.Fatalf("w1's lease: %q, %v", res, err)
			}
			if _, err := c.run(ctx, acquireScript, "w1", "h", 0, 0).Int64(); err != nil {
				t.Fatal(err)
			}
			must(c.run(ctx, releaseScript, "w1", "h").Err())
			if n := rdb.HLen(ctx, c.key("busy:w1")).Val(); n != 0 {
				t.Errorf("w1's busy hash holds %d hosts with no request in flight", n)
			}
			if left == "zero" {
				must(rdb.HSet(ctx, c.key("busy:w1"), "h", 0).Err())
			}
			// w1 dies: its heartbeat expired, and the next lease looks.
			must(rdb.ZAdd(ctx, c.key("workers"), redis.Z{Score: 0, Member: "w1"}).Err())
			must(rdb.HSet(ctx, c.key("meta"), "reapat", 0).Err())

			must(c.run(ctx, heartbeatScript, "w2", 60000, 1, 0).Err())
			res, err = c.run(ctx, leaseScript, "w2", 1, maxStream).StringSlice()
			if err != nil {
				t.Fatalf("the lease after w1 died: %v", err)
			}
			if len(res) < 3 || res[0] != "tasks" || !strings.HasSuffix(res[2], "|http://h/") {
				t.Errorf("the lease after w1 died: %q, want w1's task", res)
			}
			if n := rdb.HGet(ctx, c.key("meta"), "reclaimed").Val(); n != "1" {
				t.Errorf("reclaimed %s leases, want 1", n)
			}
			if n, _ := rdb.HGet(ctx, c.key("host:h"), "n").Int(); n != 0 {
				t.Errorf("host h has %d requests in flight, want 0", n)
			}
		})
	}
}

// TestPolitenessFails: a worker whose pacing fails for a lease's time
// (here its script, on a host's count that is no number) ends with that
// error and gives its task back. It once ended in silence, and a
// coordinator whose workers had all ended so waited for ever.
func TestPolitenessFails(t *testing.T) {
	t.Setenv("HOPAUDIT_LEASE", "200ms")
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	site := crawlertest.Tangled(t, 3)
	cfg := crawler.Config{Seeds: []string{site.URL + "/p/0"}, Concurrency: 1, Timeout: crawlertest.Timeout, AllowPrivate: true, IgnoreRobots: true, NoSitemaps: true}
	f, err := crawler.NewFetcher(ctx, cfg, crawler.NewPoliteness(cfg), nil)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := Create(ctx, rdb, "pacing", Spec{Settings: "{}"}, f.Start())
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(site.URL, "http://")
	if err := rdb.HSet(ctx, c.key("host:"+host), "n", "many").Err(); err != nil {
		t.Fatal(err)
	}
	err = c.Work(ctx, cfg)
	if err == nil || !strings.Contains(err.Error(), "not an integer") {
		t.Errorf("Work, its pacing failing: %v; want the script's error", err)
	}
	if n := rdb.LLen(ctx, c.key("retry")).Val(); n != 1 {
		t.Errorf("%d tasks given back, want the one leased", n)
	}
}
