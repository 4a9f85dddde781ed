package crawler

import (
	"cmp"
	"iter"
	"slices"
	"strconv"
	"time"
)

// MaxHops is how many redirects a chain may take before it is cut off:
// browsers stop at 20 (Fetch standard), Googlebot at 10.
const MaxHops = 20

// HopKind says how a response sends the client on. It is a small
// number, as a graph holds one in every hop; String gives its name.
type HopKind uint8

// The hop kinds, in the order of their names.
const (
	HopHTTP          HopKind = iota + 1 // 301, 302, 303, 307, 308 with a Location
	HopJavaScript                       // an inline script that sends the page elsewhere on load
	HopMetaRefresh                      // <meta http-equiv="refresh"> to another URL
	HopRefreshHeader                    // Refresh response header to another URL
)

var hopKindNames = [...]string{HopHTTP: "http", HopJavaScript: "javascript", HopMetaRefresh: "meta-refresh", HopRefreshHeader: "refresh-header"}

// String returns the kind's name, as reports write it; "" for none.
func (k HopKind) String() string { return enumName(hopKindNames[:], k) }

// RefKind says where a reference was found. It is a small number, as a
// graph holds one in every reference; String gives its name.
type RefKind uint8

// The reference kinds, in the order of their names, which is the order
// of a graph's references to one target from one source.
const (
	RefAnchor        RefKind = iota + 1 // <a href>
	RefArea                             // <area href>
	RefAudio                            // <audio src>
	RefCanonical                        // rel=canonical, in HTML or a Link header
	RefCSS                              // <link rel=stylesheet>; Text is Blocking unless alternate or media=print
	RefEmbed                            // <embed src>
	RefForm                             // <form action>; Text is the method, lowercase
	RefHreflang                         // rel=alternate hreflang, in HTML or a Link header
	RefIcon                             // <link rel=icon>, apple-touch-icon, mask-icon
	RefIframe                           // <iframe src>
	RefImage                            // <img src>, and each URL of its srcset
	RefJavaScript                       // an inline script's redirect on page load; Text is the script's call
	RefManifest                         // <link rel=manifest>
	RefMetaRefresh                      // <meta http-equiv="refresh">
	RefObject                           // <object data>
	RefPreload                          // <link rel=preload> or modulepreload; Text is Blocking
	RefRefreshHeader                    // Refresh response header
	RefScript                           // <script src>; Text is Blocking in the <head> without async, defer or type=module
	RefSeed                             // a start URL or a list-mode line
	RefSitemap                          // a sitemap <loc>; Source is the sitemap URL
	RefSource                           // <source src> of <video> or <audio>, each URL of <source srcset> of <picture>
	RefTrack                            // <track src>
	RefVideo                            // <video src>, and its poster (Text "poster")
)

var refKindNames = [...]string{RefAnchor: "a", RefArea: "area", RefAudio: "audio", RefCanonical: "canonical", RefCSS: "css",
	RefEmbed: "embed", RefForm: "form", RefHreflang: "hreflang", RefIcon: "icon", RefIframe: "iframe", RefImage: "img",
	RefJavaScript: "javascript", RefManifest: "manifest", RefMetaRefresh: "meta-refresh", RefObject: "object",
	RefPreload: "preload", RefRefreshHeader: "refresh-header", RefScript: "script", RefSeed: "seed", RefSitemap: "sitemap",
	RefSource: "source", RefTrack: "track", RefVideo: "video"}

// String returns the kind's name, as reports write it; "" for none.
func (k RefKind) String() string { return enumName(refKindNames[:], k) }

// enumName returns the name of value k of a small-number type, or a
// placeholder for a value with no name.
func enumName[K ~uint8](names []string, k K) string {
	if int(k) < len(names) {
		return names[k]
	}
	return "unknown(" + strconv.Itoa(int(k)) + ")"
}

// Headers holds the response header fields the audit reads, as sent.
// Several field lines are joined with ", ".
type Headers struct {
	CacheControl string
	Expires      string
	Date         string
	Vary         string
	RetryAfter   string
	Refresh      string
	Link         string
	XRobotsTag   string
	// XRedirectBy names the software that made the redirect (WordPress,
	// Yoast SEO, the Redirection plugin, some CDNs), cut at
	// MaxXRedirectBy bytes.
	XRedirectBy string
}

// MaxXRedirectBy is how many bytes of an X-Redirect-By field are kept: a
// name, not a page.
const MaxXRedirectBy = 200

// Refresh is a meta refresh, Refresh header or inline script that sends
// the client to another URL once the page has loaded.
type Refresh struct {
	Kind  HopKind // HopMetaRefresh, HopRefreshHeader or HopJavaScript
	Delay float64 // seconds
	Raw   string  // the content attribute or header value, as sent; a script's statement
	URL   string  // the target, resolved and normalised
}

// Redirect is what a response sent to redirect the client: its Location
// fields and, for a 3xx answer, the header fields the audit reads. It is
// kept apart from Response because most responses send none of it.
type Redirect struct {
	Locations   []string // every raw Location field value, in order
	Location    string   // first Location resolved against the response URL and normalised; "" when absent or unresolvable
	LocationErr string   // why the first Location could not be resolved
	Header      *Headers // the fields the audit reads, for a 3xx answer that has any; nil otherwise
}

// Response is what one URL answered, or why it was not fetched.
// Every string that came from the website is untrusted.
type Response struct {
	URL         string    // normalised URL that was requested
	Redirect    *Redirect // for every 3xx answer, and any other that sent a Location field; nil otherwise
	Refresh     *Refresh  // a refresh to another URL, from a 2xx response
	ContentType string
	Error       string        // network or protocol error; the response may still be partly filled
	ParseError  string        // the HTML page could not be parsed: its links are unknown
	Canonical   string        // the page's rel=canonical, normalised
	Bytes       int64         // body bytes read (after decompression)
	Elapsed     time.Duration // request sent to body read
	Status      int           // 0 when no response arrived
	Depth       int           // links from the nearest start URL or sitemap
	Referrers   Referrers     // how many references point here, kept or not
	Truncated   bool          // body cut at the size limit
	Blocked     bool          // disallowed by robots.txt: never fetched
	Refused     bool          // the address guard refused to connect (Error says why): never fetched
	Internal    bool          // inside the crawl scope
	Parsed      bool          // parsed as an HTML page
	Noindex     bool          // meta robots or X-Robots-Tag says noindex
	Attempts    uint8         // requests made for this response: 1, more after transient failures
}

// Referrers counts the references to a URL by kind. The graph keeps the
// references themselves only for URLs the rules look at one by one:
// those that do not answer a plain 2xx (see Graph.References).
type Referrers struct {
	Links      int32 // pages linking with <a> or <area> (once per page)
	Sitemaps   int32 // sitemap entries
	Canonicals int32 // rel=canonical, in HTML or a Link header
	Hreflangs  int32 // hreflang alternates
	Forms      int32 // form actions
}

func (n *Referrers) count(kind RefKind) {
	switch kind {
	case RefAnchor, RefArea:
		n.Links++
	case RefSitemap:
		n.Sitemaps++
	case RefCanonical:
		n.Canonicals++
	case RefHreflang:
		n.Hreflangs++
	case RefForm:
		n.Forms++
	}
}

// IsRedirectStatus reports whether browsers and Go follow a Location on
// this status: 301, 302, 303, 307 and 308.
func IsRedirectStatus(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// Next returns where the response sends the client: a followed 3xx
// status with a usable Location, or a refresh to another URL.
func (r *Response) Next() (target string, kind HopKind, ok bool) {
	switch {
	case r.Blocked || r.Status == 0:
		return "", 0, false
	case IsRedirectStatus(r.Status):
		if r.Redirect == nil {
			return "", HopHTTP, false
		}
		return r.Redirect.Location, HopHTTP, r.Redirect.Location != ""
	case r.Refresh != nil && r.Status >= 200 && r.Status < 300:
		return r.Refresh.URL, r.Refresh.Kind, true
	}
	return "", 0, false
}

// Reference is one place that points at a URL.
type Reference struct {
	Kind RefKind
	// Nofollow marks an <a> or <area> link whose rel holds nofollow,
	// ugc or sponsored. The crawl does not fetch a URL for such links
	// (unless Config.FollowNofollow): only another reference, or a
	// redirect, gets it fetched. The references are kept all the same;
	// one whose target was never fetched has no response in the graph.
	Nofollow bool
	Source   string // normalised URL of the page or sitemap; "" for seeds
	Target   string // normalised absolute URL
	Text     string // anchor text, hreflang code or form method; Blocking or "poster" for some resources (see RefKind)
}

// CompareReferences orders references by target, source, kind and text:
// the order of a graph's References, which the crawl keeps so that rules
// find the references to a URL by searching them. It returns a negative
// number when a comes first, a positive one when b does, 0 when they are
// equal.
func CompareReferences(a, b Reference) int {
	return cmp.Or(cmp.Compare(a.Target, b.Target), cmp.Compare(a.Source, b.Source),
		cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Text, b.Text))
}

// SortReferences sorts refs in the order of a graph's References
// (CompareReferences): a graph built otherwise than by a crawl, from a
// file or from literals in a test, sorts its references with it.
func SortReferences(refs []Reference) { slices.SortFunc(refs, CompareReferences) }

// Sitemap is one sitemap or sitemap index that was read.
type Sitemap struct {
	URL     string
	From    SitemapSource
	Status  int // 0 when no response arrived, or not read
	Entries int // <loc> entries found
	Index   bool
	Error   string // why it was not read, or not whole: a failure, a limit
}

// SitemapSource says where the crawl learnt of a sitemap.
type SitemapSource uint8

// The sitemap sources.
const (
	SitemapRobots  SitemapSource = iota + 1 // a Sitemap line of robots.txt
	SitemapGiven                            // Config.Sitemaps (--sitemap)
	SitemapGuessed                          // /sitemap.xml of an origin whose robots.txt names none
	SitemapIndex                            // a sitemap index
)

var sitemapSourceNames = [...]string{SitemapRobots: "robots.txt", SitemapGiven: "given", SitemapGuessed: "guessed", SitemapIndex: "index"}

func (s SitemapSource) String() string { return enumName(sitemapSourceNames[:], s) }

// Stats describes the crawl as a whole.
type Stats struct {
	Started         time.Time
	Finished        time.Time
	Fetched         int    // URLs requested
	Parsed          int    // HTML pages parsed
	Blocked         int    // URLs disallowed by robots.txt
	Errors          int    // URLs with a network or protocol error
	Failed          int    // URLs of the site that failed after their retries: a network error, 429 or 5xx, or a body that could not be read
	Cancelled       bool   // cut short by a signal or a cancelled context
	MaxPagesReached bool   // --max-pages stopped the discovery of new URLs
	Unreachable     string // why the crawl stopped early: a host that kept failing and what it answered; "" = it did not

	// DefaultMaxPages is, when MaxPagesReached, the limit reached if it
	// was a default the user did not choose (the command's --max-pages
	// 100000): the crawl was cut short, not sampled. 0 when the limit
	// was chosen. The command sets it; the crawler cannot tell.
	DefaultMaxPages int
}

// Partial reports whether the crawl was cut short, so that a URL it did
// not fetch may still be there: cancelled, stopped by --max-pages, or
// stopped because the site became unreachable.
func (s *Stats) Partial() bool {
	return s.Cancelled || s.MaxPagesReached || s.Unreachable != ""
}

// End says how a chain ends. It is a small number; String gives its
// name.
type End uint8

// The chain ends.
const (
	EndFinal     End = iota + 1 // a response that sends nowhere else
	EndError                    // a network or protocol error
	EndBlocked                  // robots.txt disallows the next URL
	EndLoop                     // a URL repeats
	EndTooLong                  // no final response within MaxHops redirects
	EndUnfetched                // the next URL was not fetched (out of scope, limits, cancelled)
)

var endNames = [...]string{EndFinal: "final", EndError: "error", EndBlocked: "blocked", EndLoop: "loop", EndTooLong: "too-long", EndUnfetched: "unfetched"}

// String returns the end's name, as reports write it; "" for none.
func (e End) String() string { return enumName(endNames[:], e) }

// Hop is one redirect in a chain: what the rules read of each. Its
// whole response, headers and all, is the graph's (Graph.Lookup of its
// URL): a chain holds none, as a big site has hundreds of thousands of
// hops and few rules look further than this.
type Hop struct {
	URL    string  // the URL that answered with the redirect
	Target string  // where it sends the client, normalised
	Status int     // the status of URL's answer
	Kind   HopKind // how it redirects
	Delay  float64 // seconds before a refresh or script sends the client on; 0 for HopHTTP
}

// Chain is the path from an entry URL that redirects to where it ends.
// A run may hold one per entry URL that redirects (see Graph.Chains): its
// entry and final URLs are read from its hops, not kept twice.
type Chain struct {
	Hops  []Hop     // one per redirect, in order; a chain has at least one
	Final *Response // the response of FinalURL; nil when End is EndUnfetched
	End   End
}

// URL returns the chain's entry URL: the URL that answered its first
// hop. (A chain that Follow made from a URL that does not redirect has no
// hop: its entry URL is that of Final, "" when it was not fetched.)
func (c *Chain) URL() string {
	if len(c.Hops) == 0 {
		return c.FinalURL()
	}
	return c.Hops[0].URL
}

// FinalURL returns the last URL the chain reaches: where its last hop
// sends the client.
func (c *Chain) FinalURL() string {
	if len(c.Hops) == 0 {
		if c.Final == nil {
			return ""
		}
		return c.Final.URL
	}
	return c.Hops[len(c.Hops)-1].Target
}

// Temporary reports whether any hop is temporary: 302, 303, 307 or a
// delayed refresh.
func (c *Chain) Temporary() bool {
	for _, h := range c.Hops {
		switch {
		case h.Kind == HopHTTP && (h.Status == 302 || h.Status == 303 || h.Status == 307):
			return true
		case h.Kind != HopHTTP && h.Delay > 0:
			return true
		}
	}
	return false
}

// Graph is everything a crawl learnt. It is plain data: rules and
// reports read it, and tests build it from literals and Add. Its methods
// compute what they return on each call and keep nothing; what the rules
// share is computed once per run by the audit engine.
//
// A graph keeps its responses in rows of numbers, not as Responses: a
// crawl holds one per URL for the whole run, which every garbage
// collection would otherwise look through again. Lookup and Responses
// make each response they return anew. A graph may be read from several
// goroutines at once, but not while Add adds to it. Pass a graph by its
// pointer: a copy of the struct shares its rows with the original, and
// adding to either spoils both.
type Graph struct {
	// responses holds one response per URL that was fetched or blocked
	// (see Add, Lookup and Responses).
	responses table
	// References holds every start URL and every reference to a URL that
	// was not fetched or does not answer a plain 2xx (a redirect, a
	// refresh, an error, a robots.txt block), sorted by target, source,
	// kind and text (SortReferences); a page referencing a URL twice the
	// same way counts once.
	// References to plain 2xx answers are only counted, in their
	// Response.Referrers.
	References []Reference
	Sitemaps   []Sitemap
	Scope      Scope
	Stats      Stats
}

// Add puts responses in the graph, each in place of the response it
// holds for the same URL, if any. The graph keeps copies: changing a
// response after adding it does not change the graph. (An empty, non-nil
// Redirect.Locations comes back nil.)
func (g *Graph) Add(rs ...*Response) {
	for _, r := range rs {
		g.responses.put(r.URL, r)
	}
}

// Lookup returns the response for a normalised URL, or nil. It is a
// copy: changing it does not change the graph (Add does).
func (g *Graph) Lookup(u string) *Response {
	i, ok := g.responses.index(u)
	if !ok {
		return nil
	}
	return g.responses.response(i)
}

// Answer is the gist of a response, read from the graph without making
// the response: what a rule that looks at every URL reads to pick the
// few whose whole response it needs (Lookup).
type Answer struct {
	Status   int
	Error    bool // the response has an Error
	Redirect bool // the response has a Redirect
	Blocked  bool
	Refused  bool
	Internal bool
}

// Answer returns the gist of r, as Graph.Answer gives it.
func (r *Response) Answer() Answer {
	return Answer{Status: r.Status, Error: r.Error != "", Redirect: r.Redirect != nil, Blocked: r.Blocked, Refused: r.Refused, Internal: r.Internal}
}

// Answer returns the gist of the response for the normalised URL u;
// false when the graph has none.
func (g *Graph) Answer(u string) (Answer, bool) {
	i, ok := g.responses.index(u)
	if !ok {
		return Answer{}, false
	}
	return g.responses.answer(i), true
}

// Answers yields the URL and the gist of every response of the graph,
// in no particular order.
func (g *Graph) Answers() iter.Seq2[string, Answer] {
	return func(yield func(string, Answer) bool) {
		for i := range g.responses.len() {
			if !yield(*g.responses.urls.at(i), g.responses.answer(i)) {
				return
			}
		}
	}
}

// Redirect returns the Redirect of the response for the normalised URL
// u, made from the graph without the rest of the response (as Lookup
// makes it): what a rule that reads the Location fields of every
// redirect looks up. Nil when the response has none, or the graph has
// no response for u.
func (g *Graph) Redirect(u string) *Redirect {
	i, ok := g.responses.index(u)
	if !ok {
		return nil
	}
	return g.responses.redirect(i)
}

// Header returns the header fields the audit reads of the response for
// the normalised URL u, its Redirect.Header, read from the graph without
// making the response: the zero Headers when it has none (it is not a
// 3xx answer, or sent none of them) or the graph has no response for u.
func (g *Graph) Header(u string) Headers {
	i, ok := g.responses.index(u)
	if !ok {
		return Headers{}
	}
	h, _ := g.responses.header(i)
	return h
}

// Internal reports whether the normalised URL u is inside the crawl
// scope: the graph's Scope says so, or its response does. The Scope is
// asked first: it reads u alone, where the response is a look-up in a
// table of every URL, a few cache misses on a big graph, and the rules
// ask about every redirect.
func (g *Graph) Internal(u string) bool {
	if g.Scope.Internal(u) {
		return true
	}
	a, ok := g.Answer(u)
	return ok && a.Internal
}

// Len returns how many responses the graph holds: one per URL.
func (g *Graph) Len() int { return g.responses.len() }

// Responses yields the graph's responses in no particular order (see
// SortedResponses), each a copy, as Lookup returns.
func (g *Graph) Responses() iter.Seq[*Response] { return g.responses.all() }

// SortedResponses yields the graph's responses ordered by URL, each
// made as it is yielded, as Lookup makes it.
func (g *Graph) SortedResponses() iter.Seq[*Response] { return g.responses.sorted() }

// Entries returns the distinct targets of all references (start URLs,
// sitemap entries and URLs referenced from pages), sorted. References in
// their order are read once; others are sorted in a copy.
func (g *Graph) Entries() []string {
	byTarget := func(a, b Reference) int { return cmp.Compare(a.Target, b.Target) }
	if !slices.IsSortedFunc(g.References, byTarget) {
		out := make([]string, len(g.References))
		for i, ref := range g.References {
			out[i] = ref.Target
		}
		slices.Sort(out)
		return slices.Clip(slices.Compact(out))
	}
	n := 0
	for i, ref := range g.References {
		if i == 0 || ref.Target != g.References[i-1].Target {
			n++
		}
	}
	out := make([]string, 0, n)
	for i, ref := range g.References {
		if i == 0 || ref.Target != g.References[i-1].Target {
			out = append(out, ref.Target)
		}
	}
	return out
}

// Chains returns, for each entry URL that redirects, the chain it starts,
// ordered by entry URL.
func (g *Graph) Chains() []Chain {
	entries := g.Entries()
	chains := make([]Chain, 0, g.countChains(entries))
	made := make([]*Response, g.Len()) // by row: chains that meet share their responses
	for _, u := range entries {
		if g.startsChain(u) {
			chains = append(chains, g.follow(u, made))
		}
	}
	return chains
}

// ChainOf returns the chain that starts at entry URL u, followed anew,
// or nil when u is not an entry URL that redirects. It looks through all
// the references: for one look-up, as tests make; the rules find a chain
// among those their run computed once (audit.Pass.ChainOf).
func (g *Graph) ChainOf(u string) *Chain {
	if !g.startsChain(u) || !slices.ContainsFunc(g.References, func(ref Reference) bool { return ref.Target == u }) {
		return nil
	}
	c := g.Follow(u)
	return &c
}

// Inbound returns the references whose target is the normalised URL u,
// in the graph's order, in a slice of their own. It looks through all
// the references: for one look-up, as tests make; the rules search them
// (audit.Pass.Inbound).
func (g *Graph) Inbound(u string) []Reference {
	out := []Reference{}
	for _, ref := range g.References {
		if ref.Target == u {
			out = append(out, ref)
		}
	}
	return out
}

// ChainCount returns how many chains Chains returns, without walking
// them.
func (g *Graph) ChainCount() int { return g.countChains(g.Entries()) }

// countChains counts the entries that start a chain.
func (g *Graph) countChains(entries []string) int {
	n := 0
	for _, u := range entries {
		if g.startsChain(u) {
			n++
		}
	}
	return n
}

// startsChain reports whether URL u has a response that redirects.
func (g *Graph) startsChain(u string) bool { return g.responses.sendsOn(u) }

// Follow walks the chain that starts at URL u through the graph. For a u
// that does not redirect, the chain has no hop, and its URL is that of
// its Final response: "" when u was not fetched.
func (g *Graph) Follow(u string) Chain { return g.follow(u, nil) }

// follow is Follow; made, when not nil, holds the final responses made
// for earlier chains by row, which this one shares, and gets its own.
// The hops are read from the rows: only the final response is made.
func (g *Graph) follow(u string, made []*Response) Chain {
	t := &g.responses
	final := func(i int) *Response {
		if made == nil {
			return t.response(i)
		}
		r := made[i]
		if r == nil {
			r = t.response(i)
			made[i] = r
		}
		return r
	}
	var c Chain
	for {
		i, ok := t.index(u)
		if !ok {
			c.End = EndUnfetched
			return c
		}
		a := t.answer(i)
		h, sends := t.hop(i)
		switch {
		case a.Blocked:
			c.End = EndBlocked
		case !sends && a.Error:
			c.End = EndError
		case !sends:
			c.End = EndFinal
		case len(c.Hops) == MaxHops:
			c.End = EndTooLong
		}
		if c.End != 0 {
			c.Final = final(i)
			return c
		}
		c.Hops = append(c.Hops, h)
		if c.answered(h.Target) {
			if j, ok := t.index(h.Target); ok {
				c.Final = final(j)
			}
			c.End = EndLoop
			return c
		}
		u = h.Target
	}
}

// answered reports whether URL u answered one of the chain's hops. A
// chain has at most MaxHops of them: looking through them beats making
// a set.
func (c *Chain) answered(u string) bool {
	return slices.ContainsFunc(c.Hops, func(h Hop) bool { return h.URL == u })
}
