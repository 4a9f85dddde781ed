// Package redistest starts a real redis-server for tests, on a free
// loopback port, and stops it when the test ends.
//
// Without redis-server on PATH (Debian's package: apt-get install
// redis-server) the tests that need one skip, saying so; with
// HOPAUDIT_REQUIRE_REDIS set (.ci/run sets it), or CI=true, they fail
// instead.
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// Server is a redis-server a test started.
type Server struct {
	Addr string // host:port on loopback
	URL  string // redis://Addr/0
	cmd  *exec.Cmd
}

// Start starts a redis-server that keeps nothing on disk, and stops it
// when tb ends; args are more of its options, as in "--maxmemory",
// "10mb". It skips tb when there is no redis-server (see the package).
func Start(tb testing.TB, args ...string) *Server {
	tb.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "no redis-server on PATH: install Debian's redis-server (apt-get install redis-server) to run the tests of crawls shared through Redis"
		if os.Getenv("HOPAUDIT_REQUIRE_REDIS") != "" || os.Getenv("CI") == "true" {
			tb.Fatal(msg + "; HOPAUDIT_REQUIRE_REDIS or CI=true is set, so this is a failure")
		}
		tb.Skip(msg)
	}
	var last string
	for range 5 { // a port found free may be taken before the server binds it
		port, err := freePort()
		if err != nil {
			tb.Fatal(err)
		}
		s, out := start(tb, path, port, args)
		if s != nil {
			return s
		}
		last = out
		if !strings.Contains(out, "in use") {
			break
		}
	}
	tb.Fatalf("redis-server did not start:\n%s", last)
	return nil
}

// start runs redis-server on port and waits for it to say it is
// ready; nil and what it said when it exited first.
func start(tb testing.TB, path string, port int, args []string) (*Server, string) {
	all := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", tb.TempDir(), "--logfile", ""}, args...)
	cmd := exec.Command(path, all...)
	tieToTest(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	var said strings.Builder
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		said.WriteString(lines.Text() + "\n")
		if strings.Contains(lines.Text(), "Ready to accept connections") {
			go io.Copy(io.Discard, stdout) //nolint:errcheck // its log, read so that it never blocks
			addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
			s := &Server{Addr: addr, URL: "redis://" + addr + "/0", cmd: cmd}
			tb.Cleanup(s.Kill)
			return s, ""
		}
	}
	cmd.Wait() //nolint:errcheck // it exited: what it said tells why
	return nil, said.String()
}

// Kill stops the server at once, as a crash would.
func (s *Server) Kill() {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Kill() //nolint:errcheck // it may have exited
		s.cmd.Wait()         //nolint:errcheck // killed
	}
}

// Client returns a client of the server, closed when tb ends.
func (s *Server) Client(tb testing.TB) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	tb.Cleanup(func() { rdb.Close() })
	return rdb
}

// UsedMemory returns the server's used_memory (INFO memory), in bytes.
func (s *Server) UsedMemory(tb testing.TB, rdb *redis.Client) int64 {
	info, err := rdb.Info(context.Background(), "memory").Result()
	if err != nil {
		tb.Fatal(err)
	}
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return n
		}
	}
	tb.Fatalf("no used_memory in INFO memory:\n%s", info)
	return 0
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("no free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
