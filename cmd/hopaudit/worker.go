package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hopaudit/hopaudit/cluster"
)

func workerHelp(print func(io.Writer)) func(io.Writer) {
	return func(w io.Writer) {
		fmt.Fprint(w, `Usage: hopaudit worker --redis URL [--crawl-id ID] [flags]

Joins a crawl shared through the Redis database at URL, which
"hopaudit crawl --redis URL" created, and fetches its URLs until the
crawl is over; the crawl's coordinator audits it and writes the reports.
Without --crawl-id it joins the only crawl in the database; with --wait
it waits for one to be created. Without --redis, the URL is taken from
$HOPAUDIT_REDIS, which keeps a password out of the process list. Workers may
join and leave at any time: the URLs a worker was fetching when it
stopped or died are fetched by the others once its leases expire.

The crawl's settings (start URLs, scope, limits, --delay, timeouts,
user agent) come from Redis. Each worker gives its own --concurrency and
--proxy, and the crawl's --header flags, whose values Redis does not keep
(it keeps a salted hash, which the worker checks them against).
`)
		print(w)
		fmt.Fprint(w, `
Exit codes: 0 the crawl is over, or this worker was stopped (SIGINT,
SIGTERM), 2 usage error, or --header flags that are not the crawl's,
3 Redis does not answer or failed, or there is no crawl to join (not
created yet, or over).
`)
	}
}

// runWorker runs `worker`: a process that fetches for a shared crawl.
func (a *app) runWorker(ctx context.Context, args []string) error {
	var (
		redisURL, id, proxy string
		concurrency         int
		header              headerFlag
		quiet, wait         bool
	)
	fs := flagSet("worker")
	fs.StringVar(&redisURL, "redis", "", "join a crawl shared through the Redis database at `URL` (redis://[USER:PASSWORD@]HOST:PORT/DB, or rediss:// for TLS; default $HOPAUDIT_REDIS)")
	fs.StringVar(&id, "crawl-id", "", "join the shared crawl `ID` (default the only one in the database)")
	fs.IntVar(&concurrency, "concurrency", 8, "`N` requests in flight at once in this process")
	fs.Var(&header, "header", "the crawl's request header `\"NAME: VALUE\"`, as its coordinator was given it (repeatable)")
	fs.StringVar(&proxy, "proxy", "", "send this process's requests through the proxy at `URL` (default: $HTTP_PROXY, $HTTPS_PROXY, $NO_PROXY)")
	fs.BoolVar(&wait, "wait", false, "wait for the crawl to be created instead of exiting 3 (under systemd, with Restart=always, a worker that serves crawl after crawl)")
	fs.BoolVar(&quiet, "quiet", false, "write nothing to stderr but warnings and errors")
	sections := []flagSection{{title: "Worker", names: []string{"redis", "crawl-id", "concurrency", "header", "proxy", "wait", "quiet"}}}
	pos, err := a.parse(fs, args, workerHelp(func(w io.Writer) { printFlags(w, fs, sections) }))
	if err != nil {
		return helpOK(err)
	}
	if redisURL == "" {
		redisURL = os.Getenv("HOPAUDIT_REDIS")
	}
	switch {
	case len(pos) > 0:
		return usageErrorf("worker: takes no arguments: the crawl's start URLs come from Redis")
	case redisURL == "":
		return usageErrorf("worker: --redis (or $HOPAUDIT_REDIS) is required (see hopaudit worker -h)")
	case concurrency < 1:
		return usageErrorf("worker: --concurrency must be at least 1")
	case id != "" && cluster.CheckID(id) != nil:
		return usageErrorf("worker: --crawl-id: %v", cluster.CheckID(id))
	}
	if err := checkRedisURL(redisURL); err != nil {
		return usageErrorf("worker: %v", err)
	}
	if proxy != "" {
		if err := checkProxy(proxy); err != nil {
			return usageErrorf("worker: %v", err)
		}
	}

	r := newRedactor(redisURL)
	rdb, err := dialRedis(ctx, redisURL, r)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while it connected
		}
		return err
	}
	defer rdb.Close()
	waiting := func() {
		if !quiet {
			fmt.Fprintf(a.stderr, "waiting for %s in redis at %s\n", crawlName(id), r.where)
		}
	}
	if !wait {
		waiting = nil
	}
	c, err := joinCrawl(ctx, rdb, id, waiting)
	switch {
	case ctx.Err() != nil:
		return nil // stopped while it waited
	case errors.Is(err, cluster.ErrNoCrawl) && id == "":
		return &exitError{code: exitIncomplete, err: fmt.Errorf("worker: no shared crawl in redis at %s: none was created yet (hopaudit crawl --redis), or it is over", r.where)}
	case errors.Is(err, cluster.ErrNoCrawl):
		return &exitError{code: exitIncomplete, err: fmt.Errorf("worker: no shared crawl %q in redis at %s: it was not created yet (hopaudit crawl --redis --crawl-id %s), or it is over", id, r.where, id)}
	case errors.Is(err, cluster.ErrSeveral):
		return usageErrorf("worker: redis at %s: %v", r.where, r.error(err))
	case err != nil:
		return &exitError{code: exitIncomplete, err: r.error(fmt.Errorf("worker: redis at %s: %w", r.where, err))}
	}
	cfg, err := a.workerConfig(c.Spec(), header.h)
	if err != nil {
		return usageErrorf("worker: crawl %q: %v", c.ID(), err)
	}
	cfg.Concurrency, cfg.Proxy, cfg.Log = concurrency, proxy, a.stderr
	if !quiet {
		fmt.Fprintf(a.stderr, "joined the shared crawl %q in redis at %s\n", c.ID(), r.where)
	}
	err = c.Work(ctx, cfg)
	switch {
	case ctx.Err() != nil:
		// Leaving is allowed: what this process had under way is
		// fetched by the others once its leases expire.
		if !quiet {
			fmt.Fprintf(a.stderr, "interrupted: left the shared crawl %q; its other processes fetch what this one had under way\n", c.ID())
		}
		return nil
	case err != nil:
		return &exitError{code: exitIncomplete, err: r.error(fmt.Errorf("worker: shared crawl %q in redis at %s: %w; this worker stopped, the others take over its URLs", c.ID(), r.where, err))}
	}
	if !quiet {
		fmt.Fprintf(a.stderr, "the shared crawl %q is over\n", c.ID())
	}
	return nil
}

// joinPoll is how often a worker with --wait looks for its crawl.
const joinPoll = time.Second

// joinCrawl joins the shared crawl id (see cluster.Join). With a
// waiting function, it waits for the crawl to be created, until ctx is
// done, and calls waiting once when it begins to wait.
func joinCrawl(ctx context.Context, rdb *redis.Client, id string, waiting func()) (*cluster.Crawl, error) {
	for {
		jctx, cancel := context.WithTimeout(ctx, redisTimeout)
		c, err := cluster.Join(jctx, rdb, id)
		cancel()
		if waiting == nil || !errors.Is(err, cluster.ErrNoCrawl) {
			return c, err
		}
		waiting()
		waiting = func() {}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(joinPoll):
		}
	}
}

// crawlName names the shared crawl id, or any crawl with id "".
func crawlName(id string) string {
	if id == "" {
		return "a shared crawl"
	}
	return fmt.Sprintf("the shared crawl %q", id)
}
