package crawlfile

import (
	"fmt"
	"sync"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
)

// A crawl's writer commits its records in batches of at most batchSize:
// when batchSize of them are waiting, or batchDelay after the first of
// them came. Record waits while batchSize records wait for the writer:
// a disk slower than the crawl slows the crawl. A process killed at any
// instant loses the batch being written and the one being gathered: at
// most 2*batchSize records, and at most what the last batchDelay
// brought when the writer keeps up.
const (
	batchSize  = 1024
	batchDelay = 200 * time.Millisecond
)

// Crawl is one crawl of a file. A crawl that Begin returned keeps the
// records given to Record; it implements crawler.Store.
type Crawl struct {
	f        *File
	id       int64
	writable bool

	mu       sync.Mutex
	changed  *sync.Cond // a batch was taken or written, or the writer stopped
	queue    []*crawler.Record
	inflight int                     // records taken and not yet committed
	pending  map[key]*crawler.Record // queued or in flight: Recorded sees them
	err      error                   // the writer's failure: later calls return it
	closing  bool
	flushing int
	wake     chan struct{}
	stopped  chan struct{}

	// committed, when set, is called after each batch commits with the
	// number of records committed so far (tests).
	committed func(n int)
	written   int
	batch     int // batchSize, but for tests
}

type key struct {
	kind crawler.RecordKind
	url  string
}

func newCrawl(f *File, id int64, writable bool) *Crawl {
	c := &Crawl{f: f, id: id, writable: writable, batch: batchSize}
	c.changed = sync.NewCond(&c.mu)
	if writable {
		c.pending = make(map[key]*crawler.Record)
		c.wake = make(chan struct{}, 1)
		c.stopped = make(chan struct{})
		go c.writer()
	}
	return c
}

// ID returns the crawl's id in its file.
func (c *Crawl) ID() int64 { return c.id }

// Record queues rec to be written, and returns before it is on disk: a
// process killed at any instant loses at most the batch being written
// (see batchSize). It fails when rec is not of a shape Recorded gives
// back whole (see checkRecord), or once writing failed. rec must not
// change afterwards.
func (c *Crawl) Record(rec *crawler.Record) error {
	if !c.writable {
		return fmt.Errorf("crawl %d of %s is open for reading", c.id, c.f.path)
	}
	if err := checkRecord(rec); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.err == nil && !c.closing && len(c.queue) >= c.batch {
		c.changed.Wait()
	}
	switch {
	case c.err != nil:
		return c.err
	case c.closing:
		return fmt.Errorf("crawl %d of %s is closed", c.id, c.f.path)
	}
	c.queue = append(c.queue, rec)
	c.pending[key{rec.Kind, rec.URL}] = rec
	if n := len(c.queue); n == 1 || n == c.batch {
		c.signal()
	}
	return nil
}

// signal wakes the writer up.
func (c *Crawl) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// checkRecord refuses a record that the file could not give back as it
// is: the fields of one kind of record are all the file keeps.
func checkRecord(rec *crawler.Record) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("crawl file: %s record of %q: %s", rec.Kind, truncate(rec.URL), fmt.Sprintf(format, args...))
	}
	switch rec.Kind {
	case crawler.RecordURL:
		switch {
		case rec.Response == nil:
			return bad("no response")
		case rec.Sitemap != nil || rec.Sitemaps != nil:
			return bad("a sitemap")
		case rec.Response.Referrers != crawler.Referrers{}:
			return bad("referrers counted")
		}
	case crawler.RecordSitemap:
		switch {
		case rec.Sitemap == nil:
			return bad("no sitemap")
		case rec.Response != nil:
			return bad("a response")
		}
	case crawler.RecordSitemaps:
		if rec.Response != nil || rec.Sitemap != nil || rec.Refs != nil {
			return bad("more than sitemaps")
		}
	default:
		return bad("unknown kind")
	}
	for i := range rec.Refs {
		if rec.Refs[i].Source != rec.URL {
			return bad("reference from %q", truncate(rec.Refs[i].Source))
		}
	}
	return nil
}

// writer writes the queued records in batches until the crawl closes.
func (c *Crawl) writer() {
	defer close(c.stopped)
	for {
		c.mu.Lock()
		for len(c.queue) == 0 && !c.closing {
			c.mu.Unlock()
			<-c.wake
			c.mu.Lock()
		}
		if len(c.queue) == 0 { // closing
			c.mu.Unlock()
			return
		}
		// Gather a batch: wait until it is full, batchDelay is over, or
		// someone waits for it.
		timer := time.NewTimer(batchDelay)
		for len(c.queue) < c.batch && !c.closing && c.flushing == 0 {
			c.mu.Unlock()
			timeout := false
			select {
			case <-c.wake:
			case <-timer.C:
				timeout = true
			}
			c.mu.Lock()
			if timeout {
				break
			}
		}
		timer.Stop()
		batch := c.queue
		c.queue, c.inflight = make([]*crawler.Record, 0, c.batch), len(batch)
		c.changed.Broadcast()
		c.mu.Unlock()

		err := c.f.write(func(tx *writeTx) error {
			for _, rec := range batch {
				if err := c.put(tx, rec); err != nil {
					return err
				}
			}
			return nil
		})

		c.mu.Lock()
		for _, rec := range batch {
			if c.pending[key{rec.Kind, rec.URL}] == rec {
				delete(c.pending, key{rec.Kind, rec.URL})
			}
		}
		c.inflight = 0
		if err != nil && c.err == nil {
			c.err = fmt.Errorf("%s: write crawl records: %w", c.f.path, err)
		}
		if err == nil {
			c.written += len(batch)
			if c.committed != nil {
				c.committed(c.written)
			}
		}
		failed := c.err != nil
		if failed {
			// Nothing more is written: drop what waits.
			for _, rec := range c.queue {
				delete(c.pending, key{rec.Kind, rec.URL})
			}
			c.queue = nil
		}
		c.changed.Broadcast()
		c.mu.Unlock()
		if failed {
			c.mu.Lock()
			for !c.closing {
				c.changed.Wait()
			}
			c.mu.Unlock()
			return
		}
	}
}

// Flush waits until every record given to Record is committed.
func (c *Crawl) Flush() error {
	if !c.writable {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.flushing++
	defer func() { c.flushing-- }()
	for c.err == nil && (len(c.queue) > 0 || c.inflight > 0) {
		c.signal()
		c.changed.Wait()
	}
	return c.err
}

// Finish writes the records given to Record, and the crawl's final
// statistics. A crawl that was not cancelled is then done: Begin will
// not resume it. A cancelled one may be resumed.
func (c *Crawl) Finish(stats crawler.Stats) error {
	if !c.writable {
		return fmt.Errorf("crawl %d of %s is open for reading", c.id, c.f.path)
	}
	if err := c.Flush(); err != nil {
		return err
	}
	err := c.f.write(func(tx *writeTx) error {
		return tx.exec(`UPDATE crawls SET done = ?, run_started = ?, finished = ?, fetched = ?, parsed = ?,
			blocked = ?, errors = ?, failed = ?, cancelled = ?, max_pages_reached = ?, unreachable = ? WHERE id = ?`,
			!stats.Cancelled, null(formatTime(stats.Started)), null(formatTime(stats.Finished)), stats.Fetched,
			stats.Parsed, stats.Blocked, stats.Errors, stats.Failed, stats.Cancelled, stats.MaxPagesReached,
			null(stats.Unreachable), c.id)
	})
	if err != nil {
		return fmt.Errorf("%s: finish crawl %d: %w", c.f.path, c.id, err)
	}
	return nil
}

// Close writes the records given to Record and stops the writer. It
// does not finish the crawl: Begin resumes a crawl closed unfinished.
func (c *Crawl) Close() error {
	if !c.writable {
		return nil
	}
	err := c.Flush()
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return nil
	}
	c.closing = true
	c.changed.Broadcast()
	c.mu.Unlock()
	c.signal()
	<-c.stopped
	return err
}
