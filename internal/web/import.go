package web

import (
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/importer"
	"kechuang/internal/job"
	"kechuang/internal/sheet"
)

// The import pages are one implementation for every module with an
// import (the upload form and template, the job page that polls its
// progress, the marked error report), parameterised by an importPage.
// Each module declares its importPage next to its other pages; its
// service decides who may import and queues the job.

// importPage is one module's import as its pages show it. Its URLs are
// /<module>/import, …/template.xlsx, …/{id} and …/{id}/errors.xlsx.
type importPage struct {
	module string // the URL prefix and the nav's active module
	// prefix, when set, is the URL prefix of the import's pages instead of
	// /<module>, for a module whose /<module>/{id}/… routes would conflict
	// with /<module>/import/{id}.
	prefix string
	// path, when set, is the import form's URL itself, its job pages below
	// it: for a module with several imports (the directory's record types).
	path  string
	title string // i18n key of the page title
	kind  string // the job kind of the module's import
	// authorize is the module's predicate: apperr.Forbidden unless the
	// actor may import.
	authorize func(a account.Actor) error
	// writeTemplate writes the module's .xlsx template for the actor.
	writeTemplate func(ctx context.Context, a account.Actor, w io.Writer) error
	// queue reads the module's options from the form and queues the
	// import through the module's service.
	queue func(ctx context.Context, a account.Actor, filename string, form func(string) string, file []byte) (int64, error)
	// toolbar, when set, names a partial drawn above the page with nav as
	// .Data.Nav; without one the page links back to /<module>.
	toolbar string
	nav     func(r *http.Request) any
	back    string // i18n key of the module's name, for the back link
	// done links to where the imported records are.
	done     importLink
	hint     string        // i18n key of the template's hint
	fields   []importField // the module's own options
	counts   []importCount // the module's counts in the result
	download string        // file name of the template, without .xlsx
	report   string        // file name prefix of the error report
}

// base is the URL of the import form; its job pages lie below it.
func (p *importPage) base() string {
	if p.path != "" {
		return p.path
	}
	if p.prefix != "" {
		return p.prefix + "/import"
	}
	return "/" + p.module + "/import"
}

// importLink is a link with an i18n label.
type importLink struct{ Href, Label string }

// importField is one of a module's import options on the form: a
// checkbox (value "1") or a select.
type importField struct {
	Name, Label, Hint string
	Choices           []importLink // a select's options: Href is the value
}

// importCount is one count of a module's result: its JSON field (the
// page shows it in the element result-<field>) and its label.
type importCount struct{ Field, Label string }

// importData is the data of the import page.
type importData struct {
	Base    string // /<module>/import
	Back    importLink
	Done    importLink
	Hint    string
	Fields  []importField
	Nav     any
	Toolbar template.HTML
	Jobs    []job.Job
	Job     *job.Job
	Result  *importer.Result
	Counts  []importCountValue
	Reason  string // why the job failed, in place of its error key
	More    int    // problems not listed on the page
	Error   string
}

type importCountValue struct {
	ID, Label string
	Value     int
}

// importRoutes registers the import pages of p under /<module>/import; a
// module's declaration calls it with its import page.
func (rt *router) importRoutes(p *importPage) {
	s, base := rt.s, p.base()
	rt.signedIn("GET "+base, func(w http.ResponseWriter, r *http.Request) { s.handleImportForm(w, r, p) })
	rt.signedIn("GET "+base+"/template.xlsx", func(w http.ResponseWriter, r *http.Request) { s.handleImportTemplate(w, r, p) })
	rt.signedIn("POST "+base, func(w http.ResponseWriter, r *http.Request) { s.handleImportUpload(w, r, p) }, bodyLimit(uploadBodyBytes))
	rt.signedIn("GET "+base+"/{id}", func(w http.ResponseWriter, r *http.Request) { s.handleImportJob(w, r, p) })
	rt.signedIn("GET "+base+"/{id}/errors.xlsx", func(w http.ResponseWriter, r *http.Request) { s.handleImportErrors(w, r, p) })
}

// importPageOf starts the page data of p for the request.
func (s *Server) importPageOf(r *http.Request, p *importPage) importData {
	d := importData{Base: p.base(), Back: importLink{"/" + p.module, p.back}, Done: p.done,
		Hint: p.hint, Fields: p.fields}
	if p.nav != nil {
		d.Nav = p.nav(r)
	}
	return d
}

// renderImport renders the import page, or only its status block for an
// htmx poll.
func (s *Server) renderImport(w http.ResponseWriter, r *http.Request, status int, p *importPage, d importData) {
	pg := s.newPage(r, p.title, p.module, d)
	if p.toolbar != "" {
		var buf bytes.Buffer
		if err := s.pages["import/import"].ExecuteTemplate(&buf, p.toolbar, pg); err != nil {
			s.writeError(w, r, err)
			return
		}
		d.Toolbar = template.HTML(buf.String()) // our own template's output
		pg.Data = d
	}
	if d.Job != nil && r.Header.Get("HX-Request") == "true" {
		s.renderBlock(w, r, "import/import", "import_status", pg)
		return
	}
	s.render(w, r, status, "import/import", pg)
}

// handleImportForm shows the upload form, the template link and the
// user's recent imports.
func (s *Server) handleImportForm(w http.ResponseWriter, r *http.Request, p *importPage) {
	s.importForm(w, r, p, http.StatusOK, "")
}

func (s *Server) importForm(w http.ResponseWriter, r *http.Request, p *importPage, status int, errText string) {
	st := state(r)
	if err := p.authorize(st.actor); err != nil {
		s.writeError(w, r, err)
		return
	}
	jobs, _, err := s.Jobs.FindJobs(r.Context(), st.actor.Audit(), p.kind, 1, 10)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d := s.importPageOf(r, p)
	d.Jobs, d.Error = jobs, errText
	s.renderImport(w, r, status, p, d)
}

// handleImportTemplate sends the module's .xlsx import template.
func (s *Server) handleImportTemplate(w http.ResponseWriter, r *http.Request, p *importPage) {
	var buf bytes.Buffer
	if err := p.writeTemplate(r.Context(), state(r).actor, &buf); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, p.download+".xlsx", buf.Bytes())
}

// handleImportUpload queues an uploaded file as an import job of the
// module and redirects to its progress page.
func (s *Server) handleImportUpload(w http.ResponseWriter, r *http.Request, p *importPage) {
	st := state(r)
	// Refused before the body is read; the service checks again.
	if err := p.authorize(st.actor); err != nil {
		s.writeError(w, r, err)
		return
	}
	name, body, status, err := readUpload(r)
	if isFormError(err) {
		s.importForm(w, r, p, status, errorText(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := p.queue(r.Context(), st.actor, name, r.PostFormValue, body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, p.base()+"/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// handleImportJob shows one import: progress while it runs (the status
// block reloads itself through htmx), then the result and the problems.
func (s *Server) handleImportJob(w http.ResponseWriter, r *http.Request, p *importPage) {
	j, res, counts, ok := s.importJob(w, r, p)
	if !ok {
		return
	}
	d := s.importPageOf(r, p)
	d.Job, d.Result = j, res
	if res != nil {
		for _, c := range p.counts {
			d.Counts = append(d.Counts, importCountValue{ID: "result-" + c.Field, Label: c.Label, Value: counts[c.Field]})
		}
		d.Reason = res.Failure
		if n := len(res.Problems); n > 100 || res.Report != nil && len(res.Report.More) > 0 {
			d.More = max(0, n-100)
			if res.Report != nil {
				for _, m := range res.Report.More {
					d.More += m.Count
				}
			}
		}
	}
	s.renderImport(w, r, http.StatusOK, p, d)
}

// handleImportErrors sends the marked error report of an import as .xlsx.
func (s *Server) handleImportErrors(w http.ResponseWriter, r *http.Request, p *importPage) {
	j, res, _, ok := s.importJob(w, r, p)
	if !ok {
		return
	}
	if res == nil {
		s.writeError(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	var buf bytes.Buffer
	if err := sheet.WriteMarkedReport(&buf, res.ErrorReport()); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, p.report+"-"+strconv.FormatInt(j.ID, 10)+".xlsx", buf.Bytes())
}

// importJob loads the import job {id} of p for the actor, with its result
// and the result's counts, answering the request itself when that fails.
// Another user's job, or another module's, is not found.
func (s *Server) importJob(w http.ResponseWriter, r *http.Request, p *importPage) (*job.Job, *importer.Result, map[string]int, bool) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return nil, nil, nil, false
	}
	j, err := s.Jobs.Get(r.Context(), state(r).actor.Audit(), id)
	if err == nil && j.Kind != p.kind {
		err = apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		s.writeError(w, r, err)
		return nil, nil, nil, false
	}
	if len(j.Result) == 0 {
		return &j, nil, nil, true
	}
	res := new(importer.Result)
	counts := map[string]int{}
	if err := json.Unmarshal(j.Result, res); err != nil {
		s.writeError(w, r, err)
		return nil, nil, nil, false
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(j.Result, &fields); err != nil {
		s.writeError(w, r, err)
		return nil, nil, nil, false
	}
	for _, c := range p.counts {
		var n int
		_ = json.Unmarshal(fields[c.Field], &n) // a count the result lacks is 0
		counts[c.Field] = n
	}
	return &j, res, counts, true
}

// readUpload reads the spreadsheet posted in the "file" field. A missing
// file, a type other than .xlsx or .csv, or one over maxUploadBytes is an
// apperr.Invalid with the status the page should answer; other errors are
// the server's.
func readUpload(r *http.Request) (name string, body []byte, status int, err error) {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return "", nil, http.StatusUnprocessableEntity, apperr.New(apperr.Invalid, "import.no_file")
	}
	defer file.Close()
	if ext := strings.ToLower(filepath.Ext(hdr.Filename)); ext != ".xlsx" && ext != ".csv" {
		return "", nil, http.StatusUnprocessableEntity, apperr.New(apperr.Invalid, "import.bad_type")
	}
	body, err = io.ReadAll(io.LimitReader(file, maxUploadBytes+1))
	if err != nil {
		return "", nil, http.StatusInternalServerError, err
	}
	if len(body) > maxUploadBytes {
		return "", nil, http.StatusRequestEntityTooLarge, apperr.New(apperr.Invalid, "import.too_large", maxUploadBytes>>20)
	}
	return filepath.Base(hdr.Filename), body, http.StatusOK, nil
}
