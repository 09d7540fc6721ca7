package web

import (
	"bytes"
	"net/http"
	"strconv"

	"kechuang/internal/apperr"
	"kechuang/internal/job"
	"kechuang/internal/market"
	"kechuang/internal/sheet"
)

type marketImportData struct {
	Nav    marketNav
	Jobs   []job.Job
	Job    *job.Job
	Result *market.ImportResult
	Error  string
}

// handleMarketImportForm shows the upload form, the template link and the
// user's recent listing imports.
func (s *Server) handleMarketImportForm(w http.ResponseWriter, r *http.Request) {
	s.marketImportPage(w, r, http.StatusOK, "")
}

func (s *Server) marketImportPage(w http.ResponseWriter, r *http.Request, status int, errText string) {
	st := state(r)
	if !market.CanOwn(st.actor, market.Achievement) {
		s.writeError(w, r, apperr.New(apperr.Forbidden, "market.only_owners"))
		return
	}
	jobs, _, err := s.Jobs.FindJobs(r.Context(), st.actor.Audit(), market.ImportJobKind, 1, 10)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, status, "market/import", s.newPage(r, "market.import", "market",
		marketImportData{Nav: s.marketNav(r), Jobs: jobs, Error: errText}))
}

// handleMarketImportTemplate sends the .xlsx import template, with the
// counties the user may list in.
func (s *Server) handleMarketImportTemplate(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := s.Market.WriteImportTemplate(r.Context(), state(r).actor, &buf); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, "科技成果及技术需求导入模板.xlsx", buf.Bytes())
}

// handleMarketImport queues an uploaded file as an import job and shows
// its progress page.
func (s *Server) handleMarketImport(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	// Only owners import their own listings; the service checks again.
	if !market.CanOwn(st.actor, market.Achievement) {
		s.writeError(w, r, apperr.New(apperr.Forbidden, "market.only_owners"))
		return
	}
	name, body, status, err := readUpload(r)
	if isFormError(err) {
		s.marketImportPage(w, r, status, errorText(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	opt := market.ImportOptions{Mode: r.PostFormValue("mode"), Submit: r.PostFormValue("submit") == "1"}
	id, err := s.Jobs.EnqueueNow(r.Context(), st.actor.Audit(), market.ImportJobKind, st.actor.Region,
		market.EncodeImportPayload(name, opt, body))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/market/import/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// handleMarketImportJob shows one import: progress while it runs (the
// status block reloads itself through htmx), then the result and the
// problems.
func (s *Server) handleMarketImportJob(w http.ResponseWriter, r *http.Request) {
	j, res, ok := importJob[market.ImportResult](s, w, r, market.ImportJobKind)
	if !ok {
		return
	}
	p := s.newPage(r, "market.import", "market", marketImportData{Nav: s.marketNav(r), Job: j, Result: res})
	if r.Header.Get("HX-Request") == "true" {
		s.renderBlock(w, r, "market/import", "market_import_status", p)
		return
	}
	s.render(w, r, http.StatusOK, "market/import", p)
}

// handleMarketImportErrors sends the problems of an import as .xlsx (行号,
// 列, 原因).
func (s *Server) handleMarketImportErrors(w http.ResponseWriter, r *http.Request) {
	sendImportErrors(s, w, r, market.ImportJobKind, "供需导入错误报告", func(res *market.ImportResult) []sheet.Problem { return res.Problems })
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
	var buf bytes.Buffer
	if _, _, err := s.Search.ExportSearch(r.Context(), searchQuery(r), scheme+"://"+r.Host, &buf); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, "科技大市场检索结果.xlsx", buf.Bytes())
}
