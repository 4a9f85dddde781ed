// Package crawlfile keeps crawls in one SQLite file: every record a
// crawl makes (crawler.Record), as it makes it, its settings and final
// statistics, and the findings of its audit. A crawl killed at any
// instant can be resumed from its file, and a finished one audited again
// without the network. The format is open: docs/crawl-file.md documents
// its tables for the sqlite3 shell.
//
// A record read back (Crawl.Recorded, Crawl.Records) is
// reflect.DeepEqual to the one written, with its references in their
// order, in one canonical form: an empty slice (Refs, Sitemaps,
// Redirect.Locations) reads back nil. Every string may hold any byte,
// NUL and invalid UTF-8 included. Two limits: a Refresh.Delay that is
// NaN reads back 0 (SQLite keeps no NaN), and only the fields of a
// record's kind are kept, which Record checks.
//
// One process writes a file at a time: the writer numbers new URLs
// itself. Others may read it meanwhile.
package crawlfile

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hopaudit/hopaudit/crawler"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// File is an open crawl file. Its methods may be called from several
// goroutines at once.
type File struct {
	path string
	db   *sql.DB

	// w is the connection every write goes through, one at a time
	// (wmu), with the URL and text ids it has written (ids).
	wmu   sync.Mutex
	w     *sql.Conn
	ids   *ids
	stmts map[string]*sql.Stmt

	// reads are the statements Recorded prepared.
	rmu   sync.Mutex
	reads map[string]*sql.Stmt

	// lock is the writer's lock on the file, from Begin to Close: two
	// processes writing one file would number URLs apart.
	lock *os.File
}

// ErrNotCrawlFile is returned (wrapped) by Open for a file that is not a
// hopaudit crawl file. Such a file is left as it was.
var ErrNotCrawlFile = errors.New("not a hopaudit crawl file")

// ErrInUse is returned (wrapped) by Begin when another process, or
// another File of this one, writes a crawl in the file.
var ErrInUse = errors.New("in use by another hopaudit crawl: one crawl writes a file at a time")

// Open opens the crawl file at path, making an empty one when there is
// none (or an empty file). A file that is not a crawl file, or one of a
// newer schema version, is refused and left as it was.
func Open(path string) (*File, error) { return open(path, true) }

// OpenExisting opens the crawl file at path like Open, but fails when
// there is none.
func OpenExisting(path string) (*File, error) { return open(path, false) }

func open(path string, create bool) (*File, error) {
	fresh, err := check(path, create)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dsn := (&url.URL{Scheme: "file", Path: abs}).String()
	if fresh {
		if err := initialise(dsn); err != nil {
			return nil, fmt.Errorf("%s: make a crawl file: %w", path, err)
		}
	}
	db, err := sql.Open("sqlite", dsn+"?_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(0)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-8000)&_pragma=wal_autocheckpoint(2048)")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// Every worker of a resumed crawl asks for records: keep their
	// connections, which a pool of the default two would close and
	// open again for every record.
	db.SetMaxIdleConns(16)
	f := &File{path: path, db: db, ids: newIDs()}
	var version int
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if version > SchemaVersion {
		db.Close()
		return nil, fmt.Errorf("%s: crawl file of schema version %d, newer than this hopaudit's (%d): %w", path, version, SchemaVersion, ErrNotCrawlFile)
	}
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		db.Close()
		return nil, fmt.Errorf("%s: journal mode %q, not wal: %w (%v)", path, mode, ErrNotCrawlFile, err)
	}
	if f.w, err = db.Conn(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// check finds out, without opening it with SQLite (which could change
// it), whether path is a crawl file, or none yet (fresh).
func check(path string, create bool) (fresh bool, err error) {
	fd, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	defer fd.Close()
	st, err := fd.Stat()
	if err != nil {
		return false, err
	}
	if !st.Mode().IsRegular() {
		return false, fmt.Errorf("%s: %w: not a regular file", path, ErrNotCrawlFile)
	}
	if st.Size() == 0 && create {
		return true, nil
	}
	// The header's fields: https://www.sqlite.org/fileformat.html. The
	// application id is written before the file turns to WAL mode, so
	// it is in the file itself, not in its WAL.
	var h [100]byte
	if _, err := io.ReadFull(fd, h[:]); err != nil || !bytes.HasPrefix(h[:], []byte(sqliteMagic)) {
		return false, fmt.Errorf("%s: %w: not an SQLite database", path, ErrNotCrawlFile)
	}
	if id := binary.BigEndian.Uint32(h[68:]); id != applicationID {
		return false, fmt.Errorf("%s: %w: an SQLite database of another application (id %#x)", path, ErrNotCrawlFile, id)
	}
	return false, nil
}

// initialise makes the tables of a new crawl file, marks it as one and
// turns it to WAL mode, in that order: the mark lands in the file
// itself, where check reads it.
func initialise(dsn string) error {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmts := []string{
		"PRAGMA page_size = 16384",
		schema,
		kindNames(),
		fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion),
		fmt.Sprintf("PRAGMA application_id = %d", applicationID),
	}
	for _, s := range stmts {
		if _, err := tx.Exec(s); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.Exec("PRAGMA journal_mode = WAL")
	return err
}

// Close closes the file. Crawls begun in it must be closed first.
func (f *File) Close() error {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	var err error
	for _, s := range f.stmts {
		err = errors.Join(err, s.Close())
	}
	f.stmts = nil
	f.rmu.Lock()
	for _, s := range f.reads {
		err = errors.Join(err, s.Close())
	}
	f.reads = nil
	f.rmu.Unlock()
	if f.w != nil {
		err = errors.Join(err, f.w.Close())
		f.w = nil
	}
	err = errors.Join(err, f.db.Close())
	if f.lock != nil {
		err = errors.Join(err, f.lock.Close())
		f.lock = nil
	}
	return err
}

// write runs fn in a transaction on the write connection, one at a
// time. The ids that fn makes are kept only when it commits.
func (f *File) write(fn func(tx *writeTx) error) error {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	if f.w == nil {
		return errors.New("crawl file closed")
	}
	ctx := context.Background()
	if _, err := f.w.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	tx := &writeTx{f: f, ctx: ctx}
	err := fn(tx)
	if err == nil {
		err = tx.f.ids.urls.flush(tx)
	}
	if err == nil {
		err = tx.f.ids.texts.flush(tx)
	}
	if err == nil {
		_, err = f.w.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		_, rerr := f.w.ExecContext(ctx, "ROLLBACK")
		if rerr != nil && !strings.Contains(rerr.Error(), "no transaction is active") {
			err = errors.Join(err, rerr)
		}
		f.ids.rollback()
		return err
	}
	f.ids.commit()
	return nil
}

// Info describes one crawl of a file.
type Info struct {
	ID       int64
	Started  time.Time // when the crawl began (Begin), the first of its runs
	Settings string    // as given to Begin: JSON
	// Done reports whether the crawl ran to its end (see Crawl.Finish):
	// a crawl not done may be resumed.
	Done bool
	// Stats are those given to Finish; zero until then.
	Stats crawler.Stats
}

// Crawls returns the file's crawls, oldest first.
func (f *File) Crawls() ([]Info, error) {
	rows, err := f.db.Query(`SELECT id, started, settings, done, run_started, finished, fetched, parsed,
		blocked, errors, failed, cancelled, max_pages_reached, unreachable FROM crawls ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.path, err)
	}
	defer rows.Close()
	var out []Info
	for rows.Next() {
		var (
			in                    Info
			started               string
			runStarted, finished  sql.NullString
			fetched, parsed       sql.NullInt64
			blocked, errs, failed sql.NullInt64
			cancelled, maxReached sql.NullBool
			unreachable           sql.NullString
		)
		if err := rows.Scan(&in.ID, &started, &in.Settings, &in.Done, &runStarted, &finished, &fetched, &parsed,
			&blocked, &errs, &failed, &cancelled, &maxReached, &unreachable); err != nil {
			return nil, fmt.Errorf("%s: %w", f.path, err)
		}
		in.Started = parseTime(started)
		in.Stats = crawler.Stats{
			Started: parseTime(runStarted.String), Finished: parseTime(finished.String),
			Fetched: int(fetched.Int64), Parsed: int(parsed.Int64), Blocked: int(blocked.Int64),
			Errors: int(errs.Int64), Failed: int(failed.Int64), Cancelled: cancelled.Bool,
			MaxPagesReached: maxReached.Bool, Unreachable: unreachable.String,
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", f.path, err)
	}
	return out, nil
}

// Crawl opens crawl id of the file to read: its records (Recorded,
// Records) and findings. Record fails on it: only Begin writes records.
func (f *File) Crawl(id int64) (*Crawl, error) {
	var n int
	if err := f.db.QueryRow("SELECT count(*) FROM crawls WHERE id = ?", id).Scan(&n); err != nil {
		return nil, fmt.Errorf("%s: %w", f.path, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: no crawl %d", f.path, id)
	}
	return newCrawl(f, id, false), nil
}

// Begin begins a crawl of the given settings, or resumes one.
//
// settings is a JSON object that the command makes of what defines the
// crawl (start URLs, scope, limits); its top-level key "seeds", when it
// is a list of strings, names the crawl in messages. When the file's
// last crawl is not done and has the same settings (the same JSON
// values), Begin resumes it (resumed is true): its records are there
// for Recorded. When the file's last crawl, done or not, has other
// settings, Begin refuses with a *SettingsError, unless restart. With
// restart, a last crawl that is not done is deleted first. Otherwise a
// new crawl is added to the file, which keeps the earlier ones. started
// is when the crawl began; a resumed crawl keeps its own.
//
// The crawl's writer runs until Finish or Close.
func (f *File) Begin(settings string, restart bool, started time.Time) (c *Crawl, resumed bool, err error) {
	var here map[string]any
	if err := json.Unmarshal([]byte(settings), &here); err != nil {
		return nil, false, fmt.Errorf("crawl settings: not a JSON object: %w", err)
	}
	if f.lock == nil {
		lock, err := lockFile(f.path)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", f.path, err)
		}
		f.lock = lock
	}
	var id int64
	err = f.write(func(tx *writeTx) error {
		var (
			last     int64
			there    string
			done     bool
			previous = true
		)
		err := tx.queryRow("SELECT id, settings, done FROM crawls ORDER BY id DESC LIMIT 1").Scan(&last, &there, &done)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			previous = false
		case err != nil:
			return err
		}
		if previous {
			diffs := diffSettings(here, there)
			switch {
			case !restart && len(diffs) > 0:
				return &SettingsError{Path: f.path, Seed: seed(there), Diffs: diffs}
			case !restart && !done:
				id, resumed = last, true
				return nil
			case !done:
				if err := tx.deleteCrawl(last); err != nil {
					return err
				}
			}
		}
		id, err = tx.insertID("INSERT INTO crawls (started, settings) VALUES (?, ?) RETURNING id", formatTime(started), settings)
		return err
	})
	var se *SettingsError
	switch {
	case errors.As(err, &se):
		return nil, false, err // it names the file
	case err != nil:
		return nil, false, fmt.Errorf("%s: %w", f.path, err)
	}
	return newCrawl(f, id, true), resumed, nil
}

// SettingsError is Begin's refusal of a crawl whose settings differ from
// those of the file's last crawl.
type SettingsError struct {
	Path  string // the file
	Seed  string // the first start URL of the file's crawl, if its settings name one
	Diffs []SettingsDiff
}

// SettingsDiff is one top-level key of the settings whose values
// differ; a value is "none" where the key is absent.
type SettingsDiff struct {
	Key         string
	Here, There string // the value of the crawl begun, and of the file's
}

func (e *SettingsError) Error() string {
	var b strings.Builder
	b.WriteString(filepath.Base(e.Path) + " holds a crawl")
	if e.Seed != "" {
		b.WriteString(" of " + e.Seed)
	}
	b.WriteString(" with other settings: ")
	for i, d := range e.Diffs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %s here, %s there", d.Key, d.Here, d.There)
	}
	b.WriteString("; use --restart to start a new crawl in it, or another --state file")
	return b.String()
}

// diffSettings compares settings here with the JSON text there, key by
// key, in the order of the keys.
func diffSettings(here map[string]any, there string) []SettingsDiff {
	var other map[string]any
	if err := json.Unmarshal([]byte(there), &other); err != nil {
		return []SettingsDiff{{Key: "settings", Here: "a JSON object", There: "unreadable"}}
	}
	keys := make([]string, 0, len(here)+len(other))
	for k := range here {
		keys = append(keys, k)
	}
	for k := range other {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	var diffs []SettingsDiff
	for _, k := range keys {
		a, okA := here[k]
		b, okB := other[k]
		if okA == okB && reflect.DeepEqual(a, b) {
			continue
		}
		la, listA := a.([]any)
		lb, listB := b.([]any)
		if listA && listB && len(la) > 3 && len(lb) > 3 {
			// Long lists (thousands of URLs) are named by where they differ.
			i := 0
			for i < len(la) && i < len(lb) && reflect.DeepEqual(la[i], lb[i]) {
				i++
			}
			at := func(l []any) string {
				if i < len(l) {
					return fmt.Sprintf("%d entries, #%d %s", len(l), i+1, settingText(l[i], true))
				}
				return fmt.Sprintf("%d entries", len(l))
			}
			diffs = append(diffs, SettingsDiff{Key: k, Here: at(la), There: at(lb)})
			continue
		}
		diffs = append(diffs, SettingsDiff{Key: k, Here: settingText(a, okA), There: settingText(b, okB)})
	}
	return diffs
}

// settingText writes a setting's value for a message: a string as it
// is, anything else as JSON.
func settingText(v any, ok bool) string {
	if !ok {
		return "none"
	}
	if s, isString := v.(string); isString {
		return cutText(s)
	}
	if list, isList := v.([]any); isList && len(list) > 3 {
		// A list of thousands of URLs is named by its head and length.
		b, _ := json.Marshal(list[:3])
		return fmt.Sprintf("%s… (%d in all)", cutText(strings.TrimSuffix(string(b), "]")), len(list))
	}
	b, _ := json.Marshal(v)
	return cutText(string(b))
}

// cutText cuts a setting's text for a message at 200 bytes.
func cutText(s string) string {
	const most = 200
	if len(s) <= most {
		return s
	}
	n := most
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// seed returns the first start URL of settings, if they name one.
func seed(settings string) string {
	var s struct{ Seeds []string }
	if json.Unmarshal([]byte(settings), &s) != nil || len(s.Seeds) == 0 {
		return ""
	}
	return s.Seeds[0]
}

// Times are kept as RFC 3339 text with nanoseconds, which SQLite's date
// functions read.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
