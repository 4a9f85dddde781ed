package crawler

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// safeguardWindow is how many of a host's latest outcomes the safeguard
// weighs: when more than half of them failed, the host is paused.
const safeguardWindow = 50

// hostGates is the Politeness of a MemoryFrontier: it paces the
// requests to each host of one process: the configured delay
// between two requests, and for a host that answers 429 or 503, as
// Googlebot does, fewer requests in flight and a pause for the rest of
// the crawl. It also watches the site's hosts for the safeguard (see
// outcome).
type hostGates struct {
	delay time.Duration
	limit int           // requests in flight to one host until it asks for less
	pause time.Duration // how long a failing host is paused before it is probed
	mu    sync.Mutex
	hosts map[string]*gate
}

// gate is one host's pacing and recent outcomes.
type gate struct {
	next     time.Time     // no request starts before
	inflight int           // requests started and not done
	limit    int           // requests in flight at most
	wake     chan struct{} // closed when a request is done and some wait
	waiting  int           // requests waiting for a slot
	probing  bool          // paused: the outcome of the next request started decides whether the crawl stops
	epoch    int           // counts the pauses: requests started before one do not decide it
	resume   int           // the limit a probe that succeeds gives back

	outcomes [safeguardWindow]bool // true = failed, a ring
	n, pos   int                   // outcomes recorded (at most the window), the next slot
	failed   int                   // failures among them
	last     string                // what the latest failure was
}

// NewPoliteness returns the pacing of requests of one process, which a
// MemoryFrontier uses (see Politeness): cfg.Delay between two requests
// to a host, at most cfg.Concurrency (or cfg.HostConcurrency) in flight
// to it, fewer after 429 and 503, and the safeguard that stops a crawl whose site went down.
func NewPoliteness(cfg Config) Politeness { return newHostGates(cfg) }

func newHostGates(cfg Config) *hostGates {
	limit := cfg.Concurrency
	if limit <= 0 {
		limit = DefaultConcurrency
	}
	if cfg.HostConcurrency > 0 {
		limit = min(limit, cfg.HostConcurrency)
	}
	return &hostGates{delay: cfg.Delay, limit: limit, pause: cfg.MaxRetryWait, hosts: map[string]*gate{}}
}

// gate returns host's gate. The lock must be held.
func (h *hostGates) gate(host string) *gate {
	g := h.hosts[host]
	if g == nil {
		g = &gate{limit: h.limit, wake: make(chan struct{})}
		h.hosts[host] = g
	}
	return g
}

// Acquire blocks until a request to host may start: a slot among its
// requests in flight, and its next start time (see Politeness).
func (h *hostGates) Acquire(ctx context.Context, host string) (epoch int, err error) {
	h.mu.Lock()
	g := h.gate(host)
	for g.inflight >= g.limit {
		wake := g.wake
		g.waiting++
		h.mu.Unlock()
		var err error
		select {
		case <-ctx.Done():
			err = ctx.Err()
		case <-wake:
		}
		h.mu.Lock()
		g.waiting--
		if err != nil {
			h.mu.Unlock()
			return 0, err
		}
	}
	g.inflight++
	epoch = g.epoch
	at := time.Now()
	if g.next.After(at) {
		at = g.next
	}
	if h.delay > 0 {
		g.next = at.Add(h.delay)
	}
	h.mu.Unlock()
	if err := sleep(ctx, time.Until(at)); err != nil {
		h.Release(host)
		return 0, err
	}
	return epoch, nil
}

// Release ends a request Acquire let start.
func (h *hostGates) Release(host string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	g := h.gate(host)
	g.inflight--
	if g.waiting > 0 {
		close(g.wake)
		g.wake = make(chan struct{})
	}
}

// SlowDown is a host's answer of 429 or 503: it gets half the requests
// in flight it had (at least one) for the rest of the crawl, and none
// starts for wait.
func (h *hostGates) SlowDown(host string, wait time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	g := h.gate(host)
	g.limit = max(1, g.limit/2)
	if until := time.Now().Add(wait); until.After(g.next) {
		g.next = until
	}
}

// Outcome records the final outcome of a request to a host of the site,
// after its retries, for the safeguard; epoch is Acquire's. When more
// than half of the host's latest requests failed, it is paused, with one
// request in flight, and the first request started after the pause is a
// probe. It returns why the crawl must stop when the probe failed too,
// "" otherwise.
func (h *hostGates) Outcome(host string, epoch int, failed bool, what string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	g := h.gate(host)
	if failed {
		g.last = what
	}
	if g.probing {
		if epoch != g.epoch {
			return "" // started before the pause: it says nothing new
		}
		g.probing = false
		if failed {
			return fmt.Sprintf("%s stopped answering: %d of its last %d requests failed, and again after a pause of %s (last: %s)",
				host, g.failed, g.n, h.pause, g.last)
		}
		g.n, g.pos, g.failed = 0, 0, 0
		g.limit = g.resume
		return ""
	}
	if g.n == safeguardWindow && g.outcomes[g.pos] {
		g.failed--
	}
	g.outcomes[g.pos] = failed
	g.pos = (g.pos + 1) % safeguardWindow
	g.n = min(g.n+1, safeguardWindow)
	if failed {
		g.failed++
	}
	if g.n == safeguardWindow && 2*g.failed > g.n {
		g.probing = true
		g.epoch++
		g.resume, g.limit = g.limit, 1
		if until := time.Now().Add(h.pause); until.After(g.next) {
			g.next = until
		}
	}
	return ""
}
