package chain

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// SetLeader marks (on) or unmarks a registry enterprise the actor manages
// as a 链主 of the chain, with its audit row.
func (s *Service) SetLeader(ctx context.Context, a account.Actor, chainID string, enterpriseID int64, on bool) error {
	if !s.CanViewChains(a) {
		return notFound()
	}
	if !s.CanManagePlacements(a) {
		return apperr.New(apperr.Forbidden, "chain.only_staff")
	}
	c, ok := s.book.Get(chainID)
	if !ok {
		return notFound()
	}
	e, err := s.cult.GetEnterprise(ctx, a, enterpriseID)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		action := "chain.leader_unmark"
		if on {
			action = "chain.leader_mark"
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM chain_leaders WHERE chain_id = ? AND enterprise_id = ?",
				chainID, enterpriseID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO chain_leaders (chain_id, enterprise_id, region_code, marked_by, marked_at)
				VALUES (?, ?, ?, ?, ?)`, chainID, enterpriseID, e.RegionCode, a.UserID, sqldb.At(s.now())); err != nil {
				return fmt.Errorf("mark leader: %w", err)
			}
		} else {
			r, err := tx.ExecContext(ctx, "DELETE FROM chain_leaders WHERE chain_id = ? AND enterprise_id = ?", chainID, enterpriseID)
			if err != nil {
				return fmt.Errorf("unmark leader: %w", err)
			}
			if n, _ := r.RowsAffected(); n == 0 {
				return nil
			}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: action, ObjectType: "enterprise",
			ObjectID: strconv.FormatInt(enterpriseID, 10), ObjectName: e.Name, RegionCode: e.RegionCode,
			After: map[string]any{"chain": c.ID, "leader": on}})
	})
}

// Supplier is one firm of a 链主's 配套备选清单.
type Supplier struct {
	Rank      int       `json:"rank"`
	Placement Placement `json:"placement"`
	LinkName  string    `json:"link_name"`
	Score     float64   `json:"score"`
}

// SupplierList is a 链主's 配套备选清单: the firms the actor sees placed on
// the links that supply the leader's links, ranked by confirmation, tier,
// R&D and confidence.
type SupplierList struct {
	Chain     Chain      `json:"-"`
	Leader    Leader     `json:"leader"`
	Links     []string   `json:"links"`
	Suppliers []Supplier `json:"suppliers"`
}

// Suppliers returns the 配套备选清单 of a 链主 of the chain. A leader the
// actor may not see is NotFound.
func (s *Service) Suppliers(ctx context.Context, a account.Actor, chainID string, enterpriseID int64) (SupplierList, error) {
	if !s.CanViewChains(a) {
		return SupplierList{}, notFound()
	}
	c, _, err := s.chain(ctx, s.db, chainID)
	if err != nil {
		return SupplierList{}, err
	}
	leaders, err := s.leaders(ctx, s.db, chainID)
	if err != nil {
		return SupplierList{}, err
	}
	i := slices.IndexFunc(leaders, func(l Leader) bool { return l.EnterpriseID == enterpriseID })
	if i < 0 || !s.SeesDetails(a, leaders[i].RegionCode) {
		return SupplierList{}, apperr.New(apperr.NotFound, "chain.leader_not_found")
	}
	out := SupplierList{Chain: c, Leader: leaders[i], Links: []string{}, Suppliers: []Supplier{}}
	// The links upstream of the leader's: what supplies its links, and
	// what supplies those, two steps back.
	seen := map[string]bool{}
	frontier := out.Leader.Links
	for step := 0; step < 2; step++ {
		var next []string
		for _, l := range frontier {
			for _, sup := range c.Suppliers(l) {
				if !seen[sup] && !slices.Contains(out.Leader.Links, sup) {
					seen[sup] = true
					out.Links = append(out.Links, sup)
					next = append(next, sup)
				}
			}
		}
		frontier = next
	}
	all, err := s.placements(ctx, s.db, chainID)
	if err != nil {
		return SupplierList{}, err
	}
	for _, p := range all {
		if p.SubjectType != SubjectEnterprise || !seen[p.LinkID] || p.SubjectID == enterpriseID || !s.SeesDetails(a, p.RegionCode) {
			continue
		}
		l, _ := c.Link(p.LinkID)
		score := p.Confidence + 0.2*float64(max(cultivation.TierRank(p.Tier), 0))
		if p.State == Confirmed {
			score += 1
		}
		if p.RDExpense > 0 {
			score += 0.3
		}
		if slices.Contains(c.Suppliers(out.Leader.Links[0]), p.LinkID) {
			score += 0.5 // a direct supplier
		}
		out.Suppliers = append(out.Suppliers, Supplier{Placement: p, LinkName: l.Name, Score: score})
	}
	sort.SliceStable(out.Suppliers, func(i, j int) bool { return out.Suppliers[i].Score > out.Suppliers[j].Score })
	for i := range out.Suppliers {
		out.Suppliers[i].Rank = i + 1
	}
	return out, nil
}

// tierLabel is a tier's label in lang ("" → 未入库).
func tierLabel(lang, tier string) string {
	if tier == "" {
		return i18n.T(lang, "chain.tier.none")
	}
	return i18n.T(lang, "tier."+cultivation.TierCode(tier))
}

// WriteSuppliers writes a 配套备选清单 as an .xlsx workbook in lang.
func WriteSuppliers(w io.Writer, lang string, l SupplierList) error {
	rows := make([][]any, 0, len(l.Suppliers))
	for _, sp := range l.Suppliers {
		p := sp.Placement
		rows = append(rows, []any{sp.Rank, p.SubjectName, sp.LinkName, p.RegionCode, tierLabel(lang, p.Tier),
			p.Revenue / 1e4, p.RDExpense / 1e4, p.Patents, i18n.T(lang, "chain.state."+p.State), p.Confidence})
	}
	return sheet.WriteXLSX(w, sheet.Sheet{
		Name:  i18n.T(lang, "chain.suppliers.sheet"),
		Title: i18n.T(lang, "chain.suppliers.xlsx_title", l.Chain.Name, l.Leader.Name),
		Header: []string{i18n.T(lang, "chain.col.rank"), i18n.T(lang, "chain.col.firm"), i18n.T(lang, "chain.col.link"),
			i18n.T(lang, "chain.col.region"), i18n.T(lang, "chain.col.tier"), i18n.T(lang, "chain.col.revenue"),
			i18n.T(lang, "chain.col.rd"), i18n.T(lang, "chain.col.patents"), i18n.T(lang, "chain.col.state"),
			i18n.T(lang, "chain.col.confidence")},
		Rows:      rows,
		ColWidths: []float64{6, 36, 18, 10, 16, 14, 14, 8, 10, 8},
	})
}

// WriteDocument writes a chain's 对接融合图谱 as an .xlsx workbook in lang:
// one row per link with its figures, strength and the facts behind it, and
// a second sheet of everything placed that the picture lists.
func WriteDocument(w io.Writer, lang string, pic ChainPicture) error {
	var links, placed [][]any
	segName := map[string]string{}
	for _, sg := range pic.Chain.Segments {
		segName[sg.ID] = sg.Name
	}
	for _, lp := range pic.Links {
		f := lp.Figures
		links = append(links, []any{segName[lp.Link.Segment], lp.Link.Name, i18n.T(lang, "chain.strength."+lp.Verdict.Strength),
			FactsText(lang, lp.Verdict.Facts), f.Firms, f.AboveScale, f.HighTech, f.Specialized, f.LittleGiant, f.Revenue / 1e4,
			f.RDExpense / 1e4, f.Patents, f.Achievements, f.Demands, f.Financing, f.Institutions, f.Experts, f.Projects, f.Funds,
			lastChanged(lp)})
		for _, p := range lp.Placed {
			placed = append(placed, []any{lp.Link.Name, i18n.T(lang, "chain.subject."+p.SubjectType), p.SubjectName, p.RegionCode,
				i18n.T(lang, "chain.state."+p.State)})
		}
	}
	h := func(k string) string { return i18n.T(lang, k) }
	return sheet.WriteXLSX(w, sheet.Sheet{
		Name: h("chain.doc.sheet_links"), Title: i18n.T(lang, "chain.doc.xlsx_title", pic.Chain.Name),
		Header: []string{h("chain.col.segment"), h("chain.col.link"), h("chain.col.strength"), h("chain.col.facts"),
			h("chain.fig.firms"), h("chain.tier.above-scale"), h("chain.tier.high-tech"), h("chain.tier.specialized-sme"),
			h("chain.tier.little-giant"), h("chain.col.revenue"), h("chain.col.rd"), h("chain.col.patents"),
			h("chain.fig.achievements"), h("chain.fig.demands"), h("chain.fig.financing"), h("chain.fig.institutions"),
			h("chain.fig.experts"), h("chain.fig.projects"), h("chain.fig.funds"), h("chain.col.last_changed")},
		Rows:      links,
		ColWidths: []float64{8, 18, 8, 50, 8, 8, 8, 8, 8, 12, 12, 8, 8, 8, 8, 8, 8, 8, 8, 18},
	}, sheet.Sheet{
		Name:      h("chain.doc.sheet_placed"),
		Header:    []string{h("chain.col.link"), h("chain.col.type"), h("chain.col.name"), h("chain.col.region"), h("chain.col.state")},
		Rows:      placed,
		ColWidths: []float64{18, 12, 40, 10, 10},
	})
}

func lastChanged(lp LinkPicture) string {
	if lp.LastChanged.IsZero() {
		return ""
	}
	return lp.LastChanged.Format("2006-01-02 15:04")
}

// FactsText renders the facts of a verdict in lang, e.g. "本地企业 2（<3）".
func FactsText(lang string, facts []Fact) string {
	var out string
	for i, f := range facts {
		if i > 0 {
			out += i18n.T(lang, "chain.facts.sep")
		}
		out += FactText(lang, f)
	}
	return out
}

// FactText renders one fact in lang.
func FactText(lang string, f Fact) string {
	op := i18n.T(lang, "chain.op."+f.Op)
	if !f.Held {
		op = i18n.T(lang, "chain.op.not_"+f.Op)
	}
	than := strconv.FormatFloat(f.Threshold, 'f', -1, 64)
	if f.Than != "" {
		than = i18n.T(lang, "chain.fact."+f.Than) + " " + than
	}
	return i18n.T(lang, "chain.fact_text", i18n.T(lang, "chain.fact."+f.Fact), strconv.FormatFloat(f.Value, 'f', -1, 64), op, than)
}
