package crawler

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestLaneTrim: a lane lets go of the room of a page far bigger than
// most, in body bytes and in references, once its task is done; it
// keeps the room of an ordinary page for the next.
func TestLaneTrim(t *testing.T) {
	cfg := withDefaults(Config{})
	l := newLane(context.Background(), &cfg, http.DefaultTransport)
	for _, huge := range []bool{false, true} {
		n := 100 // the page's references and raw references
		if huge {
			n = maxLaneRefs + 1
		}
		refs := make([]Reference, n)
		for i := range refs {
			refs[i] = Reference{Kind: RefAnchor, Target: fmt.Sprint("http://site.test/", i)}
		}
		l.extract.unique(refs)
		l.extract.raws = make([]rawRef, 0, n)
		l.buf = make([]byte, 0, maxLaneBuffer/8*n/100)
		l.trim()
		if (l.buf == nil) != huge || (l.extract.raws == nil) != huge || (l.extract.seen == nil) != huge {
			t.Errorf("huge page %v: after the task the lane keeps its body buffer %v, raw references %v, map %v",
				huge, l.buf != nil, l.extract.raws != nil, l.extract.seen != nil)
		}
	}
}

// TestLaneBodyReadOnce: the first read of a response's body reads it
// whole into the lane and ends it; a read after that ends at once and
// leaves the lane's body alone.
func TestLaneBodyReadOnce(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "<p>page</p>") }))
	defer srv.Close()
	cfg := withDefaults(Config{})
	l := newLane(context.Background(), &cfg, http.DefaultTransport)
	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := l.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	for i := range 2 {
		if n, err := resp.Body.Read(make([]byte, 64)); n != 0 || err != io.EOF {
			t.Errorf("read %d: %d bytes, %v; want none and EOF: the lane has the body", i+1, n, err)
		}
		if got := string(l.res.body); got != "<p>page</p>" {
			t.Errorf("after read %d the lane's body is %q", i+1, got)
		}
	}
}
