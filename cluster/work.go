package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
)

// DefaultLease is how long a worker's leases last without a heartbeat:
// a worker that dies or stalls for longer loses them, and its tasks are
// fetched by others. HOPAUDIT_LEASE (a Go duration) sets another.
const DefaultLease = 30 * time.Second

// maxStream is the most records the stream holds (about 1 KB each):
// workers wait while the coordinator lags behind, or is away (it
// resumes with --state).
const maxStream = 5000

// leaseTime returns the lease time: DefaultLease or HOPAUDIT_LEASE.
func leaseTime() (time.Duration, error) {
	v := os.Getenv("HOPAUDIT_LEASE")
	if v == "" {
		return DefaultLease, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 100*time.Millisecond {
		return 0, fmt.Errorf("HOPAUDIT_LEASE=%q: want a duration of at least 100ms", v)
	}
	return d, nil
}

// worker is one process's part in a crawl: its identity in Redis, which
// changes when it was taken for dead.
type worker struct {
	c           *Crawl
	lease       time.Duration
	id          atomic.Pointer[string]
	reported    atomic.Int64  // round trips already counted in Redis
	requests    atomic.Uint64 // see requestID
	registering sync.Mutex    // held while the worker registers again
}

func newWorkerID() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// heartbeat tells Redis the worker is alive, registering it when
// register is set or it was taken for dead (then under a new id: the
// leases of the old one are others' now).
func (w *worker) heartbeat(ctx context.Context, register bool) error {
	id := *w.id.Load()
	trips := w.c.trips.Load() + 1 // with this one
	res, err := w.c.run(ctx, heartbeatScript, id, w.lease.Milliseconds(), boolArg(register), trips-w.reported.Swap(trips)).Int()
	if err != nil {
		return redisErr(w.c.rdb, err)
	}
	if res == 1 {
		return nil
	}
	// Fetchers that learn it together register the worker once.
	w.registering.Lock()
	defer w.registering.Unlock()
	if *w.id.Load() != id {
		return nil // another one did
	}
	id = newWorkerID()
	if err := w.c.run(ctx, heartbeatScript, id, w.lease.Milliseconds(), 1, 0).Err(); err != nil {
		return redisErr(w.c.rdb, err)
	}
	w.id.Store(&id)
	return nil
}

func boolArg(b bool) int {
	if b {
		return 1
	}
	return 0
}

// leased is a task a worker holds.
type leased struct {
	crawler.Task
	worker, token string
}

// Work fetches the crawl's tasks with cfg.Concurrency workers (cfg is
// the crawl's, made from Spec.Args, with this process's concurrency)
// until the crawl is over, stopped, or ctx is done. It returns an error
// when Redis failed for as long as a lease lasts.
func (c *Crawl) Work(ctx context.Context, cfg crawler.Config) error {
	lease, err := leaseTime()
	if err != nil {
		return err
	}
	w := &worker{c: c, lease: lease}
	id := newWorkerID()
	w.id.Store(&id)
	if err := w.heartbeat(ctx, true); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var failure atomic.Pointer[error]
	fail := func(err error) {
		if !errors.Is(err, errGone) && ctx.Err() == nil { // gone: the crawl is over
			failure.CompareAndSwap(nil, &err)
		}
		cancel()
	}
	pol := newPoliteness(c, w, cfg, fail)
	f, err := crawler.NewFetcher(ctx, cfg, pol, func(why string) {
		if err := c.Stop(context.WithoutCancel(ctx), why); err != nil {
			fail(err)
		}
	})
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	wg.Go(func() { // the heartbeat
		tick := time.NewTicker(lease / 4)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := w.retry(ctx, func() error { return w.heartbeat(ctx, false) }); err != nil {
					fail(err)
					return
				}
			}
		}
	})
	concurrency := cfg.Concurrency
	if concurrency <= 0 {
		concurrency = crawler.DefaultConcurrency
	}
	var fetchers sync.WaitGroup
	for range concurrency {
		fetchers.Go(func() {
			if err := w.fetchAll(ctx, f); err != nil {
				fail(err)
			}
		})
	}
	fetchers.Wait()
	cancel()
	wg.Wait()
	// The round trips since the last heartbeat.
	trips := c.trips.Load() + 1
	c.run(context.WithoutCancel(ctx), heartbeatScript, *w.id.Load(), lease.Milliseconds(), 0, trips-w.reported.Swap(trips)) //nolint:errcheck // statistics only
	if p := failure.Load(); p != nil {
		return *p
	}
	return nil
}

// fetchAll leases tasks one at a time and fetches them until the crawl
// is over or ctx is done.
func (w *worker) fetchAll(ctx context.Context, f *crawler.Fetcher) error {
	wait := time.Duration(0)
	for {
		var t leased
		var status string
		rid := w.requestID()
		err := w.retry(ctx, func() (err error) {
			t, status, err = w.next(ctx, rid)
			return err
		})
		switch {
		case errors.Is(err, errGone) || status == "end":
			return nil
		case ctx.Err() != nil:
			if status == "task" { // leased as ctx was done: another worker fetches it
				w.giveBack(ctx, t)
			}
			return nil
		case err != nil:
			return err
		case status == "wait":
			// Nothing due: the chains under way must end, or the level.
			wait = min(max(2*wait, 5*time.Millisecond), 50*time.Millisecond)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
			continue
		}
		wait = 0
		rec, next := f.Fetch(t.Task)
		if rec == nil || ctx.Err() != nil {
			// Cut short: another worker fetches it.
			w.giveBack(ctx, t)
			if ctx.Err() == nil {
				// Fetch makes no record only when its ctx is done, or
				// when the politeness failed, which cancels ctx: this
				// worker must not end in silence.
				return fmt.Errorf("%s: the fetch made no record", t.URL)
			}
			return nil
		}
		if err := w.retry(ctx, func() error { return w.commit(ctx, t, rec, next) }); err != nil {
			return err
		}
	}
}

// giveBack gives a leased task back unfetched: another worker fetches
// it at once, without waiting for the lease to expire.
func (w *worker) giveBack(ctx context.Context, t leased) {
	w.c.run(context.WithoutCancel(ctx), givebackScript, t.worker, t.token) //nolint:errcheck // else its lease expires
}

// requestID returns the id of a request to Redis that must not take
// effect twice (lease.lua, acquire.lua): the same request sent again,
// after its reply was lost, gets the first one's answer.
func (w *worker) requestID() string { return strconv.FormatUint(w.requests.Add(1), 36) }

// next leases a task, for the request rid (see requestID): status
// "task", "wait" or "end".
func (w *worker) next(ctx context.Context, rid string) (leased, string, error) {
	for {
		id := *w.id.Load()
		res, err := w.c.run(ctx, leaseScript, id, rid, maxStream).StringSlice()
		if err != nil {
			return leased{}, "", err
		}
		switch res[0] {
		case "tasks":
			t, ok := decodeTask(res[2])
			if !ok {
				return leased{}, "", fmt.Errorf("redis holds a task hopaudit cannot read: %q", res[2])
			}
			return leased{Task: t, worker: id, token: res[1]}, "task", nil
		case "lost":
			if err := w.heartbeat(ctx, false); err != nil {
				return leased{}, "", err
			}
			continue
		}
		return leased{}, res[0], nil
	}
}

// commit hands in a task's record and the tasks it leads to.
func (w *worker) commit(ctx context.Context, t leased, rec *crawler.Record, next []crawler.Task) error {
	data, err := encodeRecord(rec)
	if err != nil {
		return fmt.Errorf("%s: %w", rec.URL, err)
	}
	args := taskArgs(append(make([]any, 0, 3+10*len(next)), t.worker, t.token, data), next)
	// 0: the lease was taken back, and another worker fetches the URL.
	return w.c.run(context.WithoutCancel(ctx), commitScript, args...).Err()
}

// retry runs op until it succeeds, ctx is done (ctx's error), the
// crawl is gone (errGone) or of another version (ErrVersion), or Redis
// has failed for as long as a lease lasts: then its error, an
// *UnreachableError.
func (w *worker) retry(ctx context.Context, op func() error) error {
	var first time.Time
	wait := 50 * time.Millisecond
	for {
		err := op()
		if err == nil || errors.Is(err, errGone) || errors.Is(err, ErrVersion) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if first.IsZero() {
			first = time.Now()
		}
		if time.Since(first) > w.lease {
			if errors.As(err, new(*UnreachableError)) {
				return err
			}
			return redisErr(w.c.rdb, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}
