package crawler

import "hash/maphash"

// arena interns strings: each distinct string is kept once, in chunks
// of bytes, and named by a small integer id. It holds a few pointers
// (one per chunk) however many strings it keeps, so the garbage
// collector has next to nothing to look at in it. Id 0 is "".
//
// An arena is not safe for concurrent use while strings are added; its
// look-ups (find, bytes, str) may run concurrently with each other.
type arena struct {
	chunks [][]byte // append-only; a string lies in one chunk
	spans  []span   // by id-1
	index  index
}

// span is where a string of an arena lies.
type span struct{ chunk, off, n uint32 }

// The chunk sizes: small for the small graphs of tests and short
// crawls, doubling to the largest, beyond which a chunk holds thousands
// of strings and its waste at the end is small.
const (
	minChunk = 4 << 10
	maxChunk = 1 << 20
)

// intern returns the id of s, adding it if the arena does not hold it.
func (a *arena) intern(s string) uint32 {
	if s == "" {
		return 0
	}
	h := hashString(s)
	if id := a.index.find(h, func(id uint32) bool { return string(a.bytes(id)) == s }); id != 0 {
		return id
	}
	last := len(a.chunks) - 1
	if last < 0 || len(a.chunks[last])+len(s) > cap(a.chunks[last]) {
		size := minChunk
		if last >= 0 {
			size = min(2*cap(a.chunks[last]), maxChunk)
		}
		a.chunks = append(a.chunks, make([]byte, 0, max(size, len(s))))
		last++
	}
	c := a.chunks[last]
	a.spans = append(a.spans, span{chunk: uint32(last), off: uint32(len(c)), n: uint32(len(s))})
	a.chunks[last] = append(c, s...)
	id := uint32(len(a.spans))
	a.index.add(id, h, func(id uint32) uint64 { return maphash.Bytes(hashSeed, a.bytes(id)) })
	return id
}

// find returns the id of s, and whether the arena holds it; "" is
// always held, as id 0.
func (a *arena) find(s string) (uint32, bool) {
	if s == "" {
		return 0, true
	}
	id := a.index.find(hashString(s), func(id uint32) bool { return string(a.bytes(id)) == s })
	return id, id != 0
}

// bytes returns the string of id in the arena's memory: not to be
// changed or kept.
func (a *arena) bytes(id uint32) []byte {
	if id == 0 {
		return nil
	}
	s := a.spans[id-1]
	return a.chunks[s.chunk][s.off : s.off+s.n : s.off+s.n]
}

// str returns the string of id, in memory of its own.
func (a *arena) str(id uint32) string { return string(a.bytes(id)) }

// hashSeed hashes the strings of every index: indexes built by the same
// calls in the same order are equal (reflect.DeepEqual), as graphs
// compared by tests are.
var hashSeed = maphash.MakeSeed()

// hashString hashes s for an index.
func hashString(s string) uint64 { return maphash.String(hashSeed, s) }

// index finds items numbered from 1 by their strings: an open
// addressing table of item numbers, four bytes per slot, with no
// pointer for the garbage collector to follow. Its owner hashes the
// strings (hashString) and compares them.
type index struct {
	slots []uint32 // an item, or 0 for an empty slot; len is 0 or a power of two
	n     int      // items placed
}

// find returns the item whose string hashes to h and is the one sought
// (is reports whether item id's string is); 0 if none.
func (x *index) find(h uint64, is func(id uint32) bool) uint32 {
	if len(x.slots) == 0 {
		return 0
	}
	mask := uint64(len(x.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		id := x.slots[i]
		if id == 0 || is(id) {
			return id
		}
	}
}

// add places item id, the next one, whose string is new to the index
// and hashes to h. When the items fill half the slots, it doubles them
// and places every item again, hashed by hash.
func (x *index) add(id uint32, h uint64, hash func(id uint32) uint64) {
	x.n++
	if 2*x.n > len(x.slots) {
		x.slots = make([]uint32, max(2*len(x.slots), 64))
		for i := uint32(1); i < id; i++ {
			x.place(i, hash(i))
		}
	}
	x.place(id, h)
}

// place puts id, hashed h, in the first free slot.
func (x *index) place(id uint32, h uint64) {
	mask := uint64(len(x.slots) - 1)
	i := h & mask
	for x.slots[i] != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = id
}

// column is a list of values that grows by blocks of one size, never
// copying what it holds: a table of a million rows grows without a
// second copy of itself at each step, and a block the heap frees fits
// the next one.
type column[T any] struct {
	blocks [][]T
	n      int
}

// columnBlock is how many values a block of a column holds.
const columnBlock = 4096

// add appends v and returns its index. The first block grows as a
// slice does, so that a small column stays small.
func (c *column[T]) add(v T) int {
	k := c.n / columnBlock
	switch b := &c.blocks; {
	case k == len(*b) && k == 0:
		*b = append(*b, make([]T, 0, 64))
	case k == len(*b):
		*b = append(*b, make([]T, 0, columnBlock))
	case len((*b)[k]) == cap((*b)[k]): // the first block, full below columnBlock
		grown := make([]T, len((*b)[k]), min(2*cap((*b)[k]), columnBlock))
		copy(grown, (*b)[k])
		(*b)[k] = grown
	}
	c.blocks[k] = append(c.blocks[k], v)
	c.n++
	return c.n - 1
}

// at returns the value of index i, in place until the next add.
func (c *column[T]) at(i int) *T { return &c.blocks[i/columnBlock][i%columnBlock] }

// len returns how many values the column holds.
func (c *column[T]) len() int { return c.n }
