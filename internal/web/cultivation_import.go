package web

import (
	"bytes"
	"net/http"
	"strconv"

	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/job"
	"kechuang/internal/sheet"
)

type importPageData struct {
	Jobs   []job.Job
	Job    *job.Job
	Result *cultivation.ImportResult
	Error  string
}

// handleCultivationImportForm shows the upload form, the template link and
// the user's recent imports.
func (s *Server) handleCultivationImportForm(w http.ResponseWriter, r *http.Request) {
	s.importPage(w, r, http.StatusOK, "")
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request, status int, errText string) {
	st := state(r)
	jobs, _, err := s.Jobs.FindJobs(r.Context(), st.actor.Audit(), cultivation.ImportJobKind, 1, 10)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, status, "cultivation/import", s.newPage(r, "cultivation.import", "cultivation", importPageData{Jobs: jobs, Error: errText}))
}

// handleCultivationImportTemplate sends the .xlsx import template.
func (s *Server) handleCultivationImportTemplate(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := cultivation.WriteImportTemplate(&buf); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, "企业及年度指标导入模板.xlsx", buf.Bytes())
}

// handleCultivationImport queues an uploaded file as an import job and
// shows its progress page.
func (s *Server) handleCultivationImport(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	name, body, status, err := readUpload(r)
	if isFormError(err) {
		s.importPage(w, r, status, errorText(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	opt := cultivation.ImportOptions{Mode: r.PostFormValue("mode"), YuanAmounts: r.PostFormValue("unit") == "yuan"}
	if !s.Cultivation.CanImport(st.actor) {
		s.writeError(w, r, apperr.New(apperr.Forbidden, "cultivation.only_staff"))
		return
	}
	id, err := s.Jobs.EnqueueNow(r.Context(), st.actor.Audit(), cultivation.ImportJobKind, st.actor.Region,
		cultivation.EncodeImportPayload(name, opt, body))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cultivation/import/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// handleCultivationImportJob shows one import: progress while it runs (the
// status block reloads itself), then the result and the problems.
func (s *Server) handleCultivationImportJob(w http.ResponseWriter, r *http.Request) {
	j, res, ok := importJob[cultivation.ImportResult](s, w, r, cultivation.ImportJobKind)
	if !ok {
		return
	}
	data := importPageData{Job: j, Result: res}
	p := s.newPage(r, "cultivation.import", "cultivation", data)
	if r.Header.Get("HX-Request") == "true" {
		s.renderBlock(w, r, "cultivation/import", "import_status", p)
		return
	}
	s.render(w, r, http.StatusOK, "cultivation/import", p)
}

// handleCultivationImportErrors sends the problems of an import as .xlsx.
func (s *Server) handleCultivationImportErrors(w http.ResponseWriter, r *http.Request) {
	sendImportErrors(s, w, r, cultivation.ImportJobKind, "导入错误报告", func(res *cultivation.ImportResult) []sheet.Problem { return res.Problems })
}

// handleCultivationExport sends the assessment report of ?region= (default:
// the user's whole region) as .xlsx.
func (s *Server) handleCultivationExport(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	err := s.Cultivation.ExportAssessmentReport(r.Context(), state(r).actor, r.URL.Query().Get("region"), &buf)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, "企业测评报告.xlsx", buf.Bytes())
}
