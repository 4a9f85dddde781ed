package crawler

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"2", 2 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"Sat, 05 Dec 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Sat, 05 Dec 2026 11:00:00 GMT", 0, true}, // in the past: at once
	} {
		got, ok := retryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRetryWait(t *testing.T) {
	p := retryPolicy{retries: 3, backoff: time.Second, maxWait: time.Minute}
	now := time.Now()
	for attempt, base := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		for range 20 {
			if d := p.wait(attempt, http.Header{}, now); d < base || d > base+base/2 {
				t.Errorf("retry %d waits %s, want %s to %s", attempt+1, d, base, base+base/2)
			}
		}
	}
	h := http.Header{"Retry-After": {"30"}}
	if d := p.wait(0, h, now); d != 30*time.Second {
		t.Errorf("Retry-After 30: waits %s", d)
	}
	h.Set("Retry-After", "86400")
	if d := p.wait(0, h, now); d != time.Minute {
		t.Errorf("Retry-After of a day: waits %s, want the cap of a minute", d)
	}
}

// TestSlowDown: a host that answers 429 or 503 gets half the requests
// in flight it had, at least one, and a pause that every request waits.
func TestSlowDown(t *testing.T) {
	h := newHostGates(Config{Concurrency: 8})
	for _, want := range []int{4, 2, 1, 1} {
		h.SlowDown("a.test", 0)
		if got := h.gate("a.test").limit; got != want {
			t.Errorf("limit %d after a slow-down, want %d", got, want)
		}
	}
	if got := h.gate("b.test").limit; got != 8 {
		t.Errorf("another host's limit is %d, want 8", got)
	}
	// One request in flight: a second one waits (here, until its context
	// ends), and starts once the first is done.
	ctx := context.Background()
	if _, err := h.Acquire(ctx, "a.test"); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := h.Acquire(cancelled, "a.test"); err == nil {
		t.Fatal("a second request started while the first was in flight")
	}
	h.Release("a.test")
	if _, err := h.Acquire(ctx, "a.test"); err != nil {
		t.Fatal(err)
	}
	h.Release("a.test")

	// A pause: a cancelled context ends the wait.
	h.SlowDown("a.test", time.Hour)
	if _, err := h.Acquire(cancelled, "a.test"); err == nil {
		t.Error("acquire did not wait for the pause")
	}
	if g := h.gate("a.test"); g.inflight != 0 {
		t.Errorf("%d requests in flight after a cancelled wait", g.inflight)
	}
}

// TestCrawlSlowsDown: a 429 slows its host down for the rest of the
// crawl; a 502 does not.
func TestCrawlSlowsDown(t *testing.T) {
	hits := map[string]int{}
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		first := hits[r.URL.Path] == 1
		mu.Unlock()
		switch {
		case first && r.URL.Path == "/busy":
			w.WriteHeader(http.StatusTooManyRequests)
		case first && r.URL.Path == "/gateway":
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer other.Close()
	c, err := newCrawl(context.Background(), Config{
		Seeds: []string{srv.URL + "/busy", other.URL + "/gateway"}, ListMode: true, Concurrency: 8,
		Timeout: time.Minute, Retries: 1, MaxBody: 1000, IgnoreRobots: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.run()
	for u, want := range map[string]int{srv.URL: 4, other.URL: 8} {
		host := strings.TrimPrefix(u, "http://")
		if got := c.fetch.gates.(*hostGates).gate(host).limit; got != want {
			t.Errorf("%s: %d requests in flight at most after the crawl, want %d", host, got, want)
		}
	}
}

// TestSafeguardPause: a host whose last 50 outcomes are mostly failures
// is paused with one request in flight; outcomes of requests started
// before the pause decide nothing; a probe that succeeds gives its
// requests in flight back, one that fails stops the crawl.
func TestSafeguardPause(t *testing.T) {
	h := newHostGates(Config{Concurrency: 8, MaxRetryWait: time.Hour})
	for i := range safeguardWindow {
		if why := h.Outcome("a.test", 0, i%4 != 0, "503 Service Unavailable"); why != "" {
			t.Fatalf("outcome %d stopped the crawl: %s", i, why)
		}
	}
	g := h.gate("a.test")
	if !g.probing || g.limit != 1 || g.epoch != 1 {
		t.Fatalf("after 37 failures of 50: probing %v, limit %d, epoch %d", g.probing, g.limit, g.epoch)
	}
	if why := h.Outcome("a.test", 0, true, "503"); why != "" {
		t.Errorf("a request started before the pause stopped the crawl: %s", why)
	}
	if why := h.Outcome("a.test", 1, false, ""); why != "" || g.probing || g.limit != 8 {
		t.Errorf("a probe that succeeded: %q, probing %v, limit %d; want the 8 requests back", why, g.probing, g.limit)
	}
	for range safeguardWindow {
		h.Outcome("a.test", 1, true, "connection refused")
	}
	if why := h.Outcome("a.test", 2, true, "connection refused"); !strings.Contains(why, "a.test stopped answering") {
		t.Errorf("a probe that failed: %q", why)
	}
}
