package audit

import (
	"fmt"
	"path"
	"strings"
)

// Select picks rules from the catalogue all with a spec such as
// "all,-query-dropped,redirect-*": comma-separated rule names and
// path.Match globs, evaluated left to right. "all" adds every rule and a
// leading "-" removes what the item names. A spec that starts with a
// removal starts from every rule; otherwise it starts from none. An empty
// spec selects every rule. The result keeps the catalogue's order.
//
// An unknown name, a malformed glob or a glob that matches no rule is an
// error.
func Select(all []*Rule, spec string) ([]*Rule, error) {
	on := make([]bool, len(all))
	for i := range on {
		on[i] = true
	}
	return selectFrom(all, on, spec)
}

// selectFrom applies spec to the catalogue all. on says which rules are
// selected before the spec; it is the starting point when the spec is
// empty or starts with a removal, and is overwritten otherwise.
func selectFrom(all []*Rule, on []bool, spec string) ([]*Rule, error) {
	if strings.TrimSpace(spec) != "" {
		items := strings.Split(spec, ",")
		for i, item := range items {
			item = strings.TrimSpace(item)
			remove := strings.HasPrefix(item, "-")
			name := strings.TrimPrefix(item, "-")
			if name == "" {
				return nil, fmt.Errorf("rules %q: empty item", spec)
			}
			if i == 0 && !remove {
				clear(on)
			}
			matched, err := match(all, name)
			if err != nil {
				return nil, err
			}
			for _, j := range matched {
				on[j] = !remove
			}
		}
	}
	out := make([]*Rule, 0, len(all))
	for i, r := range all {
		if on[i] {
			out = append(out, r)
		}
	}
	return out, nil
}

// match returns the catalogue positions that a name, a glob or "all"
// stands for.
func match(all []*Rule, name string) ([]int, error) {
	var out []int
	switch {
	case name == "all":
		for i := range all {
			out = append(out, i)
		}
		return out, nil
	case strings.ContainsAny(name, `*?[\`):
		if _, err := path.Match(name, ""); err != nil {
			return nil, fmt.Errorf("rule pattern %q: %w", name, err)
		}
		for i, r := range all {
			if ok, _ := path.Match(name, r.Name); ok {
				out = append(out, i)
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("rule pattern %q matches no rule", name)
		}
		return out, nil
	}
	for i, r := range all {
		if r.Name == name {
			return []int{i}, nil
		}
	}
	return nil, fmt.Errorf("unknown rule %q", name)
}

// Lookup returns the rule called name in the catalogue all, or nil.
func Lookup(all []*Rule, name string) *Rule {
	for _, r := range all {
		if r.Name == name {
			return r
		}
	}
	return nil
}
