package audit

import "bytes"

// A finding's message usually names the finding's own URLs (its URL,
// source or target) in words that are the same for every finding of its
// kind: "links to URL, which redirects to TARGET in 3 hops". While the
// rules run, the engine keeps a message packed (packMessage): each of
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

// packMessage appends message msg of finding f to dst, packed.
func packMessage(dst, msg []byte, f *Finding) []byte {
	fields := [...]string{packedURL: f.URL, packedSource: f.Source, packedTarget: f.Target}
	for len(msg) > 0 {
		// The first of the fields in msg; the longest of those found at
		// one place.
		at, which := len(msg), byte(0)
		for k := packedURL; k <= packedTarget; k++ {
			s := fields[k]
			if s == "" || len(s) > len(msg) {
				continue
			}
			i := index(msg[:min(len(msg), at+len(s))], s)
			if i >= 0 && (i < at || i == at && len(s) > len(fields[which])) {
				at, which = i, k
			}
		}
		for _, b := range msg[:at] {
			if b <= packedTarget {
				dst = append(dst, packedEscape)
			}
			dst = append(dst, b)
		}
		if which == 0 {
			break
		}
		dst = append(dst, which)
		msg = msg[at+len(fields[which]):]
	}
	return dst
}

// index is strings.Index(string(b), s) for a non-empty s, without
// making a string of b.
func index(b []byte, s string) int {
	for i := 0; i+len(s) <= len(b); i++ {
		j := bytes.IndexByte(b[i:len(b)-len(s)+1], s[0])
		if j < 0 {
			return -1
		}
		if i += j; string(b[i:i+len(s)]) == s {
			return i
		}
	}
	return -1
}

// unpackMessage appends packed message m of finding f to dst, as it was
// before packMessage.
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
