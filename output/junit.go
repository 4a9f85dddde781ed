package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hopaudit/hopaudit/audit"
)

// junitLines is how many findings a test case lists in its failure or
// its output; a last line says how many more there are.
const junitLines = 500

// JUnit writes the audit as JUnit XML, the test report format GitLab,
// Jenkins, Azure DevOps and GitHub test reporters read: one test suite,
// hopaudit, with one test case per rule that ran, named after the rule
// (classname hopaudit). A rule with findings at or above FailOn (new
// ones, in a report compared with a baseline) fails: its <failure>
// counts them, with the rule's title, and lists them, one per line (severity, URL, source, message). FailOn
// none fails a rule for any finding (new one, when compared). The
// rule's other findings are listed in the test case's <system-out>. A
// rule that failed to run is an <error>. It writes the same document
// for the findings, issues and summary reports, and no other report.
//
// The XML is valid whatever the site sent: control characters are
// escaped as in tables (\x1b), characters XML forbids as \uFFFE, and
// the markup characters as entities. No time is written, so that two
// runs of one site give the same bytes.
type JUnit struct {
	FailOn audit.Severity // findings at or above it fail their rule; none: any finding
}

// junitReports are the reports JUnit writes.
var junitReports = []Report{Findings, IssuesReport, Summary}

// Format writes report kind.
func (j JUnit) Format(w io.Writer, kind Report, r *audit.Report) error {
	if r == nil {
		return fmt.Errorf("no report")
	}
	switch kind {
	case Findings, IssuesReport, Summary:
	default:
		if _, err := ParseReport(string(kind)); err != nil {
			return err
		}
		return fmt.Errorf("junit writes the findings, issues and summary reports, not %s", kind)
	}
	type testCase struct {
		name          string
		failing, rest []audit.Finding
		err           string
	}
	var cases []*testCase
	byName := map[string]*testCase{}
	add := func(name string) *testCase {
		if c := byName[name]; c != nil {
			return c
		}
		c := &testCase{name: name}
		cases = append(cases, c)
		byName[name] = c
		return c
	}
	titles := map[string]string{}
	for _, rule := range r.Rules {
		add(rule.Name)
		titles[rule.Name] = rule.Doc.Title
	}
	for _, f := range r.Findings {
		c := add(f.Rule)
		if f.Severity >= j.FailOn && (!r.Compared || f.Change == audit.ChangeNew) {
			c.failing = append(c.failing, f)
		} else {
			c.rest = append(c.rest, f)
		}
	}
	failures, errors := 0, 0
	for _, e := range r.Errors {
		c := add(e.Rule)
		if c.err == "" {
			errors++
		}
		c.err += e.Err
	}
	for _, c := range cases {
		if len(c.failing) > 0 {
			failures++
		}
	}

	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	counts := fmt.Sprintf(`tests="%d" failures="%d" errors="%d" skipped="0"`, len(cases), failures, errors)
	fmt.Fprintf(&b, "<testsuites name=\"hopaudit\" %s>\n", counts)
	fmt.Fprintf(&b, "  <testsuite name=\"hopaudit\" %s>\n", counts)
	level := "any severity"
	if j.FailOn > 0 {
		level = j.FailOn.String() + " or above"
	}
	if r.Compared {
		level = "new, " + level
	}
	for _, c := range cases {
		fmt.Fprintf(&b, "    <testcase classname=\"hopaudit\" name=\"%s\">", xmlEscape(c.name))
		if c.err == "" && len(c.failing) == 0 && len(c.rest) == 0 {
			b.WriteString("</testcase>\n")
			continue
		}
		b.WriteString("\n")
		if c.err != "" {
			fmt.Fprintf(&b, "      <error message=\"rule failed\">%s</error>\n", xmlEscape(c.err))
		}
		if n := len(c.failing); n > 0 {
			worst := audit.Severity(0)
			for _, f := range c.failing {
				worst = max(worst, f.Severity)
			}
			msg := fmt.Sprintf("%d %s (%s)", n, plural(n, "finding", "findings"), level)
			if t := titles[c.name]; t != "" {
				msg += ": " + t
			}
			fmt.Fprintf(&b, "      <failure message=\"%s\" type=\"%s\">", xmlEscape(msg), worst)
			junitFindings(&b, c.failing)
			b.WriteString("</failure>\n")
		}
		if len(c.rest) > 0 {
			b.WriteString("      <system-out>")
			junitFindings(&b, c.rest)
			b.WriteString("</system-out>\n")
		}
		b.WriteString("    </testcase>\n")
	}
	b.WriteString("  </testsuite>\n</testsuites>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// junitFindings writes findings one per line, at most junitLines:
// "error https://example.com/old (from https://example.com/): message".
func junitFindings(b *strings.Builder, fs []audit.Finding) {
	b.WriteString("\n")
	for i, f := range fs {
		if i == junitLines {
			fmt.Fprintf(b, "... and %d more: --report findings lists them all\n", len(fs)-i)
			break
		}
		line := f.Severity.String() + " " + f.URL
		if f.Source != "" {
			line += " (from " + f.Source + ")"
		}
		if f.Change != 0 {
			line += " [" + f.Change.String() + "]"
		}
		b.WriteString(xmlEscape(line+": "+f.Message) + "\n")
	}
	b.WriteString("      ")
}

// xmlEscape returns s as XML 1.0 text or attribute value: control
// characters escaped as escapeControls does, characters XML does not
// allow (U+FFFE, U+FFFF) as \uXXXX, and &, <, >, " and ' as entities.
func xmlEscape(s string) string {
	s = escapeControls(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		case 0xfffe, 0xffff:
			b.WriteString(`\u` + strconv.FormatInt(int64(r), 16))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
