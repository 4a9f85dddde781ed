package crawler

import (
	"fmt"
	"testing"
)

// TestMemoryFrontierForgets: the seen set keeps the URLs scheduled and
// not yet recorded. A URL Done and recorded leaves it (the crawl's
// graph answers for it), one Done without a record stays, and a seen
// set that has shrunk to a quarter is made anew, so that it gives back
// its room.
func TestMemoryFrontierForgets(t *testing.T) {
	const n = 10000
	f := NewMemoryFrontier(Config{})
	tasks := make([]Task, n)
	for i := range tasks {
		tasks[i] = Task{URL: fmt.Sprintf("http://h.test/%d", i)}
	}
	f.Add(tasks, make([]AddResult, n))
	for i := range n {
		tk, ok := f.Next(nil)
		if !ok {
			t.Fatalf("Next ended after %d tasks", i)
		}
		f.Done(tk, false, tk.URL != "http://h.test/7")
	}
	if _, ok := f.Next(nil); ok {
		t.Fatal("Next handed out more than was added")
	}
	if len(f.urls) != 1 {
		t.Errorf("the seen set holds %d URLs; want 1, the one not recorded", len(f.urls))
	}
	if f.urlsMost == 0 || f.urlsMost >= n/4 {
		t.Errorf("the seen set was not made anew: it held %d URLs at most since it was made; want fewer than %d, and more than 0", f.urlsMost, n/4)
	}
	again := []Task{{URL: "http://h.test/7"}, {URL: "http://h.test/8"}}
	result := make([]AddResult, len(again))
	f.Add(again, result)
	if result[0] != Scheduled || result[1] != Added {
		t.Errorf("Add again of the URL not recorded and of one recorded = %v; want [%v %v]", result, Scheduled, Added)
	}
}
