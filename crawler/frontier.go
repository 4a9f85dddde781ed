package crawler

import (
	"cmp"
	"math"
	"slices"
)

// take waits for the next task and takes it; false when the crawl is
// over. The lock must be held.
//
// The next hops of chains go first, then the level's queue in order;
// when both are empty and no task is under way, the next level begins.
// --max-pages is spent so that the URLs fetched are the same whatever
// the timing: an entry URL starts a chain only while the limit leaves
// room for every chain under way to run its full length (MaxHops + 1
// URLs); when it does not, chains run one at a time, in the queue's
// order, until the limit is reached. Either way a URL is fetched if and
// only if it would be in a crawl that took one URL at a time.
func (c *crawl) take() (task, bool) {
	limit := c.cfg.MaxPages
	for {
		switch {
		case c.stopped:
			return task{}, false
		case len(c.hops) > 0:
			t := c.hops[len(c.hops)-1]
			c.hops = c.hops[:len(c.hops)-1]
			if limit > 0 && c.spent >= limit {
				// Cut by the limit: the chain ends unfinished.
				c.g.Stats.MaxPagesReached = true
				c.unqueue(t.url)
				c.open--
				c.openSpent -= int(t.hop)
				continue
			}
			c.spent++
			c.openSpent++
			return t, true
		case c.head < len(c.queue):
			t := c.queue[c.head]
			if t.kind == fetchURL {
				if c.g.Responses[t.url] != nil {
					c.pop() // fetched on the way as a hop of another chain
					continue
				}
				reserved := c.open*(MaxHops+1) - c.openSpent
				room := limit == 0 || c.spent+reserved+MaxHops+1 <= limit || c.open == 0 && c.spent < limit
				if !room && c.open > 0 {
					c.cond.Wait() // for the chains under way to end
					continue
				}
				if !room {
					c.g.Stats.MaxPagesReached = true
					c.unqueue(t.url)
					c.pop()
					continue
				}
				c.spent++
				c.open++
				c.openSpent++
			}
			c.pop()
			return t, true
		case c.active > 0:
			c.cond.Wait()
		case len(c.next) > 0:
			c.nextLevel()
		default:
			return task{}, false
		}
	}
}

// pop removes the queue's first task, and gives back the room of a
// queue that has shrunk. The lock must be held.
func (c *crawl) pop() {
	c.queue[c.head] = task{}
	c.head++
	if c.head > 1024 && c.head*2 > len(c.queue) {
		rest := c.queue[c.head:]
		if cap(c.queue) > 4*len(rest) {
			c.queue = append(make([]task, 0, 2*len(rest)), rest...)
		} else {
			c.queue = append(c.queue[:0], rest...)
		}
		c.head = 0
	}
}

// nextLevel makes the entry URLs found at this level the queue of the
// next, in the order in which a crawl of one request at a time would
// have found them first: by the rank of the page that links to them,
// then by the place of the link in the page (see found), then by URL.
// The order in which pages finish depends on timing, this order does
// not. The ones --max-pages can never reach (each costs a URL) are
// dropped with their references. The lock must be held.
func (c *crawl) nextLevel() {
	c.level++
	type entry struct {
		order uint64
		url   string
	}
	entries := make([]entry, len(c.next))
	for i, u := range c.next {
		entries[i] = entry{math.MaxUint64, u} // no longer pending: fetched on the way, skipped below
		if p := c.pending[u]; p != nil {
			entries[i].order = p.order
		}
	}
	slices.SortFunc(entries, func(a, b entry) int { return cmp.Or(cmp.Compare(a.order, b.order), cmp.Compare(a.url, b.url)) })
	for i, e := range entries {
		c.next[i] = e.url
	}
	room := len(c.next)
	if c.cfg.MaxPages > 0 {
		room = max(c.cfg.MaxPages-c.spent, 0)
	}
	c.queue, c.head = c.queue[:0], 0
	for _, u := range c.next {
		if c.g.Responses[u] != nil {
			continue // fetched as a hop of a chain of this level
		}
		if len(c.queue) >= room {
			c.g.Stats.MaxPagesReached = true
			c.unqueue(u)
			continue
		}
		asset := false
		if p := c.pending[u]; p != nil {
			p.later, asset = false, p.asset
		}
		c.queue = append(c.queue, task{kind: fetchURL, url: u, depth: c.level, rank: int32(min(len(c.queue), math.MaxInt32-1)), asset: asset})
	}
	c.next = nil
}

// unqueue forgets that a pending URL is scheduled: --max-pages keeps it
// from being fetched, so the references to it are dropped too, as
// addRefs drops those to URLs the crawl never fetches. The lock must be
// held.
func (c *crawl) unqueue(u string) {
	if p := c.pending[u]; p != nil {
		c.waiting.take(p.refs, func(*waiting) {})
		delete(c.pending, u)
	}
}

// enqueue schedules a task unless its URL was scheduled before.
func (c *crawl) enqueue(t task) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.push(t)
}

// push is enqueue with the lock held; it reports whether the URL is
// (now or already) scheduled. A URL is scheduled for its level: the
// next hop of a chain at once, an entry URL of this level (a start URL)
// in the queue, one of the next level in next.
func (c *crawl) push(t task) bool {
	_, ok := c.schedule(t)
	return ok
}

// schedule is push, and also reports whether t was added now.
func (c *crawl) schedule(t task) (added, scheduled bool) {
	if c.stopped {
		return false, false
	}
	if t.kind != fetchURL {
		key := "robots " + t.url
		if t.kind == readSitemap {
			key = "sitemap " + t.url
		}
		if _, ok := c.tasks[key]; ok {
			return false, true
		}
		c.tasks[key] = struct{}{}
		c.queue = append(c.queue, t)
		c.cond.Signal()
		return true, true
	}
	if c.g.Responses[t.url] != nil {
		return false, true
	}
	p := c.pending[t.url]
	if p != nil && p.queued && !(p.later && t.hop > 0) {
		p.asset = p.asset && t.asset
		return false, true
	}
	p = c.pendingOf(t.url)
	p.queued, p.later, p.asset = true, false, t.asset
	t.url = p.url
	switch {
	case t.hop > 0:
		c.hops = append(c.hops, t) // nextLevel skips it in next once it is fetched
		c.cond.Signal()
	case t.depth > c.level:
		p.later, p.order = true, math.MaxUint64 // addRefs says where it was found
		c.next = append(c.next, t.url)
	default:
		c.queue = append(c.queue, t)
		c.cond.Signal()
	}
	return true, true
}

// followHop schedules the next hop of a chain: anywhere, or with
// --no-external only inside the site. It reports whether the chain goes
// on with it: false when the URL is outside, or was fetched or
// scheduled before (its fetch belongs to another chain).
func (c *crawl) followHop(t task) bool {
	if c.outside(t.url) {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	added, _ := c.schedule(t)
	return added
}

// fetchable reports whether the settings let the crawl fetch URL u,
// found at the given depth on a page or in a sitemap. A page resource
// is fetched one level beyond --max-depth: the pages within it have
// their resources checked.
func (c *crawl) fetchable(u string, depth int, resource bool) bool {
	deep := c.cfg.MaxDepth > 0 && depth > c.cfg.MaxDepth && !(resource && depth == c.cfg.MaxDepth+1)
	return !c.outside(u) && !deep && c.included(u)
}

// outside reports whether --no-external keeps the crawl from u.
func (c *crawl) outside(u string) bool {
	return c.cfg.NoExternal && !c.g.Scope.Internal(u)
}

func (c *crawl) included(u string) bool {
	for _, re := range c.cfg.Exclude {
		if re.MatchString(u) {
			return false
		}
	}
	if len(c.cfg.Include) == 0 {
		return true
	}
	for _, re := range c.cfg.Include {
		if re.MatchString(u) {
			return true
		}
	}
	return false
}
