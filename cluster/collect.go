package cluster

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
	"github.com/redis/go-redis/v9"
)

// ErrCollected is a second coordinator of a crawl.
var ErrCollected = errors.New("another coordinator collects this crawl's records")

// Collect is the coordinator's part: it reads the records the crawl's
// processes make, gives each to keep (which may see a record twice,
// when a coordinator stopped before its flush), calls flush before it
// lets Redis forget them, and returns when the crawl is over and every
// record was kept. One process at a time collects a crawl: another one
// gets ErrCollected. progress, if not nil, is called now and then with
// the records kept so far and the tasks queued.
func (c *Crawl) Collect(ctx context.Context, keep func(*crawler.Record) error, flush func() error, progress func(kept, queued int)) (End, error) {
	lease, err := leaseTime()
	if err != nil {
		return End{}, err
	}
	me := newWorkerID()
	// hold takes or keeps the coordinator's lock: ErrCollected when
	// another coordinator has it, which a stalled one may find.
	hold := func() error {
		ok, err := c.run(ctx, lockScript, me, lease.Milliseconds(), 1).Int()
		switch {
		case err != nil:
			return redisErr(c.rdb, err)
		case ok == 0:
			who, _ := c.rdb.Get(ctx, c.key("coordinator")).Result()
			return fmt.Errorf("%w (%s)", ErrCollected, who)
		}
		return nil
	}
	if err := hold(); err != nil {
		return End{}, err
	}
	defer c.run(context.WithoutCancel(ctx), lockScript, me, 0, 0) //nolint:errcheck // else it expires

	var end End
	last := "0-0"   // the last record read
	flushed := last // the last record kept for good
	lastFlush := time.Now()
	refreshed := time.Now()
	over := false
	for {
		if time.Since(refreshed) > lease/4 {
			if err := hold(); err != nil {
				return end, err
			}
			refreshed = time.Now()
		}
		block := 200 * time.Millisecond
		if over {
			block = -1 // no blocking: drain what is there
		}
		streams, err := c.rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{c.key("records"), last}, Count: 1024, Block: block}).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			if ctx.Err() != nil {
				return end, ctx.Err()
			}
			return end, redisErr(c.rdb, err)
		}
		n := 0
		for _, s := range streams {
			for _, m := range s.Messages {
				rec, err := decodeRecord(m.Values["r"])
				if err != nil {
					return end, fmt.Errorf("record %s of the stream: %w", m.ID, err)
				}
				if err := keep(rec); err != nil {
					return end, err
				}
				last = m.ID
				n++
				end.Records++
			}
		}
		if last != flushed && (time.Since(lastFlush) > 200*time.Millisecond || n == 0) {
			if err := flush(); err != nil {
				return end, err
			}
			if err := c.rdb.XTrimMinID(ctx, c.key("records"), nextID(last)).Err(); err != nil {
				return end, redisErr(c.rdb, err)
			}
			flushed, lastFlush = last, time.Now()
		}
		if n > 0 {
			if progress != nil {
				progress(end.Records, c.queued(ctx))
			}
			continue
		}
		if over {
			return end, nil
		}
		// Nothing new: is the crawl over? Its last records were added in
		// the scripts that ended it, before: one more read takes them.
		meta, err := c.rdb.HMGet(ctx, c.key("meta"), "done", "stopped", "active", "leased", "reclaimed", "trips").Result()
		if err != nil {
			return end, redisErr(c.rdb, err)
		}
		if len(meta) == 6 && meta[0] == nil {
			return end, fmt.Errorf("crawl %q: %w (its keys expired or were removed)", c.id, ErrNoCrawl)
		}
		stopped, _ := meta[1].(string)

		end.Stopped, end.Leased, end.Reclaimed, end.RoundTrips = stopped, num(meta[3]), num(meta[4]), num(meta[5])
		if meta[0] == "1" || stopped != "" {
			over = true
		}
		if progress != nil {
			progress(end.Records, c.queued(ctx))
		}
	}
}

// queued returns how many tasks wait, roughly, for progress reports.
func (c *Crawl) queued(ctx context.Context) int {
	meta, err := c.rdb.HMGet(ctx, c.key("meta"), "level").Result()
	if err != nil {
		return 0
	}
	level := num(meta[0])
	p := c.rdb.Pipeline()
	cmds := []*redis.IntCmd{p.LLen(ctx, c.key("hops")), p.LLen(ctx, c.key("q")), p.LLen(ctx, c.key("retry")),
		p.ZCard(ctx, c.key("lvl:"+strconv.Itoa(level))), p.ZCard(ctx, c.key("lvl:"+strconv.Itoa(level+1)))}
	p.Exec(ctx) //nolint:errcheck // each command says
	n := 0
	for _, cmd := range cmds {
		n += int(cmd.Val())
	}
	return n
}

func num(v any) int {
	s, _ := v.(string)
	n, _ := strconv.Atoi(s)
	return n
}

// nextID returns the stream id just after id.
func nextID(id string) string {
	ms, seq, _ := strings.Cut(id, "-")
	n, _ := strconv.ParseUint(seq, 10, 64)
	return ms + "-" + strconv.FormatUint(n+1, 10)
}

// A record in the stream is its gob, deflated: a page's record of 45
// links is 3.9 KB of gob, 928 bytes of it the types', and 750 bytes
// deflated. A compressor's state is large (a new one costs more than
// the rest of a record's work): they are pooled, and so are the
// decompressors.
var (
	deflaters = sync.Pool{New: func() any {
		z, _ := flate.NewWriter(nil, flate.BestSpeed) // the level is valid
		return z
	}}
	inflaters = sync.Pool{New: func() any { return flate.NewReader(nil) }}
)

func encodeRecord(rec *crawler.Record) (string, error) {
	var buf bytes.Buffer
	z := deflaters.Get().(*flate.Writer)
	defer deflaters.Put(z)
	z.Reset(&buf)
	if err := gob.NewEncoder(z).Encode(rec); err != nil {
		return "", err
	}
	if err := z.Close(); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func decodeRecord(v any) (*crawler.Record, error) {
	s, ok := v.(string)
	if !ok {
		return nil, errors.New("not a record")
	}
	z := inflaters.Get().(io.ReadCloser)
	defer inflaters.Put(z)
	if err := z.(flate.Resetter).Reset(strings.NewReader(s), nil); err != nil {
		return nil, err
	}
	rec := new(crawler.Record)
	if err := gob.NewDecoder(z).Decode(rec); err != nil {
		return nil, err
	}
	return rec, nil
}
