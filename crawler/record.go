package crawler

// RecordKind says which task of a crawl made a record.
type RecordKind uint8

// The record kinds.
const (
	RecordURL      RecordKind = iota + 1 // a URL fetched (a page, a hop, a resource) or blocked by robots.txt
	RecordSitemap                        // a sitemap or sitemap index read
	RecordSitemaps                       // the Sitemap lines of an origin's robots.txt
)

var recordKindNames = [...]string{RecordURL: "url", RecordSitemap: "sitemap", RecordSitemaps: "sitemaps"}

// String returns the kind's name.
func (k RecordKind) String() string { return enumName(recordKindNames[:], k) }

// Record is what one task of a crawl learnt from the network, before the
// crawl folds it into the graph: the fetcher's output and the builder's
// input. A crawl is a function of its settings and its records: given
// the same records in any order, the builder makes the same graph, so a
// crawl kept record by record (see Store) can be resumed, or built again
// without the network.
//
// Every string that came from the website is untrusted.
type Record struct {
	Kind RecordKind
	URL  string // the task's normalised URL; of RecordSitemaps, the origin (scheme://host)

	// Response is what a RecordURL's URL answered, with its Referrers
	// unset: the builder counts them.
	Response *Response
	// Refs are the references a RecordURL's page or a RecordSitemap's
	// sitemap holds, once each (a page's duplicates dropped), in the
	// order found; their Source is URL.
	Refs []Reference
	// Sitemap is a RecordSitemap's row.
	Sitemap *Sitemap
	// Sitemaps are a sitemap index's sitemaps (normalised), or the
	// Sitemap lines of a robots.txt (as written; none when robots.txt was
	// ignored, unreadable or named none).
	Sitemaps []string
}

// Store keeps a crawl's records as it makes them, and gives back those
// of an earlier run of the same crawl (Config.Store). Its methods are
// called from several goroutines at once.
type Store interface {
	// Recorded returns the record of the task of kind and URL u, or nil
	// when there is none.
	Recorded(kind RecordKind, u string) (*Record, error)
	// Record keeps rec. It may return before rec is on disk: what is
	// kept when the process dies is the store's business.
	Record(rec *Record) error
}

// StoreError is a failure of a crawl's Store, which stopped the crawl.
type StoreError struct{ Err error }

func (e *StoreError) Error() string { return e.Err.Error() }
func (e *StoreError) Unwrap() error { return e.Err }
