package web

import (
	"context"
	"net/http"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
)

// handleAPIRounds lists the rounds the actor may see.
func (s *Server) handleAPIRounds(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	f := cultivation.RoundFilter{Year: q.Int("year", 0, 0, 2100), State: cultivation.RoundState(q.Enum("state", "open", "notice", "closed"))}
	f.Page, f.PerPage = q.Page(25, 200)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Cultivation.FindRounds(r.Context(), actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse[cultivation.Round]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// handleAPIRoundCreate opens a round (bureau staff).
func (s *Server) handleAPIRoundCreate(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var in cultivation.RoundInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	round, err := s.Cultivation.CreateRound(r.Context(), actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, round)
}

// handleAPIRound returns one round.
func (s *Server) handleAPIRound(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	round, err := s.Cultivation.GetRound(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, round)
}

// handleAPIRoundApplications lists a round's applications in the actor's
// view.
func (s *Server) handleAPIRoundApplications(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	f := cultivation.ApplicationFilter{State: cultivation.AppState(q.Enum("state", appStateNames()...)), Region: q.RegionCode("region")}
	f.Page, f.PerPage = q.Page(25, 200)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Cultivation.FindApplications(r.Context(), actor, id, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	writeJSON(w, http.StatusOK, listResponse[cultivation.Application]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// handleAPIRoundApply files an application.
func (s *Server) handleAPIRoundApply(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var in cultivation.ApplicationInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	app, err := s.Cultivation.CreateApplication(r.Context(), actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, app)
}

// handleAPIRoundStep starts a round's notice or closes it (bureau staff).
func (s *Server) handleAPIRoundStep(step func(ctx context.Context, a account.Actor, id int64) (cultivation.Round, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, id, ok := s.apiActorID(w, r)
		if !ok {
			return
		}
		round, err := step(r.Context(), actor, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, round)
	}
}

// handleAPIApplicationStep takes one step of an application.
func (s *Server) handleAPIApplicationStep(step string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, id, ok := s.apiActorID(w, r)
		if !ok {
			return
		}
		aid, err := appID(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		var in cultivation.StepInput
		if err := decodeJSON(w, r, &in); err != nil {
			s.writeError(w, r, err)
			return
		}
		app, err := s.Cultivation.StepApplication(r.Context(), actor, id, aid, step, in)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, app)
	}
}

// handleAPIRoundNotice is a round's public notice, for anyone.
func (s *Server) handleAPIRoundNotice(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.Cultivation.PublicNotice(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, n)
}

// handleAPIObjections lists the objections in the staff member's view.
func (s *Server) handleAPIObjections(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	f := cultivation.ObjectionFilter{RoundID: q.ID("round"), Open: q.Bool("open")}
	f.Page, f.PerPage = q.Page(25, 200)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Cultivation.FindObjections(r.Context(), actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse[cultivation.Objection]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// handleAPIObjectionCreate takes an objection to a round in 公示, from
// anyone; the sender's address is throttled.
func (s *Server) handleAPIObjectionCreate(w http.ResponseWriter, r *http.Request) {
	var in cultivation.ObjectionInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := s.Cultivation.SubmitObjection(r.Context(), in, objectionClient(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, o)
}

type objectionAnswer struct {
	Answer string `json:"answer"`
	Upheld bool   `json:"upheld"`
}

// handleAPIObjectionAnswer answers an objection (bureau staff of the
// round).
func (s *Server) handleAPIObjectionAnswer(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var in objectionAnswer
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := s.Cultivation.AnswerObjection(r.Context(), actor, id, in.Answer, in.Upheld)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}
