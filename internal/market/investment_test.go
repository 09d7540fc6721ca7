package market_test

import (
	"context"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/notice"
	"kechuang/internal/sqldb"
)

func TestInvestmentPipelineTransitions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		ent := f.actor("ent", account.RoleEnterprise, "320583")
		ks := f.actor("ks", account.RoleCounty, "320583")
		inv := f.actor("inv", account.RoleInvestor, "320505")
		l := f.publish(ent, ks, market.Financing, financing("高镍正极材料扩产融资"))

		// newAt returns a fresh interest (by a new investor) moved to stage.
		n := 0
		newAt := func(stage market.Stage) (market.Interest, account.Actor) {
			t.Helper()
			n++
			who := f.actor("inv"+string(rune('a'+n)), account.RoleInvestor, "320505")
			x, err := f.svc.ExpressInterest(ctx, who, l.ID, "我们关注新能源材料赛道，希望进一步了解。")
			if err != nil {
				t.Fatal(err)
			}
			path := map[market.Stage][]struct {
				by     account.Actor
				action string
			}{
				market.StageIntent:     nil,
				market.StageDiligence:  {{ent, "accept"}},
				market.StageDecision:   {{ent, "accept"}, {who, "decide"}},
				market.StageInvested:   {{ent, "accept"}, {who, "decide"}, {who, "invest"}},
				market.StageTerminated: {{who, "terminate"}},
			}[stage]
			for _, p := range path {
				if x, err = f.svc.StepInterest(ctx, p.by, x.ID, p.action, "理由"); err != nil {
					t.Fatalf("%s to %s: %v", p.action, stage, err)
				}
			}
			return x, who
		}
		const (
			investor = "investor"
			firm     = "firm"
			staff    = "staff"
		)
		tests := []struct {
			stage  market.Stage
			who    string
			action string
			want   apperr.Kind // "" allowed
			to     market.Stage
		}{
			{market.StageIntent, firm, "accept", "", market.StageDiligence},
			{market.StageIntent, firm, "decline", "", market.StageTerminated},
			{market.StageIntent, investor, "accept", apperr.Forbidden, ""},
			{market.StageIntent, investor, "decide", apperr.Conflict, ""},
			{market.StageIntent, investor, "terminate", "", market.StageTerminated},
			{market.StageIntent, firm, "terminate", apperr.Conflict, ""},
			{market.StageIntent, staff, "accept", apperr.Forbidden, ""},
			{market.StageDiligence, investor, "decide", "", market.StageDecision},
			{market.StageDiligence, firm, "decide", apperr.Forbidden, ""},
			{market.StageDiligence, firm, "accept", apperr.Conflict, ""},
			{market.StageDiligence, investor, "invest", apperr.Conflict, ""},
			{market.StageDiligence, firm, "terminate", "", market.StageTerminated},
			{market.StageDecision, investor, "invest", "", market.StageInvested},
			{market.StageDecision, firm, "invest", apperr.Forbidden, ""},
			{market.StageDecision, investor, "terminate", "", market.StageTerminated},
			{market.StageInvested, investor, "terminate", apperr.Conflict, ""},
			{market.StageInvested, firm, "terminate", apperr.Conflict, ""},
			{market.StageTerminated, investor, "decide", apperr.Conflict, ""},
			{market.StageTerminated, firm, "accept", apperr.Conflict, ""},
		}
		for _, tt := range tests {
			x, who := newAt(tt.stage)
			actor := map[string]account.Actor{investor: who, firm: ent, staff: ks}[tt.who]
			got, err := f.svc.StepInterest(ctx, actor, x.ID, tt.action, "估值分歧")
			if apperr.KindOf(err) != tt.want {
				t.Errorf("%s by %s at %s = %v, want %q", tt.action, tt.who, tt.stage, err, tt.want)
				continue
			}
			if tt.want == "" && got.Stage != tt.to {
				t.Errorf("%s by %s at %s: stage %s, want %s", tt.action, tt.who, tt.stage, got.Stage, tt.to)
			}
		}

		// A reason is required to decline or terminate.
		x, who := newAt(market.StageIntent)
		if _, err := f.svc.StepInterest(ctx, ent, x.ID, "decline", " "); fieldsOf(err)["reason"] != "error.required" {
			t.Errorf("decline without a reason = %v", err)
		}
		// One interest under way per investor and need; only investors.
		_, err := f.svc.ExpressInterest(ctx, who, l.ID, "再次表达")
		wantKind(t, "second interest", err, apperr.Conflict)
		_, err = f.svc.ExpressInterest(ctx, ent, l.ID, "企业不能投资自己")
		wantKind(t, "interest by an enterprise", err, apperr.Forbidden)
		_, err = f.svc.ExpressInterest(ctx, inv, l.ID, "")
		if fieldsOf(err)["note"] != "error.required" {
			t.Errorf("interest without a note = %v", err)
		}

		// History and notices: accepting writes an event and tells the investor.
		if _, err := f.svc.StepInterest(ctx, ent, x.ID, "accept", ""); err != nil {
			t.Fatal(err)
		}
		full, err := f.svc.GetInterest(ctx, who, x.ID)
		if err != nil || len(full.Events) != 2 || full.Events[1].Action != "accept" || full.Events[1].To != market.StageDiligence {
			t.Errorf("history = %+v, %v", full.Events, err)
		}
		box, err := f.notices.Inbox(ctx, who, "zh-CN", notice.Filter{})
		if err != nil || len(box.Items) == 0 || box.Items[0].Kind != "investment.accept" {
			t.Errorf("investor's notices = %+v, %v", box.Items, err)
		}
	})
}

func TestInvestmentVisibilityAndPortfolio(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		ent := f.actor("ent", account.RoleEnterprise, "320583")
		other := f.actor("other", account.RoleEnterprise, "320583")
		ks := f.actor("ks", account.RoleCounty, "320583")
		wz := f.actor("wz", account.RoleCounty, "320506")
		inv := f.actor("inv", account.RoleInvestor, "320505")
		inv2 := f.actor("inv2", account.RoleInvestor, "320505")
		l, err := f.svc.CreateListing(ctx, ent, market.Financing, financing("高镍正极材料扩产融资"))
		if err != nil {
			t.Fatal(err)
		}
		plan, err := f.svc.AddAttachment(ctx, ent, l.ID, "商业计划书.pdf", pdfBytes)
		if err != nil {
			t.Fatal(err)
		}
		// Not yet published: no interest.
		_, err = f.svc.ExpressInterest(ctx, inv, l.ID, "希望了解")
		wantKind(t, "interest in a draft", err, apperr.NotFound)
		l = func() market.Listing {
			if _, err := f.svc.Submit(ctx, ent, l.ID); err != nil {
				t.Fatal(err)
			}
			out, err := f.svc.Approve(ctx, ks, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}()
		// An achievement is no financing need.
		ach := f.publish(f.actor("inst", account.RoleInstitution, "320583"), ks, market.Achievement, achievement("精密零件表面缺陷在线检测系统"))
		_, err = f.svc.ExpressInterest(ctx, inv, ach.ID, "希望了解")
		wantKind(t, "interest in an achievement", err, apperr.NotFound)

		x, err := f.svc.ExpressInterest(ctx, inv, l.ID, "我们关注新能源材料赛道。")
		if err != nil {
			t.Fatal(err)
		}
		// Who sees the interest: the parties and staff in scope; others 404.
		for _, tt := range []struct {
			name string
			who  account.Actor
			sees bool
		}{{"investor", inv, true}, {"firm", ent, true}, {"county staff", ks, true}, {"other county", wz, false},
			{"other firm", other, false}, {"other investor", inv2, false}, {"anonymous", account.Anonymous, false}} {
			_, err := f.svc.GetInterest(ctx, tt.who, x.ID)
			if tt.sees != (err == nil) || (!tt.sees && !apperr.Is(err, apperr.NotFound)) {
				t.Errorf("%s reading the interest = %v", tt.name, err)
			}
			if !tt.sees {
				if _, err = f.svc.StepInterest(ctx, tt.who, x.ID, "accept", ""); !apperr.Is(err, apperr.NotFound) {
					t.Errorf("%s stepping the interest = %v, want NotFound", tt.name, err)
				}
			}
		}
		// Lists: the investor's own, the firm's incoming, staff's scope.
		for _, tt := range []struct {
			name string
			who  account.Actor
			f    market.InterestFilter
			want int
		}{{"investor", inv, market.InterestFilter{}, 1}, {"firm", ent, market.InterestFilter{}, 1},
			{"firm on listing", ent, market.InterestFilter{ListingID: l.ID}, 1}, {"county", ks, market.InterestFilter{}, 1},
			{"other county", wz, market.InterestFilter{}, 0}, {"other investor", inv2, market.InterestFilter{}, 0},
			{"other investor on listing", inv2, market.InterestFilter{ListingID: l.ID}, 0}, {"other firm", other, market.InterestFilter{}, 0}} {
			_, total, err := f.svc.FindInterests(ctx, tt.who, tt.f)
			if err != nil || total != tt.want {
				t.Errorf("%s: %d interests, %v; want %d", tt.name, total, err, tt.want)
			}
		}

		// The business plan: hidden until the firm accepts.
		if _, err := f.svc.GetAttachment(ctx, inv, plan.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("plan before acceptance = %v, want NotFound", err)
		}
		if _, err := f.svc.StepInterest(ctx, ent, x.ID, "accept", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.GetAttachment(ctx, inv, plan.ID); err != nil {
			t.Errorf("plan after acceptance = %v", err)
		}
		if _, err := f.svc.GetAttachment(ctx, inv2, plan.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("plan for another investor = %v, want NotFound", err)
		}

		// 已投 writes the portfolio row of the investor's fund.
		var fundID int64
		if err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			var err error
			fundID, err = tx.InsertID(ctx, `INSERT INTO funds (name, type, region_code, visibility, owner_id, created_at, updated_at)
				VALUES ('苏州示例创投基金（测试）', 'venture', '320505', 'public', ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`, inv.UserID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.StepInterest(ctx, inv, x.ID, "decide", ""); err != nil {
			t.Fatal(err)
		}
		done, err := f.svc.StepInterest(ctx, inv, x.ID, "invest", "")
		if err != nil || done.Stage != market.StageInvested || done.FundID != fundID {
			t.Fatalf("invest = %+v, %v", done, err)
		}
		var name, round string
		var amt float64
		if err := db.QueryRowContext(ctx, "SELECT name, round, amount FROM fund_investments WHERE fund_id = ?", fundID).Scan(&name, &round, &amt); err != nil {
			t.Fatal(err)
		}
		if name != "ent（测试）" || round != "a" || amt != 3000 {
			t.Errorf("portfolio row = %s %s %v", name, round, amt)
		}
		// The plan stays visible to the investor who invested.
		if _, err := f.svc.GetAttachment(ctx, inv, plan.ID); err != nil {
			t.Errorf("plan after investing = %v", err)
		}
	})
}
