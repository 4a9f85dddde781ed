package output

import (
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// The columns of each report, in order. They are the JSON keys of the
// row types too (a test checks it).
var (
	urlColumns     = []string{"url", "status", "content_type", "bytes", "depth", "elapsed_ms", "attempts", "truncated", "blocked", "error"}
	statusColumns  = []string{"url", "status", "hops", "final_url", "final_status", "error", "rules"}
	sitemapColumns = []string{"url", "from", "status", "index", "entries", "error"}
	hopColumns     = []string{"start", "hop", "url", "status", "location", "target", "kind", "elapsed_ms", "error", "x_redirect_by"}
	chainColumns   = []string{"url", "final_url", "final_status", "hops", "loop", "temporary", "statuses", "path", "x_redirect_by"}
	findingColumns = []string{"rule", "severity", "url", "source", "status", "target", "hops", "message"}
	countColumns   = []string{"rule", "severity", "count"}

	// A report compared with a baseline (audit.Report.Compare) has a
	// change column first in findings, and new, fixed and unverified
	// counts in the summary.
	changeFindingColumns = append([]string{"change"}, findingColumns...)
	changeCountColumns   = append(countColumns[:len(countColumns):len(countColumns)], "new", "fixed", "unverified")
)

func unknownReport(kind Report) error {
	if _, err := ParseReport(string(kind)); err != nil {
		return err
	}
	return fmt.Errorf("report %q is not implemented", kind)
}

func stats(r *audit.Report) Stats {
	if r.Graph == nil {
		return Stats{Partial: r.Coverage.Partial}
	}
	s := r.Graph.Stats
	out := Stats{
		Fetched:         s.Fetched,
		Parsed:          s.Parsed,
		Blocked:         s.Blocked,
		Errors:          s.Errors,
		Failed:          s.Failed,
		Cancelled:       s.Cancelled,
		MaxPagesReached: s.MaxPagesReached,
		DefaultMaxPages: s.DefaultMaxPages,
		Unreachable:     s.Unreachable,
		Partial:         s.Partial() || r.Coverage.Partial,
	}
	if !s.Started.IsZero() {
		out.Started = s.Started.UTC()
	}
	if !s.Finished.IsZero() {
		out.Finished = s.Finished.UTC()
	}
	if !s.Started.IsZero() && !s.Finished.IsZero() {
		out.DurationMS = s.Finished.Sub(s.Started).Milliseconds()
	}
	return out
}

func totals(r *audit.Report) Totals {
	var t Totals
	for _, f := range r.Findings {
		switch f.Severity {
		case audit.Error:
			t.Error++
		case audit.Warning:
			t.Warning++
		case audit.Notice:
			t.Notice++
		}
		t.Total++
	}
	return t
}

// chains yields the chains of the hops and chains reports, ordered by
// entry URL: the graph's redirect chains (crawler.Graph.Chains), and a
// chain without a redirect for each entry URL that answers a 3xx status
// but sends the client nowhere (a 3xx without a usable Location, a 300,
// 304 or 305, which clients do not follow), so that every 3xx answer is
// in both reports. Those chains are the reports' own: the rules see the
// graph's chains only. It is the only place that asks the graph for its
// chains.
func chains(g *crawler.Graph) iter.Seq[*crawler.Chain] {
	return func(yield func(*crawler.Chain) bool) {
		if g == nil {
			return
		}
		cs := g.Chains() // in the order of the entries
		i := 0
		for _, u := range g.Entries() {
			if i < len(cs) && cs[i].URL() == u {
				if !yield(&cs[i]) {
					return
				}
				i++
				continue
			}
			if r := g.Lookup(u); r != nil && !r.Blocked && is3xx(r.Status) {
				c := g.Follow(u) // no hop: it ends at u
				if !yield(&c) {
					return
				}
			}
		}
	}
}

// is3xx reports whether status is a 3xx, followed by clients or not.
func is3xx(status int) bool { return status >= 300 && status <= 399 }

// urlRows yields the rows of the urls report.
func urlRows(g *crawler.Graph) iter.Seq[URLRow] {
	return func(yield func(URLRow) bool) {
		if g == nil {
			return
		}
		for r := range g.SortedResponses() {
			row := URLRow{
				URL:         r.URL,
				Status:      r.Status,
				ContentType: r.ContentType,
				Bytes:       r.Bytes,
				Depth:       r.Depth,
				ElapsedMS:   r.Elapsed.Milliseconds(),
				Attempts:    int(r.Attempts),
				Truncated:   r.Truncated,
				Blocked:     r.Blocked,
				Error:       urlError(r),
			}
			if !yield(row) {
				return
			}
		}
	}
}

// urlError is a URL's fetch error, else why its HTML could not be read.
func urlError(r *crawler.Response) string {
	if r.Error == "" && r.ParseError != "" {
		return "parse HTML: " + r.ParseError
	}
	return r.Error
}

// sitemapRows yields the rows of the sitemaps report: every sitemap the
// crawl read or did not read because of a limit, in URL order. The
// crawler keeps Graph.Sitemaps in that order; a graph built otherwise
// is sorted here, on a copy.
func sitemapRows(g *crawler.Graph) iter.Seq[SitemapRow] {
	return func(yield func(SitemapRow) bool) {
		if g == nil {
			return
		}
		byURL := func(a, b crawler.Sitemap) int { return strings.Compare(a.URL, b.URL) }
		sitemaps := g.Sitemaps
		if !slices.IsSortedFunc(sitemaps, byURL) {
			sitemaps = slices.Clone(sitemaps)
			slices.SortStableFunc(sitemaps, byURL)
		}
		for _, s := range sitemaps {
			row := SitemapRow{
				URL:     s.URL,
				From:    s.From.String(),
				Status:  s.Status,
				Index:   s.Index,
				Entries: s.Entries,
				Error:   s.Error,
			}
			if !yield(row) {
				return
			}
		}
	}
}

// hopRows yields the rows of the hops report: those of each chain in
// turn (see chainHopRows).
func hopRows(g *crawler.Graph) iter.Seq[HopRow] {
	return func(yield func(HopRow) bool) {
		for c := range chains(g) {
			for _, row := range chainHopRows(g, c) {
				if !yield(row) {
					return
				}
			}
		}
	}
}

// chainHopRows returns the rows of one chain in the hops report.
//
// Each redirect is a row: hop is 1-based, location the raw first
// Location value (for a meta refresh or Refresh header hop, the raw
// refresh value), target where the hop sends the client, x_redirect_by
// the response's X-Redirect-By field (the software that made the
// redirect: WordPress, Yoast SEO, ...; a 3xx answer's only).
//
// One more row follows, hop n+1 of kind "final", for the URL where the
// chain ends (Chain.FinalURL): its status (0 when it was not fetched),
// its raw Location if it sent one, the target it would send the client
// to (only for a loop or a chain cut off after MaxHops), its elapsed
// time, and in error why the chain ends there when that is not an
// ordinary final response:
//
//	error      the response's error
//	final      empty for an answer that is not a 3xx; for a 3xx that
//	           sends the client nowhere, why: "no Location", "empty
//	           Location", "invalid Location: ..." (a 301, 302, 303, 307
//	           or 308), or "300 is not followed by clients" (any other
//	           3xx, with or without a Location)
//	blocked    "blocked by robots.txt"
//	loop       "loop" (the row's URL is the one visited again)
//	too-long   "more than 20 redirects"
//	unfetched  "not fetched"
//
// So a chain with n redirects has n+1 rows, and the last row always
// says where a visitor ends up. An entry URL that answers a 3xx without
// redirecting is a chain of no redirect (see chains): its one row is
// its final row, hop 1, with an empty target and the reason in error.
// The responses of the hops are g's.
func chainHopRows(g *crawler.Graph, c *crawler.Chain) []HopRow {
	out := make([]HopRow, 0, len(c.Hops)+1)
	for i, h := range c.Hops {
		r := g.Lookup(h.URL)
		loc := firstLocation(r)
		if h.Kind != crawler.HopHTTP {
			loc = r.Refresh.Raw
		}
		out = append(out, HopRow{
			Start:      c.URL(),
			Hop:        i + 1,
			URL:        h.URL,
			Status:     h.Status,
			Location:   loc,
			Target:     h.Target,
			Kind:       h.Kind.String(),
			ElapsedMS:  r.Elapsed.Milliseconds(),
			Error:      r.Error,
			RedirectBy: redirectBy(r),
		})
	}
	final := HopRow{
		Start: c.URL(),
		Hop:   len(c.Hops) + 1,
		URL:   c.FinalURL(),
		Kind:  FinalKind,
		Error: endError(c),
	}
	if r := c.Final; r != nil {
		final.Status = r.Status
		final.Location = firstLocation(r)
		if final.Location == "" && r.Refresh != nil {
			final.Location = r.Refresh.Raw
		}
		if c.End == crawler.EndLoop || c.End == crawler.EndTooLong {
			final.Target, _, _ = r.Next()
		}
		final.ElapsedMS = r.Elapsed.Milliseconds()
		final.RedirectBy = redirectBy(r)
	}
	return append(out, final)
}

// redirectBy is the X-Redirect-By field of a 3xx answer; "" for none.
func redirectBy(r *crawler.Response) string {
	if r.Redirect == nil || r.Redirect.Header == nil {
		return ""
	}
	return r.Redirect.Header.XRedirectBy
}

// chainRedirectBy lists the software that made a chain's redirects: the
// X-Redirect-By values of its rows of the hops report (steps, from
// chainHopRows: its hops and final response), split at commas as a
// field list is, each name once, in the order the chain meets them,
// joined by ", ".
func chainRedirectBy(steps []HopRow) string {
	var names []string
	for _, s := range steps {
		for name := range strings.SplitSeq(s.RedirectBy, ",") {
			if name = strings.TrimSpace(name); name != "" && !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	return strings.Join(names, ", ")
}

func firstLocation(r *crawler.Response) string {
	if r.Redirect != nil && len(r.Redirect.Locations) > 0 {
		return r.Redirect.Locations[0]
	}
	return ""
}

// endError says why a chain ends where it does, for the final row of
// the hops report.
func endError(c *crawler.Chain) string {
	switch c.End {
	case crawler.EndBlocked:
		return "blocked by robots.txt"
	case crawler.EndLoop:
		return "loop"
	case crawler.EndTooLong:
		return fmt.Sprintf("more than %d redirects", crawler.MaxHops)
	case crawler.EndUnfetched:
		return "not fetched"
	}
	r := c.Final
	switch {
	case r != nil && r.Error != "":
		return r.Error
	case c.End == crawler.EndError:
		return "error"
	case r != nil && is3xx(r.Status):
		return stuckError(r)
	}
	return ""
}

// stuckError says why a 3xx response that ends a chain sends the client
// nowhere: a status clients do not follow, or no usable Location.
func stuckError(r *crawler.Response) string {
	switch {
	case !crawler.IsRedirectStatus(r.Status):
		return strconv.Itoa(r.Status) + " is not followed by clients"
	case r.Redirect == nil || len(r.Redirect.Locations) == 0:
		return "no Location"
	case r.Redirect.LocationErr != "":
		return "invalid Location: " + r.Redirect.LocationErr
	case r.Redirect.Location == "":
		return "empty Location"
	}
	return "" // a redirect no chain could follow: not met in a crawl
}

// chainRow returns a chain's row of the chains report.
//
// final_status is the status the last URL answered (0 when it was not
// fetched, was blocked or answered no status); for a loop that is the
// status of the URL visited again.
//
// statuses lists the status of every hop (for a meta refresh or Refresh
// header hop, whose status is a 2xx, its kind), then one last item for
// where the chain ends: the final status for an ordinary end, otherwise
// the end itself, so that a redirect status never reads as a final one:
//
//	301>302>200        final response
//	meta-refresh>200   a page that refreshes to a final response
//	301>error          network or protocol error (status or not)
//	301>blocked        robots.txt disallows the next URL
//	301>302>loop       a URL repeats
//	301>...>too-long   still redirecting after 20 hops
//	301>unfetched      the next URL was not fetched
//	302                an entry URL whose 3xx sends the client nowhere (no
//	                   usable Location, or a 300, 304 or 305): hops 0
//
// path is the entry URL, every URL after it and the final URL, joined
// by " > " (for a loop the repeated URL closes the path; for a chain of
// no redirect it is the entry URL alone).
//
// x_redirect_by names the software that made the chain's redirects, from
// the X-Redirect-By fields of its rows in the hops report: each name
// once, in chain order, joined by ", " ("WordPress, Yoast SEO"); the hops
// report says which hop each one made. steps are the chain's rows of the
// hops report (chainHopRows), which the row is made from too.
func chainRow(c *crawler.Chain, steps []HopRow) ChainRow {
	statuses := make([]string, 0, len(c.Hops)+1)
	path := make([]string, 0, len(c.Hops)+1)
	for _, h := range c.Hops {
		if h.Kind == crawler.HopHTTP {
			statuses = append(statuses, strconv.Itoa(h.Status))
		} else {
			statuses = append(statuses, h.Kind.String())
		}
		path = append(path, h.URL)
	}
	end := c.End.String()
	if c.End == crawler.EndFinal && c.Final != nil {
		end = strconv.Itoa(c.Final.Status)
	}
	statuses = append(statuses, end)
	path = append(path, c.FinalURL())
	row := ChainRow{
		URL:        c.URL(),
		FinalURL:   c.FinalURL(),
		Hops:       len(c.Hops),
		Loop:       c.End == crawler.EndLoop,
		Temporary:  c.Temporary(),
		Statuses:   strings.Join(statuses, ">"),
		Path:       strings.Join(path, " > "),
		RedirectBy: chainRedirectBy(steps),
	}
	if c.Final != nil {
		row.FinalStatus = c.Final.Status
	}
	return row
}

// chainRows yields the rows of the chains report.
func chainRows(g *crawler.Graph) iter.Seq[ChainRow] {
	return func(yield func(ChainRow) bool) {
		for c := range chains(g) {
			if !yield(chainRow(c, chainHopRows(g, c))) {
				return
			}
		}
	}
}

// chainRecords yields the chains of the JSON document, each with its
// row and its rows of the hops report.
func chainRecords(g *crawler.Graph) iter.Seq[ChainRecord] {
	return func(yield func(ChainRecord) bool) {
		for c := range chains(g) {
			steps := chainHopRows(g, c)
			if !yield(ChainRecord{ChainRow: chainRow(c, steps), End: c.End.String(), Steps: steps}) {
				return
			}
		}
	}
}

// findingRows yields the rows of the findings report. A compared
// report lists its fixed and unverified-fixed findings too, each row
// with its change; with hideUnchanged, its unchanged findings are left
// out.
func findingRows(r *audit.Report, hideUnchanged bool) iter.Seq[FindingRow] {
	return func(yield func(FindingRow) bool) {
		findings := r.Findings
		if r.Compared {
			findings = r.WithFixed()
		}
		for _, f := range findings {
			if hideUnchanged && f.Change == audit.ChangeUnchanged {
				continue
			}
			row := FindingRow{
				Change:   f.Change.String(),
				Rule:     f.Rule,
				Severity: f.Severity,
				URL:      f.URL,
				Source:   f.Source,
				Status:   f.Status,
				Target:   f.Target,
				Hops:     f.Hops,
				Message:  f.Message,
			}
			if !yield(row) {
				return
			}
		}
	}
}

// countRows yields the rows of the summary report; a compared report's
// rows carry their new, fixed and unverified counts.
func countRows(r *audit.Report) iter.Seq[CountRow] {
	return func(yield func(CountRow) bool) {
		for _, c := range r.Summary() {
			row := CountRow{Rule: c.Rule, Severity: c.Severity, Count: c.Count}
			if r.Compared {
				row.New, row.Fixed, row.Unverified = &c.New, &c.Fixed, &c.Unverified
			}
			if !yield(row) {
				return
			}
		}
	}
}

// ruleNames lists the rules that ran, in order.
func ruleNames(r *audit.Report) []string {
	out := make([]string, 0, len(r.Rules))
	for _, rule := range r.Rules {
		out = append(out, rule.Name)
	}
	return out
}

func ruleErrorRows(r *audit.Report) []RuleErrorRow {
	out := make([]RuleErrorRow, 0, len(r.Errors))
	for _, e := range r.Errors {
		out = append(out, RuleErrorRow{Rule: e.Rule, Error: e.Err})
	}
	return out
}

// A cell is one value of a row for CSV and tables. Only text cells can
// hold bytes from a website; numbers and booleans are written as is.
type cell struct {
	s    string
	kind cellKind
}

type cellKind int

const (
	textCell cellKind = iota
	numberCell
	boolCell
)

// text is a cell of text, possibly from a website.
func text(s string) cell { return cell{s: s} }

// number is a cell of plain digits.
func number[T int | int64](n T) cell {
	return cell{s: strconv.FormatInt(int64(n), 10), kind: numberCell}
}

// boolean is a cell of true or false.
func boolean(b bool) cell { return cell{s: strconv.FormatBool(b), kind: boolCell} }

// sheet returns the columns of a report for CSV and tables, and its
// rows of cells, one at a time: a row's cells are valid until the next
// row. hideUnchanged leaves the unchanged findings (and issues) of a
// compared report out; inputs are the status report's (see
// Options.Inputs).
func sheet(kind Report, r *audit.Report, hideUnchanged bool, inputs []string) ([]string, iter.Seq[[]cell], error) {
	switch kind {
	case Status:
		return statusColumns, cellRows(statusRows(r, inputs), func(row []cell, s StatusRow) []cell {
			return append(row, text(s.URL), number(s.Status), number(s.Hops), text(s.FinalURL), number(s.FinalStatus),
				text(s.Error), text(strings.Join(s.Rules, ", ")))
		}), nil
	case IssuesReport:
		columns := issueColumns
		if r.Compared {
			columns = changeIssueColumns
		}
		return columns, cellRows(issueRows(r, hideUnchanged), func(row []cell, is Issue) []cell {
			if r.Compared {
				row = append(row, text(is.Change))
			}
			return append(row, text(is.Rule), text(is.Severity.String()), text(is.URL), number(is.Findings),
				number(is.Inlinks), number(is.Sources), text(samplesText(is.Samples)), number(is.Status),
				text(is.FinalURL), number(is.FinalStatus), number(is.FixStatus), text(is.FixTarget), text(is.Message))
		}), nil
	case URLs:
		return urlColumns, cellRows(urlRows(r.Graph), func(row []cell, u URLRow) []cell {
			return append(row, text(u.URL), number(u.Status), text(u.ContentType), number(u.Bytes),
				number(u.Depth), number(u.ElapsedMS), number(u.Attempts), boolean(u.Truncated), boolean(u.Blocked), text(u.Error))
		}), nil
	case Sitemaps:
		return sitemapColumns, cellRows(sitemapRows(r.Graph), func(row []cell, s SitemapRow) []cell {
			return append(row, text(s.URL), text(s.From), number(s.Status), boolean(s.Index), number(s.Entries), text(s.Error))
		}), nil
	case Hops:
		return hopColumns, cellRows(hopRows(r.Graph), func(row []cell, h HopRow) []cell {
			return append(row, text(h.Start), number(h.Hop), text(h.URL), number(h.Status),
				text(h.Location), text(h.Target), text(h.Kind), number(h.ElapsedMS), text(h.Error), text(h.RedirectBy))
		}), nil
	case Chains:
		return chainColumns, cellRows(chainRows(r.Graph), func(row []cell, c ChainRow) []cell {
			return append(row, text(c.URL), text(c.FinalURL), number(c.FinalStatus), number(c.Hops),
				boolean(c.Loop), boolean(c.Temporary), text(c.Statuses), text(c.Path), text(c.RedirectBy))
		}), nil
	case Findings:
		columns := findingColumns
		if r.Compared {
			columns = changeFindingColumns
		}
		return columns, cellRows(findingRows(r, hideUnchanged), func(row []cell, f FindingRow) []cell {
			if r.Compared {
				row = append(row, text(f.Change))
			}
			return append(row, text(f.Rule), text(f.Severity.String()), text(f.URL), text(f.Source),
				number(f.Status), text(f.Target), number(f.Hops), text(f.Message))
		}), nil
	case Summary:
		columns := countColumns
		if r.Compared {
			columns = changeCountColumns
		}
		return columns, cellRows(countRows(r), func(row []cell, c CountRow) []cell {
			row = append(row, text(c.Rule), text(c.Severity.String()), number(c.Count))
			if r.Compared {
				row = append(row, number(*c.New), number(*c.Fixed), number(*c.Unverified))
			}
			return row
		}), nil
	}
	return nil, nil, unknownReport(kind)
}

// cellRows turns each row into cells with appendCells, reusing one
// slice of cells for every row.
func cellRows[T any](rows iter.Seq[T], appendCells func([]cell, T) []cell) iter.Seq[[]cell] {
	return func(yield func([]cell) bool) {
		var row []cell
		for v := range rows {
			row = appendCells(row[:0], v)
			if !yield(row) {
				return
			}
		}
	}
}
