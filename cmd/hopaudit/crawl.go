package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/output"
)

// crawlFlags are the flags of crawl and check.
type crawlFlags struct {
	concurrency  int
	delay        time.Duration
	maxPages     int
	maxDepth     int
	timeout      time.Duration
	retries      int
	maxRetryWait time.Duration
	maxBody      byteSize
	userAgent    string
	header       headerFlag
	include      regexpList
	exclude      regexpList
	sitemaps     stringList
	noSitemaps   bool
	noExternal   bool
	subdomains   bool
	ignoreRobots bool

	followNofollow bool
	noResources    bool

	proxy        string
	resolve      resolveFlag
	insecure     bool
	allowPrivate bool

	report    string
	format    string
	out       string
	outputDir string
	bom       bool
	failOn    string
	baseline  string
	rules     string
	severity  severityFlag
	config    string
	expect    string
	quiet     bool

	state   string
	restart bool

	hostConcurrency int
	redis           string
	crawlID         string
}

// define defines the flags on fs, with the command's defaults, and
// returns the sections of the help. List mode has no link discovery, so
// the flags that steer it are left out.
func (f *crawlFlags) define(fs *flag.FlagSet, list bool) []flagSection {
	f.maxBody = 5 << 20
	concurrency, hostConcurrency, restart := "`N` requests in flight at once", "`N` requests in flight to one host at most (0 = as many as --concurrency)", ""
	if !list {
		concurrency += " (with --redis, in this process)"
		hostConcurrency = "`N` requests in flight to one host at most (with --redis, across every process of the crawl; 0 = as many as --concurrency)"
		restart = "; with --redis, drop the shared crawl of the same id in Redis first"
	}
	fs.IntVar(&f.concurrency, "concurrency", 8, concurrency)
	fs.IntVar(&f.hostConcurrency, "host-concurrency", 0, hostConcurrency)
	fs.DurationVar(&f.delay, "delay", 0, "wait `DURATION` between two requests to the same host")
	fs.DurationVar(&f.timeout, "timeout", 15*time.Second, "give up on a request after `DURATION` (headers and body)")
	fs.IntVar(&f.retries, "retries", 3, "try a request again up to `N` times after a network error, 429, 502, 503 or 504, waiting 1s, 2s, 4s... or as Retry-After says")
	fs.DurationVar(&f.maxRetryWait, "max-retry-wait", time.Minute, "wait at most `DURATION` before a retry, whatever Retry-After asks; also how long a host that keeps failing is paused")
	fs.Var(&f.maxBody, "max-body", "read at most `SIZE` of a body (bytes, or 512KiB, 5MiB, 1MB); the rest is cut and marked truncated")
	fs.StringVar(&f.userAgent, "user-agent", defaultUserAgent(), "send `STRING` as the User-Agent")
	fs.Var(&f.header, "header", "send the request header `\"NAME: VALUE\"` to the start URLs' origins only: same scheme, host and port (repeatable)")
	fs.BoolVar(&f.ignoreRobots, "ignore-robots", false, "neither read nor obey robots.txt")
	fs.BoolVar(&f.subdomains, "subdomains", false, "count every subdomain of the start hosts' registrable domains as internal")
	if !list {
		fs.IntVar(&f.maxPages, "max-pages", defaultMaxPages, "fetch at most `N` URLs (0 = no limit)")
		fs.IntVar(&f.maxDepth, "max-depth", 0, "follow links at most `N` deep from a start URL or sitemap (0 = no limit)")
		fs.Var(&f.include, "include", "fetch a discovered URL only if it matches `REGEXP` (repeatable: any one must match)")
		fs.Var(&f.exclude, "exclude", "do not fetch a discovered URL that matches `REGEXP` (repeatable)")
		fs.Var(&f.sitemaps, "sitemap", "also read the sitemap at `URL` (repeatable)")
		fs.BoolVar(&f.noSitemaps, "no-sitemaps", false, "read no sitemap, not even robots.txt's or /sitemap.xml")
		fs.BoolVar(&f.noExternal, "no-external", false, "do not fetch URLs outside the site")
		fs.BoolVar(&f.followNofollow, "follow-nofollow", false, "crawl links marked rel=nofollow, ugc or sponsored (comment reply links, ads) like any other; by default they are recorded, and their URLs fetched only when something else leads there")
		fs.BoolVar(&f.noResources, "no-resources", false, "do not check the pages' resources (images, stylesheets, scripts, frames, media, icons, manifests, preloads); by default each is fetched once, its header only unless it is an HTML page")
	}
	fs.StringVar(&f.proxy, "proxy", "", "send requests through the proxy at `URL` (default: $HTTP_PROXY, $HTTPS_PROXY, $NO_PROXY)")
	fs.Var(&f.resolve, "resolve", "connect to ADDR for URLs on HOST:PORT, as curl (`HOST:PORT:ADDR`, repeatable); ADDR may carry its own :PORT")
	fs.BoolVar(&f.insecure, "insecure", false, "do not check TLS certificates")
	fs.BoolVar(&f.allowPrivate, "allow-private", false, "follow links and redirects to loopback and private addresses whatever the start URLs are (never to link-local or cloud metadata)")

	f.defineReport(fs)
	fs.StringVar(&f.state, "state", "", "keep the crawl in the crawl file `FILE` (SQLite) as it goes: the same command with the same file resumes a crawl cut short (killed, interrupted) without fetching again what it holds, and starts a new crawl in it once one has finished; hopaudit audit reads it")
	fs.BoolVar(&f.restart, "restart", false, "with --state, start a new crawl in the file even if its last crawl has other settings, or was cut short (which is then dropped)"+restart)
	if !list {
		fs.StringVar(&f.redis, "redis", "", "share the crawl with hopaudit worker processes through the Redis database at `URL` (redis://[USER:PASSWORD@]HOST:PORT/DB, or rediss:// for TLS): this process creates it, fetches too, and audits it when it is over")
		fs.StringVar(&f.crawlID, "crawl-id", "", "with --redis, name the shared crawl `ID` (default the first start URL's host)")
	}
	report := []string{"report", "format", "o", "output-dir", "bom", "fail-on", "baseline", "rules", "severity", "config", "quiet"}
	if list {
		fs.StringVar(&f.expect, "expect", "", "check the redirect map `MAP.csv` (columns from and to; - for stdin) instead of a URL list: each from URL must redirect to its to")
		report = append([]string{"expect"}, report...)
	}
	sections := []flagSection{
		{title: "Crawl", names: []string{
			"concurrency", "host-concurrency", "delay", "max-pages", "max-depth", "timeout", "retries", "max-retry-wait", "max-body", "user-agent", "header",
			"include", "exclude", "sitemap", "no-sitemaps", "no-external", "follow-nofollow", "no-resources", "subdomains", "ignore-robots",
		}},
		{title: "Network", names: []string{"proxy", "resolve", "insecure", "allow-private"}},
		{title: "Crawl file", names: []string{"state", "restart"}},
		{title: "Report", names: report},
	}
	if !list {
		shared := flagSection{title: "Shared crawl (see hopaudit worker -h)", names: []string{"redis", "crawl-id"}}
		sections = slices.Insert(sections, 3, shared)
	}
	return sections
}

// defineReport defines the flags that say how a crawl is audited and
// reported: those of crawl and check that audit has too.
func (f *crawlFlags) defineReport(fs *flag.FlagSet) {
	fs.StringVar(&f.report, "report", "", "write the `REPORT`: "+reportNames()+" (default issues on a terminal, a summary by rule and URL that fits it; findings otherwise)")
	fs.StringVar(&f.format, "format", "table", "write the report as `FORMAT`: "+output.FormatsHelp())
	fs.StringVar(&f.out, "o", "", "write the report to `FILE` instead of stdout (- is stdout); without --format, its extension picks the format ("+output.ExtensionsHelp()+", none table; any other is an error); replaced whole once complete, keeping its mode; a device or FIFO is written to")
	fs.StringVar(&f.outputDir, "output-dir", "", "also write every report into `DIR` (findings.csv, chains.csv, hops.csv, urls.csv, sitemaps.csv, summary.csv, report.json, report.html), all replaced or none; then stdout gets a report only if --report, --format or -o is given")
	fs.BoolVar(&f.bom, "bom", false, "start every CSV with a UTF-8 byte order mark, for Excel")
	fs.StringVar(&f.failOn, "fail-on", "none", "exit 1 when a finding at `LEVEL` or above exists (with --baseline, a new one): error, warning, notice or none")
	fs.StringVar(&f.baseline, "baseline", "", "compare with the JSON findings report `FILE` of an earlier run, or with last, the crawl before this one in the --state file: mark each finding new, fixed, unchanged, or unverified when either run was cut short")
	fs.StringVar(&f.rules, "rules", "", "run the rules in `SPEC`, such as all,-query-dropped,redirect-* (default all)")
	fs.Var(&f.severity, "severity", "report rule NAME's findings at LEVEL: error, warning, notice or none (`NAME=LEVEL`, repeatable)")
	fs.StringVar(&f.config, "config", "", "read rule settings from `FILE` (YAML)")
	fs.BoolVar(&f.quiet, "quiet", false, "write no progress and no summary line to stderr; warnings and errors still")
}

// job is a checked crawl or check invocation, ready to run.
type job struct {
	cfg       crawler.Config
	engine    audit.Engine
	failOn    audit.Severity
	kind      output.Report
	format    string
	out       string // "" = stdout
	report    bool   // write the --report (to stdout or -o); false when --output-dir alone says where reports go
	outputDir string // "" = none
	bom       bool
	quiet     bool
	compare   bool           // --baseline was given
	baseline  audit.Baseline // its findings, and what its crawl fetched; of --baseline last, set by runJob
	// baselineLast: --baseline last, the crawl before this one in the
	// crawl file.
	baselineLast bool
	state        string // --state: the crawl file; "" = none
	restart      bool
	seeds        []string
	noScheme     int  // start URLs given without a scheme
	defaultLimit bool // --max-pages is defaultMaxPages, not given

	// redis is --redis: the crawl is shared through that database (see
	// sharedCrawl); "" = a crawl of this process alone.
	redis   string
	crawlID string   // of the shared crawl
	args    []string // the shared crawl's flags, for its workers (see sharedArgs)
}

func crawlHelp(list bool, fs *flag.FlagSet, sections []flagSection) func(io.Writer) {
	return func(w io.Writer) {
		if list {
			fmt.Fprint(w, `Usage: hopaudit check [flags] FILE|-
       hopaudit check [flags] --expect MAP.csv

Fetches exactly the URLs listed in FILE (or on stdin for -), one per line,
with their redirect chains followed, and audits them. Blank lines and lines
starting with # are skipped. No links are followed and no sitemap is read.
A URL without a scheme gets https://. Flags may come before or after FILE.
--report status lists every line in order: its status, hops, final URL,
final status, error and the rules with findings about it.

With --expect, the URLs are the from column of a redirect map (a CSV file
with a header row naming the columns from and to; other columns are
ignored), and besides the usual rules, redirect-map-mismatch reports each
from whose redirects end elsewhere than its to, and redirect-map-missing
each from that does not redirect.
`)
		} else {
			fmt.Fprint(w, `Usage: hopaudit crawl [flags] URL...

Crawls a site from the start URLs, following links, sitemaps and every
redirect hop, audits what it found and writes a report. A URL without a
scheme gets https://. Flags may come before or after the URLs.

With --redis, the crawl is shared through Redis with "hopaudit worker"
processes, on this machine or others: this process creates it (its id is
--crawl-id, else the first start URL's host), fetches with --concurrency
requests of its own, collects every process's records and, once the
crawl is over, audits it and writes the reports a crawl of one process
writes. --delay and --host-concurrency then hold for all the processes
together. Interrupted, it stops the shared crawl; with --state it leaves
it in Redis instead, and the same command collects the rest.
`)
		}
		printFlags(w, fs, sections)
		fmt.Fprint(w, `
Extra --header fields (credentials) go only to the origins of the start
URLs: the same scheme, host and port. Never to another port or scheme of
the same host, so never in cleartext when the start URL is https; never
to a www twin, another site, or their robots.txt and sitemaps.

Exit codes: 0 done, 1 findings at or above --fail-on (with --baseline,
new findings), 2 usage or configuration error (nothing fetched), 3 the
crawl could not start (with --redis: Redis does not answer), the site
was unreachable (its start URLs or a quarter of its URLs failed after
retries) or the crawl was cut short, whatever --fail-on says, 4 a report
file could not be written (it keeps what it had; so does every file of --output-dir),
5 stdout closed early (the report files were written).
`)
	}
}

// defaultMaxPages is --max-pages when it is not given: a safeguard
// against a site without end, which cuts a crawl short (see
// auditAndReport). A variable for the tests.
var defaultMaxPages = 100000

// retryBackoff is the wait before the first retry; it doubles at each
// retry after it. Three retries span 7 to 10.5 seconds: a server that
// restarts, or a moment of overload, is past by then.
const retryBackoff = time.Second

// auditMemory sets the pace of the garbage collector for the audit and
// the reports, unless GOGC or GOMEMLIMIT say otherwise, and returns the
// function that restores it.
//
// The audit and the reports keep almost all they allocate (findings,
// chains and the responses in them) on top of the graph: a run's peak of
// memory is theirs. At the default pace (GOGC 100) the heap would grow
// to twice that; they run at GOGC auditGOGC, a collection whenever the
// heap has grown by a quarter of what it keeps. The graph is mostly
// numbers (see crawler.Graph), so a collection marks little of it: on
// 165,000 URLs (BenchmarkScale) the audit's collections took about 0.5
// CPU seconds. They ran at GOGC 10 once, when the graph was structs and
// strings: on 330,000 URLs that was 7.5 of the audit's 7.6 seconds. A
// memory limit at the crawl's heap goal did not do either: the audit
// keeps more than the crawl's graph, and a limit below what a program
// keeps makes it collect without end.
//
// The audit's other policy is to collect garbage and give free memory
// back to the system once the rules are done (audit.Engine.RulesDone =
// debug.FreeOSMemory): the facts the rules shared (chains, reached URLs)
// are dropped then, and the copy of the findings into one list that
// follows takes their room instead of adding to it. It collects once
// more when the audit returns: the blocks the findings were gathered in
// are garbage then, and the reports' own garbage takes their room.
func auditMemory() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(auditGOGC)
	return func() { debug.SetGCPercent(old) }
}

// auditGOGC is the audit's pace of garbage collection (see auditMemory).
const auditGOGC = 25

// runCrawl runs `crawl` or, in list mode, `check`.
func (a *app) runCrawl(ctx context.Context, args []string, list bool) error {
	name := "crawl"
	if list {
		name = "check"
	}
	var f crawlFlags
	fs := flagSet(name)
	sections := f.define(fs, list)
	pos, err := a.parse(fs, args, crawlHelp(list, fs, sections))
	if err != nil {
		return helpOK(err)
	}
	j, err := a.prepare(fs, &f, pos, list)
	if err == nil && j.redis != "" {
		j.args, err = sharedArgs(fs, args, j.seeds)
	}
	if err != nil {
		var e *exitError
		if errors.As(err, &e) {
			return err
		}
		return usageErrorf("%s: %v", name, err)
	}
	j.defaultLimit = !list && !flagGiven(fs, "max-pages")
	return a.runJob(ctx, j)
}

// prepare checks the arguments and flags and builds the job. Its errors
// are usage or configuration errors.
func (a *app) prepare(fs *flag.FlagSet, f *crawlFlags, pos []string, list bool) (*job, error) {
	j := &job{out: f.out, outputDir: f.outputDir, bom: f.bom, quiet: f.quiet}
	if err := a.prepareCrawl(j, f, pos, list); err != nil {
		return nil, err
	}
	j.state, j.restart = f.state, f.restart
	if err := prepareShared(j, f); err != nil {
		return nil, err
	}
	if f.restart && f.state == "" && f.redis == "" {
		return nil, errors.New("--restart needs --state (or --redis)")
	}
	if err := a.prepareReport(fs, f, j); err != nil {
		return nil, err
	}
	return j, nil
}

// prepareCrawl checks the start URLs (or check's list) and the flags
// that say what to crawl and how, and puts them in j's crawler
// configuration. A shared crawl's workers make theirs with it too, from
// the crawl's flags (see sharedArgs).
func (a *app) prepareCrawl(j *job, f *crawlFlags, pos []string, list bool) error {
	switch {
	case list && f.expect != "":
		if len(pos) != 0 {
			return errors.New("--expect names the URLs to check: give no FILE")
		}
		m, err := a.readRedirectMap(f.expect)
		if err != nil {
			return fmt.Errorf("--expect: %w", err)
		}
		j.seeds, j.noScheme = m.seeds, m.noScheme
		j.engine.Expect = m.expect
	case list:
		if len(pos) != 1 {
			return errors.New("want one FILE, or - for stdin (or --expect MAP.csv)")
		}
		seeds, noScheme, err := a.readList(pos[0])
		if err != nil {
			return err
		}
		j.seeds, j.noScheme = seeds, noScheme
	default:
		if len(pos) == 0 {
			return errors.New("missing start URL")
		}
		for _, p := range pos {
			u, err := parseURL(p)
			if err != nil {
				return fmt.Errorf("start URL: %w", err)
			}
			if !hasScheme(strings.TrimSpace(p)) {
				j.noScheme++
			}
			j.seeds = append(j.seeds, u)
		}
	}

	switch {
	case f.concurrency < 1:
		return errors.New("--concurrency must be at least 1")
	case f.delay < 0:
		return errors.New("--delay must not be negative")
	case f.timeout <= 0:
		return errors.New("--timeout must be positive")
	case f.retries < 0 || f.retries > 10:
		return errors.New("--retries must be 0 to 10")
	case f.maxRetryWait < 0:
		return errors.New("--max-retry-wait must not be negative")
	case f.hostConcurrency < 0:
		return errors.New("--host-concurrency must not be negative")
	case f.maxPages < 0:
		return errors.New("--max-pages must not be negative")
	case f.maxDepth < 0:
		return errors.New("--max-depth must not be negative")
	case strings.TrimSpace(f.userAgent) == "":
		return errors.New("--user-agent must not be empty")
	}
	sitemaps := make([]string, 0, len(f.sitemaps))
	for _, s := range f.sitemaps {
		u, err := parseURL(s)
		if err != nil {
			return fmt.Errorf("--sitemap: %w", err)
		}
		sitemaps = append(sitemaps, u)
	}
	if f.noSitemaps && len(sitemaps) > 0 {
		return errors.New("--sitemap and --no-sitemaps contradict each other")
	}
	if f.proxy != "" {
		if err := checkProxy(f.proxy); err != nil {
			return err
		}
	}
	j.cfg = crawler.Config{
		Seeds:        j.seeds,
		ListMode:     list,
		Concurrency:  f.concurrency,
		Delay:        f.delay,
		MaxPages:     f.maxPages,
		MaxDepth:     f.maxDepth,
		Timeout:      f.timeout,
		Retries:      f.retries,
		RetryBackoff: retryBackoff,
		MaxRetryWait: f.maxRetryWait,
		MaxBody:      int64(f.maxBody),
		UserAgent:    f.userAgent,
		Header:       f.header.h,
		Include:      f.include,
		Exclude:      f.exclude,
		Sitemaps:     sitemaps,
		NoSitemaps:   f.noSitemaps || list,
		NoExternal:   f.noExternal,
		Subdomains:   f.subdomains,
		IgnoreRobots: f.ignoreRobots,
		Proxy:        f.proxy,
		Resolve:      f.resolve.m,
		Insecure:     f.insecure,
		AllowPrivate: f.allowPrivate,
		Log:          a.stderr, // runJob puts the progress line in between

		FollowNofollow:  f.followNofollow,
		NoResources:     f.noResources,
		HostConcurrency: f.hostConcurrency,
	}
	return nil
}

// prepareReport checks the flags that say how the job's graph is
// audited and reported, and puts them in the job.
func (a *app) prepareReport(fs *flag.FlagSet, f *crawlFlags, j *job) error {
	if err := a.prepareAudit(j, f); err != nil {
		return err
	}
	var err error
	j.format = f.format
	if !flagGiven(fs, "format") {
		if j.format, err = formatForFile(f.out); err != nil {
			return err
		}
	}
	j.kind = a.defaultReport(j.format, f.out)
	if f.report != "" {
		if j.kind, err = output.ParseReport(f.report); err != nil {
			return fmt.Errorf("--report: %w", err)
		}
	}
	if err := checkFormat(j.format, j.kind); err != nil {
		return err
	}
	// With --output-dir, stdout stays empty (a quiet cron job) unless a
	// report is asked for explicitly.
	j.report = j.outputDir == "" || flagGiven(fs, "o") || flagGiven(fs, "format") || flagGiven(fs, "report")
	switch {
	case f.baseline == baselineLast && j.state == "":
		return fmt.Errorf("--baseline %s compares with the crawl before this one in the crawl file: give --state", baselineLast)
	case f.baseline == baselineLast:
		j.compare, j.baselineLast = true, true
	case f.baseline != "":
		d, err := a.readDocument(f.baseline)
		if err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
		if j.baseline, err = d.Baseline(); err != nil {
			return fmt.Errorf("--baseline: %s: %w", f.baseline, err)
		}
		j.compare = true
		if w := partialWarning("the baseline "+f.baseline, d, "new"); w != "" {
			fmt.Fprintln(a.stderr, w)
		}
	}
	return nil
}

// prepareAudit reads the config file and the rule flags into the job's
// engine. Flags override the file.
func (a *app) prepareAudit(j *job, f *crawlFlags) error {
	cfg := &audit.Config{}
	if f.config != "" {
		c, err := audit.LoadConfig(f.config, a.rules)
		if err != nil {
			return fmt.Errorf("config: %w", err)
		}
		cfg = c
	}
	selected, err := cfg.Select(a.rules, f.rules)
	if err != nil {
		return fmt.Errorf("--rules: %w", err)
	}
	if err := checkSelection(selected, f.rules, j.engine.Expect != nil); err != nil {
		return err
	}
	sev := make(map[string]audit.Severity, len(cfg.Severity)+len(f.severity.names))
	for k, v := range cfg.Severity {
		sev[k] = v
	}
	for i, name := range f.severity.names {
		if audit.Lookup(a.rules, name) == nil {
			return fmt.Errorf("--severity: unknown rule %q (see hopaudit rules)", name)
		}
		s, err := audit.ParseSeverity(f.severity.levels[i])
		if err != nil {
			return fmt.Errorf("--severity %s: %w", name, err)
		}
		sev[name] = s
	}
	failOn, err := audit.ParseSeverity(f.failOn)
	if err != nil {
		return fmt.Errorf("--fail-on: %w", err)
	}
	j.engine.Rules, j.engine.Severity, j.engine.Options = selected, sev, cfg.Options
	j.failOn = failOn
	return nil
}

// readList reads check's URL list: one URL a line; blank lines and lines
// starting with # are skipped.
func (a *app) readList(name string) (seeds []string, noScheme int, err error) {
	var r io.Reader
	label := name
	if name == "-" {
		r, label = a.stdin, "stdin"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, 0, err
		}
		defer f.Close()
		r = f
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimSpace(strings.TrimPrefix(line, "\ufeff")) // a spreadsheet's byte order mark
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		u, err := parseURL(line)
		if err != nil {
			return nil, 0, fmt.Errorf("%s:%d: %w", label, n, err)
		}
		if !hasScheme(line) {
			noScheme++
		}
		seeds = append(seeds, u)
	}
	if err := sc.Err(); err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", label, err)
	}
	if len(seeds) == 0 {
		return nil, 0, fmt.Errorf("%s lists no URL", label)
	}
	return seeds, noScheme, nil
}

func checkProxy(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("--proxy: invalid URL %q", s)
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return fmt.Errorf("--proxy %q: want an http, https, socks5 or socks5h URL", s)
	}
	if u.Host == "" {
		return fmt.Errorf("--proxy %q has no host", s)
	}
	return nil
}

// flagGiven reports whether the flag name was set on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			given = true
		}
	})
	return given
}

// runJob crawls, audits, writes the reports and decides the exit code.
func (a *app) runJob(ctx context.Context, j *job) error {
	if j.noScheme > 0 && !j.quiet {
		fmt.Fprintf(a.stderr, "%d URL(s) without a scheme: using https://\n", j.noScheme)
	}
	// Where the reports go is checked before any request.
	out, dir, err := checkOutputs(j)
	if err != nil {
		return err
	}
	var shared *sharedCrawl
	if j.redis != "" {
		// Before the crawl file: a Redis that does not answer changes nothing.
		if shared, err = a.dialShared(ctx, j); err != nil {
			return err
		}
		defer shared.close()
	}
	var st *crawlFile
	if j.redis != "" && j.state == "" {
		// The records of a shared crawl reach the graph through a crawl
		// file: a temporary one without --state.
		if st, err = a.tempState(j); err != nil {
			return err
		}
		defer st.remove()
	}
	if j.state != "" {
		if st, err = a.openState(j); err != nil {
			return err
		}
		defer st.close()
		j.cfg.Store = st.store()
		if j.baselineLast {
			j.baseline, err = a.lastBaseline(ctx, j, st.file, st.path, st.crawl.ID())
			switch {
			case errors.Is(err, errNoPrevious):
				// The first night of a nightly job: nothing to compare with yet.
				fmt.Fprintf(a.stderr, "warning: --baseline last: %s holds no crawl before this one: nothing to compare with\n", st.path)
				j.compare, j.baselineLast = false, false
			case err != nil:
				return usageErrorf("%v", err)
			}
		}
	}

	start := a.now()
	// While the crawl runs, everything for stderr goes through the
	// progress line (if any), so that it never tears a log line.
	logw := a.stderr
	var bar *progress
	if a.errTerminal && !j.quiet {
		bar = a.startProgress()
		watchCrawl(&j.cfg, bar)
		logw = bar
	}
	j.cfg.Log = logw
	noticed := make(chan struct{})
	stopNotice := context.AfterFunc(ctx, func() {
		defer close(noticed)
		if shared != nil {
			fmt.Fprintln(logw, shared.interrupted())
			return
		}
		fmt.Fprintln(logw, "interrupted: stopping the crawl; the report will cover what was fetched (interrupt again to quit at once)")
	})
	var g *crawler.Graph
	if shared != nil {
		g, err = shared.run(ctx, a, j, st, bar, logw)
	} else {
		g, err = a.crawl(ctx, j.cfg)
	}
	if !stopNotice() {
		<-noticed // the notice is being written: let it finish first
	}
	if bar != nil {
		bar.stop()
	}
	var storeErr *crawler.StoreError
	var exitErr *exitError
	switch {
	case errors.As(err, &exitErr):
		return err
	case errors.As(err, &storeErr):
		// The crawl file failed: what it holds can be resumed.
		return &exitError{code: exitWrite, err: fmt.Errorf("--state: %w; the crawl stopped, and the same command resumes it", err)}
	case err != nil:
		return usageErrorf("crawl: %v", err)
	}
	if st != nil {
		if err := st.finish(g); err != nil {
			return &exitError{code: exitWrite, err: fmt.Errorf("--state: %w", err)}
		}
	}
	if shared != nil {
		shared.remove(ctx, a.stderr) // its records are in the crawl file
	}
	rep, err := a.auditAndReport(j, g, out, dir, start)
	if st != nil && rep != nil {
		if err := st.crawl.PutFindings(rep.Findings); err != nil {
			return worst(err, &exitError{code: exitWrite, err: fmt.Errorf("--state: %w", err)})
		}
	}
	return err
}

// checkOutputs checks -o's file and the --output-dir files of j before
// any request.
func checkOutputs(j *job) (out *reportFile, dir []*reportFile, err error) {
	if j.report {
		if out, err = checkOutput(j.out); err != nil {
			return nil, nil, err
		}
	}
	if j.outputDir != "" {
		if dir, err = checkOutputDir(j.outputDir); err != nil {
			return nil, nil, err
		}
		for _, f := range dir {
			if out != nil && out.file != "" && out.file == f.file {
				return nil, nil, usageErrorf("-o %s is also a file of --output-dir", j.out)
			}
		}
	}
	if j.state != "" {
		// A report written over the crawl file would destroy it.
		for _, f := range append([]*reportFile{out}, dir...) {
			if f != nil && f.file != "" && sameFile(f.file, j.state) {
				return nil, nil, usageErrorf("%s is both the crawl file and a report file", j.state)
			}
		}
	}
	return out, dir, nil
}

// sameFile reports whether paths a and b name one file: the same file if
// both exist, else the same absolute path.
func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}

// auditAndReport audits the graph g of job j, writes its reports and
// decides the exit code; start is when the job began. It returns the
// report, nil when none was made.
//
// A crawl stopped by the default --max-pages was cut short, as one
// interrupted: the user asked for a site, and its report is partial, so
// it exits 3 (a nightly job must not take it for a clean night), and
// the reports and the summary line say so and how to lift the limit. A
// --max-pages given is a sample asked for: it exits as if the crawl had
// finished, with a plain line.
func (a *app) auditAndReport(j *job, g *crawler.Graph, out *reportFile, dir []*reportFile, start time.Time) (*audit.Report, error) {
	if g.Stats.MaxPagesReached && j.defaultLimit {
		g.Stats.DefaultMaxPages = j.cfg.MaxPages
	}
	defer auditMemory()()
	j.engine.RulesDone = debug.FreeOSMemory // see auditMemory
	rep := j.engine.Run(g)
	debug.FreeOSMemory() // see auditMemory
	if j.compare {
		rep.Compare(j.baseline)
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(a.stderr, "warning: rule %s failed: %s\n", e.Rule, e.Err)
	}
	// The files first: a closed stdout must not cost them.
	var dirErr, reportErr error
	if dir != nil {
		dirErr = a.writeOutputDir(j.outputDir, dir, rep, j.bom)
	}
	if j.report {
		fm, err := a.formatter(j)
		if err != nil {
			return rep, err
		}
		reportErr = a.writeReport(out, func(w io.Writer) error { return fm.Format(w, j.kind, rep) })
		if reportErr != nil && dir != nil && dirErr == nil {
			reportErr = &exitError{code: exitCode(reportErr), err: fmt.Errorf("%w; the --output-dir reports were written", reportErr)}
		}
	}
	if g.Stats.MaxPagesReached && !j.defaultLimit {
		fmt.Fprintf(a.stderr, "--max-pages %d reached: URLs found after that were not fetched\n", j.cfg.MaxPages)
	}
	if n := g.Stats.Failed; n > 0 && g.Stats.Unreachable == "" {
		fmt.Fprintf(a.stderr, "warning: %d of the site's URLs failed after their retries (network errors, unreadable bodies, 429 or 5xx; see the urls report): against a baseline, findings that name them are unverified\n", n)
	}
	if !j.quiet {
		fmt.Fprintln(a.stderr, summaryLine(rep, a.now().Sub(start)))
	}

	var cutShort error
	switch {
	case g.Stats.DefaultMaxPages > 0:
		cutShort = &exitError{code: exitIncomplete, err: fmt.Errorf("%s; the report covers the %d URLs fetched", output.DefaultMaxPagesText(g.Stats.DefaultMaxPages), g.Stats.Fetched)}
	case g.Stats.Cancelled:
		cutShort = &exitError{code: exitIncomplete, err: fmt.Errorf("crawl cut short: the report covers the %d URLs fetched", g.Stats.Fetched)}
	case g.Stats.Unreachable != "":
		cutShort = &exitError{code: exitIncomplete, err: fmt.Errorf("site unreachable: %s; the report covers the %d URLs fetched", g.Stats.Unreachable, g.Stats.Fetched)}
	}
	return rep, worst(dirErr, reportErr, cutShort, failOnError(rep, j.failOn))
}

// failOnError returns the exit error for --fail-on: findings at level or
// above, or for a report compared with a baseline, new ones.
func failOnError(rep *audit.Report, level audit.Severity) error {
	if level == 0 {
		return nil
	}
	if rep.Compared {
		if n := rep.NewAtLeast(level); n > 0 {
			return &exitError{code: exitFindings, err: fmt.Errorf("%d new finding(s) at or above %s since the baseline (--fail-on %s)", n, level, level)}
		}
		return nil
	}
	if n := rep.AtLeast(level); n > 0 {
		return &exitError{code: exitFindings, err: fmt.Errorf("%d finding(s) at or above %s (--fail-on %s)", n, level, level)}
	}
	return nil
}

// summaryLine is the one line written to stderr at the end of a run.
func summaryLine(rep *audit.Report, elapsed time.Duration) string {
	var n [audit.Error + 1]int
	for _, f := range rep.Findings {
		if f.Severity >= audit.Notice && f.Severity <= audit.Error {
			n[f.Severity]++
		}
	}
	if elapsed < time.Second {
		elapsed = elapsed.Round(time.Millisecond)
	} else {
		elapsed = elapsed.Round(100 * time.Millisecond)
	}
	line := fmt.Sprintf("%d URLs fetched, %d redirect chains, %d findings (%d error, %d warning, %d notice) in %s",
		rep.Graph.Stats.Fetched, rep.Graph.ChainCount(), len(rep.Findings),
		n[audit.Error], n[audit.Warning], n[audit.Notice], elapsed)
	if rep.Compared {
		line += "; " + changesText(rep)
	}
	if n := rep.Graph.Stats.DefaultMaxPages; n > 0 {
		line += fmt.Sprintf("; stopped at the default --max-pages %d: the site has more URLs", n)
	}
	return line
}

// changesText counts a compared report's changes: "2 new, 1 fixed, 5
// unchanged since the baseline", with ", 3 unverified" before "since"
// when there are any.
func changesText(rep *audit.Report) string {
	s := fmt.Sprintf("%d new, %d fixed, %d unchanged", rep.Tally(audit.ChangeNew), rep.Tally(audit.ChangeFixed), rep.Tally(audit.ChangeUnchanged))
	if n := rep.Unverified(); n > 0 {
		s += fmt.Sprintf(", %d unverified", n)
	}
	return s + " since the baseline"
}
