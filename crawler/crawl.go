package crawler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Defaults for zero Config fields.
const (
	DefaultConcurrency = 8
	DefaultTimeout     = 15 * time.Second
	DefaultMaxBody     = 5 << 20
)

// crawl is one run of Crawl: the frontier hands out tasks, a fetcher
// makes each task's record (or the store gives it back), and the
// builder folds it into the graph and Adds to the frontier the tasks it
// leads to (frontier.go, fetcher.go, builder.go).
//
// Locks: the builder's state (the graph, pending URLs and their waiting
// references) is under mu, and the frontier has its own. The crawl
// calls the frontier with mu held (Add, Queued), never the other way
// round: the frontier tells of the URLs it drops through Next's dropped
// function, which it calls without its lock, and which takes mu.
type crawl struct {
	cfg      Config
	ctx      context.Context // the crawl's: cancelled by the caller, or by stop
	cancel   context.CancelFunc
	g        *Graph
	fetch    *fetcher
	store    Store
	frontier Frontier
	policy

	mu          sync.Mutex
	pending     map[string]*pending // URLs referenced or scheduled, not yet fetched
	waiting     waitList            // the references to pending URLs
	pendingMost int                 // the most pending URLs since the map was last made
	kept        column[keptRef]     // references the graph keeps (see keepsReferences)
	keptStrs    arena               // their sources and texts
	storeErr    *StoreError         // the store failed: the crawl stopped
	unrecorded  int                 // tasks an offline crawl had no record of

	// Scratch room of addRefs and schedule.
	adds  []Task
	added []AddResult
	metas []refMeta

	sitemapsRead    int // sitemaps begun
	sitemapsSkipped int // sitemaps not read because of a limit
}

// Crawl crawls from cfg.Seeds and returns what it learnt. A cancelled
// context cuts the crawl short and the graph says so in Stats.Cancelled.
// It returns an error when the configuration is unusable (and no graph),
// or a *StoreError when cfg.Store failed, which stops the crawl (with the
// graph of what was fetched).
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
	c.g.Stats.Cancelled = ctx.Err() != nil || c.storeErr != nil || c.unrecorded > 0
	site, failures := c.failures()
	c.g.Stats.Failed = len(failures)
	if !c.g.Stats.Cancelled && c.g.Stats.Unreachable == "" {
		c.g.Stats.Unreachable = c.unreachable(site, failures)
	}
	c.finish()
	if c.storeErr != nil {
		return c.g, c.storeErr
	}
	return c.g, nil
}

func newCrawl(ctx context.Context, cfg Config) (*crawl, error) {
	if cfg.Offline && cfg.Store == nil {
		return nil, errors.New("an offline crawl needs a store")
	}
	cfg = withDefaults(cfg)
	b, err := begin(&cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	c := &crawl{
		cfg:      cfg,
		ctx:      ctx,
		cancel:   cancel,
		g:        &Graph{Scope: b.scope},
		store:    cfg.Store,
		frontier: cfg.Frontier,
		pending:  map[string]*pending{},
	}
	c.policy = policy{cfg: &c.cfg, scope: b.scope}
	if c.frontier == nil {
		c.frontier = NewMemoryFrontier(cfg)
	}
	f, err := newFetcher(ctx, cfg, b.scope, b.origins, c.frontier.Politeness(), c.logf, c.stop)
	if err != nil {
		cancel()
		return nil, err
	}
	c.fetch = f

	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range b.tasks {
		if t.Kind == TaskURL {
			c.addRefs([]Reference{{Kind: RefSeed, Target: t.URL}}, 0, 0)
			t.URL = c.internURL(t.URL)
		}
		c.schedule(t)
	}
	return c, nil
}

// withDefaults returns cfg with its zero fields set to their defaults.
func withDefaults(cfg Config) Config {
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
	return cfg
}

// beginning is how a crawl of some settings begins: its scope, the
// origins of its start URLs, and the tasks it schedules first.
type beginning struct {
	scope   Scope
	origins map[string]bool // see headerOrigin
	// tasks, in the order they are scheduled: each start URL and its
	// origin's robots.txt, then the sitemaps given.
	tasks []Task
}

// begin returns how a crawl of cfg begins, or why its start URLs or
// sitemaps are unusable.
func begin(cfg *Config) (*beginning, error) {
	if len(cfg.Seeds) == 0 {
		return nil, errors.New("no start URL")
	}
	b := &beginning{scope: Scope{Subdomains: cfg.Subdomains}, origins: map[string]bool{}}
	for i, s := range cfg.Seeds {
		u, err := Normalize(s)
		if err != nil {
			return nil, fmt.Errorf("start URL %q: %w", s, err)
		}
		p, _ := url.Parse(u)
		b.origins[headerOrigin(p)] = true
		if host := p.Hostname(); !slices.Contains(b.scope.Hosts, host) {
			b.scope.Hosts = append(b.scope.Hosts, host)
		}
		b.tasks = append(b.tasks, Task{Kind: TaskURL, URL: u, Rank: int32(min(i, math.MaxInt32-1))})
		if !cfg.ListMode && !cfg.NoSitemaps {
			b.tasks = append(b.tasks, Task{Kind: TaskSitemaps, URL: p.Scheme + "://" + p.Host})
		}
	}
	if !cfg.ListMode {
		for _, s := range cfg.Sitemaps {
			u, err := Normalize(s)
			if err != nil {
				return nil, fmt.Errorf("sitemap %q: %w", s, err)
			}
			b.tasks = append(b.tasks, Task{Kind: TaskSitemap, URL: u, From: SitemapGiven})
		}
	}
	return b, nil
}

// newFetcher makes the fetcher of a crawl of cfg; stop ends the crawl.
func newFetcher(ctx context.Context, cfg Config, scope Scope, origins map[string]bool, gates Politeness, logf func(string, ...any), stop func(string)) (*fetcher, error) {
	tr, err := newTransport(cfg)
	if err != nil {
		return nil, err
	}
	f := &fetcher{
		cfg:       cfg,
		ctx:       ctx,
		retry:     newRetryPolicy(cfg),
		scope:     scope,
		transport: tr,
		headers:   newHeaders(&cfg),
		lanes:     make(chan *lane, cfg.Concurrency),
		plain: &http.Client{Transport: tr, Timeout: cfg.Timeout, CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) > 5 {
				return errors.New("more than 5 redirects")
			}
			return nil
		}},
		gates:   gates,
		origins: origins,
		logf:    logf,
		stop:    stop,
	}
	f.robots = newRobots(f.plain, cfg.UserAgent, f.requestHeader, logf, f.retry)
	return f, nil
}

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
			c.frontier.Stop()
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
	dropped := c.dropped // one func value, not one per task
	for {
		t, ok := c.frontier.Next(dropped)
		if !ok {
			return
		}
		chained, recorded := false, false
		switch t.Kind {
		case TaskURL:
			if rec := c.obtain(RecordURL, t, c.fetch.url); rec != nil {
				chained, recorded = c.foldURL(t, rec), true
			}
		case TaskSitemap:
			if c.startSitemap(t) {
				if rec := c.obtain(RecordSitemap, t, c.fetch.sitemap); rec != nil {
					c.foldSitemap(rec)
				}
			}
		case TaskSitemaps:
			if rec := c.obtain(RecordSitemaps, t, c.fetch.robotsSitemaps); rec != nil {
				c.foldSitemaps(rec)
			}
		}
		c.frontier.Done(t, chained, recorded)
	}
}

// obtain returns task t's record: the store's, when it has one, else
// what fetch makes of it, which the store then keeps. It returns nil
// when the crawl was cut short, the store failed, or an offline crawl
// has no record of t.
func (c *crawl) obtain(kind RecordKind, t Task, fetch func(Task) *Record) *Record {
	if c.store == nil {
		return fetch(t)
	}
	rec, err := c.store.Recorded(kind, t.URL)
	switch {
	case err != nil:
		c.failStore(err)
		return nil
	case rec != nil:
		return rec
	case c.cfg.Offline:
		c.mu.Lock()
		c.unrecorded++
		c.mu.Unlock()
		return nil
	}
	if rec = fetch(t); rec == nil {
		return nil
	}
	// The builder only reads the record, which the store may still be
	// writing.
	if err := c.store.Record(rec); err != nil {
		c.failStore(err)
		return nil
	}
	return rec
}

// failStore stops the crawl because its store failed.
func (c *crawl) failStore(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.storeErr == nil {
		c.storeErr = &StoreError{Err: err}
		c.logf("stopping the crawl: %v", err)
	}
	c.frontier.Stop()
	c.cancel()
}

// Beyond these, a crawl is too broken to audit: more than a quarter of
// the site's URLs failed, and at least minFailed of them.
const (
	maxFailedShare = 4 // 1 in
	minFailed      = 10
)

// failed reports whether a fetched response failed after its retries: a
// network error, 429 or 5xx, or a body that could not be read (cut
// short, too slow, sent corrupt), after whatever status: the crawl did
// not learn what the URL answers (see audit's Coverage).
func failed(r *Response) bool { return failedAnswer(r.Status, r.Error != "", r.Blocked) }

// failedAnswer is failed of a response's status, whether it has an
// error, and whether robots.txt blocked it.
func failedAnswer(status int, err, blocked bool) bool {
	return !blocked && (err || status == http.StatusTooManyRequests || status >= 500)
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
		r := c.g.Lookup(u)
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
		return fmt.Sprintf("%d of the site's %d URLs could not be fetched (network errors, unreadable bodies, 429 or 5xx after retries), such as %s: %s",
			bad, site, first.URL, failure(first))
	}
	return ""
}

// crawledPage reports whether a URL of the site answered 2xx, and its
// body was read.
func (c *crawl) crawledPage() bool {
	t := &c.g.responses
	for i := range t.len() {
		if r := t.rows.at(i); r.flags&rowInternal != 0 && r.status >= 200 && r.status < 300 && r.err == 0 {
			return true
		}
	}
	return false
}

// failures counts the site's URLs fetched (robots.txt blocks aside) and
// returns those that failed after their retries.
func (c *crawl) failures() (site int, failures []*Response) {
	t := &c.g.responses
	for i := range t.len() {
		r := t.rows.at(i)
		if r.flags&rowInternal != 0 && r.flags&rowBlocked == 0 {
			site++
			if failedAnswer(int(r.status), r.err != 0, false) {
				failures = append(failures, t.response(i))
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
	case r.Status != 0 && s != "":
		s = fmt.Sprintf("%d %s: %s", r.Status, http.StatusText(r.Status), s) // the head came, the body did not
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
	c.frontier.Stop()
	c.cancel()
}
