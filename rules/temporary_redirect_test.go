package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

func TestCanonicalisation(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		want     string // "" = not a canonicalisation
	}{
		{"http://site.test/a", "https://site.test/a", "http to https"},
		{"http://site.test/a?x=1", "https://site.test/a?x=1", "http to https"},
		{"http://site.test/", "https://site.test/", "http to https"},
		{"http://www.site.test/a", "http://site.test/a", "www to the bare host"},
		{"https://site.test/a", "https://www.site.test/a", "bare host to www"},
		{"http://www.site.test/a", "https://site.test/a/", "http to https, www to the bare host, trailing slash added"},
		{"http://site.test/docs", "http://site.test/docs/", "trailing slash added"},
		{"http://site.test/docs/", "http://site.test/docs", "trailing slash removed"},
		{"http://site.test/About", "http://site.test/about", "letter case changed"},
		{"http://site.test/shop/index.html", "http://site.test/shop/", "index.html dropped"},
		{"http://site.test/shop/INDEX.PHP", "http://site.test/shop", "index.php dropped, trailing slash removed"},
		{"http://site.test/Default.aspx", "http://site.test/", "default.aspx dropped"},
		{"http://site.test/", "http://site.test/index.html", "index.html added"},
		{"http://site.test//a//b", "http://site.test/a/b", "duplicate slashes merged"},
		{"http://site.test/a?x=1", "http://site.test/a/?x=1", "trailing slash added"},
		// Not canonicalisations.
		{"http://site.test/a", "http://site.test/a", ""},
		{"https://site.test/a", "http://site.test/a", ""},
		{"http://site.test/a", "https://site.test/b", ""},
		{"http://site.test/a?x=1", "https://site.test/a", ""},
		{"http://site.test/a", "https://site.test/a?utm=1", ""},
		{"http://site.test/a", "http://other.test/a", ""},
		{"http://old.site.test/a", "http://site.test/a", ""},
		{"http://site.test/a", "http://site.test:8080/a", ""},
		{"http://site.test/", "http://site.test/en/", ""},
		{"http://site.test/shop/index.html", "http://site.test/", ""},
		{"http://site.test/index.html", "http://site.test/home", ""},
		{"http://site.test/a", "ftp://site.test/a", ""},
		{"http://site.test/a", "::bad", ""},
	} {
		got, ok := canonicalisation(tc.from, tc.to)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("canonicalisation(%s, %s) = %q, %v; want %q", tc.from, tc.to, got, ok, tc.want)
		}
	}
}

func TestPageKind(t *testing.T) {
	for u, want := range map[string]string{
		"http://site.test/login":                         "login",
		"http://site.test/login?next=/account":           "login",
		"http://site.test/Account/Login.aspx":            "login",
		"http://site.test/wp-login.php":                  "login",
		"http://site.test/sign-in":                       "login",
		"http://site.test/user/signin/":                  "login",
		"http://site.test/oauth2/authorize":              "login",
		"https://sso.site.test/":                         "login",
		"https://accounts.other.test/ServiceLogin":       "login",
		"http://site.test/auth/callback":                 "login",
		"http://site.test/checkout":                      "checkout",
		"http://site.test/cart":                          "checkout",
		"http://site.test/add-to-cart":                   "checkout",
		"http://site.test/basket/":                       "checkout",
		"https://consent.other.test/?continue=x":         "consent",
		"http://site.test/cookie-consent":                "consent",
		"http://site.test/cookies":                       "consent",
		"http://site.test/gdpr_notice":                   "consent",
		"http://site.test/maintenance.html":              "maintenance",
		"http://site.test/wp-admin/":                     "back-office",
		"http://site.test/admin":                         "back-office",
		"http://site.test/administrator/index.php":       "back-office",
		"http://site.test/news/biden-admin-unveils-plan": "",
		"http://site.test/blog/wordpress-admin-guide":    "",
		"http://site.test/":                              "",
		"http://site.test/new":                           "",
		"http://site.test/authors/jane":                  "",
		"http://site.test/cartography":                   "",
		"http://site.test/cookie-recipes":                "",
		"http://login.test/":                             "", // the registrable domain is not a label to read
		"http://site.test/blog/how-to-bake-a-cookie/":    "",
	} {
		if got := pageKind(u); got != want {
			t.Errorf("pageKind(%s) = %q, want %q", u, got, want)
		}
	}
}

func TestVaries(t *testing.T) {
	for v, want := range map[string]string{
		"":                                 "",
		"Accept-Encoding":                  "",
		"Accept-Encoding, Accept-Language": "Accept-Language",
		"cookie":                           "Cookie",
		" User-Agent ":                     "User-Agent",
		"*":                                "anything (Vary: *)",
		"Origin,Accept":                    "",
	} {
		if got := varies(v); got != want {
			t.Errorf("varies(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestLocaleRedirect(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		want     bool
	}{
		{"http://site.test/", "http://site.test/en/", true},
		{"http://site.test/", "http://site.test/de-de/", true},
		{"http://site.test/", "https://www.site.test/fr_FR/", true},
		{"http://www.site.test/", "http://www.site.test/es-419/", true},
		{"http://site.test/", "http://site.test/zh-hant/home", true},
		{"http://site.test/", "http://site.test/en", true},
		{"http://site.test/", "http://site.test/app/", false},
		{"http://site.test/", "http://site.test/new/", false},
		{"http://site.test/", "http://site.test/e/", false},
		{"http://site.test/", "http://site.test/en-x/", false},
		{"http://site.test/", "http://site.test/", false},
		{"http://site.test/?a=1", "http://site.test/en/", false},
		{"http://site.test/page", "http://site.test/en/page", false},
		{"http://site.test/", "http://other.test/en/", false},
	} {
		if got := localeRedirect(tc.from, tc.to); got != tc.want {
			t.Errorf("localeRedirect(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestCounterEvidence(t *testing.T) {
	for _, tc := range []struct {
		name     string
		header   crawler.Headers
		from, to string
		want     string
	}{
		{"none", crawler.Headers{}, "http://site.test/a", "http://site.test/b", ""},
		{"login target", crawler.Headers{}, "http://site.test/account", "http://site.test/login?next=/account", "the target looks like a login page"},
		{"retry-after", crawler.Headers{RetryAfter: "120"}, "http://site.test/a", "http://site.test/b", "the response has Retry-After"},
		{"vary", crawler.Headers{Vary: "Accept-Encoding, Cookie"}, "http://site.test/a", "http://site.test/b", "the response varies by Cookie"},
		{"vary harmless", crawler.Headers{Vary: "Accept-Encoding"}, "http://site.test/a", "http://site.test/b", ""},
		{"locale", crawler.Headers{}, "http://site.test/", "http://site.test/en-gb/", "it sends the home page to a locale folder"},
	} {
		if got := counterEvidence(&crawler.Graph{}, tc.header, tc.from, tc.to); got != tc.want {
			t.Errorf("%s: counterEvidence = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestPermanenceEvidence(t *testing.T) {
	const s = "http://site.test"
	hop := &crawler.Hop{URL: s + "/old", Status: 302, Kind: crawler.HopHTTP, Target: s + "/new"}
	g := litGraph([]crawler.Reference{
		litLink(s+"/", s+"/new"),
		litLink(s+"/b", s+"/new"),
		litLink(s+"/b", s+"/new"),
		litRef(crawler.RefSitemap, s+"/sitemap.xml", s+"/new", ""),
		litRef(crawler.RefCanonical, s+"/new", s+"/new", ""),
	})
	want := "2 pages link to the target; the sitemap lists the target; rel=canonical names the target; browsers may cache the redirect for 365 days"
	litPass(t, g, func(p *audit.Pass) {
		if got := permanenceEvidence(p, hop, crawler.Headers{CacheControl: "max-age=31536000"}); got != want {
			t.Errorf("permanenceEvidence =\n%q\nwant\n%q", got, want)
		}
	})
	litPass(t, litGraph(nil), func(p *audit.Pass) {
		if got := permanenceEvidence(p, hop, crawler.Headers{CacheControl: "max-age=3600"}); got != "" {
			t.Errorf("permanenceEvidence without evidence = %q", got)
		}
	})
}

func TestPostOnly(t *testing.T) {
	const s = "http://site.test"
	g := litGraph([]crawler.Reference{
		litRef(crawler.RefForm, s+"/", s+"/submit", "post"),
		litRef(crawler.RefForm, s+"/b", s+"/submit", "POST"),
		litRef(crawler.RefForm, s+"/", s+"/search", "get"),
		litRef(crawler.RefForm, s+"/", s+"/plain", ""),
		litLink(s+"/", s+"/linked"),
		litRef(crawler.RefForm, s+"/", s+"/linked", "post"),
	})
	litPass(t, g, func(p *audit.Pass) {
		for _, tc := range []struct {
			entries []string
			want    bool
		}{
			{[]string{s + "/submit"}, true},
			{[]string{s + "/search"}, false},
			{[]string{s + "/plain"}, false},
			{[]string{s + "/linked"}, false},
			{[]string{s + "/submit", s + "/linked"}, false},
			{[]string{s + "/nothing"}, false},
		} {
			if got := postOnly(p, tc.entries); got != tc.want {
				t.Errorf("postOnly(%v) = %v, want %v", tc.entries, got, tc.want)
			}
		}
	})
}

func TestTemporaryRedirect(t *testing.T) {
	const home, s = "http://site.test/", "http://site.test"
	with := func(r *crawler.Response, h crawler.Headers) *crawler.Response { r.Redirect.Header = &h; return r }
	litCheck(t, TemporaryRedirect, []litCase{
		{
			name:  "302 and 307 with the permanent status to use",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/a"), litLink(home, s+"/b")}, litRedirect(s+"/a", 302, s+"/x"), litRedirect(s+"/b", 307, s+"/y"), litPage(s+"/x"), litPage(s+"/y")),
			want: []string{
				"warning http://site.test/a http://site.test/ 302 http://site.test/x 0",
				"warning http://site.test/b http://site.test/ 307 http://site.test/y 0",
			},
			words: []string{"use 30", "if the move is permanent"},
		},
		{
			name:  "302 says 301",
			graph: litGraph([]crawler.Reference{litSeed(s + "/a")}, litRedirect(s+"/a", 302, s+"/x"), litPage(s+"/x")),
			want:  []string{"warning http://site.test/a - 302 http://site.test/x 0"},
			words: []string{"302 to http://site.test/x; use 301 if the move is permanent"},
		},
		{
			name:  "307 says 308",
			graph: litGraph([]crawler.Reference{litSeed(s + "/a")}, litRedirect(s+"/a", 307, s+"/x"), litPage(s+"/x")),
			want:  []string{"warning http://site.test/a - 307 http://site.test/x 0"},
			words: []string{"use 308"},
		},
		{
			name:  "evidence in the message",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/a"), litLink(home, s+"/x"), litRef(crawler.RefSitemap, s+"/sitemap.xml", s+"/x", "")}, litRedirect(s+"/a", 302, s+"/x"), litPage(s+"/x")),
			want:  []string{"warning http://site.test/a http://site.test/ 302 http://site.test/x 0"},
			words: []string{"use 301 if the move is permanent: 1 page links to the target; the sitemap lists the target"},
		},
		{
			name: "303 reached by a link, a sitemap or a GET form",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/a"), litRef(crawler.RefSitemap, s+"/sitemap.xml", s+"/b", ""), litRef(crawler.RefForm, home, s+"/c", "get")},
				litRedirect(s+"/a", 303, s+"/x"), litRedirect(s+"/b", 303, s+"/x"), litRedirect(s+"/c", 303, s+"/x"), litPage(s+"/x")),
			want: []string{
				"warning http://site.test/a http://site.test/ 303 http://site.test/x 0",
				"warning http://site.test/b http://site.test/sitemap.xml 303 http://site.test/x 0",
				"warning http://site.test/c http://site.test/ 303 http://site.test/x 0",
			},
			words: []string{"use 301"},
		},
		{
			name: "302 a POST form reaches through a 307 says 308",
			graph: litGraph([]crawler.Reference{litRef(crawler.RefForm, home, s+"/kept", "post"), litLink(home, s+"/kept")},
				litRedirect(s+"/kept", 307, s+"/then"), litRedirect(s+"/then", 302, s+"/end"), litPage(s+"/end")),
			want: []string{
				"warning http://site.test/kept http://site.test/ 307 http://site.test/then 0",
				"warning http://site.test/then http://site.test/ 302 http://site.test/end 0",
			},
			words: []string{"use 308"},
		},
		{
			name:  "303 answering a POST form is what 303 is for",
			graph: litGraph([]crawler.Reference{litRef(crawler.RefForm, home, s+"/submit", "post")}, litRedirect(s+"/submit", 303, s+"/thanks"), litPage(s+"/thanks")),
		},
		{
			name: "301, 308 and refreshes are not temporary redirects",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/a"), litLink(home, s+"/b"), litLink(home, s+"/c")},
				litRedirect(s+"/a", 301, s+"/x"), litRedirect(s+"/b", 308, s+"/x"), litPage(s+"/x"),
				&crawler.Response{URL: s + "/c", Status: 200, Refresh: &crawler.Refresh{Kind: crawler.HopMetaRefresh, Delay: 5, URL: s + "/x"}}),
		},
		{
			name:  "a clean page",
			graph: litGraph([]crawler.Reference{litSeed(home)}, litPage(home)),
		},
		{
			name: "in the middle of chains, once per URL, source from the entries",
			graph: litGraph([]crawler.Reference{litLink(s+"/p2", s+"/a"), litLink(s+"/p1", s+"/b"), litSeed(s + "/c")},
				litRedirect(s+"/a", 301, s+"/mid"), litRedirect(s+"/b", 301, s+"/mid"), litRedirect(s+"/c", 308, s+"/mid"),
				litRedirect(s+"/mid", 302, s+"/end"), litPage(s+"/end")),
			want: []string{"warning http://site.test/mid http://site.test/p1 302 http://site.test/end 0"},
		},
		{
			name: "canonicalisations are errors",
			graph: litGraph([]crawler.Reference{
				litLink(home, s+"/a"), litLink(home, "http://www.site.test/b"), litLink(home, s+"/c"),
				litLink(home, s+"/About"), litLink(home, s+"/d/index.html"), litLink(home, s+"//e"),
			},
				litRedirect(s+"/a", 302, "https://site.test/a"),
				litRedirect("http://www.site.test/b", 307, s+"/b"),
				litRedirect(s+"/c", 302, s+"/c/"),
				litRedirect(s+"/About", 302, s+"/about"),
				litRedirect(s+"/d/index.html", 307, s+"/d/"),
				litRedirect(s+"//e", 302, s+"/e")),
			want: []string{
				"error http://site.test//e http://site.test/ 302 http://site.test/e 0",
				"error http://site.test/About http://site.test/ 302 http://site.test/about 0",
				"error http://site.test/a http://site.test/ 302 https://site.test/a 0",
				"error http://site.test/c http://site.test/ 302 http://site.test/c/ 0",
				"error http://site.test/d/index.html http://site.test/ 307 http://site.test/d/ 0",
				"error http://www.site.test/b http://site.test/ 307 http://site.test/b 0",
			},
			words: []string{"is a canonicalisation (", "), permanent by nature: use 30"},
		},
		{
			name: "counter-evidence makes a notice",
			graph: litGraph([]crawler.Reference{
				litLink(home, s+"/account"), litLink(home, s+"/sale"), litLink(home, s+"/lang"), litLink(home, "http://www.site.test/"),
				litLink(home, s+"/pay"),
			},
				litRedirect(s+"/account", 302, s+"/login?next=/account"),
				with(litRedirect(s+"/sale", 307, s+"/closed"), crawler.Headers{RetryAfter: "3600"}),
				with(litRedirect(s+"/lang", 302, s+"/welcome"), crawler.Headers{Vary: "Accept-Language"}),
				litRedirect("http://www.site.test/", 302, "http://www.site.test/fr-fr/"),
				litRedirect(s+"/pay", 302, "https://checkout.other.test/session/1")),
			want: []string{
				"notice http://site.test/account http://site.test/ 302 http://site.test/login?next=/account 0",
				"notice http://site.test/lang http://site.test/ 302 http://site.test/welcome 0",
				"notice http://site.test/pay http://site.test/ 302 https://checkout.other.test/session/1 0",
				"notice http://site.test/sale http://site.test/ 307 http://site.test/closed 0",
				"notice http://www.site.test/ http://site.test/ 302 http://www.site.test/fr-fr/ 0",
			},
			words: []string{"so a temporary redirect may be intended; use 30", "only if the move is permanent"},
		},
		{
			name: "canonicalisation wins over counter-evidence",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/cart"), litLink(home, s+"/Login")},
				with(litRedirect(s+"/cart", 302, "https://site.test/cart"), crawler.Headers{Vary: "Cookie", RetryAfter: "60"}),
				litRedirect(s+"/Login", 302, s+"/login")),
			want: []string{
				"error http://site.test/Login http://site.test/ 302 http://site.test/login 0",
				"error http://site.test/cart http://site.test/ 302 https://site.test/cart 0",
			},
		},
		{
			name: "redirects that lead back to themselves are redirect-loop's",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/self"), litLink(home, s+"/tls"), litLink(home, s+"/into")},
				litRedirect(s+"/self", 302, s+"/self"),
				litRedirect(s+"/tls", 302, "https://site.test/tls"), litRedirect("https://site.test/tls", 307, s+"/tls"),
				litRedirect(s+"/into", 302, s+"/self")),
			want: []string{"warning http://site.test/into http://site.test/ 302 http://site.test/self 0"},
		},
		{
			name: "redirects of other sites are theirs to fix",
			graph: litGraph([]crawler.Reference{litLink(home, "https://other.test/out"), litLink(home, s+"/go")},
				litRedirect("https://other.test/out", 302, "https://other.test/landing"),
				litRedirect(s+"/go", 301, "https://other.test/promo"),
				litRedirect("https://other.test/promo", 307, "https://other.test/promo/2024")),
		},
	})
}

// TestTemporaryRedirectSeverities checks that a user's severity override
// beats the per-finding severities.
func TestTemporaryRedirectSeverities(t *testing.T) {
	const s = "http://site.test"
	g := litGraph([]crawler.Reference{litSeed(s + "/a"), litSeed(s + "/b")},
		litRedirect(s+"/a", 302, "https://site.test/a"), litRedirect(s+"/b", 302, s+"/login"))
	rep := (&audit.Engine{Rules: []*audit.Rule{TemporaryRedirect}, Severity: map[string]audit.Severity{"temporary-redirect": audit.Warning}}).Run(g)
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Severity.String())
	}
	if !slices.Equal(got, []string{"warning", "warning"}) {
		t.Errorf("severities %s, want warning warning", strings.Join(got, " "))
	}
}

func TestTemporaryRedirectFixture(t *testing.T) { testFixture(t, TemporaryRedirect) }
