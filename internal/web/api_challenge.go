package web

import (
	"net/http"

	"kechuang/internal/challenge"
)

// challengeJSON fills the arrays the document promises, never null.
func challengeJSON(c *challenge.Challenge) {
	c.Indicators, c.Criteria, c.Actions, c.Steps = nonNil(c.Indicators), nonNil(c.Criteria), nonNil(c.Actions), nonNil(c.Steps)
}

// handleAPIChallenges lists the challenges the actor sees (the published
// ones to everyone), with the list page's filters.
func (s *Server) handleAPIChallenges(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	stages := make([]string, len(challenge.Stages))
	for i, x := range challenge.Stages {
		stages[i] = string(x)
	}
	f := challenge.Filter{Query: q.Text("q"), Kind: challenge.Kind(q.Enum("kind", "gov", "enterprise")),
		Stage: challenge.Stage(q.Enum("stage", stages...)), Mine: q.Bool("mine")}
	f.Page, f.PerPage = q.Page(20, 100)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Challenges.FindChallenges(r.Context(), state(r).actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for i := range list {
		challengeJSON(&list[i])
	}
	writeJSON(w, http.StatusOK, listResponse[challenge.Challenge]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// handleAPIChallengeCreate drafts a challenge (staff a 政府榜, an
// enterprise a 企业榜).
func (s *Server) handleAPIChallengeCreate(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var in challenge.Input
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.Challenges.CreateChallenge(r.Context(), actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	challengeJSON(&c)
	writeJSON(w, http.StatusCreated, c)
}

// handleAPIChallenge returns one challenge with its stage history.
func (s *Server) handleAPIChallenge(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.Challenges.GetChallenge(r.Context(), state(r).actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	challengeJSON(&c)
	writeJSON(w, http.StatusOK, c)
}

// challengeStepBody is the body of a stage action.
type challengeStepBody struct {
	Action string `json:"action"`
	challenge.StepInput
}

// handleAPIChallengeStep takes a stage action.
func (s *Server) handleAPIChallengeStep(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var in challengeStepBody
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.Challenges.Step(r.Context(), actor, id, in.Action, in.StepInput)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	challengeJSON(&c)
	writeJSON(w, http.StatusOK, c)
}

// applicationJSON fills the arrays the document promises, never null.
func applicationJSON(a *challenge.Application) {
	a.Team, a.Milestones, a.Attachments = nonNil(a.Team), nonNil(a.Milestones), nonNil(a.Attachments)
}

// handleAPIChallengeApplications lists the applications of a challenge
// the actor may see: an applicant its own, staff in scope all, reviewers
// those they score.
func (s *Server) handleAPIChallengeApplications(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	list, err := s.Challenges.FindApplications(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for i := range list {
		applicationJSON(&list[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(list)})
}

// handleAPIChallengeApply applies to a published challenge.
func (s *Server) handleAPIChallengeApply(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var in challenge.ApplicationInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	app, err := s.Challenges.CreateApplication(r.Context(), actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	applicationJSON(&app)
	writeJSON(w, http.StatusCreated, app)
}

// handleAPIChallengeReviews returns the review as the actor may see it:
// staff the panel with its conflict flags, the scorecards and the
// ranking; a reviewer its own seat and scorecards.
func (s *Server) handleAPIChallengeReviews(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	rv, err := s.Challenges.GetReview(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rv)
}

// handleAPIChallengeScore submits the reviewer's scorecard of one
// application.
func (s *Server) handleAPIChallengeScore(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var in challenge.ScoreInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	sc, err := s.Challenges.SubmitScore(r.Context(), actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, sc)
}
