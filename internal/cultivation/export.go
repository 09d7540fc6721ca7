package cultivation

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/region"
	"kechuang/internal/sheet"
)

// ExportAssessmentReport writes the assessment report of the enterprises in
// regionCode (the actor's whole region when empty) as .xlsx: one row per
// firm with its confirmed and proposed tier and, per rule set, the stored
// verdict and gaps. Firms never assessed say so. Text cells are escaped
// against formula injection by the sheet writer.
func (s *Service) ExportAssessmentReport(ctx context.Context, a account.Actor, regionCode string, w io.Writer) error {
	if !s.CanExportReport(a) {
		return apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	scope := region.Prefix(a.Scope())
	if regionCode != "" {
		if !a.InScope(regionCode) {
			return apperr.New(apperr.NotFound, "region.not_found", regionCode)
		}
		scope = region.Prefix(regionCode)
	}
	ruleIDs := s.rules.IDs()
	header := []string{"统一社会信用代码", "企业名称", "所属区县", "行业代码", "当前梯队", "测评建议梯队（待确认）", "下一梯队"}
	for _, id := range ruleIDs {
		name := id
		if list := s.rules.byID[id]; len(list) > 0 {
			name = list[len(list)-1].Name
		}
		header = append(header, name+" 结论", name+" 差距")
	}
	verdictText := map[Verdict]string{VerdictYes: "符合", VerdictPossible: "可能符合", VerdictNo: "不符合", VerdictUnknown: "数据不足"}
	names := map[string]string{}
	rows, err := s.db.QueryContext(ctx, `SELECT e.id, e.credit_code, e.name, e.region_code, e.industry, e.tier, e.proposed_tier,
		e.proposed_next, e.certificates, e.listed, COALESCE(a.rule_set, ''), COALESCE(a.verdict, ''), COALESCE(a.result, '')
		FROM enterprises e LEFT JOIN assessments a ON a.enterprise_id = e.id
		WHERE e.region_code LIKE ? ORDER BY e.region_code, e.name, e.id, a.rule_set`, scope+"%")
	if err != nil {
		return err
	}
	defer rows.Close()
	var out [][]any
	var cur []any
	var curID int64 = -1
	col := map[string]int{}
	for i, id := range ruleIDs {
		col[id] = 7 + 2*i
	}
	for rows.Next() {
		var id int64
		var code, name, regionCode, industry, certs, ruleSet, verdict, result string
		var e Enterprise
		if err := rows.Scan(&id, &code, &name, &regionCode, &industry, &e.Tier, &e.ProposedTier, &e.ProposedNext, &certs, &e.Listed,
			&ruleSet, &verdict, &result); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(certs), &e.Certificates); err != nil {
			return fmt.Errorf("enterprise %d certificates: %w", id, err)
		}
		if id != curID {
			if cur != nil {
				out = append(out, cur)
			}
			curID = id
			county, ok := names[regionCode]
			if !ok {
				if r, err := region.NewService(s.db).Get(ctx, regionCode); err == nil {
					county = r.Name
				}
				names[regionCode] = county
			}
			cur = make([]any, len(header))
			today := s.now()
			copy(cur, []any{code, name, county, industry, cmp.Or(e.Standing(today).Tier, "未入库"), e.PendingProposal(today), e.ProposedNext})
			for i := 7; i < len(header); i += 2 {
				cur[i] = "未测评"
			}
		}
		if i, ok := col[ruleSet]; ok {
			cur[i] = verdictText[Verdict(verdict)]
			var r struct {
				Gaps []string `json:"gaps"`
			}
			if err := json.Unmarshal([]byte(result), &r); err == nil {
				cur[i+1] = strings.Join(r.Gaps, "；")
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if cur != nil {
		out = append(out, cur)
	}
	widths := []float64{22, 34, 12, 10, 16, 16, 18}
	for range ruleIDs {
		widths = append(widths, 12, 40)
	}
	return sheet.WriteXLSX(w, sheet.Sheet{Name: "测评报告", Header: header, Rows: out, ColWidths: widths})
}
