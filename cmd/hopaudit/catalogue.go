package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/hopaudit/hopaudit/audit"
)

func (a *app) runRules(args []string) error {
	fs := flagSet("rules")
	pos, err := a.parse(fs, args, func(w io.Writer) {
		fmt.Fprint(w, `Usage: hopaudit rules

Lists every rule: its name (for --rules, --severity and the config file),
its default severity and what it finds. "hopaudit explain NAME" says more.
`)
	})
	if err != nil {
		return helpOK(err)
	}
	if len(pos) > 0 {
		return usageErrorf("rules: takes no arguments (to describe a rule: hopaudit explain NAME)")
	}
	w := bufio.NewWriter(a.stdout)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSEVERITY\tTITLE")
	for _, r := range a.rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Name, r.Severity, r.Doc.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return w.Flush()
}

func (a *app) runExplain(args []string) error {
	fs := flagSet("explain")
	pos, err := a.parse(fs, args, func(w io.Writer) {
		fmt.Fprint(w, `Usage: hopaudit explain NAME...

Describes a rule: its default severity, what it finds, why it matters,
how to fix it, and its options with their defaults. "hopaudit rules"
lists the names.
`)
	})
	if err != nil {
		return helpOK(err)
	}
	if len(pos) == 0 {
		return usageErrorf("explain: missing rule name (see hopaudit rules)")
	}
	var picked []*audit.Rule
	for _, name := range pos {
		r := audit.Lookup(a.rules, name)
		if r == nil {
			return usageErrorf("explain: unknown rule %q (see hopaudit rules)", name)
		}
		picked = append(picked, r)
	}
	w := bufio.NewWriter(a.stdout)
	for i, r := range picked {
		if i > 0 {
			fmt.Fprintln(w)
		}
		writeDoc(w, r)
	}
	return w.Flush()
}

// writeDoc writes one rule's documentation.
func writeDoc(w io.Writer, r *audit.Rule) {
	fmt.Fprintf(w, "%s: %s\n", r.Name, r.Doc.Title)
	fmt.Fprintf(w, "Default severity: %s\n", r.Severity)
	if text := strings.TrimSpace(r.Doc.Text); text != "" {
		fmt.Fprintf(w, "\n%s\n", wrap(text, 78))
	}
	if len(r.Options) == 0 {
		return
	}
	fmt.Fprintln(w, "\nOptions:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, o := range r.Options {
		fmt.Fprintf(tw, "  %s\t%s\tdefault %s\t%s\n", o.Name, optionType(o.Default), optionValue(o.Default), o.Doc)
	}
	_ = tw.Flush() // the caller's writer reports errors on its own flush
	fmt.Fprintf(w, "\nIn a config file (--config), with the defaults:\n  rules:\n    %s:\n      options:\n", r.Name)
	for _, o := range r.Options {
		fmt.Fprintf(w, "        %s: %s\n", o.Name, optionValue(o.Default))
	}
}

func optionType(v any) string {
	switch v.(type) {
	case int:
		return "int"
	case bool:
		return "bool"
	case string:
		return "string"
	}
	return fmt.Sprintf("%T", v)
}

func optionValue(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}

// wrap breaks the lines of text longer than width at spaces, keeping the
// line breaks and indentation the text already has.
func wrap(text string, width int) string {
	var b strings.Builder
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		b.WriteString(indent)
		n := len(indent)
		for j, word := range strings.Fields(line) {
			if j > 0 && n+1+len(word) > width {
				b.WriteByte('\n')
				b.WriteString(indent)
				n = len(indent)
			} else if j > 0 {
				b.WriteByte(' ')
				n++
			}
			b.WriteString(word)
			n += len(word)
		}
	}
	return b.String()
}

// checkSelection refuses a selection of rules that audits nothing in
// this command: no rule at all (--rules '-*', or a config file that
// disables every rule), or only rules that need a redirect map when
// the command has none (expect false).
func checkSelection(selected []*audit.Rule, spec string, expect bool) error {
	what := fmt.Sprintf("--rules %q", spec)
	if strings.TrimSpace(spec) == "" {
		what = "the config file"
	}
	if len(selected) == 0 {
		return fmt.Errorf("%s selects no rule: nothing to audit (see hopaudit rules)", what)
	}
	if expect {
		return nil
	}
	var names []string
	for _, r := range selected {
		if !r.NeedsExpect {
			return nil
		}
		names = append(names, r.Name)
	}
	verb := "run"
	if len(names) == 1 {
		verb = "runs"
	}
	return fmt.Errorf("%s selects only %s, which %s only with a redirect map (hopaudit check --expect MAP.csv): nothing to audit",
		what, joinList(names, "and"), verb)
}
