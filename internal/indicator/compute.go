package indicator

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kechuang/internal/cultivation"
	"kechuang/internal/sqldb"
)

// computation derives one indicator's value per county (region code) for
// a period from the records of a module, within the region prefix.
type computation func(ctx context.Context, c *computer, p Period, prefix string) (map[string]float64, error)

// computations are the named computations the catalogue's computed
// indicators refer to.
var computations = map[string]computation{
	// 创新主体培育: certificates in the enterprise registry, by the
	// enterprise's county.
	"cultivation.tech_sme_valid":  certificates("tech-sme", true),
	"cultivation.tech_sme_new":    certificates("tech-sme", false),
	"cultivation.high_tech_valid": certificates("high-tech", true),
	"cultivation.high_tech_new":   certificates("high-tech", false),
	// 技术市场: registered technology contracts signed in the period, by
	// the registering county.
	"market.contract_count":       contracts("COUNT(*)"),
	"market.contract_amount":      contracts("SUM(amount)"),
	"market.contract_tech_amount": contracts("SUM(tech_amount)"),
	// 项目库: projects in the library at the end of the period, and the
	// investment the monthly ledgers report for its months.
	"project.open_count": openProjects,
	"project.investment": projectInvestment,
}

// computer runs computations for one request, reading the enterprise
// registry at most once.
type computer struct {
	db    *sqldb.DB
	firms []firm
	read  bool
}

type firm struct {
	region string
	domain string
	certs  []cultivation.Certificate
}

// registry reads the region, domain and certificates of every enterprise
// inside prefix.
func (c *computer) registry(ctx context.Context, prefix string) ([]firm, error) {
	if c.read {
		return c.firms, nil
	}
	rows, err := c.db.QueryContext(ctx, "SELECT region_code, domain, certificates FROM enterprises WHERE region_code LIKE ? ORDER BY id", prefix+"%")
	if err != nil {
		return nil, fmt.Errorf("read certificates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f firm
		var certs string
		if err := rows.Scan(&f.region, &f.domain, &certs); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(certs), &f.certs); err != nil {
			return nil, fmt.Errorf("certificates of a firm in %s: %w", f.region, err)
		}
		c.firms = append(c.firms, f)
	}
	c.read = true
	return c.firms, rows.Err()
}

// validOn reports whether a certificate of kind typ is valid on day (a
// time at midnight China time): issued on or before it, not expired and
// not revoked. A 高企 certificate without an expiry date runs three years
// from its issue, a 科技型中小企业 registration to the end of its year.
func validOn(cert cultivation.Certificate, day time.Time) bool {
	if cert.Issued.IsZero() || cert.Issued.After(day) {
		return false
	}
	exp := cert.Expires.Time
	if exp.IsZero() {
		if cert.Type == "high-tech" {
			exp = cert.Issued.AddDate(3, 0, -1)
		} else {
			exp = time.Date(cert.Issued.Year(), 12, 31, 0, 0, 0, 0, cert.Issued.Location())
		}
	}
	if exp.Before(day) {
		return false
	}
	return cert.Revoked.IsZero() || cert.Revoked.After(day)
}

// issuedIn reports whether the certificate was issued inside p.
func issuedIn(cert cultivation.Certificate, p Period) bool {
	if cert.Issued.IsZero() {
		return false
	}
	d := cert.Issued.Format("2006-01-02")
	return d >= p.Start() && d < p.End()
}

// lastDay is the period's last day at midnight, in the certificates'
// calendar (dates without a zone are read as UTC).
func lastDay(p Period) time.Time {
	t, _ := time.Parse("2006-01-02", p.End())
	return t.AddDate(0, 0, -1)
}

// certificates counts firms by county: those holding a valid certificate
// of typ on the period's last day (valid), or those issued one in it.
func certificates(typ string, valid bool) computation {
	return func(ctx context.Context, c *computer, p Period, prefix string) (map[string]float64, error) {
		firms, err := c.registry(ctx, prefix)
		if err != nil {
			return nil, err
		}
		day := lastDay(p)
		out := map[string]float64{}
		for _, f := range firms {
			for _, cert := range f.certs {
				if cert.Type != typ {
					continue
				}
				if (valid && validOn(cert, day)) || (!valid && issuedIn(cert, p)) {
					out[f.region]++
					break
				}
			}
		}
		return out, nil
	}
}

// contracts aggregates the contracts signed in the period by county.
func contracts(expr string) computation {
	return func(ctx context.Context, c *computer, p Period, prefix string) (map[string]float64, error) {
		return groupSum(ctx, c.db, "SELECT region_code, "+expr+` FROM contracts
			WHERE signed_on >= ? AND signed_on < ? AND region_code LIKE ? GROUP BY region_code`, p.Start(), p.End(), prefix+"%")
	}
}

// openProjects counts the projects in the library (stocked, implementing,
// adjusting) at the end of the period: created before its end, past 预审,
// and not completed or exited before it.
func openProjects(ctx context.Context, c *computer, p Period, prefix string) (map[string]float64, error) {
	return groupSum(ctx, c.db, `SELECT region_code, COUNT(*) FROM projects
		WHERE created_at < ? AND stage NOT IN ('planning', 'review') AND (closed_on IS NULL OR closed_on >= ?)
		AND region_code LIKE ? GROUP BY region_code`, p.End(), p.End(), prefix+"%")
}

// projectInvestment sums the investment reported for the period's months.
func projectInvestment(ctx context.Context, c *computer, p Period, prefix string) (map[string]float64, error) {
	first, last := p.Months()[0].String(), p.Months()[len(p.Months())-1].String()
	return groupSum(ctx, c.db, `SELECT p.region_code, SUM(r.investment_month) FROM project_reports r
		JOIN projects p ON p.id = r.project_id
		WHERE r.month >= ? AND r.month <= ? AND p.region_code LIKE ? GROUP BY p.region_code`, first, last, prefix+"%")
}

func groupSum(ctx context.Context, db *sqldb.DB, q string, args ...any) (map[string]float64, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("compute indicator: %w", err)
	}
	defer rows.Close()
	out := map[string]float64{}
	for rows.Next() {
		var code string
		var v *float64
		if err := rows.Scan(&code, &v); err != nil {
			return nil, err
		}
		if v != nil {
			out[strings.TrimSpace(code)] += *v
		}
	}
	return out, rows.Err()
}
