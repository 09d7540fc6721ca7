package web

import (
	"io"
	"net/http"
	"strconv"

	"kechuang/internal/apperr"
	"kechuang/internal/market"
)

// handleMarketAttach uploads one attachment to a listing the owner edits.
func (s *Server) handleMarketAttach(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	back := "/market/listings/" + strconv.FormatInt(id, 10)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		s.attachError(w, r, id, apperr.Fields(apperr.Field("file", "import.no_file")))
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, market.MaxAttachmentBytes+1))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.Market.AddAttachment(r.Context(), st.actor, id, hdr.Filename, data); err != nil {
		if isFormError(err) {
			s.attachError(w, r, id, err)
			return
		}
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, back+"?done=attached#attachments", http.StatusSeeOther)
}

func (s *Server) attachError(w http.ResponseWriter, r *http.Request, id int64, err error) {
	l, gerr := s.Market.GetListing(r.Context(), state(r).actor, id)
	if gerr != nil {
		s.writeError(w, r, gerr)
		return
	}
	s.listingPage(w, r, http.StatusUnprocessableEntity, l, errorText(state(r).lang, err))
}

// handleMarketAttachment sends an attachment to whoever may read its
// listing, always as a download, with its sniffed type.
func (s *Server) handleMarketAttachment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	at, err := s.Market.GetAttachment(r.Context(), state(r).actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// Even a file that sniffs as HTML cannot run script: it is sandboxed.
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	sendFile(w, at.ContentType, at.Filename, at.Data)
}

// handleMarketDetach removes an attachment.
func (s *Server) handleMarketDetach(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	at, err := s.Market.GetAttachment(r.Context(), state(r).actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Market.DeleteAttachment(r.Context(), state(r).actor, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/market/listings/"+strconv.FormatInt(at.ListingID, 10)+"?done=detached#attachments", http.StatusSeeOther)
}
