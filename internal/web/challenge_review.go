package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"

	"kechuang/internal/apperr"
	"kechuang/internal/challenge"
)

type challengeReviewData struct {
	Challenge    challenge.Challenge
	Review       challenge.Review
	Applications []challenge.Application
	// Scored maps an application to the viewer's own total.
	Scored map[int64]float64
	Error  string
}

// handleChallengeReview is a reviewer's page: the declaration, then the
// scorecards of the applications the reviewer may score (without the
// applicants' names in a blind review); staff see the panel with its
// conflict flags and the ranking.
func (s *Server) handleChallengeReview(w http.ResponseWriter, r *http.Request) {
	s.challengeReviewPage(w, r, http.StatusOK, "")
}

func (s *Server) challengeReviewPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	st := state(r)
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.Challenges.GetChallenge(ctx, st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rv, err := s.Challenges.GetReview(ctx, st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	apps, err := s.Challenges.FindApplications(ctx, st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := challengeReviewData{Challenge: c, Review: rv, Scored: map[int64]float64{}, Error: msg}
	for _, app := range apps {
		if app.State == challenge.AppPassed || app.State == challenge.AppSelected {
			data.Applications = append(data.Applications, app)
		}
	}
	if rv.Me != nil {
		for _, sc := range rv.Scores {
			if sc.ReviewerID == rv.Me.ID {
				data.Scored[sc.ApplicationID] = sc.Total
			}
		}
	}
	s.render(w, r, status, "challenge/review", s.newPage(r, "challenge.review", "challenges", data))
}

func (s *Server) reviewFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	if err == nil {
		return false
	}
	if k := apperr.KindOf(err); isFormError(err) || k == apperr.Conflict || k == apperr.Forbidden {
		s.challengeReviewPage(w, r, formStatus(err), errorText(state(r).lang, err))
		return true
	}
	s.writeError(w, r, err)
	return true
}

// handleChallengePanel draws the review panel from the challenge's page.
func (s *Server) handleChallengePanel(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	size, perr := strconv.Atoi(r.PostFormValue("size"))
	if perr != nil {
		size = 0
	}
	if _, err := s.Challenges.DrawPanel(r.Context(), st.actor, id, size); s.challengeFormFailed(w, r, err) {
		return
	}
	http.Redirect(w, r, "/challenges/"+strconv.FormatInt(id, 10)+"?done=panel#panel", http.StatusSeeOther)
}

// handleChallengeDeclare records the reviewer's declaration.
func (s *Server) handleChallengeDeclare(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, err = s.Challenges.Declare(r.Context(), st.actor, id, r.PostFormValue("conflict") == "true", r.PostFormValue("declaration"))
	if s.reviewFailed(w, r, err) {
		return
	}
	http.Redirect(w, r, "/challenges/"+strconv.FormatInt(id, 10)+"/review", http.StatusSeeOther)
}

// handleChallengeScore submits a scorecard from the review page: one
// field score_<n> per criterion.
func (s *Server) handleChallengeScore(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.Challenges.GetChallenge(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in := challenge.ScoreInput{Comment: r.PostFormValue("comment")}
	in.ApplicationID, err = formID(r, "application_id")
	for i := range c.Criteria {
		f, ferr := formNumber(r.PostFormValue("score_" + strconv.Itoa(i)))
		if ferr != nil || f == nil {
			err = apperr.Fields(apperr.Field("scores", "challenge.score_range"))
			break
		}
		in.Scores = append(in.Scores, *f)
	}
	if err == nil {
		_, err = s.Challenges.SubmitScore(r.Context(), st.actor, id, in)
	}
	if s.reviewFailed(w, r, err) {
		return
	}
	http.Redirect(w, r, "/challenges/"+strconv.FormatInt(id, 10)+"/review", http.StatusSeeOther)
}

type challengeNoticeData struct {
	Notice challenge.PublicNotice
	Form   map[string]string
	Errors map[string]string
	Error  string
	Sent   bool
}

// handleChallengeNotice is the public 公示 page with its objection form.
func (s *Server) handleChallengeNotice(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	sent := q.Bool("sent")
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.challengeNoticePage(w, r, http.StatusOK, nil, nil, sent)
}

func (s *Server) challengeNoticePage(w http.ResponseWriter, r *http.Request, status int, form map[string]string, err error, sent bool) {
	st := state(r)
	id, perr := pathID(r)
	if perr != nil {
		s.writeError(w, r, perr)
		return
	}
	n, gerr := s.Challenges.GetNotice(r.Context(), st.actor, id)
	if gerr != nil {
		s.writeError(w, r, gerr)
		return
	}
	data := challengeNoticeData{Notice: n, Form: form, Sent: sent}
	if err != nil {
		data.Errors = formErrors(st.lang, err)
		if len(data.Errors) == 0 {
			data.Error = errorText(st.lang, err)
		}
	}
	s.render(w, r, status, "challenge/notice", s.newPage(r, "challenge.notice", "challenges", data))
}

// challengeObjectionClient hashes the sender's address for the objection
// throttle, so that no address is stored.
func challengeObjectionClient(r *http.Request) string {
	sum := sha256.Sum256([]byte("challenge-objection:" + clientAddr(r)))
	return hex.EncodeToString(sum[:16])
}

// handleChallengeObject takes an objection from the public 公示 page.
func (s *Server) handleChallengeObject(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	form := map[string]string{"name": r.PostFormValue("name"), "contact": r.PostFormValue("contact"), "reason": r.PostFormValue("reason")}
	err = s.Challenges.SubmitObjection(r.Context(), id, challenge.ObjectionInput{Name: form["name"], Contact: form["contact"],
		Reason: form["reason"]}, challengeObjectionClient(r))
	if k := apperr.KindOf(err); err != nil && (isFormError(err) || k == apperr.Conflict || k == apperr.TooMany) {
		status := formStatus(err)
		if k == apperr.TooMany {
			status = http.StatusTooManyRequests
			setRetryAfter(w, err)
		}
		s.challengeNoticePage(w, r, status, form, err, false)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/challenges/"+strconv.FormatInt(id, 10)+"/notice?sent=true", http.StatusSeeOther)
}

// handleChallengeAnswer answers an objection from the challenge's page.
func (s *Server) handleChallengeAnswer(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	oid, err := pathInt64(r, "objection")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	err = s.Challenges.AnswerObjection(r.Context(), st.actor, id, oid, r.PostFormValue("answer"), r.PostFormValue("upheld") == "true")
	if s.challengeFormFailed(w, r, err) {
		return
	}
	http.Redirect(w, r, "/challenges/"+strconv.FormatInt(id, 10)+"?done=answered#objections", http.StatusSeeOther)
}
