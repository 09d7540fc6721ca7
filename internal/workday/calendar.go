package workday

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Year is one year's official arrangement as the data file gives it.
type Year struct {
	Year      int       `json:"year"`
	Document  string    `json:"document"` // 文号, e.g. 国办发明电〔2024〕12号
	Title     string    `json:"title"`
	Issued    Date      `json:"issued"`
	URL       string    `json:"url"`
	Confirmed bool      `json:"confirmed"` // dates checked against the notice's full text
	Note      string    `json:"note"`      // how it was checked and what could not be
	Holidays  []Holiday `json:"holidays"`
	Workdays  []Makeup  `json:"workdays"`
}

// Holiday is a run of rest days, both ends included (weekends inside the
// run included).
type Holiday struct {
	Name string `json:"name"`
	From Date   `json:"from"`
	To   Date   `json:"to"`
}

// Makeup is a 调休 Saturday or Sunday that is a working day.
type Makeup struct {
	Date Date   `json:"date"`
	For  string `json:"for"` // the holiday it pays for
}

// Kind says why a day is or is not a working day.
type Kind string

// The kinds of day.
const (
	KindWeekday Kind = "weekday" // Monday to Friday, no notice says otherwise
	KindWeekend Kind = "weekend" // Saturday or Sunday, no notice says otherwise
	KindHoliday Kind = "holiday" // inside an official holiday
	KindSwapped Kind = "swapped" // a weekend day worked instead (调休上班)
)

// DayInfo is what the calendar says about one day.
type DayInfo struct {
	Date    Date `json:"date"`
	Workday bool `json:"workday"`
	Kind    Kind `json:"kind"`
	// Name is the holiday's name for Holiday and Swapped days.
	Name string `json:"name,omitempty"`
	// Official is false when the day's year has no notice in the calendar:
	// the answer is the Monday–Friday estimate.
	Official bool `json:"official"`
}

// Calendar answers working-day questions. The nil *Calendar knows no year
// and answers every question with the Monday–Friday estimate.
type Calendar struct {
	years map[int]Year
	off   map[Date]string // rest day → holiday name
	on    map[Date]string // 调休 working day → holiday name
}

// Load reads every calendar/<year>.json of fsys (the embedded data.FS) and
// checks it: the file name matches its year, every holiday run is ordered,
// every 调休 day is a Saturday or Sunday and no day is both. A broken file
// is an error naming the file and the day.
func Load(fsys fs.FS) (*Calendar, error) {
	names, err := fs.Glob(fsys, "calendar/*.json")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("calendar: no calendar/*.json files")
	}
	c := &Calendar{years: map[int]Year{}, off: map[Date]string{}, on: map[Date]string{}}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var y Year
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&y); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := c.add(y); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if want := strconv.Itoa(y.Year) + ".json"; path.Base(name) != want {
			return nil, fmt.Errorf("%s: holds year %d, so it must be named %s", name, y.Year, want)
		}
	}
	return c, nil
}

func (c *Calendar) add(y Year) error {
	if y.Year < 2000 || y.Year > 2100 {
		return fmt.Errorf("year %d out of range", y.Year)
	}
	if _, dup := c.years[y.Year]; dup {
		return fmt.Errorf("year %d given twice", y.Year)
	}
	if y.Document == "" || y.Title == "" || y.URL == "" || y.Issued.IsZero() {
		return fmt.Errorf("year %d: document, title, issued and url are required", y.Year)
	}
	for _, h := range y.Holidays {
		if h.Name == "" || h.From.IsZero() || h.To.IsZero() || h.To.Before(h.From) {
			return fmt.Errorf("holiday %q: needs a name and from ≤ to", h.Name)
		}
		if h.From.DaysUntil(h.To) > 15 {
			return fmt.Errorf("holiday %q: %s–%s is longer than any official holiday", h.Name, h.From, h.To)
		}
		for d := h.From; !d.After(h.To); d = d.AddDays(1) {
			if _, dup := c.off[d]; dup {
				return fmt.Errorf("%s: in two holidays", d)
			}
			c.off[d] = h.Name
		}
	}
	for _, m := range y.Workdays {
		if wd := m.Date.Weekday(); wd != time.Saturday && wd != time.Sunday {
			return fmt.Errorf("调休 working day %s is a %s, not a weekend day", m.Date, wd)
		}
		if _, off := c.off[m.Date]; off {
			return fmt.Errorf("%s: both a holiday and a 调休 working day", m.Date)
		}
		if _, dup := c.on[m.Date]; dup {
			return fmt.Errorf("%s: 调休 working day given twice", m.Date)
		}
		c.on[m.Date] = m.For
	}
	c.years[y.Year] = y
	return nil
}

// Known reports whether the calendar has the official notice for year.
func (c *Calendar) Known(year int) bool {
	if c == nil {
		return false
	}
	_, ok := c.years[year]
	return ok
}

// Years returns the years the calendar knows, with their sources, oldest
// first.
func (c *Calendar) Years() []Year {
	if c == nil {
		return nil
	}
	out := make([]Year, 0, len(c.years))
	for _, y := range c.years {
		out = append(out, y)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out
}

// Day says whether d is a working day, and why.
func (c *Calendar) Day(d Date) DayInfo {
	info := DayInfo{Date: d, Official: c.Known(d.Year())}
	if c != nil {
		if name, ok := c.off[d]; ok {
			info.Kind, info.Name, info.Official = KindHoliday, name, true
			return info
		}
		if name, ok := c.on[d]; ok {
			info.Kind, info.Name, info.Workday, info.Official = KindSwapped, name, true, true
			return info
		}
	}
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		info.Kind = KindWeekend
	} else {
		info.Kind, info.Workday = KindWeekday, true
	}
	return info
}

// IsWorkday reports whether d is a working day, and whether the answer is
// official (false: d's year has no notice, Monday–Friday was assumed).
func (c *Calendar) IsWorkday(d Date) (workday, official bool) {
	info := c.Day(d)
	return info.Workday, info.Official
}

// AddWorkdays returns the day on which n working days after d have passed:
// the n-th working day after d, d itself not counted (so "within 3 working
// days" of a request made on Friday ends on Wednesday). n = 0 returns d;
// negative n counts backwards. official is false when any day counted lies
// in a year without a notice.
func (c *Calendar) AddWorkdays(d Date, n int) (day Date, official bool) {
	official = c.Known(d.Year())
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		info := c.Day(d)
		official = official && info.Official
		if info.Workday {
			n--
		}
	}
	return d, official
}

// WorkdaysBetween returns the number of working days after a up to and
// including b, so that WorkdaysBetween(d, AddWorkdays(d, n)) == n for
// n ≥ 0. It is negative when b lies before a. official is false when any
// day counted lies in a year without a notice.
func (c *Calendar) WorkdaysBetween(a, b Date) (n int, official bool) {
	sign := 1
	if b.Before(a) {
		a, b, sign = b, a, -1
	}
	official = c.Known(a.Year())
	for d := a.AddDays(1); !d.After(b); d = d.AddDays(1) {
		info := c.Day(d)
		official = official && info.Official
		if info.Workday {
			n++
		}
	}
	return sign * n, official
}
