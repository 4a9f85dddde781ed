package audit

import (
	"testing"
	"unsafe"

	"github.com/hopaudit/hopaudit/crawler"
)

// TestReportfSharesMessages: a finding whose message is the same as the
// one before it shares that message's memory, as a template's link to a
// redirect on every page makes them; a different message is its own.
func TestReportfSharesMessages(t *testing.T) {
	rep := (&Engine{Rules: []*Rule{ruleRun("r", nil, func(p *Pass) error {
		for _, src := range []string{"/a", "/b", "/c"} {
			p.Reportf(Finding{URL: "/old", Source: src}, "links to %s, which redirects", "/old")
		}
		p.Reportf(Finding{URL: "/other", Source: "/a"}, "links to %s, which redirects", "/other")
		return nil
	})}}).Run(&crawler.Graph{})
	fs := rep.Findings
	if len(fs) != 4 || fs[0].Message != "links to /old, which redirects" || fs[3].Message != "links to /other, which redirects" {
		t.Fatalf("findings %+v", fs)
	}
	for _, f := range fs[1:3] {
		if f.Message != fs[0].Message || unsafe.StringData(f.Message) != unsafe.StringData(fs[0].Message) {
			t.Errorf("the message of %s from %s has memory of its own", f.URL, f.Source)
		}
	}
	if unsafe.StringData(fs[3].Message) == unsafe.StringData(fs[0].Message) {
		t.Error("two messages share memory")
	}
}
