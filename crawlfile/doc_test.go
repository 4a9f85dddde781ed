package crawlfile

import (
	"database/sql"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
)

// docQueries returns the SQL blocks of the example queries of
// docs/crawl-file.md, in order.
func docQueries(t *testing.T) []string {
	t.Helper()
	doc, err := os.ReadFile("../docs/crawl-file.md")
	if err != nil {
		t.Fatal(err)
	}
	_, examples, ok := strings.Cut(string(doc), "\n## Example queries\n")
	if !ok {
		t.Fatal("docs/crawl-file.md has no Example queries section")
	}
	var queries []string
	for _, m := range regexp.MustCompile("(?s)```sql\n(.*?)```").FindAllStringSubmatch(examples, -1) {
		queries = append(queries, m[1])
	}
	return queries
}

// docSite returns the records of a crawl of a small site: twelve pages
// link /old, which redirects to /new; /p/0 links /a, which reaches /c
// through /b; /x answers status x.
func docSite(x int) []*crawler.Record {
	const site = "https://s.example"
	var recs []*crawler.Record
	page := func(path string, status int, refs ...string) {
		u := site + path
		r := &crawler.Record{Kind: crawler.RecordURL, URL: u, Response: &crawler.Response{URL: u, Status: status, Parsed: true}}
		for _, ref := range refs {
			r.Refs = append(r.Refs, crawler.Reference{Kind: crawler.RefAnchor, Source: u, Target: site + ref, Text: "go"})
		}
		recs = append(recs, r)
	}
	redirect := func(path string, status int, to string) {
		u := site + path
		recs = append(recs, &crawler.Record{Kind: crawler.RecordURL, URL: u, Response: &crawler.Response{URL: u, Status: status,
			Redirect: &crawler.Redirect{Locations: []string{to}, Location: site + to}}})
	}
	for i := range 12 {
		refs := []string{"/old", "/x"}
		if i == 0 {
			refs = append(refs, "/a")
		}
		page(fmt.Sprintf("/p/%d", i), 200, refs...)
	}
	// An image of /old is not a link.
	recs[1].Refs = append(recs[1].Refs, crawler.Reference{Kind: crawler.RefImage, Source: recs[1].URL, Target: site + "/new"})
	redirect("/old", 301, "/new")
	page("/new", 200)
	redirect("/a", 301, "/b")
	redirect("/b", 302, "/c")
	page("/c", 200)
	page("/x", x)
	redirect("/loop1", 301, "/loop2")
	redirect("/loop2", 301, "/loop1")
	return recs
}

// TestDocQueries runs the example queries of docs/crawl-file.md on a
// file of two crawls.
func TestDocQueries(t *testing.T) {
	f, c, _ := begin(t, `{}`)
	recordAll(t, c, docSite(200))
	if err := c.Finish(crawler.Stats{}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	c2, _, err := f.Begin(`{}`, false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	recs := docSite(404)
	recs = append(recs, &crawler.Record{Kind: crawler.RecordURL, URL: "https://s.example/only-now",
		Response: &crawler.Response{URL: "https://s.example/only-now", Status: 500}})
	recordAll(t, c2, recs)
	if err := c2.Finish(crawler.Stats{}); err != nil {
		t.Fatal(err)
	}

	want := [][][]any{
		{{"https://s.example/old", int64(301), "https://s.example/new", int64(12)}},
		{{"https://s.example/c", int64(2), int64(2)}, {"https://s.example/new", int64(1), int64(1)}},
		{{"https://s.example/x", int64(200), int64(404)}},
	}
	queries := docQueries(t)
	if len(queries) != len(want) {
		t.Fatalf("docs/crawl-file.md has %d example queries, want %d", len(queries), len(want))
	}
	for i, q := range queries {
		got, err := queryAll(f.db, q)
		if err != nil {
			t.Errorf("query %d: %v\n%s", i+1, err, q)
			continue
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("query %d:\n got %v\nwant %v", i+1, got, want[i])
		}
	}
}

func queryAll(db *sql.DB, q string) ([][]any, error) {
	rows, err := db.Query(q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]any
	for rows.Next() {
		row := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// TestDocSchema checks that docs/crawl-file.md names every table, view
// and column of the file.
func TestDocSchema(t *testing.T) {
	doc, err := os.ReadFile("../docs/crawl-file.md")
	if err != nil {
		t.Fatal(err)
	}
	f, _, _ := begin(t, `{}`)
	if !strings.Contains(string(doc), fmt.Sprintf("schema version %d", SchemaVersion)) {
		t.Errorf("docs/crawl-file.md does not say schema version %d", SchemaVersion)
	}
	rows, err := f.db.Query("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	for _, table := range tables {
		if !regexp.MustCompile(`(?m)^#+ .*\b` + table + `\b|^\| ` + "`" + table + "`").MatchString(string(doc)) {
			t.Errorf("docs/crawl-file.md has no heading or row for %s", table)
		}
		cols, err := queryAll(f.db, "SELECT name FROM pragma_table_info('"+table+"')")
		if err != nil {
			t.Fatal(err)
		}
		for _, col := range cols {
			if name := col[0].(string); !strings.Contains(string(doc), "`"+name+"`") {
				t.Errorf("docs/crawl-file.md does not name column %s of %s", name, table)
			}
		}
	}
}
