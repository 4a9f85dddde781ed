package crawler

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// newTransport builds the one transport every request goes through:
// proxy, --resolve, TLS settings and enough idle connections per host
// for the configured concurrency.
func newTransport(cfg Config) (*http.Transport, error) {
	proxy := func(req *http.Request) (*url.URL, error) { return nil, nil }
	if cfg.Proxy != "" {
		p, err := url.Parse(cfg.Proxy)
		if err != nil || p.Host == "" {
			return nil, fmt.Errorf("proxy %q is not a URL", cfg.Proxy)
		}
		proxy = http.ProxyURL(p)
	} else {
		// Read the environment now rather than once per process, as
		// http.ProxyFromEnvironment does.
		fromEnv := httpproxy.FromEnvironment().ProxyFunc()
		proxy = func(req *http.Request) (*url.URL, error) { return fromEnv(req.URL) }
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	resolve := make(map[string]string, len(cfg.Resolve))
	for k, v := range cfg.Resolve {
		resolve[strings.ToLower(k)] = v
	}
	conns := max(cfg.Concurrency, 2)
	return &http.Transport{
		Proxy: proxy,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if to, ok := resolve[strings.ToLower(addr)]; ok {
				addr = to
			}
			return dialer.DialContext(ctx, network, addr)
		},
		TLSClientConfig:       &tls.Config{InsecureSkipVerify: cfg.Insecure}, //nolint:gosec // only with --insecure
		TLSHandshakeTimeout:   10 * time.Second,
		MaxIdleConns:          4 * conns,
		MaxIdleConnsPerHost:   conns,
		IdleConnTimeout:       30 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
	}, nil
}

// rawResponses is a RoundTripper that keeps what net/http would lose.
//
// A redirect whose Location does not parse makes http.Client fail before
// CheckRedirect runs, and the response is gone; rawResponses keeps its
// status and header, by request URL, until the crawler takes them.
//
// It also marks a compressed body (.gz URL) as already decoded, so that
// colly does not inflate it without the body limit: the crawler reads
// such bodies itself.
type rawResponses struct {
	next http.RoundTripper
	kept sync.Map // request URL -> *http.Response without body
}

func (rt *rawResponses) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := rt.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if IsRedirectStatus(resp.StatusCode) {
		if loc := resp.Header.Get("Location"); loc != "" {
			if _, perr := req.URL.Parse(loc); perr != nil {
				rt.kept.Store(req.URL.String(), &http.Response{StatusCode: resp.StatusCode, Header: resp.Header})
			}
		}
	}
	if strings.HasSuffix(strings.ToLower(req.URL.Path), ".gz") {
		resp.Uncompressed = true
	}
	return resp, nil
}

// take returns and forgets the response kept for a request URL.
func (rt *rawResponses) take(u string) *http.Response {
	if v, ok := rt.kept.LoadAndDelete(u); ok {
		return v.(*http.Response)
	}
	return nil
}
