package cluster_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/hopaudit/hopaudit/cluster"
	"github.com/hopaudit/hopaudit/cluster/redistest"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// TestMain runs the test binary as a worker process when
// HOPAUDIT_TEST_WORKER names a Redis URL: it joins the crawl there and
// works on it with the configuration of killConfig, and the
// concurrency HOPAUDIT_TEST_CONCURRENCY says.
func TestMain(m *testing.M) {
	if u := os.Getenv("HOPAUDIT_TEST_WORKER"); u != "" {
		ctx := context.Background()
		rdb, err := cluster.Dial(ctx, u)
		if err == nil {
			var c *cluster.Crawl
			if c, err = cluster.Join(ctx, rdb, ""); err == nil {
				cfg := killConfig(os.Getenv("HOPAUDIT_TEST_SEED"))
				if n, _ := strconv.Atoi(os.Getenv("HOPAUDIT_TEST_CONCURRENCY")); n > 0 {
					cfg.Concurrency = n
				}
				err = c.Work(ctx, cfg)
			}
		}
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func killConfig(seed string) crawler.Config {
	return crawler.Config{Seeds: []string{seed}, Concurrency: 2, Timeout: crawlertest.Timeout, AllowPrivate: true, IgnoreRobots: true, NoSitemaps: true}
}

// TestWorkerKilled: a worker process killed with SIGKILL in the middle
// of a crawl loses nothing. Its leases expire, the tasks it held are
// fetched by another worker, and the crawl's graph is the local one.
func TestWorkerKilled(t *testing.T) {
	srv := redistest.Start(t)
	tangled := crawlertest.Tangled(t, 60)
	// The site holds its answer for /p/9 until the worker that asked is
	// dead, and says when it was asked.
	var armed atomic.Bool // the shared crawl's first request for /p/9 waits
	asked, release := make(chan struct{}), make(chan struct{})
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/p/9" && armed.CompareAndSwap(true, false) {
			close(asked)
			<-release
		}
		tangled.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(site.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	cfg := killConfig(site.URL + "/p/0")
	ctx := context.Background()
	local, err := crawler.Crawl(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	armed.Store(true)

	c := create(t, srv, "killed", cfg)
	worker := startWorker(t, srv, cfg.Seeds[0], 2, "HOPAUDIT_LEASE=500ms")
	store := &records{recs: map[string]*crawler.Record{}}
	collected := make(chan error, 1)
	var end cluster.End
	go func() {
		var err error
		end, err = c.Collect(ctx, store.Record, func() error { return nil }, nil)
		collected <- err
	}()
	<-asked // the worker holds /p/9's lease, and has committed others
	worker.Process.Kill()
	worker.Wait() //nolint:errcheck // killed
	close(release)

	// Another worker takes over once the dead one's leases expired.
	if err := c.Work(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if err := <-collected; err != nil {
		t.Fatal(err)
	}
	offline := cfg
	offline.Offline, offline.Store = true, store
	g, err := crawler.Crawl(ctx, offline)
	if err != nil {
		t.Fatal(err)
	}
	if want, got := crawlertest.Dump(local), crawlertest.Dump(g); got != want {
		t.Errorf("the graph after a worker was killed differs from the local one's:\n%s", crawlertest.DiffLines(want, got))
	}
	if end.Reclaimed == 0 {
		t.Error("no lease was taken back from the killed worker")
	}
	t.Logf("%d records, %d leases, %d taken back", end.Records, end.Leased, end.Reclaimed)
}

// startWorker starts the test binary as a worker process of the crawl
// of seed in srv (see TestMain), with this concurrency and more
// environment.
func startWorker(tb testing.TB, srv *redistest.Server, seed string, concurrency int, env ...string) *exec.Cmd {
	tb.Helper()
	w := exec.Command(os.Args[0], "-test.run", "^$")
	w.Env = append(os.Environ(), "HOPAUDIT_TEST_WORKER="+srv.URL, "HOPAUDIT_TEST_SEED="+seed, "HOPAUDIT_TEST_CONCURRENCY="+strconv.Itoa(concurrency))
	w.Env = append(w.Env, env...)
	w.Stderr = os.Stderr
	if err := w.Start(); err != nil {
		tb.Fatal(err)
	}
	return w
}
