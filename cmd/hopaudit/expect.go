package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hopaudit/hopaudit/crawler"
)

// redirectMap is a redirect map read for check --expect.
type redirectMap struct {
	seeds    []string          // the from URLs, in file order, once each
	expect   map[string]string // normalised from -> normalised to, for audit.Engine.Expect
	noScheme int               // URLs given without a scheme
}

// readRedirectMap reads a redirect map: CSV as spreadsheets write it
// (RFC 4180, UTF-8 with or without a byte order mark, comma-separated,
// or semicolon- or tab-separated as some locales' spreadsheets save
// it), whose header row names the columns from and to, in any case and
// order. Other columns are ignored, and so are blank rows. A URL without
// a scheme gets https://, as in a URL list. Each from may appear once,
// or again with the same to.
func (a *app) readRedirectMap(name string) (*redirectMap, error) {
	var data []byte
	var err error
	label := name
	if name == "-" {
		label = "stdin"
		data, err = io.ReadAll(a.stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sniffDelimiter(data)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s is empty: want a header row naming the columns from and to", label)
	}
	if err != nil {
		return nil, csvError(label, err)
	}
	from, to, err := mapColumns(header)
	if err != nil {
		return nil, fmt.Errorf("%s:1: %w", label, err)
	}
	m := &redirectMap{expect: map[string]string{}}
	lineOf := map[string]int{} // normalised from -> its line
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(label, err)
		}
		line, _ := r.FieldPos(0)
		if blank(rec) {
			continue
		}
		var raw, norm [2]string
		for i, col := range [2]int{from, to} {
			if col < len(rec) {
				raw[i] = strings.TrimSpace(rec[col])
			}
			if raw[i] == "" {
				return nil, fmt.Errorf("%s:%d: no %s URL", label, line, mapColumnNames[i])
			}
		}
		for i, s := range raw {
			u, err := parseURL(s)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %s: %w", label, line, mapColumnNames[i], err)
			}
			if !hasScheme(s) {
				m.noScheme++
			}
			if norm[i], err = crawler.Normalize(u); err != nil {
				return nil, fmt.Errorf("%s:%d: URL %q: %w", label, line, u, err)
			}
			raw[i] = u
		}
		if old, ok := m.expect[norm[0]]; ok {
			if old != norm[1] {
				return nil, fmt.Errorf("%s:%d: %s is mapped twice: to %s on line %d, and to %s", label, line, norm[0], old, lineOf[norm[0]], norm[1])
			}
			continue
		}
		m.expect[norm[0]], lineOf[norm[0]] = norm[1], line
		m.seeds = append(m.seeds, raw[0])
	}
	if len(m.seeds) == 0 {
		return nil, fmt.Errorf("%s maps no URL", label)
	}
	return m, nil
}

var mapColumnNames = [2]string{"from", "to"}

// sniffDelimiter returns the separator of the header line: a comma, or
// else a semicolon or a tab if the line has one.
func sniffDelimiter(data []byte) rune {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	switch {
	case bytes.ContainsRune(line, ','):
		return ','
	case bytes.ContainsRune(line, ';'):
		return ';'
	case bytes.ContainsRune(line, '\t'):
		return '\t'
	}
	return ','
}

// mapColumns finds the from and to columns of the header row.
func mapColumns(header []string) (from, to int, err error) {
	from, to = -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "from":
			if from >= 0 {
				return 0, 0, errors.New("two from columns")
			}
			from = i
		case "to":
			if to >= 0 {
				return 0, 0, errors.New("two to columns")
			}
			to = i
		}
	}
	if from < 0 || to < 0 {
		return 0, 0, fmt.Errorf("the header row %q does not name the columns from and to", strings.Join(header, ","))
	}
	return from, to, nil
}

// blank reports whether every field of a record is empty or spaces.
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// csvError writes a CSV parse error as "file:line: what", as the other
// errors about the file are written.
func csvError(label string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d: %w", label, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %w", label, err)
}
