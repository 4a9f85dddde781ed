package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"
)

// dialTimeout bounds connecting to Redis: an address that swallows
// packets is an error, not a hang.
const dialTimeout = 5 * time.Second

// Dial connects to the Redis server of rawURL (redis:// or rediss:// for
// TLS, with a user and password and a /DB if need be) and checks that it
// answers, within ctx and at most a few seconds: an *UnreachableError
// when it does not.
func Dial(ctx context.Context, rawURL string) (*redis.Client, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		// url.Parse's errors quote the URL, with its password: the
		// reason alone.
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("not a Redis URL: %w", err)
	}
	opts.DialTimeout = dialTimeout
	opts.ContextTimeoutEnabled = true // a deadline of ctx bounds each command
	// The library's own log lines on stderr say what the errors returned
	// say, and may name the server's address with its password.
	logging.Disable()
	rdb := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(ctx, 2*dialTimeout)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, &UnreachableError{Addr: opts.Addr, Err: err}
	}
	return rdb, nil
}

// validID is what a crawl id may be: a host name, or a word of the
// user's, that can sit in a Redis key's hash tag.
var validID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,200}$`)

// CheckID says why id cannot be a crawl's id, nil when it can.
func CheckID(id string) error {
	if !validID.MatchString(id) {
		return fmt.Errorf("crawl id %q: want letters, digits, '.', '_', ':' or '-' (at most 200)", id)
	}
	return nil
}

// seenBits is how many buckets, as a power of two, the seen set has:
// Redis keeps a bucket of up to 128 URLs as a listpack (its default
// hash-max-listpack-entries), so 2^14 of them hold 1.6 million URLs at
// about 20 bytes each; beyond, buckets become hash tables, at about 80.
// Fewer buckets would not serve a crawl of many links under a small
// --max-pages: the seen set holds every URL of the next level found.
const seenBits = 14

// orphanAfter is how long a crawl may go without a coordinator that
// collects its records: then it is abandoned (its coordinator died
// without --state, and no one resumes it), stops, and expires.
var orphanAfter = time.Hour

// Create creates the shared crawl id of spec, whose first tasks are
// start (crawler.Fetcher.Start), or joins the one in the database with
// the same id and settings (created is then false, and the crawl's Spec
// is the stored one): a *SettingsError when its settings differ.
func Create(ctx context.Context, rdb *redis.Client, id string, spec Spec, start []crawler.Task) (c *Crawl, created bool, err error) {
	if err := CheckID(id); err != nil {
		return nil, false, err
	}
	js, err := json.Marshal(spec)
	if err != nil {
		return nil, false, err
	}
	c = &Crawl{rdb: rdb, id: id, spec: spec} // c.gen "": no crawl yet
	var gen [8]byte
	rand.Read(gen[:])
	args := taskArgs([]any{hex.EncodeToString(gen[:]), spec.Settings, string(js), spec.MaxPages, seenBits, orphanAfter.Milliseconds()}, start)
	res, err := c.run(ctx, createScript, args...).Slice()
	if err != nil {
		return nil, false, redisErr(rdb, err)
	}
	c.gen, _ = res[1].(string)
	if res[0].(int64) == 1 {
		return c, true, nil
	}
	if theirs, _ := res[4].(string); theirs != protocol {
		return nil, false, fmt.Errorf("crawl %q: %w", id, ErrVersion)
	}
	if theirs, _ := res[2].(string); theirs != spec.Settings {
		return nil, false, &SettingsError{ID: id, Theirs: theirs}
	}
	// Joined: the crawl is what its creator made it.
	stored, _ := res[3].(string)
	if err := json.Unmarshal([]byte(stored), &c.spec); err != nil {
		return nil, false, fmt.Errorf("crawl %q: its record in Redis is unreadable: %w", id, err)
	}
	return c, false, nil
}

// Join joins the crawl id under way in the database, or with id "" the
// only one: ErrNoCrawl when there is none, an error naming them when
// there are several.
func Join(ctx context.Context, rdb *redis.Client, id string) (*Crawl, error) {
	if id == "" {
		ids, err := List(ctx, rdb)
		switch {
		case err != nil:
			return nil, err
		case len(ids) == 0:
			return nil, ErrNoCrawl
		case len(ids) > 1:
			return nil, fmt.Errorf("%w: %d are under way in this database (%s): choose one with --crawl-id", ErrSeveral, len(ids), strings.Join(ids, ", "))
		}
		id = ids[0]
	}
	if err := CheckID(id); err != nil {
		return nil, err
	}
	c := &Crawl{rdb: rdb, id: id}
	p := rdb.Pipeline()
	specCmd, metaCmd := p.Get(ctx, c.key("spec")), p.HMGet(ctx, c.key("meta"), "gen", "protocol")
	p.Exec(ctx) //nolint:errcheck // each command says
	js, err := specCmd.Result()
	var meta []any
	if err == nil {
		meta, err = metaCmd.Result()
	}
	if errors.Is(err, redis.Nil) || err == nil && meta[0] == nil {
		return nil, fmt.Errorf("crawl %q: %w", id, ErrNoCrawl)
	}
	if err != nil {
		return nil, redisErr(rdb, err)
	}
	if meta[1] != protocol {
		return nil, fmt.Errorf("crawl %q: %w", id, ErrVersion)
	}
	c.gen, _ = meta[0].(string)
	if err := json.Unmarshal([]byte(js), &c.spec); err != nil {
		return nil, fmt.Errorf("crawl %q: its record in Redis is unreadable: %w", id, err)
	}
	return c, nil
}

// List returns the ids of the crawls in the database that are not over.
func List(ctx context.Context, rdb *redis.Client) ([]string, error) {
	var ids []string
	iter := rdb.Scan(ctx, 0, "hopaudit:{*}:spec", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		id := strings.TrimSuffix(strings.TrimPrefix(k, "hopaudit:{"), "}:spec")
		done, err := rdb.HMGet(ctx, "hopaudit:{"+id+"}:meta", "done", "stopped").Result()
		if err != nil {
			return nil, redisErr(rdb, err)
		}
		if done[0] == "1" || done[1] != nil && done[1] != "" {
			continue
		}
		ids = append(ids, id)
	}
	if err := iter.Err(); err != nil {
		return nil, redisErr(rdb, err)
	}
	slices.Sort(ids)
	return ids, nil
}

// redisErr says which server failed.
func redisErr(rdb *redis.Client, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errGone) {
		return err
	}
	return &UnreachableError{Addr: rdb.Options().Addr, Err: err}
}

// Stop ends the crawl early for every process; why says why.
func (c *Crawl) Stop(ctx context.Context, why string) error {
	if err := c.run(ctx, stopScript, why).Err(); err != nil && !errors.Is(err, errGone) {
		return redisErr(c.rdb, err)
	}
	return nil
}

// Remove deletes the keys of crawl id, whatever version of hopaudit
// made it: its coordinator has kept its records, or it is dropped.
func Remove(ctx context.Context, rdb *redis.Client, id string) error {
	iter := rdb.Scan(ctx, 0, "hopaudit:{"+id+"}:*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		if batch = append(batch, iter.Val()); len(batch) == 1000 {
			if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
				return redisErr(rdb, err)
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return redisErr(rdb, err)
	}
	if len(batch) > 0 {
		if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
			return redisErr(rdb, err)
		}
	}
	return nil
}
