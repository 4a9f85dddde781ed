package crawler

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// retryPolicy says which failures are tried again and how long to wait
// before each try: a network error (a reset, a refused connection, a
// timeout, a body cut short) and 429, 502, 503 and 504 are transient
// (RFC 9110 §15.6.4, RFC 6585); a 404 or a certificate error is not.
type retryPolicy struct {
	retries int           // tries after the first
	backoff time.Duration // the first wait; it doubles at each try
	maxWait time.Duration // the longest wait, Retry-After included
}

func newRetryPolicy(cfg Config) retryPolicy {
	return retryPolicy{retries: cfg.Retries, backoff: cfg.RetryBackoff, maxWait: cfg.MaxRetryWait}
}

// retryableStatus reports whether a status is transient.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableError reports whether a request error is transient: the
// network failed, not the site's data or hopaudit's own limits.
func retryableError(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsTimeout || dns.IsTemporary // no such host stays so
	}
	var timeout interface{ Timeout() bool }
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return true
	case errors.As(err, &timeout) && timeout.Timeout():
		return true
	}
	return false
}

// transient reports whether a request that got status and err may get
// something else when tried again.
func transient(status int, err error) bool {
	return retryableStatus(status) || err != nil && retryableError(err)
}

// again reports whether a failure of try number attempt (0 is the
// first) is tried again, after the wait: the failure is transient, a
// retry is left, and ctx is not done while waiting. h is the answer's
// header, for Retry-After.
func (p retryPolicy) again(ctx context.Context, attempt int, transient bool, h http.Header) bool {
	return transient && attempt < p.retries && sleep(ctx, p.wait(attempt, h, time.Now())) == nil
}

// wait returns how long to wait before try number attempt+1 (0 is the
// first retry): the backoff doubled attempt times, plus up to half of
// it at random so that workers do not come back at once, or the
// server's Retry-After when it asks for longer; never more than maxWait.
func (p retryPolicy) wait(attempt int, h http.Header, now time.Time) time.Duration {
	d := p.backoff << min(attempt, 20)
	if d > 0 {
		d += rand.N(d/2 + 1)
	}
	if ra, ok := retryAfter(h.Get("Retry-After"), now); ok && ra > d {
		d = ra
	}
	return min(d, p.maxWait)
}

// retryAfter reads a Retry-After value: seconds, or an HTTP date
// (RFC 9110 §10.2.3).
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(min(n, 1<<30)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// sleep waits d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
