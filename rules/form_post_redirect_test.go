package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestFormPostRedirect(t *testing.T) {
	const home, site = "http://site.test/", "http://site.test"
	form := func(target, method string) crawler.Reference {
		return litRef(crawler.RefForm, home, target, method)
	}
	one := func(status int) *crawler.Graph {
		return litGraph([]crawler.Reference{form(site+"/send", "post")},
			litPage(home), litRedirect(site+"/send", status, site+"/send/"), litPage(site+"/send/"))
	}
	litCheck(t, FormPostRedirect, []litCase{
		{
			name:  "301",
			graph: one(301),
			want:  []string{"error http://site.test/send http://site.test/ 301 http://site.test/send/ 1"},
			words: []string{"POST form submits to http://site.test/send, which answers 301 to http://site.test/send/", "GET without its data", "set the action to http://site.test/send/, or answer 308 (307 if the move is temporary)"},
		},
		{name: "302", graph: one(302), want: []string{"error http://site.test/send http://site.test/ 302 http://site.test/send/ 1"}},
		{name: "303", graph: one(303), want: []string{"notice http://site.test/send http://site.test/ 303 http://site.test/send/ 1"}, words: []string{"Post/Redirect/Get"}},
		{name: "silent: 307", graph: one(307)},
		{name: "silent: 308", graph: one(308)},
		{
			name: "method in capitals, two forms to one action",
			graph: litGraph([]crawler.Reference{form(site+"/send", "POST"), form(site+"/send", "post")},
				litPage(home), litRedirect(site+"/send", 301, "https://site.test/send"), litPage("https://site.test/send")),
			want: []string{"error http://site.test/send http://site.test/ 301 https://site.test/send 1"},
		},
		{
			name: "307 then 302: the second hop loses the data",
			graph: litGraph([]crawler.Reference{form(site+"/a", "post")},
				litPage(home), litRedirect(site+"/a", 307, site+"/b"), litRedirect(site+"/b", 302, site+"/c"), litPage(site+"/c")),
			want:  []string{"error http://site.test/a http://site.test/ 302 http://site.test/c 2"},
			words: []string{"on the way http://site.test/b answers 302"},
		},
		{
			name: "broken chain",
			graph: litGraph([]crawler.Reference{form(site+"/a", "post")},
				litPage(home), litRedirect(site+"/a", 302, site+"/b"), &crawler.Response{URL: site + "/b", Status: 404}),
			want:  []string{"error http://site.test/a http://site.test/ 302 http://site.test/b 1"},
			words: []string{"answer 308 (307 if the move is temporary) to a working URL"},
		},
		{
			name: "a chain not followed to its end: the data is still lost, but there is no final URL to set as the action",
			graph: litGraph([]crawler.Reference{form(site+"/a", "post"), form(site+"/c", "post")},
				litPage(home), litRedirect(site+"/a", 302, "https://pay.other.test/"),
				litRedirect(site+"/c", 307, site+"/d"), litRedirect(site+"/d", 301, "https://pay.other.test/")),
			want: []string{
				"error http://site.test/a http://site.test/ 302 - 1",
				"error http://site.test/c http://site.test/ 301 - 2",
			},
			words:  []string{"browsers resend the form as a GET without its data; "},
			absent: []string{"set the action", "working URL"},
		},
		{
			name: "silent: GET forms, links, a refresh after the POST",
			graph: litGraph([]crawler.Reference{
				form(site+"/find", "get"),
				form(site+"/find", ""),
				litLink(home, site+"/find"),
				form(site+"/thanks", "post"),
			},
				litPage(home), litRedirect(site+"/find", 301, site+"/find/"), litPage(site+"/find/"),
				litRefresh(site+"/thanks", crawler.HopMetaRefresh, 3, site+"/r"), litRedirect(site+"/r", 302, home)),
		},
	})
}

func TestFormPostRedirectFixture(t *testing.T) { testFixture(t, FormPostRedirect) }
