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
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	if !signal.Ignored(syscall.SIGHUP) { // under nohup, a closed terminal does not stop the crawl
		signal.Notify(signals, syscall.SIGHUP)
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
