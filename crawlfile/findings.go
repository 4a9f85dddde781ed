package crawlfile

import (
	"database/sql"
	"fmt"

	"github.com/hopaudit/hopaudit/audit"
)

// PutFindings replaces the crawl's findings with findings, in their
// order: an audit run again replaces those of the last. Their Change is
// not kept: it depends on the baseline of each report.
func (c *Crawl) PutFindings(findings []audit.Finding) error {
	err := c.f.write(func(tx *writeTx) error {
		if err := tx.exec("DELETE FROM findings WHERE crawl = ?", c.id); err != nil {
			return err
		}
		for i := range findings {
			f := &findings[i]
			u, err := tx.urlID(f.URL)
			if err != nil {
				return err
			}
			source, err := tx.optURLID(f.Source)
			if err != nil {
				return err
			}
			target, err := tx.optURLID(f.Target)
			if err != nil {
				return err
			}
			fix, err := tx.optURLID(f.Fix.Target)
			if err != nil {
				return err
			}
			err = tx.exec(`INSERT INTO findings (crawl, n, rule, severity, url, source, target, status, hops, message,
				fix_status, fix_target) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				c.id, i, f.Rule, f.Severity.String(), u, source, target, f.Status, f.Hops, f.Message, f.Fix.Status, fix)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: write the findings of crawl %d: %w", c.f.path, c.id, err)
	}
	return nil
}

// Findings returns the crawl's findings as PutFindings was last given
// them (without their Change); none before.
func (c *Crawl) Findings() ([]audit.Finding, error) {
	rows, err := c.f.db.Query(`SELECT f.rule, f.severity, u.url, s.url, t.url, f.status, f.hops, f.message, f.fix_status, x.url
		FROM findings f JOIN urls u ON u.id = f.url LEFT JOIN urls s ON s.id = f.source
		LEFT JOIN urls t ON t.id = f.target LEFT JOIN urls x ON x.id = f.fix_target
		WHERE f.crawl = ? ORDER BY f.n`, c.id)
	if err != nil {
		return nil, fmt.Errorf("%s: read the findings of crawl %d: %w", c.f.path, c.id, err)
	}
	defer rows.Close()
	var out []audit.Finding
	for rows.Next() {
		var (
			f                   audit.Finding
			severity            string
			source, target, fix sql.NullString
		)
		if err := rows.Scan(&f.Rule, &severity, &f.URL, &source, &target, &f.Status, &f.Hops, &f.Message, &f.Fix.Status, &fix); err != nil {
			return nil, fmt.Errorf("%s: read the findings of crawl %d: %w", c.f.path, c.id, err)
		}
		if f.Severity, err = audit.ParseSeverity(severity); err != nil {
			return nil, fmt.Errorf("%s: read the findings of crawl %d: %w", c.f.path, c.id, err)
		}
		f.Source, f.Target, f.Fix.Target = source.String, target.String, fix.String
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: read the findings of crawl %d: %w", c.f.path, c.id, err)
	}
	return out, nil
}
