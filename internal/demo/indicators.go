package demo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/indicator"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// missingLastMonth are the counties that have not reported last month's
// indicators in the demo, so that "who has not reported" and the
// reminders have something to show: 昆山市 (the demo county user's) and
// 太仓市.
var missingLastMonth = map[string]bool{"320583": true, "320585": true}

// LoadIndicators enters the demo counties' indicators of 一表通 for the
// past twelve months, the past four quarters and last year, as of each
// period's own dates (a few late), through the service, as city staff;
// last month two counties have not reported. Computed indicators need
// nothing: they come from the other demo records. It adds nothing when
// entries exist and returns how many county reports it entered.
func LoadIndicators(ctx context.Context, db *sqldb.DB, accounts *account.Service, svc *indicator.Service, now time.Time) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM indicator_reports").Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	staffUser, err := accounts.GetUserByName(ctx, account.System, "staff")
	if err != nil {
		return 0, fmt.Errorf("demo staff account: %w", err)
	}
	staff := account.Actor{UserID: staffUser.ID, Username: staffUser.Username, Role: account.RoleStaff, Region: HomeRegion}
	counties, err := region.NewService(db).Children(ctx, HomeRegion)
	if err != nil {
		return 0, err
	}
	cat := svc.Catalogue()
	cur := indicator.MonthOf(now)
	var periods []indicator.Period
	for p, i := cur.Prev(), 0; i < 12; p, i = p.Prev(), i+1 {
		periods = append(periods, p)
	}
	q := indicator.Period{Freq: indicator.Quarterly, Year: cur.Year, N: (cur.N-1)/3 + 1}
	for p, i := q.Prev(), 0; i < 4; p, i = p.Prev(), i+1 {
		periods = append(periods, p)
	}
	periods = append(periods, indicator.Period{Freq: indicator.Yearly, Year: cur.Year - 1})
	added := 0
	for pi, p := range periods {
		for ci, c := range counties {
			if pi == 0 && missingLastMonth[c.Code] {
				continue
			}
			values := map[string]string{}
			for _, ind := range cat.EnteredFor(p.Freq) {
				values[ind.Code] = strconv.Itoa(demoFigure(ci, pi, ind.Code))
			}
			// Entered three days before the deadline; every seventh late.
			deadline, _ := time.ParseInLocation("2006-01-02", p.Deadline(cat.DeadlineDay), time.FixedZone("CST", 8*3600))
			at := deadline.AddDate(0, 0, -3).Add(10 * time.Hour)
			if (ci+pi)%7 == 3 {
				at = deadline.AddDate(0, 0, 2).Add(10 * time.Hour)
			}
			if at.After(now) {
				at = now
			}
			if _, err := svc.WithClock(func() time.Time { return at }).SubmitEntries(ctx, staff, p, c.Code, values); err != nil {
				return added, fmt.Errorf("demo indicators of %s %s: %w", c.Name, p, err)
			}
			added++
		}
	}
	return added, nil
}

// demoBase is a county's typical value of each entered indicator.
var demoBase = map[string]int{"TB01": 80000, "TB02": 170, "TB03": 800, "TB04": 1500, "TB05": 1000000}

// demoFigure is an invented but steady value: it varies with the county
// and grows over the periods.
func demoFigure(county, period int, code string) int {
	scale := 60 + (county*37)%80 // 60–140 %
	season := 100 - period*2     // later periods a little higher
	return demoBase[code] * scale / 100 * season / 100
}
