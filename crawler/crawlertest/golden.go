package crawlertest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Golden compares got with the golden file at path, or writes the file
// when update is set (the tests' -update flag). A difference is shown
// as the lines only the file has (-) and only got has (+).
func Golden(tb testing.TB, path string, got []byte, update bool) {
	tb.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run the tests with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs (run the tests with -update to accept):\n%s", path, DiffLines(string(want), string(got)))
	}
}

// DiffLines lists the lines only in want (-) or only in got (+), or, when
// both have the same lines in another order or count, says so: a test's
// message when two texts differ.
func DiffLines(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + strings.ToValidUTF8(l, "?") + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + strings.ToValidUTF8(l, "?") + "\n")
		}
	}
	if b.Len() == 0 {
		return "the same lines, in another order or number"
	}
	return b.String()
}
