package crawler

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// Limits of what a site may send, whatever the configuration.
const (
	// maxResponseHeaderBytes caps a response's header section, as
	// Chrome does (256 KiB); a longer one fails the request.
	maxResponseHeaderBytes = 256 << 10
	// maxURLBytes caps a requested URL. Most servers refuse more than
	// 8 KiB (414); a longer URL is not requested but recorded with an
	// error.
	maxURLBytes = 16 << 10
	// maxCodings is how many stacked Content-Encodings are decoded.
	maxCodings = 3
)

// transport is the one RoundTripper every request goes through: proxy,
// --resolve, TLS settings, the address guard (see safety.go) and the
// checks that keep a hostile response from reaching the crawler as if
// it were sound:
//
//   - only GET and HEAD without a body leave;
//   - a status outside 100-599, or 101, is an error;
//   - a body is decoded here, lazily, from gzip, x-gzip or deflate, so
//     that the reader's size limit applies to the decoded bytes (a
//     compression bomb is cut like any long body); an encoding that
//     cannot be decoded, or data that is not what its encoding says, is
//     an error when the body is read.
type transport struct {
	next    *http.Transport
	proxy   func(*http.Request) (*url.URL, error)
	guard   *guard
	timeout time.Duration // the request timeout, for errors
}

// newTransport builds the transport of a crawl, with enough idle
// connections per host for the configured concurrency.
func newTransport(cfg Config) (*transport, error) {
	var proxy func(req *http.Request) (*url.URL, error)
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
	resolve := make(map[string]string, len(cfg.Resolve))
	for k, v := range cfg.Resolve {
		resolve[strings.ToLower(k)] = v
	}
	g := newGuard(cfg, resolve)
	// Connections to a proxy are not guarded: the proxy is the user's.
	// The transport asks the proxy function before it dials the proxy,
	// so every proxy address is known by the time it is dialed.
	var proxies sync.Map // "host:port" of every proxy used
	trackedProxy := func(req *http.Request) (*url.URL, error) {
		p, err := proxy(req)
		if p != nil {
			proxies.Store(strings.ToLower(canonicalAddr(p)), true)
		}
		return p, err
	}
	trusted := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	guarded := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, ControlContext: g.control}
	conns := max(cfg.Concurrency, 2)
	tr := &http.Transport{
		Proxy: trackedProxy,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			key := strings.ToLower(addr)
			if to, ok := resolve[key]; ok {
				return trusted.DialContext(ctx, network, to)
			}
			if _, ok := proxies.Load(key); ok {
				return trusted.DialContext(ctx, network, addr)
			}
			return guarded.DialContext(ctx, network, addr)
		},
		TLSClientConfig:        &tls.Config{InsecureSkipVerify: cfg.Insecure}, //nolint:gosec // only with --insecure
		TLSHandshakeTimeout:    10 * time.Second,
		MaxIdleConns:           4 * conns,
		MaxIdleConnsPerHost:    conns,
		IdleConnTimeout:        30 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		ForceAttemptHTTP2:      true,
	}
	return &transport{next: tr, proxy: proxy, guard: g, timeout: cfg.Timeout}, nil
}

// canonicalAddr is the "host:port" a URL connects to.
func canonicalAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "https":
			port = "443"
		case "socks5", "socks5h":
			port = "1080"
		default:
			port = "80"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// RoundTrip sends one request.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return nil, fmt.Errorf("refused: hopaudit sends no %s request", req.Method)
	}
	if req.Body != nil && req.Body != http.NoBody {
		return nil, errors.New("refused: hopaudit sends no request body")
	}
	if n := len(req.URL.String()); n > maxURLBytes {
		return nil, fmt.Errorf("URL of %d bytes not requested: longer than %d KiB", n, maxURLBytes>>10)
	}
	if p, _ := t.proxy(req); p != nil {
		if err := t.guard.checkHost(req.Context(), req.URL.Hostname()); err != nil {
			return nil, err
		}
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		if pastDeadline(req.Context()) {
			// Said here: http.Client says it only sometimes when the
			// transport is not its own.
			err = fmt.Errorf("response head not received within the %s timeout: %w", t.timeout, err)
		}
		return nil, err
	}
	switch {
	case resp.StatusCode < 100 || resp.StatusCode > 599:
		resp.Body.Close()
		return nil, fmt.Errorf("invalid status code %d: not 100-599", resp.StatusCode)
	case resp.StatusCode == http.StatusSwitchingProtocols:
		resp.Body.Close()
		return nil, errors.New("101 Switching Protocols to a request that asked for no upgrade")
	}
	if resp.ContentLength >= 0 && resp.ContentLength <= maxDrain {
		resp.Body = &drained{ReadCloser: resp.Body}
	}
	decodeBody(req.Context(), resp, t.timeout)
	return resp, nil
}

// maxDrain is how much of a body is read to find its end when it is
// closed unread, as a page resource's is once its header is known: a
// connection whose body was read to the end is used again, where one
// closed early is dropped, and a page with 50 images would cost 50
// connections (and on https, 50 TLS handshakes). Only a body whose
// Content-Length is known and at most this is read: a larger one costs
// more than a new connection, and one of unknown length may be a
// stream that never ends.
const maxDrain = 64 << 10

// maxDrainTime bounds how long closing a body may read it (see
// maxDrain): a server that declares a length and then stalls would
// otherwise hold the request, its worker and its host's gate until the
// timeout. A body that ends in time keeps its connection.
const maxDrainTime = 250 * time.Millisecond

// drained is a body of known, small length (see maxDrain) that is read
// to its end, for at most maxDrainTime, when it is closed unread. A
// page's body was read to its end already: closing it costs nothing.
type drained struct {
	io.ReadCloser
	eof bool // a read reached the end
}

func (d *drained) Read(p []byte) (int, error) {
	n, err := d.ReadCloser.Read(p)
	d.eof = d.eof || err == io.EOF
	return n, err
}

func (d *drained) Close() error {
	if !d.eof {
		stop := time.AfterFunc(maxDrainTime, func() { d.ReadCloser.Close() }) // ends a read that waits
		_, _ = io.CopyN(io.Discard, d.ReadCloser, maxDrain+1)
		stop.Stop()
	}
	return d.ReadCloser.Close()
}

// pastDeadline reports whether ctx has a deadline and it has passed.
func pastDeadline(ctx context.Context) bool {
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

// decodeBody makes resp.Body read the decoded body.
func decodeBody(ctx context.Context, resp *http.Response, timeout time.Duration) {
	if resp.Uncompressed {
		// net/http asked for gzip and is inflating it.
		resp.Body = &decoded{ReadCloser: resp.Body, coding: "gzip", ctx: ctx, timeout: timeout}
		return
	}
	var codings []string
	for _, v := range resp.Header.Values("Content-Encoding") {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.ToLower(strings.TrimSpace(c)); c != "" && c != "identity" {
				codings = append(codings, c)
			}
		}
	}
	if len(codings) == 0 {
		resp.Body = &decoded{ReadCloser: resp.Body, ctx: ctx, timeout: timeout}
		return
	}
	resp.Body = &decoded{ReadCloser: resp.Body, codings: codings, ctx: ctx, timeout: timeout}
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("Content-Length")
	resp.ContentLength = -1
	resp.Uncompressed = true
}

// decoded reads a body through its content codings, set up on the first
// read so that an empty body (a redirect, a 304) never fails. Errors of
// the data are told apart from errors of the connection.
type decoded struct {
	io.ReadCloser                 // the body as received
	codings       []string        // to undo, in the order they were applied
	coding        string          // the coding being read, for errors
	ctx           context.Context // the request's
	timeout       time.Duration   // the request timeout, for errors
	r             io.Reader       // the decoded body; nil until the first read
	err           error           // why r could not be set up
}

func (d *decoded) Read(p []byte) (int, error) {
	if d.r == nil {
		if d.err == nil {
			d.err = d.open()
			if d.err != nil && d.err != io.EOF {
				d.err = d.explain(d.err)
			}
		}
		if d.err != nil {
			return 0, d.err
		}
	}
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF {
		err = d.explain(err)
	}
	return n, err
}

// open stacks the decoders, last coding first.
func (d *decoded) open() error {
	if d.codings == nil {
		d.r = d.ReadCloser // net/http decodes
		return nil
	}
	br := bufio.NewReader(d.ReadCloser)
	if _, err := br.Peek(1); err != nil {
		return err // io.EOF: an empty body, nothing to decode
	}
	if len(d.codings) > maxCodings {
		return fmt.Errorf("body encoded %d times (Content-Encoding %s): more than %d codings are not decoded", len(d.codings), strings.Join(d.codings, ", "), maxCodings)
	}
	var r io.Reader = br
	for i := len(d.codings) - 1; i >= 0; i-- {
		d.coding = d.codings[i]
		var err error
		switch d.coding {
		case "gzip", "x-gzip":
			r, err = gzip.NewReader(r)
		case "deflate":
			r, err = newDeflateReader(r)
		default:
			return fmt.Errorf("body encoded as %s (Content-Encoding), which hopaudit does not decode: it asks for gzip only", d.coding)
		}
		if err != nil {
			return err
		}
	}
	d.r = r
	return nil
}

// newDeflateReader reads "deflate" data: zlib (RFC 9110 §8.4.1.2) or, as
// browsers also accept, raw deflate.
func newDeflateReader(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	h, err := br.Peek(2)
	if err != nil && len(h) < 2 {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if h[0]&0x0f == 8 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
		return zlib.NewReader(br)
	}
	return flate.NewReader(br), nil
}

// explain marks an error of the compressed data as such, and a
// timeout as one.
func (d *decoded) explain(err error) error {
	var corrupt flate.CorruptInputError
	switch {
	case pastDeadline(d.ctx):
		return fmt.Errorf("body not received within the %s timeout: %w", d.timeout, err)
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum),
		errors.Is(err, zlib.ErrHeader), errors.Is(err, zlib.ErrChecksum), errors.Is(err, zlib.ErrDictionary),
		errors.As(err, &corrupt):
		return fmt.Errorf("body is not the %s data its Content-Encoding says: %w", d.coding, err)
	case errors.Is(err, io.ErrUnexpectedEOF) && d.coding == "":
		return fmt.Errorf("body cut short: %w", err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s body cut short: %w", d.coding, err)
	}
	return err
}
