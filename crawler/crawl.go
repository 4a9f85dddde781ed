package crawler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gocolly/colly/v2"
)

// Defaults for zero Config fields.
const (
	DefaultConcurrency = 8
	DefaultTimeout     = 15 * time.Second
	DefaultMaxBody     = 5 << 20
)

type taskKind uint8

const (
	fetchURL     taskKind = iota // a page, redirect hop or referenced URL
	readSitemap                  // a sitemap or sitemap index
	findSitemaps                 // an origin whose robots.txt names its sitemaps
)

// task is one entry of the crawl's queue, which holds a site's whole
// frontier: 24 bytes.
type task struct {
	url   string // normalised
	depth int32
	rank  int32 // the entry URL's place in its level's queue: the order of the links found on the way
	hop   uint8 // redirects from the entry URL, up to MaxHops
	kind  taskKind
	from  SitemapSource // of a sitemap: where the crawl learnt of it
	asset bool          // only page resources lead here (see RefKind.Resource): the body is read only when it is HTML
}

// crawl is one run of Crawl.
type crawl struct {
	cfg       Config
	ctx       context.Context // the crawl's: cancelled by the caller, or by stop
	cancel    context.CancelFunc
	retry     retryPolicy
	g         *Graph
	collector *colly.Collector
	raw       *rawResponses
	robots    *robots
	plain     *http.Client // follows up to 5 redirects: robots.txt and sitemaps
	gates     *hostGates
	seedHosts map[string]bool // the start URLs' hosts: the scope
	origins   map[string]bool // the start URLs' origins (see headerOrigin): where Config.Header goes
	interned  sync.Map        // header values that repeat (Content-Type): one string each

	// The frontier is worked through one depth at a time (see next), so
	// that the same site gives the same crawl at any concurrency and any
	// timing: a URL's depth is its shortest link distance, and --max-pages
	// cuts in a fixed order.
	mu          sync.Mutex
	cond        *sync.Cond
	level       int32               // the depth being crawled
	queue       []task              // the level's entry URLs, in order, and the sitemap tasks
	head        int                 // the next of queue
	hops        []task              // next hops of the chains under way: before any entry
	next        []string            // the entry URLs of the next level, in the order found
	pending     map[string]*pending // URLs referenced or scheduled, not yet fetched
	waiting     waitList            // the references to pending URLs
	pendingMost int                 // the most pending URLs since the map was last made
	kept        []Reference         // references the graph keeps (see keepsReferences)
	tasks       map[string]struct{} // sitemap and robots.txt tasks scheduled
	active      int                 // tasks under way
	stopped     bool

	sitemapsRead    int // sitemaps begun
	sitemapsSkipped int // sitemaps not read because of a limit

	// What --max-pages has left, counted so that the URLs fetched do not
	// depend on timing (see take): URLs taken for fetching, chains under
	// way, and the URLs those chains took.
	spent, open, openSpent int
}

// Crawl crawls from cfg.Seeds and returns what it learnt. It returns an
// error only when the configuration is unusable; a cancelled context cuts
// the crawl short and the graph says so in Stats.Cancelled.
func Crawl(ctx context.Context, cfg Config) (*Graph, error) {
	c, err := newCrawl(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer c.cancel()
	c.g.Stats.Started = time.Now()
	c.run()
	if c.sitemapsSkipped > 1 {
		c.logf("warning: %d sitemaps were not read because of a limit (see the sitemaps report)", c.sitemapsSkipped)
	}
	c.g.Stats.Finished = time.Now()
	c.g.Stats.Cancelled = ctx.Err() != nil
	site, failures := c.failures()
	c.g.Stats.Failed = len(failures)
	if !c.g.Stats.Cancelled && c.g.Stats.Unreachable == "" {
		c.g.Stats.Unreachable = c.unreachable(site, failures)
	}
	c.finish()
	return c.g, nil
}

// pending is a URL that was referenced or scheduled but has no
// response yet. The references to it wait here until its response is in
// (see record); a fetched URL's response is in the graph at once.
type pending struct {
	url    string // the normalised URL: responses and references share this string
	refs   int32  // the references to it, in the crawl's waitList
	queued bool   // scheduled for fetching
	later  bool   // scheduled for the next level: a hop of this level takes it sooner
	asset  bool   // every reference that scheduled it is a page resource (see task.asset)
	order  uint64 // of a URL scheduled for the next level: where it was first found (see found)
}

// keepsReferences reports whether the references to a URL stay in the
// graph: all but those to a plain 2xx answer, which no rule needs one by
// one (they are counted in Response.Referrers). This keeps the memory
// of a crawl proportional to its URLs, not to its links.
func keepsReferences(r *Response) bool {
	return r.Status < 200 || r.Status > 299 || r.Refresh != nil || r.Error != "" || r.Blocked
}

// file counts a reference to the fetched URL r, and keeps it when the
// graph keeps the references to r, or it is a start URL. The lock must
// be held.
func (c *crawl) file(r *Response, ref Reference) {
	r.Referrers.count(ref.Kind)
	if keepsReferences(r) || ref.Kind == RefSeed {
		c.kept = append(c.kept, ref)
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
	c.pendingMost = max(c.pendingMost, len(c.pending))
	if c.pendingMost >= 4096 && len(c.pending) < c.pendingMost/4 {
		fresh := make(map[string]*pending, len(c.pending)) // maps.Clone would keep the room
		maps.Copy(fresh, c.pending)
		c.pending, c.pendingMost = fresh, len(fresh)
	}
	if c.waiting.sparse() {
		var fresh waitList
		for _, p := range c.pending {
			p.refs = c.waiting.move(p.refs, &fresh)
		}
		c.waiting = fresh
	}
}

// internURL returns the crawl's copy of a normalised URL, if it has one,
// so that a URL named in many places is one string. The lock must be
// held.
func (c *crawl) internURL(u string) string {
	if r := c.g.Responses[u]; r != nil {
		return r.URL
	}
	if p := c.pending[u]; p != nil {
		return p.url
	}
	return u
}

// found is where a reference was found, for the order of the next
// level: the rank of the page's entry URL, then the place of the
// reference in the page. A sitemap's entries come after every page's
// links.
func found(rank int32, i int) uint64 { return uint64(uint32(rank))<<32 | uint64(uint32(i)) }

// sitemapRank is the rank of a sitemap's entries (see found).
const sitemapRank = math.MaxInt32

// addRefs files references found at the given depth, on a page of the
// given rank (see found), under their targets and schedules the targets
// the settings let the crawl fetch.
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
	for i, ref := range refs {
		if c.cfg.NoResources && ref.Kind.Resource() {
			continue
		}
		if r := c.g.Responses[ref.Target]; r != nil {
			ref.Target = r.URL
			c.file(r, ref)
			continue
		}
		p := c.pending[ref.Target]
		// Seeds are scheduled by Crawl, refreshes as the next hop of a chain.
		hop := ref.Kind == RefSeed || ref.Kind == RefMetaRefresh || ref.Kind == RefRefreshHeader || ref.Kind == RefJavaScript
		if (p == nil || !p.queued) && !hop {
			fetchable := c.fetchable(ref.Target, depth, ref.Kind.Resource())
			follow := !ref.Nofollow || c.cfg.FollowNofollow
			scheduled := fetchable && follow &&
				c.push(task{kind: fetchURL, url: ref.Target, depth: int32(depth), asset: ref.Kind.Resource()})
			if p == nil && !scheduled && !(fetchable && !follow) {
				continue
			}
		}
		p = c.pendingOf(ref.Target)
		if !ref.Kind.Resource() {
			p.asset = false // a page links it: its body is read
		}
		if p.later {
			p.order = min(p.order, found(rank, i))
		}
		p.refs = c.waiting.add(p.refs, waiting{kind: ref.Kind, nofollow: ref.Nofollow, source: ref.Source, text: ref.Text})
	}
}

// finish completes the graph's references: those kept as the crawl went
// and those to URLs never fetched.
func (c *crawl) finish() {
	refs := c.kept
	for _, p := range c.pending {
		c.waiting.take(p.refs, func(w *waiting) { refs = append(refs, w.to(p.url)) })
	}
	// Pages are read in parallel: sort so that the graph is the same
	// from run to run.
	slices.SortFunc(refs, func(a, b Reference) int {
		return cmp.Or(cmp.Compare(a.Target, b.Target), cmp.Compare(a.Source, b.Source),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Text, b.Text))
	})
	c.g.References = slices.Clip(refs)
	// Sitemaps are read in parallel: in URL order, the graph is the same
	// from run to run.
	slices.SortFunc(c.g.Sitemaps, func(a, b Sitemap) int { return cmp.Compare(a.URL, b.URL) })
	c.kept, c.pending, c.waiting = nil, nil, waitList{}
}

func newCrawl(ctx context.Context, cfg Config) (*crawl, error) {
	if len(cfg.Seeds) == 0 {
		return nil, errors.New("no start URL")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	cfg.MaxBody = min(cfg.MaxBody, math.MaxInt32-1)
	if cfg.UserAgent == "" {
		cfg.UserAgent = "hopaudit"
	}
	tr, err := newTransport(cfg)
	if err != nil {
		return nil, err
	}
	raw := &rawResponses{next: tr}
	ctx, cancel := context.WithCancel(ctx)
	c := &crawl{
		cfg:    cfg,
		ctx:    ctx,
		cancel: cancel,
		retry:  newRetryPolicy(cfg),
		g:      &Graph{Responses: map[string]*Response{}, Scope: Scope{Subdomains: cfg.Subdomains}},
		raw:    raw,
		plain: &http.Client{Transport: tr, Timeout: cfg.Timeout, CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) > 5 {
				return errors.New("more than 5 redirects")
			}
			return nil
		}},
		gates:     newHostGates(cfg),
		seedHosts: map[string]bool{},
		origins:   map[string]bool{},
		pending:   map[string]*pending{},
		tasks:     map[string]struct{}{},
	}
	c.cond = sync.NewCond(&c.mu)
	c.robots = newRobots(c.plain, cfg.UserAgent, c.requestHeader, c.logf, c.retry)

	c.collector = colly.NewCollector(
		colly.StdlibContext(ctx),
		colly.AllowURLRevisit(), // the frontier fetches each URL once
		colly.ParseHTTPErrorResponse(),
		colly.IgnoreRobotsTxt(), // robots.txt is read by the crawler, to record blocked URLs
		colly.MaxBodySize(int(cfg.MaxBody)+1),
	)
	c.collector.SetClient(&http.Client{
		Transport: raw,
		Timeout:   cfg.Timeout,
		// Every hop is its own request: net/http follows nothing.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	})
	c.collector.OnRequest(func(r *colly.Request) { result(r.Ctx).requestURL = r.URL.String() })
	c.collector.OnResponseHeaders(func(r *colly.Response) {
		res := result(r.Ctx)
		res.status, res.header = r.StatusCode, *r.Headers
		if res.resource && !mayBeHTML(r.StatusCode, res.header.Get("Content-Type")) {
			res.headersOnly = true
			r.Request.Abort()
		}
	})
	c.collector.OnResponse(func(r *colly.Response) { result(r.Ctx).body = r.Body })

	for i, s := range cfg.Seeds {
		u, err := Normalize(s)
		if err != nil {
			return nil, fmt.Errorf("start URL %q: %w", s, err)
		}
		p, _ := url.Parse(u)
		c.origins[headerOrigin(p)] = true
		host := p.Hostname()
		if !c.seedHosts[host] {
			c.seedHosts[host] = true
			c.g.Scope.Hosts = append(c.g.Scope.Hosts, host)
		}
		c.mu.Lock()
		c.addRefs([]Reference{{Kind: RefSeed, Target: u}}, 0, 0)
		u = c.internURL(u)
		c.mu.Unlock()
		c.enqueue(task{kind: fetchURL, url: u, rank: int32(min(i, math.MaxInt32-1))})
		if !cfg.ListMode && !cfg.NoSitemaps {
			c.enqueue(task{kind: findSitemaps, url: p.Scheme + "://" + p.Host})
		}
	}
	if !cfg.ListMode {
		for _, s := range cfg.Sitemaps {
			u, err := Normalize(s)
			if err != nil {
				return nil, fmt.Errorf("sitemap %q: %w", s, err)
			}
			c.enqueue(task{kind: readSitemap, url: u, from: SitemapGiven})
		}
	}
	return c, nil
}

// fetchResult collects what colly's callbacks see of one request.
type fetchResult struct {
	epoch      int // the host gate's, when the request started
	requestURL string
	status     int
	header     http.Header
	body       []byte
	// resource: a page resource, whose body is read only when it is
	// HTML; headersOnly: its body was not read (see request).
	resource, headersOnly bool
}

const resultKey = "hopaudit"

func result(ctx *colly.Context) *fetchResult { return ctx.GetAny(resultKey).(*fetchResult) }

func (c *crawl) logf(format string, args ...any) {
	if c.cfg.Log != nil {
		fmt.Fprintf(c.cfg.Log, format+"\n", args...)
	}
}

// run works through the frontier with a fixed pool of workers until it
// is empty or the context is cancelled.
func (c *crawl) run() {
	done := make(chan struct{})
	go func() {
		select {
		case <-c.ctx.Done():
			c.mu.Lock()
			c.stopped = true
			c.cond.Broadcast()
			c.mu.Unlock()
		case <-done:
		}
	}()
	var wg sync.WaitGroup
	for range c.cfg.Concurrency {
		wg.Go(c.work)
	}
	wg.Wait()
	close(done)
}

func (c *crawl) work() {
	for {
		c.mu.Lock()
		t, ok := c.take()
		if !ok {
			c.cond.Broadcast()
			c.mu.Unlock()
			return
		}
		c.active++
		c.mu.Unlock()

		chained := false
		switch t.kind {
		case fetchURL:
			chained = c.fetch(t)
		case readSitemap:
			c.sitemap(t)
		case findSitemaps:
			c.findSitemaps(t)
		}

		c.mu.Lock()
		c.active--
		if t.kind == fetchURL && !chained {
			// The chain ends: it took this URL and those before it.
			c.open--
			c.openSpent -= int(t.hop) + 1
		}
		c.cond.Broadcast()
		c.mu.Unlock()
	}
}

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

// fetch requests one URL (never following its redirects), records the
// response and schedules what it leads to. It reports whether its chain
// goes on: the next hop was scheduled.
func (c *crawl) fetch(t task) (chained bool) {
	u, err := url.Parse(t.url)
	if err != nil {
		return false
	}
	r := &Response{URL: t.url, Depth: int(t.depth), Internal: c.g.Scope.internalHost(u.Hostname())}
	if !c.cfg.IgnoreRobots && !c.robots.allowed(c.ctx, u) {
		r.Blocked = true
		r.Error = c.robots.unreachable(c.ctx, u) // robots.txt failed: why all is disallowed
		c.record(r, nil, t.rank)
		return false
	}
	res, err := c.request(r, u, t.asset)
	if res == nil {
		return false // cut short: the URL stays unfetched
	}
	if err != nil {
		r.Error = errorText(err)
		var refused *refusedError
		r.Refused = errors.As(err, &refused)
	}
	r.Status = res.status
	if r.Internal {
		what := ""
		if failed(r) {
			what = failure(r) // for the safeguard's message; a success says nothing
		}
		if why := c.gates.outcome(u.Host, res.epoch, what != "", what); why != "" {
			c.stop(why)
		}
	}
	if res.header != nil {
		c.readHeader(r, u, res.header)
	}
	body := res.body
	if int64(len(body)) > c.cfg.MaxBody {
		body, r.Truncated = body[:c.cfg.MaxBody], true
	}
	r.Bytes = int64(len(body))

	var refs []Reference
	if r.Status >= 200 && r.Status < 300 && r.Error == "" {
		// A Refresh header comes before any meta refresh in the page.
		_, _, headerRefresh := ParseRefresh(res.header.Get("Refresh"))
		if r.Internal && !c.cfg.ListMode {
			refs = linkHeader(strings.Join(res.header.Values("Link"), ", "), u, r.URL)
			if r.Refresh != nil {
				refs = append(refs, Reference{Kind: RefRefreshHeader, Source: r.URL, Target: r.Refresh.URL, Text: r.Refresh.Raw})
			}
		}
		if isHTML(r.ContentType, body) && (r.Internal || c.cfg.ListMode) {
			p, err := extractPage(u, body)
			if err != nil {
				r.ParseError = err.Error()
			} else {
				r.Parsed = true
				r.Canonical = p.canonical
				r.Noindex = r.Noindex || p.noindex
				if !p.nofollow && isNofollow(strings.Join(res.header.Values("X-Robots-Tag"), ", ")) {
					p.nofollow = true
					nofollowAll(p.refs)
				}
				if p.nofollow && r.Depth == 0 && !c.cfg.FollowNofollow && !c.cfg.ListMode {
					c.logf("warning: %s says nofollow (robots meta tag or X-Robots-Tag, as a staging site often does): its links are not followed; --follow-nofollow crawls them", r.URL)
				}
				if !headerRefresh {
					r.Refresh = p.refresh
				}
				if !c.cfg.ListMode {
					if headerRefresh {
						p.refs = slices.DeleteFunc(p.refs, func(ref Reference) bool { return ref.Kind == RefMetaRefresh || ref.Kind == RefJavaScript })
					}
					if refs == nil { // most pages: no Link or Refresh header
						refs = p.refs
					} else {
						refs = append(refs, p.refs...)
					}
				}
			}
		}
	}
	// The next hop is scheduled before the page's links, so that chains
	// are completed first when --max-pages runs out.
	if target, _, ok := r.Next(); ok && t.hop < MaxHops {
		// A hop's body is read whoever asked for its chain: two chains
		// may reach one URL in either order.
		chained = c.followHop(task{kind: fetchURL, url: target, depth: t.depth, rank: t.rank, hop: t.hop + 1})
	}
	c.record(r, uniqueRefs(refs), t.rank)
	return chained
}

// request GETs u for the response r, trying again after a transient
// failure (see retryPolicy), and returns what the last try got; nil
// when the crawl was cut short. A 429 or 503 also slows the host down
// for the rest of the crawl.
//
// Of a resource, only the header is read unless the answer is a 2xx
// HTML page (or says no Content-Type, which the body tells): an image
// or a video is not downloaded to learn its status.
func (c *crawl) request(r *Response, u *url.URL, resource bool) (*fetchResult, error) {
	for attempt := 0; ; attempt++ {
		epoch, err := c.gates.acquire(c.ctx, u.Host)
		if err != nil {
			return nil, err
		}
		res := &fetchResult{epoch: epoch, resource: resource}
		cctx := colly.NewContext()
		cctx.Put(resultKey, res)
		start := time.Now()
		err = c.collector.Request(http.MethodGet, r.URL, nil, cctx, c.requestHeader(u))
		r.Elapsed = time.Since(start)
		c.gates.done(u.Host)
		if res.headersOnly && errors.Is(err, colly.ErrAbortedAfterHeaders) {
			err = nil // the body was not wanted
		}
		if err != nil && c.ctx.Err() != nil {
			return nil, err
		}
		if res.status == 0 {
			if kept := c.raw.take(res.requestURL); kept != nil {
				res.status, res.header = kept.StatusCode, kept.Header
				err = nil // the Location error is recorded by the caller
			}
		}
		r.Attempts = uint8(min(attempt+1, math.MaxUint8))
		if !transient(res.status, err) || attempt >= c.retry.retries {
			return res, err
		}
		wait := c.retry.wait(attempt, res.header, time.Now())
		if res.status == http.StatusTooManyRequests || res.status == http.StatusServiceUnavailable {
			c.gates.slowDown(u.Host, wait)
		}
		if sleep(c.ctx, wait) != nil {
			return nil, c.ctx.Err()
		}
	}
}

// Beyond these, a crawl is too broken to audit: more than a quarter of
// the site's URLs failed, and at least minFailed of them.
const (
	maxFailedShare = 4 // 1 in
	minFailed      = 10
)

// failed reports whether a fetched response failed after its retries: a
// network error, 429 or 5xx.
func failed(r *Response) bool {
	return !r.Blocked && (r.Status == 0 && r.Error != "" || r.Status == http.StatusTooManyRequests || r.Status >= 500)
}

// unreachable says why a finished crawl cannot be trusted, "" when it
// can: its start URLs all failed (a site down, or answering 503
// everywhere), were blocked (robots.txt disallows them, or could not be
// read), or, in a crawl that reached no page of the site otherwise,
// answered 4xx, so nothing was audited; or too many of the site's URLs
// failed.
func (c *crawl) unreachable(site int, failures []*Response) string {
	var first *Response
	denied := false // a start URL answered 4xx
	for _, s := range c.cfg.Seeds {
		u, _ := Normalize(s) // newCrawl checked it
		r := c.g.Responses[u]
		// In a crawl (not a list), a start URL that answers 4xx lets
		// nothing in: a 404 home page, a 403 from a firewall.
		shut := !c.cfg.ListMode && r != nil && !r.Blocked && r.Status >= 400 && r.Status < 500
		if r == nil || !failed(r) && !r.Blocked && !shut {
			first = nil // fetched, or never tried: the crawl started
			break
		}
		denied = denied || shut
		if first == nil {
			first = r
		}
	}
	if first != nil && denied && c.crawledPage() {
		first = nil // the crawl went in elsewhere: a sitemap's pages
	}
	if first != nil {
		if len(c.cfg.Seeds) == 1 {
			return fmt.Sprintf("the start URL could not be fetched: %s: %s", first.URL, failure(first))
		}
		return fmt.Sprintf("none of the %d start URLs could be fetched; the first: %s: %s", len(c.cfg.Seeds), first.URL, failure(first))
	}
	if bad := len(failures); bad >= minFailed && bad*maxFailedShare > site {
		first := slices.MinFunc(failures, func(a, b *Response) int { return cmp.Compare(a.URL, b.URL) })
		return fmt.Sprintf("%d of the site's %d URLs could not be fetched (network errors, 429 or 5xx after retries), such as %s: %s",
			bad, site, first.URL, failure(first))
	}
	return ""
}

// crawledPage reports whether a URL of the site answered 2xx.
func (c *crawl) crawledPage() bool {
	for _, r := range c.g.Responses {
		if r.Internal && r.Status >= 200 && r.Status < 300 {
			return true
		}
	}
	return false
}

// failures counts the site's URLs fetched (robots.txt blocks aside) and
// returns those that failed after their retries.
func (c *crawl) failures() (site int, failures []*Response) {
	for _, r := range c.g.Responses {
		if r.Internal && !r.Blocked {
			site++
			if failed(r) {
				failures = append(failures, r)
			}
		}
	}
	return site, failures
}

// failure says what a failed or blocked response got, for messages.
func failure(r *Response) string {
	s := r.Error
	switch {
	case r.Blocked && s == "":
		return "disallowed by robots.txt (--ignore-robots crawls it anyway)"
	case r.Blocked:
		return s
	case r.Status != 0:
		s = fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status))
	}
	if r.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", r.Attempts)
	}
	return s
}

// stop ends the crawl early because the site stopped answering: the
// requests in flight are cancelled, and Stats.Unreachable says why.
func (c *crawl) stop(why string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.g.Stats.Unreachable == "" {
		c.g.Stats.Unreachable = why
		c.logf("stopping the crawl: %s", why)
	}
	c.stopped = true
	c.cond.Broadcast()
	c.cancel()
}

// requestHeader is the header of a request to u: the User-Agent, and the
// extra headers when u has the origin of a start URL. Credentials go
// nowhere else: not to another port or scheme of the same host name (so
// never in cleartext when the start URL was https), not to a www twin,
// not to robots.txt or sitemaps elsewhere, as curl keeps them (CVE-2022-27776).
func (c *crawl) requestHeader(u *url.URL) http.Header {
	h := make(http.Header, 1+len(c.cfg.Header))
	if len(c.cfg.Header) > 0 && c.origins[headerOrigin(u)] {
		for k, v := range c.cfg.Header {
			h[k] = v
		}
	}
	h.Set("User-Agent", c.cfg.UserAgent)
	return h
}

// headerOrigin is the origin requestHeader matches u by: its normalised
// scheme, host and port, whatever userinfo u has.
func headerOrigin(u *url.URL) string {
	v := *u
	v.User = nil
	return origin(&v)
}

// intern returns one shared copy of a short header value, so that a
// million responses with the same Content-Type hold one string.
func (c *crawl) intern(s string) string {
	if s == "" || len(s) > 100 {
		return s
	}
	v, _ := c.interned.LoadOrStore(s, s)
	return v.(string)
}

// uniqueRefs keeps the first of the references of one page that share
// kind and target (and language, for hreflang alternates). It is a
// nofollow link only if all of them are: a page that links to a URL
// both ways links to it.
func uniqueRefs(refs []Reference) []Reference {
	type key struct {
		kind         RefKind
		target, lang string
	}
	seen := make(map[key]int, len(refs)) // the index of the kept one
	out := refs[:0]
	for _, ref := range refs {
		k := key{ref.Kind, ref.Target, ""}
		if ref.Kind == RefHreflang {
			k.lang = ref.Text
		}
		if i, dup := seen[k]; dup {
			out[i].Nofollow = out[i].Nofollow && ref.Nofollow
			continue
		}
		seen[k] = len(out)
		out = append(out, ref)
	}
	clear(refs[len(out):]) // as slices.DeleteFunc does: no string kept alive
	return out
}

// readHeader copies the header fields the audit reads.
func (c *crawl) readHeader(r *Response, u *url.URL, h http.Header) {
	join := func(k string) string { return strings.Join(h.Values(k), ", ") }
	locations := h.Values("Location")
	is3xx := r.Status >= 300 && r.Status <= 399
	// Every 3xx gets a Redirect, with or without a Location: the cache
	// rules read its Header.
	if is3xx || len(locations) > 0 {
		r.Redirect = &Redirect{}
	}
	if is3xx {
		hdr := Headers{
			CacheControl: join("Cache-Control"),
			Expires:      join("Expires"),
			Vary:         join("Vary"),
			RetryAfter:   join("Retry-After"),
			Refresh:      join("Refresh"),
			Link:         join("Link"),
			XRobotsTag:   join("X-Robots-Tag"),
			XRedirectBy:  cut(join("X-Redirect-By"), MaxXRedirectBy),
		}
		// Most redirects carry none of these: keep nothing for them
		// (Date only matters next to Expires).
		if hdr != (Headers{}) {
			hdr.Date = join("Date")
			r.Redirect.Header = &hdr
		}
	}
	r.ContentType = c.intern(h.Get("Content-Type"))
	r.Noindex = isNoindex(join("X-Robots-Tag"))
	if len(locations) > 0 {
		// A copy: the header's own slice shares one array with every field.
		r.Redirect.Locations = slices.Clone(locations)
		if first := strings.TrimSpace(locations[0]); first != "" {
			target, err := Resolve(u, first)
			if err != nil {
				r.Redirect.LocationErr = err.Error()
			} else {
				r.Redirect.Location = target
			}
		}
	}
	if r.Status >= 200 && r.Status < 300 && h.Get("Refresh") != "" {
		r.Refresh, _ = refreshTo(HopRefreshHeader, h.Get("Refresh"), u, r.URL)
	}
}

// cut returns s cut to at most n bytes, before a character that would
// be split, so that a valid string stays valid.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for back := 0; back < utf8.UTFMax-1 && n > 0 && !utf8.RuneStart(s[n]); back++ {
		n--
	}
	return s[:n]
}

// record adds a response and the references found in it to the graph;
// rank is its entry URL's (see found).
func (c *crawl) record(r *Response, refs []Reference, rank int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.pending[r.URL]; p != nil {
		delete(c.pending, r.URL)
		r.URL = p.url
		c.waiting.take(p.refs, func(w *waiting) { c.file(r, w.to(p.url)) })
		c.shrinkFrontier()
	}
	c.g.Responses[r.URL] = r
	c.addRefs(refs, r.Depth+1, rank)
	// One string per URL: the targets this response names share the
	// crawl's strings (they were scheduled or referenced just now).
	if r.Redirect != nil {
		r.Redirect.Location = c.internURL(r.Redirect.Location)
	}
	r.Canonical = c.internURL(r.Canonical)
	if r.Refresh != nil {
		r.Refresh.URL = c.internURL(r.Refresh.URL)
	}
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
		c.cfg.Progress(Progress{Fetched: c.g.Stats.Fetched, Queued: len(c.queue) - c.head + len(c.hops) + len(c.next), Errors: c.g.Stats.Errors})
	}
}

// findSitemaps reads an origin's robots.txt for Sitemap lines, else (or
// when robots.txt is ignored) tries /sitemap.xml.
func (c *crawl) findSitemaps(t task) {
	u, err := url.Parse(t.url)
	if err != nil {
		return
	}
	var sitemaps []string
	if !c.cfg.IgnoreRobots {
		sitemaps = c.robots.file(c.ctx, u).sitemaps
	}
	from := SitemapRobots
	if len(sitemaps) == 0 {
		sitemaps, from = []string{t.url + "/sitemap.xml"}, SitemapGuessed
	}
	for _, s := range sitemaps {
		n, err := Normalize(strings.TrimSpace(s))
		if err != nil || !strings.Contains(s, "://") {
			// Never silent: a row that says why it was not read.
			why := fmt.Sprintf("%s: not an absolute http(s) URL, as a Sitemap line must be", notRead)
			if err != nil {
				why = fmt.Sprintf("%s: %s", notRead, err)
			}
			c.logf("warning: sitemap %q (%s of %s): %s", s, from, t.url, why)
			c.mu.Lock()
			c.g.Sitemaps = append(c.g.Sitemaps, Sitemap{URL: s, From: from, Error: why})
			c.mu.Unlock()
			continue
		}
		c.enqueue(task{kind: readSitemap, url: n, from: from})
	}
}

// sitemap reads a sitemap or sitemap index; each <loc> of a sitemap is an
// entry URL whose source is the sitemap. A sitemap that fails or is cut
// at a limit, and one not read because of a limit, is a warning on the
// log and a row of Graph.Sitemaps with its error; a guessed
// /sitemap.xml that answers 404 is only a row, as most sites have none.
func (c *crawl) sitemap(t task) {
	sm := Sitemap{URL: t.url, From: t.from}
	c.mu.Lock()
	read := c.sitemapsRead
	switch {
	case read >= maxSitemaps:
		sm.Error = fmt.Sprintf("%s: a crawl reads at most %d sitemaps", notRead, maxSitemaps)
	case c.g.Stats.MaxPagesReached || c.cfg.MaxPages > 0 && read >= c.cfg.MaxPages:
		sm.Error = notRead + ": --max-pages was reached, no entry could be fetched"
	}
	if sm.Error != "" {
		// An endless supply of sitemaps must not keep the crawl going.
		if c.sitemapsSkipped++; c.sitemapsSkipped == 1 {
			c.logf("warning: sitemap %s (%s) %s; further sitemaps are not read either", sm.URL, sm.From, sm.Error)
		}
		c.g.Sitemaps = append(c.g.Sitemaps, sm)
		c.mu.Unlock()
		return
	}
	c.sitemapsRead++
	c.mu.Unlock()
	base, _ := url.Parse(t.url)
	var status int
	var locs []string
	var index bool
	var err error
	for attempt := 0; ; attempt++ {
		status, locs, index, err = fetchSitemap(c.ctx, c.plain, c.requestHeader, t.url)
		if !c.retry.again(c.ctx, attempt, transient(status, err), http.Header{}) {
			break
		}
	}
	sm.Status, sm.Index = status, index
	if err != nil {
		if c.ctx.Err() != nil {
			return
		}
		sm.Error = errorText(err)
	}
	if index && t.depth > 0 {
		sm.Error, locs = "a sitemap index listed in a sitemap index: not read, indexes do not nest", nil
	}
	if sm.Error != "" && !(t.from == SitemapGuessed && status == http.StatusNotFound) {
		c.logf("warning: sitemap %s (%s): %s", sm.URL, sm.From, sm.Error)
	}
	var refs []Reference
	for _, loc := range locs {
		target, err := Resolve(base, loc)
		if err != nil {
			continue
		}
		if sm.Index {
			c.enqueue(task{kind: readSitemap, url: target, depth: 1, from: SitemapIndex})
			continue
		}
		refs = append(refs, Reference{Kind: RefSitemap, Source: t.url, Target: target})
	}
	sm.Entries = len(locs)
	c.mu.Lock()
	c.g.Sitemaps = append(c.g.Sitemaps, sm)
	c.addRefs(refs, 1, sitemapRank)
	c.mu.Unlock()
}

// notRead starts the error of a sitemap that a limit kept from being read.
const notRead = "not read"

// errorText is an error without the "Get URL:" wrapping of net/http.
func errorText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// isHTML tells an HTML body by its Content-Type, or by sniffing when
// there is none.
func isHTML(contentType string, body []byte) bool {
	if contentType == "" {
		contentType = http.DetectContentType(body)
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "text/html" || mt == "application/xhtml+xml")
}
