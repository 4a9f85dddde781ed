package main

// Process tests: the test binary runs as hopaudit itself (main, with its
// signal handling) in a child process, against loopback fixture sites,
// with a real pipe for stdout and real signals.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

func TestMain(m *testing.M) {
	if os.Getenv("HOPAUDIT_TEST_MAIN") == "1" {
		main() // the child of hopaudit: see command
		return
	}
	os.Exit(m.Run())
}

// command returns the test binary set up to run as hopaudit with args.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "HOPAUDIT_TEST_MAIN=1")
	return cmd
}

// exitStatus is the exit code of a finished child, or 128 plus the
// signal that killed it.
func exitStatus(t *testing.T, err error) int {
	t.Helper()
	code, ok := childExit(err)
	if ok {
		return code
	}
	t.Fatalf("child: %v", err)
	return -1
}

// childExit is exitStatus without a test: false when err is not a
// child's exit.
func childExit(err error) (int, bool) {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, true
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), true
		}
		return ee.ExitCode(), true
	}
	return -1, false
}

// manyPages is a fixture site of n pages linked from the home page.
func manyPages(n int) string {
	var b strings.Builder
	b.WriteString("-- / --\n")
	for i := range n {
		fmt.Fprintf(&b, "<a href=\"/page/%d\">page %d</a>\n", i, i)
	}
	for i := range n {
		fmt.Fprintf(&b, "-- /page/%d --\n<p>page %d</p>\n", i, i)
	}
	return b.String()
}

// checkDir checks that dir holds every report of --output-dir, whole,
// and no temporary file.
func checkDir(t *testing.T, dir string) {
	t.Helper()
	for _, r := range dirReports {
		b, err := os.ReadFile(filepath.Join(dir, r.name))
		if err != nil {
			t.Error(err)
			continue
		}
		if r.format == "json" && !json.Valid(b) {
			t.Errorf("%s is not whole JSON", r.name)
		}
		if r.format == "csv" && !bytes.HasSuffix(b, []byte("\r\n")) {
			t.Errorf("%s does not end with a whole line", r.name)
		}
	}
	if left := tempLeft(t, dir); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestClosedStdout: stdout's reader hangs up early (| head -c 100): the
// process is not killed by SIGPIPE; the --output-dir reports are
// written whole, and it exits 5 with a short message.
func TestClosedStdout(t *testing.T) {
	site := crawlertest.New(t, manyPages(200))
	dir := filepath.Join(t.TempDir(), "out")
	cmd := command(append([]string{"crawl", "http://" + crawlertest.Host + "/", "--output-dir", dir,
		"--report", "urls", "--format", "csv"}, resolveArgs(site)...)...)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// The smallest pipe (a page): the report, some 10 KB, cannot fit in
	// it, so the child is still writing when the reader hangs up.
	if _, _, errno := syscall.Syscall(syscall.SYS_FCNTL, w.Fd(), 1031 /* F_SETPIPE_SZ */, 4096); errno != 0 {
		t.Fatalf("F_SETPIPE_SZ: %v", errno)
	}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	head := make([]byte, 100)
	if _, err := io.ReadFull(r, head); err != nil {
		t.Fatalf("read the head of the report: %v; stderr:\n%s", err, stderr.String())
	}
	r.Close()
	code := exitStatus(t, cmd.Wait())
	if code != exitStdout {
		t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitStdout, stderr.String())
	}
	if !bytes.HasPrefix(head, []byte("url,status,")) {
		t.Errorf("stdout began %q", head)
	}
	oneError(t, stderr.String(), "stdout: write /dev/stdout: broken pipe: the report there is incomplete; the --output-dir reports were written")
	checkDir(t, dir)
}

// blockingSite serves a home page that links to /slow, which answers
// when release is called or the test ends; arrived is closed when /slow
// is requested.
func blockingSite(t *testing.T) (srv *httptest.Server, arrived <-chan struct{}, release func()) {
	ch := make(chan struct{})
	var arrivedOnce sync.Once // a retry asks again
	released := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(released) }) }
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<a href="/slow">slow</a> <a href="/gone">gone</a>`)
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/missing", http.StatusFound)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		arrivedOnce.Do(func() { close(ch) })
		select {
		case <-released:
		case <-r.Context().Done():
		}
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		release()
		srv.Close()
	})
	return srv, ch, release
}

// TestHangup: SIGHUP (a closed terminal) stops the crawl as SIGTERM
// does: the reports of what was fetched are written and the exit code
// says the crawl was cut short.
func TestHangup(t *testing.T) {
	// Under nohup the child would inherit SIGHUP ignored, and rightly
	// ignore it (see TestNohup): caught here, it is reset in the child.
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, syscall.SIGHUP)
	defer signal.Stop(caught)
	srv, arrived, _ := blockingSite(t)
	dir := filepath.Join(t.TempDir(), "out")
	cmd := command("crawl", srv.URL+"/", "--output-dir", dir, "--no-sitemaps", "--ignore-robots")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-arrived
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if code := exitStatus(t, cmd.Wait()); code != exitIncomplete {
		t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitIncomplete, stderr.String())
	}
	oneError(t, stderr.String(), "crawl cut short")
	checkDir(t, dir)
}

// TestNohup: under nohup, which ignores SIGHUP, a hangup does not stop
// the crawl.
func TestNohup(t *testing.T) {
	nohup, err := exec.LookPath("nohup")
	if err != nil {
		t.Skip("no nohup on this machine")
	}
	srv, arrived, release := blockingSite(t)
	cmd := exec.Command(nohup, os.Args[0], "crawl", srv.URL+"/", "--no-sitemaps", "--ignore-robots", "--format", "csv")
	cmd.Env = append(os.Environ(), "HOPAUDIT_TEST_MAIN=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-arrived // main has set up its signals by now
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(status), "\nSigIgn:\t") || !sigIgnored(string(status), syscall.SIGHUP) {
		t.Errorf("SIGHUP is caught, not ignored:\n%s", status)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	release() // the crawl goes on to its end
	if code := exitStatus(t, cmd.Wait()); code != exitOK {
		t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitOK, stderr.String())
	}
	if strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("the hangup interrupted the crawl:\n%s", stderr.String())
	}
}

// sigIgnored reads a /proc/PID/status: whether sig is in its SigIgn mask.
func sigIgnored(status string, sig syscall.Signal) bool {
	for _, line := range strings.Split(status, "\n") {
		if hex, ok := strings.CutPrefix(line, "SigIgn:\t"); ok {
			mask, err := strconv.ParseUint(hex, 16, 64)
			return err == nil && mask&(1<<(sig-1)) != 0
		}
	}
	return false
}

// TestSecondSignal: a second signal while the reports are being written
// quits at once and leaves no temporary file; every report keeps last
// night's contents. The child is held in the middle of --output-dir:
// its hops.csv is a FIFO that the test has filled, so that the child
// blocks writing to it after findings.csv and chains.csv are staged.
func TestSecondSignal(t *testing.T) {
	srv, _, _ := blockingSite(t)
	dir := t.TempDir()
	names := []string{"findings.csv", "chains.csv", "urls.csv", "sitemaps.csv", "summary.csv", "report.json"}
	writeOld(t, dir, names...)
	fifo := filepath.Join(dir, "hops.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// Opened for reading and writing, the FIFO neither waits for a
	// writer nor signals the child's end of file; filled, it blocks the
	// child's first write.
	held, err := os.OpenFile(fifo, os.O_RDWR|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if _, _, errno := syscall.Syscall(syscall.SYS_FCNTL, held.Fd(), 1031 /* F_SETPIPE_SZ */, 4096); errno != 0 {
		t.Fatalf("F_SETPIPE_SZ: %v", errno)
	}
	if _, err := held.Write(make([]byte, 4096)); err != nil {
		t.Fatalf("fill the FIFO: %v", err)
	}

	// SIGINT caught here is reset in the child, even if this test was
	// started ignoring it (in the background of a script).
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, os.Interrupt)
	defer signal.Stop(caught)
	cmd := command("check", "-", "--output-dir", dir, "--ignore-robots")
	cmd.Stdin = strings.NewReader(srv.URL + "/gone\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitOpen(t, cmd.Process.Pid, fifo)
	// Two different signals: two of the same may arrive as one.
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := exitStatus(t, cmd.Wait())
	if code != 128+int(syscall.SIGINT) && code != 128+int(syscall.SIGTERM) {
		t.Errorf("exit code %d, want 130 or 143; stderr:\n%s", code, stderr.String())
	}
	checkOld(t, dir, names, nil)
}

// waitOpen waits until process pid has path open, as /proc tells: the
// child has reached the FIFO. It polls for that state, with no deadline
// of its own: the test's timeout bounds it, however slow the machine.
func waitOpen(t *testing.T, pid int, path string) {
	t.Helper()
	fds := fmt.Sprintf("/proc/%d/fd", pid)
	for {
		entries, err := os.ReadDir(fds)
		if err != nil {
			t.Fatalf("the child is gone before it opened %s: %v", path, err)
		}
		for _, e := range entries {
			if target, _ := os.Readlink(filepath.Join(fds, e.Name())); target == path {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
}
