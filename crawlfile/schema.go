package crawlfile

import (
	"strconv"
	"strings"

	"github.com/hopaudit/hopaudit/crawler"
)

// applicationID marks a SQLite file as a hopaudit crawl file (PRAGMA
// application_id): "hopa".
const applicationID = 0x686f7061

// SchemaVersion is the version of the file's layout (PRAGMA
// user_version). A file of a newer version is refused, never changed.
const SchemaVersion = 1

// schema makes an empty crawl file's tables. docs/crawl-file.md explains
// every table and column: keep it in step.
const schema = `
CREATE TABLE crawls (
	id                INTEGER PRIMARY KEY,
	started           TEXT NOT NULL,
	settings          TEXT NOT NULL CHECK (json_valid(settings)),
	done              INTEGER NOT NULL DEFAULT 0,
	run_started       TEXT,
	finished          TEXT,
	fetched           INTEGER,
	parsed            INTEGER,
	blocked           INTEGER,
	errors            INTEGER,
	failed            INTEGER,
	cancelled         INTEGER,
	max_pages_reached INTEGER,
	unreachable       TEXT
);

CREATE TABLE urls (
	id  INTEGER PRIMARY KEY,
	url TEXT NOT NULL UNIQUE
);

CREATE TABLE responses (
	crawl        INTEGER NOT NULL,
	url          INTEGER NOT NULL,
	status       INTEGER NOT NULL,
	depth        INTEGER NOT NULL,
	content_type TEXT,
	bytes        INTEGER NOT NULL,
	elapsed_ns   INTEGER NOT NULL,
	error        TEXT,
	parse_error  TEXT,
	canonical    INTEGER,
	truncated    INTEGER NOT NULL,
	blocked      INTEGER NOT NULL,
	refused      INTEGER NOT NULL,
	internal     INTEGER NOT NULL,
	parsed       INTEGER NOT NULL,
	noindex      INTEGER NOT NULL,
	attempts     INTEGER NOT NULL,
	response_url INTEGER,
	refs         TEXT,
	locations      INTEGER,
	location_raw   TEXT,
	location       INTEGER,
	location_error TEXT,
	cache_control  TEXT,
	expires        TEXT,
	date           TEXT,
	vary           TEXT,
	retry_after    TEXT,
	refresh_header TEXT,
	link           TEXT,
	x_robots_tag   TEXT,
	x_redirect_by  TEXT,
	refresh_kind   INTEGER,
	refresh_delay  REAL,
	refresh_raw    TEXT,
	refresh_url    INTEGER,
	UNIQUE (crawl, url)
);
CREATE INDEX responses_by_status ON responses (crawl, status);

CREATE TABLE hop_locations (
	crawl INTEGER NOT NULL,
	url   INTEGER NOT NULL,
	n     INTEGER NOT NULL,
	raw   TEXT NOT NULL,
	PRIMARY KEY (crawl, url, n)
) WITHOUT ROWID;

CREATE TABLE texts (
	id   INTEGER PRIMARY KEY,
	text TEXT NOT NULL UNIQUE
);

CREATE TABLE sitemaps (
	crawl       INTEGER NOT NULL,
	url         INTEGER NOT NULL,
	source      INTEGER NOT NULL,
	status      INTEGER NOT NULL,
	entries     INTEGER NOT NULL,
	is_index    INTEGER NOT NULL,
	error       TEXT,
	sitemap_url INTEGER,
	refs        TEXT,
	PRIMARY KEY (crawl, url)
) WITHOUT ROWID;

CREATE TABLE sitemap_children (
	crawl   INTEGER NOT NULL,
	sitemap INTEGER NOT NULL,
	n       INTEGER NOT NULL,
	child   INTEGER NOT NULL,
	PRIMARY KEY (crawl, sitemap, n)
) WITHOUT ROWID;

CREATE TABLE robots (
	crawl  INTEGER NOT NULL,
	origin INTEGER NOT NULL,
	PRIMARY KEY (crawl, origin)
) WITHOUT ROWID;

CREATE TABLE robots_sitemaps (
	crawl   INTEGER NOT NULL,
	origin  INTEGER NOT NULL,
	n       INTEGER NOT NULL,
	sitemap TEXT NOT NULL,
	PRIMARY KEY (crawl, origin, n)
) WITHOUT ROWID;

CREATE TABLE findings (
	crawl      INTEGER NOT NULL,
	n          INTEGER NOT NULL,
	rule       TEXT NOT NULL,
	severity   TEXT NOT NULL,
	url        INTEGER NOT NULL,
	source     INTEGER,
	target     INTEGER,
	status     INTEGER NOT NULL,
	hops       INTEGER NOT NULL,
	message    TEXT NOT NULL,
	fix_status INTEGER NOT NULL,
	fix_target INTEGER,
	PRIMARY KEY (crawl, n)
) WITHOUT ROWID;
CREATE INDEX findings_by_url ON findings (crawl, url);

CREATE TABLE ref_kinds (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE hop_kinds (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE sitemap_sources (id INTEGER PRIMARY KEY, name TEXT NOT NULL);

CREATE VIEW v_responses AS
SELECT r.crawl, u.url, r.status, r.depth, r.content_type, r.bytes, r.elapsed_ns / 1e6 AS elapsed_ms,
	r.error, r.parse_error, c.url AS canonical, r.truncated, r.blocked, r.refused, r.internal,
	r.parsed, r.noindex, r.attempts
FROM responses r JOIN urls u ON u.id = r.url LEFT JOIN urls c ON c.id = r.canonical;

CREATE VIEW refs AS
SELECT r.crawl, r.url AS source, 0 AS sitemap, j.key AS n, json_extract(j.value, '$[0]') AS target,
	json_extract(j.value, '$[1]') AS kind, ifnull(json_extract(j.value, '$[3]'), 0) AS nofollow,
	nullif(json_extract(j.value, '$[2]'), 0) AS text
FROM responses r, json_each(r.refs) j
UNION ALL
SELECT m.crawl, m.url, 1, j.key, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'),
	ifnull(json_extract(j.value, '$[3]'), 0), nullif(json_extract(j.value, '$[2]'), 0)
FROM sitemaps m, json_each(m.refs) j;

CREATE VIEW v_refs AS
SELECT f.crawl, s.url AS source, t.url AS target, k.name AS kind, f.nofollow, x.text, f.sitemap, f.n
FROM refs f JOIN urls s ON s.id = f.source JOIN urls t ON t.id = f.target
JOIN ref_kinds k ON k.id = f.kind LEFT JOIN texts x ON x.id = f.text;

CREATE VIEW hops AS
SELECT crawl, url, locations, location_raw, location, location_error, cache_control, expires, date, vary,
	retry_after, refresh_header, link, x_robots_tag, x_redirect_by, refresh_kind, refresh_delay, refresh_raw,
	refresh_url
FROM responses WHERE locations IS NOT NULL OR refresh_kind IS NOT NULL;

CREATE VIEW redirects AS
SELECT r.crawl, r.url, r.status,
	CASE WHEN r.status IN (301, 302, 303, 307, 308) THEN 1 ELSE r.refresh_kind END AS kind,
	CASE WHEN r.status IN (301, 302, 303, 307, 308) THEN r.location ELSE r.refresh_url END AS target
FROM responses r
WHERE r.blocked = 0 AND (
	(r.status IN (301, 302, 303, 307, 308) AND r.location IS NOT NULL) OR
	(r.status BETWEEN 200 AND 299 AND r.refresh_url IS NOT NULL));

CREATE VIEW v_redirects AS
SELECT d.crawl, u.url, d.status, k.name AS kind, t.url AS target,
	h.location_raw, h.location_error, h.x_redirect_by, h.cache_control, h.expires,
	h.refresh_delay, h.refresh_raw
FROM redirects d JOIN urls u ON u.id = d.url JOIN urls t ON t.id = d.target
JOIN hop_kinds k ON k.id = d.kind JOIN responses h ON h.crawl = d.crawl AND h.url = d.url;

CREATE VIEW v_sitemaps AS
SELECT m.crawl, u.url, s.name AS source, m.status, m.entries, m.is_index, m.error
FROM sitemaps m JOIN urls u ON u.id = m.url JOIN sitemap_sources s ON s.id = m.source;

CREATE VIEW v_findings AS
SELECT f.crawl, f.rule, f.severity, u.url, s.url AS source, t.url AS target, f.status, f.hops,
	f.message, f.fix_status, x.url AS fix_target
FROM findings f JOIN urls u ON u.id = f.url LEFT JOIN urls s ON s.id = f.source
LEFT JOIN urls t ON t.id = f.target LEFT JOIN urls x ON x.id = f.fix_target;
`

// kindNames fills the tables that name the small numbers the other tables
// hold: the reference kinds, hop kinds and sitemap sources.
func kindNames() string {
	var b strings.Builder
	add := func(table string, n int, name func(int) string) {
		for i := 1; i < n; i++ {
			if s := name(i); !strings.HasPrefix(s, "unknown(") {
				b.WriteString("INSERT INTO " + table + " VALUES (" + strconv.Itoa(i) + ", '" + s + "');\n")
			}
		}
	}
	add("ref_kinds", 64, func(i int) string { return crawler.RefKind(i).String() })
	add("hop_kinds", 64, func(i int) string { return crawler.HopKind(i).String() })
	add("sitemap_sources", 64, func(i int) string { return crawler.SitemapSource(i).String() })
	return b.String()
}
