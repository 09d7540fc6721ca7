package indicator

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/notice"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// EntryRow is one entered indicator of a county's form, with the value on
// record.
type EntryRow struct {
	Indicator
	Value *float64 `json:"value"`
}

// EntryForm is what one county enters for one period: the entered
// indicators of the period's frequency, the deadline and whether (and
// when) the county reported.
type EntryForm struct {
	Period      string     `json:"period"`
	PeriodLabel string     `json:"period_label"`
	Region      string     `json:"region_code"`
	RegionName  string     `json:"region_name"`
	Deadline    string     `json:"deadline"`
	Reported    bool       `json:"reported"`
	ReportedAt  *time.Time `json:"reported_at"`
	Late        bool       `json:"late"`
	Rows        []EntryRow `json:"rows"`
}

// county finds code among the home region's counties; a county outside
// the actor's reach is apperr.NotFound.
func (s *Service) county(ctx context.Context, a account.Actor, code string) (region.Region, error) {
	all, err := s.counties(ctx, a)
	if err != nil {
		return region.Region{}, err
	}
	for _, r := range all {
		if r.Code == code && s.CanViewIndicators(a) && a.InScope(code) {
			return r, nil
		}
	}
	return region.Region{}, apperr.New(apperr.NotFound, "indicator.scope_not_found")
}

// EntryForm returns county's form for p.
func (s *Service) EntryForm(ctx context.Context, a account.Actor, p Period, county string) (EntryForm, error) {
	r, err := s.county(ctx, a, county)
	if err != nil {
		return EntryForm{}, err
	}
	return s.entryForm(ctx, s.db, p, r)
}

func (s *Service) entryForm(ctx context.Context, q sqldb.Querier, p Period, r region.Region) (EntryForm, error) {
	f := EntryForm{Period: p.String(), PeriodLabel: p.Label(), Region: r.Code, RegionName: r.Name, Deadline: p.Deadline(s.cat.DeadlineDay)}
	var at sqldb.Time
	err := q.QueryRowContext(ctx, "SELECT submitted_at, late FROM indicator_reports WHERE period = ? AND region_code = ?", p.String(), r.Code).
		Scan(&at, &f.Late)
	switch {
	case err == nil:
		f.Reported = true
		t := at.Time
		f.ReportedAt = &t
	case !sqldb.IsNoRows(err):
		return f, err
	}
	stored := map[string]float64{}
	rows, err := q.QueryContext(ctx, "SELECT code, value FROM indicator_values WHERE period = ? AND region_code = ?", p.String(), r.Code)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var v float64
		if err := rows.Scan(&code, &v); err != nil {
			return f, err
		}
		stored[code] = v
	}
	if err := rows.Err(); err != nil {
		return f, err
	}
	for _, ind := range s.cat.EnteredFor(p.Freq) {
		row := EntryRow{Indicator: ind}
		if v, ok := stored[ind.Code]; ok {
			row.Value = &v
		}
		f.Rows = append(f.Rows, row)
	}
	return f, nil
}

// maxValueText bounds a value's text.
const maxValueText = 30

// SubmitEntries records county's values for p, given as text by indicator
// code: every entered indicator of the period's frequency is required, a
// non-negative number within the indicator's bound. A problem is
// apperr.Invalid on the indicator's code, naming the row and indicator.
// The values, the county's report row and the audit row are written in
// one transaction; submitting again corrects the values (audited with
// what they were).
func (s *Service) SubmitEntries(ctx context.Context, a account.Actor, p Period, county string, values map[string]string) (EntryForm, error) {
	r, err := s.county(ctx, a, county)
	if err != nil {
		return EntryForm{}, err
	}
	if !s.CanEnter(a, county) {
		return EntryForm{}, apperr.New(apperr.Forbidden, "indicator.only_county")
	}
	if p.Start() > s.Today() {
		return EntryForm{}, apperr.Fields(apperr.Field("period", "indicator.period_future"))
	}
	inds := s.cat.EnteredFor(p.Freq)
	parsed := map[string]float64{}
	var fields []apperr.FieldError
	for i, ind := range inds {
		text := strings.TrimSpace(strings.ReplaceAll(values[ind.Code], ",", ""))
		switch v, err := strconv.ParseFloat(text, 64); {
		case text == "":
			fields = append(fields, apperr.Field(ind.Code, "indicator.value_required", i+1, ind.Name))
		case len(text) > maxValueText || err != nil || math.IsNaN(v) || math.IsInf(v, 0):
			fields = append(fields, apperr.Field(ind.Code, "indicator.value_number", i+1, ind.Name))
		case v < 0:
			fields = append(fields, apperr.Field(ind.Code, "indicator.value_negative", i+1, ind.Name))
		case ind.Max > 0 && v > ind.Max:
			fields = append(fields, apperr.Field(ind.Code, "indicator.value_too_large", i+1, ind.Name, strconv.FormatFloat(ind.Max, 'f', -1, 64)))
		default:
			parsed[ind.Code] = v
		}
	}
	for code := range values {
		if _, ok := s.cat.Get(code); !ok {
			fields = append(fields, apperr.Field(code, "indicator.code_unknown"))
		}
	}
	if len(fields) > 0 {
		return EntryForm{}, apperr.Fields(fields...)
	}
	now := s.now()
	late := s.Today() > p.Deadline(s.cat.DeadlineDay)
	var form EntryForm
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		before, err := s.entryForm(ctx, tx, p, r)
		if err != nil {
			return err
		}
		old := map[string]any{}
		for _, row := range before.Rows {
			if row.Value != nil {
				old[row.Code] = *row.Value
			}
		}
		after := map[string]any{}
		for _, ind := range inds {
			v := parsed[ind.Code]
			after[ind.Code] = v
			if _, err := tx.ExecContext(ctx, `INSERT INTO indicator_values (code, period, region_code, value, entered_by, entered_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (period, region_code, code)
				DO UPDATE SET value = excluded.value, entered_by = excluded.entered_by, entered_at = excluded.entered_at`,
				ind.Code, p.String(), r.Code, v, a.UserID, sqldb.At(now)); err != nil {
				return err
			}
		}
		// The first report fixes when the county reported and whether it was
		// late; a correction keeps both.
		if _, err := tx.ExecContext(ctx, `INSERT INTO indicator_reports (period, region_code, submitted_by, submitted_at, late)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (period, region_code) DO NOTHING`,
			p.String(), r.Code, a.UserID, sqldb.At(now), late); err != nil {
			return err
		}
		var beforeAudit any
		if len(old) > 0 {
			beforeAudit = old
		}
		if err := audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "indicator.report", ObjectType: "indicator_report",
			ObjectID: p.String() + "/" + r.Code, RegionCode: r.Code, Before: beforeAudit, After: after}); err != nil {
			return err
		}
		form, err = s.entryForm(ctx, tx, p, r)
		return err
	})
	return form, err
}

// CountyStatus is whether one county has reported a period.
type CountyStatus struct {
	Region     string     `json:"region_code"`
	RegionName string     `json:"region_name"`
	Reported   bool       `json:"reported"`
	ReportedAt *time.Time `json:"reported_at"`
	Late       bool       `json:"late"`
}

// Status is who has and who has not reported a period.
type Status struct {
	Period      string         `json:"period"`
	PeriodLabel string         `json:"period_label"`
	Deadline    string         `json:"deadline"`
	Overdue     bool           `json:"overdue"` // the deadline has passed
	Missing     int            `json:"missing"`
	Counties    []CountyStatus `json:"counties"`
}

// Status lists the counties in the actor's reach (a county user: its own)
// with whether they reported p, those that have not first.
func (s *Service) Status(ctx context.Context, a account.Actor, p Period) (Status, error) {
	st := Status{Period: p.String(), PeriodLabel: p.Label(), Deadline: p.Deadline(s.cat.DeadlineDay)}
	st.Overdue = s.Today() > st.Deadline
	if !s.CanViewStatus(a) {
		return st, apperr.New(apperr.Forbidden, "indicator.only_staff")
	}
	all, err := s.counties(ctx, a)
	if err != nil {
		return st, err
	}
	reported := map[string]CountyStatus{}
	rows, err := s.db.QueryContext(ctx, "SELECT region_code, submitted_at, late FROM indicator_reports WHERE period = ?", p.String())
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var c CountyStatus
		var at sqldb.Time
		if err := rows.Scan(&c.Region, &at, &c.Late); err != nil {
			return st, err
		}
		t := at.Time
		c.ReportedAt, c.Reported = &t, true
		reported[c.Region] = c
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	var done []CountyStatus
	for _, r := range all {
		c, ok := reported[r.Code]
		c.Region, c.RegionName = r.Code, r.Name
		if ok {
			done = append(done, c)
		} else {
			st.Missing++
			st.Counties = append(st.Counties, c)
		}
	}
	st.Counties = append(st.Counties, done...)
	return st, nil
}

// Remind sends every active user of each county that has not reported p a
// notice with the deadline, and records one audit row; it returns how
// many notices it sent.
func (s *Service) Remind(ctx context.Context, a account.Actor, p Period) (int, error) {
	if !s.CanRemind(a) {
		return 0, apperr.New(apperr.Forbidden, "indicator.only_city_staff")
	}
	st, err := s.Status(ctx, a, p)
	if err != nil {
		return 0, err
	}
	sent := 0
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var missing []string
		for _, c := range st.Counties {
			if c.Reported || !a.InScope(c.Region) {
				continue
			}
			missing = append(missing, c.Region)
			ids, err := countyUsers(ctx, tx, c.Region)
			if err != nil {
				return err
			}
			for _, id := range ids {
				if err := notice.Send(ctx, tx, notice.Message{To: id, Kind: "indicator.remind", Key: "indicator.notice.remind",
					Args: []notice.Arg{notice.Text(p.Label()), notice.Text(st.Deadline)},
					Link: "/indicators/entries?period=" + p.String(), At: s.now()}); err != nil {
					return err
				}
				sent++
			}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "indicator.remind", ObjectType: "indicator_period",
			ObjectID: p.String(), RegionCode: a.Region, After: map[string]any{"counties": missing, "notices": sent}})
	})
	return sent, err
}

func countyUsers(ctx context.Context, tx *sqldb.Tx, county string) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id FROM users WHERE role = ? AND region_code = ? AND disabled = ? ORDER BY id",
		account.RoleCounty, county, false)
	if err != nil {
		return nil, fmt.Errorf("county users: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
