package cluster_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hopaudit/hopaudit/cluster"
	"github.com/hopaudit/hopaudit/cluster/redistest"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// records is a crawler.Store in memory: the coordinator's records.
type records struct {
	mu   sync.Mutex
	recs map[string]*crawler.Record
	dups int
}

func (s *records) key(kind crawler.RecordKind, u string) string { return fmt.Sprintf("%d %s", kind, u) }

func (s *records) Recorded(kind crawler.RecordKind, u string) (*crawler.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recs[s.key(kind, u)], nil
}

func (s *records) Record(rec *crawler.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.key(rec.Kind, rec.URL)
	if s.recs[k] != nil {
		s.dups++
		return nil
	}
	s.recs[k] = rec
	return nil
}

// shared crawls cfg with processes workers (each a Crawl of its own,
// with its own connection) sharing a crawl in Redis, collects their
// records, and builds the graph from them as the coordinator does.
func shared(t *testing.T, srv *redistest.Server, id string, cfg crawler.Config, processes int) (*crawler.Graph, cluster.End, *records) {
	t.Helper()
	return sharedVia(t, srv, srv.URL, id, cfg, processes)
}

// sharedVia is shared with workers that reach srv at the Redis URL via.
func sharedVia(t *testing.T, srv *redistest.Server, via, id string, cfg crawler.Config, processes int) (*crawler.Graph, cluster.End, *records) {
	t.Helper()
	ctx := context.Background()
	c := create(t, srv, id, cfg)
	var wg sync.WaitGroup
	for range processes {
		wg.Go(func() {
			rdb, err := cluster.Dial(ctx, via)
			if err != nil {
				t.Error(err)
				return
			}
			defer rdb.Close()
			w, err := cluster.Join(ctx, rdb, "")
			if err != nil {
				t.Error(err)
				return
			}
			if err := w.Work(ctx, cfg); err != nil {
				t.Error(err)
			}
		})
	}
	store := &records{recs: map[string]*crawler.Record{}}
	end, err := c.Collect(ctx, store.Record, func() error { return nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	offline := cfg
	offline.Offline, offline.Store = true, store
	g, err := crawler.Crawl(ctx, offline)
	if err != nil {
		t.Fatal(err)
	}
	return g, end, store
}

// TestSharedEqualsLocal: a crawl shared by three processes makes the
// graph a crawl of one process makes, fetching each URL once: the
// fixture site with every kind of redirect, and a tangled site cut by
// --max-pages.
func TestSharedEqualsLocal(t *testing.T) {
	srv := redistest.Start(t)
	t.Run("site", func(t *testing.T) {
		fixture, err := os.ReadFile(filepath.Join("..", "crawler", "testdata", "site.txt"))
		if err != nil {
			t.Fatal(err)
		}
		site := crawlertest.New(t, string(fixture))
		cfg := site.Config("http://site.test/")
		local, err := crawler.Crawl(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		want := crawlertest.Dump(local)
		before := len(site.Requests())
		cfg.Concurrency = 2
		g, end, store := shared(t, srv, "site", cfg, 3)
		if got := crawlertest.Dump(g); got != want {
			t.Errorf("the shared crawl's graph differs from the local one's:\n%s", crawlertest.DiffLines(want, got))
		}
		if g.Stats.Cancelled || end.Stopped != "" {
			t.Errorf("cancelled %v, stopped %q", g.Stats.Cancelled, end.Stopped)
		}
		hits := map[string]int{}
		for _, r := range site.Requests()[before:] {
			// Each process reads robots.txt for itself.
			if hits[r.URL]++; hits[r.URL] == 2 && !strings.HasSuffix(r.URL, "/robots.txt") {
				t.Errorf("%s fetched twice", r.URL)
			}
		}
		t.Logf("%d records, %d twice, %d leases, %d round trips", end.Records, store.dups, end.Leased, end.RoundTrips)
	})
	t.Run("hop to a URL dropped", func(t *testing.T) {
		// --max-pages 3 leaves room for / and one link of it; /a's
		// redirect takes /d, dropped when the level began, back in.
		site := crawlertest.New(t, "-- / --\n<a href=\"/a\">a</a><a href=\"/b\">b</a><a href=\"/c\">c</a><a href=\"/d\">d</a>\n-- /a 301 /d --\n-- /b --\nb\n-- /c --\nc\n-- /d --\nd\n")
		cfg := site.Config("http://site.test/")
		cfg.MaxPages, cfg.IgnoreRobots, cfg.NoSitemaps, cfg.Concurrency = 3, true, true, 1
		local, err := crawler.Crawl(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		g, _, _ := shared(t, srv, "hopcut", cfg, 1)
		if want, got := crawlertest.Dump(local), crawlertest.Dump(g); got != want {
			t.Errorf("the shared crawl's graph differs from the local one's:\n%s", crawlertest.DiffLines(want, got))
		}
	})
	t.Run("max-pages", func(t *testing.T) {
		tangled := crawlertest.Tangled(t, 80)
		cfg := crawler.Config{Seeds: []string{tangled.URL + "/p/0"}, Concurrency: 2, MaxPages: 45, Timeout: crawlertest.Timeout, AllowPrivate: true, IgnoreRobots: true, NoSitemaps: true}
		local, err := crawler.Crawl(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		g, _, _ := shared(t, srv, "tangled", cfg, 3)
		if want, got := crawlertest.Dump(local), crawlertest.Dump(g); got != want {
			t.Errorf("the shared crawl's graph differs from the local one's:\n%s", crawlertest.DiffLines(want, got))
		}
		if !g.Stats.MaxPagesReached {
			t.Error("--max-pages was not reached")
		}
	})
}
