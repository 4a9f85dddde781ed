package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

// mknod makes a character device in a test folder: (1, 3) is what
// /dev/null is, (1, 7) /dev/full. It needs root (CAP_MKNOD): without it
// the test is skipped, except in CI, where it fails.
func mknod(t *testing.T, path string, major, minor int) {
	t.Helper()
	if err := syscall.Mknod(path, syscall.S_IFCHR|0o666, major<<8|minor); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("mknod %s: %v (CI runs as root)", path, err)
		}
		t.Skipf("mknod %s: %v: a device in a test folder needs root", path, err)
	}
}

// tempLeft lists the temporary files in dir.
func tempLeft(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			left = append(left, e.Name())
		}
	}
	return left
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}

const findingsHeader = "rule,severity,url,source,status,target,hops,message"

// TestOutputFileModes: a replaced report keeps its mode; a new one gets
// 0666 less the umask, as a shell redirection gives.
func TestOutputFileModes(t *testing.T) {
	dir := t.TempDir()
	kept := filepath.Join(dir, "kept.csv")
	if err := os.WriteFile(kept, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(kept, 0o604); err != nil { // whatever the umask
		t.Fatal(err)
	}
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	for path, want := range map[string]fs.FileMode{kept: 0o604, filepath.Join(dir, "new.csv"): 0o640} {
		f := newFake(t)
		if code := f.run("crawl", "http://site.test/a", "-o", path); code != exitOK {
			t.Fatalf("exit code %d; stderr: %s", code, f.stderr.String())
		}
		if got := mode(t, path); got != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(path), got, want)
		}
		if b, _ := os.ReadFile(path); !bytes.HasPrefix(b, []byte(findingsHeader)) {
			t.Errorf("%s is not the report: %q", filepath.Base(path), b)
		}
	}
	if left := tempLeft(t, dir); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestOutputSymlink: -o onto a symbolic link replaces the file it names
// and keeps the link; a dangling link gets its file created.
func TestOutputSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "reports", "findings.csv")
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "latest.csv")
	if err := os.Symlink("reports/findings.csv", link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "next.csv")
	if err := os.Symlink("reports/next.csv", dangling); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{link, dangling} {
		f := newFake(t)
		if code := f.run("crawl", "http://site.test/a", "-o", path); code != exitOK {
			t.Fatalf("exit code %d; stderr: %s", code, f.stderr.String())
		}
		if mode(t, path)&fs.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symbolic link", filepath.Base(path))
		}
		if b, _ := os.ReadFile(path); !bytes.HasPrefix(b, []byte(findingsHeader)) {
			t.Errorf("%s does not lead to the report: %q", filepath.Base(path), b)
		}
	}
	if got := mode(t, real); got != 0o640 {
		t.Errorf("the linked file's mode is %v, want 0640", got)
	}
	for _, d := range []string{dir, filepath.Dir(real)} {
		if left := tempLeft(t, d); len(left) != 0 {
			t.Errorf("temporary files left in %s: %v", d, left)
		}
	}
}

// TestOutputDevice: a device is written to, never replaced: a null
// device takes the report, a full one fails the run with exit 4.
func TestOutputDevice(t *testing.T) {
	dir := t.TempDir()
	null, full := filepath.Join(dir, "null"), filepath.Join(dir, "full")
	mknod(t, null, 1, 3)
	mknod(t, full, 1, 7)

	f := newFake(t)
	if code := f.run("crawl", "http://site.test/a", "-o", null); code != exitOK {
		t.Errorf("-o null device: exit code %d; stderr: %s", code, f.stderr.String())
	}
	f = newFake(t)
	code := f.run("crawl", "http://site.test/a", "-o", full)
	if code != exitWrite {
		t.Errorf("-o full device: exit code %d, want %d", code, exitWrite)
	}
	oneError(t, f.stderr.String(), "no space left on device")
	for _, path := range []string{null, full} {
		if m := mode(t, path); m&fs.ModeCharDevice == 0 {
			t.Errorf("%s was replaced: mode %v", filepath.Base(path), m)
		}
	}
	if left := tempLeft(t, dir); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestOutputFIFO: a FIFO is written to, never replaced.
func TestOutputFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "report.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() {
		r, err := os.Open(fifo) // waits for the writer
		if err != nil {
			got <- []byte(err.Error())
			return
		}
		defer r.Close()
		b, _ := io.ReadAll(r)
		got <- b
	}()
	f := newFake(t)
	if code := f.run("crawl", "http://site.test/a", "-o", fifo); code != exitOK {
		t.Fatalf("exit code %d; stderr: %s", code, f.stderr.String())
	}
	if m := mode(t, fifo); m&fs.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced: mode %v", m) // its reader would wait for ever
	}
	if b := <-got; !bytes.HasPrefix(b, []byte(findingsHeader)) {
		t.Errorf("the reader got %q", b)
	}
}

// writeOld fills dir with last night's reports, each saying so.
func writeOld(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("old "+n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkOld checks that dir still holds last night's reports, and that
// the names in gone are still absent.
func checkOld(t *testing.T, dir string, names, gone []string) {
	t.Helper()
	for _, n := range names {
		if b, err := os.ReadFile(filepath.Join(dir, n)); string(b) != "old "+n {
			t.Errorf("%s: %q (%v), want last night's", n, b, err)
		}
	}
	for _, n := range gone {
		if _, err := os.Lstat(filepath.Join(dir, n)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s exists, but did not before the run (%v)", n, err)
		}
	}
	if left := tempLeft(t, dir); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestOutputDirChecked: a name of --output-dir taken by a folder, or
// -o naming one of its files, is a usage error before any request.
func TestOutputDirChecked(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "hops.csv"), 0o755); err != nil {
		t.Fatal(err)
	}
	f := newFake(t)
	if code := f.run("crawl", "http://site.test/a", "--output-dir", dir); code != exitUsage {
		t.Errorf("exit code %d, want %d", code, exitUsage)
	}
	oneError(t, f.stderr.String(), "--output-dir: "+filepath.Join(dir, "hops.csv")+" is a directory")
	if f.cfg != nil {
		t.Error("the crawler ran")
	}

	dir = t.TempDir()
	f = newFake(t)
	if code := f.run("crawl", "http://site.test/a", "--output-dir", dir, "-o", filepath.Join(dir, "findings.csv")); code != exitUsage {
		t.Errorf("exit code %d, want %d", code, exitUsage)
	}
	oneError(t, f.stderr.String(), "is also a file of --output-dir")
	if f.cfg != nil {
		t.Error("the crawler ran")
	}
}

// TestOutputDirAllOrNothing: when one report of --output-dir cannot be
// written (a full disk) or moved into place (its name became a folder
// during the crawl), every file keeps last night's contents, a report
// that was not there (hops.csv; sitemaps.csv, which an earlier hopaudit
// did not write) is still not there, and the exit code is 4.
func TestOutputDirAllOrNothing(t *testing.T) {
	old := []string{"findings.csv", "chains.csv", "urls.csv", "sitemaps.csv", "summary.csv", "report.json"}

	t.Run("full disk", func(t *testing.T) {
		dir := t.TempDir()
		writeOld(t, dir, "findings.csv", "chains.csv", "hops.csv", "urls.csv", "report.json")
		full := filepath.Join(t.TempDir(), "full")
		mknod(t, full, 1, 7)
		if err := os.Symlink(full, filepath.Join(dir, "summary.csv")); err != nil {
			t.Fatal(err)
		}
		f := newFake(t)
		if code := f.run("crawl", "http://site.test/a", "--output-dir", dir); code != exitWrite {
			t.Errorf("exit code %d, want %d", code, exitWrite)
		}
		oneError(t, f.stderr.String(), "--output-dir: write "+filepath.Join(dir, "summary.csv")+": no space left on device; "+dir+" keeps the reports it had")
		checkOld(t, dir, []string{"findings.csv", "chains.csv", "hops.csv", "urls.csv", "report.json"}, []string{"sitemaps.csv"})
	})

	t.Run("rename fails", func(t *testing.T) {
		dir := t.TempDir()
		writeOld(t, dir, old...) // no hops.csv yet
		f := newFake(t)
		f.crawl = func(context.Context, crawler.Config) (*crawler.Graph, error) {
			// During the crawl, after the names were checked, one of them
			// becomes a folder that is not empty: renaming onto it fails.
			if err := os.Remove(filepath.Join(dir, "report.json")); err != nil {
				return nil, err
			}
			if err := os.MkdirAll(filepath.Join(dir, "report.json", "x"), 0o755); err != nil {
				return nil, err
			}
			return testGraph(), nil
		}
		if code := f.run("crawl", "http://site.test/a", "--output-dir", dir); code != exitWrite {
			t.Errorf("exit code %d, want %d", code, exitWrite)
		}
		oneError(t, f.stderr.String(), "--output-dir: rename "+filepath.Join(dir, "report.json")+": ")
		checkOld(t, dir, old[:len(old)-1], []string{"hops.csv"})
	})
}

// TestStaleTempsRemoved: writing a report removes the temporary files
// that a killed run left beside it, and only those: a running process's
// are kept.
func TestStaleTempsRemoved(t *testing.T) {
	dead := 0
	for pid := 4_000_000; pid > 1; pid-- { // above most pid_max settings
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			dead = pid
			break
		}
	}
	dir := t.TempDir()
	stale := []string{
		".findings.csv." + strconv.Itoa(dead) + ".12345.tmp", // this version's name
		".findings.csv." + strconv.Itoa(dead) + ".tmp",       // an earlier version's
	}
	live := []string{
		".findings.csv." + strconv.Itoa(os.Getppid()) + ".777.tmp", // a run still writing
		".chains.csv." + strconv.Itoa(dead) + ".1.tmp",             // another report's
	}
	for _, n := range append(slices.Clone(stale), live...) {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f := newFake(t)
	if code := f.run("crawl", "http://site.test/a", "-o", filepath.Join(dir, "findings.csv")); code != exitOK {
		t.Fatalf("exit code %d; stderr: %s", code, f.stderr.String())
	}
	left := tempLeft(t, dir)
	slices.Sort(left)
	slices.Sort(live)
	if !slices.Equal(left, live) {
		t.Errorf("temporary files left: %q, want %q", left, live)
	}
}
