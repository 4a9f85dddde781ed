package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/audit"
)

func TestReadRedirectMap(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		seeds    []string
		expect   map[string]string
		noScheme int
	}{
		{
			name:   "plain",
			file:   "from,to\nhttp://site.test/old,http://site.test/new\n",
			seeds:  []string{"http://site.test/old"},
			expect: map[string]string{"http://site.test/old": "http://site.test/new"},
		},
		{
			name: "a spreadsheet's export: BOM, CRLF, header case and order, extra columns, quotes, blank rows, spaces",
			file: "\ufeffNote,TO , From\r\n" +
				"\"moved, in March\",https://site.test/new,https://site.test/old\r\n" +
				",,\r\n" +
				"\r\n" +
				"x,  HTTPS://Site.Test:443/b#frag , https://site.test/a?q=1 \r\n",
			seeds: []string{"https://site.test/old", "https://site.test/a?q=1"},
			expect: map[string]string{
				"https://site.test/old":   "https://site.test/new",
				"https://site.test/a?q=1": "https://site.test/b",
			},
		},
		{
			name:   "semicolons, as some locales save CSV",
			file:   "from;to\nhttp://site.test/a;http://site.test/b\n",
			seeds:  []string{"http://site.test/a"},
			expect: map[string]string{"http://site.test/a": "http://site.test/b"},
		},
		{
			name:   "tabs",
			file:   "from\tto\nhttp://site.test/a\thttp://site.test/b\n",
			seeds:  []string{"http://site.test/a"},
			expect: map[string]string{"http://site.test/a": "http://site.test/b"},
		},
		{
			name:     "without a scheme, and a row repeated",
			file:     "from,to\nsite.test/a,site.test/b\nhttps://site.test/a,https://site.test/b\n",
			seeds:    []string{"https://site.test/a"},
			expect:   map[string]string{"https://site.test/a": "https://site.test/b"},
			noScheme: 2,
		},
		{
			name:   "a URL that stays",
			file:   "from,to\nhttp://site.test/a,http://site.test/a\n",
			seeds:  []string{"http://site.test/a"},
			expect: map[string]string{"http://site.test/a": "http://site.test/a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "map.csv")
			if err := os.WriteFile(path, []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, src := range []string{path, "-"} {
				f := newFake(t)
				f.stdin = strings.NewReader(tt.file)
				m, err := f.readRedirectMap(src)
				if err != nil {
					t.Fatalf("%s: %v", src, err)
				}
				if !reflect.DeepEqual(m.seeds, tt.seeds) || !reflect.DeepEqual(m.expect, tt.expect) || m.noScheme != tt.noScheme {
					t.Errorf("%s: seeds %q, expect %v, no scheme %d; want %q, %v, %d", src, m.seeds, m.expect, m.noScheme, tt.seeds, tt.expect, tt.noScheme)
				}
			}
		})
	}
}

func TestReadRedirectMapErrors(t *testing.T) {
	for _, tt := range []struct{ file, want string }{
		{"", "map.csv is empty: want a header row naming the columns from and to"},
		{"\ufeff", "map.csv is empty"},
		{"old,new\nhttp://a.test/,http://b.test/\n", `map.csv:1: the header row "old,new" does not name the columns from and to`},
		{"from,to,from\n", "map.csv:1: two from columns"},
		{"from,to\n", "map.csv maps no URL"},
		{"from,to\nhttp://a.test/x\n", "map.csv:2: no to URL"},
		{"from,to\n,http://a.test/x\n", "map.csv:2: no from URL"},
		{"from,to\nhttp://a.test/x,ftp://a.test/y\n", `map.csv:2: to: URL "ftp://a.test/y": scheme ftp is not http or https`},
		{"from,to\nhttp://a.test/x,http://a.test/y\n\nhttp://A.test/x#f,http://a.test/z\n",
			"map.csv:4: http://a.test/x is mapped twice: to http://a.test/y on line 2, and to http://a.test/z"},
		{"from,to\n\"http://a.test/x,http://a.test/y\n", "map.csv:2: extraneous or missing \" in quoted-field"},
	} {
		path := filepath.Join(t.TempDir(), "map.csv")
		if err := os.WriteFile(path, []byte(tt.file), 0o644); err != nil {
			t.Fatal(err)
		}
		f := newFake(t)
		_, err := f.readRedirectMap(path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("map %q: error %v, want %q", tt.file, err, tt.want)
		}
	}
}

// TestCheckExpect checks that the map reaches the crawler and the rules.
func TestCheckExpect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "map.csv")
	if err := os.WriteFile(path, []byte("from,to\nhttp://site.test/a,http://site.test/c\nhttp://site.test/x,http://site.test/y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := newFake(t)
	var seen map[string]string
	f.rules = append(f.rules, &audit.Rule{Name: "reads-map", Severity: audit.Error, Doc: audit.Doc{Title: "t"},
		Run: func(p *audit.Pass) error { seen = p.Expect; return nil }})
	if code := f.run("check", "--expect", path, "--format", "csv"); code != exitOK {
		t.Fatalf("exit code %d; stderr: %s", code, f.stderr.String())
	}
	if !f.cfg.ListMode || !reflect.DeepEqual(f.cfg.Seeds, []string{"http://site.test/a", "http://site.test/x"}) {
		t.Errorf("crawler config: list mode %v, seeds %q", f.cfg.ListMode, f.cfg.Seeds)
	}
	if want := map[string]string{"http://site.test/a": "http://site.test/c", "http://site.test/x": "http://site.test/y"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("Pass.Expect = %v, want %v", seen, want)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--expect", path, "urls.txt"}, "check: --expect names the URLs to check: give no FILE"},
		{[]string{"check", "--expect", filepath.Join(t.TempDir(), "none.csv")}, "check: --expect: open "},
		{[]string{"crawl", "http://site.test/", "--expect", path}, "crawl: flag provided but not defined: -expect"},
	} {
		f := newFake(t)
		if code := f.run(tt.args...); code != exitUsage {
			t.Errorf("%v: exit code %d, want %d", tt.args, code, exitUsage)
		}
		oneError(t, f.stderr.String(), tt.want)
		if f.cfg != nil {
			t.Errorf("%v: the crawler ran", tt.args)
		}
	}
}
