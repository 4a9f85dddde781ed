package crawler

import (
	"cmp"
	"hash/maphash"
	"iter"
	"slices"
	"time"
)

// table holds a graph's responses with one pointer per response, its
// URL: the rest of each is a row of numbers, its other strings are ids
// in an arena, and the rare parts (a redirect's fields, a refresh) are
// rows of their own. A crawl of a million URLs keeps a million responses
// for the whole run; held as structs in a map, every garbage collection
// would look at each of them and their strings again. The URL is a
// string of its own, which the crawl's frontier and references share,
// and so do the responses made from the table (see response), and what
// the audit keeps of them. A Response is made from its row when it is
// asked for.
type table struct {
	urls      column[string] // by row
	rows      column[row]
	byURL     index // the rows, numbered from 1, by URL
	strs      arena
	types     map[uint32]string // the first content types, made once: most responses have one of a few
	redirects []redirectRow
	locations []uint32 // the redirects' Locations, in runs
	headers   []headerRow
	refreshes []refreshRow
}

// row is a Response but its URL; its strings are ids in the table's
// arena.
type row struct {
	contentType, err, parseErr, canonical uint32
	redirect, refresh                     uint32 // index+1 in redirects, refreshes; 0 = nil
	status, depth                         int32
	bytes                                 int64
	elapsed                               time.Duration
	referrers                             Referrers // after the 8-byte fields: no padding before them
	flags                                 rowFlags
	attempts                              uint8
}

// rowFlags are a Response's booleans.
type rowFlags uint8

const (
	rowTruncated rowFlags = 1 << iota
	rowBlocked
	rowRefused
	rowInternal
	rowParsed
	rowNoindex
)

// redirectRow is a Redirect.
type redirectRow struct {
	locations, nlocations uint32 // the run of Locations in the table's locations
	location, locationErr uint32
	header                uint32 // index+1 in headers; 0 = nil
}

// headerRow is a Headers: the ids of its fields, in their order.
type headerRow [9]uint32

// refreshRow is a Refresh.
type refreshRow struct {
	kind     HopKind
	delay    float64
	raw, url uint32
}

// sendsOn reports whether the response of URL u sends the client on,
// as Response.Next does.
func (t *table) sendsOn(u string) bool {
	i, ok := t.index(u)
	if !ok {
		return false
	}
	_, _, ok = t.next(i)
	return ok
}

// next returns where the response of row i sends the client, as
// Response.Next does, without making the response: the hop but its
// URL, status and Target, and the arena id of its target.
func (t *table) next(i int) (h Hop, target uint32, ok bool) {
	w := t.rows.at(i)
	switch {
	case w.flags&rowBlocked != 0 || w.status == 0:
		return Hop{}, 0, false
	case IsRedirectStatus(int(w.status)):
		if w.redirect == 0 {
			return Hop{}, 0, false
		}
		target = t.redirects[w.redirect-1].location
		return Hop{Kind: HopHTTP}, target, target != 0
	case w.refresh != 0 && w.status >= 200 && w.status < 300:
		f := &t.refreshes[w.refresh-1]
		return Hop{Kind: f.kind, Delay: f.delay}, f.url, true
	}
	return Hop{}, 0, false
}

// hop returns the hop the response of row i makes, as Response.Next
// says, without making the response; false when it sends the client
// nowhere.
func (t *table) hop(i int) (Hop, bool) {
	h, target, ok := t.next(i)
	if !ok {
		return Hop{}, false
	}
	h.URL, h.Status, h.Target = *t.urls.at(i), int(t.rows.at(i).status), t.url(target)
	return h, true
}

// len returns how many responses the table holds.
func (t *table) len() int { return t.rows.len() }

// index returns the index of the row of URL u.
func (t *table) index(u string) (int, bool) {
	id := t.byURL.find(hashString(u), func(id uint32) bool { return *t.urls.at(int(id) - 1) == u })
	return int(id) - 1, id != 0
}

// url returns the string of id of the table's arena: the URL of a row
// if it is one, else made anew.
func (t *table) url(id uint32) string {
	if id == 0 {
		return ""
	}
	b := t.strs.bytes(id)
	if s, ok := t.urlOf(b); ok {
		return s
	}
	return string(b)
}

// urlOf returns the URL of the row whose URL is b, if there is one.
func (t *table) urlOf(b []byte) (string, bool) {
	i := t.byURL.find(maphash.Bytes(hashSeed, b), func(id uint32) bool { return *t.urls.at(int(id) - 1) == string(b) })
	if i == 0 {
		return "", false
	}
	return *t.urls.at(int(i) - 1), true
}

// put keeps r as the response of URL u, r.URL or a string equal to it,
// in place of any response for u, and returns the index of its row. The
// row's referrers are r's.
func (t *table) put(u string, r *Response) int {
	s := &t.strs
	w := row{
		contentType: s.intern(r.ContentType), err: s.intern(r.Error),
		parseErr: s.intern(r.ParseError), canonical: s.intern(r.Canonical),
		status: int32(r.Status), depth: int32(r.Depth), referrers: r.Referrers,
		bytes: r.Bytes, elapsed: r.Elapsed, attempts: r.Attempts,
	}
	for _, f := range [...]struct {
		on   bool
		flag rowFlags
	}{{r.Truncated, rowTruncated}, {r.Blocked, rowBlocked}, {r.Refused, rowRefused}, {r.Internal, rowInternal}, {r.Parsed, rowParsed}, {r.Noindex, rowNoindex}} {
		if f.on {
			w.flags |= f.flag
		}
	}
	if d := r.Redirect; d != nil {
		x := redirectRow{locations: uint32(len(t.locations)), nlocations: uint32(len(d.Locations)),
			location: s.intern(d.Location), locationErr: s.intern(d.LocationErr)}
		for _, l := range d.Locations {
			t.locations = append(t.locations, s.intern(l))
		}
		if h := d.Header; h != nil {
			t.headers = append(t.headers, headerRow{s.intern(h.CacheControl), s.intern(h.Expires), s.intern(h.Date), s.intern(h.Vary),
				s.intern(h.RetryAfter), s.intern(h.Refresh), s.intern(h.Link), s.intern(h.XRobotsTag), s.intern(h.XRedirectBy)})
			x.header = uint32(len(t.headers))
		}
		t.redirects = append(t.redirects, x)
		w.redirect = uint32(len(t.redirects))
	}
	if f := r.Refresh; f != nil {
		t.refreshes = append(t.refreshes, refreshRow{kind: f.Kind, delay: f.Delay, raw: s.intern(f.Raw), url: s.intern(f.URL)})
		w.refresh = uint32(len(t.refreshes))
	}
	if _, ok := t.types[w.contentType]; !ok && w.contentType != 0 && len(t.types) < maxTypes {
		if t.types == nil {
			t.types = map[uint32]string{}
		}
		t.types[w.contentType] = r.ContentType
	}
	if i, ok := t.index(u); ok {
		*t.rows.at(i) = w // the replaced row's redirect and refresh rows stay, unused: a replacement is rare
		return i
	}
	t.urls.add(u)
	i := t.rows.add(w)
	t.byURL.add(uint32(i+1), hashString(u), func(id uint32) uint64 { return hashString(*t.urls.at(int(id) - 1)) })
	return i
}

// maxTypes is how many content types a table makes once (see types):
// a site may send a type of its own with every response.
const maxTypes = 256

// response makes the Response of row i. Its URL strings (its own, its
// Location, canonical or refresh target) are the table's where it has
// them.
func (t *table) response(i int) *Response {
	w, s := t.rows.at(i), &t.strs
	ct, ok := t.types[w.contentType]
	if !ok {
		ct = s.str(w.contentType)
	}
	var r *Response
	var d *Redirect
	if w.redirect == 0 {
		r = new(Response)
	} else {
		// One allocation: most redirects have one Location.
		b := new(struct {
			r    Response
			d    Redirect
			locs [1]string
		})
		r, d = &b.r, &b.d
		d.Locations = b.locs[:0]
	}
	*r = Response{
		URL: *t.urls.at(i), ContentType: ct, Error: s.str(w.err),
		ParseError: s.str(w.parseErr), Canonical: t.url(w.canonical),
		Status: int(w.status), Depth: int(w.depth), Referrers: w.referrers,
		Bytes: w.bytes, Elapsed: w.elapsed, Attempts: w.attempts,
		Truncated: w.flags&rowTruncated != 0, Blocked: w.flags&rowBlocked != 0, Refused: w.flags&rowRefused != 0,
		Internal: w.flags&rowInternal != 0, Parsed: w.flags&rowParsed != 0, Noindex: w.flags&rowNoindex != 0,
	}
	if w.redirect != 0 {
		t.fillRedirect(i, d)
		r.Redirect = d
	}
	if w.refresh != 0 {
		f := &t.refreshes[w.refresh-1]
		r.Refresh = &Refresh{Kind: f.kind, Delay: f.delay, Raw: s.str(f.raw), URL: t.url(f.url)}
	}
	return r
}

// redirect makes the Redirect of row i's response; nil when it has none.
func (t *table) redirect(i int) *Redirect {
	if t.rows.at(i).redirect == 0 {
		return nil
	}
	b := new(struct { // one allocation, as in response
		d    Redirect
		locs [1]string
	})
	b.d.Locations = b.locs[:0]
	t.fillRedirect(i, &b.d)
	return &b.d
}

// fillRedirect fills d with the Redirect of row i's response, which has
// one, appending its Locations to d.Locations.
func (t *table) fillRedirect(i int, d *Redirect) {
	x := &t.redirects[t.rows.at(i).redirect-1]
	d.Location, d.LocationErr = t.url(x.location), t.strs.str(x.locationErr)
	if x.nlocations == 0 {
		d.Locations = nil
	}
	for _, id := range t.locations[x.locations : x.locations+x.nlocations] {
		d.Locations = append(d.Locations, t.url(id)) // an absolute Location is often a URL the table has
	}
	if h, ok := t.header(i); ok {
		d.Header = &h
	}
}

// header returns the header fields of row i's response, its
// Redirect.Header; false when it has none.
func (t *table) header(i int) (Headers, bool) {
	w := t.rows.at(i)
	if w.redirect == 0 || t.redirects[w.redirect-1].header == 0 {
		return Headers{}, false
	}
	h, s := &t.headers[t.redirects[w.redirect-1].header-1], &t.strs
	return Headers{CacheControl: s.str(h[0]), Expires: s.str(h[1]), Date: s.str(h[2]), Vary: s.str(h[3]),
		RetryAfter: s.str(h[4]), Refresh: s.str(h[5]), Link: s.str(h[6]), XRobotsTag: s.str(h[7]), XRedirectBy: s.str(h[8])}, true
}

// answer returns the gist of row i's response (see Answer).
func (t *table) answer(i int) Answer {
	w := t.rows.at(i)
	return Answer{Status: int(w.status), Error: w.err != 0, Redirect: w.redirect != 0,
		Blocked: w.flags&rowBlocked != 0, Refused: w.flags&rowRefused != 0, Internal: w.flags&rowInternal != 0}
}

// sorted yields the table's responses in the order of their URLs.
func (t *table) sorted() iter.Seq[*Response] {
	return func(yield func(*Response) bool) {
		order := make([]int32, t.len())
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(*t.urls.at(int(a)), *t.urls.at(int(b))) })
		for _, i := range order {
			if !yield(t.response(int(i))) {
				return
			}
		}
	}
}

// all yields the table's responses, in the order they were put.
func (t *table) all() iter.Seq[*Response] {
	return func(yield func(*Response) bool) {
		for i := range t.rows.len() {
			if !yield(t.response(i)) {
				return
			}
		}
	}
}
