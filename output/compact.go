package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter/pkg/twwidth"

	"github.com/hopaudit/hopaudit/audit"
)

// compactURLs is how many URLs of one rule the compact summary lists;
// a line says how many more there are.
const compactURLs = 10

// compact writes the issues of r as a summary for a terminal t.Width
// columns wide, where no line is wider, so that none wraps: the totals,
// then for each rule with findings, most severe first, a line with its
// severity (coloured with t.Color), its name and how many URLs and
// findings it has, and under it a line per URL (at most compactURLs;
// most linked first): its inlinks, its change against a baseline, the
// URL, its status and, when it redirects, where it ends. URLs too long
// for the line are cut in the middle. Site data is escaped as in
// tables.
//
//	6 findings: 2 error, 3 warning, 1 notice, in 4 issues (rule and URL)
//
//	error    broken-link: 1 URL
//	      3  https://example.com/gone  404
//	warning  link-to-redirect: 1 URL, 5 findings
//	      6  https://example.com/old  301 → /new  200
func (t Table) compact(w io.Writer, r *audit.Report) error {
	issues := Issues(r)
	if len(issues) == 0 && len(r.Errors) == 0 {
		_, err := fmt.Fprintln(w, "no findings")
		return err
	}
	c := compactWriter{w: w, width: max(t.Width, 20), color: t.Color}
	c.words(fmt.Sprintf("%s, in %d %s (rule and URL)", totalsLine(totals(r)), len(issues), plural(len(issues), "issue", "issues")))
	if r.Compared {
		c.line(changesLine(r))
	}
	if t.HideUnchanged {
		issues = changedIssues(issues)
	}
	// The first column holds a rule's severity, or a URL's inlinks.
	first := len("warning")
	changeWidth := 0
	for _, is := range issues {
		first = max(first, len(strconv.Itoa(is.Inlinks)))
		changeWidth = max(changeWidth, len(is.Change))
	}
	if len(issues) > 0 {
		c.line("")
	}
	for i := 0; i < len(issues); {
		j := i + 1
		for j < len(issues) && issues[j].Rule == issues[i].Rule && issues[j].Severity == issues[i].Severity {
			j++
		}
		group := issues[i:j]
		findings := 0
		for _, is := range group {
			findings += is.Findings
		}
		head := fmt.Sprintf("%d %s", len(group), plural(len(group), "URL", "URLs"))
		if findings != len(group) {
			head += fmt.Sprintf(", %d %s", findings, plural(findings, "finding", "findings"))
		}
		sev := group[0].Severity.String()
		c.colored(sev, fmt.Sprintf("%-*s", first, sev), "  "+escapeControls(group[0].Rule)+": "+head)
		for k, is := range group {
			if k == compactURLs {
				c.line(fmt.Sprintf("%*s  … and %d more %s", first, "", len(group)-k, plural(len(group)-k, "URL", "URLs")))
				break
			}
			prefix := fmt.Sprintf("%*d  ", first, is.Inlinks)
			if changeWidth > 0 {
				prefix += fmt.Sprintf("%-*s  ", changeWidth, is.Change)
			}
			c.line(prefix + compactURL(is, c.width-twwidth.Width(prefix)))
		}
		i = j
	}
	for _, e := range r.Errors {
		c.line(fmt.Sprintf("rule %s failed: %s", escapeControls(e.Rule), escapeControls(e.Err)))
	}
	if len(issues) > 0 {
		c.line("")
		c.words("The first number is the URL's inlinks: references from pages and sitemaps. " +
			"--report findings lists every finding; --report issues -o issues.csv every issue in full.")
	}
	return c.err
}

// compactURL is the rest of an issue's line, at most width columns: the
// URL and its status, and for a URL that redirects, where it ends:
// "https://example.com/old  301 → /new  200" (the final URL without
// its origin when it is the URL's). The URLs share the room, each cut
// in the middle when it must be.
func compactURL(is Issue, width int) string {
	u := escapeControls(is.URL)
	status := statusText(is.Status)
	if is.FinalURL == "" || is.FinalURL == is.URL {
		return shorten(u, max(width-len(status)-2, 1)) + "  " + status
	}
	final := escapeControls(sameOriginPath(is.URL, is.FinalURL))
	fixed := len("  ") + len(status) + len(" → ") - 2 + len("  ") + len(statusText(is.FinalStatus)) // the arrow is 3 bytes wide, 1 column
	room := max(width-fixed, 2)
	uw, fw := twwidth.Width(u), twwidth.Width(final)
	switch {
	case uw+fw <= room:
	case uw <= room/2:
		fw = room - uw
	case fw <= room/2:
		uw = room - fw
	default:
		uw, fw = (room+1)/2, room/2
	}
	return shorten(u, max(uw, 1)) + "  " + status + " → " + shorten(final, max(fw, 1)) + "  " + statusText(is.FinalStatus)
}

// sameOriginPath returns final without its scheme and host when u has
// the same ones: "/new" for https://example.com/new from
// https://example.com/old; final as it is otherwise.
func sameOriginPath(u, final string) string {
	origin := func(s string) string {
		i := strings.Index(s, "://")
		if i < 0 {
			return ""
		}
		j := strings.IndexByte(s[i+3:], '/')
		if j < 0 {
			return ""
		}
		return s[:i+3+j]
	}
	if o := origin(u); o != "" && o == origin(final) {
		return final[len(o):]
	}
	return final
}

// statusText is a status for the compact summary: "-" for none.
func statusText(s int) string {
	if s == 0 {
		return "-"
	}
	return strconv.Itoa(s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// compactWriter writes lines of at most width columns; the first error
// stops it.
type compactWriter struct {
	w     io.Writer
	width int
	color bool
	err   error
}

// line writes s, cut at the end with an ellipsis when it is too wide.
func (c *compactWriter) line(s string) {
	if c.err != nil {
		return
	}
	if twwidth.Width(s) > c.width {
		s = cutEnd(s, c.width)
	}
	_, c.err = io.WriteString(c.w, s+"\n")
}

// colored writes a line whose first part, head, is coloured as severity
// sev says, when colours are on; rest follows it.
func (c *compactWriter) colored(sev, head, rest string) {
	if c.err != nil {
		return
	}
	s := head + rest
	if twwidth.Width(s) > c.width {
		s = cutEnd(s, c.width)
	}
	if code := severityColors[sev]; c.color && code != "" && strings.HasPrefix(s, head) {
		s = code + head + "\x1b[0m" + s[len(head):]
	}
	_, c.err = io.WriteString(c.w, s+"\n")
}

// severityColors are the ANSI colours of the severities: red, yellow,
// cyan.
var severityColors = map[string]string{
	audit.Error.String():   "\x1b[31m",
	audit.Warning.String(): "\x1b[33m",
	audit.Notice.String():  "\x1b[36m",
}

// words writes text wrapped at spaces onto lines of at most width
// columns.
func (c *compactWriter) words(text string) {
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && twwidth.Width(line)+1+twwidth.Width(word) > c.width {
			c.line(line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		c.line(line)
	}
}

// cutEnd returns s cut to at most width columns, an ellipsis last.
func cutEnd(s string, width int) string {
	budget := width - twwidth.Width(ellipsis)
	var b strings.Builder
	w := 0
	for _, r := range s {
		rw := twwidth.Width(string(r))
		if w+rw > budget {
			break
		}
		w += rw
		b.WriteRune(r)
	}
	return b.String() + ellipsis
}
