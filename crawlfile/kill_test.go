package crawlfile

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
)

// killRecord is the i-th record the child of TestKilled writes.
func killRecord(i int) *crawler.Record {
	u := fmt.Sprintf("https://k.example/p/%d", i)
	rec := &crawler.Record{Kind: crawler.RecordURL, URL: u, Response: &crawler.Response{URL: u, Status: 200 + i%5, Bytes: int64(i), Depth: i % 7}}
	for k := range 5 {
		rec.Refs = append(rec.Refs, crawler.Reference{Kind: crawler.RefAnchor, Source: u,
			Target: fmt.Sprintf("https://k.example/p/%d", i*5+k), Text: "link " + strconv.Itoa(k)})
	}
	return rec
}

// killChild is the child process of TestKilled: it writes records to
// the crawl file at path without end, and says on stdout how many are
// committed after each batch.
func killChild(path string) {
	f, err := Open(path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	c, _, err := f.Begin(`{"seeds":["https://k.example/"]}`, false, time.Now())
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	c.mu.Lock()
	c.batch = 100 // small batches: a small file to check
	c.committed = func(n int) { fmt.Printf("committed %d\n", n) }
	c.mu.Unlock()
	for i := 0; ; i++ {
		if err := c.Record(killRecord(i)); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
	}
}

// TestKilled kills a process with SIGKILL while it writes records, and
// checks that the file is whole: every batch it said was committed is
// there, and what is there is the records in the order written, with no
// gap: at most the batches in flight are lost.
func TestKilled(t *testing.T) {
	if path := os.Getenv("CRAWLFILE_KILL_CHILD"); path != "" {
		killChild(path)
		return
	}
	for _, after := range []int{1, 3} { // commits before the kill
		t.Run(strconv.Itoa(after), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "crawl.db")
			cmd := exec.Command(os.Args[0], "-test.run=^TestKilled$")
			cmd.Env = append(os.Environ(), "CRAWLFILE_KILL_CHILD="+path)
			cmd.Stderr = os.Stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(out)
			committed, seen := 0, 0
			for seen < after && lines.Scan() {
				n, ok := strings.CutPrefix(lines.Text(), "committed ")
				if !ok {
					t.Fatalf("child: %s", lines.Text())
				}
				committed, _ = strconv.Atoi(n)
				seen++
			}
			if err := cmd.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			// What the child said before it died.
			for lines.Scan() {
				if n, ok := strings.CutPrefix(lines.Text(), "committed "); ok {
					committed, _ = strconv.Atoi(n)
				}
			}
			cmd.Wait()
			if seen < after {
				t.Fatalf("the child said %d commits before it ended, want %d", seen, after)
			}

			f, err := OpenExisting(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var check string
			if err := f.db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
				t.Fatalf("integrity_check = %q, %v", check, err)
			}
			infos, err := f.Crawls()
			if err != nil || len(infos) != 1 || infos[0].Done {
				t.Fatalf("Crawls = %+v, %v", infos, err)
			}
			c, err := f.Crawl(infos[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := f.db.QueryRow("SELECT count(*) FROM responses").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n < committed {
				t.Errorf("%d records in the file, the child said %d were committed", n, committed)
			}
			t.Logf("killed after %d commits: %d records said committed, %d in the file", after, committed, n)
			// Records 0 to n-1 are there, whole; record n is not.
			for i := range n + 1 {
				want := killRecord(i)
				if i == n {
					want = nil
				}
				got, err := c.Recorded(crawler.RecordURL, killRecord(i).URL)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("record %d of %d: got %s, want %s", i, n, brief(got), brief(want))
				}
			}

			// The crawl resumes.
			r, resumed, err := f.Begin(`{"seeds":["https://k.example/"]}`, false, time.Now())
			if err != nil || !resumed {
				t.Fatalf("Begin after the kill = %v, %v; want resumed", resumed, err)
			}
			recordAll(t, r, []*crawler.Record{killRecord(n)})
			if err := r.Finish(crawler.Stats{}); err != nil {
				t.Fatal(err)
			}
			r.Close()
			if got, err := r.Recorded(crawler.RecordURL, killRecord(n).URL); err != nil || !reflect.DeepEqual(got, killRecord(n)) {
				t.Errorf("the resumed crawl's record: %s, %v", brief(got), err)
			}
		})
	}
}
