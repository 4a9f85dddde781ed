package cluster

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/cluster/redistest"
	"github.com/hopaudit/hopaudit/crawler"
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
