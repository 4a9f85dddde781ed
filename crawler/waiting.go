package crawler

// waiting is a reference whose target, a pending URL, has not answered
// yet: a Reference without its target. While the crawl runs ahead of its
// fetches, a site of many links has many of them: 40 bytes each.
type waiting struct {
	source, text string
	next         int32 // the next reference to the same URL, as a waitList index
	kind         RefKind
	nofollow     bool
}

// to is the reference to target.
func (w *waiting) to(target string) Reference {
	return Reference{Kind: w.kind, Nofollow: w.nofollow, Source: w.source, Target: target, Text: w.text}
}

// waitBlock is how many references a block of a waitList holds (40 KB).
const waitBlock = 1024

// waitList holds every waiting reference of a crawl, as one linked list
// per pending URL, in blocks of one size; a taken reference's room is
// used again. A slice per URL, grown one reference at a time, would
// leave a third of its room unused.
//
// A list is known by the index of its first reference plus one, so that
// the zero index is the empty list.
type waitList struct {
	blocks [][]waiting
	used   int32 // rooms ever filled: the blocks are filled up to here
	free   int32 // a list of the rooms of taken references
	live   int32 // references held
}

func (l *waitList) at(i int32) *waiting { return &l.blocks[i/waitBlock][i%waitBlock] }

// add puts w in front of list and returns the longer list.
func (l *waitList) add(list int32, w waiting) int32 {
	i := l.free - 1
	if l.free != 0 {
		l.free = l.at(i).next
	} else {
		i = l.used
		l.used++
		if int(i/waitBlock) == len(l.blocks) {
			l.blocks = append(l.blocks, make([]waiting, waitBlock))
		}
	}
	w.next = list
	*l.at(i) = w
	l.live++
	return i + 1
}

// take calls f with every reference of list and frees their room.
func (l *waitList) take(list int32, f func(*waiting)) {
	for list != 0 {
		w := l.at(list - 1)
		next := w.next
		f(w)
		*w = waiting{next: l.free}
		l.free = list
		l.live--
		list = next
	}
}

// sparse reports whether most of the list's blocks are empty room: the
// crawl ran ahead of its fetches, and has since caught up.
func (l *waitList) sparse() bool {
	return len(l.blocks) >= 16 && l.live < l.used/4
}

// move takes list from l and returns it filed in dst.
func (l *waitList) move(list int32, dst *waitList) int32 {
	moved := int32(0)
	l.take(list, func(w *waiting) { moved = dst.add(moved, *w) })
	return moved
}
