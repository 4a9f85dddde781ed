package rules

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/hopaudit/hopaudit/audit"
)

// InvalidLocation flags 3xx responses whose Location fields are not a
// usable http(s) URI reference.
var InvalidLocation = &audit.Rule{
	Name:     "invalid-location",
	Severity: audit.Error,
	Doc: audit.Doc{
		Title: "Redirect has an invalid Location",
		Text: "A URL of the site answers a 3xx whose Location is not a valid http(s) URI " +
			"reference (RFC 9110 §10.2.2, RFC 3986): it cannot be parsed (a bad percent-escape, " +
			"a broken host), holds control characters, spaces or a backslash, names another " +
			"scheme than http or https (javascript:, ftp:, mailto:), carries user credentials " +
			"(user:password@, which a sender MUST NOT generate, RFC 9110 §4.2.4), or the response " +
			"has several Location fields with different values (Location is a singleton field, " +
			"RFC 9110 §5.3). Clients disagree on such values: Go fails on an unparseable one " +
			"before any redirect policy runs, browsers treat another scheme as a network error " +
			"and fail on differing Location fields while Go takes the first, and browsers read " +
			"a backslash as a slash (so /\\evil.example goes to another host) while Go keeps " +
			"it. Search engines report a bad URL in the redirect chain. A relative reference " +
			"(/new, ../new, //host/new) is valid and not flagged, nor are repeated identical " +
			"values. Every raw Location value is checked, for every 3xx the crawl met inside " +
			"the crawl scope (entry URL, middle or end of a chain), once per URL. " +
			"Fix: send exactly one Location with an absolute https URL, percent-encoded " +
			"(RFC 3986 §2.1), without credentials. Sources: RFC 9110 §4.2.4, §5.3, §10.2.2; " +
			"RFC 3986; Fetch standard, HTTP-redirect fetch (fetch.spec.whatwg.org); Go " +
			"net/http client.go.",
	},
	Needs: []*audit.Fact{audit.Reached},
	Run:   runInvalidLocation,
}

func runInvalidLocation(p *audit.Pass) error {
	g := p.Graph
	for _, x := range p.Reached() {
		a := x.Answer
		if a.Status < 300 || a.Status > 399 || !a.Redirect || !g.Internal(x.URL) {
			continue
		}
		d := g.Redirect(x.URL)
		if len(d.Locations) == 0 {
			continue
		}
		var values []string // distinct, in order
		for _, v := range d.Locations {
			if !slices.Contains(values, v) {
				values = append(values, v)
			}
		}
		var problems []string
		if len(values) > 1 {
			quoted := make([]string, len(values))
			for i, v := range values {
				quoted[i] = quoteLocation(v)
			}
			problems = append(problems, fmt.Sprintf("%d Location fields with different values (%s): browsers fail and Go takes the first; send one",
				len(d.Locations), strings.Join(quoted, ", ")))
		}
		for _, v := range values {
			if strings.TrimSpace(v) == "" {
				continue // no target at all: missing-location's when it is the only value
			}
			if pr := locationProblem(v); pr != "" {
				problems = append(problems, pr)
			}
		}
		if len(problems) == 0 && d.LocationErr != "" && len(values) == 1 && strings.TrimSpace(values[0]) != "" {
			problems = append(problems, fmt.Sprintf("Location %s cannot be resolved (%s): send an absolute http(s) URL",
				quoteLocation(values[0]), d.LocationErr))
		}
		if len(problems) == 0 {
			continue
		}
		target := d.Location
		if u, err := url.Parse(target); err == nil && u.User != nil {
			target = u.Redacted()
		}
		f := audit.Finding{URL: x.URL, Source: x.Source, Status: a.Status, Target: target}
		p.Reportf(f, "%d with %s", a.Status, strings.Join(problems, "; "))
	}
	return nil
}

// locationProblem says what is wrong with one raw Location value, and the
// fix, or returns "" when it is a valid http(s) URI reference.
func locationProblem(v string) string {
	if p, ok := plainParts(v); ok && (p.scheme == "http" || p.scheme == "https") {
		return "" // an absolute http(s) URL with a host, and nothing to quote
	}
	if strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") {
		if path, query, _ := strings.Cut(v, "?"); allBytes(path, pathByte) && allBytes(query, queryByte) {
			return "" // a plain path on the same host: nothing to parse
		}
	}
	q := quoteLocation(v)
	switch {
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "Location " + q + " holding control characters: remove them"
	case strings.ContainsRune(v, ' '):
		return "Location " + q + " holding a space: percent-encode it as %20"
	case strings.ContainsRune(v, '\\'):
		return "Location " + q + " holding a backslash, which browsers read as a slash: use / or %5C"
	}
	u, err := url.Parse(v)
	if err != nil {
		return "Location " + q + ", which is not a valid URI reference: send a correctly percent-encoded URL"
	}
	if s := strings.ToLower(u.Scheme); s != "" && s != "http" && s != "https" {
		return "Location " + q + " of scheme " + s + ", which browsers treat as a network error: redirect to an http or https URL"
	}
	if u.User != nil {
		return "Location " + quoteLocation(u.Redacted()) + " carrying user credentials, which a sender must not generate (RFC 9110 §4.2.4): remove them"
	}
	if u.Scheme != "" && u.Host == "" {
		return "Location " + q + " without a host: send an absolute URL with a host"
	}
	return ""
}

// quoteLocation quotes a raw Location value for a message, escaping
// control characters and cutting it at 200 bytes.
func quoteLocation(v string) string {
	const most = 200
	if len(v) > most {
		return fmt.Sprintf("%q...", v[:most])
	}
	return fmt.Sprintf("%q", v)
}
