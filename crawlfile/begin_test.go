package crawlfile

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
)

const (
	settingsA = `{"seeds":["https://a.example/"],"max_pages":100,"subdomains":false}`
	settingsB = `{"seeds":["https://a.example/"],"max_pages":50,"subdomains":false,"exclude":["x"]}`
)

// reopen closes f and opens its file again, as another process would.
func reopen(t *testing.T, f *File) *File {
	t.Helper()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	g, err := OpenExisting(f.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

func TestBegin(t *testing.T) {
	f, c, _ := begin(t, settingsA)
	first := everyRecord()[:3]
	recordAll(t, c, first)
	if err := c.Close(); err != nil { // killed, or cancelled
		t.Fatal(err)
	}
	f = reopen(t, f)

	// The same settings, in another order and spacing: resumed.
	c2, resumed, err := f.Begin(`{"subdomains": false, "max_pages": 100, "seeds": ["https://a.example/"]}`, false, time.Now())
	if err != nil || !resumed || c2.ID() != c.ID() {
		t.Fatalf("Begin(same settings) = crawl %v, resumed %v, %v; want crawl %d resumed", c2, resumed, err, c.ID())
	}
	checkRecorded(t, c2, first)
	if err := c2.Finish(crawler.Stats{Cancelled: true}); err != nil {
		t.Fatal(err)
	}
	c2.Close()

	// Cancelled: resumed again.
	c3, resumed, err := f.Begin(settingsA, false, time.Now())
	if err != nil || !resumed || c3.ID() != c.ID() {
		t.Fatalf("Begin after a cancelled crawl = resumed %v, %v; want crawl %d resumed", resumed, err, c.ID())
	}

	// Other settings: refused, and nothing changes.
	_, _, err = f.Begin(settingsB, false, time.Now())
	var serr *SettingsError
	if !errors.As(err, &serr) {
		t.Fatalf("Begin(other settings) = %v, want a SettingsError", err)
	}
	want := `crawl.db holds a crawl of https://a.example/ with other settings: exclude ["x"] here, none there, max_pages 50 here, 100 there; use --restart to start a new crawl in it, or another --state file`
	if !strings.Contains(err.Error(), want) {
		t.Errorf("Begin(other settings) = %v\nwant %s", err, want)
	}

	// Finished: the same settings begin a new crawl, and the old one is
	// kept.
	started := time.Date(2026, 3, 1, 2, 0, 0, 123, time.UTC)
	stats := crawler.Stats{Started: started, Finished: started.Add(90 * time.Second), Fetched: 19, Parsed: 10, Blocked: 1,
		Errors: 2, Failed: 3, MaxPagesReached: true, Unreachable: "a.example: 503"}
	if err := c3.Finish(stats); err != nil {
		t.Fatal(err)
	}
	c3.Close()
	c4, resumed, err := f.Begin(settingsA, false, started)
	if err != nil || resumed || c4.ID() == c.ID() {
		t.Fatalf("Begin after a finished crawl = crawl %d, resumed %v, %v; want a new crawl", c4.ID(), resumed, err)
	}
	if got, err := c4.Recorded(first[0].Kind, first[0].URL); got != nil || err != nil {
		t.Errorf("a new crawl has the record of the finished one: %v, %v", got, err)
	}
	recordAll(t, c4, first[:1])
	c4.Close()

	// Restart with other settings: the unfinished crawl and its rows go,
	// the finished one stays.
	c5, resumed, err := f.Begin(settingsB, true, time.Now())
	if err != nil || resumed {
		t.Fatalf("Begin(restart) = %v, %v", resumed, err)
	}
	c5.Close()
	infos, err := f.Crawls()
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 2 || infos[0].ID != c.ID() || infos[1].ID != c5.ID() || !infos[0].Done || infos[1].Done ||
		infos[1].Settings != settingsB {
		t.Fatalf("Crawls = %+v", infos)
	}
	if got := infos[0].Stats; !got.Started.Equal(stats.Started) || !got.Finished.Equal(stats.Finished) {
		t.Errorf("stats times = %v, %v; want %v, %v", got.Started, got.Finished, stats.Started, stats.Finished)
	}
	got := infos[0].Stats
	got.Started, got.Finished = stats.Started, stats.Finished
	if got != stats {
		t.Errorf("stats = %+v\nwant %+v", got, stats)
	}
	var n int
	if err := f.db.QueryRow("SELECT count(*) FROM responses WHERE crawl = ?", c4.ID()).Scan(&n); err != nil || n != 0 {
		t.Errorf("the restarted crawl's responses are left: %d, %v", n, err)
	}
	if err := f.db.QueryRow("SELECT count(*) FROM responses WHERE crawl = ?", c.ID()).Scan(&n); err != nil || n != 3 {
		t.Errorf("the finished crawl has %d responses, %v; want 3", n, err)
	}

	// Settings that are not a JSON object.
	if _, _, err := f.Begin(`[1]`, true, time.Now()); err == nil {
		t.Error("Begin([1]) did not fail")
	}
}

// TestNotCrawlFile checks that files that are not crawl files are
// refused, and left byte for byte as they were.
func TestNotCrawlFile(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	newer := filepath.Join(dir, "newer.db")
	f, err := Open(newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("SQLite format 2, or rather my notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(dir, "short")
	if err := os.WriteFile(short, []byte(sqliteMagic), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{other, newer, text, short, dir} {
		before := snapshot(t, dir)
		f, err := Open(path)
		if err == nil {
			f.Close()
			t.Errorf("Open(%s) did not fail", filepath.Base(path))
			continue
		}
		if path != dir && !errors.Is(err, ErrNotCrawlFile) {
			t.Errorf("Open(%s) = %v, want ErrNotCrawlFile", filepath.Base(path), err)
		}
		if after := snapshot(t, dir); after != before {
			t.Errorf("Open(%s) changed the directory:\n%s\nwas\n%s", filepath.Base(path), after, before)
		}
	}
	if _, err := OpenExisting(filepath.Join(dir, "none.db")); err == nil {
		t.Error("OpenExisting(none.db) did not fail")
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); err == nil {
		t.Error("OpenExisting(none.db) made the file")
	}
	// An empty file becomes a crawl file.
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if f, err := Open(empty); err != nil {
		t.Errorf("Open(empty file) = %v", err)
	} else {
		f.Close()
	}
}

// snapshot returns the names and contents of the files of dir.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		b.WriteString(e.Name() + ": " + string(data) + "\n")
	}
	return b.String()
}

// TestBeginInUse: while one File writes a crawl in a file, another
// cannot begin one in it; once the first is closed, it can.
func TestBeginInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crawl.db")
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ca, _, err := a.Begin(`{"seeds":["https://a.example/"]}`, false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, _, err := b.Begin(`{"seeds":["https://a.example/"]}`, false, time.Now()); !errors.Is(err, ErrInUse) {
		t.Fatalf("second Begin: %v, want ErrInUse", err)
	}
	ca.Close()
	a.Close()
	cb, resumed, err := b.Begin(`{"seeds":["https://a.example/"]}`, false, time.Now())
	if err != nil || !resumed {
		t.Fatalf("Begin once the first is closed: resumed %v, %v; want the unfinished crawl resumed", resumed, err)
	}
	cb.Close()
}
