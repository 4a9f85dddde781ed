package main

// How reports reach files (-o and --output-dir): checked before the
// crawl, replaced whole or not at all, with no temporary file left
// behind by any exit the process can handle.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// reportFile is a file a report goes to. A regular file, or a path where
// there is none yet, is replaced atomically: the report is written to a
// temporary file in the same folder, synced, and renamed over it, so
// that a failed run never leaves half a report where last night's was;
// the replaced file keeps its mode (and owner, where the process may
// set it), a new one gets 0666 less the umask, as a shell redirection
// gives. A symbolic link is followed and the file it names replaced.
// Anything else (a device such as /dev/null, a FIFO, a terminal) and
// every path under /dev and /proc (/dev/stdout, /dev/fd/N of a shell's
// >(cmd)) is opened and written in place, never replaced.
type reportFile struct {
	path string      // as given, for messages
	file string      // the regular file to replace, links followed; "" when written in place
	old  os.FileInfo // the file it replaces; nil when there is none
}

// checkReportFile checks path before the crawl, so that a report that
// cannot be written fails at once, not after a night's crawl.
func checkReportFile(path string) (*reportFile, error) {
	f := &reportFile{path: path}
	if inPlace(path) {
		return f, checkWritable(path)
	}
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return nil, fmt.Errorf("%s is a directory", path)
	case err == nil && !fi.Mode().IsRegular():
		return f, checkWritable(path)
	case err == nil:
		f.old = fi
		if f.file, err = filepath.EvalSymlinks(path); err != nil {
			return nil, err
		}
	case errors.Is(err, fs.ErrNotExist):
		if f.file, err = followLinks(path); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	// The folder must take the temporary file.
	tmp, err := temps.create(f.file)
	if err != nil {
		return nil, err
	}
	tmp.Close()
	temps.remove(tmp.Name())
	return f, nil
}

// inPlace reports whether path is written in place whatever it is: the
// files under /dev and /proc are devices, pipes and a process's own
// descriptors, never reports to replace.
func inPlace(path string) bool {
	abs, err := filepath.Abs(path)
	return err == nil && (strings.HasPrefix(abs, "/dev/") || strings.HasPrefix(abs, "/proc/"))
}

// checkWritable reports whether a file written in place can be opened
// for writing (opening a FIFO would wait for its reader).
func checkWritable(path string) error {
	if err := syscall.Access(path, 2); err != nil { // W_OK
		if errors.Is(err, syscall.ENOENT) {
			return checkWritable(filepath.Dir(path))
		}
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return nil
}

// followLinks returns where a file created at path would be: path, or
// where its dangling symbolic links lead.
func followLinks(path string) (string, error) {
	for range 40 {
		target, err := os.Readlink(path)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.EINVAL) {
			return path, nil // no such file, or not a link
		}
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return "", &fs.PathError{Op: "open", Path: path, Err: syscall.ELOOP}
}

// stage writes a report with fill: into a temporary file beside the file
// it replaces, synced and returned for replaceAll, or in place ("" is
// returned then). A temporary file is removed when anything fails.
func (f *reportFile) stage(fill func(io.Writer) error) (tmp string, err error) {
	if f.file == "" {
		w, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
		if err != nil {
			return "", err
		}
		err = writeAll(w, fill)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return "", err
	}
	temps.removeStale(f.file)
	w, err := temps.create(f.file)
	if err != nil {
		return "", err
	}
	defer func() {
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			temps.remove(w.Name())
		}
	}()
	if f.old != nil {
		if err := w.Chmod(f.old.Mode().Perm()); err != nil {
			return "", err
		}
		if st, ok := f.old.Sys().(*syscall.Stat_t); ok && (int(st.Uid) != os.Geteuid() || int(st.Gid) != os.Getegid()) {
			_ = w.Chown(int(st.Uid), int(st.Gid)) // as far as the process may: root can, others keep their own
		}
	}
	if err := writeAll(w, fill); err != nil {
		return "", err
	}
	if err := w.Sync(); err != nil {
		return "", err
	}
	return w.Name(), nil
}

// writeAll writes through a buffer with fill and flushes it.
func writeAll(w io.Writer, fill func(io.Writer) error) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := fill(bw); err != nil {
		return err
	}
	return bw.Flush()
}

// writeFiles writes a set of reports, fill(i, w) writing the i-th, and
// replaces their files all or none: when one cannot be written or
// moved into place, every file keeps what it had (files written in
// place excepted) and the error names the one that failed.
func writeFiles(files []*reportFile, fill func(i int, w io.Writer) error) error {
	tmps := make([]string, len(files)) // "" once renamed, or for a file written in place
	defer temps.removeEach(tmps)
	for i, f := range files {
		tmp, err := f.stage(func(w io.Writer) error { return fill(i, w) })
		if err != nil {
			return fileError(f.path, err)
		}
		tmps[i] = tmp
	}
	return replaceAll(files, tmps)
}

// replaceAll renames the staged temporary files over their files. The
// replaced files are kept as hard links until every rename succeeded,
// so that a failed rename puts back the ones before it.
func replaceAll(files []*reportFile, tmps []string) error {
	backups := make([]string, len(files)) // "" once put back, or when there is none
	defer temps.removeEach(backups)
	for i, f := range files {
		if tmps[i] != "" && f.old != nil {
			backups[i], _ = temps.link(f.file) // without one, this file cannot be put back
		}
	}
	for i, f := range files {
		if tmps[i] == "" {
			continue
		}
		if err := temps.rename(tmps[i], f.file); err != nil {
			err = fileError(f.path, err)
			for k := i - 1; k >= 0; k-- {
				if uerr := undoReplace(files[k], backups[k]); uerr != nil {
					err = fmt.Errorf("%w; %s could not be put back: %v", err, files[k].path, uerr)
				}
				backups[k] = ""
			}
			return err
		}
		tmps[i] = ""
	}
	dirs := map[string]bool{}
	for _, f := range files {
		if f.file != "" && !dirs[filepath.Dir(f.file)] {
			dirs[filepath.Dir(f.file)] = true
			syncDir(filepath.Dir(f.file))
		}
	}
	return nil
}

// fileError says what failed for the report file path, in its name
// rather than that of a temporary file.
func fileError(path string, err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return fmt.Errorf("%s %s: %w", pe.Op, path, pe.Err)
	case errors.As(err, &le):
		return fmt.Errorf("%s %s: %w", le.Op, path, le.Err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// undoReplace puts back the file that a staged file replaced: its
// backup, or no file when there was none.
func undoReplace(f *reportFile, backup string) error {
	switch {
	case f.file == "":
		return nil // written in place: nothing to put back
	case backup != "":
		return temps.rename(backup, f.file)
	case f.old == nil:
		return os.Remove(f.file)
	}
	return errors.New("no copy of it was kept")
}

// syncDir makes the renames in dir durable, where the file system
// allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// temps is every temporary file the process has, so that a second
// interrupt, which ends the process at once, still removes them.
var temps = &tempFiles{live: map[string]bool{}}

// tempFiles tracks temporary files. Their names are
// ".NAME.PID.RANDOM.tmp" beside the file NAME they are for, so that a
// later run can tell those of a process that is gone.
type tempFiles struct {
	mu     sync.Mutex
	live   map[string]bool
	closed bool // removeAll was called: the process is ending
}

// tempName returns a new temporary name beside file.
func tempName(file string) string {
	return filepath.Join(filepath.Dir(file), fmt.Sprintf(".%s.%d.%d.tmp", filepath.Base(file), os.Getpid(), rand.Uint32()))
}

// create creates a temporary file beside file, with mode 0666 less the
// umask.
func (t *tempFiles) create(file string) (*os.File, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, errors.New("interrupted")
	}
	for {
		name := tempName(file)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		t.live[name] = true
		return f, nil
	}
}

// link makes a temporary hard link to file.
func (t *tempFiles) link(file string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return "", errors.New("interrupted")
	}
	name := tempName(file)
	if err := os.Link(file, name); err != nil {
		return "", err
	}
	t.live[name] = true
	return name, nil
}

// rename moves a temporary file into place; it is no longer temporary.
func (t *tempFiles) rename(tmp, file string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return errors.New("interrupted")
	}
	if err := os.Rename(tmp, file); err != nil {
		return err
	}
	delete(t.live, tmp)
	return nil
}

// remove removes a temporary file.
func (t *tempFiles) remove(tmp string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	os.Remove(tmp)
	delete(t.live, tmp)
}

// removeEach removes the temporary files named, but for the "" names.
func (t *tempFiles) removeEach(names []string) {
	for _, n := range names {
		if n != "" {
			t.remove(n)
		}
	}
}

// removeAll removes every temporary file, for good: the process is
// about to exit.
func (t *tempFiles) removeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	for name := range t.live {
		os.Remove(name)
	}
	clear(t.live)
}

// removeStale removes the temporary files beside file that a process
// which no longer runs left (one killed with SIGKILL, say): those of
// earlier runs, never those of a run still writing.
func (t *tempFiles) removeStale(file string) {
	dir, base := filepath.Split(file)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := "." + base + "."
	for _, e := range entries {
		mid, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok {
			continue
		}
		if mid, ok = strings.CutSuffix(mid, ".tmp"); !ok {
			continue
		}
		pidText, _, _ := strings.Cut(mid, ".")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
