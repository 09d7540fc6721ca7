package web

import (
	"net/http"

	"kechuang/internal/i18n"
)

// handleLang switches the interface language and goes back to the page the
// user came from.
func (s *Server) handleLang(w http.ResponseWriter, r *http.Request) {
	lang := i18n.Normalize(r.PathValue("lang"))
	setCookie(w, r, langCookie, lang, 365*24*3600)
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}
