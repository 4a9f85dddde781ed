package main

// crawl --redis: a crawl shared through a Redis database (package
// cluster), which this process creates, fetches for, collects and
// audits.

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hopaudit/hopaudit/cluster"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawlfile"
)

// redisTimeout bounds every step of the command's talk with Redis
// outside the crawl itself (connecting, creating, joining, stopping,
// removing): a server that does not answer is an error, never a hang.
var redisTimeout = 10 * time.Second

// Why a coordinator stops its shared crawl (cluster.End.Stopped): the
// crawl was cut short, not stopped by its site.
const (
	stopInterrupted = "the coordinator was interrupted"
	stopFailed      = "the coordinator failed"
	stopDropped     = "dropped by crawl --restart"
)

// perProcessFlags are the flags of the Crawl and Network sections that
// each process of a shared crawl gives itself: how many requests it
// sends at once, and how it reaches the network. The others are the
// crawl's, which its workers take from its Spec (see sharedArgs).
var perProcessFlags = []string{"concurrency", "proxy"}

// sharedArgs returns the flags of a shared crawl for its Spec: those
// of args (crawl's command line, parsed by fs) in the Crawl and Network
// sections but perProcessFlags, as given, then "--" and the start URLs
// (as parsed: with their scheme). A worker parses them as crawl does
// (workerConfig). Header values are credentials: each is sealed (see
// sealHeader), and a worker must be given it.
func sharedArgs(fs *flag.FlagSet, args []string, seeds []string) ([]string, error) {
	var f crawlFlags
	shared := map[string]bool{}
	for _, s := range f.define(flagSet("crawl"), false) {
		if s.title == "Crawl" || s.title == "Network" {
			for _, name := range s.names {
				shared[name] = !slices.Contains(perProcessFlags, name)
			}
		}
	}
	flags, _ := splitArgs(fs, args)
	var out []string
	for _, g := range flags {
		switch {
		case !shared[g.name]:
		case g.name == "header":
			value := g.args[len(g.args)-1]
			if len(g.args) == 1 {
				_, value, _ = strings.Cut(value, "=")
			}
			sealed, err := sealHeader(value)
			if err != nil {
				return nil, fmt.Errorf("--header: %w", err)
			}
			out = append(out, "--header", sealed)
		default:
			out = append(out, g.args...)
		}
	}
	return append(append(out, "--"), seeds...), nil
}

// A header value is kept in Redis sealed: "sealed:pbkdf2-sha256:SALT:KEY",
// the key that PBKDF2 derives from the value with a random salt and
// sealIterations of HMAC-SHA256 (in hexadecimal), so that what Redis
// holds neither gives the value away nor makes guessing a weak one
// cheap. A worker must be given the value and proves it by deriving the
// same key (openHeaders).
const (
	sealPrefix     = "sealed:pbkdf2-sha256:"
	sealIterations = 100_000
)

// sealHeader seals the value of a --header "Name: value" flag.
func sealHeader(flagValue string) (string, error) {
	name, value, ok := strings.Cut(flagValue, ":")
	if !ok {
		return "", errors.New(`want "Name: value"`)
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := pbkdf2.Key(sha256.New, strings.TrimSpace(value), salt, sealIterations, 32)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(name) + ": " + sealPrefix + hex.EncodeToString(salt) + ":" + hex.EncodeToString(key), nil
}

// sealOpens reports whether value is the one sealed.
func sealOpens(sealed, value string) bool {
	salt, key, ok := strings.Cut(strings.TrimPrefix(sealed, sealPrefix), ":")
	s, err1 := hex.DecodeString(salt)
	k, err2 := hex.DecodeString(key)
	if !strings.HasPrefix(sealed, sealPrefix) || !ok || err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, value, s, sealIterations, len(k))
	return err == nil && subtle.ConstantTimeCompare(got, k) == 1
}

// openHeaders returns the headers of a shared crawl, whose values are
// sealed, with the values a worker was given (its --header flags):
// every header of the crawl, each value in order, and no other.
func openHeaders(sealed, given http.Header) (http.Header, error) {
	var missing []string
	for name := range sealed {
		if len(given[name]) == 0 {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("the shared crawl sends the header %s to its site: give this worker the same --header flags as its coordinator (Redis keeps no header value)", strings.Join(missing, ", "))
	}
	out := http.Header{}
	for name, values := range given {
		if len(sealed[name]) == 0 {
			return nil, fmt.Errorf("--header %s: the shared crawl sends no such header", name)
		}
		if len(values) != len(sealed[name]) {
			return nil, fmt.Errorf("--header %s: the shared crawl has %d of them, this worker %d", name, len(sealed[name]), len(values))
		}
		for i, v := range values {
			if !sealOpens(sealed[name][i], v) {
				return nil, fmt.Errorf("--header %s: not the value the shared crawl was given", name)
			}
		}
		out[name] = slices.Clone(values)
	}
	return out, nil
}

// workerConfig makes the crawler configuration of a shared crawl from
// its Spec's flags, as crawl makes its own from its command line, with
// the header values given to this process (see openHeaders).
func (a *app) workerConfig(spec cluster.Spec, headers http.Header) (crawler.Config, error) {
	var f crawlFlags
	fs := flagSet("crawl")
	f.define(fs, false)
	pos, err := parseArgs(fs, spec.Args)
	if err != nil {
		return crawler.Config{}, fmt.Errorf("the shared crawl's flags: %v (is this hopaudit older than the coordinator's? this is %s)", err, appVersion())
	}
	j := &job{}
	if err := a.prepareCrawl(j, &f, pos, false); err != nil {
		return crawler.Config{}, fmt.Errorf("the shared crawl's flags: %v", err)
	}
	if j.cfg.Header, err = openHeaders(j.cfg.Header, headers); err != nil {
		return crawler.Config{}, err
	}
	return j.cfg, nil
}

// prepareShared checks --redis and --crawl-id.
func prepareShared(j *job, f *crawlFlags) error {
	if f.redis == "" {
		if f.crawlID != "" {
			return errors.New("--crawl-id needs --redis")
		}
		return nil
	}
	if err := checkRedisURL(f.redis); err != nil {
		return err
	}
	for _, u := range j.seeds {
		if p, err := url.Parse(u); err == nil && p.User != nil {
			// Redis would keep it in clear, as every record of the crawl.
			return fmt.Errorf("start URL %s has a user and password, which a shared crawl would keep in Redis in clear: give the credentials with --header instead", p.Redacted())
		}
	}
	j.redis, j.crawlID = f.redis, f.crawlID
	if j.crawlID == "" {
		j.crawlID = defaultCrawlID(j.seeds)
	}
	if err := cluster.CheckID(j.crawlID); err != nil {
		return fmt.Errorf("--crawl-id: %v", err)
	}
	return nil
}

// defaultCrawlID is the id of a shared crawl without --crawl-id: the
// host of its first start URL, in lower case.
func defaultCrawlID(seeds []string) string {
	u, err := url.Parse(seeds[0])
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// checkRedisURL checks the form of a --redis URL. Its messages never
// hold the URL, which may carry a password.
func checkRedisURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New("--redis: not a URL: want redis://[USER:PASSWORD@]HOST:PORT/DB or rediss://...")
	case u.Scheme != "redis" && u.Scheme != "rediss":
		return fmt.Errorf("--redis: scheme %q: want redis:// or rediss:// (TLS)", u.Scheme)
	case u.Host == "":
		return errors.New("--redis: the URL names no host")
	}
	return nil
}

// redactor takes a Redis URL's password out of messages.
type redactor struct {
	where   string   // the server, for messages: host and port
	secrets []string // the password as given and as decoded
}

func newRedactor(raw string) redactor {
	u, err := url.Parse(raw)
	if err != nil {
		return redactor{where: "(the --redis URL)", secrets: []string{raw}}
	}
	r := redactor{where: u.Host}
	if p, ok := u.User.Password(); ok && p != "" {
		r.secrets = append(r.secrets, p)
		if _, rest, ok := strings.Cut(u.User.String(), ":"); ok && rest != p {
			r.secrets = append(r.secrets, rest)
		}
	}
	return r
}

func (r redactor) text(s string) string {
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, "xxxxx")
	}
	return s
}

// error returns err with the password taken out of its message; it
// still wraps err.
func (r redactor) error(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{err: err, msg: r.text(err.Error())}
}

type redactedError struct {
	err error
	msg string
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// dialRedis connects to the Redis server of rawURL within redisTimeout:
// exit 3 when it does not answer.
func dialRedis(ctx context.Context, rawURL string, r redactor) (*redis.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	rdb, err := cluster.Dial(ctx, rawURL)
	var unreachable *cluster.UnreachableError
	switch {
	case errors.As(err, &unreachable) && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, &exitError{code: exitIncomplete, err: r.error(fmt.Errorf("%w: no answer within %s", err, redisTimeout))}
	case ctx.Err() != nil:
		return nil, &exitError{code: exitIncomplete, err: fmt.Errorf("interrupted while connecting to redis at %s", r.where)}
	case errors.As(err, &unreachable):
		return nil, &exitError{code: exitIncomplete, err: r.error(fmt.Errorf("%w: is a redis-server running there, and reachable from here?", err))}
	case err != nil:
		return nil, usageErrorf("--redis: %v", r.error(err))
	}
	return rdb, nil
}

// sharedCrawl is the crawl of crawl --redis.
type sharedCrawl struct {
	rdb   *redis.Client
	r     redactor
	id    string
	state bool // --state keeps its records: an interrupt leaves the crawl in Redis
	crawl *cluster.Crawl
	over  bool // it ended, or was stopped: its keys may go
}

// dialShared connects to the database of job j's shared crawl.
func (a *app) dialShared(ctx context.Context, j *job) (*sharedCrawl, error) {
	r := newRedactor(j.redis)
	rdb, err := dialRedis(ctx, j.redis, r)
	if err != nil {
		return nil, err
	}
	return &sharedCrawl{rdb: rdb, r: r, id: j.crawlID, state: j.state != ""}, nil
}

func (s *sharedCrawl) close() { s.rdb.Close() }

// interrupted is the notice of an interrupt.
func (s *sharedCrawl) interrupted() string {
	if s.state {
		return fmt.Sprintf("interrupted: the shared crawl %q goes on in redis with its workers; the report will cover what was collected, and the same command collects the rest (interrupt again to quit at once)", s.id)
	}
	return fmt.Sprintf("interrupted: stopping the shared crawl %q; the report will cover what was fetched (interrupt again to quit at once)", s.id)
}

// unreachable is the exit error of a Redis that failed during the crawl.
func (s *sharedCrawl) unreachable(err error) error {
	msg := "the crawl stopped"
	if s.state {
		msg += "; the same command resumes it"
	}
	return &exitError{code: exitIncomplete, err: s.r.error(fmt.Errorf("shared crawl %q in redis at %s: %w; %s", s.id, s.r.where, err, msg))}
}

// run creates (or joins) the shared crawl of job j, fetches for it with
// this process's workers while it collects every process's records into
// the crawl file st, and when the crawl is over builds its graph from
// them, as a crawl of one process builds it.
func (s *sharedCrawl) run(ctx context.Context, a *app, j *job, st *crawlFile, bar *progress, logw io.Writer) (*crawler.Graph, error) {
	settings, err := settingsText(j)
	if err != nil {
		return nil, err
	}
	spec := cluster.Spec{Settings: settings, Args: j.args, MaxPages: j.cfg.MaxPages, Delay: j.cfg.Delay, HostConcurrency: j.cfg.HostConcurrency}
	// The tasks a crawl begins with: no request is sent for them.
	begin, err := crawler.NewFetcher(ctx, j.cfg, crawler.NewPoliteness(j.cfg), func(string) {})
	if err != nil {
		return nil, usageErrorf("crawl: %v", err)
	}
	rctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	if j.restart {
		if err := s.drop(rctx); err != nil {
			return nil, s.unreachable(err)
		}
	}
	c, created, err := cluster.Create(rctx, s.rdb, s.id, spec, begin.Start())
	var se *cluster.SettingsError
	switch {
	case errors.As(err, &se):
		return nil, usageErrorf("the shared crawl %q in redis at %s has other settings: %s; give this crawl another --crawl-id, or --restart to drop that one", s.id, s.r.where, settingsDiffs(settings, se.Theirs))
	case errors.Is(err, cluster.ErrVersion):
		return nil, usageErrorf("the shared crawl %q in redis at %s was %v; finish it with that version, give this crawl another --crawl-id, or --restart to drop that one", s.id, s.r.where, cluster.ErrVersion)
	case err != nil:
		return nil, s.unreachable(err)
	case !created && !st.resumed:
		// Its records went to another coordinator, or to one that
		// stopped without --state: this one cannot have them.
		return nil, usageErrorf("the shared crawl %q is already under way in redis at %s, and its records are not in this crawl file: another coordinator collects it, or one stopped without --state; give another --crawl-id, or --restart to drop it", s.id, s.r.where)
	}
	s.crawl = c
	if !j.quiet {
		verb := "created"
		if !created {
			verb = "resuming"
		}
		fmt.Fprintf(logw, "%s the shared crawl %q in redis at %s: workers join it with hopaudit worker --redis URL --crawl-id %s\n", verb, s.id, s.r.where, s.id)
	}

	// This process's own workers: those of a crawl resumed fetch as its
	// creator said (--delay, --timeout and the like are not settings).
	work := j.cfg
	if !created {
		if work, err = a.workerConfig(c.Spec(), j.cfg.Header); err != nil {
			return nil, usageErrorf("crawl: the shared crawl %q: %v", s.id, err)
		}
		work.Concurrency, work.Proxy = j.cfg.Concurrency, j.cfg.Proxy
	}
	work.Store, work.Progress, work.Frontier, work.Log = nil, nil, nil, logw

	// Without --state, what was fetched is only ever in this process:
	// an interrupt stops the crawl, and collects it to its end.
	collectCtx, stopCollect := context.WithCancel(ctx)
	defer stopCollect()
	if !s.state {
		collectCtx, stopCollect = context.WithCancel(context.WithoutCancel(ctx))
		defer stopCollect()
		defer context.AfterFunc(ctx, func() {
			if !s.stop(ctx, stopInterrupted, logw) {
				stopCollect()
			}
		})()
	}
	// Workers that fail (Redis failed them for a lease's time) stop the
	// collecting too: the crawl may have no other worker, and a
	// coordinator must never wait for ever.
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	worked := make(chan error, 1)
	go func() {
		err := c.Work(workCtx, work)
		if err != nil {
			stopCollect()
		}
		worked <- err
	}()
	var keepErr error
	keep := func(rec *crawler.Record) error {
		if err := st.crawl.Record(rec); err != nil {
			keepErr = err
			return err
		}
		return nil
	}
	var progress func(kept, queued int)
	if bar != nil {
		progress = func(kept, queued int) { bar.update(crawlProgress{Fetched: kept, Queued: queued}) }
	}
	end, err := c.Collect(collectCtx, keep, st.crawl.Flush, progress)
	interrupted := ctx.Err() != nil
	if err != nil {
		stopWork()
	}
	werr := <-worked
	if werr != nil && err == nil && !interrupted { // the others' workers ended the crawl
		fmt.Fprintf(logw, "warning: this process's workers stopped: %v\n", s.r.error(werr))
	}
	var unreachable *cluster.UnreachableError
	if (keepErr != nil || err != nil) && !interrupted && !s.state && !errors.As(err, &unreachable) {
		// Its records were in this process alone: no one can resume it.
		// (A Redis that does not answer would not hear it.)
		s.stop(ctx, stopFailed, logw)
	}
	switch {
	case keepErr != nil:
		return nil, &exitError{code: exitWrite, err: fmt.Errorf("--state: %w", keepErr)}
	case werr != nil && err != nil && !interrupted:
		return nil, s.unreachable(fmt.Errorf("this process's workers stopped: %w", werr))
	case err != nil && !(interrupted && s.state):
		return nil, s.unreachable(err)
	}
	if err := st.crawl.Flush(); err != nil {
		return nil, &exitError{code: exitWrite, err: fmt.Errorf("--state: %w", err)}
	}
	s.over = !interrupted || !s.state
	if !j.quiet && s.over {
		fmt.Fprintf(logw, "shared crawl %q: %d records collected, %d leases, %d taken back from processes that stopped, %d redis round trips\n",
			s.id, end.Records, end.Leased, end.Reclaimed, end.RoundTrips)
	}

	// The graph of every process's records, as an offline crawl builds it.
	cfg := j.cfg
	cfg.Offline, cfg.Store, cfg.Progress, cfg.Frontier, cfg.Log = true, st.crawl, nil, nil, logw
	g, err := a.crawl(context.WithoutCancel(ctx), cfg)
	if err != nil {
		return g, err
	}
	switch {
	case interrupted, end.Stopped == stopInterrupted, end.Stopped == stopDropped:
		g.Stats.Cancelled, g.Stats.Unreachable = true, ""
	case end.Stopped != "":
		// The site stopped answering: the crawl stopped as a crawl of
		// one process stops, not cut short.
		g.Stats.Cancelled, g.Stats.Unreachable = false, end.Stopped
	}
	return g, nil
}

// stop stops the shared crawl for every process, saying why; false,
// and a warning on w, when Redis did not answer.
func (s *sharedCrawl) stop(ctx context.Context, why string, w io.Writer) bool {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), redisTimeout)
	defer cancel()
	if err := s.crawl.Stop(sctx, why); err != nil {
		fmt.Fprintf(w, "warning: %v\n", s.r.error(fmt.Errorf("stop the shared crawl %q: %w", s.id, err)))
		return false
	}
	return true
}

// drop stops and removes the shared crawl of s's id, if there is one
// (crawl --restart).
func (s *sharedCrawl) drop(ctx context.Context) error {
	c, err := cluster.Join(ctx, s.rdb, s.id)
	switch {
	case errors.Is(err, cluster.ErrNoCrawl):
		return nil
	case errors.Is(err, cluster.ErrVersion):
		// Its workers, of that version, find it gone.
	case err != nil:
		return err
	default:
		if err := c.Stop(ctx, stopDropped); err != nil {
			return err
		}
	}
	return cluster.Remove(ctx, s.rdb, s.id)
}

// remove deletes the crawl's keys from Redis once its records are in
// the crawl file, unless an interrupt leaves it to be resumed.
func (s *sharedCrawl) remove(ctx context.Context, w io.Writer) {
	if s.crawl == nil || !s.over {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), redisTimeout)
	defer cancel()
	if err := cluster.Remove(ctx, s.rdb, s.id); err != nil {
		fmt.Fprintf(w, "warning: %v\n", s.r.error(fmt.Errorf("remove the shared crawl %q from redis at %s: %w; its keys expire in their own time", s.id, s.r.where, err)))
	}
}

// tempState begins job j's crawl in a temporary crawl file, which
// remove deletes: a shared crawl's records reach its graph through a
// crawl file.
func (a *app) tempState(j *job) (*crawlFile, error) {
	dir, err := os.MkdirTemp("", "hopaudit-")
	if err != nil {
		return nil, &exitError{code: exitWrite, err: fmt.Errorf("temporary crawl file: %w", err)}
	}
	st := &crawlFile{path: filepath.Join(dir, "crawl.db"), tmp: dir}
	fail := func(err error) (*crawlFile, error) {
		st.remove()
		return nil, &exitError{code: exitWrite, err: fmt.Errorf("temporary crawl file: %w", err)}
	}
	if st.file, err = crawlfile.Open(st.path); err != nil {
		return fail(err)
	}
	text, err := settingsText(j)
	if err != nil {
		return fail(err)
	}
	if st.crawl, _, err = st.file.Begin(text, false, a.now()); err != nil {
		return fail(err)
	}
	if st.info, err = st.infoOf(st.crawl.ID()); err != nil {
		return fail(err)
	}
	return st, nil
}

// remove closes a temporary crawl file and deletes it.
func (st *crawlFile) remove() {
	if st.file != nil {
		st.close()
	}
	os.RemoveAll(st.tmp)
}

// settingsDiffs names the top-level keys of two settings texts whose
// values differ: "max_depth 1 here, 0 there".
func settingsDiffs(here, there string) string {
	a, b := map[string]any{}, map[string]any{}
	if json.Unmarshal([]byte(here), &a) != nil || json.Unmarshal([]byte(there), &b) != nil {
		return "unreadable settings"
	}
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var diffs []string
	for _, k := range slices.Compact(keys) {
		x, y := settingValue(a, k), settingValue(b, k)
		if x != y {
			diffs = append(diffs, fmt.Sprintf("%s %s here, %s there", k, x, y))
		}
	}
	return strings.Join(diffs, ", ")
}

// settingValue is the JSON of a setting, cut short, or "none".
func settingValue(m map[string]any, key string) string {
	v, ok := m[key]
	if !ok {
		return "none"
	}
	b, _ := json.Marshal(v)
	if s := string(b); len(s) <= 80 {
		return s
	}
	return string(b[:77]) + "..."
}
