package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestRenderProgress(t *testing.T) {
	for _, tt := range []struct {
		s       crawlProgress
		known   bool
		elapsed time.Duration
		frame   int
		width   int
		want    string
	}{
		{known: false, elapsed: 0, frame: 0, width: 79, want: "crawling -  0:00"},
		{known: false, elapsed: 75 * time.Second, frame: 5, width: 79, want: "crawling \\  1:15"},
		{known: false, elapsed: 3723 * time.Second, frame: 2, width: 79, want: "crawling |  1:02:03"},
		{
			s: crawlProgress{Fetched: 120, Queued: 360, Errors: 2}, known: true, elapsed: 10 * time.Second, width: 79,
			want: "[#####...............]  120 fetched  360 queued  2 errors  12.0/s  0:10",
		},
		{
			s: crawlProgress{Fetched: 5, Queued: 0, Errors: 1}, known: true, elapsed: 500 * time.Millisecond, width: 79,
			want: "[####################]  5 fetched  0 queued  1 error  -/s  0:00",
		},
		{
			s: crawlProgress{}, known: true, elapsed: 2 * time.Second, width: 79,
			want: "[....................]  0 fetched  0 queued  0 errors  0.0/s  0:02",
		},
		{
			s: crawlProgress{Fetched: 120, Queued: 360, Errors: 2}, known: true, elapsed: 10 * time.Second, width: 30,
			want: "[#####...............]  120 fe",
		},
	} {
		got := renderProgress(tt.s, tt.known, tt.elapsed, tt.frame, tt.width)
		if got != tt.want {
			t.Errorf("renderProgress(%+v, %v, %s, %d, %d)\n got %q\nwant %q", tt.s, tt.known, tt.elapsed, tt.frame, tt.width, got, tt.want)
		}
		if len(got) > tt.width {
			t.Errorf("%q is wider than %d", got, tt.width)
		}
	}
}

// fakeClock is a clock that moves only when told.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)}
	p := newProgress(&buf, 80, clock.now)
	want := "\rcrawling -  0:00"
	check := func(step string) {
		t.Helper()
		if got := buf.String(); got != want {
			t.Fatalf("after %s:\n got %q\nwant %q", step, got, want)
		}
	}
	check("start")

	// A log line clears the progress line, goes above it, and the line
	// comes back.
	clock.t = clock.t.Add(3 * time.Second)
	fmt.Fprintln(p, "robots.txt of site.test: timeout")
	want += "\r                \r" + "robots.txt of site.test: timeout\n" + "\rcrawling -  0:03"
	check("a log line")

	// A snapshot redraws at once, the next one within progressRedraw only
	// once the clock has moved on.
	p.update(crawlProgress{Fetched: 30, Queued: 10})
	line := "[###############.....]  30 fetched  10 queued  0 errors  10.0/s  0:03"
	want += "\r" + line
	check("a snapshot")
	p.update(crawlProgress{Fetched: 31, Queued: 10})
	check("a snapshot too soon")
	clock.t = clock.t.Add(progressRedraw)
	p.update(crawlProgress{Fetched: 32, Queued: 8, Errors: 1})
	line2 := "[################....]  32 fetched  8 queued  1 error  10.0/s  0:03"
	want += "\r" + line2 + strings.Repeat(" ", len(line)-len(line2)) // the longer line is blanked
	check("a later snapshot")

	// The clock ticks.
	clock.t = clock.t.Add(time.Second)
	p.tick()
	line3 := "[################....]  32 fetched  8 queued  1 error  7.6/s  0:04"
	want += "\r" + line3 + " "
	check("a tick")

	// stop clears the line for good.
	p.stop()
	want += "\r" + strings.Repeat(" ", len(line3)) + "\r"
	check("stop")
	fmt.Fprintln(p, "after")
	p.tick()
	p.update(crawlProgress{Fetched: 40})
	want += "after\n"
	check("after stop")
}

// TestProgressInRun runs a crawl with stderr on a terminal: the progress
// line is drawn and kept moving by the ticker, the crawler's log lines go
// above it, and it is gone before the summary line.
func TestProgressInRun(t *testing.T) {
	for _, tt := range []struct {
		name     string
		terminal bool
		args     []string
		progress bool
	}{
		{name: "terminal", terminal: true, progress: true},
		{name: "terminal, quiet", terminal: true, args: []string{"--quiet"}},
		{name: "not a terminal", terminal: false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.errTerminal, f.errWidth = tt.terminal, 100
			ticks := make(chan time.Time)
			stopped := false
			f.ticker = func(d time.Duration) (<-chan time.Time, func()) {
				if d != progressRedraw {
					t.Errorf("ticker every %s, want %s", d, progressRedraw)
				}
				return ticks, func() { stopped = true }
			}
			graph := f.graph
			f.crawl = func(_ context.Context, cfg crawler.Config) (*crawler.Graph, error) {
				f.cfg = &cfg
				if tt.progress {
					ticks <- time.Time{} // the second send waits for the first tick to be drawn
					ticks <- time.Time{}
				}
				fmt.Fprintln(cfg.Log, "robots.txt of site.test: timeout")
				return graph, nil
			}
			if code := f.run(append([]string{"crawl", "http://site.test/a", "--format", "csv"}, tt.args...)...); code != exitOK {
				t.Fatalf("exit code %d; stderr:\n%q", code, f.stderr.String())
			}
			stderr := f.stderr.String()
			if !tt.progress {
				if strings.Contains(stderr, "\r") {
					t.Errorf("progress without a terminal or with --quiet:\n%q", stderr)
				}
				if !strings.HasPrefix(stderr, "robots.txt of site.test: timeout\n") {
					t.Errorf("the crawler's log is lost:\n%q", stderr)
				}
				return
			}
			// The line is drawn at the start and on the first tick (whether
			// the second tick is drawn before the crawl ends is up to the
			// scheduler); the log line clears it, goes above it, and the
			// line comes back; it is cleared before the summary line.
			clear := "\r" + strings.Repeat(" ", len("crawling -  0:00")) + "\r"
			for _, want := range []string{"\rcrawling -  0:0", "\rcrawling \\  0:0", clear + "robots.txt of site.test: timeout\n\rcrawling "} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%q", want, stderr)
				}
			}
			last := strings.LastIndex(stderr, "\r")
			if !strings.HasSuffix(stderr[:last+1], clear) || !summaryRE.MatchString(stderr[last+1:]) {
				t.Errorf("the progress line is not cleared before the summary:\n%q", stderr)
			}
			if !stopped {
				t.Error("the ticker was not stopped")
			}
			if strings.Contains(f.stdout.String(), "\r\n\r") || strings.Contains(f.stdout.String(), "crawling") {
				t.Errorf("progress on stdout:\n%q", f.stdout.String())
			}
		})
	}
}
