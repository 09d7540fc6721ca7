package indicator

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
)

// HighTechGroup is the 高企 figures of a county, a domain or the city.
type HighTechGroup struct {
	Key    string   `json:"key"` // region code or domain
	Name   string   `json:"name"`
	Count  int      `json:"count"`  // valid certificates at the end of the year
	Prev   int      `json:"prev"`   // … at the end of the year before
	Growth *float64 `json:"growth"` // percent
	New    int      `json:"new"`    // certificates issued in the year
	Lapsed int      `json:"lapsed"` // valid a year before, not at the end of the year (expired or revoked)
	// Revenue and RD sum the year's figures (万元) of the firms counted
	// that filed them; Intensity is RD over Revenue in percent; Firms is
	// how many filed.
	Revenue   float64  `json:"revenue"`
	RD        float64  `json:"rd"`
	Intensity *float64 `json:"intensity"`
	Firms     int      `json:"firms"`
}

// Sentence is one sentence of the report's text: a catalog key and its
// arguments, rendered in the reader's language.
type Sentence struct {
	Key  string `json:"key"`
	Args []any  `json:"args"`
}

// HighTechReport is the annual 高新技术企业发展分析报告, derived from the
// enterprise registry: counts and growth by county and domain, new and
// lapsed certificates, revenue and R&D intensity, and text generated from
// the figures.
type HighTechReport struct {
	Year      int             `json:"year"`
	City      HighTechGroup   `json:"city"`
	Counties  []HighTechGroup `json:"counties"`
	Domains   []HighTechGroup `json:"domains"`
	Sentences []Sentence      `json:"sentences"`
	Date      string          `json:"date"`
}

// HighTechReport derives the report of year. County users see their own
// county's row beside the city's totals.
func (s *Service) HighTechReport(ctx context.Context, a account.Actor, year int) (HighTechReport, error) {
	rep := HighTechReport{Year: year, Date: s.Today()}
	if !s.CanViewIndicators(a) {
		return rep, apperr.New(apperr.Forbidden, "indicator.only_staff")
	}
	if year < 2000 || year > s.now().Year() {
		return rep, apperr.Fields(apperr.Field("year", "indicator.year_invalid"))
	}
	home, homeName := s.homeName(ctx)
	all, err := s.homeCounties(ctx)
	if err != nil {
		return rep, err
	}
	comp := &computer{db: s.db}
	prefix := ""
	if home != "" {
		prefix = regionPrefix(home)
	}
	firms, err := comp.registry(ctx, prefix)
	if err != nil {
		return rep, err
	}
	figures, err := s.yearFigures(ctx, prefix, year)
	if err != nil {
		return rep, err
	}
	end := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	prevEnd := end.AddDate(-1, 0, 0)
	yp := Period{Freq: Yearly, Year: year}
	byCounty := map[string]*HighTechGroup{}
	for _, r := range all {
		byCounty[r.Code] = &HighTechGroup{Key: r.Code, Name: r.Name}
	}
	byDomain := map[string]*HighTechGroup{}
	city := &HighTechGroup{Key: home, Name: homeName}
	for i, f := range firms {
		var now, before, isNew bool
		for _, c := range f.certs {
			if c.Type != "high-tech" {
				continue
			}
			now = now || validOn(c, end)
			before = before || validOn(c, prevEnd)
			isNew = isNew || issuedIn(c, yp)
		}
		if !now && !before && !isNew {
			continue
		}
		domain := f.domain
		if domain == "" {
			domain = "未分类"
		}
		if byDomain[domain] == nil {
			byDomain[domain] = &HighTechGroup{Key: domain, Name: domain}
		}
		groups := []*HighTechGroup{city, byDomain[domain]}
		if g := byCounty[f.region]; g != nil {
			groups = append(groups, g)
		}
		fig, hasFig := figures[i]
		for _, g := range groups {
			if now {
				g.Count++
				if hasFig {
					g.Firms++
					g.Revenue += fig[0]
					g.RD += fig[1]
				}
			}
			if before {
				g.Prev++
			}
			if isNew {
				g.New++
			}
			if before && !now {
				g.Lapsed++
			}
		}
	}
	finish := func(g *HighTechGroup) HighTechGroup {
		g.Growth = round(growth(ptr(float64(g.Prev)), ptr(float64(g.Count))), 1)
		if g.Revenue > 0 {
			g.Intensity = round(ptr(g.RD/g.Revenue*100), 2)
		}
		g.Revenue, g.RD = *round(&g.Revenue, 1), *round(&g.RD, 1)
		return *g
	}
	rep.City = finish(city)
	var counties []HighTechGroup
	for _, r := range all {
		counties = append(counties, finish(byCounty[r.Code]))
	}
	for _, g := range byDomain {
		rep.Domains = append(rep.Domains, finish(g))
	}
	sort.Slice(rep.Domains, func(i, j int) bool {
		if rep.Domains[i].Count != rep.Domains[j].Count {
			return rep.Domains[i].Count > rep.Domains[j].Count
		}
		return rep.Domains[i].Key < rep.Domains[j].Key
	})
	rep.Sentences = sentences(rep.City, counties, rep.Domains, year)
	for _, c := range counties {
		if a.Role != account.RoleCounty || c.Key == a.Region {
			rep.Counties = append(rep.Counties, c)
		}
	}
	return rep, nil
}

func ptr(v float64) *float64 { return &v }

func regionPrefix(code string) string {
	for len(code) > 2 && code[len(code)-2:] == "00" {
		code = code[:len(code)-2]
	}
	return code
}

// yearFigures reads the year's revenue and R&D expense of the firms in
// the order comp.registry reads them (by id), by index.
func (s *Service) yearFigures(ctx context.Context, prefix string, year int) (map[int][2]float64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.region_code, y.data FROM enterprises e
		LEFT JOIN enterprise_years y ON y.enterprise_id = e.id AND y.year = ?
		WHERE e.region_code LIKE ? ORDER BY e.id`, year, prefix+"%")
	if err != nil {
		return nil, fmt.Errorf("read year figures: %w", err)
	}
	defer rows.Close()
	out := map[int][2]float64{}
	for i := 0; rows.Next(); i++ {
		var region string
		var data *string
		if err := rows.Scan(&region, &data); err != nil {
			return nil, err
		}
		if data == nil {
			continue
		}
		var rec struct {
			Figures cultivation.YearFigures `json:"figures"`
		}
		if err := json.Unmarshal([]byte(*data), &rec); err != nil {
			return nil, fmt.Errorf("year figures of a firm in %s: %w", region, err)
		}
		if rec.Figures.Revenue != nil && rec.Figures.RDExpense != nil {
			out[i] = [2]float64{*rec.Figures.Revenue, *rec.Figures.RDExpense}
		}
	}
	return out, rows.Err()
}

// sentences writes the report's text from its figures.
func sentences(city HighTechGroup, counties, domains []HighTechGroup, year int) []Sentence {
	num := func(v float64, dec int) string { return strconv.FormatFloat(v, 'f', dec, 64) }
	var out []Sentence
	switch {
	case city.Growth == nil:
		out = append(out, Sentence{Key: "hightech.sentence.total", Args: []any{year, city.Name, city.Count}})
	case *city.Growth >= 0:
		out = append(out, Sentence{Key: "hightech.sentence.total_up", Args: []any{year, city.Name, city.Count, num(*city.Growth, 1)}})
	default:
		out = append(out, Sentence{Key: "hightech.sentence.total_down", Args: []any{year, city.Name, city.Count, num(-*city.Growth, 1)}})
	}
	var best *HighTechGroup
	for i := range counties {
		c := &counties[i]
		if c.Growth != nil && (best == nil || *c.Growth > *best.Growth) {
			best = c
		}
	}
	if best != nil && *best.Growth > 0 {
		out = append(out, Sentence{Key: "hightech.sentence.fastest", Args: []any{best.Name, num(*best.Growth, 1), best.Count}})
	}
	out = append(out, Sentence{Key: "hightech.sentence.new_lapsed", Args: []any{city.New, city.Lapsed}})
	if len(domains) > 0 && domains[0].Count > 0 && city.Count > 0 {
		out = append(out, Sentence{Key: "hightech.sentence.domain", Args: []any{domains[0].Name, domains[0].Count,
			num(float64(domains[0].Count)*100/float64(city.Count), 1)}})
	}
	if city.Intensity != nil {
		out = append(out, Sentence{Key: "hightech.sentence.rd", Args: []any{city.Firms, num(city.Revenue/10000, 2),
			num(city.RD/10000, 2), num(*city.Intensity, 2)}})
	}
	return out
}
