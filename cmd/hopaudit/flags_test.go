package main

import (
	"flag"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/audit"
)

func TestParseArgsInterleaved(t *testing.T) {
	tests := []struct {
		args    []string
		pos     []string
		format  string
		verbose bool
		headers []string
	}{
		{args: []string{"https://x", "--format", "csv"}, pos: []string{"https://x"}, format: "csv"},
		{args: []string{"--format", "csv", "https://x"}, pos: []string{"https://x"}, format: "csv"},
		{args: []string{"-format=csv", "a", "-v", "b"}, pos: []string{"a", "b"}, format: "csv", verbose: true},
		{args: []string{"a", "--v", "b", "--format=json"}, pos: []string{"a", "b"}, format: "json", verbose: true},
		// a bool flag does not eat the next argument
		{args: []string{"--v", "a"}, pos: []string{"a"}, verbose: true},
		// a value flag takes the next argument, even one that looks like a flag
		{args: []string{"--header", "--x", "a"}, pos: []string{"a"}, headers: []string{"--x"}},
		{args: []string{"a", "--header", "K: 1", "b", "--header=K: 2"}, pos: []string{"a", "b"}, headers: []string{"K: 1", "K: 2"}},
		// "-" is an argument (stdin), "--" ends the flags
		{args: []string{"-", "--format", "csv"}, pos: []string{"-"}, format: "csv"},
		{args: []string{"a", "--", "--format", "b"}, pos: []string{"a", "--format", "b"}},
		{args: nil, pos: nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			fs := flagSet("test")
			format := fs.String("format", "", "")
			verbose := fs.Bool("v", false, "")
			var headers stringList
			fs.Var(&headers, "header", "")
			pos, err := parseArgs(fs, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pos, tt.pos) {
				t.Errorf("positional = %q, want %q", pos, tt.pos)
			}
			if *format != tt.format || *verbose != tt.verbose {
				t.Errorf("format=%q verbose=%v, want %q %v", *format, *verbose, tt.format, tt.verbose)
			}
			if !reflect.DeepEqual([]string(headers), tt.headers) {
				t.Errorf("headers = %q, want %q", headers, tt.headers)
			}
		})
	}
}

func TestParseArgsErrors(t *testing.T) {
	for _, args := range [][]string{
		{"a", "--nope"},
		{"a", "--format"}, // no value
		{"-h"},
		{"a", "--help"},
	} {
		fs := flagSet("test")
		fs.String("format", "", "")
		if _, err := parseArgs(fs, args); err == nil {
			t.Errorf("parseArgs(%q) succeeded", args)
		} else if strings.Contains(strings.Join(args, " "), "-h") && err != flag.ErrHelp {
			t.Errorf("parseArgs(%q) = %v, want flag.ErrHelp", args, err)
		}
	}
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		str  string
	}{
		{"1048576", 1 << 20, "1MiB"},
		{"5MiB", 5 << 20, "5MiB"},
		{"5mib", 5 << 20, "5MiB"},
		{"512KiB", 512 << 10, "512KiB"},
		{"512k", 512 << 10, "512KiB"},
		{"1MB", 1000000, "1000000"},
		{"2kb", 2000, "2000"},
		{"1GiB", 1 << 30, "1GiB"},
		{"100B", 100, "100"},
		{" 3 MiB ", 3 << 20, "3MiB"},
		{"1500", 1500, "1500"},
	}
	for _, tt := range tests {
		var b byteSize
		if err := b.Set(tt.in); err != nil {
			t.Errorf("Set(%q): %v", tt.in, err)
			continue
		}
		if int64(b) != tt.want || b.String() != tt.str {
			t.Errorf("Set(%q) = %d %q, want %d %q", tt.in, int64(b), b.String(), tt.want, tt.str)
		}
	}
	for _, in := range []string{"", "0", "-1", "5XB", "MiB", "1.5MiB", "5 MiBs", "99999999999GiB"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("Set(%q) = %d, want an error", in, int64(b))
		}
	}
}

func TestResolveFlag(t *testing.T) {
	var f resolveFlag
	for _, s := range []string{
		"example.com:443:10.0.0.5",
		"Example.org:80:127.0.0.1:8080", // hopaudit's extension: the address may carry its own port
		"staging.test:443:[::1]",
		"v6.test:443:[2001:db8::1]:8443",
		"www.example.com:443:origin.internal",
		"[::1]:80:127.0.0.1",
		"example.com:443:10.0.0.5", // the same again is fine
	} {
		if err := f.Set(s); err != nil {
			t.Errorf("Set(%q): %v", s, err)
		}
	}
	want := map[string]string{
		"example.com:443":     "10.0.0.5:443",
		"example.org:80":      "127.0.0.1:8080",
		"staging.test:443":    "[::1]:443",
		"v6.test:443":         "[2001:db8::1]:8443",
		"www.example.com:443": "origin.internal:443",
		"[::1]:80":            "127.0.0.1:80",
	}
	if !reflect.DeepEqual(f.m, want) {
		t.Errorf("resolve = %v, want %v", f.m, want)
	}
	for _, s := range []string{
		"", "example.com", "example.com:443", "example.com:443:", ":443:1.2.3.4",
		"example.com:https:1.2.3.4", "example.com:0:1.2.3.4", "example.com:70000:1.2.3.4",
		"example.com:443:1.2.3.4,1.2.3.5", "*:443:1.2.3.4", "example.com:443:not an address",
		"example.com:443:1.2.3.4:99999", "[zz]:80:1.2.3.4",
		"example.com:443:10.0.0.6", // conflicts with the first Set above
	} {
		if err := f.Set(s); err == nil {
			t.Errorf("Set(%q) succeeded, want an error", s)
		}
	}
}

func TestHeaderFlag(t *testing.T) {
	var f headerFlag
	for _, s := range []string{"Authorization: Bearer abc", "x-team:seo", "X-Team: nightly", "Cookie: a=b; c=d"} {
		if err := f.Set(s); err != nil {
			t.Errorf("Set(%q): %v", s, err)
		}
	}
	want := http.Header{
		"Authorization": {"Bearer abc"},
		"X-Team":        {"seo", "nightly"},
		"Cookie":        {"a=b; c=d"},
	}
	if !reflect.DeepEqual(f.h, want) {
		t.Errorf("header = %v, want %v", f.h, want)
	}
	for _, s := range []string{"NoColon", ": value", "Bad Name: x", "X: a\r\nInjected: 1"} {
		if err := f.Set(s); err == nil {
			t.Errorf("Set(%q) succeeded, want an error", s)
		}
	}
}

func TestSeverityFlag(t *testing.T) {
	var f severityFlag
	for _, s := range []string{"redirect-chain=error", " query-dropped = none "} {
		if err := f.Set(s); err != nil {
			t.Errorf("Set(%q): %v", s, err)
		}
	}
	if !reflect.DeepEqual(f.names, []string{"redirect-chain", "query-dropped"}) || !reflect.DeepEqual(f.levels, []string{"error", "none"}) {
		t.Errorf("got %q %q", f.names, f.levels)
	}
	for _, s := range []string{"redirect-chain", "=error", "redirect-chain="} {
		if err := f.Set(s); err == nil {
			t.Errorf("Set(%q) succeeded", s)
		}
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/", "https://example.com/"},
		{"http://example.com", "http://example.com"},
		{"HTTPS://Example.com/a?b", "HTTPS://Example.com/a?b"},
		{"example.com", "https://example.com"},
		{"example.com/path?q=1", "https://example.com/path?q=1"},
		{"example.com:8443/x", "https://example.com:8443/x"},
		{"localhost:8080", "https://localhost:8080"},
		{"//example.com/x", "https://example.com/x"},
		{"[::1]:8080/", "https://[::1]:8080/"},
		{"  example.com  ", "https://example.com"},
	}
	for _, tt := range tests {
		got, err := parseURL(tt.in)
		if err != nil {
			t.Errorf("parseURL(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("parseURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{
		"", "ftp://example.com/", "mailto:seo@example.com", "javascript:alert(1)", "file:///etc/passwd",
		"http:example.com", "https://", "https://exa mple.com/", "example.com:99999/",
	} {
		if got, err := parseURL(in); err == nil {
			t.Errorf("parseURL(%q) = %q, want an error", in, got)
		}
	}
}

// TestFormatForFile checks -o's extension mapping as the command sees
// it (output.TestFormatForFile checks the registry's): stdout gets a
// table, an unknown extension is an error that names -o's file.
func TestFormatForFile(t *testing.T) {
	for name, want := range map[string]string{
		"":               "table",
		"-":              "table",
		"report.csv":     "csv",
		"findings":       "table",
		"findings.jsonl": "jsonl",
	} {
		if got, err := formatForFile(name); got != want || err != nil {
			t.Errorf("formatForFile(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	if _, err := formatForFile("findings.csv.bak"); err == nil || !strings.HasPrefix(err.Error(), "-o findings.csv.bak: unknown extension .bak (want .txt, .csv") {
		t.Errorf("formatForFile(findings.csv.bak) error = %v", err)
	}
}

func TestCheckSelection(t *testing.T) {
	plain := &audit.Rule{Name: "redirect-chain"}
	mismatch := &audit.Rule{Name: "redirect-map-mismatch", NeedsExpect: true}
	missing := &audit.Rule{Name: "redirect-map-missing", NeedsExpect: true}
	for _, tc := range []struct {
		selected []*audit.Rule
		spec     string
		expect   bool
		want     string // "" for no error
	}{
		{[]*audit.Rule{plain, mismatch}, "", false, ""},
		{[]*audit.Rule{plain}, "redirect-chain", false, ""},
		{[]*audit.Rule{mismatch, missing}, "redirect-map-*", true, ""},
		{nil, "-*", false, `--rules "-*" selects no rule: nothing to audit (see hopaudit rules)`},
		{nil, "", true, "the config file selects no rule"},
		{[]*audit.Rule{mismatch}, "redirect-map-mismatch", false,
			`--rules "redirect-map-mismatch" selects only redirect-map-mismatch, which runs only with a redirect map (hopaudit check --expect MAP.csv): nothing to audit`},
		{[]*audit.Rule{mismatch, missing}, "", false, "the config file selects only redirect-map-mismatch and redirect-map-missing, which run only with a redirect map"},
	} {
		err := checkSelection(tc.selected, tc.spec, tc.expect)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)) {
			t.Errorf("checkSelection(%d rules, %q, %v) = %v; want %q", len(tc.selected), tc.spec, tc.expect, err, tc.want)
		}
	}
}
