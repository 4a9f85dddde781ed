package crawler

import (
	"fmt"
	"reflect"
	"testing"
)

// redirect is a response that redirects u to target with status.
func redirect(u string, status int, target string) *Response {
	return &Response{URL: u, Status: status, Redirect: &Redirect{Locations: []string{target}, Location: target}}
}

func ok200(u string) *Response { return &Response{URL: u, Status: 200} }

func refresh(u string, kind HopKind, delay float64, target string) *Response {
	return &Response{URL: u, Status: 200, Refresh: &Refresh{Kind: kind, Delay: delay, Raw: fmt.Sprintf("%g;url=%s", delay, target), URL: target}}
}

// graphOf builds a graph from responses; every response URL is a seed.
func graphOf(rs ...*Response) *Graph {
	g := &Graph{}
	for _, r := range rs {
		g.Add(r)
		g.References = append(g.References, Reference{Kind: RefSeed, Target: r.URL})
	}
	return g
}

// hopChain makes n redirects u0 -> u1 -> ... -> un; un answers 200.
func hopChain(n int) []*Response {
	var rs []*Response
	for i := range n {
		rs = append(rs, redirect(fmt.Sprintf("http://h.test/%d", i), 301, fmt.Sprintf("http://h.test/%d", i+1)))
	}
	return append(rs, ok200(fmt.Sprintf("http://h.test/%d", n)))
}

// summary is what a test compares of a chain.
type summary struct {
	hops     []string // "URL status kind>target"
	finalURL string
	end      End
}

func summarize(c Chain) summary {
	s := summary{finalURL: c.FinalURL(), end: c.End}
	for _, h := range c.Hops {
		s.hops = append(s.hops, fmt.Sprintf("%s %d %s>%s", h.URL, h.Status, h.Kind, h.Target))
	}
	return s
}

func TestFollow(t *testing.T) {
	const a, b, c = "http://h.test/a", "http://h.test/b", "http://h.test/c"
	long20 := hopChain(20)
	long21 := hopChain(21)
	loop20 := append(hopChain(19)[:19], redirect("http://h.test/19", 301, "http://h.test/0"))
	hops := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("http://h.test/%d 301 http>http://h.test/%d", i, i+1))
		}
		return out
	}

	tests := []struct {
		name  string
		g     *Graph
		start string
		want  summary // Final must be the graph's response for want.finalURL
	}{
		{
			name:  "2-hop chain",
			g:     graphOf(redirect(a, 301, b), redirect(b, 302, c), ok200(c)),
			start: a,
			want:  summary{[]string{a + " 301 http>" + b, b + " 302 http>" + c}, c, EndFinal},
		},
		{
			name:  "no redirect",
			g:     graphOf(ok200(c)),
			start: c,
			want:  summary{nil, c, EndFinal},
		},
		{
			name:  "self-redirect",
			g:     graphOf(redirect(a, 301, a)),
			start: a,
			want:  summary{[]string{a + " 301 http>" + a}, a, EndLoop},
		},
		{
			name:  "2-URL loop",
			g:     graphOf(redirect(a, 302, b), redirect(b, 301, a)),
			start: a,
			want:  summary{[]string{a + " 302 http>" + b, b + " 301 http>" + a}, a, EndLoop},
		},
		{
			name:  "loop back into the middle",
			g:     graphOf(redirect(a, 301, b), redirect(b, 307, c), redirect(c, 308, b)),
			start: a,
			want:  summary{[]string{a + " 301 http>" + b, b + " 307 http>" + c, c + " 308 http>" + b}, b, EndLoop},
		},
		{
			name:  "ends in a blocked URL",
			g:     graphOf(redirect(a, 301, b), &Response{URL: b, Blocked: true}),
			start: a,
			want:  summary{[]string{a + " 301 http>" + b}, b, EndBlocked},
		},
		{
			name:  "blocked URL with a redirect recorded is not followed",
			g:     graphOf(redirect(a, 301, b), &Response{URL: b, Blocked: true, Status: 301, Redirect: &Redirect{Location: c}}, ok200(c)),
			start: a,
			want:  summary{[]string{a + " 301 http>" + b}, b, EndBlocked},
		},
		{
			name:  "ends in an unfetched URL",
			g:     graphOf(redirect(a, 301, b)),
			start: a,
			want:  summary{[]string{a + " 301 http>" + b}, b, EndUnfetched},
		},
		{
			name:  "ends in a network error",
			g:     graphOf(redirect(a, 301, b), &Response{URL: b, Error: "connection refused"}),
			start: a,
			want:  summary{[]string{a + " 301 http>" + b}, b, EndError},
		},
		{
			name:  "ends in an error after a response",
			g:     graphOf(redirect(a, 301, b), &Response{URL: b, Status: 200, Error: "unexpected EOF"}),
			start: a,
			want:  summary{[]string{a + " 301 http>" + b}, b, EndError},
		},
		{
			name:  "ends in a 404",
			g:     graphOf(redirect(a, 301, b), &Response{URL: b, Status: 404}),
			start: a,
			want:  summary{[]string{a + " 301 http>" + b}, b, EndFinal},
		},
		{
			name:  "blocked entry",
			g:     graphOf(&Response{URL: a, Blocked: true}),
			start: a,
			want:  summary{nil, a, EndBlocked},
		},
		{
			name:  "unfetched entry: no hop, no URL to read",
			g:     graphOf(),
			start: a,
			want:  summary{nil, "", EndUnfetched},
		},
		{
			name:  "exactly 20 redirects then a 200",
			g:     graphOf(long20...),
			start: "http://h.test/0",
			want:  summary{hops(20), "http://h.test/20", EndFinal},
		},
		{
			name:  "21 redirects",
			g:     graphOf(long21...),
			start: "http://h.test/0",
			want:  summary{hops(20), "http://h.test/20", EndTooLong},
		},
		{
			name:  "20 redirects, the last back to the start",
			g:     graphOf(loop20...),
			start: "http://h.test/0",
			want:  summary{append(hops(19), "http://h.test/19 301 http>http://h.test/0"), "http://h.test/0", EndLoop},
		},
		{
			name:  "meta refresh on a 200 page",
			g:     graphOf(redirect(a, 301, b), refresh(b, HopMetaRefresh, 0, c), ok200(c)),
			start: a,
			want:  summary{[]string{a + " 301 http>" + b, b + " 200 meta-refresh>" + c}, c, EndFinal},
		},
		{
			name:  "Refresh header",
			g:     graphOf(refresh(a, HopRefreshHeader, 5, c), ok200(c)),
			start: a,
			want:  summary{[]string{a + " 200 refresh-header>" + c}, c, EndFinal},
		},
		{
			name:  "refresh loop",
			g:     graphOf(refresh(a, HopMetaRefresh, 0, b), redirect(b, 302, a)),
			start: a,
			want:  summary{[]string{a + " 200 meta-refresh>" + b, b + " 302 http>" + a}, a, EndLoop},
		},
		{
			name: "3xx Location wins over a refresh",
			g: graphOf(&Response{URL: a, Status: 302, Redirect: &Redirect{Location: b},
				Refresh: &Refresh{Kind: HopRefreshHeader, URL: c}}, ok200(b), ok200(c)),
			start: a,
			want:  summary{[]string{a + " 302 http>" + b}, b, EndFinal},
		},
		{
			name:  "refresh on a 404 is not followed",
			g:     graphOf(&Response{URL: a, Status: 404, Refresh: &Refresh{Kind: HopRefreshHeader, URL: c}}, ok200(c)),
			start: a,
			want:  summary{nil, a, EndFinal},
		},
		{
			name:  "3xx without Location",
			g:     graphOf(&Response{URL: a, Status: 301}),
			start: a,
			want:  summary{nil, a, EndFinal},
		},
		{
			name:  "3xx with an unusable Location",
			g:     graphOf(&Response{URL: a, Status: 302, Redirect: &Redirect{Locations: []string{"http://[bad"}, LocationErr: "missing ']' in host"}}),
			start: a,
			want:  summary{nil, a, EndFinal},
		},
		{
			name:  "300 with Location is not followed",
			g:     graphOf(redirect(a, 300, b), ok200(b)),
			start: a,
			want:  summary{nil, a, EndFinal},
		},
		{
			name:  "305 with Location is not followed",
			g:     graphOf(redirect(a, 305, b), ok200(b)),
			start: a,
			want:  summary{nil, a, EndFinal},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			chain := tc.g.Follow(tc.start)
			got := summarize(chain)
			// A chain without a hop has the URL of its final response.
			wantURL := tc.start
			if len(tc.want.hops) == 0 {
				wantURL = tc.want.finalURL
			}
			if chain.URL() != wantURL {
				t.Errorf("URL = %s; want %s", chain.URL(), wantURL)
			}
			if !reflect.DeepEqual(got.hops, tc.want.hops) {
				t.Errorf("hops:\n got %q\nwant %q", got.hops, tc.want.hops)
			}
			if got.finalURL != tc.want.finalURL || got.end != tc.want.end {
				t.Errorf("final %s, end %s; want %s, %s", got.finalURL, got.end, tc.want.finalURL, tc.want.end)
			}
			if want := tc.g.Lookup(tc.want.finalURL); !reflect.DeepEqual(chain.Final, want) {
				t.Errorf("Final = %+v; want %+v", chain.Final, want)
			}
			if (chain.Final == nil) != (tc.want.end == EndUnfetched) {
				t.Errorf("Final = %+v with end %s: nil exactly when unfetched", chain.Final, chain.End)
			}
		})
	}
}

// TestFollowHops: a chain's hops say what each response does, read from
// the graph's rows, and the final response is the graph's.
func TestFollowHops(t *testing.T) {
	const a, b, c = "http://h.test/a", "http://h.test/b", "http://h.test/c"
	ra := redirect(a, 308, b)
	rb := &Response{URL: b, Status: 200, Refresh: &Refresh{Kind: HopMetaRefresh, Delay: 5, Raw: "5; url=/c", URL: c}}
	g := graphOf(ra, rb, ok200(c))
	chain := g.Follow(a)
	want := []Hop{
		{URL: a, Target: b, Status: 308, Kind: HopHTTP},
		{URL: b, Target: c, Status: 200, Kind: HopMetaRefresh, Delay: 5},
	}
	if !reflect.DeepEqual(chain.Hops, want) || chain.URL() != a || !reflect.DeepEqual(chain.Final, g.Lookup(c)) {
		t.Errorf("chain %+v; want hops %+v ending at the response of %s", chain, want, c)
	}
}

func TestChains(t *testing.T) {
	const (
		a    = "http://h.test/a"
		b    = "http://h.test/b"
		c    = "http://h.test/c"
		d    = "http://h.test/d"
		self = "http://h.test/self"
		page = "http://h.test/page"
	)
	g := &Graph{
		References: []Reference{
			{Kind: RefSeed, Target: page},
			{Kind: RefAnchor, Source: page, Target: d, Text: "d"},
			{Kind: RefAnchor, Source: page, Target: c, Text: "c"},
			{Kind: RefSitemap, Source: "http://h.test/sitemap.xml", Target: a},
			{Kind: RefAnchor, Source: c, Target: d, Text: "again"},
			{Kind: RefCanonical, Source: c, Target: self},
			{Kind: RefAnchor, Source: c, Target: "http://h.test/unfetched"},
			{Kind: RefForm, Source: c, Target: "http://h.test/blocked", Text: "post"},
		},
	}
	g.Add(redirect(a, 301, b), redirect(b, 302, c), ok200(c), redirect(d, 307, c), redirect(self, 301, self),
		refresh(page, HopMetaRefresh, 3, c),
		// not entries: reached only as hops or never referenced
		redirect("http://h.test/orphan", 301, c),
		&Response{URL: "http://h.test/blocked", Blocked: true})

	wantEntries := []string{a, "http://h.test/blocked", c, d, page, self, "http://h.test/unfetched"}
	if got := g.Entries(); !reflect.DeepEqual(got, wantEntries) {
		t.Errorf("Entries() = %q; want %q", got, wantEntries)
	}

	chains := g.Chains()
	var got []string
	for _, ch := range chains {
		got = append(got, fmt.Sprintf("%s %d %s %s temporary=%v", ch.URL(), len(ch.Hops), ch.FinalURL(), ch.End, ch.Temporary()))
	}
	want := []string{
		a + " 2 " + c + " final temporary=true",
		d + " 1 " + c + " final temporary=true",
		page + " 1 " + c + " final temporary=true",
		self + " 1 " + self + " loop temporary=false",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Chains():\n got %q\nwant %q", got, want)
	}

	if n := g.ChainCount(); n != len(chains) {
		t.Errorf("ChainCount() = %d; Chains() has %d", n, len(chains))
	}

	for _, tc := range []struct {
		u    string
		want int // index in chains; -1 = nil
	}{
		{a, 0}, {d, 1}, {page, 2}, {self, 3},
		{b, -1},                      // reached only as a hop
		{c, -1},                      // an entry that does not redirect
		{"http://h.test/orphan", -1}, // redirects but is no entry
		{"http://h.test/unfetched", -1},
		{"http://h.test/blocked", -1},
		{"http://h.test/none", -1},
	} {
		got := g.ChainOf(tc.u)
		switch {
		case tc.want < 0 && got != nil:
			t.Errorf("ChainOf(%s) = %+v; want nil", tc.u, got)
		case tc.want >= 0 && (got == nil || !reflect.DeepEqual(*got, chains[tc.want])):
			t.Errorf("ChainOf(%s) = %+v; want chain %d", tc.u, got, tc.want)
		}
	}

	// The graph keeps nothing: asked again, it computes the same anew.
	if again := g.Chains(); &again[0] == &chains[0] || !reflect.DeepEqual(again, chains) {
		t.Errorf("Chains() again: same array %v, equal %v; want a new, equal one", &again[0] == &chains[0], reflect.DeepEqual(again, chains))
	}

	// References out of order have the same entries and chains.
	SortReferences(g.References)
	if got := g.Entries(); !reflect.DeepEqual(got, wantEntries) {
		t.Errorf("Entries() of sorted references = %q; want %q", got, wantEntries)
	}
	if got := g.Chains(); !reflect.DeepEqual(got, chains) {
		t.Errorf("Chains() of sorted references differ:\n got %+v\nwant %+v", got, chains)
	}
}

func TestChainsEmpty(t *testing.T) {
	var g Graph
	if got := g.Chains(); len(got) != 0 {
		t.Errorf("Chains() of an empty graph = %v", got)
	}
	if got := g.ChainOf("http://h.test/"); got != nil {
		t.Errorf("ChainOf on an empty graph = %v", got)
	}
	if got := g.Entries(); len(got) != 0 {
		t.Errorf("Entries() of an empty graph = %v", got)
	}
}

func TestInbound(t *testing.T) {
	const x, y = "http://h.test/x", "http://h.test/y"
	refs := []Reference{
		{Kind: RefSeed, Target: x},
		{Kind: RefAnchor, Source: "http://h.test/1", Target: y, Text: "first"},
		{Kind: RefAnchor, Source: "http://h.test/2", Target: x, Text: "to x"},
		{Kind: RefCanonical, Source: "http://h.test/3", Target: y},
		{Kind: RefAnchor, Source: "http://h.test/1", Target: y, Text: "again"},
	}
	g := &Graph{References: refs}
	tests := []struct {
		u    string
		want []Reference
	}{
		{x, []Reference{refs[0], refs[2]}},
		{y, []Reference{refs[1], refs[3], refs[4]}},
		{"http://h.test/z", []Reference{}},
	}
	for _, tc := range tests {
		got := g.Inbound(tc.u)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Inbound(%s) = %v; want %v", tc.u, got, tc.want)
		}
	}
	// The result is a copy: changing it leaves the graph alone.
	g.Inbound(y)[0].Text = "changed"
	if g.References[1].Text != "first" {
		t.Error("Inbound returned the graph's own references")
	}
}

func TestTemporary(t *testing.T) {
	hop := func(status int) Hop { return Hop{Status: status, Kind: HopHTTP} }
	refreshHop := func(kind HopKind, delay float64) Hop { return Hop{Status: 200, Kind: kind, Delay: delay} }
	tests := []struct {
		name string
		hops []Hop
		want bool
	}{
		{"none", nil, false},
		{"301", []Hop{hop(301)}, false},
		{"308", []Hop{hop(308)}, false},
		{"302", []Hop{hop(302)}, true},
		{"303", []Hop{hop(303)}, true},
		{"307", []Hop{hop(307)}, true},
		{"301 then 302", []Hop{hop(301), hop(302)}, true},
		{"301 then 308", []Hop{hop(301), hop(308)}, false},
		{"instant meta refresh", []Hop{refreshHop(HopMetaRefresh, 0)}, false},
		{"delayed meta refresh", []Hop{refreshHop(HopMetaRefresh, 5)}, true},
		{"instant Refresh header", []Hop{refreshHop(HopRefreshHeader, 0)}, false},
		{"delayed Refresh header", []Hop{refreshHop(HopRefreshHeader, 1)}, true},
		{"301 then delayed refresh", []Hop{hop(301), refreshHop(HopMetaRefresh, 2)}, true},
	}
	for _, tc := range tests {
		c := Chain{Hops: tc.hops}
		if got := c.Temporary(); got != tc.want {
			t.Errorf("%s: Temporary() = %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestNext(t *testing.T) {
	const b = "http://h.test/b"
	tests := []struct {
		name   string
		r      Response
		target string
		kind   HopKind
		ok     bool
	}{
		{"301", Response{Status: 301, Redirect: &Redirect{Location: b}}, b, HopHTTP, true},
		{"302", Response{Status: 302, Redirect: &Redirect{Location: b}}, b, HopHTTP, true},
		{"303", Response{Status: 303, Redirect: &Redirect{Location: b}}, b, HopHTTP, true},
		{"307", Response{Status: 307, Redirect: &Redirect{Location: b}}, b, HopHTTP, true},
		{"308", Response{Status: 308, Redirect: &Redirect{Location: b}}, b, HopHTTP, true},
		{"300", Response{Status: 300, Redirect: &Redirect{Location: b}}, "", 0, false},
		{"304", Response{Status: 304, Redirect: &Redirect{Location: b}}, "", 0, false},
		{"305", Response{Status: 305, Redirect: &Redirect{Location: b}}, "", 0, false},
		{"306", Response{Status: 306, Redirect: &Redirect{Location: b}}, "", 0, false},
		{"399", Response{Status: 399, Redirect: &Redirect{Location: b}}, "", 0, false},
		{"301 without Location", Response{Status: 301}, "", HopHTTP, false},
		{"301 with an unusable Location", Response{Status: 301, Redirect: &Redirect{Locations: []string{"http://[bad"}, LocationErr: "missing ']' in host"}}, "", HopHTTP, false},
		{"blocked", Response{Blocked: true, Status: 301, Redirect: &Redirect{Location: b}}, "", 0, false},
		{"no response", Response{Error: "timeout"}, "", 0, false},
		{"200 refresh", Response{Status: 200, Refresh: &Refresh{Kind: HopMetaRefresh, URL: b}}, b, HopMetaRefresh, true},
		{"204 refresh header", Response{Status: 204, Refresh: &Refresh{Kind: HopRefreshHeader, URL: b}}, b, HopRefreshHeader, true},
		{"404 refresh", Response{Status: 404, Refresh: &Refresh{Kind: HopMetaRefresh, URL: b}}, "", 0, false},
		{"200", Response{Status: 200}, "", 0, false},
	}
	for _, tc := range tests {
		target, kind, ok := tc.r.Next()
		if target != tc.target || kind != tc.kind || ok != tc.ok {
			t.Errorf("%s: Next() = %q, %q, %v; want %q, %q, %v", tc.name, target, kind, ok, tc.target, tc.kind, tc.ok)
		}
	}
}

// TestSortReferences: a graph's references are ordered by target, then
// source (start URLs, which have none, first), kind and text.
func TestSortReferences(t *testing.T) {
	const x, y = "http://h.test/x", "http://h.test/y"
	want := []Reference{
		{Kind: RefSeed, Target: x},
		{Kind: RefAnchor, Source: "http://h.test/1", Target: x, Text: "a"},
		{Kind: RefAnchor, Source: "http://h.test/1", Target: x, Text: "b"},
		{Kind: RefCanonical, Source: "http://h.test/1", Target: x},
		{Kind: RefAnchor, Source: "http://h.test/2", Target: x},
		{Kind: RefAnchor, Source: "http://h.test/1", Target: y},
	}
	got := []Reference{want[5], want[3], want[0], want[4], want[2], want[1]}
	SortReferences(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SortReferences:\n got %v\nwant %v", got, want)
	}
}
