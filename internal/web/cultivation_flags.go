package web

import (
	"net/http"
	"strconv"
	"strings"

	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
)

// flagView is one plausibility flag as the profile and the API show it:
// its label and explanation in the reader's language, never its code.
type flagView struct {
	Code        string                 `json:"code"`
	Label       string                 `json:"label"`
	Explanation string                 `json:"explanation"`
	Years       []int                  `json:"years"`
	Values      []float64              `json:"values"`
	Limit       float64                `json:"limit"`
	Check       *cultivation.FlagCheck `json:"check"`
	YearsField  string                 `json:"-"` // the years as the check form posts them
}

type flagList struct {
	Items   []flagView `json:"items"`
	Checked int        `json:"checked"`
}

func flagViews(lang string, flags []cultivation.Flag) flagList {
	out := flagList{Items: []flagView{}}
	for _, f := range flags {
		years := make([]string, len(f.Years))
		for i, y := range f.Years {
			years[i] = strconv.Itoa(y)
		}
		out.Items = append(out.Items, flagView{Code: f.Code, Label: i18n.T(lang, "plausibility.label."+f.Code),
			Explanation: i18n.T(lang, f.Explain, f.Args...), Years: f.Years, Values: f.Values, Limit: f.Limit, Check: f.Check,
			YearsField: strings.Join(years, ",")})
		if f.Check != nil {
			out.Checked++
		}
	}
	return out
}

// parseFlagYears reads "2023,2024" as the check form posts it.
func parseFlagYears(s string) ([]int, error) {
	var years []int
	for _, p := range strings.Split(s, ",") {
		y, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || y < 1900 || y > 9999 || len(years) >= 10 {
			return nil, apperr.Fields(apperr.Field("years", "error.whole_number"))
		}
		years = append(years, y)
	}
	return years, nil
}

// handleEnterpriseFlagCheck records a flag of the profile as checked.
func (s *Server) handleEnterpriseFlagCheck(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	years, err := parseFlagYears(r.PostFormValue("years"))
	if err == nil {
		_, err = s.Cultivation.CheckFlag(r.Context(), st.actor, id, r.PathValue("code"), years, r.PostFormValue("note"))
	}
	if isFormError(err) {
		s.enterprisePage(w, r, http.StatusUnprocessableEntity, id, yearForm{}, formErrors(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cultivation/enterprises/"+strconv.FormatInt(id, 10)+"?done=flag#plausibility", http.StatusSeeOther)
}

// handleAPIEnterpriseFlags returns the enterprise's plausibility flags.
func (s *Server) handleAPIEnterpriseFlags(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	flags, err := s.Cultivation.Flags(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, flagViews(state(r).lang, flags))
}

type flagCheckRequest struct {
	Years []int  `json:"years"`
	Note  string `json:"note"`
}

// handleAPIEnterpriseFlagCheck records a flag as checked and returns it.
func (s *Server) handleAPIEnterpriseFlagCheck(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var req flagCheckRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := s.Cultivation.CheckFlag(r.Context(), actor, id, r.PathValue("code"), req.Years, req.Note)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, flagViews(state(r).lang, []cultivation.Flag{f}).Items[0])
}
