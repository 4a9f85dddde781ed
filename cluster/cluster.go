// Package cluster spreads one crawl over several processes, on several
// machines, through a Redis database: a shared frontier (the seen set,
// the levels and queues of crawler.Frontier's contract, --max-pages),
// leases with a fencing token, the pacing of every host for the whole
// cluster, and a stream of records to the crawl's coordinator.
//
// Redis holds the frontier and the coordination only. Each process
// fetches with a crawler.Fetcher and commits a task's record and the
// tasks it leads to in one script with the end of its lease, so that a
// process that dies commits all or nothing; its leases expire and other
// processes fetch them again. The coordinator keeps the records (in a
// crawl file) and, when the crawl is over, builds the graph from them as
// an offline crawl does: the crawl is the one a single process makes.
//
// Every key of a crawl begins with hopaudit:{ID}:. The scripts need
// Redis 7.0 and no module; a Redis Cluster is not supported (they name
// keys they are not given).
package cluster

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// UnreachableError is a Redis server that does not answer.
type UnreachableError struct {
	Addr string // the server's address, without its password
	Err  error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("redis at %s: %v", e.Addr, e.Err)
}
func (e *UnreachableError) Unwrap() error { return e.Err }

// Spec is what a shared crawl is, stored in Redis when it is created:
// the processes that join it take their settings from it.
type Spec struct {
	// Settings are compared when a crawl is joined: the same text as a
	// crawl file's (JSON).
	Settings string
	// Args are the crawl's flags, from which every process makes its
	// crawler.Config.
	Args []string
	// The frontier's and the pacing's settings, from the crawl's
	// crawler.Config.
	MaxPages        int           // --max-pages; 0 = no limit
	Delay           time.Duration // --delay: between two requests to a host, across the cluster
	HostConcurrency int           // --host-concurrency: requests in flight to a host, across the cluster; 0 = no cap
}

// SettingsError is a crawl joined with other settings than its own.
type SettingsError struct {
	ID     string
	Theirs string // the settings of the crawl in Redis
}

func (e *SettingsError) Error() string {
	return fmt.Sprintf("the shared crawl %q was created with other settings", e.ID)
}

// Errors of Join: the crawl to join is not in the database, or no id
// was given and several crawls are; or (of Create too) the crawl was
// made by another version of hopaudit, whose scripts keep it otherwise.
var (
	ErrNoCrawl = errors.New("no such crawl")
	ErrSeveral = errors.New("several crawls")
	ErrVersion = errors.New("made by another version of hopaudit: a crawl's coordinator and workers must all run one version")
)

// Crawl is one crawl shared through a Redis database.
type Crawl struct {
	rdb   *redis.Client
	id    string
	spec  Spec
	gen   string       // its generation (see run)
	trips atomic.Int64 // round trips to Redis
}

// key returns the name of the crawl's key of this name.
func (c *Crawl) key(name string) string { return "hopaudit:{" + c.id + "}:" + name }

// ID returns the crawl's id.
func (c *Crawl) ID() string { return c.id }

// Spec returns what the crawl is.
func (c *Crawl) Spec() Spec { return c.spec }

// End is how a shared crawl ended, as its coordinator saw it.
type End struct {
	// Stopped says why the crawl was stopped before its end (the site
	// stopped answering, or a process stopped it), "" when it ran to its
	// end.
	Stopped string
	Records int // records kept by Collect in this run
	// Stats of the whole crawl, from Redis.
	Leased     int // leases handed out (a URL leased again after its process died counts twice)
	Reclaimed  int // leases taken back from processes that died or stalled
	RoundTrips int // Redis round trips of the processes' fetching, summed
}
