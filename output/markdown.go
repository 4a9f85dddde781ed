package output

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hopaudit/hopaudit/audit"
)

// Markdown limits: a digest lists at most markdownIssues issues, and
// any other report at most markdownRows rows; a cell of site data is
// cut in the middle at markdownCell characters. A digest stays within
// about 40 KB (25 rows of four such cells), any other report within
// about 320 KB (100 rows of at most ten): below the 1 MiB a GitHub job
// summary takes; a digest is short enough to paste into a chat.
const (
	markdownIssues = 25
	markdownRows   = 100
	markdownCell   = 300
)

// Markdown writes a report as GitHub-flavoured Markdown, for a GitHub
// job summary ($GITHUB_STEP_SUMMARY), a pull request comment or a chat
// message. The findings, issues and summary reports are one digest of
// the audit: the totals, the rules with findings (most severe first,
// then most found) and the first issues (see Issues: most severe
// first, then most linked; each with where it ends and its first
// source with its anchor text), capped at
// markdownIssues with a line that says how many are left out. Other
// reports are a table of their rows, capped at markdownRows.
//
// Every value that came from a website is shown as code: a URL is
// never a live link, HTML is shown as text, and no @mention, emoji
// code or Markdown in it takes effect. Control characters are escaped
// as in tables, and a | is escaped so that it cannot split a table's
// cell.
type Markdown struct {
	HideUnchanged bool     // list no unchanged issue of a compared report
	Inputs        []string // the status report's rows (see Options.Inputs)
}

// Format writes report kind.
func (m Markdown) Format(w io.Writer, kind Report, r *audit.Report) error {
	if r == nil {
		return fmt.Errorf("no report")
	}
	var b strings.Builder
	switch kind {
	case Findings, IssuesReport, Summary:
		m.digest(&b, r)
	default:
		if err := m.table(&b, kind, r); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// digest writes the totals, the rules with findings and the first
// issues.
func (m Markdown) digest(b *strings.Builder, r *audit.Report) {
	t := totals(r)
	fmt.Fprintf(b, "## hopaudit: %d %s\n\n", t.Total, plural(t.Total, "finding", "findings"))
	fmt.Fprintf(b, "**%d error**, **%d warning**, %d notice", t.Error, t.Warning, t.Notice)
	if r.Graph != nil {
		fmt.Fprintf(b, " in %d URLs fetched", r.Graph.Stats.Fetched)
	}
	b.WriteString(".\n")
	if r.Compared {
		fmt.Fprintf(b, "Against the baseline: **%d new**, %d fixed, %d unchanged", r.Tally(audit.ChangeNew), r.Tally(audit.ChangeFixed), r.Tally(audit.ChangeUnchanged))
		if n := r.Unverified(); n > 0 {
			fmt.Fprintf(b, ", %d unverified", n)
		}
		b.WriteString(".\n")
	}
	if s := stats(r); s.Partial {
		b.WriteString("\n> [!WARNING]\n> The crawl was cut short")
		switch {
		case s.Unreachable != "":
			b.WriteString(": the site became unreachable (" + mdCode(s.Unreachable) + ")")
		case s.DefaultMaxPages > 0:
			b.WriteString(": " + DefaultMaxPagesText(s.DefaultMaxPages))
		case s.MaxPagesReached:
			b.WriteString(": --max-pages was reached")
		case s.Cancelled:
			b.WriteString(": it was interrupted")
		}
		b.WriteString("; the findings cover what was fetched.\n")
	}
	for _, e := range r.Errors {
		fmt.Fprintf(b, "\n> [!CAUTION]\n> Rule %s failed: %s\n", mdCode(e.Rule), mdCode(e.Err))
	}
	counts := r.Summary() // most severe first, then most found
	slices.SortStableFunc(counts, func(a, b audit.Count) int {
		return cmp.Or(cmp.Compare(b.Severity, a.Severity), cmp.Compare(b.Count, a.Count))
	})
	if len(counts) > 0 {
		b.WriteString("\n### Rules\n\n| severity | rule | findings |")
		if r.Compared {
			b.WriteString(" new | fixed |")
		}
		b.WriteString("\n|---|---|--:|")
		if r.Compared {
			b.WriteString("--:|--:|")
		}
		b.WriteString("\n")
		for _, c := range counts {
			fmt.Fprintf(b, "| %s | %s | %d |", c.Severity, mdCode(c.Rule), c.Count)
			if r.Compared {
				fmt.Fprintf(b, " %d | %d |", c.New, c.Fixed)
			}
			b.WriteString("\n")
		}
	}
	issues := Issues(r)
	if m.HideUnchanged {
		issues = changedIssues(issues)
	}
	if len(issues) == 0 {
		return
	}
	b.WriteString("\n### URLs\n\n")
	if r.Compared {
		b.WriteString("| change ")
	}
	b.WriteString("| severity | rule | URL | inlinks | status | ends at | linked from |\n")
	if r.Compared {
		b.WriteString("|---")
	}
	b.WriteString("|---|---|---|--:|--:|---|---|\n")
	for i, is := range issues {
		if i == markdownIssues {
			break
		}
		if r.Compared {
			b.WriteString("| " + is.Change + " ")
		}
		end := ""
		if is.FinalURL != "" && is.FinalURL != is.URL {
			end = mdCode(is.FinalURL) + " " + statusText(is.FinalStatus)
		}
		from := ""
		if len(is.Samples) > 0 {
			from = mdCode(is.Samples[0].Source)
			if t := is.Samples[0].Text; t != "" {
				from += " " + mdCode(t)
			}
		}
		fmt.Fprintf(b, "| %s | %s | %s | %d | %s | %s | %s |\n", is.Severity, mdCode(is.Rule), mdCode(is.URL), is.Inlinks, statusText(is.Status), end, from)
	}
	if n := len(issues) - markdownIssues; n > 0 {
		fmt.Fprintf(b, "\n%d more %s (rule and URL) not shown: `--report issues --format csv` lists them all.\n", n, plural(n, "issue", "issues"))
	}
}

// table writes report kind as a table of its rows, at most markdownRows.
func (m Markdown) table(b *strings.Builder, kind Report, r *audit.Report) error {
	columns, rows, err := sheet(kind, r, m.HideUnchanged, m.Inputs)
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "## hopaudit: %s\n\n", kind)
	n := 0
	for row := range rows {
		if n == 0 {
			b.WriteString("|")
			for _, c := range columns {
				b.WriteString(" " + c + " |")
			}
			b.WriteString("\n|")
			for _, v := range row {
				if v.kind == numberCell {
					b.WriteString("--:|")
				} else {
					b.WriteString("---|")
				}
			}
			b.WriteString("\n")
		}
		n++
		if n > markdownRows {
			continue // counted
		}
		b.WriteString("|")
		for _, v := range row {
			s := v.s
			if v.kind == textCell {
				s = mdCode(v.s)
			}
			b.WriteString(" " + s + " |")
		}
		b.WriteString("\n")
	}
	switch {
	case n == 0:
		b.WriteString(emptyLine[kind] + "\n")
	case n > markdownRows:
		fmt.Fprintf(b, "\n%d more rows not shown: `--report %s --format csv` lists them all.\n", n-markdownRows, kind)
	}
	return nil
}

// mdCode returns site data s as a Markdown code span that is safe in a
// table cell: control characters escaped (see escapeControls), cut in
// the middle at markdownCell characters, every | escaped as \| (which
// a GFM table reads as a | of the cell, even in code), and fenced with
// more backticks than s holds in a row, with a space either side when
// s starts or ends with a backtick. "" for an empty s.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = shorten(escapeControls(s), markdownCell)
	s = strings.ReplaceAll(s, "|", `\|`)
	run, longest := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") {
		s = " " + s + " "
	}
	return fence + s + fence
}
