package crawler_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// checkedFrontier is a memory frontier that checks how a crawl uses it
// and what it answers, against the Frontier contract: a task is Added
// once (again only after a drop; a URL recorded, which the memory
// frontier forgets, is never Added again), handed out once, only once Added, and
// Done once after it was handed out; a dropped URL was Added and not
// handed out; Next says the crawl is over only when nothing is under
// way. The Added count of a URL is checked at the end (see check): an
// Add may see a drop before the dropped function does.
type checkedFrontier struct {
	t     *testing.T
	inner *crawler.MemoryFrontier

	mu      sync.Mutex
	added   map[string]int  // times Added, by kind and URL
	out     map[string]bool // handed out, not Done
	taken   map[string]int  // times handed out
	dropped map[string]int
	moved   map[string]int // URLs scheduled for the next level, Added again as a next hop
	calls   map[string]int // by method
	over    bool           // Next said the crawl is over
}

func newCheckedFrontier(t *testing.T, cfg crawler.Config) *checkedFrontier {
	return &checkedFrontier{
		t: t, inner: crawler.NewMemoryFrontier(cfg),
		added: map[string]int{}, out: map[string]bool{}, taken: map[string]int{}, dropped: map[string]int{}, moved: map[string]int{}, calls: map[string]int{},
	}
}

func taskKey(t crawler.Task) string { return fmt.Sprintf("%d %s", t.Kind, t.URL) }

func (f *checkedFrontier) Add(tasks []crawler.Task, result []crawler.AddResult) {
	// Locked around the inner Add: what Next hands out was counted.
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inner.Add(tasks, result)
	f.calls["Add"]++
	for i, t := range tasks {
		k := taskKey(t)
		switch result[i] {
		case crawler.Added:
			if t.Unfollowed {
				f.t.Errorf("Unfollowed %s was Added", k)
			}
			if f.taken[k] > 0 {
				f.t.Errorf("%s Added again after it was handed out", k)
			}
			if f.added[k] > f.dropped[t.URL] && t.Hop > 0 {
				f.moved[k]++ // a next hop takes a URL of the next level
			} else {
				f.added[k]++
			}
		case crawler.Scheduled:
			if f.added[k] == 0 {
				f.t.Errorf("%s Scheduled, never Added", k)
			}
		}
	}
}

func (f *checkedFrontier) Next(dropped func([]string)) (crawler.Task, bool) {
	t, ok := f.inner.Next(func(urls []string) {
		f.mu.Lock()
		for _, u := range urls {
			k := taskKey(crawler.Task{Kind: crawler.TaskURL, URL: u})
			if f.dropped[u]++; f.added[k] < f.dropped[u] || f.taken[k] > 0 {
				f.t.Errorf("%s dropped: Added %d times, dropped %d, handed out %d", u, f.added[k], f.dropped[u], f.taken[k])
			}
		}
		f.mu.Unlock()
		dropped(urls)
	})
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["Next"]++
	if !ok {
		f.over = true
		if len(f.out) > 0 {
			f.t.Errorf("Next said the crawl is over with %d tasks under way", len(f.out))
		}
		return t, ok
	}
	k := taskKey(t)
	if f.added[k] == 0 {
		f.t.Errorf("%s handed out, never Added", k)
	}
	if f.taken[k]++; f.taken[k] > 1 {
		f.t.Errorf("%s handed out %d times", k, f.taken[k])
	}
	f.out[k] = true
	return t, ok
}

func (f *checkedFrontier) Done(t crawler.Task, chained, recorded bool) {
	f.mu.Lock()
	k := taskKey(t)
	if !f.out[k] {
		f.t.Errorf("%s Done, not under way", k)
	}
	delete(f.out, k)
	f.calls["Done"]++
	f.mu.Unlock()
	f.inner.Done(t, chained, recorded) // after: Next's end must not see it under way
}

func (f *checkedFrontier) Stop() {
	f.mu.Lock()
	f.calls["Stop"]++
	f.mu.Unlock()
	f.inner.Stop()
}

func (f *checkedFrontier) Queued() int { return f.inner.Queued() }

// Politeness counts the requests that go through the frontier's pacing.
func (f *checkedFrontier) Politeness() crawler.Politeness {
	return countedPoliteness{f.inner.Politeness(), f}
}

type countedPoliteness struct {
	crawler.Politeness
	f *checkedFrontier
}

func (p countedPoliteness) Acquire(ctx context.Context, host string) (int, error) {
	epoch, err := p.Politeness.Acquire(ctx, host)
	if err == nil {
		p.f.mu.Lock()
		p.f.calls["Acquire"]++
		p.f.mu.Unlock()
	}
	return epoch, err
}

func (p countedPoliteness) Release(host string) {
	p.Politeness.Release(host)
	p.f.mu.Lock()
	p.f.calls["Release"]++
	p.f.mu.Unlock()
}

// TestFrontierContract crawls with a frontier given in Config, which
// checks the contract, and compares the graph with that of the default
// frontier: the whole fixture site, and a tangled site cut by
// --max-pages, whose drops the crawl must learn of.
func TestFrontierContract(t *testing.T) {
	t.Run("site", func(t *testing.T) {
		site := readSite(t)
		cfg := site.Config("http://site.test/")
		want := crawlertest.Dump(crawl(t, cfg))
		f := newCheckedFrontier(t, cfg)
		cfg.Frontier = f
		g := crawl(t, cfg)
		if got := crawlertest.Dump(g); got != want {
			t.Errorf("another graph with a frontier given:\n%s", crawlertest.DiffLines(want, got))
		}
		f.check(t, g, false)
	})
	t.Run("max-pages", func(t *testing.T) {
		srv := crawlertest.Tangled(t, 80)
		cfg := crawler.Config{Seeds: []string{srv.URL + "/p/0"}, Concurrency: 6, MaxPages: 45, Timeout: crawlertest.Timeout, AllowPrivate: true, IgnoreRobots: true, NoSitemaps: true}
		want := crawlSummary(crawl(t, cfg))
		f := newCheckedFrontier(t, cfg)
		cfg.Frontier = f
		g := crawl(t, cfg)
		if got := crawlSummary(g); !slices.Equal(got, want) {
			t.Errorf("another crawl with a frontier given:\n%s", crawlertest.DiffLines(strings.Join(want, "\n"), strings.Join(got, "\n")))
		}
		if !g.Stats.MaxPagesReached || len(f.dropped) == 0 {
			t.Errorf("MaxPagesReached %v, %d URLs dropped; want a crawl cut by --max-pages", g.Stats.MaxPagesReached, len(f.dropped))
		}
		for _, r := range g.References {
			if f.dropped[r.Target] > 0 && g.Lookup(r.Target) == nil {
				t.Errorf("reference kept to %s, which was dropped and not fetched", r.Target)
			}
		}
		f.check(t, g, true)
	})
}

// check checks what a finished crawl did with f: Next ended it, every
// task handed out was Done, every URL Added was handed out or dropped,
// and every URL handed out is in the graph.
func (f *checkedFrontier) check(t *testing.T, g *crawler.Graph, cut bool) {
	t.Helper()
	if !f.over || len(f.out) > 0 {
		t.Errorf("after the crawl: over %v, %d tasks under way", f.over, len(f.out))
	}
	handed := 0
	for _, n := range f.taken {
		handed += n
	}
	if handed == 0 || f.calls["Done"] != handed {
		t.Errorf("%d tasks handed out, %d Done", handed, f.calls["Done"])
	}
	// Every request goes through the frontier's politeness: at least one
	// per URL fetched (more with retries), each released.
	if fetched := g.Stats.Fetched; f.calls["Acquire"] < fetched || f.calls["Release"] != f.calls["Acquire"] {
		t.Errorf("%d requests acquired, %d released, %d URLs fetched", f.calls["Acquire"], f.calls["Release"], fetched)
	}
	urls := 0
	for k, n := range f.added {
		kind, u, _ := strings.Cut(k, " ")
		if kind != fmt.Sprint(int(crawler.TaskURL)) {
			continue
		}
		// Each time Added, then handed out or dropped: an Add may see a
		// drop before Next passes it on.
		if f.taken[k] > 1 || n-f.dropped[u] != f.taken[k] || f.moved[k] > 1 {
			t.Errorf("%s Added %d times, dropped %d, handed out %d", u, n, f.dropped[u], f.taken[k])
		}
		if f.taken[k] > 0 {
			urls++
			if g.Lookup(u) == nil {
				t.Errorf("%s handed out, not in the graph", u)
			}
		}
	}
	if urls != g.Len() {
		t.Errorf("%d URLs handed out, %d in the graph", urls, g.Len())
	}
	if cut != (len(f.dropped) > 0) {
		t.Errorf("%d URLs dropped", len(f.dropped))
	}
}
