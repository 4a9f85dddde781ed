package audit

import (
	"bytes"
	"fmt"
	"math"
	"slices"
)

// findingBlock is how many findings a block of a findingList holds
// (about 100 KB).
const findingBlock = 1024

// findingList gathers the findings of a run while the rules run, as
// heldFindings, in blocks of one size, which the heap reuses. One slice
// grown finding by finding would take a bigger copy at each step, which
// no earlier, freed step can hold: with a million findings, that is many
// times their size in memory.
type findingList struct {
	blocks [][]heldFinding
	rules  []string // the rule names of the findings, by heldFinding.rule
	n      int
}

// heldFinding is a Finding as a findingList holds it: its rule as a
// number, its numbers in 32 bits, its message packed (see packer.pack).
// It is 96 bytes where a Finding is 128, and the findings gathered are
// the biggest part of the audit's memory on a big site.
type heldFinding struct {
	url, source, target, message, fixTarget string
	status, hops, fixStatus                 int32
	rule                                    uint16 // in findingList.rules (see add)
	severity                                Severity
	change                                  Change
}

// add adds finding f, whose message is packed. It panics when a number
// of f does not fit its field (statuses have three digits, chains at
// most MaxHops hops): the rule that reports it fails.
func (l *findingList) add(f Finding) {
	if k := len(l.blocks); k == 0 || len(l.blocks[k-1]) == findingBlock {
		l.blocks = append(l.blocks, make([]heldFinding, 0, findingBlock))
	}
	rule := len(l.rules) - 1
	if rule < 0 || l.rules[rule] != f.Rule {
		if rule = slices.Index(l.rules, f.Rule); rule < 0 {
			if rule = len(l.rules); rule > math.MaxUint16 {
				panic("a run of more than 65,536 rules")
			}
			l.rules = append(l.rules, f.Rule)
		}
	}
	b := &l.blocks[len(l.blocks)-1]
	*b = append(*b, heldFinding{
		url: f.URL, source: f.Source, target: f.Target, message: f.Message, fixTarget: f.Fix.Target,
		status: int32Of("Status", f.Status), hops: int32Of("Hops", f.Hops), fixStatus: int32Of("Fix.Status", f.Fix.Status),
		rule: uint16(rule), severity: f.Severity, change: f.Change,
	})
	l.n++
}

// int32Of returns v, which must fit in 32 bits, as an int32.
func int32Of(name string, v int) int32 {
	if v < math.MinInt32 || v > math.MaxInt32 {
		panic(fmt.Sprintf("a finding's %s is %d", name, v))
	}
	return int32(v)
}

// all returns the findings in one slice of their size, their messages
// unpacked, and empties the list: each block can be collected once it
// is copied. A message that is the same as the one before it shares its
// memory, as in Reportf.
func (l *findingList) all() []Finding {
	out := make([]Finding, 0, l.n)
	var buf []byte
	last := ""
	for i, b := range l.blocks {
		for _, h := range b {
			f := Finding{
				Rule: l.rules[h.rule], URL: h.url, Source: h.source, Target: h.target,
				Status: int(h.status), Hops: int(h.hops), Severity: h.severity, Change: h.change,
				Fix: Fix{Status: int(h.fixStatus), Target: h.fixTarget},
			}
			if buf = unpackMessage(buf[:0], h.message, &f); string(buf) != last {
				last = string(buf)
			}
			f.Message = last
			out = append(out, f)
		}
		l.blocks[i] = nil
	}
	*l = findingList{}
	return out
}

// A finding's message usually names the finding's own URLs (its URL,
// source or target) in words that are the same for every finding of its
// kind: "links to URL, which redirects to TARGET in 3 hops". While the
// rules run, the engine keeps a message packed (packer.pack): each of
// those URLs is a byte that stands for it, so that the message is a few
// dozen bytes, and findings of one shape reported one after another share
// one string. The messages are unpacked when the findings are gathered
// into the report (findingList.all), once the facts the rules shared are
// dropped: the peak of a big run's memory is then lower by most of the
// messages' bytes.
//
// In a packed message the bytes 1, 2 and 3 stand for the finding's URL,
// Source and Target, and byte 0 says that the byte after it is itself:
// a message may hold any byte (a site's text is in some).
const (
	packedEscape byte = iota
	packedURL
	packedSource
	packedTarget
)

// packer packs messages, as said above, in room of its own, reused
// from message to message.
type packer struct {
	fields [packedTarget + 1][]byte // the finding's URL, source and target
	out    []byte
}

// pack returns message msg of finding f, packed, in the packer's room:
// valid until the next call. It takes time linear in the message's
// length, however often the fields appear in it (a site writes some of
// its text): each field is searched for from where the last search of
// it ended.
func (k *packer) pack(msg []byte, f *Finding) []byte {
	for i, s := range [...]string{packedURL: f.URL, packedSource: f.Source, packedTarget: f.Target} {
		k.fields[i] = append(k.fields[i][:0], s...)
	}
	// next[i] is where field i is next found in msg from o, -1 where it
	// is not found any more; stale when below o.
	next := [packedTarget + 1]int{-1, -2, -2, -2}
	out := k.out[:0]
	for o := 0; o < len(msg); {
		// The first field found; the longest of those found at one place.
		at, which := len(msg), packedEscape
		for i := packedURL; i <= packedTarget; i++ {
			s := k.fields[i]
			if len(s) == 0 {
				continue
			}
			if next[i] != -1 && next[i] < o {
				if j := bytes.Index(msg[o:], s); j >= 0 {
					next[i] = o + j
				} else {
					next[i] = -1
				}
			}
			if n := next[i]; n >= 0 && (n < at || n == at && len(s) > len(k.fields[which])) {
				at, which = n, i
			}
		}
		for _, b := range msg[o:at] {
			if b <= packedTarget {
				out = append(out, packedEscape)
			}
			out = append(out, b)
		}
		if which == packedEscape {
			break
		}
		out = append(out, which)
		o = at + len(k.fields[which])
	}
	k.out = out
	return out
}

// unpackMessage appends packed message m of finding f to dst, as it was
// before packer.pack.
func unpackMessage(dst []byte, m string, f *Finding) []byte {
	for i := 0; i < len(m); i++ {
		switch b := m[i]; b {
		case packedEscape:
			i++
			dst = append(dst, m[i])
		case packedURL:
			dst = append(dst, f.URL...)
		case packedSource:
			dst = append(dst, f.Source...)
		case packedTarget:
			dst = append(dst, f.Target...)
		default:
			dst = append(dst, b)
		}
	}
	return dst
}
