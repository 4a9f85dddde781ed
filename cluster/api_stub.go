package cluster

import (
	"context"

	"github.com/hopaudit/hopaudit/crawler"
	"github.com/redis/go-redis/v9"
)

// Dial connects to the Redis server of rawURL (redis:// or rediss:// for
// TLS, with a user and password and a /DB if need be) and checks that it
// answers, within ctx: an *UnreachableError when it does not.
func Dial(ctx context.Context, rawURL string) (*redis.Client, error) { panic("todo") }

// Create creates the shared crawl id of spec, whose first tasks are
// start (crawler.Fetcher.Start), or joins the one in the database with
// the same id and settings (created is then false): a *SettingsError
// when its settings differ.
func Create(ctx context.Context, rdb *redis.Client, id string, spec Spec, start []crawler.Task) (c *Crawl, created bool, err error) {
	panic("todo")
}

// Join joins the crawl id under way in the database, or with id "" the
// only one: ErrNoCrawl when there is none, an error naming them when
// there are several.
func Join(ctx context.Context, rdb *redis.Client, id string) (*Crawl, error) { panic("todo") }

// Work fetches the crawl's tasks with cfg.Concurrency workers (cfg is
// the crawl's, made from Spec.Args, with this process's concurrency)
// until the crawl is over, stopped, or ctx is done. It returns an error
// when Redis failed for longer than a lease lasts.
func (c *Crawl) Work(ctx context.Context, cfg crawler.Config) error { panic("todo") }

// Collect is the coordinator's part: it reads the records the crawl's
// processes make, gives each to keep (which may see a record twice,
// when a process died after its commit was sent), calls flush before
// it lets Redis forget them, and returns when the crawl is over and
// every record was kept. One process at a time collects a crawl: a
// second one gets an error. progress, if not nil, is called now and
// then with the records kept so far and the URLs queued.
func (c *Crawl) Collect(ctx context.Context, keep func(*crawler.Record) error, flush func() error, progress func(kept, queued int)) (End, error) {
	panic("todo")
}

// Stop ends the crawl early for every process; why says why.
func (c *Crawl) Stop(ctx context.Context, why string) error { panic("todo") }

// Remove deletes the crawl's keys: the coordinator has kept its records.
func (c *Crawl) Remove(ctx context.Context) error { panic("todo") }
