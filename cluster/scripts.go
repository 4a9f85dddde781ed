package cluster

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hopaudit/hopaudit/crawler"
	"github.com/redis/go-redis/v9"
)

//go:embed lua/*.lua
var luaFiles embed.FS

// The scripts of a shared crawl (lua/*.lua). Every one runs on the
// crawl's meta key, KEYS[1]; those of the frontier load the meta hash
// first (frontier.lua), the pacing's do not need it.
var (
	createScript    = script("frontier", "create")
	leaseScript     = script("frontier", "lease")
	commitScript    = script("frontier", "commit")
	givebackScript  = script("frontier", "giveback")
	stopScript      = script("frontier", "stop")
	heartbeatScript = script("frontier", "heartbeat")
	acquireScript   = script("acquire")
	releaseScript   = script("release")
	slowdownScript  = script("slowdown")
	lockScript      = script("lock")
)

func script(names ...string) *redis.Script {
	src := lua("base")
	for _, n := range names {
		src += "\n" + lua(n)
	}
	src = strings.NewReplacer("{{MAXHOPS}}", strconv.Itoa(crawler.MaxHops), "{{MAXSITEMAPS}}", strconv.Itoa(crawler.MaxSitemaps),
		"{{PROTOCOL}}", protocol).Replace(src)
	return redis.NewScript(src)
}

func lua(name string) string {
	b, err := luaFiles.ReadFile("lua/" + name + ".lua")
	if err != nil {
		panic(err)
	}
	return string(b)
}

// run runs script s on crawl c: one round trip (two the first time a
// server sees it). The script's first argument is the crawl's
// generation: a crawl over and removed, or dropped and created again, is
// errGone.
func (c *Crawl) run(ctx context.Context, s *redis.Script, args ...any) *redis.Cmd {
	c.trips.Add(1)
	cmd := s.Run(ctx, c.rdb, []string{c.key("meta")}, append([]any{c.gen}, args...)...)
	switch err := cmd.Err(); {
	case err == nil:
	case strings.HasPrefix(err.Error(), "GONE"):
		cmd.SetErr(errGone)
	case strings.HasPrefix(err.Error(), "VERSION"):
		cmd.SetErr(fmt.Errorf("crawl %q: %w", c.id, ErrVersion))
	}
	return cmd
}

// protocol is the version of what the scripts keep in Redis: a crawl
// made with another one is ErrVersion. It changes with any change of
// the keys' layout or of a script's arguments.
const protocol = "2"

// errGone is a crawl that is no more: over and removed by its
// coordinator, or dropped and created again.
var errGone = errors.New("the shared crawl is over or was dropped")

// taskArgs appends the arguments of tasks to add (see arg_task in
// lua/frontier.lua).
func taskArgs(args []any, tasks []crawler.Task) []any {
	for _, t := range tasks {
		asset, unf := 0, 0
		if t.Asset {
			asset = 1
		}
		if t.Unfollowed {
			unf = 1
		}
		args = append(args, int(t.Kind), t.URL, t.Depth, t.Rank, int(t.Hop), int(t.From), asset,
			int64(t.Found>>32), int64(t.Found&0xffffffff), unf)
	}
	return args
}

// decodeTask reads a task as the scripts keep it:
// kind|depth|rank|hop|from|asset|url.
func decodeTask(e string) (crawler.Task, bool) {
	var n [6]int
	for i := range n {
		f, rest, ok := strings.Cut(e, "|")
		v, err := strconv.Atoi(f)
		if !ok || err != nil {
			return crawler.Task{}, false
		}
		n[i], e = v, rest
	}
	return crawler.Task{Kind: crawler.TaskKind(n[0]), Depth: int32(n[1]), Rank: int32(n[2]), Hop: uint8(n[3]),
		From: crawler.SitemapSource(n[4]), Asset: n[5] == 1, URL: e}, true
}
