package output

import (
	"iter"
	"slices"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// StatusRow is one row of the status report: a URL the run was given
// (a start URL, or a line of check's list) and where it leads, as list
// mode tools show it.
type StatusRow struct {
	URL         string `json:"url"`          // as given (with https:// when it had no scheme)
	Status      int    `json:"status"`       // what it answered; 0 when nothing was
	Hops        int    `json:"hops"`         // redirects to its final URL
	FinalURL    string `json:"final_url"`    // where the chain ends; URL itself, normalised, when it does not redirect
	FinalStatus int    `json:"final_status"` // what the final URL answered
	Error       string `json:"error"`        // why the chain ends where it does, as in the hops report; "" for an ordinary end
	// Rules names the rules with findings about the URL or any URL of
	// its chain, each once, in the order they ran.
	Rules []string `json:"rules"`
}

// statusRows yields the rows of the status report: one per input, in
// order, repeats included (Options.Inputs); without inputs, one per
// start URL the graph holds, in URL order.
func statusRows(r *audit.Report, inputs []string) iter.Seq[StatusRow] {
	return func(yield func(StatusRow) bool) {
		g := r.Graph
		if g == nil {
			g = &crawler.Graph{}
		}
		if inputs == nil {
			inputs = seeds(g)
		}
		rules := findingRules(r)
		for _, in := range inputs {
			row := StatusRow{URL: in, Rules: []string{}}
			u, err := crawler.Normalize(in)
			if err != nil {
				row.Error = err.Error()
			} else {
				c := g.Follow(u)
				row.Hops = len(c.Hops)
				row.FinalURL = c.FinalURL()
				row.Error = endError(&c)
				if resp := g.Lookup(u); resp != nil {
					row.Status = resp.Status
				}
				if c.Final != nil {
					row.FinalStatus = c.Final.Status
				}
				urls := []string{u, row.FinalURL}
				for _, h := range c.Hops {
					urls = append(urls, h.URL)
				}
				var at []int
				for _, v := range urls {
					at = append(at, rules.byURL[v]...)
				}
				slices.Sort(at)
				for _, i := range slices.Compact(at) {
					row.Rules = append(row.Rules, rules.names[i])
				}
			}
			if !yield(row) {
				return
			}
		}
	}
}

// seeds returns the start URLs of a graph, sorted.
func seeds(g *crawler.Graph) []string {
	var out []string
	for _, ref := range g.References {
		if ref.Kind == crawler.RefSeed {
			out = append(out, ref.Target)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ruleIndex numbers the rules with findings, in the order they ran
// (rules a report does not list after them), and lists by URL the
// numbers of the rules with findings about it.
type ruleIndex struct {
	names []string
	byURL map[string][]int
}

func findingRules(r *audit.Report) ruleIndex {
	order := map[string]int{}
	for i, rule := range r.Rules {
		order[rule.Name] = i
	}
	var names []string
	for _, f := range r.Findings {
		if !slices.Contains(names, f.Rule) {
			names = append(names, f.Rule)
		}
	}
	slices.SortStableFunc(names, func(a, b string) int {
		i, ok := order[a]
		if !ok {
			i = len(order)
		}
		j, ok := order[b]
		if !ok {
			j = len(order)
		}
		return i - j
	})
	number := map[string]int{}
	for i, n := range names {
		number[n] = i
	}
	x := ruleIndex{names: names, byURL: map[string][]int{}}
	for _, f := range r.Findings {
		i := number[f.Rule]
		if l := x.byURL[f.URL]; !slices.Contains(l, i) {
			x.byURL[f.URL] = append(l, i)
		}
	}
	return x
}
