package cluster

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
)

// politeness paces the requests of a shared crawl: --delay between two
// requests to a host, --host-concurrency requests in flight to it, and
// the backoff after 429 and 503 hold for the whole cluster, in Redis
// (lua/acquire.lua); --concurrency and the safeguard that stops a crawl
// whose site went down are each process's own.
type politeness struct {
	c     *Crawl
	w     *worker
	local crawler.Politeness // this process's, without the delay
	delay time.Duration
	cap   int
	fail  func(error) // ends the worker: Redis failed for a lease's time

	mu   sync.Mutex
	busy map[string][]slot // by host, the requests in flight
}

// slot is a request in flight: its id (see acquire.lua), and the id of
// the worker it was acquired under.
type slot struct{ worker, rid string }

// lostWorker is acquire.lua's answer to a worker taken for dead.
const lostWorker = -2

// capWait is how long a request waits before it asks again for a host
// that has as many requests in flight as the cluster allows it.
const capWait = 20 * time.Millisecond

func newPoliteness(c *Crawl, w *worker, cfg crawler.Config, fail func(error)) *politeness {
	local := cfg
	local.Delay = 0
	return &politeness{c: c, w: w, local: crawler.NewPoliteness(local), delay: c.spec.Delay, cap: c.spec.HostConcurrency, fail: fail,
		busy: map[string][]slot{}}
}

// Acquire blocks until a request to host may start (see
// crawler.Politeness).
func (p *politeness) Acquire(ctx context.Context, host string) (int, error) {
	epoch, err := p.local.Acquire(ctx, host)
	if err != nil {
		return 0, err
	}
	for {
		var wait int64
		rid := p.w.requestID()
		var id string
		err := p.w.retry(ctx, func() (err error) {
			id = *p.w.id.Load()
			wait, err = p.c.run(ctx, acquireScript, id, host, p.delay.Milliseconds(), p.cap, rid).Int64()
			if err == nil && wait == lostWorker {
				err = p.w.heartbeat(ctx, false) // registers again, under a new id
				wait = -1
			}
			return err
		})
		if err != nil {
			p.local.Release(host)
			p.fail(err) // the fetch makes no record, and the worker ends
			return 0, err
		}
		d := time.Duration(wait) * time.Millisecond
		if wait < 0 {
			d = capWait
		} else {
			p.mu.Lock()
			p.busy[host] = append(p.busy[host], slot{worker: id, rid: rid})
			p.mu.Unlock()
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			if wait >= 0 {
				p.Release(host)
			} else {
				p.local.Release(host)
			}
			return 0, ctx.Err()
		case <-t.C:
		}
		if wait >= 0 {
			return epoch, nil
		}
	}
}

// Release ends a request Acquire let start. When Redis does not answer
// for a lease's time, the worker is taken for dead and its requests in
// flight are taken off the host's count.
func (p *politeness) Release(host string) {
	// The slots of a host are alike, but for those taken under an id the
	// worker had before it was taken for dead, which Redis gave back
	// then: one of them goes first, and the host stays below its cap.
	p.mu.Lock()
	slots := p.busy[host]
	id := *p.w.id.Load()
	i := slices.IndexFunc(slots, func(s slot) bool { return s.worker != id })
	if i < 0 {
		i = len(slots) - 1
	}
	s := slots[i]
	if slots = slices.Delete(slots, i, i+1); len(slots) == 0 {
		delete(p.busy, host)
	} else {
		p.busy[host] = slots
	}
	p.mu.Unlock()
	ctx := context.Background()
	p.w.retry(ctx, func() error { //nolint:errcheck // see above
		return p.c.run(ctx, releaseScript, s.worker, s.rid).Err()
	})
	p.local.Release(host)
}

// SlowDown is a host's answer of 429 or 503, for the whole cluster.
func (p *politeness) SlowDown(host string, wait time.Duration) {
	ctx := context.Background()
	p.w.retry(ctx, func() error { //nolint:errcheck // the next 429 tries again
		return p.c.run(ctx, slowdownScript, host, wait.Milliseconds()).Err()
	})
}

// Outcome feeds this process's safeguard (see crawler.Politeness).
func (p *politeness) Outcome(host string, epoch int, failed bool, what string) string {
	return p.local.Outcome(host, epoch, failed, what)
}
