package web

import (
	"net/http"
	"time"

	"kechuang/internal/audit"
)

type auditData struct {
	Entries []audit.Entry
	Filter  audit.Filter
	From    string
	To      string
	Pager   pager
}

func auditFilter(r *http.Request) (audit.Filter, string, string) {
	q := r.URL.Query()
	f := audit.Filter{Actor: q.Get("actor"), Action: q.Get("action"), ObjectType: q.Get("object_type"),
		ObjectID: q.Get("object_id"), Page: queryInt(r, "page", 1), PerPage: queryInt(r, "per_page", 50)}
	from, to := q.Get("from"), q.Get("to")
	if t, err := time.ParseInLocation("2006-01-02", from, chinaTime); err == nil {
		f.From = t
	}
	if t, err := time.ParseInLocation("2006-01-02", to, chinaTime); err == nil {
		f.To = t.AddDate(0, 0, 1) // the "to" day is included
	}
	return f, from, to
}

// handleAuditLog shows the audit log to the auditor, with filters and paging.
func (s *Server) handleAuditLog(w http.ResponseWriter, r *http.Request) {
	f, from, to := auditFilter(r)
	entries, total, err := s.Audit.FindEntries(r.Context(), state(r).actor.Audit(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	data := auditData{Entries: entries, Filter: f, From: from, To: to, Pager: newPager(r, f.Page, f.PerPage, total)}
	s.render(w, r, http.StatusOK, "audit/log", s.newPage(r, "audit.title", "audit", data))
}
