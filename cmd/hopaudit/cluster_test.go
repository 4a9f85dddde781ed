package main

// Tests of crawl --redis and worker that need no Redis: the crawl's
// flags for its workers, sealed headers, --redis checks, and
// --host-concurrency in a crawl of one process.

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/hopaudit/hopaudit/cluster"
	"github.com/hopaudit/hopaudit/crawler"
)

// sharedCrawlArgs is a crawl command line with every flag a shared
// crawl's workers take from it, and others they must not.
var sharedCrawlArgs = []string{"crawl", "example.com/start", "http://www.example.com/b",
	"--delay", "250ms", "--max-pages=500", "--max-depth", "3", "--timeout", "7s", "--retries", "2", "--max-retry-wait", "9s",
	"--max-body", "1MiB", "--user-agent", "Bot/1.0 (+https://bot.example)",
	"--header", "Cookie: session=s3cret", "--header=Authorization: Bearer t0ken", "--header", "Cookie: second=v",
	"--include", `^https://(www\.)?example\.com/(a|b)`, "--include", "x", "--exclude", "-private", "--sitemap", "example.com/s.xml",
	"--no-external", "--follow-nofollow", "--no-resources", "--subdomains", "--ignore-robots",
	"--resolve", "example.com:443:127.0.0.1", "--insecure", "--allow-private", "--host-concurrency", "2",
	// each process's own, and the coordinator's
	"--concurrency", "3", "--proxy", "http://user:pr0xypw@proxy.example:3128",
	"--redis", "redis://:redispw@127.0.0.1:1/0", "--crawl-id", "nightly", "--format", "csv", "--quiet", "-o", "out.csv", "--bom"}

// prepareArgs parses a crawl command line as runCrawl does, and returns
// its job with the flags of its shared crawl.
func prepareArgs(t *testing.T, a *app, args []string) *job {
	t.Helper()
	var f crawlFlags
	fs := flagSet("crawl")
	f.define(fs, false)
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		t.Fatal(err)
	}
	j, err := a.prepare(fs, &f, pos, false)
	if err != nil {
		t.Fatal(err)
	}
	if j.args, err = sharedArgs(fs, args[1:], j.seeds); err != nil {
		t.Fatal(err)
	}
	return j
}

// TestSharedArgsGiveTheConfig: a worker makes of a shared crawl's flags
// (its Spec's Args) the coordinator's crawler configuration, but for
// what each process gives itself; the flags hold no secret.
func TestSharedArgsGiveTheConfig(t *testing.T) {
	a := newFake(t).app
	j := prepareArgs(t, a, sharedCrawlArgs)
	for _, secret := range []string{"s3cret", "t0ken", "second=v", "pr0xypw", "redispw", "nightly", "csv", "3128"} {
		if i := slices.IndexFunc(j.args, func(s string) bool { return strings.Contains(s, secret) }); i >= 0 {
			t.Errorf("the shared flags hold %q: %q", secret, j.args[i])
		}
	}
	if !slices.Contains(j.args, "-private") || j.args[len(j.args)-3] != "--" {
		t.Errorf("shared flags %q: want --exclude's value and the start URLs after --", j.args)
	}

	got, err := a.workerConfig(cluster.Spec{Args: j.args}, j.cfg.Header)
	if err != nil {
		t.Fatal(err)
	}
	want := j.cfg
	want.Concurrency, want.Proxy, want.Log = 0, "", nil // each process's own
	got.Concurrency, got.Log = 0, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("worker's config:\n%+v\nwant the coordinator's:\n%+v", got, want)
	}
	if j.cfg.HostConcurrency != 2 || j.crawlID != "nightly" {
		t.Errorf("host concurrency %d, crawl id %q", j.cfg.HostConcurrency, j.crawlID)
	}

	// The default crawl id is the first start URL's host.
	if j := prepareArgs(t, a, []string{"crawl", "WWW.Example.com:8443/x", "--redis", "redis://127.0.0.1/0"}); j.crawlID != "www.example.com" {
		t.Errorf("default crawl id %q, want www.example.com", j.crawlID)
	}
}

// TestWorkerHeaders: a worker must be given the crawl's headers, each
// value as the coordinator was, and no other.
func TestWorkerHeaders(t *testing.T) {
	a := newFake(t).app
	j := prepareArgs(t, a, []string{"crawl", "example.com", "--header", "Cookie: a=1", "--header", "X-Token: t", "--redis", "redis://127.0.0.1/0"})
	spec := cluster.Spec{Args: j.args}
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	for _, tt := range []struct {
		given http.Header
		want  string // in the error; "" = none
	}{
		{h("Cookie", "a=1", "X-Token", "t"), ""},
		{h("Cookie", "a=1"), "sends the header X-Token"},
		{nil, "sends the header Cookie, X-Token"},
		{h("Cookie", "a=2", "X-Token", "t"), "--header Cookie: not the value"},
		{h("Cookie", "a=1", "X-Token", "t", "X-More", "m"), "--header X-More: the shared crawl sends no such header"},
		{h("Cookie", "a=1", "Cookie", "a=1", "X-Token", "t"), "has 1 of them, this worker 2"},
	} {
		cfg, err := a.workerConfig(spec, tt.given)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%v: %v", tt.given, err)
		case tt.want == "" && !reflect.DeepEqual(cfg.Header, j.cfg.Header):
			t.Errorf("%v: headers %v, want %v", tt.given, cfg.Header, j.cfg.Header)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%v: error %v, want one saying %q", tt.given, err, tt.want)
		}
	}
}

// TestRedisFlags: --redis and --crawl-id are checked before anything
// else, and a password never shows.
func TestRedisFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--crawl-id", "x"}, "--crawl-id needs --redis"},
		{[]string{"--redis", "http://:hunter2@127.0.0.1:6379/0"}, `scheme "http"`},
		{[]string{"--redis", "redis://:hunter2@[::1"}, "--redis: not a URL"},
		{[]string{"--redis", "redis:///0"}, "names no host"},
		{[]string{"--redis", "redis://:hunter2@127.0.0.1/0", "--crawl-id", "a{b}"}, `--crawl-id: crawl id "a{b}"`},
		{[]string{"--host-concurrency", "-1"}, "--host-concurrency must not be negative"},
	} {
		f := newFake(t)
		code := f.run(append([]string{"crawl", "example.com"}, tt.args...)...)
		stderr := f.stderr.String()
		if code != exitUsage || !strings.Contains(stderr, tt.want) || strings.Contains(stderr, "hunter2") {
			t.Errorf("%q: exit %d, want %d saying %q (never the password); stderr:\n%s", tt.args, code, exitUsage, tt.want, stderr)
		}
		if f.cfg != nil {
			t.Errorf("%q: crawled", tt.args)
		}
	}
	for _, args := range [][]string{
		{"worker"},
		{"worker", "--redis", "redis://:hunter2@127.0.0.1/0", "https://example.com"},
		{"worker", "--redis", "redis://:hunter2@127.0.0.1/0", "--concurrency", "0"},
		{"worker", "--redis", "ftp://:hunter2@127.0.0.1/0"},
	} {
		f := newFake(t)
		if code := f.run(args...); code != exitUsage || strings.Contains(f.stderr.String(), "hunter2") {
			t.Errorf("%q: exit %d, want %d (never the password); stderr:\n%s", args, code, exitUsage, f.stderr.String())
		}
	}
}

func TestRedactor(t *testing.T) {
	r := newRedactor("redis://default:p%40ss%3Aw0rd@10.0.0.5:6379/2")
	if r.where != "10.0.0.5:6379" {
		t.Errorf("where %q", r.where)
	}
	msg := r.error(context.DeadlineExceeded).Error() + r.text(" redis://default:p%40ss%3Aw0rd@10.0.0.5 p@ss:w0rd")
	if strings.Contains(msg, "w0rd") {
		t.Errorf("the password shows: %s", msg)
	}
	if !strings.Contains(msg, "default:xxxxx@10.0.0.5") {
		t.Errorf("redacted: %s", msg)
	}
}

// TestHostConcurrencyLocal: in a crawl of one process,
// --host-concurrency caps the requests in flight to a host below
// --concurrency.
func TestHostConcurrencyLocal(t *testing.T) {
	for _, tt := range []struct {
		args []string
		cap  int
	}{
		{[]string{"--concurrency", "8", "--host-concurrency", "2"}, 2},
		{[]string{"--concurrency", "3", "--host-concurrency", "5"}, 3},
		{[]string{"--concurrency", "3"}, 3},
	} {
		f := newFake(t)
		if code := f.run(append([]string{"crawl", "example.com"}, tt.args...)...); code != exitOK {
			t.Fatalf("%q: exit %d; stderr:\n%s", tt.args, code, f.stderr.String())
		}
		if f.cfg.Concurrency != 8 && f.cfg.Concurrency != 3 {
			t.Errorf("%q: concurrency %d", tt.args, f.cfg.Concurrency)
		}
		// In a bubble, a request that must wait is seen waiting once
		// every goroutine is blocked: no clock decides.
		synctest.Test(t, func(t *testing.T) {
			p := crawler.NewPoliteness(*f.cfg) // as the crawl's frontier paces it
			ctx := context.Background()
			for i := range tt.cap {
				if _, err := p.Acquire(ctx, "example.com"); err != nil {
					t.Fatalf("%q: request %d: %v", tt.args, i+1, err)
				}
			}
			started := make(chan struct{})
			go func() {
				if _, err := p.Acquire(ctx, "example.com"); err == nil {
					close(started)
				}
			}()
			synctest.Wait()
			select {
			case <-started:
				t.Fatalf("%q: request %d to one host started, want at most %d in flight", tt.args, tt.cap+1, tt.cap)
			default:
			}
			p.Release("example.com")
			synctest.Wait()
			select {
			case <-started:
			default:
				t.Errorf("%q: request %d did not start when one ended", tt.args, tt.cap+1)
			}
		})
	}
}
