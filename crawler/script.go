package crawler

import (
	"bytes"
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// maxScriptRaw caps the statement a JavaScript redirect keeps for the
// reports (Refresh.Raw): the call, not the page's whole script.
const maxScriptRaw = 300

// scriptRedirect is a redirect an inline script makes on page load.
type scriptRedirect struct {
	raw   string  // the statement, as JavaScript
	href  string  // the URL as written in the script, unescaped
	delay float64 // seconds: a setTimeout's milliseconds / 1000
}

// isJavaScript reports whether a <script type> runs as JavaScript: no
// type, a JavaScript MIME type essence, or "module" (HTML standard,
// "prepare the script element"). Data blocks (JSON-LD, templates) do
// not run.
func isJavaScript(typ string) bool {
	typ = strings.TrimFunc(typ, isHTMLSpace)
	if typ == "" || strings.EqualFold(typ, "module") {
		return true
	}
	mt, _, err := mime.ParseMediaType(typ)
	if err != nil {
		return false
	}
	switch mt {
	case "application/ecmascript", "application/javascript", "application/x-ecmascript",
		"application/x-javascript", "text/ecmascript", "text/javascript", "text/javascript1.0",
		"text/javascript1.1", "text/javascript1.2", "text/javascript1.3", "text/javascript1.4",
		"text/javascript1.5", "text/jscript", "text/livescript", "text/x-ecmascript",
		"text/x-javascript":
		return true
	}
	return false
}

// readScript returns the first redirect that inline script src makes
// when the page loads: a statement at its top level that assigns a
// literal URL to location, window.location, document.location,
// self.location or top.location, or to their href, or calls their
// replace or assign with one; or such a statement inside the function
// a top-level setTimeout(..., N) runs. The script is parsed with a
// JavaScript parser, so comments, strings, regular expressions and
// functions that are only defined never count; a script that does not
// parse makes no redirect. Most scripts never name location: those are
// not parsed at all.
func readScript(src []byte) (scriptRedirect, bool) {
	if !bytes.Contains(src, []byte("location")) {
		return scriptRedirect{}, false
	}
	ast, err := js.Parse(parse.NewInputBytes(src), js.Options{})
	if err != nil {
		return scriptRedirect{}, false
	}
	for _, st := range ast.List {
		es, ok := st.(*js.ExprStmt)
		if !ok {
			continue
		}
		if href, ok := locationTo(es.Value); ok {
			return scriptRedirect{raw: jsSource(es.Value), href: href}, true
		}
		if href, delay, ok := timeoutTo(es.Value); ok {
			return scriptRedirect{raw: jsSource(es.Value), href: href, delay: delay}, true
		}
	}
	return scriptRedirect{}, false
}

// locationTo returns the URL expression e sends the page to: an
// assignment of a string to location or its href, or a call of
// location.replace or location.assign with a string.
func locationTo(e js.IExpr) (string, bool) {
	switch e := e.(type) {
	case *js.BinaryExpr:
		if e.Op != js.EqToken {
			return "", false
		}
		if d, ok := e.X.(*js.DotExpr); ok && isLocation(d.X) && name(d.Y) == "href" || isLocation(e.X) {
			return stringValue(e.Y)
		}
	case *js.CallExpr:
		d, ok := e.X.(*js.DotExpr)
		if !ok || !isLocation(d.X) || len(e.Args.List) != 1 || e.Args.List[0].Rest {
			return "", false
		}
		if m := name(d.Y); m == "replace" || m == "assign" {
			return stringValue(e.Args.List[0].Value)
		}
	}
	return "", false
}

// timeoutTo returns the URL and the delay of a setTimeout (or
// window.setTimeout) call whose function sends the page to a URL at the
// top level of its body (locationTo), with a literal delay in
// milliseconds, or none (0).
func timeoutTo(e js.IExpr) (string, float64, bool) {
	call, ok := e.(*js.CallExpr)
	if !ok || len(call.Args.List) == 0 || len(call.Args.List) > 2 {
		return "", 0, false
	}
	switch x := call.X.(type) {
	case *js.Var:
		if string(x.Data) != "setTimeout" {
			return "", 0, false
		}
	case *js.DotExpr:
		if v, ok := x.X.(*js.Var); !ok || string(v.Data) != "window" || name(x.Y) != "setTimeout" {
			return "", 0, false
		}
	default:
		return "", 0, false
	}
	var body []js.IStmt
	switch f := call.Args.List[0].Value.(type) {
	case *js.FuncDecl:
		body = f.Body.List
	case *js.ArrowFunc:
		body = f.Body.List
	default:
		return "", 0, false
	}
	delay := 0.0
	if len(call.Args.List) == 2 {
		lit, ok := call.Args.List[1].Value.(*js.LiteralExpr)
		if !ok || lit.TokenType != js.DecimalToken && lit.TokenType != js.IntegerToken {
			return "", 0, false
		}
		ms, err := strconv.ParseFloat(string(lit.Data), 64)
		if err != nil || ms < 0 {
			return "", 0, false
		}
		delay = ms / 1000
	}
	for _, st := range body {
		var v js.IExpr
		switch st := st.(type) {
		case *js.ExprStmt:
			v = st.Value
		case *js.ReturnStmt: // an arrow function's expression body
			v = st.Value
		default:
			continue
		}
		if href, ok := locationTo(v); ok {
			return href, delay, true
		}
	}
	return "", 0, false
}

// isLocation reports whether e names the page's Location object:
// location, or window, document, self or top's location.
func isLocation(e js.IExpr) bool {
	switch e := e.(type) {
	case *js.Var:
		return string(e.Data) == "location"
	case *js.DotExpr:
		v, ok := e.X.(*js.Var)
		if !ok || name(e.Y) != "location" {
			return false
		}
		switch string(v.Data) {
		case "window", "document", "self", "top":
			return true
		}
	}
	return false
}

// name returns the property name of a member expression's right side.
func name(e js.IExpr) string {
	switch e := e.(type) {
	case js.LiteralExpr:
		return string(e.Data)
	case *js.LiteralExpr:
		return string(e.Data)
	case *js.Var:
		return string(e.Data)
	}
	return ""
}

// stringValue returns the value of a string literal: quoted, or a
// template with no substitution.
func stringValue(e js.IExpr) (string, bool) {
	switch e := e.(type) {
	case *js.LiteralExpr:
		if e.TokenType == js.StringToken && len(e.Data) >= 2 {
			return unescapeJS(e.Data[1 : len(e.Data)-1])
		}
	case *js.TemplateExpr:
		if e.Tag == nil && len(e.List) == 0 && len(e.Tail) >= 2 && e.Tail[0] == '`' {
			return unescapeJS(e.Tail[1 : len(e.Tail)-1])
		}
	}
	return "", false
}

// unescapeJS reads the escape sequences of a string literal's text
// (ECMA-262, "String Literals"): \n and the like, \xHH, \uHHHH, \u{H...}
// and line continuations. A malformed escape is not a usable URL.
func unescapeJS(s []byte) (string, bool) {
	if !bytes.ContainsRune(s, '\\') {
		return string(s), true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			return "", false
		}
		switch c = s[i]; c {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case '0':
			b.WriteByte(0)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case '\n':
		case 'x', 'u':
			var hex []byte
			switch {
			case c == 'x' && i+2 < len(s):
				hex, i = s[i+1:i+3], i+2
			case c == 'u' && i+1 < len(s) && s[i+1] == '{':
				end := bytes.IndexByte(s[i:], '}')
				if end < 0 {
					return "", false
				}
				hex, i = s[i+2:i+end], i+end
			case c == 'u' && i+4 < len(s):
				hex, i = s[i+1:i+5], i+4
			default:
				return "", false
			}
			r, err := strconv.ParseUint(string(hex), 16, 32)
			if err != nil || r > utf8.MaxRune {
				return "", false
			}
			b.WriteRune(rune(r))
		default:
			b.WriteByte(c) // \' \" \\ \/ and any other character stand for themselves
		}
	}
	return b.String(), true
}

// jsSource writes expression e back as JavaScript on one line, cut at
// maxScriptRaw bytes, for the reports.
func jsSource(e js.IExpr) string {
	var b bytes.Buffer
	e.JS(&b)
	s := strings.Join(strings.Fields(b.String()), " ")
	if len(s) > maxScriptRaw {
		s = cut(s, maxScriptRaw) + "…"
	}
	return s
}
