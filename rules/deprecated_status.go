package rules

import (
	"cmp"
	"slices"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// DeprecatedStatus flags 3xx responses that clients do not follow: 300,
// 305, 306 and codes RFC 9110 does not define.
var DeprecatedStatus = &audit.Rule{
	Name:     "deprecated-status",
	Severity: audit.Warning,
	Doc: audit.Doc{
		Title: "Response uses a 3xx status that clients do not follow",
		Text: "A URL the crawl reached (as an entry or at the end of a chain) answers 300, 305, " +
			"306 or a 3xx code that RFC 9110 does not define. Browsers, Go and Googlebot follow only " +
			"301, 302, 303, 307 and 308: 300 Multiple Choices is shown as a page (§15.4.1), 305 Use " +
			"Proxy is deprecated for security reasons (§15.4.6), 306 is unused and reserved " +
			"(§15.4.7), and an unknown 3xx is treated as 300 (§15). Visitors and crawlers are " +
			"stranded on the URL. 304 Not Modified is left alone. Only responses inside the crawl " +
			"scope are checked. Fix: answer 301 or 308 to the new URL (302 or 307 if the move is " +
			"temporary), or 200 with the content. Sources: RFC 9110 §15, §15.4; Fetch standard " +
			"(redirect statuses).",
	},
	Needs: []*audit.Fact{audit.Entries, audit.Chains, audit.Inbound},
	Run:   runDeprecatedStatus,
}

func runDeprecatedStatus(p *audit.Pass) error {
	g := p.Graph
	found := map[string]*audit.Finding{}
	add := func(r *crawler.Response, source string) {
		if r == nil || r.Blocked || !deprecatedStatus(r.Status) || !g.Internal(r.URL) {
			return
		}
		if f := found[r.URL]; f != nil {
			if source != "" && (f.Source == "" || source < f.Source) {
				f.Source = source
			}
			return
		}
		f := &audit.Finding{URL: r.URL, Source: source, Status: r.Status}
		if r.Redirect != nil {
			f.Target = r.Redirect.Location
		}
		found[r.URL] = f
	}
	for _, u := range p.Entries() {
		if a, ok := g.Answer(u); ok && deprecatedStatus(a.Status) {
			add(g.Lookup(u), p.Source(u))
		}
	}
	for _, c := range p.Chains() {
		add(c.Final, p.Source(c.URL()))
	}
	out := make([]*audit.Finding, 0, len(found))
	for _, f := range found {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b *audit.Finding) int { return cmp.Compare(a.URL, b.URL) })
	const fix = "answer 301 or 308 to the new URL (302 or 307 if the move is temporary)"
	for _, f := range out {
		switch f.Status {
		case 300:
			p.Reportf(*f, "answers 300 Multiple Choices, which browsers and Googlebot do not follow; %s", fix)
		case 305:
			p.Reportf(*f, "answers 305 Use Proxy, deprecated for security reasons and not followed; %s", fix)
		case 306:
			p.Reportf(*f, "answers 306, a reserved, unused code that clients do not follow; %s", fix)
		default:
			p.Reportf(*f, "answers %d, an undefined 3xx code that clients treat as 300 and do not follow; %s", f.Status, fix)
		}
	}
	return nil
}

// deprecatedStatus reports whether a status is a 3xx that clients do not
// follow and that is not 304: 300, 305, 306 or an undefined code.
func deprecatedStatus(status int) bool {
	return status >= 300 && status < 400 && !crawler.IsRedirectStatus(status) && status != 304
}
