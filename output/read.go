package output

import (
	"fmt"
	"slices"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// This file turns a JSON document read back (ReadDocument) into what
// the audit package compares: an earlier run's findings for --baseline,
// and a whole report for diff.

// Baseline returns the run d reports, for audit.Report.Compare: its
// findings, and what it looked at (see Coverage). d must be a findings
// document (the summary and the other reports hold no findings). The
// fixed findings of a compared document are left out: they are the
// baseline's baseline. Its unverified-fixed findings are kept: they are
// findings of its own baseline that its run did not look at, so nothing
// says they are gone. A compared document that does not list all its
// unchanged findings (diff without --unchanged) is refused, since it no
// longer says what its run found.
func (d *Document) Baseline() (audit.Baseline, error) {
	findings, err := d.findings(audit.ChangeFixed)
	if err != nil {
		return audit.Baseline{}, err
	}
	return audit.Baseline{Findings: findings, Coverage: d.Coverage()}, nil
}

// findings returns the findings of a findings document but those whose
// change is one of skip, checking that a compared document lists all its
// unchanged findings.
func (d *Document) findings(skip ...audit.Change) ([]audit.Finding, error) {
	if d.Report != Findings {
		return nil, fmt.Errorf("a %s report holds no findings; compare findings reports (--report findings --format json, or report.json of --output-dir)", d.Report)
	}
	out := make([]audit.Finding, 0, len(d.Findings))
	unchanged := 0
	for _, row := range d.Findings {
		f, err := row.finding()
		if err != nil {
			return nil, err
		}
		if slices.Contains(skip, f.Change) {
			continue
		}
		if f.Change == audit.ChangeUnchanged {
			unchanged++
		}
		out = append(out, f)
	}
	if c := d.Comparison; c != nil && unchanged < c.Unchanged {
		return nil, fmt.Errorf("a comparison listing %d of its %d unchanged findings (hopaudit diff without --unchanged) does not say what its run found; use the run's own report", unchanged, c.Unchanged)
	}
	return out, nil
}

// Coverage returns what the run d reports looked at: everything but its
// unread_urls, unless its crawl was cut short (stats partial, or
// cancelled, stopped at --max-pages or unreachable in a document written
// before partial existed); then the URLs of fetched_urls, none when the
// document has no such list.
func (d *Document) Coverage() audit.Coverage {
	s := d.Stats
	unread := d.UnreadURLs
	if !slices.IsSorted(unread) {
		unread = slices.Sorted(slices.Values(unread))
	}
	if !s.Partial && !s.Cancelled && !s.MaxPagesReached && s.Unreachable == "" {
		return audit.Coverage{Unread: unread}
	}
	urls := d.FetchedURLs
	if !slices.IsSorted(urls) {
		urls = slices.Sorted(slices.Values(urls))
	}
	return audit.Coverage{Partial: true, URLs: urls, Unread: unread}
}

// AuditReport rebuilds, from a findings document, the report of the run
// it was written from, as far as a document holds it: its findings
// (without their changes, and without the fixed and unverified-fixed
// findings of a compared document, which are its baseline's), the rules
// that ran, the rules that failed, the crawl statistics and what the
// crawl looked at (Coverage). The graph holds the statistics only: no
// URLs, so no chains. The rules are looked up in catalogue by name; a rule the
// catalogue does not know (one retired since) is a rule with only a
// name. A document without a rules list (written before the list was
// added) ran the catalogue and every rule its findings name.
func (d *Document) AuditReport(catalogue []*audit.Rule) (*audit.Report, error) {
	findings, err := d.findings(audit.ChangeFixed, audit.ChangeUnverifiedFixed)
	if err != nil {
		return nil, err
	}
	for i := range findings {
		findings[i].Change = 0
	}
	rep := &audit.Report{
		Graph:    &crawler.Graph{Stats: d.Stats.crawlStats()},
		Findings: findings,
		Errors:   []audit.RuleError{},
		Coverage: d.Coverage(),
	}
	names := d.Rules
	if names == nil {
		for _, r := range catalogue {
			names = append(names, r.Name)
		}
		for _, f := range findings {
			names = append(names, f.Rule)
		}
	}
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		r := audit.Lookup(catalogue, name)
		if r == nil {
			r = &audit.Rule{Name: name}
		}
		rep.Rules = append(rep.Rules, r)
	}
	for _, e := range d.RuleErrors {
		rep.Errors = append(rep.Errors, audit.RuleError{Rule: e.Rule, Err: e.Error})
	}
	return rep, nil
}

// finding converts a row back; its severity and change must be known.
func (row FindingRow) finding() (audit.Finding, error) {
	if row.Severity < audit.Notice || row.Severity > audit.Error {
		return audit.Finding{}, fmt.Errorf("finding of rule %q at %s: severity %v is not error, warning or notice", row.Rule, row.URL, row.Severity)
	}
	change, err := audit.ParseChange(row.Change)
	if err != nil {
		return audit.Finding{}, fmt.Errorf("finding of rule %q at %s: %v", row.Rule, row.URL, err)
	}
	return audit.Finding{
		Rule:     row.Rule,
		Severity: row.Severity,
		URL:      row.URL,
		Source:   row.Source,
		Status:   row.Status,
		Target:   row.Target,
		Hops:     row.Hops,
		Message:  row.Message,
		Change:   change,
	}, nil
}

// crawlStats converts the statistics back.
func (s Stats) crawlStats() crawler.Stats {
	return crawler.Stats{
		Started:         s.Started,
		Finished:        s.Finished,
		Fetched:         s.Fetched,
		Parsed:          s.Parsed,
		Blocked:         s.Blocked,
		Errors:          s.Errors,
		Failed:          s.Failed,
		Cancelled:       s.Cancelled,
		MaxPagesReached: s.MaxPagesReached,
		DefaultMaxPages: s.DefaultMaxPages,
		Unreachable:     s.Unreachable,
	}
}
