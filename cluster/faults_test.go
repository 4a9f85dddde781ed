package cluster_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/cluster"
	"github.com/hopaudit/hopaudit/cluster/redistest"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// TestUnreachable: a Redis that does not answer is an *UnreachableError
// that names it without its password, at once when dialled, and after
// a lease's time when it goes away in the middle of a crawl.
func TestUnreachable(t *testing.T) {
	srv := redistest.Start(t)
	gone := srv.Addr
	srv.Kill()
	_, err := cluster.Dial(context.Background(), "redis://user:s3cret@"+gone+"/0")
	var unreachable *cluster.UnreachableError
	if !errors.As(err, &unreachable) {
		t.Fatalf("Dial of a dead server: %v, want an *UnreachableError", err)
	}
	if msg := err.Error(); !strings.Contains(msg, gone) || strings.Contains(msg, "s3cret") {
		t.Errorf("message %q: want the address, not the password", msg)
	}

	// A URL that does not parse is named by its fault, not quoted.
	for _, u := range []string{"redis://u:s3cret@host:notaport/0", "http://u:s3cret@host/0", "redis://u:s3cret@host:1/x"} {
		if _, err := cluster.Dial(context.Background(), u); err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Dial(%q): %v; want an error without the password", u, err)
		}
	}

	t.Setenv("HOPAUDIT_LEASE", "300ms")
	srv = redistest.Start(t)
	site := crawlertest.Tangled(t, 40)
	var once sync.Once
	killed := make(chan struct{})
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { srv.Kill(); close(killed) }) // Redis dies at the first request
		site.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(web.Close)
	cfg := killConfig(web.URL + "/p/0")
	c := create(t, srv, "gone", cfg)
	err = c.Work(context.Background(), cfg)
	<-killed
	if !errors.As(err, &unreachable) {
		t.Fatalf("Work with Redis gone: %v, want an *UnreachableError", err)
	}
}

// create creates the shared crawl id of cfg in srv.
func create(tb testing.TB, srv *redistest.Server, id string, cfg crawler.Config) *cluster.Crawl {
	tb.Helper()
	return createSpec(tb, srv, id, cfg, cluster.Spec{Settings: "{}", MaxPages: cfg.MaxPages, Delay: cfg.Delay, HostConcurrency: cfg.HostConcurrency})
}

// createSpec creates the shared crawl id of cfg in srv, with spec.
func createSpec(tb testing.TB, srv *redistest.Server, id string, cfg crawler.Config, spec cluster.Spec) *cluster.Crawl {
	tb.Helper()
	ctx := context.Background()
	rdb, err := cluster.Dial(ctx, srv.URL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { rdb.Close() })
	f, err := crawler.NewFetcher(ctx, cfg, crawler.NewPoliteness(cfg), nil)
	if err != nil {
		tb.Fatal(err)
	}
	c, created, err := cluster.Create(ctx, rdb, id, spec, f.Start())
	if err != nil || !created {
		tb.Fatalf("Create: %v, created %v", err, created)
	}
	return c
}

// TestJoin: a crawl joined with other settings is a *SettingsError; a
// worker joins the only crawl under way, or the one it names; a crawl
// over leaves no key once removed.
func TestJoin(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	site := crawlertest.Tangled(t, 10)
	cfg := killConfig(site.URL + "/p/0")
	if _, err := cluster.Join(ctx, rdb, ""); !errors.Is(err, cluster.ErrNoCrawl) {
		t.Errorf("Join of no crawl: %v", err)
	}
	c := create(t, srv, "a", cfg)
	if _, _, err := cluster.Create(ctx, rdb, "a", cluster.Spec{Settings: `{"other":1}`}, nil); !errors.As(err, new(*cluster.SettingsError)) {
		t.Errorf("Create with other settings: %v, want a *SettingsError", err)
	}
	if _, created, err := cluster.Create(ctx, rdb, "a", cluster.Spec{Settings: "{}"}, nil); err != nil || created {
		t.Errorf("Create with the same settings: created %v, %v; want joined", created, err)
	}
	if j, err := cluster.Join(ctx, rdb, ""); err != nil || j.ID() != "a" {
		t.Errorf("Join: %v", err)
	}
	create(t, srv, "b", cfg)
	if _, err := cluster.Join(ctx, rdb, ""); err == nil {
		t.Error("Join with two crawls under way chose one")
	}
	if _, err := cluster.Join(ctx, rdb, "bad id"); err == nil {
		t.Error("Join of a bad id")
	}
	if err := c.Work(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Collect(ctx, func(*crawler.Record) error { return nil }, func() error { return nil }, nil); err != nil {
		t.Fatal(err)
	}
	ttl, err := rdb.TTL(ctx, "hopaudit:{a}:meta").Result()
	if err != nil || ttl <= 0 {
		t.Errorf("a crawl over: its meta key's TTL is %v, %v; want it to expire", ttl, err)
	}
	if j, err := cluster.Join(ctx, rdb, ""); err != nil || j.ID() != "b" {
		t.Errorf("Join once a is over: %v", err)
	}
	if err := cluster.Remove(ctx, rdb, "a"); err != nil {
		t.Fatal(err)
	}
	if keys, _ := rdb.Keys(ctx, "hopaudit:{a}:*").Result(); len(keys) > 0 {
		t.Errorf("keys left after Remove: %q", keys)
	}
}

// TestPoliteness: --host-concurrency and --delay hold for the whole
// cluster, as the server sees it: three processes of four workers each
// never have more than two requests in flight to the site, and start
// them --delay apart.
func TestPoliteness(t *testing.T) {
	srv := redistest.Start(t)
	for _, tc := range []struct {
		name  string
		spec  cluster.Spec
		check func(t *testing.T, s *serverView)
	}{
		{"host-concurrency", cluster.Spec{Settings: "{}", HostConcurrency: 2}, func(t *testing.T, s *serverView) {
			if m := s.most.Load(); m > 2 {
				t.Errorf("%d requests in flight at once; --host-concurrency 2", m)
			}
		}},
		{"delay", cluster.Spec{Settings: "{}", Delay: 10 * time.Millisecond}, func(t *testing.T, s *serverView) {
			// Each request has a slot --delay after the one before, from
			// the start: the last cannot arrive sooner.
			n := s.requests.Load()
			if span := s.last.Sub(s.start); span < time.Duration(n-1)*10*time.Millisecond {
				t.Errorf("%d requests in %v: less than --delay 10ms apart", n, span)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &serverView{site: crawlertest.Tangled(t, 25)}
			web := httptest.NewServer(s)
			t.Cleanup(web.Close)
			cfg := killConfig(web.URL + "/p/0")
			cfg.Concurrency = 4
			s.start = time.Now()
			createSpec(t, srv, tc.name, cfg, tc.spec)
			var wg sync.WaitGroup
			for range 3 {
				wg.Go(func() {
					rdb := srv.Client(t)
					c, err := cluster.Join(context.Background(), rdb, tc.name)
					if err == nil {
						err = c.Work(context.Background(), cfg)
					}
					if err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			tc.check(t, s)
			t.Logf("%d requests, at most %d in flight", s.requests.Load(), s.most.Load())
		})
	}
}

// serverView is a site as its server sees it: how many requests, how
// many in flight at most, when the last one arrived.
type serverView struct {
	site                     *httptest.Server
	inflight, most, requests atomic.Int64
	start, last              time.Time
	mu                       sync.Mutex
}

func (s *serverView) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.inflight.Add(1)
	defer s.inflight.Add(-1)
	for m := s.most.Load(); n > m && !s.most.CompareAndSwap(m, n); m = s.most.Load() {
	}
	s.requests.Add(1)
	s.mu.Lock()
	s.last = time.Now()
	s.mu.Unlock()
	time.Sleep(5 * time.Millisecond) // overlaps requests; asserts nothing
	s.site.Config.Handler.ServeHTTP(w, r)
}

// TestSlowDown: a host's 429 slows it down for the whole cluster: the
// pause and the fewer requests in flight are the host's in Redis, which
// every process's requests go through.
func TestSlowDown(t *testing.T) {
	srv := redistest.Start(t)
	site := crawlertest.Tangled(t, 20)
	var once sync.Once
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tooMany := false
		if r.URL.Path == "/p/3" {
			once.Do(func() { tooMany = true })
		}
		if tooMany {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		site.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(web.Close)
	cfg := killConfig(web.URL + "/p/0")
	cfg.Retries = 2
	c := create(t, srv, "slow", cfg)
	if err := c.Work(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(web.URL, "http://")
	lim, err := srv.Client(t).HGet(context.Background(), "hopaudit:{slow}:host:"+host, "lim").Int()
	if err != nil || lim < 1 {
		t.Errorf("after a 429, the host's limit in Redis is %d, %v; want it set", lim, err)
	}
}

// TestRepliesLost: a shared crawl whose workers lose a reply of Redis
// now and then (the connection drops after Redis ran the script, and
// go-redis sends the request again) makes the graph a crawl of one
// process makes, and ends: a lease run twice once left a task leased to
// a worker that never heard of it, and the crawl waited for ever.
func TestRepliesLost(t *testing.T) {
	srv := redistest.Start(t)
	fixture, err := os.ReadFile(filepath.Join("..", "crawler", "testdata", "site.txt"))
	if err != nil {
		t.Fatal(err)
	}
	site := crawlertest.New(t, string(fixture))
	cfg := site.Config("http://site.test/")
	cfg.HostConcurrency = 2 // a slot taken twice would never be given back
	local, err := crawler.Crawl(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	proxy := lossyProxy(t, srv.Addr, 7)
	g, _, _ := sharedVia(t, srv, "redis://"+proxy.addr+"/0", "lossy", cfg, 2)
	if want, got := crawlertest.Dump(local), crawlertest.Dump(g); got != want {
		t.Errorf("the shared crawl's graph differs from the local one's:\n%s", crawlertest.DiffLines(want, got))
	}
	if proxy.lost.Load() == 0 {
		t.Error("no reply was lost")
	}
}

// proxy forwards connections to a Redis server, losing the reply to
// every nth script it passes: it closes the connection instead of
// sending it.
type proxy struct {
	addr string
	lost atomic.Int32
}

func lossyProxy(t *testing.T, to string, nth int32) *proxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	p := &proxy{addr: l.Addr().String()}
	var scripts atomic.Int32
	go func() {
		for {
			client, err := l.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", to)
			if err != nil {
				client.Close()
				continue
			}
			var lose atomic.Bool
			go func() { // requests: go-redis sends one and waits for its reply
				defer server.Close()
				buf := make([]byte, 64<<10)
				for {
					n, err := client.Read(buf)
					if n > 0 && bytes.Contains(buf[:n], []byte("evalsha")) && scripts.Add(1)%nth == 0 {
						lose.Store(true)
					}
					if n > 0 {
						server.Write(buf[:n]) //nolint:errcheck // the other side sees it
					}
					if err != nil {
						return
					}
				}
			}()
			go func() { // replies
				defer client.Close()
				buf := make([]byte, 64<<10)
				for {
					n, err := server.Read(buf)
					if n > 0 && lose.Load() {
						p.lost.Add(1)
						return // Redis ran it; the client never knows
					}
					if n > 0 {
						client.Write(buf[:n]) //nolint:errcheck // the other side sees it
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return p
}
