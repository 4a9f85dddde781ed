package output

import (
	"cmp"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// MaxSamples is how many sources an Issue names at most.
const MaxSamples = 3

// Issue is one rule's findings at one URL: a row of the issues report.
// Where the findings report has a row per page that links to a
// redirecting URL, the issues report has one row for the URL, with how
// many pages reference it and a few of them.
type Issue struct {
	// Change is, for a report compared with a baseline, how the issue as
	// a whole compares: new when any of its findings is new; else
	// unverified when any is; else unchanged when any is; else
	// unverified-fixed when any is; else fixed (all its findings are).
	// "" when the report was not compared.
	Change   string         `json:"change,omitempty"`
	Rule     string         `json:"rule"`
	Severity audit.Severity `json:"severity"` // the highest of its findings
	URL      string         `json:"url"`
	// Findings counts the run's findings of the rule at the URL (a rule
	// may report a URL once per page that links to it); a fixed issue
	// has none.
	Findings int `json:"findings"`
	// Inlinks counts the references to URL from pages and sitemaps (a
	// page referencing it twice the same way counts once; start URLs
	// and list-mode lines are no references), Sources the distinct pages
	// and sitemaps among them. Both come from the crawl graph
	// (crawler.Graph.Inbound). For a URL whose references the graph only
	// counts (a plain 2xx answer; see crawler.Referrers), Inlinks is that
	// count and Sources 0. Where the graph knows nothing of the URL (a
	// report read back from JSON, as diff's), both count the findings'
	// distinct sources.
	Inlinks int `json:"inlinks"`
	Sources int `json:"sources"`
	// Samples are up to MaxSamples of those sources, smallest URL first,
	// each with the first of its references to URL (anchors first).
	Samples []Sample `json:"samples"`
	// Status is what URL answered in this run (0 when it was not fetched
	// or answered nothing); FinalURL and FinalStatus where a visitor
	// ends up (crawler.Graph.Follow): URL itself when it does not
	// redirect, "" and 0 when it was not fetched.
	Status      int    `json:"status"`
	FinalURL    string `json:"final_url"`
	FinalStatus int    `json:"final_status"`
	// FixStatus and FixTarget are what the findings advise URL to answer
	// (audit.Fix): the status and the URL to redirect to; 0 and "" when
	// the advice names none.
	FixStatus int    `json:"fix_status"`
	FixTarget string `json:"fix_target"`
	// Message is the first of its findings' messages, in the order of
	// the findings report.
	Message string `json:"message"`
}

// Sample is one source of an Issue: a page or sitemap that references
// its URL.
type Sample struct {
	Source string `json:"source"`
	// Kind is how the source references the URL (crawler.RefKind's name):
	// a, area, canonical, sitemap, img, ...
	Kind string `json:"kind"`
	// Text is the reference's text (crawler.Reference.Text): an anchor's
	// text, a hreflang code, a form's method; "" for most other kinds.
	Text string `json:"text"`
}

// Issues groups the findings of r by rule and URL. The issues are
// sorted by severity (highest first), then by rule in the order r ran
// them, then by inlinks (most first: fixing the URL most pages link to
// helps most), then by URL. A report compared with a baseline has its
// fixed findings grouped too (see Issue.Change).
func Issues(r *audit.Report) []Issue {
	findings := r.Findings
	if r.Compared {
		findings = r.WithFixed() // sorted by url, rule, ...: groups are runs
	}
	g := r.Graph
	if g == nil {
		g = &crawler.Graph{}
	}
	var out []Issue
	for i := 0; i < len(findings); {
		j := i + 1
		for j < len(findings) && findings[j].URL == findings[i].URL && findings[j].Rule == findings[i].Rule {
			j++
		}
		out = append(out, issue(g, r.Compared, findings[i:j]))
		i = j
	}
	order := make(map[string]int, len(r.Rules))
	for i, rule := range r.Rules {
		order[rule.Name] = i
	}
	pos := func(rule string) int { // rules the report does not list go last, by name
		if i, ok := order[rule]; ok {
			return i
		}
		return len(order)
	}
	slices.SortFunc(out, func(a, b Issue) int {
		return cmp.Or(
			cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(pos(a.Rule), pos(b.Rule)),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(b.Inlinks, a.Inlinks),
			cmp.Compare(a.URL, b.URL),
		)
	})
	return out
}

// issue makes the Issue of one rule's findings at one URL, fs, found
// in graph g.
func issue(g *crawler.Graph, compared bool, fs []audit.Finding) Issue {
	is := Issue{Rule: fs[0].Rule, URL: fs[0].URL, Samples: []Sample{}}
	var changes [audit.ChangeUnverifiedFixed + 1]bool
	for _, f := range fs {
		is.Severity = max(is.Severity, f.Severity)
		changes[f.Change] = true
		if f.Change != audit.ChangeFixed && f.Change != audit.ChangeUnverifiedFixed {
			is.Findings++
		}
		if is.Message == "" {
			is.Message = f.Message
		}
		if is.FixStatus == 0 {
			is.FixStatus = f.Fix.Status
		}
		if is.FixTarget == "" {
			is.FixTarget = f.Fix.Target
		}
	}
	if compared {
		for _, c := range []audit.Change{audit.ChangeNew, audit.ChangeUnverified, audit.ChangeUnchanged, audit.ChangeUnverifiedFixed, audit.ChangeFixed} {
			if changes[c] {
				is.Change = c.String()
				break
			}
		}
	}
	resp := g.Lookup(is.URL)
	if resp != nil {
		is.Status = resp.Status
		c := g.Follow(is.URL)
		is.FinalURL = c.FinalURL()
		if c.Final != nil {
			is.FinalStatus = c.Final.Status
		}
	}
	inlinks(&is, g, resp, fs)
	return is
}

// inlinks fills the inlinks, sources and samples of an issue from the
// graph's references to its URL (whose response, if any, is resp), or
// from its findings fs when the graph has none.
func inlinks(is *Issue, g *crawler.Graph, resp *crawler.Response, fs []audit.Finding) {
	var refs []crawler.Reference
	for _, ref := range g.Inbound(is.URL) {
		if ref.Kind != crawler.RefSeed {
			refs = append(refs, ref)
		}
	}
	switch {
	case len(refs) == 0 && resp != nil:
		n := resp.Referrers
		is.Inlinks = int(n.Links + n.Sitemaps + n.Canonicals + n.Hreflangs + n.Forms)
		return
	case len(refs) == 0:
		for _, f := range fs {
			if f.Source != "" && f.Change != audit.ChangeFixed && f.Change != audit.ChangeUnverifiedFixed {
				refs = append(refs, crawler.Reference{Source: f.Source, Target: f.URL})
			}
		}
	}
	slices.SortFunc(refs, func(a, b crawler.Reference) int {
		return cmp.Or(strings.Compare(a.Source, b.Source), cmp.Compare(a.Kind, b.Kind))
	})
	refs = slices.CompactFunc(refs, func(a, b crawler.Reference) bool { return a.Source == b.Source && a.Kind == b.Kind })
	is.Inlinks = len(refs)
	for i, ref := range refs {
		if i > 0 && ref.Source == refs[i-1].Source {
			continue
		}
		is.Sources++
		if len(is.Samples) < MaxSamples {
			is.Samples = append(is.Samples, Sample{Source: ref.Source, Kind: ref.Kind.String(), Text: ref.Text})
		}
	}
}

// issueColumns are the columns of the issues report; a compared report
// has a change column first.
var (
	issueColumns       = []string{"rule", "severity", "url", "findings", "inlinks", "sources", "samples", "status", "final_url", "final_status", "fix_status", "fix_target", "message"}
	changeIssueColumns = append([]string{"change"}, issueColumns...)
)

// issueRows yields the issues of r (see Issues); with hideUnchanged, a
// compared report's unchanged issues are left out.
func issueRows(r *audit.Report, hideUnchanged bool) iter.Seq[Issue] {
	issues := Issues(r)
	if hideUnchanged {
		issues = changedIssues(issues)
	}
	return slices.Values(issues)
}

// changedIssues returns the issues that are not unchanged, in place.
func changedIssues(issues []Issue) []Issue {
	return slices.DeleteFunc(issues, func(is Issue) bool { return is.Change == audit.ChangeUnchanged.String() })
}

// samplesText writes an issue's samples as one text cell, separated by
// ", ": each source URL, then its reference's kind in brackets unless
// it is a link, then its text quoted as a Go string (so that a quote or
// a comma in an anchor's text reads as part of it):
//
//	https://example.com/a "Old page", https://example.com/b (canonical)
func samplesText(samples []Sample) string {
	parts := make([]string, len(samples))
	for i, s := range samples {
		p := s.Source
		if s.Kind != "" && s.Kind != crawler.RefAnchor.String() {
			p += " (" + s.Kind + ")"
		}
		if s.Text != "" {
			p += " " + strconv.Quote(s.Text)
		}
		parts[i] = p
	}
	return strings.Join(parts, ", ")
}
