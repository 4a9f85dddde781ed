package crawler

import (
	"fmt"
	"slices"
	"testing"
)

// TestWaitList files references under several lists at once, takes some
// lists, and checks that every list gives back exactly its references
// and that taken room is used again before the blocks grow.
func TestWaitList(t *testing.T) {
	var l waitList
	lists := make([]int32, 5)
	want := make([][]string, len(lists))
	add := func(k int) {
		src := fmt.Sprintf("s%d-%d", k, len(want[k]))
		lists[k] = l.add(lists[k], waiting{kind: RefAnchor, source: src})
		want[k] = append(want[k], src)
	}
	take := func(k int) {
		var got []string
		l.take(lists[k], func(w *waiting) { got = append(got, w.source) })
		slices.Sort(got)
		slices.Sort(want[k])
		if !slices.Equal(got, want[k]) {
			t.Errorf("list %d gave %v; want %v", k, got, want[k])
		}
		lists[k], want[k] = 0, nil
	}
	for i := range 3 * waitBlock {
		add(i % len(lists))
	}
	freed := len(want[1]) + len(want[3])
	take(1)
	take(3)
	used, blocks := l.used, len(l.blocks)
	for i := range freed {
		add([]int{1, 3}[i%2])
	}
	if l.used != used || len(l.blocks) != blocks {
		t.Errorf("after taking two lists and filing as many again: %d references placed in %d blocks; want %d in %d", l.used, len(l.blocks), used, blocks)
	}
	add(0)
	if l.used != used+1 {
		t.Errorf("with no free room, %d references placed; want %d", l.used, used+1)
	}
	for k := range lists {
		take(k)
	}
	var none []string
	l.take(0, func(w *waiting) { none = append(none, w.source) })
	if none != nil {
		t.Errorf("the empty list gave %v", none)
	}
}

// TestWaitListMove empties most lists of a big waitList, which makes it
// sparse, and moves the rest into a fresh one, as the crawl does when its
// frontier shrinks: every moved list keeps its references, in fewer
// blocks.
func TestWaitListMove(t *testing.T) {
	var l waitList
	lists := make([]int32, 100)
	for i := range 40 * waitBlock {
		k := i % len(lists)
		lists[k] = l.add(lists[k], waiting{kind: RefAnchor, source: fmt.Sprint(k), text: fmt.Sprint(i)})
	}
	if l.sparse() {
		t.Fatal("a full waitList says it is sparse")
	}
	for k := range 80 {
		l.take(lists[k], func(*waiting) {})
		lists[k] = 0
	}
	if !l.sparse() {
		t.Fatalf("%d of %d references left: the waitList should be sparse", l.live, l.used)
	}
	var fresh waitList
	for k := 80; k < len(lists); k++ {
		lists[k] = l.move(lists[k], &fresh)
	}
	if l.live != 0 || fresh.live != fresh.used || len(fresh.blocks) != 8 {
		t.Errorf("after the move: %d references left behind; the fresh list holds %d in %d rooms and %d blocks, want 8 blocks", l.live, fresh.live, fresh.used, len(fresh.blocks))
	}
	for k := 80; k < len(lists); k++ {
		n := 0
		fresh.take(lists[k], func(w *waiting) {
			if w.source != fmt.Sprint(k) {
				t.Fatalf("list %d holds a reference of list %s", k, w.source)
			}
			n++
		})
		if n != 40*waitBlock/len(lists) {
			t.Errorf("list %d: %d references moved; want %d", k, n, 40*waitBlock/len(lists))
		}
	}
}
