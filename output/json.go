package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/hopaudit/hopaudit/audit"
)

// SchemaVersion is the version of the JSON document. It changes only
// when a field is renamed, removed or changes meaning; new fields may
// appear without a new version.
const SchemaVersion = 1

// Document is the JSON report: one per run. Only the fields of its
// report are present; a present list is [] when empty, never null.
//
//	urls      urls, stats
//	status    status, stats
//	sitemaps  sitemaps, stats
//	hops      hops, stats
//	chains    chains (each with its steps), stats
//	findings  findings, summary, totals, chains, sitemaps, rules,
//	          rule_errors, stats, unread_urls; fetched_urls when the
//	          crawl was cut short
//	issues    issues, summary, totals, rules, rule_errors, stats
//	summary   summary, totals, rules, rule_errors, stats
//
// A run compared with a baseline adds comparison to the findings,
// issues and summary documents, a change to every finding and issue (fixed and
// unverified-fixed findings of the baseline are listed too) and new,
// fixed and unverified counts to the summary. docs/report-schema.md
// documents every field.
type Document struct {
	SchemaVersion int            `json:"schema_version"`
	Report        Report         `json:"report"`
	Stats         Stats          `json:"stats"`
	Rules         []string       `json:"rules,omitzero"`
	Comparison    *Comparison    `json:"comparison,omitempty"`
	Totals        *Totals        `json:"totals,omitempty"`
	Summary       []CountRow     `json:"summary,omitzero"`
	Findings      []FindingRow   `json:"findings,omitzero"`
	Issues        []Issue        `json:"issues,omitzero"`
	RuleErrors    []RuleErrorRow `json:"rule_errors,omitzero"`
	Chains        []ChainRecord  `json:"chains,omitzero"`
	Hops          []HopRow       `json:"hops,omitzero"`
	URLs          []URLRow       `json:"urls,omitzero"`
	Status        []StatusRow    `json:"status,omitzero"`
	// Sitemaps are the sitemaps report's rows, in the sitemaps document
	// and in the findings document: which sitemaps the crawl read, and
	// which failed or were cut, so that findings that come and go with a
	// sitemap's entries can be explained.
	Sitemaps []SitemapRow `json:"sitemaps,omitzero"`
	// FetchedURLs lists, in the findings document of a crawl cut short
	// (Stats.Partial), the URLs it got an answer from and the sitemaps it
	// read (audit.Coverage): what a later comparison may vouch for. It is
	// left out of a crawl that finished, which looked at everything.
	FetchedURLs []string `json:"fetched_urls,omitzero"`
	// UnreadURLs lists, in the findings document, the URLs the crawl
	// requested but did not learn about (audit.Coverage.Unread): failed
	// after their retries, or on a redirect chain not followed to its end.
	UnreadURLs []string `json:"unread_urls,omitzero"`
}

// Stats describes the crawl. Times are UTC, written as RFC 3339; a time
// that is not known is left out.
type Stats struct {
	Fetched         int       `json:"fetched"`
	Parsed          int       `json:"parsed"`
	Blocked         int       `json:"blocked"`
	Errors          int       `json:"errors"`
	Failed          int       `json:"failed"` // URLs of the site that failed after their retries
	Cancelled       bool      `json:"cancelled"`
	MaxPagesReached bool      `json:"max_pages_reached"`
	DefaultMaxPages int       `json:"default_max_pages,omitzero"` // the limit reached if it was the default, not a --max-pages given
	Unreachable     string    `json:"unreachable"`                // why the site was given up on; "" when it was not
	Partial         bool      `json:"partial"`                    // cut short: cancelled, max_pages_reached or unreachable
	Started         time.Time `json:"started,omitzero"`
	Finished        time.Time `json:"finished,omitzero"`
	DurationMS      int64     `json:"duration_ms"`
}

// Totals counts the findings per severity.
type Totals struct {
	Error   int `json:"error"`
	Warning int `json:"warning"`
	Notice  int `json:"notice"`
	Total   int `json:"total"`
}

// Comparison counts the findings of a run compared with a baseline. It
// counts every finding, also those a listing leaves out (diff lists no
// unchanged findings unless asked). Unverified counts the unverified
// findings of the run and the unverified-fixed ones of the baseline.
type Comparison struct {
	New        int `json:"new"`
	Fixed      int `json:"fixed"`
	Unchanged  int `json:"unchanged"`
	Unverified int `json:"unverified"`
}

// URLRow is one row of the urls report.
type URLRow struct {
	URL         string `json:"url"`
	Status      int    `json:"status"`
	ContentType string `json:"content_type"`
	Bytes       int64  `json:"bytes"`
	Depth       int    `json:"depth"`
	ElapsedMS   int64  `json:"elapsed_ms"`
	Attempts    int    `json:"attempts"` // requests made: more than 1 after transient failures; 0 when blocked
	Truncated   bool   `json:"truncated"`
	Blocked     bool   `json:"blocked"`
	Error       string `json:"error"`
}

// SitemapRow is one row of the sitemaps report: a sitemap or sitemap
// index the crawl read, or did not read because of a limit. From is
// where the crawl learnt of it (robots.txt, given, guessed or index);
// Status is 0 when no response arrived or it was not read; Entries
// counts its <loc> entries (for an index, the sitemaps it lists); Error
// says why it was not read, or not whole.
type SitemapRow struct {
	URL     string `json:"url"`
	From    string `json:"from"`
	Status  int    `json:"status"`
	Index   bool   `json:"index"`
	Entries int    `json:"entries"`
	Error   string `json:"error"`
}

// FinalKind is the kind of the last row of each chain in the hops
// report: where the chain ends, not a redirect.
const FinalKind = "final"

// HopRow is one row of the hops report: a redirect of a chain, or with
// Kind FinalKind the URL where the chain ends (see hopRows).
type HopRow struct {
	Start     string `json:"start"`
	Hop       int    `json:"hop"`
	URL       string `json:"url"`
	Status    int    `json:"status"`
	Location  string `json:"location"`
	Target    string `json:"target"`
	Kind      string `json:"kind"`
	ElapsedMS int64  `json:"elapsed_ms"`
	Error     string `json:"error"`
	// RedirectBy is the answer's X-Redirect-By field: the software that
	// made the redirect, as the site says (WordPress, Yoast SEO, ...).
	RedirectBy string `json:"x_redirect_by"`
}

// ChainRow is one row of the chains report.
type ChainRow struct {
	URL         string `json:"url"`
	FinalURL    string `json:"final_url"`
	FinalStatus int    `json:"final_status"`
	Hops        int    `json:"hops"`
	Loop        bool   `json:"loop"`
	Temporary   bool   `json:"temporary"`
	Statuses    string `json:"statuses"`
	Path        string `json:"path"`
	// RedirectBy lists the X-Redirect-By names of the chain's rows in the
	// hops report, each once, in chain order, joined by ", ".
	RedirectBy string `json:"x_redirect_by"`
}

// ChainRecord is a chain in the JSON document: its row, how it ends
// (final, error, blocked, loop, too-long or unfetched) and its rows of
// the hops report, final row included.
type ChainRecord struct {
	ChainRow
	End   string   `json:"end"`
	Steps []HopRow `json:"steps"`
}

// FindingRow is one row of the findings report. Change (new, fixed,
// unchanged, unverified or unverified-fixed) is there only when the run
// was compared with a baseline.
type FindingRow struct {
	Change   string         `json:"change,omitempty"`
	Rule     string         `json:"rule"`
	Severity audit.Severity `json:"severity"`
	URL      string         `json:"url"`
	Source   string         `json:"source"`
	Status   int            `json:"status"`
	Target   string         `json:"target"`
	Hops     int            `json:"hops"`
	Message  string         `json:"message"`
}

// CountRow is one row of the summary report. New, Fixed and Unverified
// are there only when the run was compared with a baseline.
type CountRow struct {
	Rule       string         `json:"rule"`
	Severity   audit.Severity `json:"severity"`
	Count      int            `json:"count"`
	New        *int           `json:"new,omitempty"`
	Fixed      *int           `json:"fixed,omitempty"`
	Unverified *int           `json:"unverified,omitempty"`
}

// RuleErrorRow is a rule that failed during the run.
type RuleErrorRow struct {
	Rule  string `json:"rule"`
	Error string `json:"error"`
}

func comparison(r *audit.Report) *Comparison {
	return &Comparison{
		New:        r.Tally(audit.ChangeNew),
		Fixed:      r.Tally(audit.ChangeFixed),
		Unchanged:  r.Tally(audit.ChangeUnchanged),
		Unverified: r.Unverified(),
	}
}

// ReadDocument decodes a JSON document written by JSON, refusing one
// of another schema version. Baseline and AuditReport read its findings.
func ReadDocument(rd io.Reader) (*Document, error) {
	var probe struct {
		SchemaVersion *int `json:"schema_version"`
	}
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("not a hopaudit JSON report: %w", err)
	}
	switch {
	case probe.SchemaVersion == nil:
		return nil, fmt.Errorf("not a hopaudit JSON report: no schema_version")
	case *probe.SchemaVersion != SchemaVersion:
		return nil, fmt.Errorf("JSON report has schema version %d; this hopaudit reads version %d", *probe.SchemaVersion, SchemaVersion)
	}
	var d Document
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("read JSON report: %w", err)
	}
	return &d, nil
}

// JSON writes one indented JSON document per run (see Document).
type JSON struct {
	HideUnchanged bool     // list no unchanged finding of a compared report
	Inputs        []string // the status report's rows (see Options.Inputs)
}

// Format writes the document of report kind. It writes the document a
// field at a time and each list a row at a time, so that a big report
// is never held whole; the bytes are those of the whole Document encoded
// as marshal does with an indent of two spaces (TestJSONStreamsDocument).
func (j JSON) Format(w io.Writer, kind Report, r *audit.Report) error {
	if r == nil {
		return fmt.Errorf("no report")
	}
	switch kind {
	case URLs, Status, Sitemaps, Hops, Chains, Findings, IssuesReport, Summary:
	default:
		return unknownReport(kind)
	}
	d := &docWriter{w: w, e: newEncoder("  ")}
	d.field("schema_version", SchemaVersion)
	d.field("report", kind)
	d.field("stats", stats(r))
	if kind == Findings || kind == IssuesReport || kind == Summary {
		d.field("rules", ruleNames(r))
		if r.Compared {
			d.field("comparison", comparison(r))
		}
	}
	switch kind {
	case URLs:
		writeList(d, "urls", urlRows(r.Graph))
	case Status:
		writeList(d, "status", statusRows(r, j.Inputs))
	case Sitemaps:
		writeList(d, "sitemaps", sitemapRows(r.Graph))
	case Hops:
		writeList(d, "hops", hopRows(r.Graph))
	case Chains:
		writeList(d, "chains", chainRecords(r.Graph))
	case Findings, IssuesReport, Summary:
		d.field("totals", totals(r))
		writeList(d, "summary", countRows(r))
		switch kind {
		case Findings:
			writeList(d, "findings", findingRows(r, j.HideUnchanged))
		case IssuesReport:
			writeList(d, "issues", issueRows(r, j.HideUnchanged))
		}
		d.field("rule_errors", ruleErrorRows(r))
		if kind == Findings {
			writeList(d, "chains", chainRecords(r.Graph))
			writeList(d, "sitemaps", sitemapRows(r.Graph))
			if r.Coverage.Partial {
				writeList(d, "fetched_urls", slices.Values(r.Coverage.URLs))
			}
			writeList(d, "unread_urls", slices.Values(r.Coverage.Unread))
		}
	}
	return d.close()
}

// A docWriter writes a JSON document a top-level field, or a list
// element, at a time, in the fields' order of Document. The first error
// stops the writing; close returns it.
type docWriter struct {
	w      io.Writer
	e      *encoder
	fields int // written so far
	err    error
}

// key returns what precedes the value of the next top-level field.
func (d *docWriter) key(name string) string {
	sep := ",\n  "
	if d.fields == 0 {
		sep = "{\n  "
	}
	d.fields++
	return sep + `"` + name + `": `
}

// field writes a top-level field with its whole value.
func (d *docWriter) field(name string, v any) {
	d.value(d.key(name), "  ", v)
}

// writeList writes a top-level field whose value is a list, a row at a
// time.
func writeList[T any](d *docWriter, name string, rows iter.Seq[T]) {
	head := d.key(name) + "["
	empty := true
	for row := range rows {
		d.value(head+"\n    ", "    ", row)
		if d.err != nil {
			return
		}
		head, empty = ",", false
	}
	if empty {
		d.raw(head + "]")
	} else {
		d.raw("\n  ]")
	}
}

// value writes head, then v indented as a value nested in prefix.
func (d *docWriter) value(head, prefix string, v any) {
	if d.err != nil {
		return
	}
	b, err := d.e.encode(head, prefix, v)
	if err != nil {
		d.err = fmt.Errorf("encode JSON: %w", err)
		return
	}
	// The document goes on after the value: no newline yet.
	_, d.err = d.w.Write(bytes.TrimSuffix(b, []byte("\n")))
}

func (d *docWriter) raw(s string) {
	if d.err == nil {
		_, d.err = io.WriteString(d.w, s)
	}
}

// close ends the document.
func (d *docWriter) close() error {
	d.raw("\n}\n")
	return d.err
}

// An encoder encodes values without HTML escaping and with the control
// characters that encoding/json leaves raw escaped (see escapeJSON), on
// one line (indent "") or indented. It reuses one buffer: what encode
// returns is valid until its next call.
type encoder struct {
	buf    bytes.Buffer
	enc    *json.Encoder
	indent string
}

func newEncoder(indent string) *encoder {
	e := &encoder{indent: indent}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

// encode returns head followed by v and a newline. An indented v is
// indented as a value nested in prefix: its lines after the first start
// with prefix.
func (e *encoder) encode(head, prefix string, v any) ([]byte, error) {
	e.buf.Reset()
	e.buf.WriteString(head)
	if e.indent != "" {
		e.enc.SetIndent(prefix, e.indent)
	}
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return escapeJSON(e.buf.Bytes()), nil
}

// marshal encodes v as one line (indent "") or indented, ending in a
// newline, as encoder does.
func marshal(v any, indent string) ([]byte, error) {
	return newEncoder(indent).encode("", "", v)
}

// escapeJSON rewrites, in encoding/json output, the characters that it
// leaves raw but that must not reach a terminal (DEL, C1 controls,
// bidirectional formatting; see isControl) as \uXXXX escapes. The value
// decodes unchanged. encoding/json already escapes the C0 controls in
// strings (the newlines and spaces left are its own layout) and
// replaces invalid UTF-8 with U+FFFD, so b is valid UTF-8, and every
// byte from DEL up sits inside a string literal.
func escapeJSON(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		r, size := rune(b[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(b[i:])
		}
		if r >= 0x7f && isControl(r) {
			if out == nil {
				out = make([]byte, 0, len(b)+16)
				out = append(out, b[:i]...)
			}
			out = fmt.Appendf(out, `\u%04x`, r)
		} else if out != nil {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	if out == nil {
		return b
	}
	return out
}
