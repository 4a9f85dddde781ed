package crawler

import (
	"context"
	"fmt"
)

// Fetcher is a process's part in a crawl whose frontier several
// processes share (package cluster): it makes each task's record, and
// the tasks the record leads to, as a Crawl of the same settings would
// Add them, but builds no graph. The crawl's coordinator builds the
// graph from every process's records as an offline Crawl does (see
// Config.Offline), so that the crawl is the one a single process makes.
type Fetcher struct {
	policy
	cfg   Config
	fetch *fetcher
	start []Task
}

// NewFetcher returns a fetcher of tasks of a crawl of cfg whose
// requests to each host are paced by politeness (the shared frontier's,
// see Frontier.Politeness); stop is called when the crawl must stop
// because the site stopped answering. Cancelling ctx cuts its fetches
// short.
func NewFetcher(ctx context.Context, cfg Config, politeness Politeness, stop func(why string)) (*Fetcher, error) {
	cfg = withDefaults(cfg)
	b, err := begin(&cfg)
	if err != nil {
		return nil, err
	}
	f := &Fetcher{cfg: cfg, start: b.tasks}
	f.policy = policy{cfg: &f.cfg, scope: b.scope}
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", args...)
		}
	}
	if f.fetch, err = newFetcher(ctx, cfg, b.scope, b.origins, politeness, logf, stop); err != nil {
		return nil, err
	}
	return f, nil
}

// Start returns the tasks the crawl begins with, in the order in which
// a Crawl Adds them: each start URL and its origin's robots.txt, then
// the sitemaps given. Adding them again changes nothing.
func (f *Fetcher) Start() []Task { return f.start }

// Fetch makes task t's record and returns it with the tasks it leads
// to, in the order in which a Crawl Adds them: the next hop of a chain
// first, then the references of a page or a sitemap, or the sitemaps of
// an index or a robots.txt. It returns nil when the crawl was cut short
// before the record was made. Whether a sitemap is read at all (a crawl
// reads so many) is the frontier's business.
func (f *Fetcher) Fetch(t Task) (*Record, []Task) {
	var rec *Record
	var next []Task
	switch t.Kind {
	case TaskURL:
		if rec = f.fetch.url(t); rec == nil {
			return nil, nil
		}
		if hop, ok := f.hopTask(t, rec.Response); ok {
			next = append(next, hop)
		}
		next = f.refTasks(next, rec.Refs, int(t.Depth)+1, t.Rank)
	case TaskSitemap:
		if rec = f.fetch.sitemap(t); rec == nil {
			return nil, nil
		}
		next = f.refTasks(indexTasks(rec), rec.Refs, 1, sitemapRank)
	case TaskSitemaps:
		if rec = f.fetch.robotsSitemaps(t); rec == nil {
			return nil, nil
		}
		next, _ = robotsTasks(rec)
	}
	return rec, next
}

// refTasks appends the tasks references found at depth on a page of
// rank lead to (see addRefs).
func (f *Fetcher) refTasks(next []Task, refs []Reference, depth int, rank int32) []Task {
	for i, ref := range refs {
		if !f.skipped(ref) {
			t, _ := f.refTask(ref, i, depth, rank)
			next = append(next, t)
		}
	}
	return next
}
