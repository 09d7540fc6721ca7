package web

import (
	"net/http"

	"rsc.io/qr"

	"kechuang/internal/account"
)

type mfaData struct {
	State account.MFAState
	// Enrolment is the pending enrolment's secret, shown beside the QR
	// code for typing.
	Enrolment account.Enrolment
	// RecoveryCodes are shown once, right after the enrolment is confirmed.
	RecoveryCodes []string
	Error         string
}

func (s *Server) mfaPage(w http.ResponseWriter, r *http.Request, status int, data mfaData) {
	st := state(r)
	var err error
	if data.State, err = s.Accounts.MFAStatus(r.Context(), st.actor); err != nil {
		s.writeError(w, r, err)
		return
	}
	if data.State.Pending {
		if data.Enrolment, err = s.Accounts.PendingMFA(r.Context(), st.actor); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.render(w, r, status, "account/mfa", s.newPage(r, "mfa.title", "account", data))
}

// handleAccountMFA shows the user's second factor: how to set one up, the
// QR code of an enrolment begun, or that one is set up.
func (s *Server) handleAccountMFA(w http.ResponseWriter, r *http.Request) {
	s.mfaPage(w, r, http.StatusOK, mfaData{})
}

// handleAccountMFABegin starts an enrolment (a new secret) and shows its
// QR code.
func (s *Server) handleAccountMFABegin(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Accounts.BeginMFA(r.Context(), state(r).actor); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
}

// handleAccountMFAQR draws the pending enrolment's otpauth URI as a QR code
// (PNG), here on the server: the secret never goes to another service.
func (s *Server) handleAccountMFAQR(w http.ResponseWriter, r *http.Request) {
	enr, err := s.Accounts.PendingMFA(r.Context(), state(r).actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	code, err := qr.Encode(enr.URI, qr.M)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	code.Scale = 5
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(code.PNG())
}

// handleAccountMFAConfirm completes the enrolment with a first code and
// shows the recovery codes once.
func (s *Server) handleAccountMFAConfirm(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	codes, err := s.Accounts.ConfirmMFA(r.Context(), st.actor, r.PostFormValue("code"))
	if isFormError(err) {
		s.mfaPage(w, r, http.StatusUnprocessableEntity, mfaData{Error: errorText(st.lang, err)})
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// The enrolment is done: the rest of this request is no longer held to
	// the enrolment page.
	st.actor.MustEnrolMFA = false
	s.mfaPage(w, r, http.StatusOK, mfaData{RecoveryCodes: codes})
}

type mfaConfirmRequest struct {
	Code string `json:"code"`
}

type recoveryCodesResponse struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

// handleAPIMyMFA says whether the caller has a second factor.
func (s *Server) handleAPIMyMFA(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	st, err := s.Accounts.MFAStatus(r.Context(), actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// handleAPIMyMFABegin starts an enrolment and returns the secret and the
// otpauth URI for an authenticator.
func (s *Server) handleAPIMyMFABegin(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	enr, err := s.Accounts.BeginMFA(r.Context(), actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, enr)
}

// handleAPIMyMFAConfirm completes the enrolment and returns the recovery
// codes, once.
func (s *Server) handleAPIMyMFAConfirm(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var req mfaConfirmRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	codes, err := s.Accounts.ConfirmMFA(r.Context(), actor, req.Code)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, recoveryCodesResponse{RecoveryCodes: codes})
}

// handleAPIUserMFAReset removes a user's second factor (security
// administrator).
func (s *Server) handleAPIUserMFAReset(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	if err := s.Accounts.ResetMFA(r.Context(), actor, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
