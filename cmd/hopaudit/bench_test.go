package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// The end-to-end benchmarks run `hopaudit crawl` (crawl, audit with every
// rule, report) against the synthetic site of 10,000 pages
// (33,000 URLs; see synthetic for other shapes) on loopback, side by side
// with a lean reference crawler and with colly at its plainest:
//
//	go test ./cmd/hopaudit -run '^$' -bench . -benchtime 3x

// synthetic returns the benchmarks' site: DefaultSynthetic, with the
// knobs that HOPAUDIT_SYNTHETIC sets, as in pages=40000,bytes=30000:
// pages=, bytes=, nav=, navmoved= (navigation links to redirects),
// content=, every= (a chain on every Nth page), hops=, images= (each
// page's own images) and latency=. The benchmarks can so be run on other shapes of
// site than the one they were tuned on.
func synthetic(tb testing.TB) *crawlertest.Synthetic {
	site := crawlertest.DefaultSynthetic()
	knobs := map[string]*int{"pages": &site.Pages, "bytes": &site.PageBytes, "nav": &site.Nav, "navmoved": &site.NavMoved,
		"content": &site.Content, "every": &site.ChainEvery, "hops": &site.ChainHops, "images": &site.Images}
	for kv := range strings.SplitSeq(os.Getenv("HOPAUDIT_SYNTHETIC"), ",") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if k == "latency" {
			d, err := time.ParseDuration(v)
			if err != nil {
				tb.Fatalf("HOPAUDIT_SYNTHETIC: %s: %v", kv, err)
			}
			site.Latency = d
			continue
		}
		n, err := strconv.Atoi(v)
		if knobs[k] == nil || err != nil || n < 0 {
			tb.Fatalf("HOPAUDIT_SYNTHETIC: %q: want pages=, bytes=, nav=, navmoved=, content=, every=, hops=, images= with a number, or latency= with a duration", kv)
		}
		*knobs[k] = n
	}
	if site.Pages == 0 {
		tb.Fatal("HOPAUDIT_SYNTHETIC: a site needs pages")
	}
	return site
}

func hopauditArgs(url string) []string {
	return []string{"crawl", "--concurrency", "16", "--max-pages", "0", "--report", "summary", "--format", "csv", url}
}

// findingsArgs are hopauditArgs with the findings report (a row per
// finding) instead of the summary: what issue 18's targets measure.
func findingsArgs(url string) []string {
	return []string{"crawl", "--concurrency", "16", "--max-pages", "0", "--report", "findings", "--format", "csv", url}
}

// BenchmarkScale is issue 18's table: it runs the lean reference crawler
// and hopaudit (crawl, every rule, the findings report as CSV), each in
// a child process of its own, taking turns (the first to run alternates),
// on the synthetic site (HOPAUDIT_SYNTHETIC=pages=N picks its size), and
// reports the medians over the iterations of: pages, URLs fetched, each
// one's seconds, their ratio, hopaudit's µs per URL, each one's peak
// resident memory per URL fetched, each one's share of CPU time spent
// collecting garbage, and each one's CPU seconds (user and system) and
// their ratio, which other work on the machine disturbs less than the
// times, and, which it does not disturb, each one's bytes allocated per
// URL and collections. Each run is logged as a row of the table:
//
//	HOPAUDIT_SYNTHETIC=pages=10000 go test ./cmd/hopaudit -run '^$' -bench Scale -benchtime 5x
func BenchmarkScale(b *testing.B) {
	site := synthetic(b)
	srv := site.Start()
	defer srv.Close()
	start := srv.URL + "/p/0"
	names := []string{"pages", "urls", "hopaudit-s", "lean-s", "ratio", "µs/url", "peak-B/url", "lean-peak-B/url", "gc-%", "lean-gc-%",
		"hopaudit-cpu-s", "lean-cpu-s", "cpu-ratio", "alloc-KB/url", "lean-alloc-KB/url", "gc-cycles", "lean-gc-cycles"}
	runs := map[string][]float64{}
	for b.Loop() {
		order := []string{"reference", "hopaudit-findings"}
		if len(runs["ratio"])%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		var ours, ref childResult
		for _, who := range order {
			before := site.Requests()
			r := childRun(b, who, start)
			if n := site.Requests() - before; n < int64(site.URLs()) {
				b.Fatalf("%s made %d requests, the site has %d URLs", who, n, site.URLs())
			}
			if who == "reference" {
				ref = r
			} else {
				ours = r
			}
		}
		n := float64(ours.fetched)
		run := []float64{float64(site.Pages), n, ours.took.Seconds(), ref.took.Seconds(), ours.took.Seconds() / ref.took.Seconds(),
			float64(ours.took.Microseconds()) / n, float64(ours.peakKB) * 1024 / n, float64(ref.peakKB) * 1024 / float64(ref.fetched),
			100 * ours.gcCPU / ours.cpu, 100 * ref.gcCPU / ref.cpu,
			ours.cpuTime.Seconds(), ref.cpuTime.Seconds(), ours.cpuTime.Seconds() / ref.cpuTime.Seconds(),
			ours.allocated / n / 1000, ref.allocated / float64(ref.fetched) / 1000, ours.gcCycles, ref.gcCycles}
		for i, name := range names {
			runs[name] = append(runs[name], run[i])
		}
		b.Logf("| %.0fk | %.0f | %.1f s | %.1f s | %.2f | %.0f µs | %.0f B | %.0f B | %.0f%% | %.0f%% | %.1f | %.1f | %.2f | %.1f KB | %.1f KB | %.0f | %.0f |", run[0]/1000,
			run[1], run[2], run[3], run[4], run[5], run[6], run[7], run[8], run[9], run[10], run[11], run[12], run[13], run[14], run[15], run[16])
	}
	for _, name := range names {
		b.ReportMetric(median(runs[name]), name)
	}
}

// median returns the median of v, which it sorts.
func median(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[n/2]
}

// BenchmarkVsReference runs the reference crawler, plain colly and
// hopaudit one after the other in every iteration and reports each one's
// seconds and hopaudit's ratio to the reference (the target: at
// most 2).
func BenchmarkVsReference(b *testing.B) {
	site := synthetic(b)
	srv := site.Start()
	defer srv.Close()
	start := srv.URL + "/p/0"
	var ref, colly, ours time.Duration
	for b.Loop() {
		t := time.Now()
		if n := crawlertest.ReferenceCrawl(start, 16); n != site.URLs() {
			b.Fatalf("reference crawled %d URLs, the site has %d", n, site.URLs())
		}
		ref += time.Since(t)

		t = time.Now()
		crawlertest.PlainColly(start, 16)
		colly += time.Since(t)

		before := site.Requests()
		t = time.Now()
		if code := run(context.Background(), hopauditArgs(start), io.Discard, io.Discard); code != exitOK {
			b.Fatalf("hopaudit exited %d", code)
		}
		ours += time.Since(t)
		if n := site.Requests() - before; n < int64(site.URLs()) {
			b.Fatalf("hopaudit made %d requests, the site has %d URLs", n, site.URLs())
		}
	}
	n := float64(b.N)
	b.ReportMetric(ref.Seconds()/n, "ref-s/op")
	b.ReportMetric(colly.Seconds()/n, "colly-s/op")
	b.ReportMetric(ours.Seconds()/n, "hopaudit-s/op")
	b.ReportMetric(ours.Seconds()/ref.Seconds(), "ratio")
}

// BenchmarkPeakRSS runs each crawler in a child process of its own (this
// test binary, see TestBenchChild) on the synthetic site and on one of
// five times its pages (by default 10,000 and 50,000 pages: 33,000 and
// 165,000 URLs), and reports its peak resident memory per URL fetched
// (the target for hopaudit: 1.2 KB), and what each URL fetched
// more adds between the two sizes (the growth of the memory with the
// site, without the fixed cost of a process).
func BenchmarkPeakRSS(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("peak RSS is read from /proc")
	}
	small, large := synthetic(b), synthetic(b)
	large.Pages *= 5
	sites := []*crawlertest.Synthetic{small, large}
	urls := make([]string, len(sites))
	for i, site := range sites {
		srv := site.Start()
		defer srv.Close()
		urls[i] = srv.URL + "/p/0"
	}
	for b.Loop() {
		for _, who := range []string{"reference", "hopaudit"} {
			var kb, fetched [2]int
			for i, site := range sites {
				r := childRun(b, who, urls[i])
				kb[i], fetched[i] = r.peakKB, r.fetched
				b.ReportMetric(float64(kb[i])*1024/float64(r.fetched), fmt.Sprintf("%s-%dk-peak-B/url", who, site.URLs()/1000))
				b.ReportMetric(float64(kb[i])/1024, fmt.Sprintf("%s-%dk-peak-MiB", who, site.URLs()/1000))
			}
			b.ReportMetric(float64(kb[1]-kb[0])*1024/float64(fetched[1]-fetched[0]), who+"-growth-B/url")
		}
	}
}

// BenchmarkPeakRSSImages measures what page resources cost (issue 14):
// hopaudit's peak resident memory per URL fetched, in a child process as
// in BenchmarkPeakRSS, on the synthetic site without images and on the
// same site with 10 images of its own on every page and a logo they share
// (images= sets how many; by default 33,000 and 133,001 URLs), what each
// image URL adds to the peak, and the crawl's time per URL fetched.
func BenchmarkPeakRSSImages(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("peak RSS is read from /proc")
	}
	plain, images := synthetic(b), synthetic(b)
	plain.Images = 0
	if images.Images == 0 {
		images.Images = 10
	}
	sites := []*crawlertest.Synthetic{plain, images}
	urls := make([]string, len(sites))
	for i, site := range sites {
		srv := site.Start()
		defer srv.Close()
		urls[i] = srv.URL + "/p/0"
	}
	names := []string{"noimg", fmt.Sprintf("img%d", images.Images)}
	for b.Loop() {
		var kb [2]int
		for i, site := range sites {
			before := site.Requests()
			r := childRun(b, "hopaudit", urls[i])
			kb[i] = r.peakKB
			took := r.took
			if n := site.Requests() - before; n < int64(site.URLs()) {
				b.Fatalf("hopaudit made %d requests, the site has %d URLs", n, site.URLs())
			}
			b.ReportMetric(float64(kb[i])/1024, names[i]+"-peak-MiB")
			b.ReportMetric(float64(kb[i])*1024/float64(r.fetched), names[i]+"-peak-B/url")
			b.ReportMetric(float64(took.Microseconds())/float64(r.fetched), names[i]+"-µs/url")
		}
		b.ReportMetric(float64(kb[1]-kb[0])*1024/float64(images.URLs()-plain.URLs()), "growth-B/image")
	}
}

// A childResult is what a child process (see TestBenchChild) measured
// of its crawl.
type childResult struct {
	peakKB  int           // peak resident set, KiB: the child's VmHWM
	took    time.Duration // the crawl, audit and report
	fetched int           // URLs fetched: hopaudit's summary line, the reference's count
	cpuTime time.Duration // user and system CPU time of the whole process
	// CPU seconds of the garbage collector and of all Go code with it
	// (runtime/metrics: /cpu/classes/gc/total, and /cpu/classes/total
	// less idle), over the child's whole life.
	gcCPU, cpu float64
	// Heap bytes allocated and collections over the child's whole life
	// (/gc/heap/allocs, /gc/cycles/total).
	allocated, gcCycles float64
}

// childRun runs who in a child process (see TestBenchChild) and returns
// what it measured.
//
// The peak is the child's VmHWM, not the Maxrss of its rusage: on Linux
// a child's ru_maxrss starts at the peak of the process that started it
// (exec keeps the high-water mark of the address space it leaves, and
// os/exec starts children with vfork), so the benchmark's own memory,
// its site included, would be a floor under the figure.
func childRun(b *testing.B, who, url string) childResult {
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "HOPAUDIT_BENCH_CHILD="+who, "HOPAUDIT_BENCH_URL="+url)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s child: %v\n%s", who, err, out.String())
	}
	r := childResult{peakKB: -1, cpuTime: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	for _, line := range strings.Split(out.String(), "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "peak-rss-kb":
			r.peakKB, _ = strconv.Atoi(v)
		case "crawl-ns":
			n, _ := strconv.ParseInt(v, 10, 64)
			r.took = time.Duration(n)
		case "fetched":
			r.fetched, _ = strconv.Atoi(v)
		case "gc-cpu-s":
			r.gcCPU, _ = strconv.ParseFloat(v, 64)
		case "cpu-s":
			r.cpu, _ = strconv.ParseFloat(v, 64)
		case "alloc-bytes":
			r.allocated, _ = strconv.ParseFloat(v, 64)
		case "gc-cycles":
			r.gcCycles, _ = strconv.ParseFloat(v, 64)
		}
	}
	if r.peakKB < 0 || r.fetched == 0 || r.cpu == 0 {
		b.Fatalf("%s child did not print its figures:\n%s", who, out.String())
	}
	return r
}

// fetchedLine finds the URLs fetched in hopaudit's summary line.
var fetchedLine = regexp.MustCompile(`(?m)^(\d+) URLs fetched, `)

// TestBenchChild is the child process of BenchmarkScale, BenchmarkPeakRSS
// and BenchmarkPeakRSSImages; a normal test run skips it. It prints its
// figures, one "name value" a line.
func TestBenchChild(t *testing.T) {
	who, url := os.Getenv("HOPAUDIT_BENCH_CHILD"), os.Getenv("HOPAUDIT_BENCH_URL")
	if who == "" {
		t.Skip("runs only as a benchmark's child process")
	}
	start := time.Now()
	fetched := 0
	switch who {
	case "reference":
		fetched = crawlertest.ReferenceCrawl(url, 16)
	case "hopaudit", "hopaudit-findings":
		args := hopauditArgs(url)
		if who == "hopaudit-findings" {
			args = findingsArgs(url)
		}
		var stderr bytes.Buffer
		if code := run(context.Background(), args, io.Discard, &stderr); code != exitOK {
			t.Fatalf("hopaudit exited %d:\n%s", code, stderr.String())
		}
		m := fetchedLine.FindStringSubmatch(stderr.String())
		if m == nil {
			t.Fatalf("no summary line:\n%s", stderr.String())
		}
		fetched, _ = strconv.Atoi(m[1])
	default:
		t.Fatalf("unknown child %q", who)
	}
	took := time.Since(start)
	kb, err := vmHWM()
	if err != nil {
		t.Fatal(err)
	}
	samples := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/cpu/classes/total:cpu-seconds"}, {Name: "/cpu/classes/idle:cpu-seconds"},
		{Name: "/gc/heap/allocs:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(samples)
	allocated, cycles := samples[3].Value.Uint64(), samples[4].Value.Uint64()
	runtime.GC() // the CPU classes are brought up to date by a collection, which is not the crawl's
	metrics.Read(samples)
	gc, total, idle := samples[0].Value.Float64(), samples[1].Value.Float64(), samples[2].Value.Float64()
	fmt.Printf("peak-rss-kb %d\ncrawl-ns %d\nfetched %d\ngc-cpu-s %g\ncpu-s %g\nalloc-bytes %d\ngc-cycles %d\n",
		kb, took.Nanoseconds(), fetched, gc, total-idle, allocated, cycles)
}

// vmHWM reads the process's peak resident set size in KiB.
func vmHWM() (int, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}

// TestServeSyntheticSite serves the synthetic site (see synthetic) for
// measuring by hand (wget, /usr/bin/time); it runs only when
// HOPAUDIT_SYNTHETIC_ADDR names a loopback address and port, and serves
// until killed:
//
//	HOPAUDIT_SYNTHETIC_ADDR=127.0.0.1:8093 HOPAUDIT_SYNTHETIC=pages=1000 go test ./cmd/hopaudit -run TestServeSyntheticSite -timeout 0 &
//	time wget --spider -r -q -P /tmp/wget http://127.0.0.1:8093/p/0
func TestServeSyntheticSite(t *testing.T) {
	addr := os.Getenv("HOPAUDIT_SYNTHETIC_ADDR")
	if addr == "" {
		t.Skip("HOPAUDIT_SYNTHETIC_ADDR is not set")
	}
	site := synthetic(t)
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		t.Fatalf("HOPAUDIT_SYNTHETIC_ADDR=%q: want a loopback IP address and port", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("serving %d pages (%d URLs) at http://%s/p/0", site.Pages, site.URLs(), ln.Addr())
	t.Fatal(http.Serve(ln, site))
}

// BenchmarkState runs hopaudit on the synthetic site with and without
// --state, one after the other in every iteration (a new crawl file each
// time), and reports each one's seconds, their ratio (the issue's
// target: at most 1.25) and the crawl file's bytes per URL (at most
// 1,000), WAL included.
func BenchmarkState(b *testing.B) {
	site := synthetic(b)
	srv := site.Start()
	defer srv.Close()
	start := srv.URL + "/p/0"
	dir := b.TempDir()
	var plain, state time.Duration
	var size int64
	i := 0
	for b.Loop() {
		t := time.Now()
		if code := run(context.Background(), hopauditArgs(start), io.Discard, io.Discard); code != exitOK {
			b.Fatalf("hopaudit exited %d", code)
		}
		plain += time.Since(t)

		i++
		file := fmt.Sprintf("%s/crawl%d.db", dir, i)
		t = time.Now()
		if code := run(context.Background(), append(hopauditArgs(start), "--state", file), io.Discard, io.Discard); code != exitOK {
			b.Fatalf("hopaudit --state exited %d", code)
		}
		state += time.Since(t)
		size = 0
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if st, err := os.Stat(file + suffix); err == nil {
				size += st.Size()
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(plain.Seconds()/n, "plain-s/op")
	b.ReportMetric(state.Seconds()/n, "state-s/op")
	b.ReportMetric(state.Seconds()/plain.Seconds(), "ratio")
	b.ReportMetric(float64(size)/float64(site.URLs()), "file-B/URL")
}
