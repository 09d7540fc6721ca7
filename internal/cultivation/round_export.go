package cultivation

import (
	"context"
	"io"

	"kechuang/internal/account"
	"kechuang/internal/sheet"
)

// appStateText is how the province's forms name the application states.
var appStateText = map[AppState]string{
	AppSubmitted: "待县区审查", AppReturned: "县区退回", AppRecommended: "县区已推荐", AppSentBack: "市级退回县区",
	AppAccepted: "市级审核通过", AppRejected: "不予通过", AppRegistered: "已入库",
}

var verdictText = map[Verdict]string{VerdictYes: "符合", VerdictPossible: "可能符合", VerdictNo: "不符合", VerdictUnknown: "数据不足"}

// ExportApplications writes a round's applications in the actor's view
// (one state, or all when state is "") as .xlsx in the layout the
// province's forms use: a title row, the 填报单位 (the actor's region) and
// the 填报日期, then one row per firm, numbered.
func (s *Service) ExportApplications(ctx context.Context, a account.Actor, roundID int64, state AppState, w io.Writer) error {
	r, err := s.GetRound(ctx, a, roundID)
	if err != nil {
		return err
	}
	var rows [][]any
	names := s.regionNames()
	for page := 1; ; page++ {
		list, total, err := s.FindApplications(ctx, a, roundID, ApplicationFilter{State: state, Page: page, PerPage: 200})
		if err != nil {
			return err
		}
		for _, app := range list {
			rows = append(rows, []any{len(rows) + 1, app.EnterpriseName, app.CreditCode, names.name(ctx, app.RegionCode), app.Domain,
				verdictText[app.Verdict], appStateText[app.State], app.RegistryNumber, app.Reason})
		}
		if page*200 >= total {
			break
		}
	}
	unit := "—"
	if scope := a.Scope(); scope != "" {
		unit = names.name(ctx, scope)
	}
	title := r.Title + " 申报名单"
	if state != "" {
		title = r.Title + " " + appStateText[state] + "名单"
	}
	if r.Levels == LevelsCountyCityProvince && (state == AppAccepted || state == AppRegistered) {
		title += "（报省）"
	}
	return sheet.WriteXLSX(w, sheet.Sheet{Name: "申报名单", Title: title,
		Preface: [][]any{{"填报单位：" + unit, "", "", "", "填报日期：" + s.today().String()}},
		Header:  []string{"序号", "企业名称", "统一社会信用代码", "所属区县", "技术领域", "自评结论", "状态", "入库登记编号", "退回或不予通过理由"},
		Rows:    rows, ColWidths: []float64{6, 34, 22, 12, 18, 10, 14, 20, 40}})
}
