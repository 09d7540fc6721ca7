package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"

	"kechuang/internal/account"
	"kechuang/internal/directory"
)

// dirListTools are the import and export links of a directory list, each
// shown only when the service says the viewer may use it.
type dirListTools struct {
	Import     string // the import page, "" when the viewer may not import
	Export     string // the .xlsx of the list with its filters, contacts masked
	ExportFull string // the same with contacts whole (audited), staff only
	Deletions  string // experts' deletion requests, for staff
	Mine       string // the viewer's own expert record
}

// dirTools returns the tools of the list at path (/directory/experts …)
// for the request; importPath is "" for a list without an import.
func (s *Server) dirTools(r *http.Request, path, importPath string) dirListTools {
	a := state(r).actor
	var t dirListTools
	if importPath != "" && s.Directory.CanImport(a) {
		t.Import = importPath
	}
	if s.Directory.CanExport(a) {
		q := url.Values{}
		for k, vs := range r.URL.Query() {
			if k != "page" && k != "per_page" && k != "contacts" {
				q[k] = vs
			}
		}
		t.Export = path + "/export.xlsx"
		if enc := q.Encode(); enc != "" {
			t.Export += "?" + enc
		}
		if s.Directory.CanExportContacts(a) {
			q.Set("contacts", "full")
			t.ExportFull = path + "/export.xlsx?" + q.Encode()
		}
	}
	return t
}

// dirExport answers an export of a directory list: it reads the list's
// filters as the list page does, ?contacts=full for phones and e-mail
// whole (the service refuses those not entitled and audits the others),
// and sends the .xlsx.
func dirExport[F any](s *Server, filename string, filter func(*http.Request) (F, error),
	export func(ctx context.Context, a account.Actor, f F, opt directory.ExportOptions, w io.Writer) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := newQuery(r)
		full := q.Enum("contacts", "masked", "full") == "full"
		if err := q.Err(); err != nil {
			s.writeError(w, r, err)
			return
		}
		f, err := filter(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		var buf bytes.Buffer
		if err := export(r.Context(), state(r).actor, f, directory.ExportOptions{FullContacts: full}, &buf); err != nil {
			s.writeError(w, r, err)
			return
		}
		sendXLSX(w, filename, buf.Bytes())
	}
}

// directoryExportRoutes registers the exports of the directory's lists.
func (s *Server) directoryExportRoutes(rt *router) {
	d := s.Directory
	rt.signedIn("GET /directory/institutions/export.xlsx", dirExport(s, "创新机构.xlsx", s.institutionFilter, d.ExportInstitutions))
	rt.signedIn("GET /directory/experts/export.xlsx", dirExport(s, "专家.xlsx", s.expertFilter, d.ExportExperts))
	rt.signedIn("GET /directory/service-orgs/export.xlsx", dirExport(s, "科技服务机构.xlsx", s.serviceOrgFilter, d.ExportServiceOrgs))
	rt.signedIn("GET /directory/carriers/export.xlsx", dirExport(s, "孵化载体.xlsx", s.carrierFilter, d.ExportCarriers))
	rt.signedIn("GET /directory/funds/export.xlsx", dirExport(s, "基金.xlsx", s.fundFilter, d.ExportFunds))
}
