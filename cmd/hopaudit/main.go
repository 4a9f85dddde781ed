// Command hopaudit crawls a web site and audits its redirects.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// A closed stdout (| head) is a write error that run reports, with
	// the report files still written, not a silent death by SIGPIPE.
	signal.Ignore(syscall.SIGPIPE)
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGTERM)
	// A signal the process was started ignoring stays ignored: under
	// nohup a closed terminal, and for a job started in the background
	// an interrupt at the terminal, do not stop the crawl.
	for _, s := range []os.Signal{os.Interrupt, syscall.SIGHUP} {
		if !signal.Ignored(s) {
			signal.Notify(signals, s)
		}
	}
	go func() {
		<-signals
		cancel() // the first signal stops the crawl; the reports are still written
		s := <-signals
		temps.removeAll() // the second one quits at once, leaving no temporary file
		os.Exit(128 + int(s.(syscall.Signal)))
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	temps.removeAll()
	os.Exit(code)
}
