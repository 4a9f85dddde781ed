package crawler_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// replytocomSite is a WordPress post with comments: each comment has a
// reply link, ?replytocom=N, marked rel=nofollow (one per comment, as
// WordPress writes them), which Yoast SEO redirects to the post. The
// first reply URL is also in the sitemap, the second also linked without
// nofollow from another page; the third only nofollow links lead to. A
// commenter's site is linked rel="external nofollow ugc", a partner
// rel=sponsored, a map region rel=nofollow; one page is linked both ways
// from the same page.
const replytocomSite = `
-- / --
<a href="/hello-world/">Hello world!</a>
<a href="/about/">About</a>
-- /sitemap.xml --
> Content-Type: application/xml
<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://site.test/hello-world/</loc></url>
<url><loc>http://site.test/hello-world/?replytocom=1</loc></url>
</urlset>
-- /hello-world/ --
<article><h1>Hello world!</h1></article>
<ol class="comment-list">
<li id="comment-1"><a href="http://commenter.test/" rel="external nofollow ugc" class="url">Bob</a> First!
<a rel='nofollow' class='comment-reply-link' href='http://site.test/hello-world/?replytocom=1#respond' data-commentid="1" aria-label='Reply to Bob'>Reply</a></li>
<li id="comment-2">Thanks <a rel='nofollow' class='comment-reply-link' href='http://site.test/hello-world/?replytocom=2#respond' aria-label='Reply to Alice'>Reply</a></li>
<li id="comment-3">Me too <a rel='nofollow' class='comment-reply-link' href='http://site.test/hello-world/?replytocom=3#respond' aria-label='Reply to Carol'>Reply</a></li>
</ol>
<a href="/partner" rel="SPONSORED noopener">Our partner</a>
<map><area href="/region" rel="nofollow" alt="region"></map>
<a href="/both" rel="nofollow">both</a> <a href="/both">both again</a>
-- /about/ --
<a href="/hello-world/?replytocom=2#respond">Reply to Alice's comment</a>
-- /hello-world/?replytocom=1 301 http://site.test/hello-world/#comment-1 --
> X-Redirect-By: Yoast SEO
-- /hello-world/?replytocom=2 301 http://site.test/hello-world/#comment-2 --
> X-Redirect-By: Yoast SEO
-- /hello-world/?replytocom=3 301 http://site.test/hello-world/#comment-3 --
> X-Redirect-By: Yoast SEO
-- /partner --
<p>partner</p>
-- /region --
<p>region</p>
-- /both 301 /hello-world/ --
-- //commenter.test/ --
<p>Bob's blog</p>
`

const (
	replyTo1 = "http://site.test/hello-world/?replytocom=1"
	replyTo2 = "http://site.test/hello-world/?replytocom=2"
	replyTo3 = "http://site.test/hello-world/?replytocom=3"
	post     = "http://site.test/hello-world/"
)

// TestNofollow: by default, links marked rel=nofollow, ugc or sponsored
// are recorded but fetch nothing; their references stay in the graph,
// so that when their target is fetched for another reason (the sitemap,
// a followed link) the rules see them too. A URL linked both ways is
// fetched once. Nothing of it makes the crawl partial. With
// FollowNofollow they are crawled like any link.
func TestNofollow(t *testing.T) {
	nofollowOnly := []string{replyTo3, "http://site.test/partner", "http://site.test/region", "http://commenter.test/"}
	fetched := []string{replyTo1, replyTo2, "http://site.test/both", post, "http://site.test/about/"}

	t.Run("default", func(t *testing.T) {
		site := crawlertest.New(t, replytocomSite)
		g := crawl(t, site.Config("http://site.test/"))
		for _, u := range nofollowOnly {
			if n := site.Hits(u); n != 0 {
				t.Errorf("%s fetched %d times: only nofollow links lead there", u, n)
			}
			if r := g.Lookup(u); r != nil {
				t.Errorf("%s has a response: %+v", u, r)
			}
		}
		for _, u := range fetched {
			if n := site.Hits(u); n != 1 {
				t.Errorf("%s fetched %d times, want 1", u, n)
			}
		}
		if s := g.Stats; s.Partial() || s.Fetched != 6 { // the start URL and the 5
			t.Errorf("stats %+v: want 6 URLs fetched and no partial crawl", s)
		}

		// The references, nofollow or not, to the URLs that redirect or
		// were never fetched.
		want := []string{
			"a http://site.test/hello-world/ -> http://site.test/both",
			"a http://site.test/hello-world/ -> http://site.test/hello-world/?replytocom=1 nofollow",
			"sitemap http://site.test/sitemap.xml -> http://site.test/hello-world/?replytocom=1",
			"a http://site.test/about/ -> http://site.test/hello-world/?replytocom=2",
			"a http://site.test/hello-world/ -> http://site.test/hello-world/?replytocom=2 nofollow",
			"a http://site.test/hello-world/ -> http://site.test/hello-world/?replytocom=3 nofollow",
			"area http://site.test/hello-world/ -> http://site.test/region nofollow",
			"a http://site.test/hello-world/ -> http://site.test/partner nofollow",
			"a http://site.test/hello-world/ -> http://commenter.test/ nofollow",
		}
		if got := refLines(g, append(fetched, nofollowOnly...)); !sameLines(got, want) {
			t.Errorf("references:\n%q\nwant\n%q", got, want)
		}
		// The reply URLs fetched for another reason are chains the rules
		// read, whose inbound references include the nofollow ones.
		for _, u := range []string{replyTo1, replyTo2} {
			if c := g.ChainOf(u); c == nil || c.FinalURL() != post {
				t.Errorf("%s: chain %+v, want one to %s", u, c, post)
			}
		}
		// A page linking to a URL with and without nofollow links to it:
		// counted once, as a link.
		if r := g.Lookup("http://site.test/both"); r == nil || r.Referrers.Links != 1 {
			t.Errorf("/both referrers: %+v", r)
		}
	})

	t.Run("FollowNofollow", func(t *testing.T) {
		site := crawlertest.New(t, replytocomSite)
		cfg := site.Config("http://site.test/")
		cfg.FollowNofollow = true
		g := crawl(t, cfg)
		for _, u := range append(fetched, nofollowOnly...) {
			if n := site.Hits(u); n != 1 {
				t.Errorf("%s fetched %d times, want 1", u, n)
			}
		}
		if c := g.ChainOf(replyTo3); c == nil || c.FinalURL() != post {
			t.Errorf("%s: chain %+v, want one to %s", replyTo3, c, post)
		}
		if s := g.Stats; s.Partial() || s.Fetched != 10 {
			t.Errorf("stats %+v: want 10 URLs fetched and no partial crawl", s)
		}
	})
}

// refLines writes the graph's references to the given URLs, one a line:
// kind, source, target, and "nofollow" for a nofollow link.
func refLines(g *crawler.Graph, targets []string) []string {
	var out []string
	for _, ref := range g.References {
		if !slices.Contains(targets, ref.Target) {
			continue
		}
		line := ref.Kind.String() + " " + ref.Source + " -> " + ref.Target
		if ref.Nofollow {
			line += " nofollow"
		}
		out = append(out, line)
	}
	return out
}

// sameLines reports whether a and b hold the same lines, in any order.
func sameLines(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestNofollowPage: a page whose robots meta tag or X-Robots-Tag header
// says nofollow (or none) has every link nofollow.
func TestNofollowPage(t *testing.T) {
	site := crawlertest.New(t, `
-- / --
<a href="/meta">meta</a>
<a href="/header">header</a>
<a href="/plain">plain</a>
-- /meta --
<head><meta name="robots" content="nofollow"></head>
<a href="/from-meta">a link of a nofollow page</a>
-- /header --
> X-Robots-Tag: googlebot: none
<a href="/from-header">a link of a page whose header says none</a>
-- /plain --
<a href="/from-plain">a link of an ordinary page</a>
-- /from-meta --
-- /from-header --
-- /from-plain --
`)
	g := crawl(t, site.Config("http://site.test/"))
	for u, want := range map[string]int{"/from-meta": 0, "/from-header": 0, "/from-plain": 1} {
		if n := site.Hits("http://site.test" + u); n != want {
			t.Errorf("%s fetched %d times, want %d", u, n, want)
		}
	}
	if got, want := refLines(g, []string{"http://site.test/from-meta", "http://site.test/from-header"}), []string{
		"a http://site.test/meta -> http://site.test/from-meta nofollow",
		"a http://site.test/header -> http://site.test/from-header nofollow",
	}; !sameLines(got, want) {
		t.Errorf("references:\n%q\nwant\n%q", got, want)
	}
}

// TestNofollowStartPage: a start page that says nofollow, as a staging
// site that discourages search engines does, is a warning that names
// --follow-nofollow: otherwise the crawl stops at one page in silence.
func TestNofollowStartPage(t *testing.T) {
	site := crawlertest.New(t, `
-- / --
<head><meta name='robots' content='noindex, nofollow' /></head>
<a href="/about/">About</a>
-- /about/ --
<p>about</p>
`)
	cfg := site.Config("http://site.test/")
	var log logBuffer
	cfg.Log = &log
	crawl(t, cfg)
	if !strings.Contains(log.String(), "warning: http://site.test/ says nofollow") || !strings.Contains(log.String(), "--follow-nofollow") {
		t.Errorf("log:\n%s", log.String())
	}
	cfg.FollowNofollow = true
	var quiet logBuffer
	cfg.Log = &quiet
	crawl(t, cfg)
	if quiet.String() != "" || site.Hits("http://site.test/about/") != 1 {
		t.Errorf("--follow-nofollow: /about/ fetched %d times, log:\n%s", site.Hits("http://site.test/about/"), quiet.String())
	}
}
