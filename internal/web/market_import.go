package web

import (
	"context"
	"net/http"

	"kechuang/internal/account"
	"kechuang/internal/market"
)

// marketImport is the technology market's listing import (/market/import):
// owners import their achievements and demands, as drafts or for review.
func (s *Server) marketImport() *importPage {
	return &importPage{
		module:        "market",
		title:         "market.import",
		kind:          market.ImportJobKind,
		authorize:     market.AuthorizeImport,
		writeTemplate: s.Market.WriteImportTemplate,
		queue: func(ctx context.Context, a account.Actor, filename string, form func(string) string, file []byte) (int64, error) {
			opt := market.ImportOptions{Mode: form("mode"), Submit: form("submit") == "1"}
			return s.Market.QueueImport(ctx, a, filename, opt, file)
		},
		toolbar: "market_toolbar",
		nav:     func(r *http.Request) any { return s.marketNav(r) },
		back:    "market.home",
		done:    importLink{"/market/mine", "market.mine"},
		hint:    "market.import_template_hint",
		fields:  []importField{{Name: "submit", Label: "market.import_submit", Hint: "market.import_submit_hint"}},
		counts: []importCount{{"created", "market.import_created"}, {"updated", "market.import_updated"},
			{"unchanged", "market.import_unchanged"}, {"submitted", "market.import_submitted"}},
		download: "科技成果及技术需求导入模板",
		report:   "供需导入错误报告",
	}
}
