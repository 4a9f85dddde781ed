package audit

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// optionCatalogue is a literal catalogue whose rules have options of
// every supported type.
func optionCatalogue() []*Rule {
	return []*Rule{
		{Name: "temporary-redirect", Severity: Warning, Options: []Option{
			{Name: "strict", Default: false},
			{Name: "login-pattern", Default: "login"},
		}},
		{Name: "redirect-chain", Severity: Warning, Options: []Option{{Name: "allowed-hops", Default: 1}}},
		{Name: "redirect-loop", Severity: Error},
		{Name: "query-dropped", Severity: Notice},
	}
}

func TestParseConfig(t *testing.T) {
	src := `# nightly settings
rules:
  query-dropped:
    enabled: false
  redirect-chain:
    severity: error
    options:
      allowed-hops: 2
  temporary-redirect:
    enabled: true
    severity: NOTICE
    options:
      strict: true
      login-pattern: "sso|signin"
  redirect-loop:
`
	c, err := ParseConfig("hopaudit.yaml", []byte(src), optionCatalogue())
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Disabled: map[string]bool{"query-dropped": true},
		Severity: map[string]Severity{"redirect-chain": Error, "temporary-redirect": Notice},
		Options: map[string]map[string]any{
			"redirect-chain":     {"allowed-hops": 2},
			"temporary-redirect": {"strict": true, "login-pattern": "sso|signin"},
		},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("ParseConfig =\n%#v\nwant\n%#v", c, want)
	}
	// The option values have the defaults' Go types, as Pass.Int etc. need.
	if _, ok := c.Options["redirect-chain"]["allowed-hops"].(int); !ok {
		t.Errorf("allowed-hops is %T, want int", c.Options["redirect-chain"]["allowed-hops"])
	}
}

func TestParseConfigEmpty(t *testing.T) {
	for _, src := range []string{"", "\n# nothing\n", "rules:\n", "---\n"} {
		c, err := ParseConfig("h.yaml", []byte(src), optionCatalogue())
		if err != nil {
			t.Errorf("ParseConfig(%q): %v", src, err)
			continue
		}
		if len(c.Disabled)+len(c.Severity)+len(c.Options) != 0 {
			t.Errorf("ParseConfig(%q) = %+v, want nothing set", src, c)
		}
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name, src, err string
	}{
		{"unknown rule", "rules:\n  redirect-chian:\n    enabled: false\n",
			`hopaudit.yaml:2: unknown rule "redirect-chian"`},
		{"unknown top key", "rule:\n  redirect-chain: {}\n",
			`hopaudit.yaml:1: unknown key "rule" (want rules)`},
		{"unknown rule key", "rules:\n  redirect-chain:\n    severty: error\n",
			`hopaudit.yaml:3: rule redirect-chain: unknown key "severty" (want enabled, severity or options)`},
		{"unknown option", "rules:\n  redirect-chain:\n    options:\n      max-hops: 3\n",
			`hopaudit.yaml:4: rule redirect-chain: unknown option "max-hops" (want allowed-hops)`},
		{"option on a rule without options", "rules:\n  redirect-loop:\n    options:\n      x: 1\n",
			`hopaudit.yaml:4: rule redirect-loop: unknown option "x": the rule has no options`},
		{"int option given a string", "rules:\n  redirect-chain:\n    options:\n      allowed-hops: \"2\"\n",
			`hopaudit.yaml:4: rule redirect-chain: option allowed-hops: want an integer, got the string "2"`},
		{"int option given a float", "rules:\n  redirect-chain:\n    options:\n      allowed-hops: 2.5\n",
			`hopaudit.yaml:4: rule redirect-chain: option allowed-hops: want an integer, got the number 2.5`},
		{"int option given nothing", "rules:\n  redirect-chain:\n    options:\n      allowed-hops:\n",
			`hopaudit.yaml:4: rule redirect-chain: option allowed-hops: want an integer, got nothing`},
		{"int option too large", "rules:\n  redirect-chain:\n    options:\n      allowed-hops: 99999999999999999999\n",
			`hopaudit.yaml:4: rule redirect-chain: option allowed-hops: want an integer, got the number 99999999999999999999`},
		{"bool option given yes", "rules:\n  temporary-redirect:\n    options:\n      strict: yes\n",
			`hopaudit.yaml:4: rule temporary-redirect: option strict: want true or false, got the string "yes"`},
		{"string option given an int", "rules:\n  temporary-redirect:\n    options:\n      login-pattern: 42\n",
			`hopaudit.yaml:4: rule temporary-redirect: option login-pattern: want a string, got the integer 42`},
		{"string option given a list", "rules:\n  temporary-redirect:\n    options:\n      login-pattern: [a, b]\n",
			`hopaudit.yaml:4: rule temporary-redirect: option login-pattern: want a string, got a list`},
		{"bad severity", "rules:\n  redirect-chain:\n    severity: critical\n",
			`hopaudit.yaml:3: rule redirect-chain: severity: unknown severity "critical" (want error, warning, notice or none)`},
		{"enabled not bool", "rules:\n  redirect-chain:\n    enabled: off\n",
			`hopaudit.yaml:3: rule redirect-chain: enabled: want true or false, got the string "off"`},
		{"rules is a list", "rules:\n  - redirect-chain\n",
			`hopaudit.yaml:2: rules: want a mapping, got a list`},
		{"options is a list", "rules:\n  redirect-chain:\n    options: [1]\n",
			`hopaudit.yaml:3: rule redirect-chain: options: want a mapping, got a list`},
		{"top is a string", "hello\n",
			`hopaudit.yaml:1: want a mapping, got the string "hello"`},
		{"rule twice", "rules:\n  redirect-chain: {}\n  redirect-chain: {}\n",
			`hopaudit.yaml:3: rules: "redirect-chain" appears twice`},
		{"syntax", "rules:\n  redirect-chain: [\n",
			`hopaudit.yaml:2: did not find expected node content`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseConfig("hopaudit.yaml", []byte(tt.src), optionCatalogue())
			if err == nil {
				t.Fatalf("ParseConfig succeeded with %+v, want error %q", c, tt.err)
			}
			if err.Error() != tt.err {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.err)
			}
		})
	}
}

func TestLoadConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hopaudit.yaml")
	if err := os.WriteFile(path, []byte("rules:\n  nope: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConfig(path, optionCatalogue())
	if err == nil || !strings.HasPrefix(err.Error(), path+":2: ") {
		t.Errorf("LoadConfig error = %v, want it to start with %s:2:", err, path)
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "missing.yaml"), optionCatalogue()); err == nil {
		t.Error("LoadConfig of a missing file succeeded")
	}
}

func TestConfigSelect(t *testing.T) {
	c, err := ParseConfig("h.yaml", []byte("rules:\n  query-dropped:\n    enabled: false\n"), optionCatalogue())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ spec, want string }{
		{"", "temporary-redirect,redirect-chain,redirect-loop"},
		{"-redirect-loop", "temporary-redirect,redirect-chain"},
		{"all", "temporary-redirect,redirect-chain,redirect-loop,query-dropped"},
		{"query-*", "query-dropped"},
		{"-redirect-loop,query-dropped", "temporary-redirect,redirect-chain,query-dropped"},
	}
	for _, tt := range tests {
		got, err := c.Select(optionCatalogue(), tt.spec)
		if err != nil {
			t.Errorf("Select(%q): %v", tt.spec, err)
			continue
		}
		if names(got) != tt.want {
			t.Errorf("Select(%q) = %s, want %s", tt.spec, names(got), tt.want)
		}
	}
	if _, err := c.Select(optionCatalogue(), "nope"); err == nil {
		t.Error(`Select("nope") succeeded`)
	}
}
