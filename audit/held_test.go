package audit

import (
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

// TestPackMessage: a packed message unpacks to the message, whatever
// bytes it holds and however the finding's URLs lie in it, and is
// shorter by the URLs it names.
func TestPackMessage(t *testing.T) {
	const (
		u  = "http://h.test/old"
		tg = "http://h.test/old/new"
		s  = "http://h.test/"
	)
	f := Finding{URL: u, Source: s, Target: tg}
	for _, tc := range []struct {
		name string
		f    Finding
		msg  string
		want int // the packed length
	}{
		{"URLs", f, "links to " + u + ", which redirects to " + tg + " in 2 hops", len("links to , which redirects to  in 2 hops") + 2},
		{"target holds the URL", f, tg + u + tg, 3},
		{"URL twice, source after", f, u + " " + u + s, 4},
		{"no URL", f, "answers 300 Multiple Choices", len("answers 300 Multiple Choices")},
		{"the marker bytes", f, "\x00\x01\x02\x03\x04 " + u + "\x01", 5*2 - 1 + 2 + 2},
		{"empty fields", Finding{}, "a \x02 b", len("a \x02 b") + 1},
		{"same URLs", Finding{URL: u, Source: u, Target: u}, "from " + u + " to " + u, len("from  to ") + 2},
		{"part of a URL", Finding{URL: u, Target: tg}, "http://h.test/ol", len("http://h.test/ol")},
		{"empty", f, "", 0},
	} {
		packed := packMessage(nil, []byte(tc.msg), &tc.f)
		if got := string(unpackMessage(nil, string(packed), &tc.f)); got != tc.msg {
			t.Errorf("%s: %q packed as %q unpacks to %q", tc.name, tc.msg, packed, got)
		}
		if len(packed) != tc.want {
			t.Errorf("%s: %q packed in %d bytes (%q); want %d", tc.name, tc.msg, len(packed), packed, tc.want)
		}
	}
	// Packing takes no memory but its room: it runs for every finding.
	msg := []byte("links to " + u + ", which redirects to " + tg + " in 2 hops")
	room := packMessage(nil, msg, &f)
	if n := testing.AllocsPerRun(100, func() { room = packMessage(room[:0], msg, &f) }); n != 0 {
		t.Errorf("packing a message allocates %v times", n)
	}
}

// TestReportPacksMessages: the findings of one shape share one packed
// message while the rules run, and the report has them unpacked.
func TestReportPacksMessages(t *testing.T) {
	var packed []string
	rep := (&Engine{Rules: []*Rule{ruleRun("r", nil, func(p *Pass) error {
		for _, u := range []string{"/a", "/b", "/c"} {
			p.Reportf(Finding{URL: u, Target: u + "/new"}, "%s redirects to %s", u, u+"/new")
			packed = append(packed, p.lastMsg)
		}
		return nil
	})}}).Run(&crawler.Graph{})
	if packed[0] != packed[1] || packed[1] != packed[2] || strings.Contains(packed[0], "/a") {
		t.Errorf("packed messages %q; want one, without the URLs", packed)
	}
	for i, f := range rep.Findings {
		if want := f.URL + " redirects to " + f.URL + "/new"; f.Message != want {
			t.Errorf("finding %d: message %q; want %q", i, f.Message, want)
		}
	}
}
