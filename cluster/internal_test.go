package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/cluster/redistest"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
	"github.com/redis/go-redis/v9"
)

// testCrawl creates the crawl id of spec, its start tasks start, in rdb.
func testCrawl(t *testing.T, rdb *redis.Client, id string, spec Spec, start ...crawler.Task) *Crawl {
	t.Helper()
	c, _, err := Create(context.Background(), rdb, id, spec, start)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testWorker returns a worker of crawl c under id, not yet registered.
func testWorker(c *Crawl, id string) *worker {
	w := &worker{c: c, lease: DefaultLease}
	w.id.Store(&id)
	return w
}

// must fails t at once on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestReleaseAfterReap: a worker taken for dead with a request in
// flight goes on under a new id; that request's end must not take a
// slot of the new id's, or the host would stay full for ever under
// --host-concurrency.
func TestReleaseAfterReap(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	c := testCrawl(t, rdb, "leak", Spec{Settings: "{}", HostConcurrency: 1})
	requests := 0
	acquire := func(w string) (int64, string) {
		requests++
		rid := strconv.Itoa(requests)
		v, err := c.run(ctx, acquireScript, w, "h", 0, 1, rid).Int64()
		if err != nil {
			t.Fatal(err)
		}
		return v, rid
	}
	must(t, c.run(ctx, heartbeatScript, "w1", 1, 1, 0).Err()) // a lease of 1 ms
	wait, first := acquire("w1")
	if wait < 0 {
		t.Fatal("the first request may not start")
	}
	must(t, c.run(ctx, heartbeatScript, "x", 60000, 1, 0).Err())
	must(t, c.run(ctx, leaseScript, "x", "1", maxStream).Err()) // w1 is taken for dead
	must(t, c.run(ctx, heartbeatScript, "w2", 60000, 1, 0).Err())
	must(t, c.run(ctx, releaseScript, "w2", first).Err()) // w1's request ends, under its new id
	for i := range 3 {
		wait, rid := acquire("w2")
		if wait < 0 {
			t.Fatalf("request %d may not start, with nothing in flight", i+2)
		}
		must(t, c.run(ctx, releaseScript, "w2", rid).Err())
		must(t, c.run(ctx, releaseScript, "w2", rid).Err()) // sent again: changes nothing
	}
	if n, _ := rdb.HGet(ctx, c.key("host:h"), "n").Int(); n != 0 {
		t.Errorf("host h has %d requests in flight, want 0", n)
	}
}

// TestGone: once a crawl is removed (over, or dropped by another
// coordinator), its workers stop at once and write nothing back.
func TestGone(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	c := testCrawl(t, rdb, "gone", Spec{Settings: "{}"})
	must(t, Remove(ctx, rdb, "gone"))
	w := testWorker(c, "w")
	if err := w.heartbeat(ctx, true); err != errGone {
		t.Errorf("heartbeat of a crawl removed: %v, want errGone", err)
	}
	if _, _, err := w.next(ctx, "1"); err != errGone {
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
	c := testCrawl(t, rdb, "orphan", Spec{Settings: "{}"}, crawler.Task{URL: "http://127.0.0.1:1/"})
	w := testWorker(c, "w")
	must(t, w.heartbeat(ctx, true))
	status := ""
	for range 3 {
		var task leased
		var err error
		if task, status, err = w.next(ctx, w.requestID()); err != nil {
			t.Fatal(err)
		}
		if status == "end" {
			break
		}
		if _, err := c.run(ctx, givebackScript, "w", task.token).Result(); err != nil {
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

// TestReapWorker: a worker taken for dead loses its leases to the next
// worker that leases, and its requests in flight their slots; that lease
// succeeds whatever the worker's busy hash holds: nothing (its requests
// ended), a request, or a value that is none (an earlier version's count
// of 0 for a host once failed the lease script for every worker, and the
// whole crawl waited for ever).
func TestReapWorker(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	for _, left := range []string{"released", "inflight", "zero"} {
		t.Run(left, func(t *testing.T) {
			c := testCrawl(t, rdb, "idle-"+left, Spec{Settings: "{}"}, crawler.Task{URL: "http://h/"})
			must(t, c.run(ctx, heartbeatScript, "w1", 60000, 1, 0).Err())
			res, err := c.run(ctx, leaseScript, "w1", "1", maxStream).StringSlice()
			if err != nil || res[0] != "tasks" {
				t.Fatalf("w1's lease: %q, %v", res, err)
			}
			if _, err := c.run(ctx, acquireScript, "w1", "h", 0, 0, "2").Int64(); err != nil {
				t.Fatal(err)
			}
			if left != "inflight" {
				must(t, c.run(ctx, releaseScript, "w1", "2").Err())
				if n := rdb.HLen(ctx, c.key("busy:w1")).Val(); n != 0 {
					t.Errorf("w1's busy hash holds %d requests, none in flight", n)
				}
			}
			if left == "zero" {
				must(t, rdb.HSet(ctx, c.key("busy:w1"), "h", 0).Err())
			}
			// w1 dies: its heartbeat expired, and the next lease looks.
			must(t, rdb.ZAdd(ctx, c.key("workers"), redis.Z{Score: 0, Member: "w1"}).Err())
			must(t, rdb.HSet(ctx, c.key("meta"), "reapat", 0).Err())

			must(t, c.run(ctx, heartbeatScript, "w2", 60000, 1, 0).Err())
			res, err = c.run(ctx, leaseScript, "w2", "1", maxStream).StringSlice()
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
	c := testCrawl(t, rdb, "pacing", Spec{Settings: "{}"}, f.Start()...)
	host := strings.TrimPrefix(site.URL, "http://")
	must(t, rdb.HSet(ctx, c.key("host:"+host), "n", "many").Err())
	err = c.Work(ctx, cfg)
	if err == nil || !strings.Contains(err.Error(), "not an integer") {
		t.Errorf("Work, its pacing failing: %v; want the script's error", err)
	}
	if n := rdb.LLen(ctx, c.key("retry")).Val(); n != 1 {
		t.Errorf("%d tasks given back, want the one leased", n)
	}
}

// TestLeaseAgain: a lease sent again with the same request id (its
// reply was lost, and the client sent it again) gets the task the first
// one leased, once; another request gets another task.
func TestLeaseAgain(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	c := testCrawl(t, rdb, "again", Spec{Settings: "{}"}, crawler.Task{URL: "http://h/a"}, crawler.Task{URL: "http://h/b"})
	must(t, c.run(ctx, heartbeatScript, "w", 60000, 1, 0).Err())
	lease := func(rid string) []string {
		t.Helper()
		res, err := c.run(ctx, leaseScript, "w", rid, maxStream).StringSlice()
		if err != nil || len(res) != 3 || res[0] != "tasks" || res[1] != rid {
			t.Fatalf("lease %s: %q, %v", rid, res, err)
		}
		return res
	}
	first, again := lease("1"), lease("1")
	if first[2] != again[2] {
		t.Errorf("the same lease again: %q, then %q", first[2], again[2])
	}
	if n := rdb.HLen(ctx, c.key("lease:w")).Val(); n != 1 {
		t.Errorf("the worker holds %d leases, want 1", n)
	}
	if n := rdb.HGet(ctx, c.key("meta"), "leased").Val(); n != "1" {
		t.Errorf("%s leases counted, want 1", n)
	}
	if other := lease("2"); other[2] == first[2] {
		t.Errorf("another request leased the same task %q", other[2])
	}
}

// TestTrimInSlices: the entry URLs of a level that --max-pages can never
// reach are dropped a slice at a time, leasing nothing meanwhile, and
// those it can reach are leased after.
func TestTrimInSlices(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	const limit, links = 5, 25_000
	c := testCrawl(t, rdb, "trim", Spec{Settings: "{}", MaxPages: limit}, crawler.Task{URL: "http://h/"})
	must(t, c.run(ctx, heartbeatScript, "w", 60000, 1, 0).Err())
	res, err := c.run(ctx, leaseScript, "w", "start", maxStream).StringSlice()
	if err != nil || res[0] != "tasks" {
		t.Fatalf("the start URL's lease: %q, %v", res, err)
	}
	next := make([]crawler.Task, links)
	for i := range next {
		next[i] = crawler.Task{URL: fmt.Sprintf("http://h/%d", i), Depth: 1, Found: uint64(i)}
	}
	must(t, c.run(ctx, commitScript, taskArgs([]any{"w", "start", ""}, next)...).Err())
	waits := 0
	for {
		before := rdb.ZCard(ctx, c.key("lvl:1")).Val()
		res, err = c.run(ctx, leaseScript, "w", strconv.Itoa(waits), maxStream).StringSlice()
		if err != nil {
			t.Fatal(err)
		}
		if dropped := before - rdb.ZCard(ctx, c.key("lvl:1")).Val(); dropped > 10_000 {
			t.Fatalf("one lease dropped %d URLs", dropped)
		}
		if res[0] == "tasks" {
			break
		}
		if res[0] != "wait" || waits > links/10_000+1 {
			t.Fatalf("lease %d: %q", waits, res)
		}
		waits++
	}
	// The start URL was one of the limit; the entry URLs found first are
	// kept, and the first of them leased.
	if !strings.HasSuffix(res[2], "|http://h/0") {
		t.Errorf("leased %q, want http://h/0", res[2])
	}
	var left []string
	for _, m := range rdb.ZRange(ctx, c.key("lvl:1"), 0, -1).Val() {
		left = append(left, m[4:]) // after the place
	}
	if want := []string{"http://h/1", "http://h/2", "http://h/3"}; !slices.Equal(left, want) {
		t.Errorf("entry URLs left %q, want %q", left, want)
	}
	// The dropped ones are forgotten: the seen set holds the start URL
	// and the four kept.
	seen := int64(0)
	for _, k := range rdb.Keys(ctx, c.key("seen:*")).Val() {
		seen += rdb.HLen(ctx, k).Val()
	}
	if seen != 5 {
		t.Errorf("the seen set holds %d URLs, want 5", seen)
	}
	if rdb.HGet(ctx, c.key("meta"), "maxreached").Val() != "1" {
		t.Error("--max-pages is not said to be reached")
	}
	if waits != 3 { // the new level, then two full slices
		t.Errorf("%d leases waited, want 3", waits)
	}
}

// TestAcquireAgain: a request's slot asked for again with the same id
// (its reply was lost) is the one slot; a worker taken for dead takes
// none, and is told to register again.
func TestAcquireAgain(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	c := testCrawl(t, rdb, "acquire", Spec{Settings: "{}"})
	must(t, c.run(ctx, heartbeatScript, "w", 60000, 1, 0).Err())
	for range 2 {
		if wait, err := c.run(ctx, acquireScript, "w", "h", 0, 1, "r1").Int64(); err != nil || wait != 0 {
			t.Fatalf("acquire r1: %d, %v; want 0", wait, err)
		}
	}
	if n, _ := rdb.HGet(ctx, c.key("host:h"), "n").Int(); n != 1 {
		t.Errorf("host h has %d requests in flight, want 1", n)
	}
	if wait, err := c.run(ctx, acquireScript, "w", "h", 0, 1, "r2").Int64(); err != nil || wait != -1 {
		t.Errorf("another request under --host-concurrency 1: %d, %v; want -1", wait, err)
	}
	if wait, err := c.run(ctx, acquireScript, "ghost", "h2", 0, 0, "r1").Int64(); err != nil || wait != lostWorker {
		t.Errorf("acquire of a worker taken for dead: %d, %v; want %d", wait, err, lostWorker)
	}
	if n := rdb.Exists(ctx, c.key("host:h2"), c.key("busy:ghost")).Val(); n != 0 {
		t.Errorf("a worker taken for dead took a slot (%d keys)", n)
	}
}

// TestRegisterOnce: the fetchers of a worker taken for dead that learn
// it together register it again once, under one new id.
func TestRegisterOnce(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	c := testCrawl(t, rdb, "register", Spec{Settings: "{}"})
	w := testWorker(c, "w")
	must(t, w.heartbeat(ctx, true))
	if err := rdb.ZRem(ctx, c.key("workers"), "w").Err(); err != nil { // reaped
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := w.heartbeat(ctx, false); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ids := rdb.ZRange(ctx, c.key("workers"), 0, -1).Val(); len(ids) != 1 || ids[0] != *w.id.Load() {
		t.Errorf("registered %q; want the worker's one new id %q", ids, *w.id.Load())
	}
}

// TestCreateOverLeftovers: a crawl created under the id of one that
// ended, whose workers' last calls left keys behind after the others
// expired, leases its own tasks, not those.
func TestCreateOverLeftovers(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	old := testCrawl(t, rdb, "again", Spec{Settings: "{}"}, crawler.Task{URL: "http://old/"})
	must(t, old.run(ctx, heartbeatScript, "w", 60000, 1, 0).Err())
	must(t, old.run(ctx, leaseScript, "w", "1", maxStream).Err())
	must(t, old.run(ctx, acquireScript, "w", "old", 0, 0, "2").Err())
	must(t, old.Stop(ctx, "over"))
	must(t, old.run(ctx, givebackScript, "w", "1").Err()) // a worker's last call
	if rdb.Exists(ctx, old.key("retry")).Val() != 0 {
		t.Error("a task given back after the crawl stopped is queued again")
	}
	// What a stop's time to live leaves: the keys it did not know. (Or
	// a removal cut short: the settings outlive the meta hash.)
	must(t, rdb.Del(ctx, old.key("meta")).Err())
	must(t, rdb.RPush(ctx, old.key("retry"), "0|0|0|0|0|0|http://old/").Err())

	c, created, err := Create(ctx, rdb, "again", Spec{Settings: "{}"}, []crawler.Task{{URL: "http://new/"}})
	if err != nil || !created {
		t.Fatalf("Create: %v, %v", created, err)
	}
	must(t, c.run(ctx, heartbeatScript, "w", 60000, 1, 0).Err())
	res, err := c.run(ctx, leaseScript, "w", "1", maxStream).StringSlice()
	if err != nil || len(res) != 3 || !strings.HasSuffix(res[2], "|http://new/") {
		t.Fatalf("the new crawl's first lease: %q, %v; want its start URL", res, err)
	}
	if res, err := c.run(ctx, leaseScript, "w", "2", maxStream).StringSlice(); err != nil || res[0] != "wait" {
		t.Errorf("the new crawl's second lease: %q, %v; want to wait for the first", res, err)
	}
	if n := rdb.Exists(ctx, c.key("host:old"), c.key("busy:w")).Val(); n != 0 {
		t.Errorf("the old crawl's pacing is left (%d keys)", n)
	}
}

// TestVersion: a crawl that another version of the scripts made is
// ErrVersion to Create, Join and every script, never read; Remove
// deletes it.
func TestVersion(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	c := testCrawl(t, rdb, "v", Spec{Settings: "{}"}, crawler.Task{URL: "http://h/"})
	must(t, rdb.HSet(ctx, c.key("meta"), "protocol", "1").Err())
	if _, _, err := Create(ctx, rdb, "v", Spec{Settings: "{}"}, nil); !errors.Is(err, ErrVersion) {
		t.Errorf("Create: %v, want ErrVersion", err)
	}
	if _, err := Join(ctx, rdb, "v"); !errors.Is(err, ErrVersion) {
		t.Errorf("Join: %v, want ErrVersion", err)
	}
	if err := c.run(ctx, heartbeatScript, "w", 60000, 1, 0).Err(); !errors.Is(err, ErrVersion) {
		t.Errorf("a script: %v, want ErrVersion", err)
	}
	if n := rdb.Exists(ctx, c.key("workers")).Val(); n != 0 {
		t.Error("a script wrote to a crawl of another version")
	}
	must(t, Remove(ctx, rdb, "v"))
	if keys := rdb.Keys(ctx, "*").Val(); len(keys) > 0 {
		t.Errorf("keys left after Remove: %q", keys)
	}
}

// TestReleaseAfterNewID: of a host's requests in flight, one taken
// under the id a worker had before it was taken for dead (whose slot
// Redis gave back then) is released first: the host's count never drops
// below the requests that hold a slot.
func TestReleaseAfterNewID(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	c := testCrawl(t, rdb, "slots", Spec{Settings: "{}"})
	w := testWorker(c, "A")
	must(t, w.heartbeat(ctx, true))
	p := newPoliteness(c, w, crawler.Config{}, func(err error) { t.Error(err) })
	inFlight := func() int {
		n, _ := rdb.HGet(ctx, c.key("host:h"), "n").Int()
		return n
	}
	_, err := p.Acquire(ctx, "h")
	must(t, err)
	// A is taken for dead, and its slot given back.
	must(t, rdb.ZAdd(ctx, c.key("workers"), redis.Z{Score: 0, Member: "A"}).Err())
	must(t, rdb.HSet(ctx, c.key("meta"), "reapat", 0).Err())
	must(t, c.run(ctx, heartbeatScript, "x", 60000, 1, 0).Err())
	must(t, c.run(ctx, leaseScript, "x", "1", maxStream).Err())
	if n := inFlight(); n != 0 {
		t.Fatalf("after A's reap, %d requests in flight, want 0", n)
	}
	_, err = p.Acquire(ctx, "h") // under a new id
	must(t, err)
	if *w.id.Load() == "A" {
		t.Fatal("the worker did not register again")
	}
	p.Release("h") // one of the two ends: say A's
	if n := inFlight(); n != 1 {
		t.Errorf("after one release, %d requests in flight, want 1: the new id's", n)
	}
	p.Release("h")
	if n := inFlight(); n != 0 {
		t.Errorf("after both, %d requests in flight, want 0", n)
	}
}
