package crawler

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
)

// pending is a URL that was referenced or scheduled but has no
// response yet. The references to it wait here until its response is in
// (see record), or the frontier drops it (see dropped); a fetched URL's
// response is in the graph at once. Whether and when it is fetched is
// the frontier's business.
type pending struct {
	url  string // the normalised URL: responses, references and the frontier share this string
	refs int32  // the references to it, in the crawl's waitList
}

// keepsReferences reports whether the references to a URL stay in the
// graph: all but those to a plain 2xx answer, which no rule needs one by
// one (they are counted in Response.Referrers). This keeps the memory
// of a crawl proportional to its URLs, not to its links.
func keepsReferences(r *row) bool {
	return r.status < 200 || r.status > 299 || r.refresh != 0 || r.err != 0 || r.flags&rowBlocked != 0
}

// keptRef is a reference the graph keeps, as the crawl keeps it until
// it ends: without a pointer, as the graph's responses are (see table).
type keptRef struct {
	target       int32  // the row of its target in the graph's table
	source, text uint32 // ids in the crawl's keptStrs
	kind         RefKind
	nofollow     bool
}

// file counts a reference to the fetched URL of the graph's row i, and
// keeps it when the graph keeps the references to that URL, or it is a
// start URL. The lock must be held.
func (c *crawl) file(i int, ref Reference) {
	r := c.g.responses.rows.at(i)
	r.referrers.count(ref.Kind)
	if keepsReferences(r) || ref.Kind == RefSeed {
		c.kept.add(keptRef{target: int32(i), source: c.keptStrs.intern(ref.Source), text: c.keptStrs.intern(ref.Text), kind: ref.Kind, nofollow: ref.Nofollow})
	}
}

// pendingOf returns the pending entry of the normalised URL u, which has
// no response yet, creating it. The lock must be held.
func (c *crawl) pendingOf(u string) *pending {
	p := c.pending[u]
	if p == nil {
		p = &pending{url: u}
		c.pending[u] = p
	}
	return p
}

// shrinkFrontier gives back the room of a frontier that has shrunk. On
// a site of many links the crawl runs far ahead of its fetches, and
// catches up later; neither a map nor the waiting references' blocks
// give back room by themselves, and what they keep would raise the
// garbage collector's goal for the rest of the crawl. The lock must be
// held.
func (c *crawl) shrinkFrontier() {
	c.pending = shrink(c.pending, &c.pendingMost)
	if c.waiting.sparse() {
		var fresh waitList
		for _, p := range c.pending {
			p.refs = c.waiting.move(p.refs, &fresh)
		}
		c.waiting = fresh
	}
}

// shrink returns map m, or, when it has shrunk to a quarter of the most
// entries it held since it was made (*most, which shrink keeps), a copy
// made anew: a map does not give back the room of the entries deleted.
func shrink[K comparable, V any](m map[K]V, most *int) map[K]V {
	*most = max(*most, len(m))
	if *most < 4096 || len(m) >= *most/4 {
		return m
	}
	fresh := make(map[K]V, len(m)) // maps.Clone would keep the room
	maps.Copy(fresh, m)
	*most = len(fresh)
	return fresh
}

// internURL returns the crawl's copy of a normalised URL, if it has one,
// so that a URL named in many places is one string. The lock must be
// held.
func (c *crawl) internURL(u string) string {
	if i, ok := c.g.responses.index(u); ok {
		return *c.g.responses.urls.at(i)
	}
	if p := c.pending[u]; p != nil {
		return p.url
	}
	return u
}

// schedule Adds task t to the frontier and returns what became of it:
// a URL the graph holds was scheduled before (see Frontier). The lock
// must be held.
func (c *crawl) schedule(t Task) AddResult {
	if t.Kind == TaskURL {
		if _, ok := c.g.responses.index(t.URL); ok {
			return Scheduled
		}
	}
	c.adds = append(c.adds[:0], t)
	c.added = append(c.added[:0], NotScheduled)
	c.frontier.Add(c.adds, c.added)
	c.adds[0] = Task{}
	return c.added[0]
}

// refMeta is a reference of addRefs that goes to the frontier.
type refMeta struct {
	ref  int32 // its index
	keep bool  // kept even when its target is not scheduled (see addRefs)
}

// addRefs files references found at the given depth, on a page of
// the given rank (see found), under their targets, and Adds the targets
// to the frontier: those the settings let the crawl fetch to be
// scheduled, the others as Unfollowed, which orders the next level.
// A reference to a URL the crawl will never fetch (over --max-pages, too
// deep, excluded, outside with --no-external) is dropped: no rule looks
// at it, and a site of endless links would otherwise fill the memory
// with them. A nofollow link (Reference.Nofollow) schedules nothing
// unless Config.FollowNofollow says so, but is kept: its target may
// still be fetched for another reason (a followed link, a sitemap entry,
// a redirect), and the rules then look at every link to it; if it is
// not, the reference goes in the graph without a response. The lock must
// be held.
func (c *crawl) addRefs(refs []Reference, depth int, rank int32) {
	adds, meta := c.adds[:0], c.metas[:0]
	for i, ref := range refs {
		if c.skipped(ref) {
			continue
		}
		if i, ok := c.g.responses.index(ref.Target); ok {
			c.file(i, ref)
			continue
		}
		t, keep := c.refTask(ref, i, depth, rank)
		if p := c.pending[t.URL]; p != nil {
			t.URL = p.url
		}
		adds = append(adds, t)
		meta = append(meta, refMeta{ref: int32(i), keep: keep})
	}
	added := slices.Grow(c.added[:0], len(adds))[:len(adds)]
	if len(adds) > 0 {
		c.frontier.Add(adds, added)
	}
	for j, m := range meta {
		ref := refs[m.ref]
		p := c.pending[adds[j].URL]
		if p == nil && added[j] == NotScheduled && !m.keep {
			continue
		}
		if p == nil {
			p = &pending{url: adds[j].URL}
			c.pending[p.url] = p
		}
		p.refs = c.waiting.add(p.refs, waiting{kind: ref.Kind, nofollow: ref.Nofollow, source: ref.Source, text: ref.Text})
	}
	clear(adds) // no string kept alive
	c.adds, c.added, c.metas = adds[:0], added[:0], meta[:0]
}

// dropped lets go of URLs the frontier dropped, and of the references
// waiting for them: --max-pages keeps them from being fetched, so these
// references are dropped as addRefs drops those to URLs the crawl
// never fetches.
func (c *crawl) dropped(urls []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.g.Stats.MaxPagesReached = true
	for _, u := range urls {
		if p := c.pending[u]; p != nil {
			c.waiting.take(p.refs, func(*waiting) {})
			delete(c.pending, u)
		}
	}
}

// finish completes the graph's references: those kept as the crawl went
// and those to URLs never fetched.
func (c *crawl) finish() {
	t := &c.g.responses
	refs := make([]Reference, 0, c.kept.len()+int(c.waiting.live))
	made := map[uint32]string{} // one string per source or text, a URL's the graph's
	str := func(id uint32) string {
		s, ok := made[id]
		if !ok {
			b := c.keptStrs.bytes(id)
			if s, ok = t.urlOf(b); !ok {
				s = string(b)
			}
			made[id] = s
		}
		return s
	}
	for k := range c.kept.len() {
		x := c.kept.at(k)
		refs = append(refs, Reference{Kind: x.kind, Nofollow: x.nofollow, Source: str(x.source), Target: *t.urls.at(int(x.target)), Text: str(x.text)})
	}
	for _, p := range c.pending {
		c.waiting.take(p.refs, func(w *waiting) { refs = append(refs, w.to(p.url)) })
	}
	// Pages are read in parallel: sort so that the graph is the same
	// from run to run.
	SortReferences(refs)
	c.g.References = slices.Clip(refs)
	// Sitemaps are read in parallel: in URL order, the graph is the same
	// from run to run.
	slices.SortFunc(c.g.Sitemaps, func(a, b Sitemap) int { return cmp.Compare(a.URL, b.URL) })
	c.kept, c.keptStrs, c.pending, c.waiting = column[keptRef]{}, arena{}, nil, waitList{}
}

// record adds a response and the references found in it to the graph;
// rank is its entry URL's (see found).
func (c *crawl) record(r *Response, refs []Reference, rank int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	u := r.URL
	p := c.pending[u]
	if p != nil {
		u = p.url // one string per URL
	}
	i := c.g.responses.put(u, r)
	if p != nil {
		delete(c.pending, u)
		c.waiting.take(p.refs, func(w *waiting) { c.file(i, w.to(p.url)) })
		c.shrinkFrontier()
	}
	c.addRefs(refs, r.Depth+1, rank)
	switch {
	case r.Blocked:
		c.g.Stats.Blocked++
	default:
		c.g.Stats.Fetched++
	}
	if r.Error != "" {
		c.g.Stats.Errors++
	}
	if r.Parsed {
		c.g.Stats.Parsed++
	}
	if c.cfg.Progress != nil {
		c.cfg.Progress(Progress{Fetched: c.g.Stats.Fetched, Queued: c.frontier.Queued(), Errors: c.g.Stats.Errors})
	}
}

// foldURL folds a URL's record into the graph: the next hop of its
// chain is scheduled first, so that chains are completed first when
// --max-pages runs out, then the response and its references go in. It
// reports whether the chain goes on: the next hop was scheduled, which
// it is anywhere, or with --no-external only inside the site, unless it
// was scheduled before (its fetch belongs to another chain).
func (c *crawl) foldURL(t Task, rec *Record) (chained bool) {
	r := rec.Response
	if next, ok := c.hopTask(t, r); ok {
		// A hop's body is read whoever asked for its chain: two chains
		// may reach one URL in either order.
		c.mu.Lock()
		next.URL = c.internURL(next.URL)
		if c.schedule(next) == Added {
			chained = true
			c.pendingOf(next.URL) // references to it share its string
		}
		c.mu.Unlock()
	}
	c.record(r, rec.Refs, t.Rank)
	return chained
}

// startSitemap reports whether the limits let the crawl read sitemap
// task t, and counts it as begun. A sitemap not read because of a limit
// is a warning on the log and a row with its error.
func (c *crawl) startSitemap(t Task) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	sm := Sitemap{URL: t.URL, From: t.From}
	read := c.sitemapsRead
	switch {
	case read >= MaxSitemaps:
		sm.Error = fmt.Sprintf("%s: a crawl reads at most %d sitemaps", notRead, MaxSitemaps)
	case c.g.Stats.MaxPagesReached || c.cfg.MaxPages > 0 && read >= c.cfg.MaxPages:
		sm.Error = notRead + ": --max-pages was reached, no entry could be fetched"
	}
	if sm.Error != "" {
		// An endless supply of sitemaps must not keep the crawl going.
		if c.sitemapsSkipped++; c.sitemapsSkipped == 1 {
			c.logf("warning: sitemap %s (%s) %s; further sitemaps are not read either", sm.URL, sm.From, sm.Error)
		}
		c.g.Sitemaps = append(c.g.Sitemaps, sm)
		return false
	}
	c.sitemapsRead++
	return true
}

// foldSitemap folds a sitemap's record into the graph: its row, its
// entries as references, and an index's sitemaps scheduled.
func (c *crawl) foldSitemap(rec *Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range indexTasks(rec) {
		c.schedule(t)
	}
	c.g.Sitemaps = append(c.g.Sitemaps, *rec.Sitemap)
	c.addRefs(rec.Refs, 1, sitemapRank)
}

// foldSitemaps schedules the sitemaps an origin's robots.txt names, or
// else its /sitemap.xml. A Sitemap line that is not an absolute URL is a
// warning and a row that says why it was not read.
func (c *crawl) foldSitemaps(rec *Record) {
	tasks, bad := robotsTasks(rec)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, sm := range bad {
		c.logf("warning: sitemap %q (%s of %s): %s", sm.URL, sm.From, rec.URL, sm.Error)
		c.g.Sitemaps = append(c.g.Sitemaps, sm)
	}
	for _, t := range tasks {
		c.schedule(t)
	}
}
