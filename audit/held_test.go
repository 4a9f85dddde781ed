package audit

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"unsafe"

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
		{"overlapping", Finding{URL: "aa", Target: "aab"}, "aaab aab", 5},
		{"the URLs many times", f, strings.Repeat(tg+" "+u+"\x01", 3000), 3000 * 5},
	} {
		var k packer
		packed := k.pack([]byte(tc.msg), &tc.f)
		if got := string(unpackMessage(nil, string(packed), &tc.f)); got != tc.msg {
			t.Errorf("%s: %q packed as %q unpacks to %q", tc.name, tc.msg, packed, got)
		}
		if len(packed) != tc.want {
			t.Errorf("%s: %q packed in %d bytes (%q); want %d", tc.name, tc.msg, len(packed), packed, tc.want)
		}
	}
	// Packing takes no memory but its room: it runs for every finding.
	msg := []byte("links to " + u + ", which redirects to " + tg + " in 2 hops")
	var k packer
	k.pack(msg, &f)
	if n := testing.AllocsPerRun(100, func() { k.pack(msg, &f) }); n != 0 {
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

// TestHeldFinding: a finding is held in 96 bytes, and every field of it
// comes back from the list as it went in; a number too big for its
// held field fails the rule that reports it.
func TestHeldFinding(t *testing.T) {
	if n := unsafe.Sizeof(heldFinding{}); n > 96 {
		t.Errorf("a held finding is %d bytes; want at most 96", n)
	}
	var f Finding
	n := 0
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		for i := range v.NumField() {
			n++
			switch fv := v.Field(i); fv.Kind() {
			case reflect.String:
				fv.SetString(fmt.Sprintf("field %d", n))
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				fv.SetInt(int64(n))
			case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
				fv.SetUint(uint64(n))
			case reflect.Struct:
				fill(fv)
			default:
				t.Fatalf("Finding.%s is a %s: hold it in heldFinding, and fill it here", v.Type().Field(i).Name, fv.Kind())
			}
		}
	}
	fill(reflect.ValueOf(&f).Elem())
	var l findingList
	l.add(f)
	l.add(Finding{Rule: "other", Status: -1})
	l.add(f)
	got := l.all()
	want := []Finding{f, {Rule: "other", Status: -1}, f}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("held and given back:\n got %+v\nwant %+v", got, want)
	}

	rep := (&Engine{Rules: []*Rule{ruleRun("huge", nil, func(p *Pass) error {
		p.Reportf(Finding{URL: "/a", Hops: math.MaxInt32 + 1}, "too many")
		return nil
	})}}).Run(&crawler.Graph{})
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Err, "Hops is 2147483648") || len(rep.Findings) != 0 {
		t.Errorf("a finding with 2^31 hops: errors %v, findings %v; want the rule failed", rep.Errors, rep.Findings)
	}
}
