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
// when the page loads, without input from the visitor: a statement that
// assigns a literal URL to location, window.location,
// document.location, self.location, top.location or parent.location, or
// to their href, or calls their replace or assign with one. Such a
// statement counts at the top level of the script, in a block or try
// that runs there, and in the body of a function that runs on load: one
// called there by name, called at once (function () {...})(), given to
// setTimeout (whose delay adds up), to a load or DOMContentLoaded
// listener (window.onload = ..., addEventListener), or to jQuery's
// ready ($(function () {...}), $(document).ready(...)). The script is
// parsed with a JavaScript parser, so comments, strings, regular
// expressions, functions that are only defined, conditions and URLs
// built at run time never count; a script that does not parse makes no
// redirect. Most scripts never name location: those are not parsed at
// all.
func readScript(src []byte) (scriptRedirect, bool) {
	if !bytes.Contains(src, []byte("location")) {
		return scriptRedirect{}, false
	}
	// The parser writes a NUL after src when there is room, and src is
	// the HTML tokenizer's buffer: Restore puts the byte back.
	in := parse.NewInputBytes(src)
	ast, err := js.Parse(in, js.Options{})
	in.Restore()
	if err != nil {
		return scriptRedirect{}, false
	}
	funcs := map[string]*js.FuncDecl{} // the script's top-level functions, by name
	for _, st := range ast.List {
		if f, ok := st.(*js.FuncDecl); ok && f.Name != nil {
			funcs[string(f.Name.Data)] = f
		}
	}
	return runsTo(ast.List, funcs, 0)
}

// maxCallDepth bounds how deep runsTo follows functions that call
// functions: a redirect three calls away is rare, and recursion must end.
const maxCallDepth = 3

// runsTo returns the first redirect that statements list makes when it
// runs (see readScript); funcs are the script's top-level functions.
func runsTo(list []js.IStmt, funcs map[string]*js.FuncDecl, depth int) (scriptRedirect, bool) {
	for _, st := range list {
		var r scriptRedirect
		ok := false
		switch st := st.(type) {
		case *js.ExprStmt:
			r, ok = exprRunsTo(st.Value, funcs, depth)
		case *js.ReturnStmt: // an arrow function's expression body
			if st.Value != nil {
				r, ok = exprRunsTo(st.Value, funcs, depth)
			}
		case *js.BlockStmt:
			r, ok = runsTo(st.List, funcs, depth)
		case *js.TryStmt:
			if st.Body != nil {
				r, ok = runsTo(st.Body.List, funcs, depth)
			}
		}
		if ok {
			return r, true
		}
	}
	return scriptRedirect{}, false
}

// exprRunsTo returns the redirect expression e makes when it runs: a
// redirect itself (locationTo), or a call or assignment that runs a
// function on load whose body redirects.
func exprRunsTo(e js.IExpr, funcs map[string]*js.FuncDecl, depth int) (scriptRedirect, bool) {
	if href, ok := locationTo(e); ok {
		return scriptRedirect{raw: jsSource(e), href: href}, true
	}
	if depth >= maxCallDepth {
		return scriptRedirect{}, false
	}
	body, delay, ok := onLoad(e, funcs)
	if !ok {
		return scriptRedirect{}, false
	}
	r, ok := runsTo(body, funcs, depth+1)
	if !ok {
		return scriptRedirect{}, false
	}
	if delay > 0 {
		r.raw = jsSource(e) // shows the delay
	}
	r.delay += delay
	return r, true
}

// onLoad returns the body of the function that expression e runs as the
// page loads, and after how many seconds: a call of a top-level function
// by name or of a function expression at once, a setTimeout (or
// window.setTimeout) with a literal delay in milliseconds or none, a
// load or DOMContentLoaded listener, or window.onload assigned.
func onLoad(e js.IExpr, funcs map[string]*js.FuncDecl) ([]js.IStmt, float64, bool) {
	switch e := e.(type) {
	case *js.BinaryExpr: // window.onload = function () {...}
		if e.Op != js.EqToken || !isOnload(e.X) {
			return nil, 0, false
		}
		body, ok := funcBody(e.Y, funcs)
		return body, 0, ok
	case *js.CallExpr:
		args := e.Args.List
		switch x := unparen(e.X).(type) {
		case *js.FuncDecl, *js.ArrowFunc: // (function () {...})()
			body, ok := funcBody(x, funcs)
			return body, 0, ok
		case *js.Var:
			switch string(x.Data) {
			case "setTimeout":
				return timeout(args, funcs)
			case "addEventListener":
				return listener(args, funcs)
			case "$", "jQuery": // jQuery(function () {...}): runs once the page is ready
				if len(args) == 1 {
					body, ok := funcBody(args[0].Value, funcs)
					return body, 0, ok
				}
			}
			if f := funcs[string(x.Data)]; f != nil {
				return f.Body.List, 0, true
			}
		case *js.DotExpr:
			if isReady(x) && len(args) == 1 { // jQuery(document).ready(function () {...})
				body, ok := funcBody(args[0].Value, funcs)
				return body, 0, ok
			}
			v, ok := x.X.(*js.Var)
			if !ok {
				return nil, 0, false
			}
			switch obj, method := string(v.Data), name(x.Y); {
			case obj == "window" && method == "setTimeout":
				return timeout(args, funcs)
			case (obj == "window" || obj == "document") && method == "addEventListener":
				return listener(args, funcs)
			}
		}
	}
	return nil, 0, false
}

// isReady reports whether e is jQuery's $(document).ready or
// jQuery(document).ready.
func isReady(e *js.DotExpr) bool {
	call, ok := e.X.(*js.CallExpr)
	if !ok || name(e.Y) != "ready" || len(call.Args.List) != 1 {
		return false
	}
	fn, ok := call.X.(*js.Var)
	doc, ok2 := call.Args.List[0].Value.(*js.Var)
	return ok && ok2 && (string(fn.Data) == "$" || string(fn.Data) == "jQuery") && string(doc.Data) == "document"
}

// timeout returns the body of the function a setTimeout call's
// arguments run, and its delay in seconds.
func timeout(args []js.Arg, funcs map[string]*js.FuncDecl) ([]js.IStmt, float64, bool) {
	if len(args) == 0 || len(args) > 2 {
		return nil, 0, false
	}
	body, ok := funcBody(args[0].Value, funcs)
	if !ok {
		return nil, 0, false
	}
	delay := 0.0
	if len(args) == 2 {
		lit, ok := args[1].Value.(*js.LiteralExpr)
		if !ok || lit.TokenType != js.DecimalToken && lit.TokenType != js.IntegerToken {
			return nil, 0, false
		}
		ms, err := strconv.ParseFloat(string(lit.Data), 64)
		if err != nil || ms < 0 {
			return nil, 0, false
		}
		delay = ms / 1000
	}
	return body, delay, true
}

// listener returns the body of the function an addEventListener call
// runs on "load" or "DOMContentLoaded".
func listener(args []js.Arg, funcs map[string]*js.FuncDecl) ([]js.IStmt, float64, bool) {
	if len(args) < 2 {
		return nil, 0, false
	}
	if ev, ok := stringValue(args[0].Value); !ok || ev != "load" && ev != "DOMContentLoaded" {
		return nil, 0, false
	}
	body, ok := funcBody(args[1].Value, funcs)
	return body, 0, ok
}

// isOnload reports whether e is window.onload or onload.
func isOnload(e js.IExpr) bool {
	switch e := e.(type) {
	case *js.Var:
		return string(e.Data) == "onload"
	case *js.DotExpr:
		v, ok := e.X.(*js.Var)
		return ok && string(v.Data) == "window" && name(e.Y) == "onload"
	}
	return false
}

// funcBody returns the statements of a function expression, an arrow
// function, or a top-level function named by e.
func funcBody(e js.IExpr, funcs map[string]*js.FuncDecl) ([]js.IStmt, bool) {
	switch f := unparen(e).(type) {
	case *js.FuncDecl:
		return f.Body.List, true
	case *js.ArrowFunc:
		return f.Body.List, true
	case *js.Var:
		if d := funcs[string(f.Data)]; d != nil {
			return d.Body.List, true
		}
	}
	return nil, false
}

// unparen strips the parentheses around an expression.
func unparen(e js.IExpr) js.IExpr {
	for {
		g, ok := e.(*js.GroupExpr)
		if !ok {
			return e
		}
		e = g.X
	}
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

// isLocation reports whether e names the page's Location object:
// location, or the location of window, document, self, top or parent,
// or of window.self, window.top or window.parent (in a page that is not
// framed, top and parent are the page itself).
func isLocation(e js.IExpr) bool {
	switch e := e.(type) {
	case *js.Var:
		return string(e.Data) == "location"
	case *js.DotExpr:
		return name(e.Y) == "location" && isWindow(e.X, true)
	}
	return false
}

// isWindow reports whether e names the page's window (or its document,
// when document is set): window, self, top, parent, or window.self,
// window.top, window.parent.
func isWindow(e js.IExpr, document bool) bool {
	switch e := e.(type) {
	case *js.Var:
		switch string(e.Data) {
		case "window", "self", "top", "parent":
			return true
		case "document":
			return document
		}
	case *js.DotExpr:
		v, ok := e.X.(*js.Var)
		if !ok || string(v.Data) != "window" {
			return false
		}
		switch name(e.Y) {
		case "self", "top", "parent":
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
