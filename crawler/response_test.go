package crawler

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// TestFrontierSizes guards the size of what the crawl keeps per URL of
// its frontier and per reference: a site of many links has hundreds of
// thousands of each at once.
func TestFrontierSizes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, most uintptr
	}{
		// A task and a pending URL carry where the URL was found (rank,
		// order), so that a level is crawled in the same order every run.
		{"task", unsafe.Sizeof(task{}), 32},
		{"pending", unsafe.Sizeof(pending{}), 32},
		{"waiting", unsafe.Sizeof(waiting{}), 40},
		{"keptRef", unsafe.Sizeof(keptRef{}), 16},
		{"Reference", unsafe.Sizeof(Reference{}), 56},
		// A hop carries what the rules read of it instead of a response
		// made for it (240 bytes and more).
		{"Hop", unsafe.Sizeof(Hop{}), 56},
		{"Chain", unsafe.Sizeof(Chain{}), 40},
		// A row per URL: its fields in an order that wastes no byte to
		// alignment but the last two.
		{"row", unsafe.Sizeof(row{}), 72},
	} {
		if tc.got > tc.most {
			t.Errorf("unsafe.Sizeof(%s{}) = %d bytes, more than %d", tc.name, tc.got, tc.most)
		}
	}
}

// TestReadHeaderRedirect checks which responses get a Redirect: every
// 3xx, and any other response that sent a Location field.
func TestReadHeaderRedirect(t *testing.T) {
	const page = "http://h.test/a"
	tests := []struct {
		name   string
		status int
		header http.Header
		want   *Redirect
	}{
		{"200", 200, http.Header{"Content-Type": {"text/html"}}, nil},
		{"404", 404, http.Header{}, nil},
		{"301", 301, http.Header{"Location": {"/b"}},
			&Redirect{Locations: []string{"/b"}, Location: "http://h.test/b"}},
		{"301 without Location", 301, http.Header{}, &Redirect{}},
		{"300 with cache fields", 300, http.Header{"Cache-Control": {"max-age=60"}, "Date": {"Mon, 02 Jan 2006 15:04:05 GMT"}},
			&Redirect{Header: &Headers{CacheControl: "max-age=60", Date: "Mon, 02 Jan 2006 15:04:05 GMT"}}},
		{"302 with an empty Location", 302, http.Header{"Location": {" "}}, &Redirect{Locations: []string{" "}}},
		{"302 with an unusable Location", 302, http.Header{"Location": {"http://[bad"}},
			&Redirect{Locations: []string{"http://[bad"}, LocationErr: resolveErr(t, page, "http://[bad")}},
		{"201 with Location", 201, http.Header{"Location": {"/new", "/other"}},
			&Redirect{Locations: []string{"/new", "/other"}, Location: "http://h.test/new"}},
		{"200 with cache fields", 200, http.Header{"Cache-Control": {"max-age=60"}}, nil},
		{"301 by WordPress", 301, http.Header{"Location": {"/b"}, "X-Redirect-By": {"WordPress"}, "Date": {"Mon, 02 Jan 2006 15:04:05 GMT"}},
			&Redirect{Locations: []string{"/b"}, Location: "http://h.test/b",
				Header: &Headers{XRedirectBy: "WordPress", Date: "Mon, 02 Jan 2006 15:04:05 GMT"}}},
		{"302 by two layers", 302, http.Header{"X-Redirect-By": {"WordPress", "Yoast SEO"}},
			&Redirect{Header: &Headers{XRedirectBy: "WordPress, Yoast SEO"}}},
		// Cut at 200 bytes, before the é that would be split: 199 bytes.
		{"302 with a long X-Redirect-By", 302, http.Header{"X-Redirect-By": {strings.Repeat("x", 199) + "é" + strings.Repeat("y", 100)}},
			&Redirect{Header: &Headers{XRedirectBy: strings.Repeat("x", 199)}}},
		// Invalid UTF-8 is cut at 200 bytes all the same; it is written
		// out as any other site string is.
		{"302 with bytes that are not UTF-8", 302, http.Header{"X-Redirect-By": {strings.Repeat("\x80", 300)}},
			&Redirect{Header: &Headers{XRedirectBy: strings.Repeat("\x80", 197)}}},
		{"200 with X-Redirect-By", 200, http.Header{"X-Redirect-By": {"WordPress"}}, nil},
	}
	u, err := url.Parse(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		r := &Response{URL: page, Status: tc.status}
		(&fetcher{}).readHeader(r, u, tc.header)
		if !reflect.DeepEqual(r.Redirect, tc.want) {
			t.Errorf("%s: Redirect = %+v, want %+v", tc.name, r.Redirect, tc.want)
		}
	}
}

// resolveErr returns the error text of resolving a Location against u.
func resolveErr(t *testing.T, u, location string) string {
	t.Helper()
	base, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(base, location); err != nil {
		return err.Error()
	}
	t.Fatalf("Resolve(%q, %q) succeeded", u, location)
	return ""
}
