package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// ResourceRedirect flags page resources (images, stylesheets, scripts,
// frames, media, icons, manifests, preloads) whose URL redirects.
var ResourceRedirect = &audit.Rule{
	Name:     "resource-redirect",
	Severity: audit.Notice,
	Doc: audit.Doc{
		Title: "Page resource (image, stylesheet, script, frame, media) is loaded through a redirect",
		Text: "A page of the site loads a resource from a URL that redirects: an <img> (src or " +
			"srcset), a <picture> <source srcset>, a <link rel> stylesheet, icon, " +
			"apple-touch-icon, manifest, preload or modulepreload, a <script src>, an <iframe>, " +
			"a <video> (src or poster), <audio>, <source>, <track>, <embed> or <object>. The " +
			"message begins with its kind (img, css, script, iframe, video, audio, source, track, " +
			"embed, object, icon, manifest, preload). Every page view pays one more round trip " +
			"per hop before it has the file, and a browser may cache a temporary redirect for no " +
			"time at all. A warning when the resource is render-blocking: a stylesheet (not an " +
			"alternate one, nor media=print), a script in the <head> without async, defer or " +
			"type=module, or a preload (the page declares it needs the file at once): the page " +
			"waits for the chain before its first paint; a " +
			"notice for the rest (images, media, frames, icons, scripts that do not block). " +
			"One finding per resource URL, however many pages use it: the message says how " +
			"many, and the source is one of them (the first by URL). Fix: reference the final " +
			"URL (the finding's target) in the pages, templates or theme that load it; when the " +
			"chain is broken, fix the redirect or the reference. A redirecting resource that " +
			"ends in an error is broken-link's. Resources of other sites (a CDN, a font service) " +
			"count too: the page names the URL. Sources: web.dev, \"Avoid multiple page " +
			"redirects\" and \"Eliminate render-blocking resources\"; Google Search Central, " +
			"\"Redirects and Google Search\" and \"Understand the JavaScript SEO basics\" " +
			"(Googlebot fetches a page's resources to render it).",
	},
	Needs: []*audit.Fact{audit.Chains, audit.Inbound},
	Run:   runResourceRedirect,
}

func runResourceRedirect(p *audit.Pass) error {
	brokenLinks := p.Other("broken-link") != nil
	chains := p.Chains() // one per referenced URL that redirects, in the URLs' order
	for i := range chains {
		c := &chains[i]
		target := c.URL()
		var (
			pages    int
			source   string
			kinds    []crawler.RefKind
			blocking bool
			last     string
		)
		for _, ref := range p.Inbound(target) {
			if !ref.Kind.Resource() || ref.Source == "" {
				continue
			}
			if ref.Source != last {
				last = ref.Source
				pages++
				if source == "" {
					source = ref.Source
				}
			}
			if !slices.Contains(kinds, ref.Kind) {
				kinds = append(kinds, ref.Kind)
			}
			blocking = blocking || ref.Text == crawler.Blocking
		}
		if pages == 0 || brokenLinks && endsInError(c) {
			continue // no resource, or broken-link's
		}
		slices.Sort(kinds)
		f := audit.Finding{URL: target, Source: source, Status: c.Hops[0].Status, Target: finalTarget(c), Hops: len(c.Hops)}
		what := kindNames(kinds)
		if blocking {
			f.Severity = audit.Warning
			what = "render-blocking " + what
		}
		used := "1 page uses it"
		if pages > 1 {
			used = fmt.Sprintf("%d pages use it, such as %s", pages, source)
		}
		switch {
		case chainBroken(c):
			p.Reportf(f, "%s %s %s; %s: fix the redirect or the reference", what, target, describeChain(c), used)
		case unfinished(c):
			p.Reportf(f, "%s %s %s; %s", what, target, describeChain(c), used)
		case blocking:
			p.Reportf(f, "%s %s %s; %s: reference the final URL, as every view of the page waits for the redirect before it can paint", what, target, describeChain(c), used)
		default:
			p.Reportf(f, "%s %s %s; %s: reference the final URL", what, target, describeChain(c), used)
		}
	}
	return nil
}

// kindNames writes reference kinds for a message: "img", "img and
// source", "css, preload and script".
func kindNames(kinds []crawler.RefKind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.String()
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
