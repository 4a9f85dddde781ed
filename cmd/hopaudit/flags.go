package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// parseArgs parses args with fs, letting flags come before, between and
// after the positional arguments: `crawl https://x --format csv` works.
// Everything after "--" is positional. It returns the positional
// arguments in order.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	given, positional := splitArgs(fs, args)
	var flags []string
	for _, g := range given {
		flags = append(flags, g.args...)
	}
	if err := fs.Parse(flags); err != nil {
		return nil, err
	}
	return positional, nil
}

// flagArg is one flag of a command line as given: its name, and its
// arguments (the flag, and its value when that is the next argument).
type flagArg struct {
	name string
	args []string
}

// splitArgs splits args as parseArgs reads them: the flags, each with its
// value, and the positional arguments.
func splitArgs(fs *flag.FlagSet, args []string) (flags []flagArg, positional []string) {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(arg) < 2 || arg[0] != '-' {
			positional = append(positional, arg) // includes "-", which names stdin
			continue
		}
		name := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
		if n, _, ok := strings.Cut(name, "="); ok {
			flags = append(flags, flagArg{name: n, args: []string{arg}})
			continue
		}
		g := flagArg{name: name, args: []string{arg}}
		if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && i+1 < len(args) {
			i++
			g.args = append(g.args, args[i]) // the flag's value, whatever it looks like
		}
		flags = append(flags, g)
	}
	return flags, positional
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// flagSet returns a flag set that reports errors to its caller and
// prints nothing itself.
func flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// flagSection is a titled group of flags in a command's help.
type flagSection struct {
	title string
	names []string
}

// printFlags writes the flags of fs, grouped by sections, in the style of
// flag.PrintDefaults but with GNU-style double dashes for long names.
func printFlags(w io.Writer, fs *flag.FlagSet, sections []flagSection) {
	for _, s := range sections {
		fmt.Fprintf(w, "\n%s:\n", s.title)
		for _, name := range s.names {
			f := fs.Lookup(name)
			if f == nil {
				continue
			}
			dash := "--"
			if len(name) == 1 {
				dash = "-"
			}
			typ, usage := flag.UnquoteUsage(f)
			if isBoolFlag(f) {
				typ = ""
			}
			line := "  " + dash + name
			if typ != "" {
				line += " " + typ
			}
			if d := f.DefValue; d != "" && d != "false" && d != "0" && d != "0s" {
				usage += " (default " + d + ")"
			}
			if len(line) <= 22 {
				fmt.Fprintf(w, "%-24s%s\n", line, usage)
			} else {
				fmt.Fprintf(w, "%s\n%24s%s\n", line, "", usage)
			}
		}
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ", ") }

func (l *stringList) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// regexpList is a repeatable regular expression flag.
type regexpList []*regexp.Regexp

func (l *regexpList) String() string {
	s := make([]string, len(*l))
	for i, re := range *l {
		s[i] = re.String()
	}
	return strings.Join(s, ", ")
}

func (l *regexpList) Set(s string) error {
	re, err := regexp.Compile(s)
	if err != nil {
		return err
	}
	*l = append(*l, re)
	return nil
}

// headerFlag is a repeatable "Name: value" request header flag.
type headerFlag struct{ h http.Header }

func (f *headerFlag) String() string { return "" }

func (f *headerFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	if !ok {
		return errors.New(`want "Name: value"`)
	}
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !httpguts.ValidHeaderFieldName(name) {
		return fmt.Errorf("invalid header name %q", name)
	}
	if !httpguts.ValidHeaderFieldValue(value) {
		return fmt.Errorf("invalid value for header %s", name)
	}
	if f.h == nil {
		f.h = http.Header{}
	}
	f.h.Add(name, value)
	return nil
}

// resolveFlag is a repeatable --resolve host:port:addr flag, as curl's:
// connections to host:port go to addr instead. addr is an IP address
// (IPv6 in brackets) or a host name, and may carry its own port
// (addr:port) to reach a server listening elsewhere.
type resolveFlag struct{ m map[string]string }

func (f *resolveFlag) String() string { return "" }

func (f *resolveFlag) Set(s string) error {
	host, rest, err := splitResolveHost(s)
	if err != nil {
		return err
	}
	port, addr, ok := strings.Cut(rest, ":")
	if !ok || addr == "" {
		return errors.New("want host:port:addr")
	}
	if !validPort(port) {
		return fmt.Errorf("invalid port %q", port)
	}
	if strings.Contains(addr, ",") {
		return errors.New("one address per --resolve")
	}
	dial, err := resolveAddr(addr, port)
	if err != nil {
		return err
	}
	key := net.JoinHostPort(strings.ToLower(host), port)
	if old, ok := f.m[key]; ok && old != dial {
		return fmt.Errorf("%s is already resolved to %s", key, old)
	}
	if f.m == nil {
		f.m = map[string]string{}
	}
	f.m[key] = dial
	return nil
}

// splitResolveHost splits the host off "host:port:addr"; an IPv6 host is
// in brackets.
func splitResolveHost(s string) (host, rest string, err error) {
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]:")
		if end < 0 {
			return "", "", errors.New("want host:port:addr")
		}
		host, rest = s[1:end], s[end+2:]
		if net.ParseIP(host) == nil {
			return "", "", fmt.Errorf("invalid IPv6 host %q", host)
		}
		return host, rest, nil
	}
	host, rest, ok := strings.Cut(s, ":")
	if !ok || host == "" {
		return "", "", errors.New("want host:port:addr")
	}
	if host == "*" || strings.ContainsAny(host, "/@ ") {
		return "", "", fmt.Errorf("invalid host %q", host)
	}
	return host, rest, nil
}

// resolveAddr turns the addr part of --resolve into a dial address.
func resolveAddr(addr, port string) (string, error) {
	if strings.HasPrefix(addr, "[") && strings.HasSuffix(addr, "]") {
		addr = addr[1 : len(addr)-1]
	}
	if ip := net.ParseIP(addr); ip != nil {
		return net.JoinHostPort(ip.String(), port), nil
	}
	if h, p, err := net.SplitHostPort(addr); err == nil {
		if !validPort(p) {
			return "", fmt.Errorf("invalid port %q in address %q", p, addr)
		}
		if ip := net.ParseIP(h); ip != nil {
			return net.JoinHostPort(ip.String(), p), nil
		}
		if validHostName(h) {
			return net.JoinHostPort(strings.ToLower(h), p), nil
		}
		return "", fmt.Errorf("invalid address %q", addr)
	}
	if validHostName(addr) {
		return net.JoinHostPort(strings.ToLower(addr), port), nil
	}
	return "", fmt.Errorf("invalid address %q", addr)
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n > 0 && n < 65536 && strconv.Itoa(n) == p
}

func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// byteSize is a size flag: plain bytes or a number with a unit, such as
// 512KiB, 5MiB or 1MB (KB, MB and GB are powers of 1000).
type byteSize int64

var byteUnits = []struct {
	suffix string
	n      int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1000}, {"mb", 1000 * 1000}, {"gb", 1000 * 1000 * 1000},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30},
	{"b", 1},
}

func (b *byteSize) String() string {
	n := int64(*b)
	for _, u := range []struct {
		suffix string
		n      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.n && n%u.n == 0 {
			return strconv.FormatInt(n/u.n, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

func (b *byteSize) Set(s string) error {
	num := strings.TrimSpace(s)
	mult := int64(1)
	lower := strings.ToLower(num)
	for _, u := range byteUnits {
		if strings.HasSuffix(lower, u.suffix) {
			num, mult = strings.TrimSpace(num[:len(num)-len(u.suffix)]), u.n
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 {
		return errors.New("want a positive size such as 1048576, 512KiB or 5MiB")
	}
	if n > (1<<62)/mult {
		return errors.New("size too large")
	}
	*b = byteSize(n * mult)
	return nil
}

// severityFlag is a repeatable --severity NAME=LEVEL flag; rule names are
// checked against the catalogue later.
type severityFlag struct {
	names  []string
	levels []string
}

func (f *severityFlag) String() string { return "" }

func (f *severityFlag) Set(s string) error {
	name, level, ok := strings.Cut(s, "=")
	name, level = strings.TrimSpace(name), strings.TrimSpace(level)
	if !ok || name == "" || level == "" {
		return errors.New("want RULE=LEVEL, such as redirect-chain=error")
	}
	f.names = append(f.names, name)
	f.levels = append(f.levels, level)
	return nil
}

// parseURL checks a start URL, a list-mode line or a --sitemap value. A
// URL without a scheme gets https:// (as Screaming Frog does, and as most
// sites are served today); any scheme but http and https is refused.
func parseURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty URL")
	}
	if !hasScheme(s) {
		s = "https://" + strings.TrimPrefix(s, "//")
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("invalid URL %q: %v", s, errors.Unwrap(err))
	}
	if scheme := strings.ToLower(u.Scheme); scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("URL %q: scheme %s is not http or https", s, u.Scheme)
	}
	if u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("URL %q has no host", s)
	}
	if u.Port() != "" && !validPort(u.Port()) {
		return "", fmt.Errorf("URL %q: invalid port %q", s, u.Port())
	}
	return s, nil
}

// hasScheme reports whether s starts with a URI scheme ("x:"), telling
// "mailto:a@b" and "http:x" (schemes) from "example.com:8080/" (a host
// and port, no scheme).
func hasScheme(s string) bool {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return false
	}
	for j, c := range s[:i] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	rest := s[i+1:]
	if strings.HasPrefix(rest, "//") {
		return true
	}
	// host:port: digits up to the end, a path, a query or a fragment
	digits := 0
	for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
		digits++
	}
	if digits > 0 && (digits == len(rest) || strings.ContainsRune("/?#", rune(rest[digits]))) {
		return false
	}
	return true
}
