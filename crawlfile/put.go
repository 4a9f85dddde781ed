package crawlfile

import (
	"strconv"

	"github.com/hopaudit/hopaudit/crawler"
)

const (
	insertResponse = `INSERT INTO responses (crawl, url, status, depth, content_type, bytes, elapsed_ns, error,
		parse_error, canonical, truncated, blocked, refused, internal, parsed, noindex, attempts, response_url, refs,
		locations, location_raw, location, location_error, cache_control, expires, date, vary, retry_after,
		refresh_header, link, x_robots_tag, x_redirect_by, refresh_kind, refresh_delay, refresh_raw, refresh_url)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertSitemap = `INSERT INTO sitemaps (crawl, url, source, status, entries, is_index, error, sitemap_url, refs)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// put writes rec in transaction tx. A record of the same task already
// in the crawl is replaced.
func (c *Crawl) put(tx *writeTx, rec *crawler.Record) error {
	u, err := tx.urlID(rec.URL)
	if err != nil {
		return err
	}
	err = c.putRow(tx, rec, u)
	if isConstraint(err) {
		if err := c.deleteRecord(tx, rec.Kind, u); err != nil {
			return err
		}
		err = c.putRow(tx, rec, u)
	}
	if err != nil {
		return err
	}
	switch rec.Kind {
	case crawler.RecordURL:
		return c.putLocations(tx, rec.Response, u)
	case crawler.RecordSitemap:
		for i, s := range rec.Sitemaps {
			child, err := tx.urlID(s)
			if err != nil {
				return err
			}
			if err := tx.exec("INSERT INTO sitemap_children (crawl, sitemap, n, child) VALUES (?, ?, ?, ?)", c.id, u, i, child); err != nil {
				return err
			}
		}
	case crawler.RecordSitemaps:
		for i, s := range rec.Sitemaps {
			if err := tx.exec("INSERT INTO robots_sitemaps (crawl, origin, n, sitemap) VALUES (?, ?, ?, ?)", c.id, u, i, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// putRow writes the row that says rec is recorded: its response, its
// sitemap, or its origin's robots.txt.
func (c *Crawl) putRow(tx *writeTx, rec *crawler.Record, u int64) error {
	refs, err := tx.refs(rec.Refs)
	if err != nil {
		return err
	}
	switch rec.Kind {
	case crawler.RecordURL:
		r := rec.Response
		var canonical any
		canonical, err = tx.optURLID(r.Canonical)
		if err != nil {
			return err
		}
		var responseURL any
		if r.URL != rec.URL {
			if responseURL, err = tx.urlID(r.URL); err != nil {
				return err
			}
		}
		args := append(make([]any, 0, 36), c.id, u, r.Status, r.Depth, null(r.ContentType), r.Bytes, int64(r.Elapsed),
			null(r.Error), null(r.ParseError), canonical, r.Truncated, r.Blocked, r.Refused, r.Internal, r.Parsed,
			r.Noindex, r.Attempts, responseURL, refs)
		if args, err = tx.hopArgs(args, r); err != nil {
			return err
		}
		return tx.exec(insertResponse, args...)
	case crawler.RecordSitemap:
		s := rec.Sitemap
		var sitemapURL any
		if s.URL != rec.URL {
			id, err := tx.urlID(s.URL)
			if err != nil {
				return err
			}
			sitemapURL = id
		}
		return tx.exec(insertSitemap, c.id, u, s.From, s.Status, s.Entries, s.Index, null(s.Error), sitemapURL, refs)
	default:
		return tx.exec("INSERT INTO robots (crawl, origin) VALUES (?, ?)", c.id, u)
	}
}

// deleteRecord deletes the rows of the record of kind and URL id u.
func (c *Crawl) deleteRecord(tx *writeTx, kind crawler.RecordKind, u int64) error {
	var stmts []string
	switch kind {
	case crawler.RecordURL:
		stmts = []string{"DELETE FROM responses WHERE crawl = ? AND url = ?", "DELETE FROM hop_locations WHERE crawl = ? AND url = ?"}
	case crawler.RecordSitemap:
		stmts = []string{"DELETE FROM sitemaps WHERE crawl = ? AND url = ?", "DELETE FROM sitemap_children WHERE crawl = ? AND sitemap = ?"}
	default:
		stmts = []string{"DELETE FROM robots WHERE crawl = ? AND origin = ?", "DELETE FROM robots_sitemaps WHERE crawl = ? AND origin = ?"}
	}
	for _, s := range stmts {
		if err := tx.exec(s, c.id, u); err != nil {
			return err
		}
	}
	return nil
}

// hopArgs appends to args the values of the hop columns of response r:
// its redirect and refresh, NULL where it has none.
func (tx *writeTx) hopArgs(args []any, r *crawler.Response) ([]any, error) {
	hop := make([]any, 17)
	if d := r.Redirect; d != nil {
		hop[0] = len(d.Locations)
		if len(d.Locations) > 0 {
			hop[1] = d.Locations[0]
		}
		loc, err := tx.optURLID(d.Location)
		if err != nil {
			return nil, err
		}
		hop[2], hop[3] = loc, null(d.LocationErr)
		if h := d.Header; h != nil {
			copy(hop[4:], []any{h.CacheControl, h.Expires, h.Date, h.Vary, h.RetryAfter, h.Refresh, h.Link, h.XRobotsTag, h.XRedirectBy})
		}
	}
	if f := r.Refresh; f != nil {
		to, err := tx.optURLID(f.URL)
		if err != nil {
			return nil, err
		}
		hop[13], hop[14], hop[15], hop[16] = f.Kind, f.Delay, null(f.Raw), to
	}
	return append(args, hop...), nil
}

// putLocations writes the Location fields after the first of response
// r, if any.
func (c *Crawl) putLocations(tx *writeTx, r *crawler.Response, u int64) error {
	if r.Redirect == nil {
		return nil
	}
	for i := 1; i < len(r.Redirect.Locations); i++ {
		if err := tx.exec("INSERT INTO hop_locations (crawl, url, n, raw) VALUES (?, ?, ?, ?)", c.id, u, i, r.Redirect.Locations[i]); err != nil {
			return err
		}
	}
	return nil
}

// refs encodes references as the JSON text of a refs column, or nil
// (SQL NULL) for none: an array with an array per reference of the ids
// of its target and kind, then the id of its text (0 for none) and 1
// when it is nofollow, each left out when zero at the end:
// [[12,1,3],[40,4],[41,1,0,1]].
func (tx *writeTx) refs(refs []crawler.Reference) (any, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	b := tx.buf[:0]
	b = append(b, '[')
	for i := range refs {
		ref := &refs[i]
		target, err := tx.urlID(ref.Target)
		if err != nil {
			return nil, err
		}
		text, err := tx.textID(ref.Text)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, target, 10)
		b = append(b, ',')
		b = strconv.AppendUint(b, uint64(ref.Kind), 10)
		if text != 0 || ref.Nofollow {
			b = append(b, ',')
			b = strconv.AppendInt(b, text, 10)
		}
		if ref.Nofollow {
			b = append(b, ",1"...)
		}
		b = append(b, ']')
	}
	b = append(b, ']')
	tx.buf = b
	return string(b), nil
}
