package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawlfile"
)

// baselineLast is the --baseline that names the crawl before this one in
// the crawl file.
const baselineLast = "last"

// settings is what a crawl file keeps of the settings of a crawl: what
// decides which URLs it fetches and what the audit checks them against,
// so that a crawl resumes only with the same ones and hopaudit audit can
// build its graph again. How it fetches (concurrency, timeouts, retries,
// proxy) may change between two runs of one crawl. Header values are
// credentials: only their names are kept.
type settings struct {
	Command        string            `json:"command"` // crawl or check
	Seeds          []string          `json:"seeds"`
	Sitemaps       []string          `json:"sitemaps,omitempty"`
	MaxPages       int               `json:"max_pages"`
	MaxDepth       int               `json:"max_depth"`
	Include        []string          `json:"include,omitempty"`
	Exclude        []string          `json:"exclude,omitempty"`
	NoSitemaps     bool              `json:"no_sitemaps"`
	NoExternal     bool              `json:"no_external"`
	Subdomains     bool              `json:"subdomains"`
	IgnoreRobots   bool              `json:"ignore_robots"`
	FollowNofollow bool              `json:"follow_nofollow"`
	NoResources    bool              `json:"no_resources"`
	MaxBody        int64             `json:"max_body"`
	UserAgent      string            `json:"user_agent,omitempty"` // "" for hopaudit's own, whatever its version
	Resolve        map[string]string `json:"resolve,omitempty"`    // which server answers
	AllowPrivate   bool              `json:"allow_private"`
	Headers        []string          `json:"headers,omitempty"` // names only
	Expect         map[string]string `json:"expect,omitempty"`  // check --expect's map, normalised
}

// settingsOf returns the settings a crawl file keeps of job j.
func settingsOf(j *job) settings {
	cfg := &j.cfg
	s := settings{
		Command:        "crawl",
		Seeds:          cfg.Seeds,
		Sitemaps:       cfg.Sitemaps,
		MaxPages:       cfg.MaxPages,
		MaxDepth:       cfg.MaxDepth,
		Include:        patterns(cfg.Include),
		Exclude:        patterns(cfg.Exclude),
		NoSitemaps:     cfg.NoSitemaps,
		NoExternal:     cfg.NoExternal,
		Subdomains:     cfg.Subdomains,
		IgnoreRobots:   cfg.IgnoreRobots,
		FollowNofollow: cfg.FollowNofollow,
		NoResources:    cfg.NoResources,
		MaxBody:        cfg.MaxBody,
		Resolve:        cfg.Resolve,
		AllowPrivate:   cfg.AllowPrivate,
		Expect:         j.engine.Expect,
	}
	if cfg.UserAgent != defaultUserAgent() {
		s.UserAgent = cfg.UserAgent // an upgrade of hopaudit changes its own
	}
	if cfg.ListMode {
		s.Command = "check"
	}
	for name := range cfg.Header {
		s.Headers = append(s.Headers, name)
	}
	slices.Sort(s.Headers)
	return s
}

// settingsText is the JSON text of the settings of job j: what a crawl
// file keeps, and what a shared crawl's Spec holds and compares.
func settingsText(j *job) (string, error) {
	text, err := json.Marshal(settingsOf(j))
	return string(text), err
}

func patterns(res []*regexp.Regexp) []string {
	var out []string
	for _, re := range res {
		out = append(out, re.String())
	}
	return out
}

// config returns the crawler settings that build the graph of a crawl
// of s again from its records, without the network.
func (s *settings) config() (crawler.Config, error) {
	cfg := crawler.Config{
		Seeds:          s.Seeds,
		ListMode:       s.Command == "check",
		MaxPages:       s.MaxPages,
		MaxDepth:       s.MaxDepth,
		MaxBody:        s.MaxBody,
		UserAgent:      cmp.Or(s.UserAgent, defaultUserAgent()),
		Resolve:        s.Resolve,
		AllowPrivate:   s.AllowPrivate,
		Sitemaps:       s.Sitemaps,
		NoSitemaps:     s.NoSitemaps,
		NoExternal:     s.NoExternal,
		Subdomains:     s.Subdomains,
		IgnoreRobots:   s.IgnoreRobots,
		FollowNofollow: s.FollowNofollow,
		NoResources:    s.NoResources,
		Offline:        true,
	}
	for _, p := range s.Include {
		re, err := regexp.Compile(p)
		if err != nil {
			return cfg, fmt.Errorf("include pattern %q: %w", p, err)
		}
		cfg.Include = append(cfg.Include, re)
	}
	for _, p := range s.Exclude {
		re, err := regexp.Compile(p)
		if err != nil {
			return cfg, fmt.Errorf("exclude pattern %q: %w", p, err)
		}
		cfg.Exclude = append(cfg.Exclude, re)
	}
	return cfg, nil
}

// settingsOfCrawl reads the settings of a crawl of a crawl file.
func settingsOfCrawl(in crawlfile.Info) (settings, error) {
	var s settings
	if err := json.Unmarshal([]byte(in.Settings), &s); err != nil {
		return s, fmt.Errorf("settings: %w", err)
	}
	if len(s.Seeds) == 0 {
		return s, errors.New("settings: no start URL: not a crawl of hopaudit crawl or check")
	}
	return s, nil
}

// newCrawlStore keeps the records of a crawl begun now: a crawl that
// has no earlier run has no record to give back, and the crawler need
// not ask the file for one before each task.
type newCrawlStore struct{ *crawlfile.Crawl }

func (newCrawlStore) Recorded(crawler.RecordKind, string) (*crawler.Record, error) { return nil, nil }

// store returns the crawler's store of the job's crawl.
func (st *crawlFile) store() crawler.Store {
	if st.resumed {
		return st.crawl
	}
	return newCrawlStore{st.crawl}
}

// crawlFile is the crawl file of a job: the file, and the crawl of this
// run in it.
type crawlFile struct {
	path    string
	file    *crawlfile.File
	crawl   *crawlfile.Crawl
	info    crawlfile.Info // of crawl
	resumed bool
	tmp     string // the folder of a temporary file, removed with it; "" for --state's
}

// openState opens --state's file and begins, or resumes, the job's crawl
// in it.
func (a *app) openState(j *job) (*crawlFile, error) {
	f, err := crawlfile.Open(j.state)
	if err != nil {
		return nil, usageErrorf("--state: %v", err)
	}
	text, err := settingsText(j)
	if err != nil {
		f.Close()
		return nil, err
	}
	c, resumed, err := f.Begin(text, j.restart, a.now())
	if err != nil {
		f.Close()
		return nil, usageErrorf("--state: %v", err)
	}
	st := &crawlFile{path: j.state, file: f, crawl: c, resumed: resumed}
	if st.info, err = st.infoOf(c.ID()); err != nil {
		st.close()
		return nil, usageErrorf("--state: %v", err)
	}
	if resumed && !j.quiet {
		fmt.Fprintf(a.stderr, "resuming the crawl begun %s in %s: what it holds is not fetched again\n", st.info.Started.Format("2006-01-02 15:04:05"), j.state)
	}
	return st, nil
}

// infoOf returns the file's description of crawl id.
func (st *crawlFile) infoOf(id int64) (crawlfile.Info, error) {
	infos, err := st.file.Crawls()
	if err != nil {
		return crawlfile.Info{}, err
	}
	i := slices.IndexFunc(infos, func(in crawlfile.Info) bool { return in.ID == id })
	if i < 0 {
		return crawlfile.Info{}, fmt.Errorf("%s: no crawl %d", st.path, id)
	}
	return infos[i], nil
}

// finish stores the end of the crawl g: its statistics, with the start of
// its first run (a resumed crawl began before this run), and marks the
// crawl done unless it was cut short.
func (st *crawlFile) finish(g *crawler.Graph) error {
	g.Stats.Started = st.info.Started
	return st.crawl.Finish(g.Stats)
}

func (st *crawlFile) close() {
	if st.crawl != nil {
		st.crawl.Close()
	}
	st.file.Close()
}

// previous returns the crawl before crawl id in the file, which
// --baseline last compares with.
func previous(f *crawlfile.File, path string, id int64) (crawlfile.Info, error) {
	infos, err := f.Crawls()
	if err != nil {
		return crawlfile.Info{}, err
	}
	var prev *crawlfile.Info
	for i := range infos {
		if infos[i].ID < id {
			prev = &infos[i]
		}
	}
	if prev == nil {
		return crawlfile.Info{}, errNoPrevious
	}
	return *prev, nil
}

// errNoPrevious says a crawl file holds no crawl before this one.
var errNoPrevious = errors.New("no crawl before this one")

// replay builds the graph of a crawl of file f from its records alone,
// with the statistics its run stored.
func (a *app) replay(ctx context.Context, f *crawlfile.File, in crawlfile.Info) (*crawler.Graph, error) {
	s, err := settingsOfCrawl(in)
	if err != nil {
		return nil, fmt.Errorf("crawl %d: %w", in.ID, err)
	}
	cfg, err := s.config()
	if err != nil {
		return nil, fmt.Errorf("crawl %d: settings: %w", in.ID, err)
	}
	c, err := f.Crawl(in.ID)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	cfg.Store = c
	g, err := crawler.Crawl(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("crawl %d: %w", in.ID, err)
	}
	if !in.Stats.Finished.IsZero() {
		// What the run saw that records do not say: when it ran, and
		// whether it was cut short and why.
		g.Stats.Started, g.Stats.Finished = in.Stats.Started, in.Stats.Finished
		g.Stats.Cancelled, g.Stats.Unreachable = in.Stats.Cancelled, in.Stats.Unreachable
	} else {
		g.Stats.Started, g.Stats.Cancelled = in.Started, true // never finished: killed
	}
	return g, nil
}

// lastBaseline audits the crawl before crawl id of the file with the
// job's rules, for --baseline last: the two runs are compared under the
// same rules, so a change of rules is not a change of the site.
func (a *app) lastBaseline(ctx context.Context, j *job, f *crawlfile.File, path string, id int64) (audit.Baseline, error) {
	in, err := previous(f, path, id)
	if err != nil {
		return audit.Baseline{}, err
	}
	g, err := a.replay(ctx, f, in)
	if err != nil {
		return audit.Baseline{}, fmt.Errorf("--baseline last: %w", err)
	}
	rep := j.engine.Run(g)
	if g.Stats.Partial() {
		fmt.Fprintf(a.stderr, "warning: the baseline, crawl %d of %s, was cut short: findings on URLs it did not fetch are unverified, not new\n", in.ID, path)
	}
	return audit.Baseline{Findings: rep.Findings, Coverage: rep.Coverage}, nil
}
