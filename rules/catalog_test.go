package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/audit"
)

// catalogSize is the number of rules: the 21 of issue 3, the two
// redirect map rules of issue 5, broken-link of issue 13, and
// javascript-redirect and resource-redirect of issue 14.
const catalogSize = 26

func TestCatalog(t *testing.T) {
	all := All()
	if len(all) != catalogSize {
		t.Errorf("All() has %d rules, want %d", len(all), catalogSize)
	}
	kebab := regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	seen := map[string]bool{}
	for i, r := range all {
		if r == nil {
			t.Errorf("rule %d is nil", i)
			continue
		}
		name := r.Name
		if !kebab.MatchString(name) {
			t.Errorf("rule %d: name %q is not kebab-case", i, name)
		}
		if seen[name] {
			t.Errorf("rule %q is listed twice", name)
		}
		seen[name] = true
		if r.Severity < audit.Notice || r.Severity > audit.Error {
			t.Errorf("%s: severity %v is not notice, warning or error", name, r.Severity)
		}
		if r.Run == nil {
			t.Errorf("%s: no Run", name)
		}
		// A rule that needs a redirect map says so first thing.
		if says := strings.HasPrefix(r.Doc.Text, "Runs only with a redirect map"); says != r.NeedsExpect {
			t.Errorf("%s: NeedsExpect is %v, but its Doc.Text starting with \"Runs only with a redirect map\" is %v", name, r.NeedsExpect, says)
		}
		if strings.TrimSpace(r.Doc.Title) == "" {
			t.Errorf("%s: no Doc.Title", name)
		}
		if strings.TrimSpace(r.Doc.Text) == "" {
			t.Errorf("%s: no Doc.Text", name)
		}
		if !strings.Contains(r.Doc.Text, "RFC") && !strings.Contains(r.Doc.Text, "Google") &&
			!strings.Contains(r.Doc.Text, "Fetch") && !strings.Contains(r.Doc.Text, "WHATWG") {
			t.Errorf("%s: Doc.Text cites no source (RFC, Google, Fetch, WHATWG)", name)
		}
		opts := map[string]bool{}
		for _, o := range r.Options {
			if !kebab.MatchString(o.Name) {
				t.Errorf("%s: option name %q is not kebab-case", name, o.Name)
			}
			if opts[o.Name] {
				t.Errorf("%s: option %q is listed twice", name, o.Name)
			}
			opts[o.Name] = true
			if strings.TrimSpace(o.Doc) == "" {
				t.Errorf("%s: option %q has no Doc", name, o.Name)
			}
			switch o.Default.(type) {
			case int, bool, string:
			default:
				t.Errorf("%s: option %q has a default of type %T, want int, bool or string", name, o.Name, o.Default)
			}
		}
		for _, f := range []string{"site.txt", "findings.golden"} {
			p := filepath.Join("testdata", name, f)
			if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
				t.Errorf("%s: no %s", name, p)
			}
		}
	}
}

// TestREADMEListsRules keeps the README's rule table true: one row per
// rule with its default severity and title.
func TestREADMEListsRules(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range All() {
		row := fmt.Sprintf("| `%s` | %s | %s |", r.Name, r.Severity, r.Doc.Title)
		if !strings.Contains(string(readme), row+"\n") {
			t.Errorf("README.md lacks the row %q", row)
		}
	}
}

// TestOtherNamesRules: every rule a rule asks about by name
// (audit.Pass.Other) is in the catalogue: a misspelt name would make the
// two rules report the same thing twice, silently.
func TestOtherNamesRules(t *testing.T) {
	names := map[string]bool{}
	for _, r := range All() {
		names[r.Name] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	other := regexp.MustCompile(`\.Other\("([^"]*)"\)`)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range other.FindAllSubmatch(b, -1) {
			n++
			if !names[string(m[1])] {
				t.Errorf("%s: Other(%q) names no rule", f, m[1])
			}
		}
	}
	if n == 0 {
		t.Error("no call of Other found: the pattern is out of date")
	}
}
