package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/hopaudit/hopaudit/crawlfile"
)

func auditHelp(print func(io.Writer)) func(io.Writer) {
	return func(w io.Writer) {
		fmt.Fprint(w, `Usage: hopaudit audit [flags] FILE

Audits a crawl kept in the crawl file FILE (written by crawl or check with
--state) and writes its reports, as the crawl did, without the network:
with other rules, severities or settings, another baseline, or other
reports. It audits the file's last crawl unless --crawl names another.
A crawl that was cut short (killed, interrupted) is audited as far as it
went. The file is only read. Flags may come before or after FILE.
`)
		print(w)
		fmt.Fprint(w, `
Exit codes: 0 done, 1 findings at or above --fail-on (with --baseline,
new findings), 2 usage error or a file that is not a crawl file, 3 the
crawl was cut short or its site unreachable, 4 a report file could not be
written (it keeps what it had), 5 stdout closed early.
`)
	}
}

// runAudit audits a crawl of a crawl file.
func (a *app) runAudit(ctx context.Context, args []string) error {
	var f crawlFlags
	var id int64
	fs := flagSet("audit")
	f.defineReport(fs)
	fs.Int64Var(&id, "crawl", 0, "audit the crawl numbered `ID` in the file (see the crawls table; default the last)")
	sections := []flagSection{{title: "Report", names: []string{"crawl", "report", "format", "o", "output-dir", "bom", "fail-on", "baseline", "rules", "severity", "config", "quiet"}}}
	pos, err := a.parse(fs, args, auditHelp(func(w io.Writer) { printFlags(w, fs, sections) }))
	if err != nil {
		return helpOK(err)
	}
	if len(pos) != 1 {
		return usageErrorf("audit: want one crawl file")
	}
	path := pos[0]
	file, err := crawlfile.OpenExisting(path)
	if err != nil {
		return usageErrorf("audit: %v", err)
	}
	defer file.Close()
	infos, err := file.Crawls()
	if err != nil {
		return usageErrorf("audit: %v", err)
	}
	if len(infos) == 0 {
		return usageErrorf("audit: %s holds no crawl", path)
	}
	in := infos[len(infos)-1]
	if id != 0 {
		i := slices.IndexFunc(infos, func(in crawlfile.Info) bool { return in.ID == id })
		if i < 0 {
			return usageErrorf("audit: %s holds no crawl %d (its crawls: %s)", path, id, crawlIDs(infos))
		}
		in = infos[i]
	}
	s, err := settingsOfCrawl(in)
	if err != nil {
		return usageErrorf("audit: %s: crawl %d: %v", path, in.ID, err)
	}
	j := &job{out: f.out, outputDir: f.outputDir, bom: f.bom, quiet: f.quiet, state: path, seeds: s.Seeds}
	j.engine.Expect = s.Expect
	j.cfg.MaxPages = s.MaxPages
	if err := a.prepareReport(fs, &f, j); err != nil {
		return usageErrorf("audit: %v", err)
	}
	out, dir, err := checkOutputs(j)
	if err != nil {
		return err
	}
	if j.baselineLast {
		j.baseline, err = a.lastBaseline(ctx, j, file, path, in.ID)
		switch {
		case errors.Is(err, errNoPrevious):
			return usageErrorf("audit: --baseline last: %s holds no crawl before crawl %d", path, in.ID)
		case err != nil:
			return usageErrorf("audit: %v", err)
		}
	}
	start := a.now()
	g, err := a.replay(ctx, file, in)
	if err != nil {
		return usageErrorf("audit: %s: %v", path, err)
	}
	_, err = a.auditAndReport(j, g, out, dir, start)
	return err
}

func crawlIDs(infos []crawlfile.Info) string {
	ids := make([]string, len(infos))
	for i, in := range infos {
		ids[i] = strconv.FormatInt(in.ID, 10)
	}
	return strings.Join(ids, ", ")
}
