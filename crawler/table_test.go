package crawler

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// filled returns a value of type t with every field set, each to a value
// of its own (n counts them): strings, numbers, booleans, pointers and
// slices alike, so that a field a table forgets shows.
func filled(t reflect.Type, n *int) reflect.Value {
	*n++
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("value %d", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(*n))
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Pointer:
		v.Set(filled(t.Elem(), n).Addr())
	case reflect.Slice:
		v.Set(reflect.Append(v, filled(t.Elem(), n), filled(t.Elem(), n)))
	case reflect.Struct:
		for i := range t.NumField() {
			v.Field(i).Set(filled(t.Field(i).Type, n))
		}
	default:
		panic("filled: no value for " + t.String())
	}
	return v
}

// TestGraphKeepsResponses: a graph gives back every field of a response
// it was given, whatever its strings share; a response added again
// replaces the first; a URL it has no response for has none.
func TestGraphKeepsResponses(t *testing.T) {
	n := 0
	full := filled(reflect.TypeFor[Response](), &n).Addr().Interface().(*Response)
	bare := &Response{URL: "http://h.test/bare", Status: 200}
	same := &Response{URL: "http://h.test/same", ContentType: full.ContentType, Canonical: full.URL, Error: full.URL,
		Redirect: &Redirect{Locations: []string{full.URL, full.URL}, Location: full.URL, Header: &Headers{}}, Refresh: &Refresh{}}
	g := &Graph{}
	g.Add(full, bare, same)
	for _, want := range []*Response{full, bare, same} {
		if got := g.Lookup(want.URL); !reflect.DeepEqual(got, want) {
			t.Errorf("Lookup(%q) =\n%+v\nwant\n%+v", want.URL, got, want)
		}
	}
	if g.Len() != 3 {
		t.Errorf("Len() = %d; want 3", g.Len())
	}
	again := &Response{URL: bare.URL, Status: 404, Internal: true}
	g.Add(again)
	if got := g.Lookup(bare.URL); !reflect.DeepEqual(got, again) || g.Len() != 3 {
		t.Errorf("after adding %s again: %+v, %d responses; want the second, 3", bare.URL, got, g.Len())
	}
	got := g.Lookup(full.URL)
	got.Status, got.Redirect.Locations[0] = 999, "changed"
	if r := g.Lookup(full.URL); r.Status == 999 || r.Redirect.Locations[0] == "changed" {
		t.Error("changing a looked-up response changed the graph")
	}
	for _, u := range []string{"", "http://h.test/none", full.ContentType} {
		if r := g.Lookup(u); r != nil {
			t.Errorf("Lookup(%q) = %+v; want nil", u, r)
		}
	}
}

// TestGraphAnswer: the gist of a response that the graph reads from its
// row is the one the response gives, field by field.
func TestGraphAnswer(t *testing.T) {
	n := 0
	rs := []*Response{
		filled(reflect.TypeFor[Response](), &n).Addr().Interface().(*Response),
		{URL: "http://h.test/bare"},
		{URL: "http://h.test/status", Status: 503},
		{URL: "http://h.test/error", Error: "refused"},
		{URL: "http://h.test/redirect", Redirect: &Redirect{}},
		{URL: "http://h.test/blocked", Blocked: true},
		{URL: "http://h.test/refused", Refused: true},
		{URL: "http://h.test/internal", Internal: true},
	}
	g := &Graph{}
	g.Add(rs...)
	for _, r := range rs {
		if got, ok := g.Answer(r.URL); !ok || got != r.Answer() {
			t.Errorf("Answer(%q) = %+v, %v; want %+v", r.URL, got, ok, r.Answer())
		}
	}
	seen := 0
	for u, a := range g.Answers() {
		if r := g.Lookup(u); r == nil || a != r.Answer() {
			t.Errorf("Answers yields %q, %+v; want %+v", u, a, r)
		}
		seen++
	}
	if seen != len(rs) {
		t.Errorf("Answers yields %d answers; want %d", seen, len(rs))
	}
	if a, ok := g.Answer("http://h.test/none"); ok {
		t.Errorf("Answer of a URL the graph lacks: %+v, true", a)
	}
}

// TestGraphRedirect: the Redirect and the header fields the graph reads
// from a row are those of the response, field by field; a response
// without them, and a URL the graph lacks, have none.
func TestGraphRedirect(t *testing.T) {
	n := 0
	full := filled(reflect.TypeFor[Response](), &n).Addr().Interface().(*Response)
	rs := []*Response{full, {URL: "http://h.test/page", Status: 200}, {URL: "http://h.test/bare", Status: 301, Redirect: &Redirect{Location: "http://h.test/"}}}
	g := &Graph{}
	g.Add(rs...)
	for _, r := range rs {
		if got := g.Redirect(r.URL); !reflect.DeepEqual(got, r.Redirect) {
			t.Errorf("Redirect(%q) = %+v; want %+v", r.URL, got, r.Redirect)
		}
	}
	if got := g.Redirect("http://h.test/none"); got != nil {
		t.Errorf("Redirect of a URL the graph lacks: %+v", got)
	}
	if got := g.Header(full.URL); got != *full.Redirect.Header {
		t.Errorf("Header(%q) = %+v; want %+v", full.URL, got, *full.Redirect.Header)
	}
	for _, u := range []string{rs[1].URL, rs[2].URL, "http://h.test/none"} {
		if got := g.Header(u); got != (Headers{}) {
			t.Errorf("Header(%q) = %+v; want none", u, got)
		}
	}
}

// TestGraphManyResponses: responses beyond the arena's first chunks and
// slots, with URLs of every length up to more than a chunk, are all
// found, each once, and two graphs built alike are equal.
func TestGraphManyResponses(t *testing.T) {
	build := func() *Graph {
		g := &Graph{}
		for i := range 20_000 {
			g.Add(&Response{URL: fmt.Sprintf("http://h.test/%d/%s", i, strings.Repeat("x", i%300)), Status: 200 + i%5})
		}
		g.Add(&Response{URL: "http://h.test/huge/" + strings.Repeat("y", 3*maxChunk), Status: 301})
		return g
	}
	g := build()
	if g.Len() != 20_001 {
		t.Fatalf("Len() = %d; want 20001", g.Len())
	}
	for i := range 20_000 {
		u := fmt.Sprintf("http://h.test/%d/%s", i, strings.Repeat("x", i%300))
		if r := g.Lookup(u); r == nil || r.URL != u || r.Status != 200+i%5 {
			t.Fatalf("Lookup(%.40q...) = %+v", u, r)
		}
	}
	if r := g.Lookup("http://h.test/huge/" + strings.Repeat("y", 3*maxChunk)); r == nil || r.Status != 301 {
		t.Errorf("the huge URL: %v", r)
	}
	seen := map[string]bool{}
	for r := range g.Responses() {
		if seen[r.URL] {
			t.Fatalf("%.40q... twice", r.URL)
		}
		seen[r.URL] = true
	}
	if len(seen) != g.Len() {
		t.Errorf("Responses() yielded %d; want %d", len(seen), g.Len())
	}
	if !reflect.DeepEqual(g, build()) {
		t.Error("two graphs built alike differ")
	}
}

// TestRowSize guards the size of what a graph keeps per URL for the
// whole run.
func TestRowSize(t *testing.T) {
	if got := unsafe.Sizeof(row{}); got > 80 {
		t.Errorf("unsafe.Sizeof(row{}) = %d bytes, more than 80: a graph keeps one per URL for the whole run; keep rarely filled fields in rows of their own", got)
	}
}

// TestSendsOn: whether a graph's response sends the client on is what
// its Response.Next says, read without making the response.
func TestSendsOn(t *testing.T) {
	loc := &Redirect{Location: "http://h.test/to"}
	ref := &Refresh{Kind: HopMetaRefresh, URL: "http://h.test/to"}
	for i, r := range []*Response{
		{Status: 301, Redirect: loc}, {Status: 308, Redirect: loc}, {Status: 302, Redirect: &Redirect{LocationErr: "bad"}},
		{Status: 307}, {Status: 300, Redirect: loc}, {Status: 304, Redirect: loc}, {Status: 201, Redirect: loc},
		{Status: 301, Redirect: loc, Blocked: true}, {Redirect: loc}, {Blocked: true},
		{Status: 200, Refresh: ref}, {Status: 299, Refresh: ref}, {Status: 404, Refresh: ref}, {Status: 200},
		{Status: 301, Redirect: loc, Refresh: ref}, {Status: 500, Error: "x", Refresh: ref},
	} {
		r.URL = fmt.Sprintf("http://h.test/%d", i)
		g := &Graph{}
		g.Add(r)
		if _, _, want := r.Next(); g.responses.sendsOn(r.URL) != want {
			t.Errorf("%+v: sendsOn %v; Next says %v", r, !want, want)
		}
	}
	if (&Graph{}).responses.sendsOn("http://h.test/none") {
		t.Error("a URL without a response sends on")
	}
}

// TestGraphInternal: a URL is inside the crawl scope when its response
// says so, or the graph's scope does.
func TestGraphInternal(t *testing.T) {
	g := &Graph{Scope: Scope{Hosts: []string{"h.test"}}}
	g.Add(&Response{URL: "http://other.test/in", Internal: true}, &Response{URL: "http://other.test/out"}, &Response{URL: "http://h.test/a"})
	for u, want := range map[string]bool{
		"http://other.test/in": true, "http://other.test/out": false, "http://h.test/a": true,
		"http://h.test/unfetched": true, "http://other.test/unfetched": false,
	} {
		if got := g.Internal(u); got != want {
			t.Errorf("Internal(%s) = %v; want %v", u, got, want)
		}
	}
}

// TestColumn: a column's values stay where they are put, and its first
// block grows up to the size of the others, no further.
func TestColumn(t *testing.T) {
	var c column[int]
	const n = 2*columnBlock + 5
	for i := range n {
		if got := c.add(i * 3); got != i {
			t.Fatalf("add #%d returned %d", i, got)
		}
	}
	for i := range n {
		if *c.at(i) != i*3 {
			t.Fatalf("at(%d) = %d; want %d", i, *c.at(i), i*3)
		}
	}
	if c.len() != n || len(c.blocks) != 3 || cap(c.blocks[0]) != columnBlock || cap(c.blocks[2]) != columnBlock {
		t.Errorf("len %d, %d blocks, caps %d and %d; want %d, 3, %d", c.len(), len(c.blocks), cap(c.blocks[0]), cap(c.blocks[2]), n, columnBlock)
	}
}
