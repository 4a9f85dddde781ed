package crawlertest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/gocolly/colly/v2"
	"golang.org/x/net/html"
)

// ReferenceCrawl is a lean crawler for comparison: net/http with manual
// hops, the x/net/html tokenizer for a, link and form URLs, one visited
// map and a fixed pool of workers. It returns the number of URLs fetched.
func ReferenceCrawl(start string, workers int) int {
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: workers},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	var (
		mu      sync.Mutex
		cond    = sync.NewCond(&mu)
		queue   = []string{start}
		visited = map[string]bool{start: true}
		active  int
	)
	add := func(base *url.URL, ref string) {
		u, err := base.Parse(ref)
		if err != nil || u.Host != base.Host {
			return
		}
		u.Fragment = ""
		s := u.String()
		mu.Lock()
		if !visited[s] {
			visited[s] = true
			queue = append(queue, s)
			cond.Signal()
		}
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				mu.Lock()
				for len(queue) == 0 && active > 0 {
					cond.Wait()
				}
				if len(queue) == 0 {
					cond.Broadcast()
					mu.Unlock()
					return
				}
				u := queue[0]
				queue = queue[1:]
				active++
				mu.Unlock()

				base, _ := url.Parse(u)
				resp, err := client.Get(u)
				if err == nil {
					if loc := resp.Header.Get("Location"); loc != "" {
						add(base, loc)
					}
					if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
						z := html.NewTokenizer(io.LimitReader(resp.Body, 5<<20))
						for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
							if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
								continue
							}
							name, hasAttr := z.TagName()
							key := ""
							switch string(name) {
							case "a", "link":
								key = "href"
							case "form":
								key = "action"
							}
							for hasAttr && key != "" {
								var k, v []byte
								k, v, hasAttr = z.TagAttr()
								if string(k) == key {
									add(base, string(v))
								}
							}
						}
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}

				mu.Lock()
				active--
				if active == 0 && len(queue) == 0 {
					cond.Broadcast()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return len(visited)
}

// PlainColly crawls like colly's own examples: asynchronous, parallel,
// every a[href] visited, redirects followed by net/http. It stands for
// "colly at its plainest" in the benchmarks and returns the number of
// responses it saw.
func PlainColly(start string, parallelism int) int {
	c := colly.NewCollector(colly.Async(true))
	_ = c.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: parallelism})
	host := ""
	if u, err := url.Parse(start); err == nil {
		host = u.Hostname()
	}
	c.AllowedDomains = []string{host}
	var mu sync.Mutex
	n := 0
	c.OnResponse(func(*colly.Response) {
		mu.Lock()
		n++
		mu.Unlock()
	})
	c.OnHTML("a[href]", func(e *colly.HTMLElement) {
		_ = e.Request.Visit(e.Attr("href"))
	})
	_ = c.Visit(start)
	c.Wait()
	return n
}
