package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"kechuang/internal/cultivation"
	"kechuang/internal/sqldb"
)

// CultivationFigures is the enterprise registry's provider, from the
// certificates on record and the county targets (军令状) of the year:
//
//   - cultivation.tech_sme_new: 科技型中小企业 certificates issued in the
//     month (target tech_sme_new);
//   - cultivation.high_tech_new: 高新技术企业 certificates issued in the
//     month (target high_tech_new);
//   - cultivation.high_tech_total: firms holding a valid 高新技术企业
//     certificate at the month's end — issued on or before it, less than
//     three years before, not expired or revoked by then (target
//     high_tech_total).
func CultivationFigures(db *sqldb.DB) Provider {
	return ProviderFunc(func(ctx context.Context, w Window) ([]Series, error) {
		return cultivationFigures(ctx, db, w)
	})
}

type certificate struct {
	Type    string `json:"type"`
	Issued  string `json:"issued"`
	Expires string `json:"expires"`
	Revoked string `json:"revoked"`
}

func cultivationFigures(ctx context.Context, db *sqldb.DB, w Window) ([]Series, error) {
	list := func(tier string) string { return "/cultivation?tier=" + url.QueryEscape(tier) }
	smeNew := Series{Key: "cultivation.tech_sme_new", Module: "cultivation", Unit: "dashboard.unit.firm", Kind: Flow,
		Num: map[string]map[string]float64{}, Targets: map[string]float64{}, List: list(cultivation.TierTechSME)}
	htNew := Series{Key: "cultivation.high_tech_new", Module: "cultivation", Unit: "dashboard.unit.firm", Kind: Flow,
		Num: map[string]map[string]float64{}, Targets: map[string]float64{}, List: list(cultivation.TierHighTech)}
	htTotal := Series{Key: "cultivation.high_tech_total", Module: "cultivation", Unit: "dashboard.unit.firm", Kind: Stock,
		Num: map[string]map[string]float64{}, Targets: map[string]float64{}, List: list(cultivation.TierHighTech)}
	cond, args := inList("region_code", w.Counties)
	rows, err := db.QueryContext(ctx, "SELECT region_code, certificates FROM enterprises WHERE "+cond+" AND certificates <> '[]'", args...)
	if err != nil {
		return nil, fmt.Errorf("certificates: %w", err)
	}
	months := w.Months()
	ends := make([]string, len(months))
	for i, m := range months {
		t, _ := time.Parse("2006-01", m)
		ends[i] = t.AddDate(0, 1, -1).Format("2006-01-02")
	}
	for _, c := range w.Counties {
		for _, m := range months {
			set(htTotal.Num, c, m, 0)
		}
	}
	for rows.Next() {
		var code, raw string
		if err := rows.Scan(&code, &raw); err != nil {
			rows.Close()
			return nil, err
		}
		var certs []certificate
		if err := json.Unmarshal([]byte(raw), &certs); err != nil {
			rows.Close()
			return nil, fmt.Errorf("certificates of an enterprise in %s: %w", code, err)
		}
		for _, ct := range certs {
			if len(ct.Issued) < 10 {
				continue
			}
			m := ct.Issued[:7]
			switch ct.Type {
			case "tech-sme":
				if m >= w.From && m <= w.To {
					add(smeNew.Num, code, m, 1)
				}
			case "high-tech":
				if m >= w.From && m <= w.To {
					add(htNew.Num, code, m, 1)
				}
				issued, err := time.Parse("2006-01-02", ct.Issued[:10])
				if err != nil {
					continue
				}
				until := issued.AddDate(3, 0, 0).Format("2006-01-02")
				if len(ct.Expires) >= 10 && ct.Expires[:10] < until {
					until = ct.Expires[:10]
				}
				if len(ct.Revoked) >= 10 && ct.Revoked[:10] < until {
					until = ct.Revoked[:10]
				}
				for i, end := range ends {
					if ct.Issued[:10] <= end && end < until {
						add(htTotal.Num, code, months[i], 1)
					}
				}
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.QueryContext(ctx, "SELECT region_code, indicator, target FROM county_targets WHERE year = ? AND indicator IN (?, ?, ?)",
		w.Year, "tech_sme_new", "high_tech_new", "high_tech_total")
	if err != nil {
		return nil, fmt.Errorf("targets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, ind string
		var v float64
		if err := rows.Scan(&code, &ind, &v); err != nil {
			return nil, err
		}
		switch ind {
		case "tech_sme_new":
			smeNew.Targets[code] = v
		case "high_tech_new":
			htNew.Targets[code] = v
		case "high_tech_total":
			htTotal.Targets[code] = v
		}
	}
	return []Series{smeNew, htNew, htTotal}, rows.Err()
}
