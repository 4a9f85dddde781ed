package crawler_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// memStore keeps records in memory. It copies what it is given, so
// that a test sees what a store that writes them out would give back.
type memStore struct {
	mu      sync.Mutex
	records map[string]*crawler.Record
}

func newMemStore() *memStore { return &memStore{records: map[string]*crawler.Record{}} }

func storeKey(kind crawler.RecordKind, u string) string { return kind.String() + " " + u }

func (s *memStore) Recorded(kind crawler.RecordKind, u string) (*crawler.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec := s.records[storeKey(kind, u)]; rec != nil {
		return copyRecord(rec), nil
	}
	return nil, nil
}

func (s *memStore) Record(rec *crawler.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := storeKey(rec.Kind, rec.URL)
	if s.records[k] != nil {
		return fmt.Errorf("%s recorded twice", k)
	}
	s.records[k] = copyRecord(rec)
	return nil
}

// keys returns the store's keys, sorted.
func (s *memStore) keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.records))
}

func (s *memStore) remove(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, k)
}

// copyRecord copies rec deeply.
func copyRecord(rec *crawler.Record) *crawler.Record {
	out := *rec
	if r := rec.Response; r != nil {
		c := *r
		if d := r.Redirect; d != nil {
			d2 := *d
			d2.Locations = slices.Clone(d.Locations)
			if d.Header != nil {
				h := *d.Header
				d2.Header = &h
			}
			c.Redirect = &d2
		}
		if r.Refresh != nil {
			f := *r.Refresh
			c.Refresh = &f
		}
		out.Response = &c
	}
	if rec.Sitemap != nil {
		sm := *rec.Sitemap
		out.Sitemap = &sm
	}
	out.Refs = slices.Clone(rec.Refs)
	out.Sitemaps = slices.Clone(rec.Sitemaps)
	return &out
}

// TestStoreResume crawls a site keeping its records, then crawls it
// again from the store: whole (nothing is fetched), offline, and with
// records missing, as after a crawl killed part way: only what has no
// record is fetched (and robots.txt, which is not a record), and every
// run builds the same graph.
func TestStoreResume(t *testing.T) {
	site := readSite(t)
	cfg := site.Config("http://site.test/")
	want := crawlertest.Dump(crawl(t, cfg))

	store := newMemStore()
	cfg.Store = store
	if got := crawlertest.Dump(crawl(t, cfg)); got != want {
		t.Fatalf("a crawl that keeps its records builds another graph:\n%s", crawlertest.DiffLines(want, got))
	}
	keys := store.keys()
	kinds := map[string]int{}
	for _, k := range keys {
		kind, _, _ := strings.Cut(k, " ")
		kinds[kind]++
	}
	if kinds["url"] == 0 || kinds["sitemap"] == 0 || kinds["sitemaps"] == 0 {
		t.Fatalf("records by kind: %v; want urls, sitemaps and robots.txt's sitemaps", kinds)
	}

	before := len(site.Requests())
	if got := crawlertest.Dump(crawl(t, cfg)); got != want {
		t.Errorf("crawl from a whole store: another graph:\n%s", crawlertest.DiffLines(want, got))
	}
	if n := len(site.Requests()) - before; n != 0 {
		t.Errorf("crawl from a whole store: %d requests, want none: %v", n, site.Requests()[before:])
	}

	off := cfg
	off.Offline = true
	g := crawl(t, off)
	if got := crawlertest.Dump(g); got != want {
		t.Errorf("offline crawl: another graph:\n%s", crawlertest.DiffLines(want, got))
	}
	if g.Stats.Cancelled {
		t.Error("offline crawl of a whole store: marked cut short")
	}

	// Every third record lost, as in a crawl killed part way.
	var lost []string
	for i, k := range keys {
		if i%3 == 0 {
			store.remove(k)
			lost = append(lost, k)
		}
	}
	g = crawl(t, off)
	if !g.Stats.Cancelled {
		t.Error("offline crawl of a store with records missing: not marked cut short")
	}
	before = len(site.Requests())
	if got := crawlertest.Dump(crawl(t, cfg)); got != want {
		t.Errorf("resumed crawl: another graph:\n%s", crawlertest.DiffLines(want, got))
	}
	fetched := map[string]bool{}
	for _, r := range site.Requests()[before:] {
		fetched[r.URL] = true
	}
	for _, k := range store.keys() {
		kind, u, _ := strings.Cut(k, " ")
		if kind == "url" && !slices.Contains(lost, k) && fetched[u] {
			t.Errorf("resumed crawl fetched %s again: it was recorded", u)
		}
	}
	for _, k := range lost {
		if kind, u, _ := strings.Cut(k, " "); kind == "url" && !fetched[u] && !strings.HasPrefix(u, "http://blocked") {
			t.Logf("lost record of %s not fetched again (blocked or refused: no request)", u)
		}
	}
	if got := store.keys(); !slices.Equal(got, keys) {
		t.Errorf("after the resumed crawl the store holds %d records, want the %d of the first crawl", len(got), len(keys))
	}
}

// TestStoreResumeMaxPages: with --max-pages, which cuts the crawl in a
// fixed order, a crawl resumed from part of its records fetches the
// same URLs as one that ran whole.
func TestStoreResumeMaxPages(t *testing.T) {
	srv := crawlertest.Tangled(t, 60)
	cfg := crawler.Config{Seeds: []string{srv.URL + "/p/0"}, Concurrency: 6, MaxPages: 40, Timeout: crawlertest.Timeout, AllowPrivate: true, IgnoreRobots: true, NoSitemaps: true}
	want := crawlSummary(crawl(t, cfg))
	store := newMemStore()
	cfg.Store = store
	if got := crawlSummary(crawl(t, cfg)); !slices.Equal(got, want) {
		t.Fatalf("recorded crawl:\n%s", crawlertest.DiffLines(strings.Join(want, "\n"), strings.Join(got, "\n")))
	}
	for i, k := range store.keys() {
		if i%2 == 1 {
			store.remove(k)
		}
	}
	if got := crawlSummary(crawl(t, cfg)); !slices.Equal(got, want) {
		t.Errorf("resumed crawl:\n%s", crawlertest.DiffLines(strings.Join(want, "\n"), strings.Join(got, "\n")))
	}
}
