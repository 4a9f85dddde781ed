package crawlfile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ids maps the URLs and texts of the file to their ids. The write
// connection, the only one that adds any, loads them all before its
// first write and numbers new ones itself: a lookup costs no query, and
// the new ones are inserted many rows a statement when the transaction
// commits (flush). What a transaction adds is forgotten if it rolls
// back.
type ids struct {
	loaded      bool
	urls, texts table
}

// table is the ids of one table (urls or texts).
type table struct {
	name, col string
	ids       map[string]int64
	next      int64
	added     []string // by the transaction, in the order of their ids
}

func newIDs() *ids {
	return &ids{urls: table{name: "urls", col: "url"}, texts: table{name: "texts", col: "text"}}
}

// load reads the ids of tb.
func (tb *table) load(tx *writeTx) error {
	tb.ids = make(map[string]int64)
	rows, err := tx.f.w.QueryContext(tx.ctx, "SELECT id, "+tb.col+" FROM "+tb.name)
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
		tb.ids[v] = id
		tb.next = max(tb.next, id)
	}
	tb.next++
	return rows.Err()
}

// id returns the id of v, numbering it when new.
func (tb *table) id(v string) int64 {
	if id, ok := tb.ids[v]; ok {
		return id
	}
	id := tb.next
	tb.next++
	tb.ids[v] = id
	tb.added = append(tb.added, v)
	return id
}

// idsPerInsert is how many rows one statement inserts at most.
const idsPerInsert = 64

// flush inserts the values the transaction numbered.
func (tb *table) flush(tx *writeTx) error {
	args := make([]any, 0, 2*idsPerInsert)
	for start := 0; start < len(tb.added); start += idsPerInsert {
		chunk := tb.added[start:min(start+idsPerInsert, len(tb.added))]
		args = args[:0]
		var q strings.Builder
		q.WriteString("INSERT OR FAIL INTO " + tb.name + " (id, " + tb.col + ") VALUES ")
		for i, v := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString("(?,?)")
			args = append(args, tb.ids[v], v)
		}
		if err := tx.exec(q.String(), args...); err != nil {
			return fmt.Errorf("insert %s: %w", tb.name, err)
		}
	}
	return nil
}

// commit keeps what the transaction numbered; rollback forgets it.
func (tb *table) commit() { tb.added = tb.added[:0] }

func (tb *table) rollback() {
	for _, v := range tb.added {
		delete(tb.ids, v)
	}
	tb.next -= int64(len(tb.added))
	tb.added = tb.added[:0]
}

func (m *ids) commit()   { m.urls.commit(); m.texts.commit() }
func (m *ids) rollback() { m.urls.rollback(); m.texts.rollback() }

// writeTx is a transaction on the write connection.
type writeTx struct {
	f   *File
	ctx context.Context
	buf []byte
}

// stmt returns the statement of query, prepared once on the write
// connection.
func (tx *writeTx) stmt(query string) (*sql.Stmt, error) {
	f := tx.f
	if s, ok := f.stmts[query]; ok {
		return s, nil
	}
	s, err := f.w.PrepareContext(tx.ctx, query)
	if err != nil {
		return nil, err
	}
	if f.stmts == nil {
		f.stmts = make(map[string]*sql.Stmt)
	}
	f.stmts[query] = s
	return s, nil
}

func (tx *writeTx) exec(query string, args ...any) error {
	s, err := tx.stmt(query)
	if err != nil {
		return err
	}
	_, err = s.ExecContext(tx.ctx, args...)
	return err
}

func (tx *writeTx) queryRow(query string, args ...any) *sql.Row {
	return tx.f.w.QueryRowContext(tx.ctx, query, args...)
}

func (tx *writeTx) insertID(query string, args ...any) (int64, error) {
	s, err := tx.stmt(query)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.QueryRowContext(tx.ctx, args...).Scan(&id)
	return id, err
}

// urlID returns the id of URL u.
func (tx *writeTx) urlID(u string) (int64, error) {
	if err := tx.load(); err != nil {
		return 0, err
	}
	return tx.f.ids.urls.id(u), nil
}

// optURLID is urlID, with nil (SQL NULL) for "".
func (tx *writeTx) optURLID(u string) (any, error) {
	if u == "" {
		return nil, nil
	}
	return tx.urlID(u)
}

// textID returns the id of text s, 0 for "".
func (tx *writeTx) textID(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	if err := tx.load(); err != nil {
		return 0, err
	}
	return tx.f.ids.texts.id(s), nil
}

// load loads the file's ids, the first time.
func (tx *writeTx) load() error {
	m := tx.f.ids
	if m.loaded {
		return nil
	}
	if err := m.urls.load(tx); err != nil {
		return err
	}
	if err := m.texts.load(tx); err != nil {
		return err
	}
	m.loaded = true
	return nil
}

// deleteCrawl deletes crawl id and all its rows.
func (tx *writeTx) deleteCrawl(id int64) error {
	for _, table := range []string{"responses", "hop_locations", "sitemaps", "sitemap_children",
		"robots", "robots_sitemaps", "findings"} {
		if err := tx.exec("DELETE FROM "+table+" WHERE crawl = ?", id); err != nil {
			return err
		}
	}
	return tx.exec("DELETE FROM crawls WHERE id = ?", id)
}

// isConstraint reports whether err is SQLite's refusal of a row whose
// key is taken.
func isConstraint(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

// truncate shortens a value for an error message.
func truncate(s string) string {
	if len(s) > 100 {
		return strings.ToValidUTF8(s[:100], "") + "..."
	}
	return s
}

// null returns s, or nil (SQL NULL) for "".
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}
