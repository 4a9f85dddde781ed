package rules

import (
	"strings"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// FormPostRedirect flags POST forms whose action URL redirects with a
// status that turns the POST into a GET.
var FormPostRedirect = &audit.Rule{
	Name:     "form-post-redirect",
	Severity: audit.Error,
	Doc: audit.Doc{
		Title: "POST form submits to a URL that answers 301, 302 or 303",
		Text: "A <form method=\"post\"> has an action URL that redirects with 301, 302 or 303 " +
			"(at its first hop or later in its chain). Browsers resend the submission as a GET " +
			"without a body, so the form data is lost: RFC 9110 §15.4.2 and §15.4.3 allow a user " +
			"agent to change POST to GET on 301 and 302, browsers do (Fetch standard, " +
			"HTTP-redirect fetch), and 303 always means GET (§15.4.4). 307 and 308 keep the method " +
			"and the body (§15.4.8, §15.4.9; RFC 7538) and are not flagged, nor are GET forms. " +
			"hopaudit never submits forms: it learns how the action answers with a GET, which is " +
			"how server-level redirects (http to https, trailing slash, host) answer every method. " +
			"A 303 is a notice: it is the right answer once the server has handled the POST " +
			"(Post/Redirect/Get), which a GET cannot tell. " +
			"Fix: set the action to the final URL, or make the redirect a 307 or 308 (only the latter " +
			"when the crawl did not follow the chain to its end: --max-pages, --no-external, a crawl " +
			"cut short; the finding then has no target). " +
			"Sources: RFC 9110 §15.4; Fetch standard, HTTP-redirect fetch.",
	},
	Needs: []*audit.Fact{audit.Inbound, audit.Chains},
	Run:   runFormPostRedirect,
}

func runFormPostRedirect(p *audit.Pass) error {
	keep := func(ref crawler.Reference) bool {
		return ref.Kind == crawler.RefForm && strings.EqualFold(ref.Text, "post")
	}
	for r := range redirectRefs(p, keep) {
		c := r.Chain
		i := postToGet(c)
		if i < 0 {
			continue
		}
		h := c.Hops[i]
		f := audit.Finding{URL: r.URL, Source: r.Source, Status: h.Status, Target: finalTarget(c), Hops: len(c.Hops)}
		// 308 keeps the method, as a permanent move; the other rules
		// that name a status for the URL advise 308 too (permanentStatus).
		keep := "answer 308 (307 if the move is temporary)"
		switch {
		case h.Status == 303:
			// The answer Post/Redirect/Get gives once the server has
			// handled the POST: only a GET learnt it here.
			f.Severity = audit.Notice
			keep = "if the data must reach the target, make the redirect of " + h.URL + " a 307 or 308; a 303 is right only once the server has handled the POST (Post/Redirect/Get)"
		case i == 0:
			f.Fix.Status = 308
		default:
			keep = "make the redirect of " + h.URL + " a 308 (307 if the move is temporary)"
		}
		fix := "set the action to " + c.FinalURL() + ", or " + keep
		switch {
		case chainBroken(c):
			fix = keep + " to a working URL"
		case unfinished(c):
			fix = keep // where the chain ends is unknown: no action to set
		}
		if i == 0 {
			p.Reportf(f, "POST form submits to %s, which answers %d to %s: browsers resend the form as a GET without its data; %s",
				r.URL, h.Status, h.Target, fix)
			continue
		}
		p.Reportf(f, "POST form submits to %s, which %s; on the way %s answers %d: browsers resend the form as a GET without its data; %s",
			r.URL, describeChain(c), h.URL, h.Status, fix)
	}
	return nil
}

// postToGet returns the index of the first hop of c at which a browser
// turns a POST into a GET (a 301, 302 or 303), or -1. A refresh hop ends
// the search: the POST reached the page that answered with it.
func postToGet(c *crawler.Chain) int {
	for i, h := range c.Hops {
		if h.Kind != crawler.HopHTTP {
			return -1
		}
		switch h.Status {
		case 301, 302, 303:
			return i
		}
	}
	return -1
}
