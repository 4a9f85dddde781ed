package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
)

// crawlProgress is what the progress line shows of a running crawl.
type crawlProgress struct {
	Fetched int // URLs requested so far
	Queued  int // URLs waiting to be fetched
	Errors  int // URLs that failed with a network or protocol error
}

// watchCrawl connects the crawl's progress reports to the progress line.
func watchCrawl(cfg *crawler.Config, p *progress) {
	cfg.Progress = func(s crawler.Progress) {
		p.update(crawlProgress{Fetched: s.Fetched, Queued: s.Queued, Errors: s.Errors})
	}
}

// progressRedraw is how often the line is redrawn at most, and how
// often the clock on it moves.
const progressRedraw = 200 * time.Millisecond

// progress is the progress line on a terminal (stderr): one line,
// redrawn in place with a carriage return, never wider than the
// terminal so that it never wraps. It is also an io.Writer for the
// crawler's log and the command's notices: each write clears the line,
// writes above it, and draws it again, so that lines never mix. It uses
// no escape sequences, only \r and spaces, which every terminal knows.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	width int // terminal columns
	now   func() time.Time
	start time.Time
	last  time.Time // when the line was last drawn
	shown int       // columns of the line on screen; 0 when none
	snap  crawlProgress
	known bool // a snapshot arrived: the crawler reports progress
	frame int  // spinner frame
	done  bool
	quit  chan struct{} // closed by stop
	ended chan struct{} // closed when the ticking goroutine returns; nil without one
}

// startProgress draws the progress line on stderr and keeps its clock
// moving until stop.
func (a *app) startProgress() *progress {
	p := newProgress(a.stderr, a.errWidth, a.now)
	tick, stopTick := a.ticker(progressRedraw)
	p.ended = make(chan struct{})
	go func() {
		defer close(p.ended)
		defer stopTick()
		for {
			select {
			case <-tick:
				p.tick()
			case <-p.quit:
				return
			}
		}
	}()
	return p
}

// newProgress returns a progress line on w, a terminal width columns
// wide, and draws it.
func newProgress(w io.Writer, width int, now func() time.Time) *progress {
	if width < 20 {
		width = 80
	}
	p := &progress{w: w, width: width, now: now, start: now(), quit: make(chan struct{})}
	p.mu.Lock()
	p.draw()
	p.mu.Unlock()
	return p
}

// update records a snapshot of the crawl and redraws the line: at once
// for the first snapshot, then at most once per progressRedraw.
func (p *progress) update(s crawlProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	first := !p.known
	p.snap, p.known = s, true
	if !p.done && (first || p.now().Sub(p.last) >= progressRedraw) {
		p.draw()
	}
}

// tick moves the spinner and the clock.
func (p *progress) tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.done {
		p.frame++
		p.draw()
	}
}

// Write writes b above the line. b should end with a newline.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	n, err := p.w.Write(b)
	if !p.done {
		p.draw()
	}
	return n, err
}

// stop clears the line for good and waits for the clock to stop;
// later writes go straight through.
func (p *progress) stop() {
	p.mu.Lock()
	if !p.done {
		p.done = true
		close(p.quit)
		p.clear()
	}
	p.mu.Unlock()
	if p.ended != nil {
		<-p.ended
	}
}

// draw writes the line over the previous one. p.mu is held.
func (p *progress) draw() {
	now := p.now()
	line := renderProgress(p.snap, p.known, now.Sub(p.start), p.frame, p.width-1)
	pad := ""
	if n := p.shown - len(line); n > 0 {
		pad = strings.Repeat(" ", n) // blank what the last line had beyond this one
	}
	fmt.Fprint(p.w, "\r"+line+pad)
	p.shown, p.last = len(line), now
}

// clear blanks the line and puts the cursor at its start. p.mu is held.
func (p *progress) clear() {
	if p.shown > 0 {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.shown)+"\r")
		p.shown = 0
	}
}

var spinner = [...]string{"-", "\\", "|", "/"}

// renderProgress writes the progress line, at most width columns of
// ASCII. With snapshots from the crawler (known) it shows a bar of the
// URLs fetched out of those known so far, the counts, the average rate
// and the elapsed time:
//
//	[#######.............]  120 fetched  230 queued  2 errors  12.0/s  0:10
//
// Without, a spinner and the elapsed time:
//
//	crawling |  0:10
func renderProgress(s crawlProgress, known bool, elapsed time.Duration, frame, width int) string {
	clock := formatClock(elapsed)
	var line string
	if !known {
		line = "crawling " + spinner[frame%len(spinner)] + "  " + clock
	} else {
		const barWidth = 20
		total := s.Fetched + s.Queued
		full := 0
		if total > 0 {
			full = barWidth * s.Fetched / total
		}
		rate := "-"
		if elapsed >= time.Second {
			rate = fmt.Sprintf("%.1f", float64(s.Fetched)/elapsed.Seconds())
		}
		line = fmt.Sprintf("[%s%s]  %d fetched  %d queued  %d %s  %s/s  %s",
			strings.Repeat("#", full), strings.Repeat(".", barWidth-full),
			s.Fetched, s.Queued, s.Errors, pluralWord(s.Errors, "error", "errors"), rate, clock)
	}
	if len(line) > width {
		line = line[:max(width, 0)]
	}
	return line
}

// formatClock writes an elapsed time as m:ss, or h:mm:ss from an hour.
func formatClock(d time.Duration) string {
	s := int(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
