package web

import (
	"bytes"
	"context"
	"net/http"

	"kechuang/internal/account"
	"kechuang/internal/market"
)

// marketImport is the technology market's listing import (/market/import):
// owners import their achievements and demands, as drafts or for review.
func (s *Server) marketImport() *importPage {
	p := &importPage{module: "market", title: "market.import", kind: market.ImportJobKind, authorize: market.AuthorizeImport,
		writeTemplate: s.Market.WriteImportTemplate, download: "科技成果及技术需求导入模板", report: "供需导入错误报告"}
	p.queue = func(ctx context.Context, a account.Actor, filename string, form func(string) string, file []byte) (int64, error) {
		opt := market.ImportOptions{Mode: form("mode"), Submit: form("submit") == "1"}
		return s.Market.QueueImport(ctx, a, filename, opt, file)
	}
	// The market's toolbar heads the page, as on its other pages.
	p.toolbar, p.nav = "market_toolbar", func(r *http.Request) any { return s.marketNav(r) }
	p.back, p.done, p.hint = "market.home", importLink{"/market/mine", "market.mine"}, "market.import_template_hint"
	p.fields = []importField{{Name: "submit", Label: "market.import_submit", Hint: "market.import_submit_hint"}}
	p.counts = []importCount{{"created", "market.import_created"}, {"updated", "market.import_updated"},
		{"unchanged", "market.import_unchanged"}, {"submitted", "market.import_submitted"}}
	return p
}

// handleMarketSearchExport sends every match of a search (the parameters
// of /market/search; up to market.MaxExportRows rows, not only one page)
// and the facet counts as .xlsx, for logged-in users (a 10,000-row file
// is too costly to offer to anonymous crawlers).
func (s *Server) handleMarketSearchExport(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if state(r).https {
		scheme = "https"
	}
	q, err := searchQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if _, _, err := s.Search.ExportSearch(r.Context(), q, scheme+"://"+r.Host, &buf); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, "科技大市场检索结果.xlsx", buf.Bytes())
}
