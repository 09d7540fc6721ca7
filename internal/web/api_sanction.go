package web

import (
	"net/http"
	"strconv"

	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
)

type spotCheckRequest struct {
	Title         string   `json:"title"`
	RuleSet       string   `json:"rule_set"`
	SharePercent  *float64 `json:"share_percent"`
	Seed          *int64   `json:"seed"`
	FlagWeight    int      `json:"flag_weight"`
	EnterpriseIDs []int64  `json:"enterprise_ids"`
	RoundID       int64    `json:"round_id"`
}

func (req spotCheckRequest) input() (cultivation.SpotCheckInput, error) {
	in := cultivation.SpotCheckInput{Title: req.Title, RuleSet: req.RuleSet, Seed: req.Seed, FlagWeight: req.FlagWeight,
		EnterpriseIDs: req.EnterpriseIDs, RoundID: req.RoundID}
	if req.SharePercent == nil {
		return in, apperr.Fields(apperr.Field("share_percent", "error.required"))
	}
	bp, err := cultivation.SharePercentBP(*req.SharePercent)
	in.ShareBP = bp
	return in, err
}

// handleAPISpotChecks lists the spot checks the caller sees.
func (s *Server) handleAPISpotChecks(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	page, per := q.Page(25, 200)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Cultivation.FindSpotChecks(r.Context(), actor, page, per)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse[cultivation.SpotCheck]{Total: total, Page: page, PerPage: per, Items: nonNil(list)})
}

// handleAPISpotCheckCreate draws a spot check.
func (s *Server) handleAPISpotCheckCreate(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var req spotCheckRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := req.input()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.Cultivation.CreateSpotCheck(r.Context(), actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

// handleAPISpotCheck returns a spot check with the drawn firms the caller sees.
func (s *Server) handleAPISpotCheck(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	c, err := s.Cultivation.GetSpotCheck(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// enterpriseIDParam reads the {enterpriseId} of a path.
func enterpriseIDParam(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("enterpriseId"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "error.not_found")
	}
	return id, nil
}

// handleAPISpotCheckFindings records the findings on one drawn firm.
func (s *Server) handleAPISpotCheckFindings(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	eid, err := enterpriseIDParam(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in cultivation.FindingsInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := s.Cultivation.RecordFindings(r.Context(), actor, id, eid, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

// handleAPIBlacklist lists the blacklist: the listings in force, for
// anyone; ?all=true adds the removed and ended ones for those who manage it.
func (s *Server) handleAPIBlacklist(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	f := cultivation.BlacklistFilter{All: q.Bool("all")}
	f.Page, f.PerPage = q.Page(25, 200)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	actor := state(r).actor
	if f.All {
		var ok bool
		if actor, ok = s.apiActor(w, r); !ok {
			return
		}
	}
	list, total, err := s.Cultivation.FindBlacklist(r.Context(), actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse[cultivation.BlacklistEntry]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// handleAPIBlacklistAdd lists a firm on the blacklist.
func (s *Server) handleAPIBlacklistAdd(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var in cultivation.BlacklistInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.Cultivation.AddToBlacklist(r.Context(), actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, b)
}

type removalRequest struct {
	Reason string `json:"reason"`
}

// handleAPIBlacklistRemove ends a listing early, with a reason.
func (s *Server) handleAPIBlacklistRemove(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var req removalRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.Cultivation.RemoveFromBlacklist(r.Context(), actor, id, req.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}
