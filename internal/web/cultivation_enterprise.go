package web

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
	"kechuang/internal/region"
)

type enterpriseFormData struct {
	Form     cultivation.Enterprise
	Action   string // where the form posts
	Founded  string
	Tags     string
	Certs    map[string]string // certificate type → issue date
	Counties []region.Region
	Errors   map[string]string
}

// certificateTypes are the titles the enterprise form records with their
// issue dates; they drive the tier proposal and the county targets.
var certificateTypes = []string{"tech-sme", "high-tech", "innovative-sme", "specialized-sme", "little-giant"}

// handleEnterpriseNew shows the form to add an enterprise.
func (s *Server) handleEnterpriseNew(w http.ResponseWriter, r *http.Request) {
	data := enterpriseFormData{Action: "/cultivation/enterprises", Certs: map[string]string{}, Counties: s.countyChoices(r)}
	s.render(w, r, http.StatusOK, "cultivation/enterprise_new", s.newPage(r, "cultivation.new_enterprise", "cultivation", data))
}

// handleEnterpriseEdit shows the profile form filled with the enterprise.
func (s *Server) handleEnterpriseEdit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := s.Cultivation.GetEnterprise(r.Context(), state(r).actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := enterpriseFormData{Form: e, Action: "/cultivation/enterprises/" + strconv.FormatInt(id, 10),
		Tags: strings.Join(e.Tags, "、"), Certs: map[string]string{}, Counties: s.countyChoices(r)}
	if !e.Founded.IsZero() {
		data.Founded = e.Founded.Format("2006-01-02")
	}
	for _, c := range e.Certificates {
		data.Certs[c.Type] = c.Issued.Format("2006-01-02")
	}
	p := s.newPage(r, "cultivation.edit_enterprise", "cultivation", data)
	s.render(w, r, http.StatusOK, "cultivation/enterprise_new", p)
}

// enterpriseFromForm reads the profile form; date fields that do not parse
// are reported in errs.
func enterpriseFromForm(r *http.Request, lang string, old cultivation.Enterprise) (cultivation.Enterprise, enterpriseFormData) {
	e := old
	e.CreditCode, e.Name, e.RegionCode = r.PostFormValue("credit_code"), r.PostFormValue("name"), r.PostFormValue("region_code")
	e.Address, e.Industry, e.Domain = r.PostFormValue("address"), r.PostFormValue("industry"), r.PostFormValue("domain")
	e.Listed, e.Board = r.PostFormValue("listed") == "on", r.PostFormValue("board")
	e.ContactName, e.ContactPhone, e.ContactEmail = r.PostFormValue("contact_name"), r.PostFormValue("contact_phone"), r.PostFormValue("contact_email")
	e.Tags = splitList(r.PostFormValue("tags"))
	if e.Tags == nil {
		e.Tags = []string{}
	}
	data := enterpriseFormData{Founded: strings.TrimSpace(r.PostFormValue("founded")), Tags: r.PostFormValue("tags"),
		Certs: map[string]string{}, Errors: map[string]string{}}
	e.Founded = cultivation.Date{}
	if data.Founded != "" {
		t, err := time.Parse("2006-01-02", data.Founded)
		if err != nil {
			data.Errors["founded"] = i18n.T(lang, "error.date_format")
		}
		e.Founded = cultivation.Date{Time: t}
	}
	// The form edits the five titles; other certificate types are kept.
	var certs []cultivation.Certificate
	for _, c := range old.Certificates {
		if !slices.Contains(certificateTypes, c.Type) {
			certs = append(certs, c)
		}
	}
	for _, typ := range certificateTypes {
		v := strings.TrimSpace(r.PostFormValue("cert_" + typ))
		data.Certs[typ] = v
		if v == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			data.Errors["cert_"+typ] = i18n.T(lang, "error.date_format")
			continue
		}
		c := cultivation.Certificate{Type: typ, Issued: cultivation.Date{Time: t}}
		// A registry number an application round issued stays with its
		// certificate while the date is unchanged.
		for _, o := range old.Certificates {
			if o.Type == typ && o.Issued.Equal(t) {
				c.Number = o.Number
			}
		}
		certs = append(certs, c)
	}
	if certs == nil {
		certs = []cultivation.Certificate{}
	}
	e.Certificates = certs
	return e, data
}

// handleEnterpriseCreate adds an enterprise from the form.
func (s *Server) handleEnterpriseCreate(w http.ResponseWriter, r *http.Request) {
	s.saveEnterprise(w, r, 0)
}

// handleEnterpriseUpdate saves the profile form of an enterprise.
func (s *Server) handleEnterpriseUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.saveEnterprise(w, r, id)
}

func (s *Server) saveEnterprise(w http.ResponseWriter, r *http.Request, id int64) {
	st := state(r)
	var old cultivation.Enterprise
	title, action := "cultivation.new_enterprise", "/cultivation/enterprises"
	if id != 0 {
		var err error
		if old, err = s.Cultivation.GetEnterprise(r.Context(), st.actor, id); err != nil {
			s.writeError(w, r, err)
			return
		}
		title, action = "cultivation.edit_enterprise", "/cultivation/enterprises/"+strconv.FormatInt(id, 10)
	}
	e, data := enterpriseFromForm(r, st.lang, old)
	var out cultivation.Enterprise
	var err error
	if len(data.Errors) == 0 {
		if id == 0 {
			out, err = s.Cultivation.CreateEnterprise(r.Context(), st.actor, e)
		} else {
			out, err = s.Cultivation.UpdateEnterprise(r.Context(), st.actor, id, e)
		}
		if isFormError(err) {
			data.Errors = formErrors(st.lang, err)
		} else if err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if len(data.Errors) > 0 {
		data.Form, data.Action, data.Counties = e, action, s.countyChoices(r)
		s.render(w, r, http.StatusUnprocessableEntity, "cultivation/enterprise_new", s.newPage(r, title, "cultivation", data))
		return
	}
	done := "created"
	if id != 0 {
		done = "updated"
	}
	http.Redirect(w, r, "/cultivation/enterprises/"+strconv.FormatInt(out.ID, 10)+"?done="+done, http.StatusSeeOther)
}

type enterpriseData struct {
	E          cultivation.Enterprise
	YearNums   []int
	Years      []cultivation.YearRecord
	Assessment cultivation.EnterpriseAssessment
	History    []cultivation.PoolEntry
	Chart      string
	CanManage  bool
	CanFill    bool
	Tiers      []string
	YearForm   yearForm
	Errors     map[string]string
	Done       string
	AsOf       string
	Standing   cultivation.Standing
	Certs      []certView
	// Flags are the plausibility flags (nil when the reader may not see
	// them); CanCheck offers the "checked" form.
	Flags    *flagList
	CanCheck bool
	// Policies is the 惠企政策 panel: what the firm meets or may meet.
	Policies enterprisePolicies
	// Sanctions are the firm's revocations and blacklist entries.
	Sanctions cultivation.EnterpriseSanctions
	Today     time.Time
}

// certView is one certificate as the profile shows it: its title, its
// validity in words, and whether it has lapsed.
type certView struct {
	Label, Validity                 string
	Valid, Expired, NotYet, Revoked bool
}

// certViews words the validity of each certificate of st in lang: a 科小
// registration by its year, a title with a term by its last valid day.
func certViews(lang string, st cultivation.Standing, asOf time.Time) []certView {
	out := make([]certView, 0, len(st.Certificates))
	for _, c := range st.Certificates {
		v := certView{Label: i18n.T(lang, "cert."+c.Type), Valid: c.Valid, Expired: c.Expired(asOf), NotYet: c.Issued.After(asOf)}
		issued := c.Issued.Format("2006-01-02")
		switch {
		case !c.Revoked.IsZero():
			v.Revoked, v.Expired = true, false
			v.Validity = i18n.T(lang, "cultivation.cert_revoked_on", issued, c.Revoked.Format("2006-01-02"))
		case c.CalendarYear:
			v.Validity = i18n.T(lang, "cultivation.cert_valid_year", issued, strconv.Itoa(c.Issued.Year()))
		case !c.Until.IsZero():
			v.Validity = i18n.T(lang, "cultivation.cert_valid_until", issued, c.Until.Format("2006-01-02"))
		default:
			v.Validity = i18n.T(lang, "cultivation.cert_issued", issued)
		}
		if c.Number != "" {
			v.Validity += i18n.T(lang, "round.cert_number", c.Number)
		}
		out = append(out, v)
	}
	return out
}

// fieldLabelIn names an input path of the assessment in lang: in Chinese
// FieldLabel's words; in English the catalog's field names where the
// catalogs have them ("2025 R&D expense"), else the engine's English name.
func fieldLabelIn(lang, path string) string {
	if lang == i18n.English {
		parts := strings.Split(path, ".")
		if len(parts) == 3 && parts[0] == "years" && i18n.Has("field."+parts[2]) {
			return parts[1] + " " + i18n.T(lang, "field."+parts[2])
		}
		if len(parts) == 1 && i18n.Has("field."+path) {
			return i18n.T(lang, "field."+path)
		}
	}
	return cultivation.FieldLabelIn(lang, path)
}

// conditionStatus words a condition's status (pass, fail, missing,
// to_confirm, review) in lang.
func conditionStatus(lang string, st cultivation.Status) string {
	return i18n.T(lang, "cultivation.condition_status."+st.String())
}

// amountIn shows an amount in 元 for a table whose Chinese header says
// 万元: the bare 万元 figure in Chinese, formatMoney's "¥6.15M" in English.
func amountIn(lang string, v *float64) string {
	if v == nil {
		return "—"
	}
	if lang == i18n.English {
		return formatMoney(lang, *v)
	}
	return yuanToWan(v)
}

// standingBasis words where a standing comes from.
func standingBasis(lang string, st cultivation.Standing) string {
	switch {
	case st.Basis == "confirmed":
		return i18n.T(lang, "cultivation.basis_confirmed")
	case st.Basis == "listed":
		return i18n.T(lang, "cultivation.basis_listed")
	case strings.HasPrefix(st.Basis, "certificate:"):
		return i18n.T(lang, "cultivation.basis_certificate", i18n.T(lang, "cert."+strings.TrimPrefix(st.Basis, "certificate:")))
	}
	return ""
}

// yearForm is the year indicators form; amounts are entered in 万元 and
// stored in 元, and the form says so next to every amount.
type yearForm struct {
	Year   string
	Values map[string]string
}

// yearAmountFields are the amount fields of the year form, in 万元.
var yearAmountFields = []string{"revenue", "main_revenue", "hightech_revenue", "cost_total", "rd_expense", "rd_expense_domestic",
	"total_assets", "net_assets", "liabilities", "net_profit"}

// yearCountFields are the headcount and IP fields of the year form.
var yearCountFields = []string{"employees", "tech_staff", "rd_staff", "insured", "ip_class1", "ip_class2"}

// enterprisePage renders a firm's profile; edits, if given, adjust its
// data last (a form that came back puts its values and errors in place).
func (s *Server) enterprisePage(w http.ResponseWriter, r *http.Request, status int, id int64, form yearForm, errs map[string]string,
	edits ...func(*enterpriseData)) {
	st := state(r)
	ctx := r.Context()
	e, err := s.Cultivation.GetEnterprise(ctx, st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	years, err := s.Cultivation.Years(ctx, st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	asOf := s.Now()
	assessment, err := s.Cultivation.PreviewAssessment(ctx, st.actor, id, asOf)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	history, err := s.Cultivation.PoolHistory(ctx, st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if form.Values == nil {
		q := newQuery(r)
		year := q.Int("year", asOf.Year()-1, 1990, asOf.Year())
		if err := q.Err(); err != nil {
			s.writeError(w, r, err)
			return
		}
		form = prefilledYearForm(years, year)
	}
	var yearNums []int
	for _, y := range years {
		yearNums = append(yearNums, y.Year)
	}
	data := enterpriseData{E: e, YearNums: yearNums, Years: years, Assessment: assessment, History: history, Chart: indicatorChart(st.lang, years),
		CanManage: s.Cultivation.CanManageEnterprise(st.actor, e), CanFill: s.Cultivation.CanFillYears(st.actor, e), Tiers: cultivation.Tiers,
		YearForm: form, Errors: errs, Done: r.URL.Query().Get("done"), AsOf: asOf.Format("2006-01-02")}
	data.Standing = e.Standing(asOf)
	data.Certs = certViews(st.lang, data.Standing, asOf)
	if s.Cultivation.CanViewFlags(st.actor, e) {
		flags, err := s.Cultivation.Flags(ctx, st.actor, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		fl := flagViews(st.lang, flags)
		data.Flags, data.CanCheck = &fl, s.Cultivation.CanCheckFlags(st.actor, e)
	}
	if data.Sanctions, err = s.Cultivation.Sanctions(ctx, st.actor, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	data.Today = asOf
	if data.Policies, err = s.enterprisePolicyPanel(r, e); err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, edit := range edits {
		edit(&data)
	}
	p := s.newPage(r, "cultivation.enterprise", "cultivation", data)
	p.Title = e.Name
	s.render(w, r, status, "cultivation/enterprise", p)
}

// handleEnterprise shows an enterprise's profile: indicators over the years,
// one card per rule set with its breakdown and gaps, and the pool history.
func (s *Server) handleEnterprise(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.enterprisePage(w, r, http.StatusOK, id, yearForm{}, nil)
}

// handleEnterpriseYear saves one year of indicators from the form.
func (s *Server) handleEnterpriseYear(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	form := yearForm{Year: strings.TrimSpace(r.PostFormValue("year")), Values: map[string]string{}}
	errs := map[string]string{}
	num := func(key string, scale float64) *float64 {
		form.Values[key] = strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(key), ",", ""))
		f, err := formNumber(form.Values[key])
		if err != nil {
			errs[key] = i18n.T(st.lang, "error.number")
		}
		if f == nil {
			return nil
		}
		*f *= scale
		return f
	}
	count := func(key string) *int {
		p := num(key, 1)
		if p == nil {
			return nil
		}
		n := int(*p)
		if float64(n) != *p {
			errs[key] = i18n.T(st.lang, "error.whole_number")
		}
		return &n
	}
	year, err := strconv.Atoi(form.Year)
	if err != nil {
		errs["year"] = i18n.T(st.lang, "cultivation.year_range", s.Now().Year())
	}
	const wan = 10000 // the form takes amounts in 万元
	y := cultivation.YearRecord{Year: year, Figures: cultivation.YearFigures{
		Revenue: num("revenue", wan), MainRevenue: num("main_revenue", wan), HightechRevenue: num("hightech_revenue", wan),
		CostTotal: num("cost_total", wan), RDExpense: num("rd_expense", wan), RDExpenseDomestic: num("rd_expense_domestic", wan),
		TotalAssets: num("total_assets", wan), NetAssets: num("net_assets", wan), Liabilities: num("liabilities", wan),
		NetProfit: num("net_profit", wan), Employees: num("employees", 1), TechStaff: num("tech_staff", 1), RDStaff: num("rd_staff", 1)},
		IP: cultivation.IPCounts{Class1: count("ip_class1"), Class2: count("ip_class2")}, Insured: count("insured")}
	if len(errs) == 0 {
		// The form shows only some of a year's figures; the rest (equity
		// financing, the finer IP counts, standards, awards, R&D
		// institutions, restrictions — set through the API or an import)
		// are kept as stored, not wiped by a save.
		var years []cultivation.YearRecord
		if years, err = s.Cultivation.Years(r.Context(), st.actor, id); err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, old := range years {
			if old.Year == year {
				y = withFormFields(old, y)
			}
		}
		err = s.Cultivation.PutYear(r.Context(), st.actor, id, y)
		if isFormError(err) {
			errs = formErrors(st.lang, err)
		} else if err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		s.enterprisePage(w, r, http.StatusUnprocessableEntity, id, form, errs)
		return
	}
	http.Redirect(w, r, "/cultivation/enterprises/"+strconv.FormatInt(id, 10)+"?done=year", http.StatusSeeOther)
}

// withFormFields is the stored year old with the fields the year form
// carries replaced by form's (an emptied field clears its figure).
func withFormFields(old, form cultivation.YearRecord) cultivation.YearRecord {
	out := old
	f, o := form.Figures, &out.Figures
	o.Revenue, o.MainRevenue, o.HightechRevenue, o.CostTotal = f.Revenue, f.MainRevenue, f.HightechRevenue, f.CostTotal
	o.RDExpense, o.RDExpenseDomestic, o.TotalAssets, o.NetAssets = f.RDExpense, f.RDExpenseDomestic, f.TotalAssets, f.NetAssets
	o.Liabilities, o.NetProfit, o.Employees, o.TechStaff, o.RDStaff = f.Liabilities, f.NetProfit, f.Employees, f.TechStaff, f.RDStaff
	out.IP.Class1, out.IP.Class2, out.Insured = form.IP.Class1, form.IP.Class2, form.Insured
	return out
}

// handleEnterpriseAssess stores an assessment as of today and its proposal.
func (s *Server) handleEnterpriseAssess(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.Cultivation.AssessEnterprise(r.Context(), state(r).actor, id, s.Now()); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cultivation/enterprises/"+strconv.FormatInt(id, 10)+"?done=assessed", http.StatusSeeOther)
}

// handleEnterpriseTier confirms the enterprise's tier in the pool.
func (s *Server) handleEnterpriseTier(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	err = s.Cultivation.ConfirmTier(r.Context(), st.actor, id, r.PostFormValue("tier"), r.PostFormValue("note"))
	if isFormError(err) {
		s.enterprisePage(w, r, http.StatusUnprocessableEntity, id, yearForm{}, formErrors(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	next := safeNext(r.PostFormValue("next"))
	if next == "/" {
		next = "/cultivation/enterprises/" + strconv.FormatInt(id, 10) + "?done=tier"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// indicatorChart is the ECharts option of the indicator history: revenue
// and R&D expense in 万元 as bars, the R&D ratio in % as a line.
func indicatorChart(lang string, years []cultivation.YearRecord) string {
	if len(years) == 0 {
		return ""
	}
	var xs []string
	var revenue, rd, ratio []any
	for _, y := range years {
		xs = append(xs, strconv.Itoa(y.Year))
		revenue = append(revenue, wanOrNil(y.Figures.Revenue))
		rd = append(rd, wanOrNil(y.Figures.RDExpense))
		if y.Figures.Revenue != nil && y.Figures.RDExpense != nil && *y.Figures.Revenue > 0 {
			ratio = append(ratio, math.Round(*y.Figures.RDExpense / *y.Figures.Revenue * 10000)/100)
		} else {
			ratio = append(ratio, nil)
		}
	}
	opt := map[string]any{
		"tooltip": map[string]any{"trigger": "axis"},
		"legend":  map[string]any{"top": 0},
		"grid":    map[string]any{"left": 60, "right": 50, "top": 40, "bottom": 30},
		"xAxis":   map[string]any{"type": "category", "data": xs},
		"yAxis": []any{
			map[string]any{"type": "value", "name": i18n.T(lang, "unit.wan_yuan")},
			map[string]any{"type": "value", "name": "%", "splitLine": map[string]any{"show": false}},
		},
		"series": []any{
			map[string]any{"name": i18n.T(lang, "cultivation.revenue"), "type": "bar", "data": revenue},
			map[string]any{"name": i18n.T(lang, "cultivation.rd_expense"), "type": "bar", "data": rd},
			map[string]any{"name": i18n.T(lang, "cultivation.rd_ratio"), "type": "line", "yAxisIndex": 1, "data": ratio},
		},
	}
	b, _ := json.Marshal(opt)
	return string(b)
}

func wanOrNil(v *float64) any {
	if v == nil {
		return nil
	}
	return math.Round(*v/100) / 100
}

// yuanToWan formats an amount in 元 as 万元 for the year form and tables.
func yuanToWan(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(math.Round(*v/100)/100, 'f', -1, 64)
}

// prefilledYearForm fills the year form with the stored values of year, so
// that correcting one figure does not erase the others (a save replaces the
// whole year).
func prefilledYearForm(years []cultivation.YearRecord, year int) yearForm {
	form := yearForm{Year: strconv.Itoa(year), Values: map[string]string{}}
	for _, y := range years {
		if y.Year != year {
			continue
		}
		f := y.Figures
		amounts := map[string]*float64{"revenue": f.Revenue, "main_revenue": f.MainRevenue, "hightech_revenue": f.HightechRevenue,
			"cost_total": f.CostTotal, "rd_expense": f.RDExpense, "rd_expense_domestic": f.RDExpenseDomestic,
			"total_assets": f.TotalAssets, "net_assets": f.NetAssets, "liabilities": f.Liabilities, "net_profit": f.NetProfit}
		for k, v := range amounts {
			form.Values[k] = yuanToWan(v)
		}
		for k, v := range map[string]*float64{"employees": f.Employees, "tech_staff": f.TechStaff, "rd_staff": f.RDStaff} {
			if v != nil {
				form.Values[k] = strconv.FormatFloat(*v, 'f', -1, 64)
			}
		}
		for k, v := range map[string]*int{"ip_class1": y.IP.Class1, "ip_class2": y.IP.Class2, "insured": y.Insured} {
			if v != nil {
				form.Values[k] = strconv.Itoa(*v)
			}
		}
	}
	return form
}
