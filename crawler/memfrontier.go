package crawler

import (
	"cmp"
	"math"
	"slices"
	"sync"
)

// MemoryFrontier is the Frontier that holds a crawl's frontier in the
// process: the default.
type MemoryFrontier struct {
	limit int        // --max-pages; 0 = no limit
	gates *hostGates // its Politeness

	mu       sync.Mutex
	cond     *sync.Cond
	level    int32               // the depth being crawled
	queue    []task              // the level's entry URLs, in order, and the sitemap tasks
	head     int                 // the next of queue
	hops     []task              // next hops of the chains under way: before any entry
	next     []later             // the entry URLs of the next level; stale where urls says another index
	urls     map[string]int32    // the seen set: the URL's index in next, or queuedNow or taken; not the URLs recorded
	urlsMost int                 // the most URLs the seen set held since it was made (see forget)
	tasks    map[string]struct{} // sitemap and robots.txt tasks scheduled
	active   int                 // tasks under way
	stopped  bool
	dropped  []string // URLs dropped, not yet passed to Next's dropped
	dropping bool     // Next's dropped runs: no task is handed out

	// What --max-pages has left, counted so that the URLs fetched do not
	// depend on timing (see take): URLs taken for fetching, chains under
	// way, and the URLs those chains took.
	spent, open, openSpent int
}

// later is a URL scheduled for the next level, with where it was found
// and whether it is an asset. A URL in another state costs its entry in
// the seen set alone: its string is the graph's.
type later struct {
	url   string
	order uint64 // see found
	asset bool
}

// The states of a URL in the seen set besides an index in next.
const (
	queuedNow int32 = -1 // scheduled at this level: in queue or hops
	taken     int32 = -2 // handed out by Next: under way or done
)

// task is a Task as a MemoryFrontier's queues hold it: a site's whole
// frontier may be in them.
type task struct {
	url   string
	depth int32
	rank  int32
	hop   uint8
	kind  TaskKind
	from  SitemapSource
	asset bool
}

func (t task) Task() Task {
	return Task{URL: t.url, Kind: t.kind, Depth: t.depth, Rank: t.rank, Hop: t.hop, From: t.from, Asset: t.asset}
}

// NewMemoryFrontier returns an empty frontier for a crawl of cfg: it
// hands out at most cfg.MaxPages URLs (0 = no limit), and paces the
// requests to each host by cfg.Delay, cfg.Concurrency and
// cfg.MaxRetryWait (see Politeness).
func NewMemoryFrontier(cfg Config) *MemoryFrontier {
	f := &MemoryFrontier{limit: max(cfg.MaxPages, 0), urls: map[string]int32{}, tasks: map[string]struct{}{}, gates: newHostGates(cfg)}
	f.cond = sync.NewCond(&f.mu)
	return f
}

// Politeness returns the frontier's pacing of requests per host (see
// Frontier).
func (f *MemoryFrontier) Politeness() Politeness { return f.gates }

// Add schedules tasks (see Frontier).
func (f *MemoryFrontier) Add(tasks []Task, result []AddResult) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, t := range tasks {
		result[i] = f.add(t)
	}
}

// add is Add of one task, with the lock held.
func (f *MemoryFrontier) add(t Task) AddResult {
	if f.stopped {
		return NotScheduled
	}
	if t.Kind != TaskURL {
		key := "robots " + t.URL
		if t.Kind == TaskSitemap {
			key = "sitemap " + t.URL
		}
		if _, ok := f.tasks[key]; ok {
			return Scheduled
		}
		f.tasks[key] = struct{}{}
		f.queue = append(f.queue, task{url: t.URL, depth: t.Depth, kind: t.Kind, from: t.From})
		f.cond.Signal()
		return Added
	}
	i, seen := f.urls[t.URL]
	switch {
	case !seen && t.Unfollowed:
		return NotScheduled
	case seen && i < 0:
		return Scheduled
	case seen && (t.Unfollowed || t.Hop == 0):
		l := &f.next[i]
		l.order = min(l.order, t.Found)
		l.asset = l.asset && t.Asset
		return Scheduled
	}
	switch {
	case t.Hop > 0:
		// It may be scheduled for the next level: it stays in next,
		// where nextLevel skips it.
		f.urls[t.URL] = queuedNow
		f.hops = append(f.hops, task{url: t.URL, depth: t.Depth, rank: t.Rank, hop: t.Hop, asset: t.Asset})
		f.cond.Signal()
	case t.Depth > f.level:
		f.urls[t.URL] = int32(len(f.next))
		f.next = append(f.next, later{url: t.URL, order: t.Found, asset: t.Asset})
	default:
		f.urls[t.URL] = queuedNow
		f.queue = append(f.queue, task{url: t.URL, depth: t.Depth, rank: t.Rank, asset: t.Asset})
		f.cond.Signal()
	}
	return Added
}

// Next hands out the next task (see Frontier).
func (f *MemoryFrontier) Next(dropped func(urls []string)) (Task, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		for f.dropping {
			f.cond.Wait()
		}
		t, ok, wait := f.take()
		if ok {
			f.active++
		}
		if len(f.dropped) > 0 {
			// Before anything else is handed out: the task taken, if
			// any, is returned after.
			urls := f.dropped
			f.dropped, f.dropping = nil, true
			f.mu.Unlock()
			if dropped != nil {
				dropped(urls)
			}
			f.mu.Lock()
			f.dropping = false
			f.cond.Broadcast()
			if wait {
				continue // what it waits for may have come
			}
		}
		switch {
		case wait:
			f.cond.Wait()
		case ok:
			return t.Task(), true
		default:
			f.cond.Broadcast() // the others see the end too
			return Task{}, false
		}
	}
}

// take takes the next task; false when the crawl is over, or wait when
// a task may come once the tasks under way are done. The lock must be
// held.
//
// The next hops of chains go first, then the level's queue in order;
// when both are empty and no task is under way, the next level begins.
// --max-pages is spent so that the URLs fetched are the same whatever
// the timing: an entry URL starts a chain only while the limit leaves
// room for every chain under way to run its full length (MaxHops + 1
// URLs); when it does not, chains run one at a time, in the queue's
// order, until the limit is reached. Either way a URL is fetched if and
// only if it would be in a crawl that took one URL at a time.
func (f *MemoryFrontier) take() (t task, ok, wait bool) {
	limit := f.limit
	for {
		switch {
		case f.stopped:
			return task{}, false, false
		case len(f.hops) > 0:
			t := f.hops[len(f.hops)-1]
			f.hops = f.hops[:len(f.hops)-1]
			if limit > 0 && f.spent >= limit {
				// Cut by the limit: the chain ends unfinished.
				f.drop(t.url)
				f.open--
				f.openSpent -= int(t.hop)
				continue
			}
			f.spent++
			f.openSpent++
			f.urls[t.url] = taken
			return t, true, false
		case f.head < len(f.queue):
			t := f.queue[f.head]
			if t.kind == TaskURL {
				if f.urls[t.url] != queuedNow {
					f.pop() // taken on the way as a hop of another chain
					continue
				}
				reserved := f.open*(MaxHops+1) - f.openSpent
				room := limit == 0 || f.spent+reserved+MaxHops+1 <= limit || f.open == 0 && f.spent < limit
				if !room && f.open > 0 {
					return task{}, false, true // for the chains under way to end
				}
				if !room {
					f.drop(t.url)
					f.pop()
					continue
				}
				f.spent++
				f.open++
				f.openSpent++
				f.urls[t.url] = taken
			}
			f.pop()
			return t, true, false
		case f.active > 0:
			return task{}, false, true
		case len(f.next) > 0:
			f.nextLevel()
		default:
			return task{}, false, false
		}
	}
}

// drop forgets scheduled URL u: --max-pages keeps it from being
// fetched. Next passes it on. The lock must be held.
func (f *MemoryFrontier) drop(u string) {
	delete(f.urls, u)
	f.dropped = append(f.dropped, u)
}

// forget takes recorded URL u out of the seen set: the crawl's graph
// holds it (see Frontier), so that the seen set holds the URLs
// scheduled and not yet fetched, not the whole site. The lock must be
// held.
func (f *MemoryFrontier) forget(u string) {
	delete(f.urls, u)
	f.urls = shrink(f.urls, &f.urlsMost)
}

// pop removes the queue's first task, and gives back the room of a
// queue that has shrunk. The lock must be held.
func (f *MemoryFrontier) pop() {
	f.queue[f.head] = task{}
	f.head++
	if f.head > 1024 && f.head*2 > len(f.queue) {
		rest := f.queue[f.head:]
		if cap(f.queue) > 4*len(rest) {
			f.queue = append(make([]task, 0, 2*len(rest)), rest...)
		} else {
			f.queue = append(f.queue[:0], rest...)
		}
		f.head = 0
	}
}

// nextLevel makes the entry URLs found at this level the queue of the
// next, in the order in which a crawl of one request at a time would
// have found them first: by the rank of the page that links to them,
// then by the place of the link in the page (see found), then by URL.
// The order in which pages finish depends on timing, this order does
// not. The ones --max-pages can never reach (each costs a URL) are
// dropped. The lock must be held.
func (f *MemoryFrontier) nextLevel() {
	f.level++
	entries := f.next[:0]
	for i, e := range f.next {
		if j, ok := f.urls[e.url]; ok && j == int32(i) {
			entries = append(entries, e)
		} // else taken on the way as a hop, or dropped (and maybe scheduled again, further on)
	}
	f.next = nil
	slices.SortFunc(entries, func(a, b later) int { return cmp.Or(cmp.Compare(a.order, b.order), cmp.Compare(a.url, b.url)) })
	room := len(entries)
	if f.limit > 0 {
		room = max(f.limit-f.spent, 0)
	}
	f.queue, f.head = f.queue[:0], 0
	for _, e := range entries {
		if len(f.queue) >= room {
			f.drop(e.url)
			continue
		}
		f.urls[e.url] = queuedNow
		f.queue = append(f.queue, task{kind: TaskURL, url: e.url, depth: f.level, rank: int32(min(len(f.queue), math.MaxInt32-1)), asset: e.asset})
	}
}

// Done reports a task finished (see Frontier).
func (f *MemoryFrontier) Done(t Task, chained, recorded bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.active--
	if t.Kind == TaskURL && recorded {
		f.forget(t.URL)
	}
	if t.Kind == TaskURL && !chained {
		// The chain ends: it took this URL and those before it.
		f.open--
		f.openSpent -= int(t.Hop) + 1
	}
	f.cond.Broadcast()
}

// Stop ends the crawl early (see Frontier).
func (f *MemoryFrontier) Stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopped = true
	f.cond.Broadcast()
}

// Queued returns how many tasks wait (see Frontier).
func (f *MemoryFrontier) Queued() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.queue) - f.head + len(f.hops) + len(f.next)
}
