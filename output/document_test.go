package output

import (
	"fmt"
	"iter"
	"slices"

	"github.com/hopaudit/hopaudit/audit"
)

// wholeDocument builds the Document of one report of a run, held whole:
// the oracle of the JSON formatter, which writes it a field and a row at
// a time. hideUnchanged leaves the unchanged findings of a compared
// report out of its findings list.
func wholeDocument(kind Report, r *audit.Report, hideUnchanged bool) (*Document, error) {
	if r == nil {
		return nil, fmt.Errorf("no report")
	}
	d := &Document{SchemaVersion: SchemaVersion, Report: kind, Stats: stats(r)}
	if kind == Findings || kind == IssuesReport || kind == Summary {
		d.Rules = ruleNames(r)
		if r.Compared {
			d.Comparison = comparison(r)
		}
	}
	switch kind {
	case URLs:
		d.URLs = collect(urlRows(r.Graph))
	case Status:
		d.Status = collect(statusRows(r, nil))
	case Sitemaps:
		d.Sitemaps = collect(sitemapRows(r.Graph))
	case Hops:
		d.Hops = collect(hopRows(r.Graph))
	case Chains:
		d.Chains = collect(chainRecords(r.Graph))
	case Findings:
		t := totals(r)
		d.Totals = &t
		d.Summary = collect(countRows(r))
		d.Findings = collect(findingRows(r, hideUnchanged))
		d.RuleErrors = ruleErrorRows(r)
		d.Chains = collect(chainRecords(r.Graph))
		d.Sitemaps = collect(sitemapRows(r.Graph))
		if r.Coverage.Partial {
			d.FetchedURLs = collect(slices.Values(r.Coverage.URLs))
		}
		d.UnreadURLs = collect(slices.Values(r.Coverage.Unread))
	case IssuesReport:
		t := totals(r)
		d.Totals = &t
		d.Summary = collect(countRows(r))
		d.Issues = collect(issueRows(r, hideUnchanged))
		d.RuleErrors = ruleErrorRows(r)
	case Summary:
		t := totals(r)
		d.Totals = &t
		d.Summary = collect(countRows(r))
		d.RuleErrors = ruleErrorRows(r)
	default:
		return nil, unknownReport(kind)
	}
	return d, nil
}

// collect returns the rows in a slice, empty but not nil when there are
// none: a list of the document is [], never null.
func collect[T any](rows iter.Seq[T]) []T {
	return slices.AppendSeq([]T{}, rows)
}
