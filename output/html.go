package output

import (
	"bufio"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// HTML writes a report as one self-contained HTML page for people: an
// overview (the crawl's figures, what cut it short, the findings by
// severity and by rule), the findings grouped by rule and then by URL,
// and every redirect chain drawn hop by hop.
//
// The page needs nothing but itself: its CSS and JavaScript are inline,
// it names no other resource (not even a favicon), and a
// Content-Security-Policy forbids every request and every script or
// style but its own two, named by hash, so that even a bug in the
// escaping below could neither fetch nor run anything. Every string
// from a website is escaped for its context by html/template, shown
// with its control characters made visible (as in tables), and a URL
// is a live link only when it is a plain http or https URL.
//
// It reads without JavaScript: each rule lists its first URLs
// (htmlFirst) and the first chains are drawn. With JavaScript, the page
// filters by severity, rule and change, searches, and shows the rest
// page by page from JSON data blocks it parses only when asked, so a
// report of 100,000 findings paints as fast as a small one.
//
// The findings and issues reports write the whole page (the page groups
// findings as the issues report does); the summary report the overview
// only. A report compared with a baseline badges every URL new, fixed,
// unchanged or unverified (Issue.Change).
type HTML struct {
	HideUnchanged bool // list no unchanged finding of a compared report
}

// htmlFirst is how many URLs of a rule, and how many chains, the page
// writes as HTML; the rest are in its data blocks, for JavaScript.
const htmlFirst = 50

// The page's template and its inline assets.
//
//go:embed html/report.tmpl html/report.css html/report.js
var htmlFiles embed.FS

var (
	htmlTemplate = template.Must(template.New("report.tmpl").Funcs(template.FuncMap{
		"num":         groupDigits,
		"minus":       func(a, b int) int { return a - b },
		"statusClass": statusClass,
		"plural": func(n int, one, more string) string {
			if n == 1 {
				return one
			}
			return more
		},
	}).ParseFS(htmlFiles, "html/report.tmpl"))
	htmlStyle  = mustRead("html/report.css")
	htmlScript = mustRead("html/report.js")
	// htmlCSP allows the page's own style and script, by hash, and
	// nothing else: no request of any kind, no other script, no inline
	// style attribute, no form, no <base>.
	htmlCSP = "default-src 'none'; style-src '" + cspHash(htmlStyle) + "'; script-src '" + cspHash(htmlScript) +
		"'; img-src data:; base-uri 'none'; form-action 'none'"
)

func mustRead(name string) string {
	b, err := htmlFiles.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// cspHash is the Content-Security-Policy source of an inline script or
// style: its SHA-256, in base64.
func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// htmlReports are the reports the page shows (the registry's entry
// lists them): the findings and issues reports are the whole page, the
// summary its overview alone.
var htmlReports = []Report{Findings, IssuesReport, Summary}

// Format writes report kind: the whole page, or for the summary its
// overview.
func (h HTML) Format(w io.Writer, kind Report, r *audit.Report) error {
	if r == nil {
		return fmt.Errorf("no report")
	}
	if !slices.Contains(htmlReports, kind) {
		if _, err := ParseReport(string(kind)); err != nil {
			return err
		}
		return fmt.Errorf("the html format writes the %s reports, not %s", orList(htmlReports), kind)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	p := h.page(kind, r)
	if err := htmlTemplate.Execute(bw, p); err != nil {
		return err
	}
	if p.Full {
		if err := writeData(bw, p, r.Graph); err != nil {
			return err
		}
	}
	if err := htmlTemplate.ExecuteTemplate(bw, "tail", p); err != nil {
		return err
	}
	return bw.Flush()
}

// writeData writes the page's data blocks: for each rule all its
// groups, then all chains, as JSON arrays in <script
// type="application/json"> elements, which the page's script reads
// when it needs them. They are written a group and a chain at a time,
// not made whole in memory first: on a big site they are most of the
// page.
//
// They are written here rather than by the template, which would
// marshal each whole array (as html/template does a value in a script:
// json.Marshal, HTML escaping on). The encoder escapes the same way: <,
// > and & become \u003c, \u003e and \u0026, U+2028 and U+2029 their
// escapes, invalid UTF-8 U+FFFD, so a block holds no "<" at all and no
// site data can end its script element or open a comment
// (TestHTMLDataBlocks).
func writeData(w io.Writer, p *htmlPage, g *crawler.Graph) error {
	enc := json.NewEncoder(w) // escapes HTML
	array := func(id string, items iter.Seq[any]) error {
		if _, err := fmt.Fprintf(w, "\n<script type=\"application/json\" id=%q>[", id); err != nil {
			return err
		}
		first := true
		for item := range items {
			if !first {
				if _, err := io.WriteString(w, ","); err != nil {
					return err
				}
			}
			first = false
			if err := enc.Encode(item); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, "]</script>")
		return err
	}
	for _, rule := range p.Rules {
		groups := func(yield func(any) bool) {
			for _, is := range rule.issues {
				if !yield(group(is)) {
					return
				}
			}
		}
		if err := array("data-rule-"+strconv.Itoa(rule.Index), groups); err != nil {
			return err
		}
	}
	drawn := func(yield func(any) bool) {
		for c := range chains(g) {
			if !yield(htmlChainOf(g, c)) {
				return
			}
		}
	}
	if err := array("data-chains", drawn); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// htmlPage is what the template shows.
type htmlPage struct {
	CSP      template.HTMLAttr // content="...": the policy, ours alone, written as it is
	Style    template.CSS
	Script   template.JS
	Site     string // the start hosts
	Overview htmlOverview
	Full     bool // the findings report: findings and chains, not the overview alone
	Compared bool
	Rules    []htmlRule
	Chains   []htmlChain // the first htmlFirst
	// ChainCount counts the chains, ChainTemporary those with a
	// temporary hop; all are in the page's data (writeData).
	ChainCount     int
	ChainTemporary int
	// ReadBack says the report was rebuilt from a JSON document (as
	// diff's are): its graph holds no response, so no chain either.
	ReadBack bool
}

// htmlOverview is the top of the page.
type htmlOverview struct {
	Stats      Stats
	Started    string
	Finished   string
	Duration   string
	Cut        []string // why the crawl is partial, one reason each
	Unread     int      // URLs requested but not learnt about (audit.Coverage.Unread)
	Totals     Totals
	Comparison Comparison
	Counts     []htmlCount
	Quiet      []string // rules that ran and found nothing
	Errors     []RuleErrorRow
}

// htmlCount is one row of the overview's table of rules.
type htmlCount struct {
	Rule     string
	Index    int // of the rule's section; -1 when it has none
	Severity string
	Count    int
	URLs     int
	New      int
	Fixed    int
	Bar      string // the bar's length, 0 to 100: its count against the largest
}

// htmlRule is one rule's section: its URLs, one row each.
type htmlRule struct {
	Index    int
	Name     string
	Title    string
	Severity string // the highest of its findings
	Findings int
	URLs     int
	First    []htmlGroup // the first htmlFirst, written as HTML
	More     int         // how many more the data block holds
	issues   []Issue     // all of them, in the order of Issues, for the data (writeData)
}

// htmlGroup is one URL of a rule: an Issue as the page shows it. The
// JSON keys are short: a report may hold 100,000 of them.
type htmlGroup struct {
	URL      string       `json:"u"`
	Link     bool         `json:"-"`            // URL is an http(s) URL: a live link
	NoLink   bool         `json:"nl,omitempty"` // !Link, in the data, where most URLs are links
	Severity string       `json:"s"`
	Change   string       `json:"c,omitempty"` // of a compared report: new, fixed, unchanged, ...
	Findings int          `json:"n"`
	Inlinks  int          `json:"i"`
	Sources  int          `json:"d"` // distinct pages or sitemaps among the inlinks
	Samples  []htmlSample `json:"x,omitempty"`
	Status   int          `json:"st,omitempty"`
	// Final is where a visitor ends up, when that is another URL.
	Final       string `json:"f,omitempty"`
	FinalL      bool   `json:"-"`
	FinalNL     bool   `json:"fnl,omitempty"`
	FinalStatus int    `json:"fs,omitempty"`
	Fix         string `json:"m"`
}

// htmlSample is a page that references a group's URL, with the
// reference's text (an anchor's text, a form's method, ...).
type htmlSample struct {
	URL    string `json:"u"`
	Link   bool   `json:"-"`
	NoLink bool   `json:"nl,omitempty"`
	Kind   string `json:"k,omitempty"` // the reference's kind; "" for an <a> link
	Text   string `json:"t,omitempty"`
}

// htmlChain is a redirect chain, hop by hop.
type htmlChain struct {
	Index     int       `json:"-"`
	Temporary bool      `json:"tmp,omitempty"`
	Hops      []htmlHop `json:"h"`
	End       htmlHop   `json:"e"`
}

// htmlHop is one redirect of a chain, or where it ends.
type htmlHop struct {
	URL    string `json:"u"`
	Link   bool   `json:"-"`
	NoLink bool   `json:"nl,omitempty"`
	Status int    `json:"s,omitempty"`
	Kind   string `json:"k,omitempty"` // meta-refresh, refresh-header, javascript, "" for http; the chain's end for its last
	Class  string `json:"p,omitempty"` // permanent or temporary; "" for an end
	Delay  string `json:"d,omitempty"` // a refresh's delay, "5 s"
	By     string `json:"b,omitempty"` // X-Redirect-By
	Error  string `json:"x,omitempty"`
}

func (h HTML) page(kind Report, r *audit.Report) *htmlPage {
	p := &htmlPage{
		CSP:      template.HTMLAttr(`content="` + htmlCSP + `"`),
		Style:    template.CSS(htmlStyle),
		Script:   template.JS(htmlScript),
		Full:     kind != Summary,
		Compared: r.Compared,
	}
	if r.Graph != nil {
		p.Site = safe(strings.Join(r.Graph.Scope.Hosts, ", "))
	}
	p.ReadBack = r.Graph == nil || r.Graph.Len() == 0
	p.Rules = h.rules(r)
	p.Overview = overview(r, p.Rules)
	if p.Full {
		for c := range chains(r.Graph) {
			if len(p.Chains) < htmlFirst {
				hc := htmlChainOf(r.Graph, c)
				hc.Index = p.ChainCount
				p.Chains = append(p.Chains, hc)
			}
			if c.Temporary() {
				p.ChainTemporary++
			}
			p.ChainCount++
		}
	} else {
		p.Rules = nil
	}
	return p
}

// overview sums the report up.
func overview(r *audit.Report, rules []htmlRule) htmlOverview {
	o := htmlOverview{Stats: stats(r), Totals: totals(r), Errors: ruleErrorRows(r), Unread: len(r.Coverage.Unread)}
	for i := range o.Errors {
		o.Errors[i].Error = safe(o.Errors[i].Error)
	}
	s := o.Stats
	if !s.Started.IsZero() {
		o.Started = s.Started.Format(time.RFC3339)
	}
	if !s.Finished.IsZero() {
		o.Finished = s.Finished.Format(time.RFC3339)
		o.Duration = (time.Duration(s.DurationMS) * time.Millisecond).String()
	}
	if s.Cancelled {
		o.Cut = append(o.Cut, "the crawl was cancelled before it ended")
	}
	switch {
	case s.DefaultMaxPages > 0:
		o.Cut = append(o.Cut, DefaultMaxPagesText(s.DefaultMaxPages))
	case s.MaxPagesReached:
		o.Cut = append(o.Cut, "--max-pages stopped the discovery of new URLs")
	}
	if s.Unreachable != "" {
		o.Cut = append(o.Cut, "the site became unreachable: "+safe(s.Unreachable))
	}
	if s.Partial && len(o.Cut) == 0 {
		o.Cut = append(o.Cut, "the crawl was cut short")
	}
	if r.Compared {
		o.Comparison = Comparison{
			New:        r.Tally(audit.ChangeNew),
			Fixed:      r.Tally(audit.ChangeFixed),
			Unchanged:  r.Tally(audit.ChangeUnchanged),
			Unverified: r.Unverified(),
		}
	}
	index := map[string]int{}
	for _, rule := range rules {
		index[rule.Name] = rule.Index
	}
	// The URLs of each rule and severity: the run's findings are sorted
	// by URL, so a URL's findings of one rule and severity are together.
	type key struct {
		rule string
		sev  audit.Severity
	}
	urls := map[key]int{}
	last := map[key]string{}
	for _, f := range r.Findings {
		k := key{f.Rule, f.Severity}
		if n, ok := last[k]; !ok || n != f.URL {
			urls[k]++
			last[k] = f.URL
		}
	}
	most := 0
	found := map[string]bool{}
	for _, c := range r.Summary() {
		i, ok := index[c.Rule]
		if !ok {
			i = -1
		}
		o.Counts = append(o.Counts, htmlCount{Rule: safe(c.Rule), Index: i, Severity: c.Severity.String(),
			Count: c.Count, URLs: urls[key{c.Rule, c.Severity}], New: c.New, Fixed: c.Fixed})
		most = max(most, c.Count)
		found[c.Rule] = true
	}
	for i := range o.Counts {
		pct := 0.0
		if most > 0 {
			pct = 100 * float64(o.Counts[i].Count) / float64(most)
		}
		o.Counts[i].Bar = strconv.FormatFloat(pct, 'f', 1, 64)
	}
	for _, rule := range r.Rules {
		if !found[rule.Name] {
			o.Quiet = append(o.Quiet, safe(rule.Name))
		}
	}
	return o
}

// rules lays out the issues of the report (Issues) by rule, in the
// order Issues gives: rules with errors first, within a rule the URLs
// most pages link to first. Each rule's severity is the highest of its
// issues.
func (h HTML) rules(r *audit.Report) []htmlRule {
	var out []htmlRule
	index := map[string]int{}
	for _, is := range Issues(r) {
		if h.HideUnchanged && is.Change == audit.ChangeUnchanged.String() {
			continue
		}
		i, ok := index[is.Rule]
		if !ok {
			i = len(out)
			index[is.Rule] = i
			hr := htmlRule{Index: i, Name: safe(is.Rule), Severity: is.Severity.String()}
			if rule := ruleNamed(r, is.Rule); rule != nil {
				hr.Title = safe(rule.Doc.Title)
			}
			out = append(out, hr)
		}
		out[i].Findings += is.Findings
		out[i].issues = append(out[i].issues, is)
	}
	for i := range out {
		hr := &out[i]
		hr.URLs = len(hr.issues)
		for _, is := range hr.issues[:min(htmlFirst, len(hr.issues))] {
			hr.First = append(hr.First, group(is))
		}
		hr.More = hr.URLs - len(hr.First)
	}
	return out
}

// ruleNamed returns the rule of the report called name, or nil.
func ruleNamed(r *audit.Report, name string) *audit.Rule {
	for _, rule := range r.Rules {
		if rule.Name == name {
			return rule
		}
	}
	return nil
}

// group is an issue as the page shows it.
func group(is Issue) htmlGroup {
	gr := htmlGroup{
		URL:         safe(is.URL),
		Severity:    is.Severity.String(),
		Change:      is.Change,
		Findings:    is.Findings,
		Inlinks:     is.Inlinks,
		Sources:     is.Sources,
		Status:      is.Status,
		FinalStatus: is.FinalStatus,
		Fix:         safe(is.Message),
	}
	gr.Link, gr.NoLink = links(is.URL)
	for _, s := range is.Samples {
		kind := s.Kind
		if kind == crawler.RefAnchor.String() {
			kind = ""
		}
		sample := htmlSample{URL: safe(s.Source), Kind: kind, Text: safe(s.Text)}
		sample.Link, sample.NoLink = links(s.Source)
		gr.Samples = append(gr.Samples, sample)
	}
	if is.FinalURL != "" && is.FinalURL != is.URL {
		gr.Final = safe(is.FinalURL)
		gr.FinalL, gr.FinalNL = links(is.FinalURL)
	} else {
		gr.FinalStatus = 0
	}
	return gr
}

// htmlChainOf draws a chain hop by hop, as the hops report lists it.
// The responses of the hops are g's.
func htmlChainOf(g *crawler.Graph, c *crawler.Chain) htmlChain {
	hc := htmlChain{Temporary: c.Temporary(), Hops: []htmlHop{}}
	for _, h := range c.Hops {
		r := g.Lookup(h.URL)
		hop := htmlHop{
			URL:    safe(h.URL),
			Status: h.Status,
			Class:  permanence(h),
			By:     safe(redirectBy(r)),
			Error:  safe(r.Error),
		}
		hop.Link, hop.NoLink = links(h.URL)
		if h.Kind != crawler.HopHTTP {
			hop.Kind = h.Kind.String()
		}
		if h.Kind != crawler.HopHTTP && h.Delay > 0 {
			hop.Delay = strconv.FormatFloat(h.Delay, 'f', -1, 64) + " s"
		}
		hc.Hops = append(hc.Hops, hop)
	}
	end := htmlHop{URL: safe(c.FinalURL()), Kind: c.End.String()}
	end.Link, end.NoLink = links(c.FinalURL())
	if c.End != crawler.EndLoop { // "loop" says it all
		end.Error = safe(endError(c))
	}
	if c.Final != nil {
		end.Status = c.Final.Status
		end.By = safe(redirectBy(c.Final))
	}
	hc.End = end
	return hc
}

// permanence says whether a hop is a permanent or a temporary redirect,
// as Google reads it: 301 and 308, an instant refresh and a script's
// redirect are permanent; 302, 303, 307 and a delayed refresh are
// temporary.
func permanence(h crawler.Hop) string {
	switch {
	case h.Kind == crawler.HopHTTP && (h.Status == 301 || h.Status == 308):
		return "permanent"
	case h.Kind == crawler.HopHTTP:
		return "temporary"
	case h.Delay > 0:
		return "temporary"
	}
	return "permanent"
}

// statusClass is the class of a status: s2 for a 2xx, s3, s4, s5, or
// s0 for no status or another.
func statusClass(status int) string {
	if status >= 200 && status < 600 {
		return "s" + strconv.Itoa(status/100)
	}
	return "s0"
}

// safe makes site data fit to show: valid UTF-8, with control
// characters (among them the bidirectional overrides that reorder what
// is shown) written as visible escapes. html/template escapes it for
// its context.
func safe(s string) string { return escapeControls(s) }

// links returns linkable(s) and its negation, for a row and its data.
func links(s string) (link, noLink bool) {
	link = linkable(s)
	return link, !link
}

// linkable reports whether a URL from a site may be a live link in the
// page: an absolute http or https URL, free of control characters, with
// a host. Anything else (javascript:, data:, a relative or malformed
// URL) is shown as text only.
func linkable(s string) bool {
	if s == "" || !clean(s) {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	return u.Scheme == "http" || u.Scheme == "https"
}
