package crawler

import (
	"context"
	"fmt"
	"net/http"
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
