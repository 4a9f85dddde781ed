package crawler

import (
	"context"
	"math"
	"time"
)

// Frontier says what a crawl fetches next: it holds the tasks scheduled,
// the seen set (a URL is scheduled once), the --max-pages limit, the
// politeness per host (Politeness) and the end of the crawl. Config.Frontier takes one; nil is NewMemoryFrontier,
// which holds it all in the process. A frontier serves one crawl, and
// its methods are called from the crawl's workers at once.
//
// The crawl drives it so: its workers call Next, make each task's
// record, Add the tasks the record leads to (the next hop of a chain
// first, then the references of a page or sitemap), then call Done.
// Seeds, robots.txt and given sitemaps are Added before the first Next.
// Since a task's successors are Added before it is Done, the crawl is
// over when nothing is scheduled and nothing is under way.
//
// # The contract
//
// The same site and settings must give the same crawl at any
// concurrency and timing (the same URLs fetched, at the same depths),
// and a crawl resumed from a Store must fetch what an uninterrupted one
// would. A frontier other than the memory one must hand out the same
// tasks, with the same Depth and Rank, and cut the same ones, as
// follows.
//
//   - Levels. A TaskURL task whose Depth is beyond the level being
//     crawled is scheduled for the next level, one whose Depth is not
//     (a start URL) joins this level's queue. The next level begins
//     when every task of this level is Done and no next hop is
//     scheduled: its entry URLs are ordered by Found, then by URL, and
//     each gets as Rank its place in that order.
//   - Within a level, a scheduled next hop (Hop > 0) is handed out
//     before anything else, the last scheduled first; then the level's
//     queue in order: its entry URLs, and the sitemap and robots.txt
//     tasks (which belong to the level being crawled when Added), in
//     the order Added.
//   - The seen set. A URL is scheduled at most once: an Add of a URL
//     scheduled before (waiting, under way or done) changes nothing but
//     the following. Once a URL's record is in the crawl's graph, the
//     graph answers for it: the crawl Adds it no more (it files the
//     references to it at once), and Done says so (recorded), so that
//     the frontier need not keep it. A next hop of a URL scheduled for
//     the next level takes it into this level (the chain is followed hop
//     by hop); the URL keeps no place in the next level. For a URL still
//     scheduled for the next level, any Add of it (Unfollowed too)
//     lowers its Found to the task's when that is smaller, and clears
//     its Asset unless the task is an asset too. Sitemap and robots.txt
//     tasks have a seen set of their own, by kind and URL.
//   - --max-pages. The limit counts URLs handed out (every hop too). An
//     entry URL starts a chain only while the limit leaves room for
//     every chain under way to run its full length (MaxHops + 1 URLs);
//     when it does not, chains run one at a time, in order, until the
//     limit is reached (Done's chained says when a chain ends). When the
//     next level begins, only as many entry URLs as the limit has room
//     for are kept. Either way a URL is fetched if and only if it would
//     be in a crawl that fetched one URL at a time.
//   - Drops. A URL scheduled that --max-pages keeps from ever being
//     fetched is dropped: it leaves the seen set (a later Add schedules
//     it again, to be dropped again), and Next passes it to its dropped
//     function (see Next), so that the crawl lets go of the references
//     waiting for it.
//
// A crawl shared by several processes (package cluster) keeps this
// contract in Redis, with its own calls rather than this interface: a
// process there may die between a task's Add and its Done, so it
// commits a task's successors and record with its Done, all or nothing
// (see Fetcher), and the graph is built from the records afterwards.
type Frontier interface {
	// Add schedules tasks, in their order, and sets result[i] to what
	// became of tasks[i] (result is at least as long as tasks). A task
	// is Added when it is scheduled now; one whose URL was scheduled
	// before, or an Unfollowed one whose URL is scheduled, is
	// Scheduled; an Unfollowed task whose URL is not scheduled, or any
	// task once the frontier is stopped, is NotScheduled. Each task is
	// scheduled atomically: two workers Adding one URL at once schedule
	// it once. Add does not block on the crawl's progress and calls
	// nothing of the crawl's.
	Add(tasks []Task, result []AddResult)
	// Next blocks until a task is due, marks it under way and returns
	// it; false when the crawl is over (nothing scheduled and nothing
	// under way) or the frontier is stopped. Every task Next returns
	// must be Done, and none is handed out twice.
	//
	// When Next drops URLs (see Drops), it calls dropped with them
	// before it hands out any task that comes after the drop, to this
	// caller or another, so that the crawl has let go of what waited
	// for them before a record made after the drop can name them
	// again. It calls dropped without holding any lock of its own:
	// dropped takes the crawl's lock, under which the crawl calls Add.
	Next(dropped func(urls []string)) (Task, bool)
	// Done reports that task t, from Next, is finished and its
	// successors Added; chained says whether the next hop of its chain
	// was Added (then the chain goes on with it), which --max-pages
	// counts. recorded says that t's URL is in the crawl's graph (see
	// The seen set). A task whose record could not be made (the crawl
	// was cut short, or an offline crawl has none) is Done too, not
	// recorded, and its URL stays seen.
	Done(t Task, chained, recorded bool)
	// Stop ends the crawl early: Next returns false, at once where it
	// waits, and Add schedules nothing more.
	Stop()
	// Queued returns how many tasks are scheduled and not yet handed
	// out, for progress reports; it may be approximate.
	Queued() int
	// Politeness returns the pacing of the crawl's requests to each
	// host, which every request goes through, each hop and each retry.
	Politeness() Politeness
}

// Politeness paces a crawl's requests to each host: --delay between two
// requests, at most so many in flight, and, for a host that answers 429
// or 503, fewer in flight and a pause. It also watches the site's hosts
// for the safeguard that stops a crawl whose site went down. Its methods
// are called from the crawl's workers at once.
type Politeness interface {
	// Acquire blocks until a request to host may start, or ctx is
	// done; Release must follow a nil error. It returns the host's
	// epoch, for Outcome.
	Acquire(ctx context.Context, host string) (epoch int, err error)
	// Release ends a request Acquire let start.
	Release(host string)
	// SlowDown is a host's answer of 429 or 503: fewer requests in
	// flight to it from now on, and none starts for wait.
	SlowDown(host string, wait time.Duration)
	// Outcome records whether a request to a host of the site failed,
	// after its retries; epoch is Acquire's. It returns why the crawl
	// must stop (the host stopped answering), "" otherwise.
	Outcome(host string, epoch int, failed bool, what string) (stop string)
}

// TaskKind says what a task does.
type TaskKind uint8

// The task kinds.
const (
	TaskURL      TaskKind = iota // fetch a URL: a start URL, a page, a redirect hop or a referenced URL
	TaskSitemap                  // read a sitemap or sitemap index
	TaskSitemaps                 // read an origin's robots.txt for its Sitemap lines
)

// Task is one entry of a crawl's frontier: what a worker does next, or
// (to Add) what a record leads to.
type Task struct {
	URL   string // normalised; of TaskSitemaps, an origin (scheme://host)
	Kind  TaskKind
	Depth int32         // the link distance from a start URL; of a sitemap listed in an index, 1
	Rank  int32         // the place of the chain's entry URL in its level (see Frontier); set by the frontier
	Hop   uint8         // redirects from the entry URL, up to MaxHops: a next hop when > 0
	From  SitemapSource // of a sitemap: where the crawl learnt of it
	// Asset: only page resources lead here (see RefKind.Resource): the
	// body is read only when it is HTML.
	Asset bool
	// Found is where the reference that leads here was found, which
	// orders the next level: the Rank of the page's entry URL in the
	// high 32 bits, the place of the reference in the page in the low
	// ones. A sitemap's entries have the rank math.MaxInt32: after every
	// page's links.
	Found uint64
	// Unfollowed: the task stands for a reference the crawl does not
	// follow (a nofollow link, one beyond --max-depth or excluded, a
	// refresh, which its chain follows): it schedules nothing, but
	// places and marks a URL scheduled for the next level as any
	// reference does (see Frontier).
	Unfollowed bool
}

// AddResult says what Add did with a task.
type AddResult uint8

// What Add did with a task.
const (
	NotScheduled AddResult = iota // not scheduled: an Unfollowed task of a URL not scheduled, or the frontier is stopped
	Scheduled                     // scheduled before: waiting, under way or done
	Added                         // scheduled now
)

// found is where a reference was found (see Task.Found): the rank of the
// page's entry URL, then the place of the reference in the page.
func found(rank int32, i int) uint64 { return uint64(uint32(rank))<<32 | uint64(uint32(i)) }

// sitemapRank is the rank of a sitemap's entries (see found).
const sitemapRank = math.MaxInt32
