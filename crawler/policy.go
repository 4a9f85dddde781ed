package crawler

import (
	"fmt"
	"strings"
)

// policy is what a crawl's settings say of the URLs it meets: which ones
// it fetches, and what tasks a record leads to. The builder and a shared
// crawl's Fetcher decide with it alike, so that a crawl spread over
// processes schedules what one process would.
type policy struct {
	cfg   *Config
	scope Scope
}

// skipped reports whether the settings leave a reference out of the
// crawl altogether: a page resource under --no-resources.
func (p policy) skipped(ref Reference) bool { return p.cfg.NoResources && ref.Kind.Resource() }

// refTask returns the task that ref, the i-th reference of a page of the
// given rank (see found) found at the given depth, leads to: scheduled
// when the settings let the crawl fetch and follow its target, else
// Unfollowed. Seeds, refreshes and scripts are followed by their chains,
// not as references. keep says whether the builder keeps the reference
// when its target is not scheduled (see addRefs): a nofollow link to a
// URL the crawl may fetch for another reason, or a hop.
func (p policy) refTask(ref Reference, i, depth int, rank int32) (t Task, keep bool) {
	t = Task{Kind: TaskURL, URL: ref.Target, Depth: int32(depth), Asset: ref.Kind.Resource(), Found: found(rank, i)}
	if ref.Kind == RefSeed || ref.Kind == RefMetaRefresh || ref.Kind == RefRefreshHeader || ref.Kind == RefJavaScript {
		t.Unfollowed = true
		return t, true
	}
	follow := !ref.Nofollow || p.cfg.FollowNofollow
	fetchable := p.fetchable(ref.Target, depth, ref.Kind.Resource())
	t.Unfollowed = !fetchable || !follow
	return t, fetchable && !follow
}

// hopTask returns the next hop of the chain of task t, whose response is
// r: where r sends the client, unless the chain is at MaxHops or
// --no-external keeps the crawl from it.
func (p policy) hopTask(t Task, r *Response) (Task, bool) {
	target, _, ok := r.Next()
	if !ok || t.Hop >= MaxHops || p.outside(target) {
		return Task{}, false
	}
	return Task{Kind: TaskURL, URL: target, Depth: t.Depth, Rank: t.Rank, Hop: t.Hop + 1}, true
}

// fetchable reports whether the settings let the crawl fetch URL u,
// found at the given depth on a page or in a sitemap. A page resource
// is fetched one level beyond --max-depth: the pages within it have
// their resources checked.
func (p policy) fetchable(u string, depth int, resource bool) bool {
	deep := p.cfg.MaxDepth > 0 && depth > p.cfg.MaxDepth && !(resource && depth == p.cfg.MaxDepth+1)
	return !p.outside(u) && !deep && p.included(u)
}

// outside reports whether --no-external keeps the crawl from u.
func (p policy) outside(u string) bool {
	return p.cfg.NoExternal && !p.scope.Internal(u)
}

func (p policy) included(u string) bool {
	for _, re := range p.cfg.Exclude {
		if re.MatchString(u) {
			return false
		}
	}
	if len(p.cfg.Include) == 0 {
		return true
	}
	for _, re := range p.cfg.Include {
		if re.MatchString(u) {
			return true
		}
	}
	return false
}

// indexTasks returns the sitemaps a sitemap index's record lists, to
// be read.
func indexTasks(rec *Record) []Task {
	tasks := make([]Task, len(rec.Sitemaps))
	for i, u := range rec.Sitemaps {
		tasks[i] = Task{Kind: TaskSitemap, URL: u, Depth: 1, From: SitemapIndex}
	}
	return tasks
}

// robotsTasks returns the sitemaps an origin's robots.txt names, or
// else its /sitemap.xml, to be read; and, as rows that say why they were
// not read, the Sitemap lines that are not absolute URLs.
func robotsTasks(rec *Record) (tasks []Task, bad []Sitemap) {
	sitemaps, from := rec.Sitemaps, SitemapRobots
	if len(sitemaps) == 0 {
		sitemaps, from = []string{rec.URL + "/sitemap.xml"}, SitemapGuessed
	}
	for _, s := range sitemaps {
		n, err := Normalize(strings.TrimSpace(s))
		if err != nil || !strings.Contains(s, "://") {
			why := fmt.Sprintf("%s: not an absolute http(s) URL, as a Sitemap line must be", notRead)
			if err != nil {
				why = fmt.Sprintf("%s: %s", notRead, err)
			}
			bad = append(bad, Sitemap{URL: s, From: from, Error: why})
			continue
		}
		tasks = append(tasks, Task{Kind: TaskSitemap, URL: n, From: from})
	}
	return tasks, bad
}
