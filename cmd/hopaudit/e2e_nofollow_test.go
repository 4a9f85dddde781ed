package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hopaudit/hopaudit/crawler/crawlertest"
	"github.com/hopaudit/hopaudit/output"
)

// replytocomSite is a WordPress post with three comments, each with its
// rel=nofollow reply link (?replytocom=N), which Yoast SEO redirects to
// the post. The about page links the second reply URL without nofollow;
// a partner is linked rel=sponsored, and a former partner, whose page is
// gone, both rel=sponsored and from the about page.
const replytocomSite = `
-- / --
<a href="/hello-world/">Hello world!</a>
<a href="/about/">About</a>
-- /hello-world/ --
<article><h1>Hello world!</h1></article>
<ol class="comment-list">
<li id="comment-1">First! <a rel='nofollow' class='comment-reply-link' href='http://site.test/hello-world/?replytocom=1#respond' aria-label='Reply to Bob'>Reply</a></li>
<li id="comment-2">Thanks <a rel='nofollow' class='comment-reply-link' href='http://site.test/hello-world/?replytocom=2#respond' aria-label='Reply to Alice'>Reply</a></li>
<li id="comment-3">Me too <a rel='nofollow' class='comment-reply-link' href='http://site.test/hello-world/?replytocom=3#respond' aria-label='Reply to Carol'>Reply</a></li>
</ol>
<a href="/partner" rel="sponsored">Our partner</a>
<a href="/old-partner" rel="sponsored">Our former partner</a>
-- /about/ --
<a href="/hello-world/?replytocom=2#respond">Reply to Alice's comment</a>
<a href="/old-partner">Our former partner</a>
-- /old-partner 404 --
-- /hello-world/?replytocom=1 301 http://site.test/hello-world/#comment-1 --
> X-Redirect-By: Yoast SEO
-- /hello-world/?replytocom=2 301 http://site.test/hello-world/#comment-2 --
> X-Redirect-By: Yoast SEO
-- /hello-world/?replytocom=3 301 http://site.test/hello-world/#comment-3 --
> X-Redirect-By: Yoast SEO
-- /partner --
<p>partner</p>
`

// TestEndToEndNofollow crawls the WordPress post with and without
// --follow-nofollow. By default its reply links fetch nothing: the one
// reply URL linked without nofollow elsewhere is fetched once, and
// link-to-redirect reports that link only (a nofollow link passes no
// signal); the others are in no report, and the crawl is whole. A broken
// URL that a followed link leads to is reported for the nofollow link
// to it too. With --follow-nofollow every reply URL
// is crawled and audited. Two default runs compared have nothing new,
// fixed or unverified.
func TestEndToEndNofollow(t *testing.T) {
	const (
		post = "http://site.test/hello-world/"
		r1   = "http://site.test/hello-world/?replytocom=1"
		r2   = "http://site.test/hello-world/?replytocom=2"
		r3   = "http://site.test/hello-world/?replytocom=3"
	)
	run := func(site *crawlertest.Site, dir string, args ...string) *output.Document {
		t.Helper()
		code, stdout, stderr := runMain(t, append(append([]string{"crawl", "http://site.test/", "--output-dir", dir, "--quiet"}, resolveArgs(site)...), args...)...)
		if code != exitOK || stdout != "" || stderr != "" {
			t.Fatalf("exit code %d, stdout %q, stderr %q; want 0 and nothing", code, stdout, stderr)
		}
		b, err := os.ReadFile(filepath.Join(dir, "report.json"))
		if err != nil {
			t.Fatal(err)
		}
		d, err := output.ReadDocument(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if len(d.RuleErrors) != 0 {
			t.Errorf("rules failed: %+v", d.RuleErrors)
		}
		return d
	}
	urls := func(dir string) []string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, "urls.csv"))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, rec := range csvRecords(t, b)[1:] {
			out = append(out, rec[0])
		}
		return out
	}
	// linkFindings lists the findings of a rule as "url < source".
	linkFindings := func(d *output.Document, rule string) []string {
		var out []string
		for _, f := range d.Findings {
			if f.Rule == rule {
				out = append(out, f.URL+" < "+f.Source)
			}
		}
		slices.Sort(out)
		return out
	}
	names := func(d *output.Document, u string) bool {
		return slices.ContainsFunc(d.Findings, func(f output.FindingRow) bool { return f.URL == u || f.Target == u || f.Source == u })
	}

	root := t.TempDir()
	site := crawlertest.New(t, replytocomSite)
	night1 := filepath.Join(root, "night1")
	d := run(site, night1)
	got := urls(night1)
	for _, u := range []string{r1, r3, "http://site.test/partner"} {
		if slices.Contains(got, u) || site.Hits(u) != 0 {
			t.Errorf("%s fetched %d times and in the urls report (%v): only nofollow links lead there", u, site.Hits(u), slices.Contains(got, u))
		}
		if names(d, u) {
			t.Errorf("a finding names %s, which was not fetched", u)
		}
	}
	if !slices.Contains(got, r2) || site.Hits(r2) != 1 {
		t.Errorf("%s fetched %d times, want 1: /about/ links to it", r2, site.Hits(r2))
	}
	if got, want := linkFindings(d, "link-to-redirect"), []string{r2 + " < http://site.test/about/"}; !slices.Equal(got, want) {
		t.Errorf("link-to-redirect findings %q; want %q", got, want)
	}
	// The nofollow link to a URL fetched for another reason is audited
	// as well.
	gone := "http://site.test/old-partner"
	if got, want := linkFindings(d, "broken-link"), []string{gone + " < http://site.test/about/", gone + " < " + post}; !slices.Equal(got, want) {
		t.Errorf("broken-link findings %q; want %q", got, want)
	}
	if d.Stats.Partial || len(d.UnreadURLs) != 0 || d.FetchedURLs != nil {
		t.Errorf("stats %+v, unread %q, fetched %q: the crawl is whole", d.Stats, d.UnreadURLs, d.FetchedURLs)
	}

	// The next night, the same site: nothing new, fixed or unverified.
	night2 := filepath.Join(root, "night2")
	d = run(site, night2, "--baseline", filepath.Join(night1, "report.json"), "--fail-on", "notice")
	if c := d.Comparison; c == nil || c.New != 0 || c.Fixed != 0 || c.Unverified != 0 || c.Unchanged != len(d.Findings) {
		t.Errorf("comparison %+v of %d findings; want all unchanged", c, len(d.Findings))
	}

	// With --follow-nofollow, every reply link is crawled and audited.
	site = crawlertest.New(t, replytocomSite)
	follow := filepath.Join(root, "follow")
	d = run(site, follow, "--follow-nofollow")
	got = urls(follow)
	for _, u := range []string{r1, r2, r3, "http://site.test/partner"} {
		if !slices.Contains(got, u) || site.Hits(u) != 1 {
			t.Errorf("--follow-nofollow: %s fetched %d times, want 1", u, site.Hits(u))
		}
	}
	want := []string{r2 + " < http://site.test/about/"}
	if got := linkFindings(d, "link-to-redirect"); !slices.Equal(got, want) {
		t.Errorf("--follow-nofollow: link-to-redirect findings %q; want %q", got, want)
	}
	if d.Stats.Partial {
		t.Errorf("--follow-nofollow: stats %+v", d.Stats)
	}
}
