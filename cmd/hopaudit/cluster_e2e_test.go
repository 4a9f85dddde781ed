package main

// End-to-end tests of crawls shared through Redis: the coordinator is
// run() in this process, workers are children running as hopaudit
// worker (see command), against a redis-server the test starts
// (cluster/redistest) and loopback fixture sites.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/cluster"
	"github.com/hopaudit/hopaudit/cluster/redistest"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// sharedTestLease is the lease of the tests' shared crawls (the cluster
// package reads HOPAUDIT_LEASE): a worker killed with SIGKILL holds its
// URLs this long.
const sharedTestLease = "2s"

// sharedReportArgs are the arguments of a crawl of a stateSite writing
// every report into dir.
func sharedReportArgs(site *crawlertest.Site, dir string, more ...string) []string {
	args := append([]string{"crawl", "http://" + crawlertest.Host + "/", "--output-dir", dir, "--quiet", "--concurrency", "2"}, resolveArgs(site)...)
	return append(args, more...)
}

// worker is a child running hopaudit worker.
type worker struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	done   chan struct{} // closed when it exited; then code is its exit code
	code   int
}

// startWorker starts a worker of the shared crawl id; it is killed when
// the test ends, if it is still running. Given "--wait", it waits for
// the crawl to be created.
func startWorker(t *testing.T, redisURL, id string, more ...string) *worker {
	t.Helper()
	w := &worker{cmd: command(append([]string{"worker", "--redis", redisURL, "--crawl-id", id, "--concurrency", "2"}, more...)...), done: make(chan struct{})}
	w.cmd.Stderr = &w.stderr
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		w.code, _ = childExit(w.cmd.Wait()) // -1 for no exit
		close(w.done)
	}()
	t.Cleanup(func() {
		w.cmd.Process.Kill() //nolint:errcheck // it may have exited
		<-w.done
	})
	return w
}

// wait waits for the worker's end and checks its exit code.
func (w *worker) wait(t *testing.T, name string, want int) {
	t.Helper()
	<-w.done
	if w.code != want {
		t.Errorf("%s: exit %d, want %d; stderr:\n%s", name, w.code, want, w.stderr.String())
	}
}

// coordinator runs hopaudit with args in this process, in the
// background; its result comes on the channel.
type result struct {
	code           int
	stdout, stderr string
}

func coordinator(ctx context.Context, args ...string) <-chan result {
	ch := make(chan result, 1)
	go func() {
		var out, errb bytes.Buffer
		code := run(ctx, args, &out, &errb)
		ch <- result{code, out.String(), errb.String()}
	}()
	return ch
}

// ownerPID returns the process that sent request r: the one that
// holds the socket of r's remote address (Linux's /proc), else 0.
func ownerPID(r *http.Request) int {
	host, port, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return 0
	}
	// The kernel writes /proc/net/tcp in pieces, and a reader can miss a
	// socket while others open and close (as a busy crawl's do): r's is
	// open while r is served, so it is read again until it is found.
	inode := ""
	for range 100 {
		if inode = socketInode(host, port); inode != "" {
			break
		}
	}
	if inode == "" {
		return 0
	}
	holds := func(pid int) bool {
		fds := fmt.Sprintf("/proc/%d/fd", pid)
		entries, _ := os.ReadDir(fds)
		for _, e := range entries {
			if link, _ := os.Readlink(filepath.Join(fds, e.Name())); link == "socket:["+inode+"]" {
				return true
			}
		}
		return false
	}
	// This process first: a child it starts holds copies of all its
	// sockets between its fork and its exec, and would be taken for
	// the sender of this process's requests.
	if holds(os.Getpid()) {
		return os.Getpid()
	}
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		if pid, err := strconv.Atoi(p.Name()); err == nil && holds(pid) {
			return pid
		}
	}
	return 0
}

// socketInode returns the inode of the IPv4 TCP socket whose local
// address is host:port, from /proc/net/tcp; "" when there is none.
func socketInode(host, port string) string {
	ip := net.ParseIP(host).To4()
	p, err := strconv.Atoi(port)
	if ip == nil || err != nil {
		return ""
	}
	want := fmt.Sprintf("%02X%02X%02X%02X:%04X", ip[3], ip[2], ip[1], ip[0], p)
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return ""
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if fields := strings.Fields(lines.Text()); len(fields) > 9 && fields[1] == want {
			return fields[9]
		}
	}
	return ""
}

// isPage says whether r is for one of a stateSite's /page/N: those
// make the crawl's widest level, which every process takes part in.
func isPage(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/page/") }

// localReports serves the test site of the shared crawls and returns
// it, a temporary folder, and the reports of a crawl of one process.
func localReports(t *testing.T) (site *crawlertest.Site, tmp string, want map[string]string) {
	t.Helper()
	site = crawlertest.New(t, stateSite(30))
	tmp = t.TempDir()
	code, _, stderr := runMain(t, sharedReportArgs(site, filepath.Join(tmp, "local"))...)
	if code != exitOK {
		t.Fatalf("local crawl: exit %d; stderr:\n%s", code, stderr)
	}
	return site, tmp, readReports(t, filepath.Join(tmp, "local"), true)
}

// TestSharedCrawlSameReports: a crawl by a coordinator and two workers
// writes the reports a crawl of one process writes, with the same
// flags. Every page request waits until each of the three processes has
// sent one, so that all three fetch. The workers, given the crawl's
// --header, send it as the coordinator does.
func TestSharedCrawlSameReports(t *testing.T) {
	// No process dies here, so the default lease: under sharedTestLease,
	// a heartbeat that a busy machine delays by 1.5s lets another
	// process fetch a held page again.
	srv := redistest.Start(t)
	site, tmp, want := localReports(t)

	// Every page request waits until each process has sent one: until
	// the last one has its own, none holds more pages than its
	// --concurrency. (A worker with --wait that looked for the crawl
	// just before the coordinator created it joins a joinPoll later, by
	// when another could have fetched every page the others left.)
	var (
		mu      sync.Mutex
		sent    = map[int]int{} // page requests by process
		procs   []int           // the coordinator's and the workers'
		all     = make(chan struct{})
		allOnce sync.Once
	)
	// check closes all once each process has sent a page request. mu is held.
	check := func() {
		if len(procs) > 0 && !slices.ContainsFunc(procs, func(pid int) bool { return sent[pid] == 0 }) {
			allOnce.Do(func() { close(all) })
		}
	}
	site.Hold = func(r *http.Request) {
		if !isPage(r) {
			return
		}
		pid := ownerPID(r)
		mu.Lock()
		sent[pid]++
		check()
		mu.Unlock()
		select {
		case <-all:
		case <-r.Context().Done():
		}
	}
	t.Cleanup(func() { allOnce.Do(func() { close(all) }) })

	mark := len(site.Requests())
	header := []string{"--header", "X-Token: s3cret"}
	// A held request must not time out and be tried again: the hold ends
	// once the three processes have each sent one, however long a busy
	// machine takes to start the workers (the workers take the
	// coordinator's --timeout; it is in no report).
	args := slices.Concat(header, []string{"--redis", srv.URL, "--crawl-id", "three", "--timeout", "10m"})
	done := coordinator(context.Background(), sharedReportArgs(site, filepath.Join(tmp, "shared"), args...)...)
	// The workers wait for the crawl the coordinator creates.
	more := append([]string{"--wait"}, header...)
	w1, w2 := startWorker(t, srv.URL, "three", more...), startWorker(t, srv.URL, "three", more...)
	mu.Lock()
	procs = []int{os.Getpid(), w1.cmd.Process.Pid, w2.cmd.Process.Pid}
	check()
	mu.Unlock()
	go func() {
		// A worker that exits before it sent a page request lets the
		// others go: the checks below say what went wrong.
		select {
		case <-w1.done:
		case <-w2.done:
		case <-all:
		}
		allOnce.Do(func() { close(all) })
	}()
	res := <-done
	if res.code != exitOK {
		t.Fatalf("shared crawl: exit %d; stderr:\n%s", res.code, res.stderr)
	}
	w1.wait(t, "worker 1", exitOK)
	w2.wait(t, "worker 2", exitOK)
	mu.Lock()
	for i, name := range []string{"the coordinator", "worker 1", "worker 2"} {
		if sent[procs[i]] == 0 {
			t.Errorf("%s sent no page request; page requests by process: %v (coordinator and workers %v)", name, sent, procs)
		}
	}
	mu.Unlock()
	sameReports(t, "shared crawl", want, readReports(t, filepath.Join(tmp, "shared"), true))
	for u, n := range hitCounts(site, mark) {
		if n > 1 {
			t.Errorf("%s fetched %d times in the shared crawl", u, n)
		}
	}
	for _, r := range site.Requests()[mark:] {
		if strings.Contains(r.URL, "/page/") && r.Header.Get("X-Token") != "s3cret" {
			t.Errorf("%s was requested without the crawl's header", r.URL)
		}
	}
	if _, err := cluster.Join(context.Background(), srv.Client(t), "three"); !errors.Is(err, cluster.ErrNoCrawl) {
		t.Errorf("after the crawl, join: %v; want it removed", err)
	}
}

// hitCounts counts the requests of each URL a site received from the
// mark-th on, robots.txt aside: each process reads it for itself.
func hitCounts(site *crawlertest.Site, mark int) map[string]int {
	n := map[string]int{}
	for _, r := range site.Requests()[mark:] {
		if !strings.HasSuffix(r.URL, "/robots.txt") {
			n[r.URL]++
		}
	}
	return n
}

// TestSharedCrawlWorkerKilled: a worker killed with SIGKILL in the
// middle of a page request loses nothing: its leases expire, the others
// fetch its URLs, and the reports are those of a crawl of one process.
func TestSharedCrawlWorkerKilled(t *testing.T) {
	t.Setenv("HOPAUDIT_LEASE", sharedTestLease)
	srv := redistest.Start(t)
	site, tmp, want := localReports(t)

	// The coordinator's page requests wait until the victim is killed,
	// so that the victim, the only worker until then, gets the level of
	// pages; its third page request is held until it dies. The other
	// worker starts after that.
	var (
		sent     atomic.Int32
		held     atomic.Pointer[string] // the URL the victim dies fetching
		busy     = make(chan struct{})
		busyOnce sync.Once
		killed   = make(chan struct{})
		killOnce sync.Once
	)
	site.Hold = func(r *http.Request) {
		if !isPage(r) {
			return
		}
		if ownerPID(r) == os.Getpid() {
			select {
			case <-killed:
			case <-r.Context().Done():
			}
			return
		}
		select {
		case <-killed: // the other worker
			return
		default:
		}
		if sent.Add(1) >= 3 {
			busyOnce.Do(func() {
				u := "http://" + crawlertest.Host + r.URL.RequestURI()
				held.Store(&u)
				close(busy)
			})
			<-r.Context().Done() // the victim dies with it
		}
	}
	t.Cleanup(func() { killOnce.Do(func() { close(killed) }) })

	mark := len(site.Requests())
	// The coordinator's held requests must not time out, however long
	// the victim takes to start (see TestSharedCrawlSameReports).
	done := coordinator(context.Background(), sharedReportArgs(site, filepath.Join(tmp, "shared"), "--redis", srv.URL, "--crawl-id", "kill", "--timeout", "10m")...)
	v := startWorker(t, srv.URL, "kill", "--wait")
	<-busy
	if err := v.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	v.wait(t, "the killed worker", 128+int(syscall.SIGKILL))
	killOnce.Do(func() { close(killed) })
	other := startWorker(t, srv.URL, "kill")

	res := <-done
	if res.code != exitOK {
		t.Fatalf("shared crawl: exit %d; stderr:\n%s", res.code, res.stderr)
	}
	other.wait(t, "the other worker", exitOK)
	if u := *held.Load(); hitCounts(site, mark)[u] != 2 {
		t.Errorf("%s, which the killed worker was fetching, was requested %d times in the shared crawl, want 2: its lease was not taken over", u, hitCounts(site, mark)[u])
	}
	sameReports(t, "shared crawl with a worker killed", want, readReports(t, filepath.Join(tmp, "shared"), true))
}

// TestSharedCrawlInterrupt: an interrupted coordinator without --state
// stops the shared crawl and removes it, reporting what was fetched
// (exit 3); with --state it leaves the crawl in Redis, and the same
// command collects the rest and writes the reports of the whole crawl.
func TestSharedCrawlInterrupt(t *testing.T) {
	t.Setenv("HOPAUDIT_LEASE", sharedTestLease) // the interrupted coordinator's leases
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	site := crawlertest.New(t, stateSite(10))
	tmp := t.TempDir()
	code, _, stderr := runMain(t, sharedReportArgs(site, filepath.Join(tmp, "local"))...)
	if code != exitOK {
		t.Fatalf("local crawl: exit %d; stderr:\n%s", code, stderr)
	}
	want := readReports(t, filepath.Join(tmp, "local"), true)

	// While a subtest holds them, page requests wait for their end and
	// say they arrived, on that subtest's channel: a request of the one
	// before, still ending, says nothing to the next.
	var arriving atomic.Pointer[chan struct{}]
	site.Hold = func(r *http.Request) {
		if arrived := arriving.Load(); arrived != nil && isPage(r) {
			select {
			case *arrived <- struct{}{}:
			default:
			}
			<-r.Context().Done()
		}
	}
	for _, state := range []bool{false, true} {
		t.Run(fmt.Sprintf("state=%v", state), func(t *testing.T) {
			id := fmt.Sprintf("interrupt-%v", state)
			dir := filepath.Join(tmp, id)
			args := sharedReportArgs(site, dir, "--redis", srv.URL, "--crawl-id", id)
			if state {
				args = append(args, "--state", filepath.Join(tmp, id+".db"))
			}
			arrived := make(chan struct{}, 1)
			arriving.Store(&arrived)
			ctx, interrupt := context.WithCancel(context.Background())
			done := coordinator(ctx, args...)
			var res result
			select {
			case <-arrived:
				interrupt()
				res = <-done
			case res = <-done: // never: the site holds every page
				interrupt()
				t.Fatalf("the crawl ended before its first page was requested: exit %d; stderr:\n%s", res.code, res.stderr)
			}
			arriving.Store(nil)
			if res.code != exitIncomplete || !strings.Contains(res.stderr, "crawl cut short") {
				t.Fatalf("interrupted: exit %d, want %d, crawl cut short; stderr:\n%s", res.code, exitIncomplete, res.stderr)
			}
			checkDir(t, dir)
			_, err := cluster.Join(context.Background(), rdb, id)
			if !state {
				if !errors.Is(err, cluster.ErrNoCrawl) {
					t.Errorf("without --state, join after the interrupt: %v; want the crawl stopped and removed", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("with --state, join after the interrupt: %v; want the crawl left in redis", err)
			}
			again := <-coordinator(context.Background(), args...)
			if again.code != exitOK {
				t.Fatalf("the same command again: exit %d; stderr:\n%s", again.code, again.stderr)
			}
			sameReports(t, "resumed shared crawl", want, readReports(t, dir, true))
		})
	}
}

// TestSharedWorkersFail: a coordinator whose own workers fail (here the
// pacing script, on a host's count that is no number, for a lease's
// time) stops collecting and says why, exit 3, and stops the crawl:
// with no other worker, it once waited for ever.
func TestSharedWorkersFail(t *testing.T) {
	t.Setenv("HOPAUDIT_LEASE", sharedTestLease)
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	site := crawlertest.New(t, stateSite(3))
	tmp := t.TempDir()
	if err := rdb.HSet(context.Background(), "hopaudit:{fails}:host:"+crawlertest.Host, "n", "many").Err(); err != nil {
		t.Fatal(err)
	}
	res := <-coordinator(context.Background(), sharedReportArgs(site, tmp, "--redis", srv.URL, "--crawl-id", "fails")...)
	if res.code != exitIncomplete || !strings.Contains(res.stderr, "this process's workers stopped") || !strings.Contains(res.stderr, "not an integer") {
		t.Errorf("exit %d, want %d and why the workers stopped; stderr:\n%s", res.code, exitIncomplete, res.stderr)
	}
	// Without --state, no one can resume it: it is stopped for every
	// process, and its keys expire.
	if why := rdb.HGet(context.Background(), "hopaudit:{fails}:meta", "stopped").Val(); why != stopFailed {
		t.Errorf("the crawl in redis: stopped %q, want %q", why, stopFailed)
	}
}

// TestRedisUnreachable: a Redis that refuses connections, or never
// answers, is exit 3 with a message naming it (never its password),
// and no request to the site.
func TestRedisUnreachable(t *testing.T) {
	site := crawlertest.New(t, stateSite(3))
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedAddr := refused.Addr().String()
	refused.Close()
	// A server that takes connections and never says a word.
	mute, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer mute.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := mute.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	old := redisTimeout
	redisTimeout = time.Second // the server never answers: waiting longer proves nothing
	defer func() { redisTimeout = old }()

	for _, addr := range []string{refusedAddr, mute.Addr().String()} {
		u := "redis://:hunter2@" + addr + "/0"
		for _, args := range [][]string{
			sharedReportArgs(site, filepath.Join(t.TempDir(), "out"), "--redis", u),
			{"worker", "--redis", u},
		} {
			code, stdout, stderr := runMain(t, args...)
			if code != exitIncomplete || stdout != "" || strings.Contains(stderr, "hunter2") {
				t.Errorf("%s with redis at %s: exit %d, want %d, no report, no password; stderr:\n%s", args[0], addr, code, exitIncomplete, stderr)
			}
			oneError(t, stderr, "redis at "+addr)
		}
	}
	if n := len(site.Requests()); n != 0 {
		t.Errorf("%d requests to the site, want none", n)
	}
}

// TestWorkerNoCrawl: a worker with no crawl to join says so and exits 3.
func TestWorkerNoCrawl(t *testing.T) {
	srv := redistest.Start(t)
	code, _, stderr := runMain(t, "worker", "--redis", srv.URL)
	if code != exitIncomplete {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitIncomplete, stderr)
	}
	oneError(t, stderr, "no shared crawl in redis at "+srv.Addr)
	code, _, stderr = runMain(t, "worker", "--redis", srv.URL, "--crawl-id", "nightly")
	if code != exitIncomplete {
		t.Errorf("--crawl-id: exit %d, want %d; stderr:\n%s", code, exitIncomplete, stderr)
	}
	oneError(t, stderr, `no shared crawl "nightly" in redis at `+srv.Addr)
}

// TestSharedCrawlSettings: a coordinator whose crawl id names a crawl
// of other settings in Redis is refused (exit 2) with the differences
// and --crawl-id; one of the same settings whose records went to
// another coordinator too. A worker without the crawl's headers is
// refused. Nothing is fetched until --restart drops that crawl.
func TestSharedCrawlSettings(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	site := crawlertest.New(t, stateSite(3))
	a := newFake(t).app
	base := sharedReportArgs(site, filepath.Join(t.TempDir(), "out"), "--redis", srv.URL, "--crawl-id", "taken")
	there := prepareArgs(t, a, append(base, "--max-depth", "1", "--header", "Cookie: a=1"))
	settings, err := settingsText(there)
	if err != nil {
		t.Fatal(err)
	}
	spec := cluster.Spec{Settings: settings, Args: there.args, MaxPages: there.cfg.MaxPages}
	if _, _, err := cluster.Create(context.Background(), rdb, "taken", spec, nil); err != nil {
		t.Fatal(err)
	}

	code, _, stderr := runMain(t, base...)
	if code != exitUsage || !strings.Contains(stderr, "max_depth 0 here, 1 there") || !strings.Contains(stderr, "--crawl-id") {
		t.Errorf("other settings: exit %d, want %d naming max_depth and --crawl-id; stderr:\n%s", code, exitUsage, stderr)
	}
	code, _, stderr = runMain(t, append(base, "--max-depth", "1", "--header", "Cookie: a=1")...)
	if code != exitUsage || !strings.Contains(stderr, "already under way") {
		t.Errorf("the same settings, records elsewhere: exit %d, want %d; stderr:\n%s", code, exitUsage, stderr)
	}
	code, _, stderr = runMain(t, "worker", "--redis", srv.URL, "--crawl-id", "taken")
	if code != exitUsage || !strings.Contains(stderr, "Cookie") {
		t.Errorf("worker without the crawl's header: exit %d, want %d naming it; stderr:\n%s", code, exitUsage, stderr)
	}
	if n := len(site.Requests()); n != 0 {
		t.Errorf("%d requests to the site, want none", n)
	}

	// --restart drops the crawl in Redis, and crawls.
	if code, _, stderr := runMain(t, append(base, "--restart")...); code != exitOK {
		t.Errorf("--restart: exit %d, want %d; stderr:\n%s", code, exitOK, stderr)
	}
	if _, err := cluster.Join(context.Background(), rdb, "taken"); !errors.Is(err, cluster.ErrNoCrawl) {
		t.Errorf("after the crawl with --restart, join: %v; want it removed", err)
	}
}

// TestSharedCrawlVersion: a crawl in Redis that another version of
// hopaudit made is refused (exit 2), to a coordinator and to a worker,
// naming the way out; --restart drops it, and crawls.
func TestSharedCrawlVersion(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	site := crawlertest.New(t, stateSite(3))
	ctx := context.Background()
	// What an earlier version left: its keys, without this one's
	// protocol.
	for _, k := range []string{"settings", "spec"} {
		if err := rdb.Set(ctx, "hopaudit:{old}:"+k, "{}", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := rdb.HSet(ctx, "hopaudit:{old}:meta", "gen", "g", "stopped", "").Err(); err != nil {
		t.Fatal(err)
	}
	base := sharedReportArgs(site, filepath.Join(t.TempDir(), "out"), "--redis", srv.URL, "--crawl-id", "old")
	code, _, stderr := runMain(t, base...)
	if code != exitUsage || !strings.Contains(stderr, "another version of hopaudit") || !strings.Contains(stderr, "--restart") {
		t.Errorf("coordinator: exit %d, want %d naming the version and --restart; stderr:\n%s", code, exitUsage, stderr)
	}
	code, _, stderr = runMain(t, "worker", "--redis", srv.URL, "--crawl-id", "old")
	if code != exitIncomplete || !strings.Contains(stderr, "another version of hopaudit") {
		t.Errorf("worker: exit %d, want %d naming the version; stderr:\n%s", code, exitIncomplete, stderr)
	}
	if n := len(site.Requests()); n != 0 {
		t.Errorf("%d requests to the site, want none", n)
	}
	if code, _, stderr := runMain(t, append(base, "--restart")...); code != exitOK {
		t.Errorf("--restart: exit %d, want %d; stderr:\n%s", code, exitOK, stderr)
	}
}

// TestWorkerWait: a worker with --wait says it waits for its crawl to
// be created (HOPAUDIT_REDIS names the database), and SIGTERM ends it
// with exit 0: leaving a crawl is no failure.
func TestWorkerWait(t *testing.T) {
	srv := redistest.Start(t)
	cmd := command("worker", "--wait", "--crawl-id", "later")
	cmd.Env = append(cmd.Env, "HOPAUDIT_REDIS="+srv.URL)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The worker says when it begins to wait.
	lines := bufio.NewScanner(pipe)
	var stderr strings.Builder
	for lines.Scan() && !strings.HasPrefix(lines.Text(), `waiting for the shared crawl "later"`) {
		stderr.WriteString(lines.Text() + "\n")
	}
	if lines.Err() != nil || !strings.HasPrefix(lines.Text(), "waiting for") {
		t.Fatalf("the worker did not say it waits; stderr:\n%s", stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(pipe) // to its exit; then Wait
	stderr.Write(rest)
	if code := exitStatus(t, cmd.Wait()); code != exitOK {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitOK, stderr.String())
	}
	if strings.Contains(stderr.String(), "hopaudit: ") {
		t.Errorf("stderr has an error:\n%s", stderr.String())
	}
}
