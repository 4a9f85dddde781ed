package crawlfile

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
)

// selectResponse reads responses with their redirects and refreshes, by crawl; the caller
// adds the rest of the WHERE clause.
const selectResponse = `SELECT r.url, u.url, r.status, r.depth, r.content_type, r.bytes, r.elapsed_ns, r.error,
	r.parse_error, cu.url, r.truncated, r.blocked, r.refused, r.internal, r.parsed, r.noindex, r.attempts, ru.url,
	r.locations, r.location_raw, lu.url, r.location_error, r.cache_control, r.expires, r.date,
	r.vary, r.retry_after, r.refresh_header, r.link, r.x_robots_tag, r.x_redirect_by, r.refresh_kind,
	r.refresh_delay, r.refresh_raw, fu.url, r.refs
FROM responses r JOIN urls u ON u.id = r.url
LEFT JOIN urls cu ON cu.id = r.canonical LEFT JOIN urls ru ON ru.id = r.response_url
LEFT JOIN urls lu ON lu.id = r.location LEFT JOIN urls fu ON fu.id = r.refresh_url
WHERE r.crawl = ?`

// selectSitemap reads sitemaps, by crawl.
const selectSitemap = `SELECT m.url, u.url, m.source, m.status, m.entries, m.is_index, m.error, su.url, m.refs
FROM sitemaps m JOIN urls u ON u.id = m.url LEFT JOIN urls su ON su.id = m.sitemap_url
WHERE m.crawl = ?`

// scanner is *sql.Rows or *sql.Row.
type scanner interface{ Scan(dest ...any) error }

// scanResponse reads a row of selectResponse into a record.
func scanResponse(s scanner) (id int64, rec *crawler.Record, refs []byte, locations int, err error) {
	var (
		r                                     crawler.Response
		u                                     string
		contentType, errText, parseErr, canon sql.NullString
		responseURL                           sql.NullString
		nLocations                            sql.NullInt64
		raw, loc, locErr                      sql.NullString
		h                                     [9]sql.NullString
		refreshKind                           sql.NullInt64
		refreshDelay                          sql.NullFloat64
		refreshRaw, refreshURL                sql.NullString
		elapsed                               int64
	)
	err = s.Scan(&id, &u, &r.Status, &r.Depth, &contentType, &r.Bytes, &elapsed, &errText, &parseErr, &canon,
		&r.Truncated, &r.Blocked, &r.Refused, &r.Internal, &r.Parsed, &r.Noindex, &r.Attempts, &responseURL,
		&nLocations, &raw, &loc, &locErr, &h[0], &h[1], &h[2], &h[3], &h[4], &h[5], &h[6], &h[7], &h[8],
		&refreshKind, &refreshDelay, &refreshRaw, &refreshURL, &refs)
	if err != nil {
		return 0, nil, nil, 0, err
	}
	r.URL = u
	if responseURL.Valid {
		r.URL = responseURL.String
	}
	r.ContentType, r.Error, r.ParseError, r.Canonical = contentType.String, errText.String, parseErr.String, canon.String
	r.Elapsed = time.Duration(elapsed)
	if nLocations.Valid {
		r.Redirect = &crawler.Redirect{Location: loc.String, LocationErr: locErr.String}
		locations = int(nLocations.Int64)
		if raw.Valid {
			r.Redirect.Locations = make([]string, 1, locations)
			r.Redirect.Locations[0] = raw.String
		}
		for _, v := range h {
			if v.Valid {
				r.Redirect.Header = &crawler.Headers{CacheControl: h[0].String, Expires: h[1].String, Date: h[2].String,
					Vary: h[3].String, RetryAfter: h[4].String, Refresh: h[5].String, Link: h[6].String,
					XRobotsTag: h[7].String, XRedirectBy: h[8].String}
				break
			}
		}
	}
	if refreshKind.Valid {
		r.Refresh = &crawler.Refresh{Kind: crawler.HopKind(refreshKind.Int64), Delay: refreshDelay.Float64,
			Raw: refreshRaw.String, URL: refreshURL.String}
	}
	return id, &crawler.Record{Kind: crawler.RecordURL, URL: u, Response: &r}, refs, locations, nil
}

// scanSitemap reads a row of selectSitemap into a record.
func scanSitemap(s scanner) (id int64, rec *crawler.Record, refs []byte, err error) {
	var (
		m          crawler.Sitemap
		u          string
		errText    sql.NullString
		sitemapURL sql.NullString
		source     int64
	)
	if err := s.Scan(&id, &u, &source, &m.Status, &m.Entries, &m.Index, &errText, &sitemapURL, &refs); err != nil {
		return 0, nil, nil, err
	}
	m.URL, m.From, m.Error = u, crawler.SitemapSource(source), errText.String
	if sitemapURL.Valid {
		m.URL = sitemapURL.String
	}
	return id, &crawler.Record{Kind: crawler.RecordSitemap, URL: u, Sitemap: &m}, refs, nil
}

// Recorded returns the record of the task of kind and URL u, or nil when
// the crawl has none. It sees every record given to Record, written or
// not, and those of the crawl's earlier runs.
func (c *Crawl) Recorded(kind crawler.RecordKind, u string) (*crawler.Record, error) {
	if c.writable {
		c.mu.Lock()
		rec := c.pending[key{kind, u}]
		c.mu.Unlock()
		if rec != nil {
			return rec, nil
		}
	}
	ctx := context.Background()
	conn, err := c.f.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// One read transaction: what the writer commits meanwhile is not
	// half seen.
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rec, err := c.recorded(tx, kind, u)
	if err != nil {
		return nil, fmt.Errorf("%s: read the %s record of %q: %w", c.f.path, kind, truncate(u), err)
	}
	return rec, nil
}

func (c *Crawl) recorded(db *sql.Tx, kind crawler.RecordKind, u string) (*crawler.Record, error) {
	tx := &readTx{f: c.f, tx: db}
	var id int64
	err := tx.QueryRow("SELECT id FROM urls WHERE url = ?", u).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var (
		rec  *crawler.Record
		refs []byte
	)
	switch kind {
	case crawler.RecordURL:
		var locations int
		_, rec, refs, locations, err = scanResponse(tx.QueryRow(selectResponse+" AND r.url = ?", c.id, id))
		if err == nil && locations > 1 {
			err = readLocations(tx, c.id, rec, id)
		}
	case crawler.RecordSitemap:
		_, rec, refs, err = scanSitemap(tx.QueryRow(selectSitemap+" AND m.url = ?", c.id, id))
		if err == nil {
			rec.Sitemaps, err = column(tx, selectChildren, c.id, id)
		}
	case crawler.RecordSitemaps:
		var n int
		if err = tx.QueryRow("SELECT count(*) FROM robots WHERE crawl = ? AND origin = ?", c.id, id).Scan(&n); err == nil && n == 0 {
			err = sql.ErrNoRows
		}
		if err == nil {
			rec = &crawler.Record{Kind: kind, URL: u}
			rec.Sitemaps, err = column(tx, selectRobotsSitemaps, c.id, id)
		}
	default:
		return nil, fmt.Errorf("unknown record kind %d", kind)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if refs != nil {
		// The URLs and texts the references name, by their ids.
		urls, texts, err := refIDs(refs)
		names := newNames()
		if err == nil {
			err = names.query(tx, "SELECT id, url FROM urls WHERE id IN (SELECT value FROM json_each(?))", names.urls, urls)
		}
		if err == nil && texts != "[]" {
			err = names.query(tx, "SELECT id, text FROM texts WHERE id IN (SELECT value FROM json_each(?))", names.texts, texts)
		}
		if err == nil {
			rec.Refs, err = names.decode(refs, rec.URL)
		}
		if err != nil {
			return nil, err
		}
	}
	return rec, nil
}

const (
	selectChildren       = "SELECT u.url FROM sitemap_children s JOIN urls u ON u.id = s.child WHERE s.crawl = ? AND s.sitemap = ? ORDER BY s.n"
	selectRobotsSitemaps = "SELECT sitemap FROM robots_sitemaps WHERE crawl = ? AND origin = ? ORDER BY n"
)

// readTx is a read transaction that prepares its statements once for
// the file.
type readTx struct {
	f  *File
	tx *sql.Tx
}

func (r *readTx) stmt(query string) (*sql.Stmt, error) {
	f := r.f
	f.rmu.Lock()
	defer f.rmu.Unlock()
	if s, ok := f.reads[query]; ok {
		return s, nil
	}
	s, err := f.db.Prepare(query)
	if err != nil {
		return nil, err
	}
	if f.reads == nil {
		f.reads = make(map[string]*sql.Stmt)
	}
	f.reads[query] = s
	return s, nil
}

func (r *readTx) Query(query string, args ...any) (*sql.Rows, error) {
	s, err := r.stmt(query)
	if err != nil {
		return nil, err
	}
	return r.tx.Stmt(s).Query(args...)
}

// errRow is a *sql.Row whose Scan fails with err.
type errRow struct{ err error }

func (e errRow) Scan(...any) error { return e.err }

func (r *readTx) QueryRow(query string, args ...any) scanner {
	s, err := r.stmt(query)
	if err != nil {
		return errRow{err}
	}
	return r.tx.Stmt(s).QueryRow(args...)
}

// querier is *sql.Tx or *sql.DB.
type querier interface {
	Query(string, ...any) (*sql.Rows, error)
}

// readLocations reads the Location fields after the first of the
// response of rec, URL id u.
func readLocations(q querier, crawl int64, rec *crawler.Record, u int64) error {
	more, err := column(q, "SELECT raw FROM hop_locations WHERE crawl = ? AND url = ? ORDER BY n", crawl, u)
	rec.Response.Redirect.Locations = append(rec.Response.Redirect.Locations, more...)
	return err
}

// column returns the strings of a one-column query; nil for none.
func column(q querier, query string, args ...any) ([]string, error) {
	rows, err := q.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// names holds the URLs and texts that references name, by id.
type names struct {
	urls, texts map[int64]string

	// With ids, decode only writes the ids it meets to urlIDs and
	// textIDs, as JSON arrays without their closing bracket.
	ids             bool
	urlIDs, textIDs strings.Builder
}

func newNames() *names {
	return &names{urls: make(map[int64]string), texts: make(map[int64]string)}
}

// query adds the (id, text) rows of a query to m.
func (n *names) query(q querier, query string, m map[int64]string, args ...any) error {
	rows, err := q.Query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id int64
			v  string
		)
		if err := rows.Scan(&id, &v); err != nil {
			return err
		}
		m[id] = v
	}
	return rows.Err()
}

// refIDs returns the URL and text ids that the JSON text of a refs
// column names, each as a JSON array.
func refIDs(refs []byte) (urls, texts string, err error) {
	n := newNames()
	n.ids = true
	if _, err := n.decode(refs, ""); err != nil {
		return "", "", err
	}
	if n.urlIDs.Len() == 0 {
		n.urlIDs.WriteByte('[')
	}
	if n.textIDs.Len() == 0 {
		n.textIDs.WriteByte('[')
	}
	return n.urlIDs.String() + "]", n.textIDs.String() + "]", nil
}

// decode reads the JSON text of a refs column (see writeTx.refs): the
// references of source.
func (n *names) decode(b []byte, source string) ([]crawler.Reference, error) {
	bad := func() ([]crawler.Reference, error) {
		return nil, fmt.Errorf("refs of %q: unreadable: %.40q", truncate(source), b)
	}
	// num reads a number from b[i:].
	num := func(i int) (int64, int) {
		var v int64
		j := i
		for j < len(b) && b[j] >= '0' && b[j] <= '9' && j-i < 18 {
			v = v*10 + int64(b[j]-'0')
			j++
		}
		if j == i {
			return -1, i
		}
		return v, j
	}
	if len(b) < 2 || b[0] != '[' {
		return bad()
	}
	var out []crawler.Reference
	if !n.ids {
		out = make([]crawler.Reference, 0, bytes.Count(b, []byte("[")))
	}
	i := 1
	for first := true; i < len(b) && (first || b[i] == ','); first = false {
		if !first {
			i++
		}
		if i >= len(b) || b[i] != '[' {
			return bad()
		}
		var f [4]int64
		k := 0
		i++
		for k < 4 {
			v, j := num(i)
			if v < 0 {
				return bad()
			}
			f[k], k, i = v, k+1, j
			if i < len(b) && b[i] == ',' {
				i++
				continue
			}
			break
		}
		if i >= len(b) || b[i] != ']' || k < 2 {
			return bad()
		}
		i++
		if n.ids {
			n.addID(&n.urlIDs, f[0])
			if f[2] != 0 {
				n.addID(&n.textIDs, f[2])
			}
			continue
		}
		target, ok := n.urls[f[0]]
		if !ok {
			return nil, fmt.Errorf("refs of %q: no URL %d", truncate(source), f[0])
		}
		ref := crawler.Reference{Kind: crawler.RefKind(f[1]), Source: source, Target: target, Nofollow: f[3] == 1}
		if f[2] != 0 {
			if ref.Text, ok = n.texts[f[2]]; !ok {
				return nil, fmt.Errorf("refs of %q: no text %d", truncate(source), f[2])
			}
		}
		out = append(out, ref)
	}
	if i != len(b)-1 || b[i] != ']' {
		return bad()
	}
	return out, nil
}

// addID adds id to the JSON array of ids b.
func (n *names) addID(b *strings.Builder, id int64) {
	if b.Len() == 0 {
		b.WriteByte('[')
	} else {
		b.WriteByte(',')
	}
	b.WriteString(strconv.FormatInt(id, 10))
}

// Records returns every record of the crawl, in no particular order,
// as Recorded would. Those given to Record and not yet written are not
// in it: call Flush first. It reads one snapshot of the file, in one
// transaction.
func (c *Crawl) Records() iter.Seq2[*crawler.Record, error] {
	return func(yield func(*crawler.Record, error) bool) {
		err := c.records(yield)
		if err != nil && err != errStop {
			yield(nil, fmt.Errorf("%s: read the records of crawl %d: %w", c.f.path, c.id, err))
		}
	}
}

// errStop says that the caller of Records stopped.
var errStop = errors.New("stop")

func (c *Crawl) records(yield func(*crawler.Record, error) bool) error {
	ctx := context.Background()
	conn, err := c.f.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()

	// Every URL and text, once: the references share them.
	names := newNames()
	if err := names.query(tx, "SELECT id, url FROM urls", names.urls); err != nil {
		return err
	}
	if err := names.query(tx, "SELECT id, text FROM texts", names.texts); err != nil {
		return err
	}

	// The Location fields after the first, of the few responses that
	// sent several.
	more := make(map[int64][]string)
	locs, err := tx.Query("SELECT url, raw FROM hop_locations WHERE crawl = ? ORDER BY url, n", c.id)
	if err != nil {
		return err
	}
	for locs.Next() {
		var (
			id  int64
			raw string
		)
		if err := locs.Scan(&id, &raw); err != nil {
			locs.Close()
			return err
		}
		more[id] = append(more[id], raw)
	}
	locs.Close()
	if err := locs.Err(); err != nil {
		return err
	}

	rows, err := tx.Query(selectResponse, c.id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		id, rec, refs, locations, err := scanResponse(rows)
		if err != nil {
			return err
		}
		if locations > 1 {
			rec.Response.Redirect.Locations = append(rec.Response.Redirect.Locations, more[id]...)
		}
		if refs != nil {
			if rec.Refs, err = names.decode(refs, rec.URL); err != nil {
				return err
			}
		}
		if !yield(rec, nil) {
			return errStop
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()

	// Sitemaps, and the Sitemap lines of robots.txt: few.
	var (
		recs []*crawler.Record
		ids  []int64
	)
	sitemaps, err := tx.Query(selectSitemap, c.id)
	if err != nil {
		return err
	}
	defer sitemaps.Close()
	for sitemaps.Next() {
		id, rec, refs, err := scanSitemap(sitemaps)
		if err != nil {
			return err
		}
		if refs != nil {
			if rec.Refs, err = names.decode(refs, rec.URL); err != nil {
				return err
			}
		}
		recs, ids = append(recs, rec), append(ids, id)
	}
	if err := sitemaps.Err(); err != nil {
		return err
	}
	sitemaps.Close()
	origins, err := tx.Query("SELECT r.origin, u.url FROM robots r JOIN urls u ON u.id = r.origin WHERE r.crawl = ?", c.id)
	if err != nil {
		return err
	}
	defer origins.Close()
	for origins.Next() {
		rec := &crawler.Record{Kind: crawler.RecordSitemaps}
		var id int64
		if err := origins.Scan(&id, &rec.URL); err != nil {
			return err
		}
		recs, ids = append(recs, rec), append(ids, id)
	}
	if err := origins.Err(); err != nil {
		return err
	}
	origins.Close()
	for i, rec := range recs {
		query := selectChildren
		if rec.Kind == crawler.RecordSitemaps {
			query = selectRobotsSitemaps
		}
		if rec.Sitemaps, err = column(tx, query, c.id, ids[i]); err != nil {
			return err
		}
		if !yield(rec, nil) {
			return errStop
		}
	}
	return nil
}
