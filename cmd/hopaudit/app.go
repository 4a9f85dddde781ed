package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/output"
	"github.com/hopaudit/hopaudit/rules"
)

// app is one run of the command with everything it talks to, so that
// tests can swap the catalogue, the crawler and the formatters.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	terminal       bool // stdout is a terminal
	width          int  // stdout's columns, when it is a terminal: $COLUMNS, else the terminal's
	color          bool // stdout is a terminal and NO_COLOR is unset: severities are coloured
	errTerminal    bool // stderr is a terminal: it gets a progress line
	errWidth       int  // stderr's columns, when it is a terminal

	rules  []*audit.Rule // the catalogue
	crawl  func(context.Context, crawler.Config) (*crawler.Graph, error)
	lookup func(format string, opts output.Options) (output.Formatter, error)
	now    func() time.Time
	// ticker returns a channel that ticks every d, and its stop.
	ticker func(d time.Duration) (<-chan time.Time, func())
}

// run runs hopaudit with args (without the program name) and returns the
// exit code. Errors are printed once, here.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	terminal := isTerminal(stdout)
	a := &app{
		stdin:       os.Stdin,
		stdout:      stdout,
		stderr:      &syncWriter{w: stderr},
		terminal:    terminal,
		color:       terminal && os.Getenv("NO_COLOR") == "",
		errTerminal: isTerminal(stderr),
		errWidth:    terminalWidth(stderr),
		rules:       rules.All(),
		crawl:       crawler.Crawl,
		lookup:      output.Lookup,
		now:         time.Now,
		ticker: func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		},
	}
	if terminal {
		a.width = columns(os.Getenv("COLUMNS"), terminalWidth(stdout))
	}
	return a.run(ctx, args)
}

func (a *app) run(ctx context.Context, args []string) int {
	err := a.dispatch(ctx, args)
	if err != nil {
		fmt.Fprintf(a.stderr, "hopaudit: %v\n", err)
	}
	return exitCode(err)
}

// commands lists the subcommands in the order the help names them.
var commands = []struct{ name, summary string }{
	{"crawl", "crawl a site from start URLs and audit its redirects"},
	{"check", "fetch a list of URLs with their redirect chains and audit them"},
	{"audit", "audit a crawl kept in a crawl file (--state) again, without the network"},
	{"worker", "fetch for a crawl shared through Redis (crawl --redis), on this machine"},
	{"diff", "compare the findings of two JSON reports"},
	{"rules", "list the rules"},
	{"explain", "describe a rule"},
	{"version", "print the version"},
}

func (a *app) dispatch(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageErrorf("missing command: crawl, check, audit, worker, diff, rules, explain or version (see hopaudit -h)")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "crawl":
		return a.runCrawl(ctx, rest, false)
	case "check":
		return a.runCrawl(ctx, rest, true)
	case "audit":
		return a.runAudit(ctx, rest)
	case "worker":
		return a.runWorker(ctx, rest)
	case "diff":
		return a.runDiff(rest)
	case "rules":
		return a.runRules(rest)
	case "explain":
		return a.runExplain(rest)
	case "version":
		return a.runVersion(rest)
	case "help":
		return a.runHelp(rest)
	case "-h", "-help", "--help":
		a.usage(a.stdout)
		return nil
	}
	return usageErrorf("unknown command %q (see hopaudit -h)", cmd)
}

func (a *app) usage(w io.Writer) {
	fmt.Fprint(w, `hopaudit crawls a web site, records every redirect hop and audits the redirects.

Usage:
  hopaudit COMMAND [flags] [arguments]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "hopaudit COMMAND -h" for a command's flags.
`)
}

func (a *app) runHelp(args []string) error {
	if len(args) == 0 {
		a.usage(a.stdout)
		return nil
	}
	if len(args) > 1 {
		return usageErrorf("help: want one command")
	}
	return a.dispatch(context.Background(), []string{args[0], "-h"})
}

// parse parses a subcommand's arguments; for -h it prints the help to
// stdout and returns errHelp.
func (a *app) parse(fs *flag.FlagSet, args []string, help func(io.Writer)) ([]string, error) {
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		help(a.stdout)
		return nil, errHelp
	}
	if err != nil {
		return nil, usageErrorf("%s: %v (see hopaudit %s -h)", fs.Name(), err, fs.Name())
	}
	return pos, nil
}

// errHelp ends a command that printed its help: exit 0, nothing more to say.
var errHelp = errors.New("help requested")

func (a *app) runVersion(args []string) error {
	fs := flagSet("version")
	pos, err := a.parse(fs, args, func(w io.Writer) {
		fmt.Fprint(w, "Usage: hopaudit version\n\nPrints hopaudit's version.\n")
	})
	if err != nil {
		return helpOK(err)
	}
	if len(pos) > 0 {
		return usageErrorf("version: takes no arguments")
	}
	_, err = fmt.Fprintf(a.stdout, "hopaudit %s\n", appVersion())
	return err
}

// helpOK turns errHelp into success.
func helpOK(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalWidth returns the columns of the terminal w, or 0.
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

// columns is the width of a terminal for reports: $COLUMNS when it is a
// number (a user may set it to get narrower or wider tables), else the
// width the terminal reports, else 80.
func columns(env string, width int) int {
	if n, err := strconv.Atoi(strings.TrimSpace(env)); err == nil && n > 0 {
		return n
	}
	if width > 0 {
		return width
	}
	return 80
}

// syncWriter serialises writes: the crawler logs progress from its
// goroutines while the command writes its own messages.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
