package audit

import (
	"strings"
	"testing"
)

// catalogue is a small literal catalogue in a fixed order.
func catalogue() []*Rule {
	names := []string{"temporary-redirect", "redirect-chain", "redirect-loop", "query-dropped", "meta-refresh"}
	out := make([]*Rule, len(names))
	for i, n := range names {
		out[i] = &Rule{Name: n, Severity: Warning}
	}
	return out
}

func names(rs []*Rule) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.Name
	}
	return strings.Join(s, ",")
}

func TestSelect(t *testing.T) {
	all := "temporary-redirect,redirect-chain,redirect-loop,query-dropped,meta-refresh"
	tests := []struct {
		spec, want, err string
	}{
		{spec: "", want: all},
		{spec: "  ", want: all},
		{spec: "all", want: all},
		{spec: "redirect-loop", want: "redirect-loop"},
		{spec: "-query-dropped", want: "temporary-redirect,redirect-chain,redirect-loop,meta-refresh"},
		{spec: "all,-query-dropped", want: "temporary-redirect,redirect-chain,redirect-loop,meta-refresh"},
		{spec: "redirect-*", want: "redirect-chain,redirect-loop"},
		// catalogue order, not spec order
		{spec: "meta-refresh,temporary-redirect", want: "temporary-redirect,meta-refresh"},
		{spec: "all,-redirect-*,redirect-loop", want: "temporary-redirect,redirect-loop,query-dropped,meta-refresh"},
		{spec: "-redirect-*,-meta-refresh", want: "temporary-redirect,query-dropped"},
		// left to right: a later addition wins over an earlier removal
		{spec: "-query-dropped,query-dropped", want: all},
		{spec: "redirect-chain,-redirect-chain", want: ""},
		{spec: "-all", want: ""},
		{spec: " redirect-chain , query-dropped ", want: "redirect-chain,query-dropped"},
		{spec: "*-re*", want: "temporary-redirect,meta-refresh"},
		{spec: "redirect-?oop", want: "redirect-loop"},
		{spec: "nope", err: `unknown rule "nope"`},
		{spec: "-nope", err: `unknown rule "nope"`},
		{spec: "all,nope", err: `unknown rule "nope"`},
		{spec: "Redirect-Chain", err: `unknown rule "Redirect-Chain"`},
		{spec: "zzz-*", err: `rule pattern "zzz-*" matches no rule`},
		{spec: "redirect-[", err: `rule pattern "redirect-[": syntax error in pattern`},
		{spec: "redirect-chain,,query-dropped", err: `rules "redirect-chain,,query-dropped": empty item`},
		{spec: "-", err: `rules "-": empty item`},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := Select(catalogue(), tt.spec)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("Select(%q) error = %v, want %q", tt.spec, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Select(%q): %v", tt.spec, err)
			}
			if names(got) != tt.want {
				t.Errorf("Select(%q) = %s, want %s", tt.spec, names(got), tt.want)
			}
		})
	}
}

func TestSelectKeepsRuleValues(t *testing.T) {
	all := catalogue()
	got, err := Select(all, "redirect-loop")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != all[2] {
		t.Errorf("Select returned %v, want the catalogue's own *Rule %p", got, all[2])
	}
}

func TestLookup(t *testing.T) {
	all := catalogue()
	if r := Lookup(all, "query-dropped"); r != all[3] {
		t.Errorf("Lookup(query-dropped) = %v, want %v", r, all[3])
	}
	if r := Lookup(all, "query"); r != nil {
		t.Errorf("Lookup(query) = %v, want nil", r)
	}
}
