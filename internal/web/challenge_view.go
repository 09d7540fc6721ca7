package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"kechuang/internal/apperr"
	"kechuang/internal/challenge"
	"kechuang/internal/market"
	"kechuang/internal/project"
)

type challengeData struct {
	Challenge    challenge.Challenge
	Applications []challenge.Application
	Review       *challenge.Review
	Objections   []challenge.Objection
	Units        []project.Unit
	CanApply     bool
	CanEdit      bool
	CanManage    bool
	CanReview    bool // the viewer sits on the panel or runs the challenge
	Applied      int64
	Error        string
	Done         string
}

// handleChallenge shows a challenge: its terms and review scheme, the
// stage timeline, and what the viewer may do — apply, run the stages,
// screen the applications, draw the panel, answer objections.
func (s *Server) handleChallenge(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	done := q.Enum("done", "applied", "step", "panel", "checked", "answered", "signed")
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.challengePage(w, r, http.StatusOK, "", done)
}

func (s *Server) challengePage(w http.ResponseWriter, r *http.Request, status int, msg, done string) {
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
	data := challengeData{Challenge: c, Error: msg, Done: done, CanEdit: challenge.CanEdit(st.actor, c),
		CanManage: s.Challenges.CanManage(st.actor, c)}
	if st.actor.LoggedIn() {
		if data.Applications, err = s.Challenges.FindApplications(ctx, st.actor, id); err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, app := range data.Applications {
			if app.Mine {
				data.Applied = app.ID
			}
		}
		data.CanApply = challenge.CanApply(st.actor) && data.Applied == 0 && c.AcceptsApplications(s.Challenges.Today()) &&
			!data.CanEdit && !data.CanManage
		if data.CanReview = s.Challenges.CanSeeReview(ctx, st.actor, c); data.CanReview && data.CanManage {
			rv, err := s.Challenges.GetReview(ctx, st.actor, id)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			data.Review = &rv
		}
	}
	if data.CanManage && (c.Stage == challenge.Notice || c.Stage == challenge.Signed) {
		if data.Objections, err = s.Challenges.FindObjections(ctx, st.actor, id); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	for _, act := range c.Actions {
		if act == challenge.ActSign {
			if data.Units, _, err = s.Projects.FindUnits(ctx, st.actor, project.UnitFilter{ForRegion: c.RegionCode, ActiveOnly: true,
				PerPage: 200}); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
	}
	s.render(w, r, status, "challenge/view", s.newPage(r, "challenge.title", "challenges", data))
}

// handleChallengeStep takes a stage action from the challenge's page.
func (s *Server) handleChallengeStep(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in := challenge.StepInput{Note: r.PostFormValue("note")}
	if in.ApplicationID, err = formID(r, "application_id"); err == nil {
		in.UnitID, err = formID(r, "unit_id")
	}
	if err == nil {
		_, err = s.Challenges.Step(r.Context(), st.actor, id, strings.TrimSpace(r.PostFormValue("action")), in)
	}
	if s.challengeFormFailed(w, r, err) {
		return
	}
	http.Redirect(w, r, "/challenges/"+strconv.FormatInt(id, 10)+"?done=step", http.StatusSeeOther)
}

// challengeFormFailed shows the challenge's page again with err when err
// is one a form shows (bad fields, a conflict, a refusal), or the error
// page for any other; it reports whether err was not nil.
func (s *Server) challengeFormFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	if err == nil {
		return false
	}
	if k := apperr.KindOf(err); isFormError(err) || k == apperr.Conflict || k == apperr.Forbidden {
		s.challengePage(w, r, formStatus(err), errorText(state(r).lang, err), "")
		return true
	}
	s.writeError(w, r, err)
	return true
}

type challengeApplyData struct {
	Challenge  challenge.Challenge
	Form       challenge.ApplicationInput
	Team       string
	Milestones string
	Errors     map[string]string
}

// handleChallengeApplyForm shows the application form with the terms the
// applicant accepts.
func (s *Server) handleChallengeApplyForm(w http.ResponseWriter, r *http.Request) {
	s.challengeApplyPage(w, r, http.StatusOK, challenge.ApplicationInput{}, "", "", nil)
}

func (s *Server) challengeApplyPage(w http.ResponseWriter, r *http.Request, status int, in challenge.ApplicationInput, team, ms string,
	errs map[string]string) {
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
	if !challenge.CanApply(st.actor) {
		s.writeError(w, r, apperr.New(apperr.Forbidden, "challenge.only_applicants"))
		return
	}
	if in.OrgName == "" {
		if u, err := s.Accounts.GetUser(r.Context(), st.actor, st.actor.UserID); err == nil {
			in.OrgName = u.Organization
		}
	}
	data := challengeApplyData{Challenge: c, Form: in, Team: team, Milestones: ms, Errors: errs}
	s.render(w, r, status, "challenge/apply", s.newPage(r, "challenge.apply", "challenges", data))
}

// handleChallengeApply submits an application from the form.
func (s *Server) handleChallengeApply(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := formValues(r)
	errs := map[string]string{}
	team, ms := r.PostFormValue("team"), r.PostFormValue("milestones")
	in := challenge.ApplicationInput{OrgName: v.Get("org_name"), Team: challenge.ParseTeam(team), Proposal: r.PostFormValue("proposal"),
		AcceptedTerms: v.Get("accepted_terms") == "true"}
	in.Budget = formFloat(v, "budget", st.lang, errs)
	if in.Milestones, err = challenge.ParseMilestones("milestones", ms); err != nil {
		for k, m := range formErrors(st.lang, err) {
			errs[k] = m
		}
	}
	if len(errs) > 0 {
		s.challengeApplyPage(w, r, http.StatusUnprocessableEntity, in, team, ms, errs)
		return
	}
	app, err := s.Challenges.CreateApplication(r.Context(), st.actor, id, in)
	if isFormError(err) {
		s.challengeApplyPage(w, r, formStatus(err), in, team, ms, formErrors(st.lang, err))
		return
	}
	if s.challengeFormFailed(w, r, err) {
		return
	}
	http.Redirect(w, r, "/challenges/"+strconv.FormatInt(id, 10)+"/applications/"+strconv.FormatInt(app.ID, 10), http.StatusSeeOther)
}

type challengeApplicationData struct {
	Challenge   challenge.Challenge
	Application challenge.Application
	CanAttach   bool
	CanCheck    bool
	CanSign     bool
	CanScore    bool
	Error       string
}

// handleChallengeApplication shows an application to its applicant, the
// staff in scope and the panel's reviewers; anyone else gets 404.
func (s *Server) handleChallengeApplication(w http.ResponseWriter, r *http.Request) {
	s.challengeApplicationPage(w, r, http.StatusOK, "")
}

func (s *Server) challengeApplicationPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	st := state(r)
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	appID, err := pathInt64(r, "app")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.Challenges.GetChallenge(ctx, st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	app, err := s.Challenges.GetApplication(ctx, st.actor, id, appID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	today := s.Challenges.Today()
	data := challengeApplicationData{Challenge: c, Application: app, Error: msg,
		CanAttach: app.Mine && c.AcceptsApplications(today) && len(app.Attachments) < challenge.MaxAttachments,
		CanCheck:  s.Challenges.CanManage(st.actor, c) && c.Stage == challenge.Screening,
		CanSign:   s.Challenges.CanSign(st.actor, c, app, today)}
	s.render(w, r, status, "challenge/application", s.newPage(r, "challenge.application", "challenges", data))
}

func (s *Server) applicationFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	if err == nil {
		return false
	}
	if k := apperr.KindOf(err); isFormError(err) || k == apperr.Conflict || k == apperr.Forbidden {
		s.challengeApplicationPage(w, r, formStatus(err), errorText(state(r).lang, err))
		return true
	}
	s.writeError(w, r, err)
	return true
}

func applicationLink(id, appID int64) string {
	return "/challenges/" + strconv.FormatInt(id, 10) + "/applications/" + strconv.FormatInt(appID, 10)
}

// handleChallengeAttach uploads one attachment to the applicant's own
// application, bounded as market attachments are.
func (s *Server) handleChallengeAttach(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	appID, err := pathInt64(r, "app")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		s.applicationFailed(w, r, apperr.Fields(apperr.Field("file", "import.no_file")))
		return
	}
	defer file.Close()
	body, err := io.ReadAll(io.LimitReader(file, market.MaxAttachmentBytes+1))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.Challenges.AddAttachment(r.Context(), st.actor, id, appID, hdr.Filename, body); s.applicationFailed(w, r, err) {
		return
	}
	http.Redirect(w, r, applicationLink(id, appID)+"#attachments", http.StatusSeeOther)
}

// handleChallengeAttachment sends an attachment to whoever may read its
// application, always as a download.
func (s *Server) handleChallengeAttachment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	at, err := s.Challenges.GetAttachment(r.Context(), state(r).actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	sendFile(w, at.ContentType, at.Filename, at.Data)
}

// handleChallengeCheck records the 形式审查 of an application.
func (s *Server) handleChallengeCheck(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	appID, err := pathInt64(r, "app")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, err = s.Challenges.CheckApplication(r.Context(), st.actor, id, appID, r.PostFormValue("result") == "pass", r.PostFormValue("note"))
	if s.applicationFailed(w, r, err) {
		return
	}
	http.Redirect(w, r, "/challenges/"+strconv.FormatInt(id, 10)+"?done=checked#applications", http.StatusSeeOther)
}

// handleChallengeTeamSign is the selected team's signature.
func (s *Server) handleChallengeTeamSign(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	appID, err := pathInt64(r, "app")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.Challenges.SignApplication(r.Context(), st.actor, id, appID); s.applicationFailed(w, r, err) {
		return
	}
	http.Redirect(w, r, applicationLink(id, appID), http.StatusSeeOther)
}
