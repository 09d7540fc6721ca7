package cultivation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// Plausibility flags (合理性提示, issue #11): indicators that move
// implausibly from one year to the next, or sit just above a threshold
// year after year. A flag explains itself and never blocks anything; staff
// may record that they checked it, with a note.

// PlausibilityFile is where the thresholds live in the data folder.
const PlausibilityFile = "cultivation/plausibility.json"

// The flag codes. Users never see them: each has a label
// ("plausibility.label.<code>") and an explanation in the catalogs.
const (
	FlagRDRatioJump       = "rd_ratio_jump"
	FlagEmployeesJump     = "employees_jump"
	FlagTechStaffJump     = "tech_staff_jump"
	FlagHightechShareJump = "hightech_share_jump"
	FlagIPSurge           = "ip_surge"
	FlagRDRatioEdge       = "rd_ratio_edge"
	FlagInsuranceGap      = "insurance_gap"
)

// FlagCodes lists every flag code in the order the panel shows them.
var FlagCodes = []string{FlagRDRatioJump, FlagEmployeesJump, FlagTechStaffJump, FlagHightechShareJump, FlagIPSurge, FlagRDRatioEdge, FlagInsuranceGap}

// Thresholds are the limits of the plausibility flags, read from
// data/cultivation/plausibility.json. Every comparison is "at or beyond
// the limit flags".
type Thresholds struct {
	RDRatioJump struct {
		MaxRisePP float64 `json:"max_rise_pp"`
		Explain   string  `json:"explain"`
	} `json:"rd_ratio_jump"`
	EmployeesJump     staffJump `json:"employees_jump"`
	TechStaffJump     staffJump `json:"tech_staff_jump"`
	HightechShareJump struct {
		MaxRisePP float64 `json:"max_rise_pp"`
		Explain   string  `json:"explain"`
	} `json:"hightech_share_jump"`
	IPSurge struct {
		MinAdded     int     `json:"min_added"`
		MinFactor    float64 `json:"min_factor"`
		WindowMonths int     `json:"window_months"`
		Explain      string  `json:"explain"`
	} `json:"ip_surge"`
	RDRatioEdge struct {
		BandPP        float64   `json:"band_pp"`
		Years         int       `json:"years"`
		ThresholdsPct []float64 `json:"thresholds_pct"`
		Explain       string    `json:"explain"`
	} `json:"rd_ratio_edge"`
	InsuranceGap struct {
		MaxUninsuredShare float64 `json:"max_uninsured_share"`
		MinGap            float64 `json:"min_gap"`
		Explain           string  `json:"explain"`
	} `json:"insurance_gap"`
}

type staffJump struct {
	MinFactor float64 `json:"min_factor"`
	MinBase   float64 `json:"min_base"`
	Explain   string  `json:"explain"`
}

// LoadThresholds reads and checks the plausibility thresholds in fsys.
func LoadThresholds(fsys fs.FS) (*Thresholds, error) {
	b, err := fs.ReadFile(fsys, PlausibilityFile)
	if err != nil {
		return nil, fmt.Errorf("load plausibility thresholds: %w", err)
	}
	var t Thresholds
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("load plausibility thresholds: %s: %w", PlausibilityFile, err)
	}
	var bad []string
	if t.RDRatioJump.MaxRisePP <= 0 {
		bad = append(bad, "rd_ratio_jump.max_rise_pp")
	}
	for name, s := range map[string]staffJump{"employees_jump": t.EmployeesJump, "tech_staff_jump": t.TechStaffJump} {
		if s.MinFactor <= 1 || s.MinBase < 0 {
			bad = append(bad, name)
		}
	}
	if t.HightechShareJump.MaxRisePP <= 0 {
		bad = append(bad, "hightech_share_jump.max_rise_pp")
	}
	if t.IPSurge.MinAdded < 1 || t.IPSurge.MinFactor <= 1 || t.IPSurge.WindowMonths < 1 {
		bad = append(bad, "ip_surge")
	}
	if t.InsuranceGap.MaxUninsuredShare <= 0 || t.InsuranceGap.MaxUninsuredShare >= 1 || t.InsuranceGap.MinGap < 0 {
		bad = append(bad, "insurance_gap")
	}
	if t.RDRatioEdge.BandPP <= 0 || t.RDRatioEdge.Years < 2 || len(t.RDRatioEdge.ThresholdsPct) == 0 {
		bad = append(bad, "rd_ratio_edge")
	}
	for _, e := range []string{t.RDRatioJump.Explain, t.EmployeesJump.Explain, t.TechStaffJump.Explain,
		t.HightechShareJump.Explain, t.IPSurge.Explain, t.RDRatioEdge.Explain, t.InsuranceGap.Explain} {
		if !strings.HasPrefix(e, "plausibility.") {
			bad = append(bad, "explain "+strconv.Quote(e))
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return nil, fmt.Errorf("load plausibility thresholds: %s: missing or invalid %s", PlausibilityFile, strings.Join(bad, ", "))
	}
	return &t, nil
}

// Flag is one plausibility flag of an enterprise: which check, the years
// and values it concerns, the limit it reached, and the explanation (a
// catalog key and its arguments, rendered in the reader's language).
type Flag struct {
	Code    string     `json:"code"`
	Years   []int      `json:"years"`
	Values  []float64  `json:"values"`
	Limit   float64    `json:"limit"`
	Explain string     `json:"-"`
	Args    []any      `json:"-"`
	Check   *FlagCheck `json:"check,omitempty"`
}

// Subject identifies what the flag is about: its code, years and values.
// A check is stored under it, so a check stops applying once the data
// under the flag changes.
func (f Flag) Subject() string {
	years := make([]string, len(f.Years))
	for i, y := range f.Years {
		years[i] = strconv.Itoa(y)
	}
	values := make([]string, len(f.Values))
	for i, v := range f.Values {
		values[i] = strconv.FormatFloat(v, 'g', 10, 64)
	}
	return f.Code + ":" + strings.Join(years, ",") + "=" + strings.Join(values, ",")
}

// FlagCheck records that a member of staff checked a flag.
type FlagCheck struct {
	By   string    `json:"by"`
	At   time.Time `json:"at"`
	Note string    `json:"note"`
}

// eps absorbs the rounding of ratios computed from amounts in 元, so that
// 3.3 万 over 100 万 counts as exactly 3.3 %.
const eps = 1e-9

func pct(num, den *float64) (float64, bool) {
	if num == nil || den == nil || *den <= 0 {
		return 0, false
	}
	return round4(*num / *den * 100), true
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

func pp(v float64) string { return strconv.FormatFloat(round4(v), 'f', -1, 64) }

func ipTotal(c IPCounts) (int, bool) {
	if c.Class1 == nil && c.Class2 == nil {
		return 0, false
	}
	n := 0
	if c.Class1 != nil {
		n += *c.Class1
	}
	if c.Class2 != nil {
		n += *c.Class2
	}
	return n, true
}

// PlausibilityFlags returns the flags the thresholds raise on years (any
// order), oldest year first. Only consecutive years are compared.
// applications are the dates the firm applied (or is applying) for a
// title: an IP surge counts only shortly before one.
func PlausibilityFlags(t *Thresholds, years []YearRecord, applications []time.Time) []Flag {
	if t == nil {
		return nil
	}
	ys := slices.Clone(years)
	slices.SortFunc(ys, func(a, b YearRecord) int { return a.Year - b.Year })
	var out []Flag
	for i := 1; i < len(ys); i++ {
		prev, cur := ys[i-1], ys[i]
		if cur.Year != prev.Year+1 {
			continue
		}
		pair := []int{prev.Year, cur.Year}
		if a, ok := pct(prev.Figures.RDExpense, prev.Figures.Revenue); ok {
			if b, ok := pct(cur.Figures.RDExpense, cur.Figures.Revenue); ok && b-a >= t.RDRatioJump.MaxRisePP-eps {
				out = append(out, Flag{Code: FlagRDRatioJump, Years: pair, Values: []float64{a, b}, Limit: t.RDRatioJump.MaxRisePP,
					Explain: t.RDRatioJump.Explain, Args: []any{prev.Year, pp(a), cur.Year, pp(b), pp(b - a), pp(t.RDRatioJump.MaxRisePP)}})
			}
		}
		for _, s := range []struct {
			code     string
			th       staffJump
			old, new *float64
		}{
			{FlagEmployeesJump, t.EmployeesJump, prev.Figures.Employees, cur.Figures.Employees},
			{FlagTechStaffJump, t.TechStaffJump, prev.Figures.TechStaff, cur.Figures.TechStaff},
		} {
			if s.old == nil || s.new == nil || *s.old <= 0 || *s.old < s.th.MinBase {
				continue
			}
			if f := *s.new / *s.old; f >= s.th.MinFactor-eps {
				out = append(out, Flag{Code: s.code, Years: pair, Values: []float64{*s.old, *s.new}, Limit: s.th.MinFactor,
					Explain: s.th.Explain, Args: []any{prev.Year, pp(*s.old), cur.Year, pp(*s.new), pp(f), pp(s.th.MinFactor)}})
			}
		}
		if a, ok := pct(prev.Figures.HightechRevenue, prev.Figures.Revenue); ok {
			if b, ok := pct(cur.Figures.HightechRevenue, cur.Figures.Revenue); ok && b-a >= t.HightechShareJump.MaxRisePP-eps {
				out = append(out, Flag{Code: FlagHightechShareJump, Years: pair, Values: []float64{a, b}, Limit: t.HightechShareJump.MaxRisePP,
					Explain: t.HightechShareJump.Explain, Args: []any{prev.Year, pp(a), cur.Year, pp(b), pp(b - a), pp(t.HightechShareJump.MaxRisePP)}})
			}
		}
		if f, ok := ipSurge(t, prev, cur, applications); ok {
			out = append(out, f)
		}
	}
	out = append(out, rdRatioEdges(t, ys)...)
	for _, y := range ys {
		if f, ok := insuranceGap(t, y); ok {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b Flag) int {
		if c := a.Years[len(a.Years)-1] - b.Years[len(b.Years)-1]; c != 0 {
			return c
		}
		return slices.Index(FlagCodes, a.Code) - slices.Index(FlagCodes, b.Code)
	})
	return out
}

func ipSurge(t *Thresholds, prev, cur YearRecord, applications []time.Time) (Flag, bool) {
	th := t.IPSurge
	a, ok1 := ipTotal(prev.IP)
	b, ok2 := ipTotal(cur.IP)
	if !ok1 || !ok2 || b-a < th.MinAdded || (a > 0 && float64(b) < th.MinFactor*float64(a)-eps) {
		return Flag{}, false
	}
	// The year's counts stand at its end; an application within the
	// window after that is one the new IP was bought for.
	end := time.Date(cur.Year+1, 1, 1, 0, 0, 0, 0, time.UTC)
	limit := end.AddDate(0, th.WindowMonths, 0)
	var applied time.Time
	for _, d := range applications {
		if !d.Before(end) && d.Before(limit) && (applied.IsZero() || d.Before(applied)) {
			applied = d
		}
	}
	if applied.IsZero() {
		return Flag{}, false
	}
	return Flag{Code: FlagIPSurge, Years: []int{prev.Year, cur.Year}, Values: []float64{float64(a), float64(b)}, Limit: float64(th.MinAdded),
		Explain: th.Explain, Args: []any{prev.Year, a, cur.Year, b, applied.Format(dateLayout), th.WindowMonths}}, true
}

// insuranceGap flags a year whose staff total exceeds the social-insurance
// count by at least the share and the number of persons the thresholds
// allow (part-time and temporary staff count in the total, not insured).
func insuranceGap(t *Thresholds, y YearRecord) (Flag, bool) {
	th := t.InsuranceGap
	if y.Insured == nil || y.Figures.Employees == nil || *y.Figures.Employees <= 0 {
		return Flag{}, false
	}
	emp, ins := *y.Figures.Employees, float64(*y.Insured)
	gap := emp - ins
	if gap < th.MinGap-eps || gap/emp < th.MaxUninsuredShare-eps {
		return Flag{}, false
	}
	return Flag{Code: FlagInsuranceGap, Years: []int{y.Year}, Values: []float64{emp, ins}, Limit: th.MaxUninsuredShare,
		Explain: th.Explain, Args: []any{y.Year, pp(emp), *y.Insured, pp(gap / emp * 100), pp(th.MaxUninsuredShare * 100)}}, true
}

// rdRatioEdges flags every run of t.RDRatioEdge.Years consecutive years
// whose R&D ratio each sits within the band at or above a threshold.
func rdRatioEdges(t *Thresholds, ys []YearRecord) []Flag {
	th := t.RDRatioEdge
	edge := func(r float64) (float64, bool) {
		for _, x := range th.ThresholdsPct {
			if r >= x-eps && r <= x+th.BandPP+eps {
				return x, true
			}
		}
		return 0, false
	}
	var out []Flag
	var runYears []int
	var runValues, runLimits []float64
	for i, y := range ys {
		r, ok := pct(y.Figures.RDExpense, y.Figures.Revenue)
		var x float64
		if ok {
			x, ok = edge(r)
		}
		if !ok || (i > 0 && len(runYears) > 0 && y.Year != runYears[len(runYears)-1]+1) {
			runYears, runValues, runLimits = nil, nil, nil
		}
		if !ok {
			continue
		}
		runYears, runValues, runLimits = append(runYears, y.Year), append(runValues, r), append(runLimits, x)
		if len(runYears) >= th.Years {
			n := len(runYears)
			yrs := slices.Clone(runYears[n-th.Years:])
			vals := slices.Clone(runValues[n-th.Years:])
			lims := runLimits[n-th.Years:]
			texts := make([]string, len(vals))
			for j, v := range vals {
				texts[j] = strconv.Itoa(yrs[j]) + ": " + pp(v) + "% (" + pp(lims[j]) + "%)"
			}
			out = append(out, Flag{Code: FlagRDRatioEdge, Years: yrs, Values: vals, Limit: th.BandPP, Explain: th.Explain,
				Args: []any{th.Years, pp(th.BandPP), strings.Join(texts, "; ")}})
		}
	}
	return out
}

// CanViewFlags reports whether the actor sees e's plausibility flags:
// the administrator and staff whose region holds the firm, never the
// enterprise itself.
func (s *Service) CanViewFlags(a account.Actor, e Enterprise) bool {
	return oversees(a) && canRead(a, e)
}

// CanCheckFlags reports whether the actor may record a flag of e as
// checked: the staff who may edit the firm.
func (s *Service) CanCheckFlags(a account.Actor, e Enterprise) bool {
	return canManage(a, e.RegionCode)
}

// applicationDates are the dates the firm applied for a title: the issue
// dates of its certificates, and today (it may be applying now).
func applicationDates(e Enterprise, today time.Time) []time.Time {
	out := []time.Time{today}
	for _, c := range e.Certificates {
		if !c.Issued.IsZero() {
			out = append(out, c.Issued.Time)
		}
	}
	return out
}

// Flags returns the plausibility flags of the enterprise, each with its
// check when staff recorded one for exactly these years and values.
func (s *Service) Flags(ctx context.Context, a account.Actor, id int64) ([]Flag, error) {
	e, err := s.GetEnterprise(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !s.CanViewFlags(a, e) {
		return nil, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	return s.flags(ctx, s.db, e)
}

func (s *Service) flags(ctx context.Context, q sqldb.Querier, e Enterprise) ([]Flag, error) {
	years, err := loadYears(ctx, q, e.ID)
	if err != nil {
		return nil, err
	}
	flags := PlausibilityFlags(s.rules.Thresholds(), years, applicationDates(e, s.now()))
	if len(flags) == 0 {
		return []Flag{}, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT subject, note, checked_by_name, checked_at FROM enterprise_flag_checks
		WHERE enterprise_id = ?`, e.ID)
	if err != nil {
		return nil, fmt.Errorf("flag checks: %w", err)
	}
	defer rows.Close()
	checks := map[string]*FlagCheck{}
	for rows.Next() {
		var subject string
		var c FlagCheck
		var at sqldb.Time
		if err := rows.Scan(&subject, &c.Note, &c.By, &at); err != nil {
			return nil, err
		}
		c.At = at.Time
		checks[subject] = &c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range flags {
		flags[i].Check = checks[flags[i].Subject()]
	}
	return flags, nil
}

// maxCheckNote bounds the note of a check, in characters.
const maxCheckNote = 500

// CheckFlag records that the actor checked the enterprise's flag code for
// years (the years the flag names), with a note. The check is kept under
// the flag's current values: once they change, the flag shows again.
// Staff who may edit the firm may; a flag that is not raised is NotFound.
func (s *Service) CheckFlag(ctx context.Context, a account.Actor, id int64, code string, years []int, note string) (Flag, error) {
	note = strings.TrimSpace(note)
	var fields []apperr.FieldError
	if note == "" {
		fields = append(fields, apperr.Field("note", "error.required"))
	} else if utf8.RuneCountInString(note) > maxCheckNote {
		fields = append(fields, apperr.Field("note", "error.too_long", maxCheckNote))
	}
	if len(years) == 0 {
		fields = append(fields, apperr.Field("years", "error.required"))
	}
	if len(fields) > 0 {
		return Flag{}, apperr.Fields(fields...)
	}
	var out Flag
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		e, err := getEnterprise(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canRead(a, e) {
			return apperr.New(apperr.NotFound, "cultivation.enterprise_not_found")
		}
		if !s.CanCheckFlags(a, e) {
			return apperr.New(apperr.Forbidden, "cultivation.only_staff")
		}
		flags, err := s.flags(ctx, tx, e)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(flags, func(f Flag) bool { return f.Code == code && slices.Equal(f.Years, years) })
		if i < 0 {
			return apperr.New(apperr.NotFound, "plausibility.flag_not_found")
		}
		out = flags[i]
		now := s.now()
		name := a.DisplayName
		if name == "" {
			name = a.Username
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO enterprise_flag_checks (enterprise_id, code, subject, note, checked_by,
			checked_by_name, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (enterprise_id, subject) DO UPDATE SET note = excluded.note, checked_by = excluded.checked_by,
			checked_by_name = excluded.checked_by_name, checked_at = excluded.checked_at`,
			id, code, out.Subject(), note, a.UserID, name, sqldb.At(now)); err != nil {
			return fmt.Errorf("store flag check: %w", err)
		}
		before := out.Check
		out.Check = &FlagCheck{By: name, At: now, Note: note}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "enterprise_flag.check", ObjectType: "enterprise",
			ObjectName: e.Name, ObjectID: idText(id) + "/" + code, RegionCode: e.RegionCode, Before: before,
			After: map[string]any{"code": code, "years": out.Years, "values": out.Values, "note": note}})
	})
	return out, err
}

// Thresholds returns the plausibility thresholds loaded with the rule
// sets; nil when the data held none (no flags are raised then).
func (rb *RuleBook) Thresholds() *Thresholds { return rb.thresholds }

// loadOptionalThresholds reads the thresholds when fsys has the file.
func loadOptionalThresholds(fsys fs.FS) (*Thresholds, error) {
	if _, err := fs.Stat(fsys, PlausibilityFile); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return LoadThresholds(fsys)
}

// OpenFlagCounts returns, for each of ids whose flags the actor sees, how
// many of its plausibility flags nobody has checked yet (firms without
// open flags, or outside the actor's view, are absent). The pool board
// shows it next to each proposal under review.
func (s *Service) OpenFlagCounts(ctx context.Context, a account.Actor, ids []int64) (map[int64]int, error) {
	out := map[int64]int{}
	for _, id := range ids {
		e, err := getEnterprise(ctx, s.db, id)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !s.CanViewFlags(a, e) {
			continue
		}
		flags, err := s.flags(ctx, s.db, e)
		if err != nil {
			return nil, err
		}
		for _, f := range flags {
			if f.Check == nil {
				out[id]++
			}
		}
	}
	return out, nil
}

// RDRatioThresholds returns the R&D ratio thresholds, in percent, that the
// loaded rule sets apply (a "≥" test on R&D expense over revenue, anywhere
// in a rule set, a switch's cases included), ascending and distinct.
func (rb *RuleBook) RDRatioThresholds() []float64 {
	var out []float64
	var walk func(n *node)
	walk = func(n *node) {
		if n == nil {
			return
		}
		if n.kind == kindCompare && n.m != nil && n.m.op == mRatio && n.m.field == fRDExpense && n.m.den == fRevenue &&
			(n.op == opGE || n.op == opGT) {
			if v := round4(n.value * 100); !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		for _, c := range n.children {
			walk(c)
		}
		for _, c := range n.cases {
			walk(c.then)
		}
	}
	for _, rs := range rb.List() {
		for _, n := range rs.conditions {
			walk(n)
		}
		for _, n := range rs.direct {
			walk(n)
		}
	}
	slices.Sort(out)
	return out
}
