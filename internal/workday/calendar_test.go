package workday_test

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"kechuang/data"
	"kechuang/internal/workday"
)

func shipped(t *testing.T) *workday.Calendar {
	t.Helper()
	c, err := workday.Load(data.FS)
	if err != nil {
		t.Fatalf("Load(data.FS) = %v", err)
	}
	return c
}

func day(s string) workday.Date { return workday.MustParseDate(s) }

func TestShippedYears(t *testing.T) {
	t.Parallel()
	c := shipped(t)
	want := map[int]struct {
		doc          string
		off, swapped int
	}{
		// 2025: 1 + 8 + 3 + 5 + 3 + 8 days off; 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7.
		2025: {"国办发明电〔2024〕12号", 28, 5},
		2026: {"国办发明电〔2025〕7号", 33, 6},
	}
	years := c.Years()
	if len(years) != len(want) {
		t.Fatalf("Years() = %d years, want %d", len(years), len(want))
	}
	for _, y := range years {
		w := want[y.Year]
		off := 0
		for _, h := range y.Holidays {
			off += h.From.DaysUntil(h.To) + 1
		}
		if y.Document != w.doc || off != w.off || len(y.Workdays) != w.swapped {
			t.Errorf("year %d: document %q, %d days off, %d swapped days; want %q, %d, %d",
				y.Year, y.Document, off, len(y.Workdays), w.doc, w.off, w.swapped)
		}
	}
}

func TestIsWorkday(t *testing.T) {
	t.Parallel()
	c := shipped(t)
	tests := []struct {
		name     string
		day      string
		workday  bool
		kind     workday.Kind
		official bool
	}{
		{"2025 春节 除夕 (Tuesday)", "2025-01-28", false, workday.KindHoliday, true},
		{"2025 春节 正月初七 (Tuesday)", "2025-02-04", false, workday.KindHoliday, true},
		{"2025 春节 调休 Sunday before", "2025-01-26", true, workday.KindSwapped, true},
		{"2025 春节 调休 Saturday after", "2025-02-08", true, workday.KindSwapped, true},
		{"2025 first working day after 春节", "2025-02-05", true, workday.KindWeekday, true},
		{"2025 国庆 last day (Wednesday)", "2025-10-08", false, workday.KindHoliday, true},
		{"2025 国庆 调休 Saturday", "2025-10-11", true, workday.KindSwapped, true},
		{"2025 plain Saturday", "2025-10-18", false, workday.KindWeekend, true},
		{"2026 元旦 Saturday inside the holiday", "2026-01-03", false, workday.KindHoliday, true},
		{"2026 元旦 调休 Sunday", "2026-01-04", true, workday.KindSwapped, true},
		{"2026 春节 调休 Saturday before", "2026-02-14", true, workday.KindSwapped, true},
		{"2026 春节 正月初七 (Monday)", "2026-02-23", false, workday.KindHoliday, true},
		{"2026 春节 调休 Saturday after", "2026-02-28", true, workday.KindSwapped, true},
		{"2026 国庆 (Thursday)", "2026-10-01", false, workday.KindHoliday, true},
		{"2026 国庆 last day (Wednesday)", "2026-10-07", false, workday.KindHoliday, true},
		{"2026 国庆 调休 Saturday", "2026-10-10", true, workday.KindSwapped, true},
		{"2026 plain Tuesday", "2026-11-24", true, workday.KindWeekday, true},
		{"2027 Monday falls back", "2027-01-04", true, workday.KindWeekday, false},
		{"2027 Saturday falls back", "2027-01-02", false, workday.KindWeekend, false},
		{"2024 Wednesday falls back", "2024-05-01", true, workday.KindWeekday, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := c.Day(day(tt.day))
			if info.Workday != tt.workday || info.Kind != tt.kind || info.Official != tt.official {
				t.Errorf("Day(%s) = workday %v, %s, official %v; want %v, %s, %v",
					tt.day, info.Workday, info.Kind, info.Official, tt.workday, tt.kind, tt.official)
			}
			w, o := c.IsWorkday(day(tt.day))
			if w != tt.workday || o != tt.official {
				t.Errorf("IsWorkday(%s) = %v, %v; want %v, %v", tt.day, w, o, tt.workday, tt.official)
			}
		})
	}
}

func TestAddWorkdaysAndBetween(t *testing.T) {
	t.Parallel()
	c := shipped(t)
	tests := []struct {
		name     string
		from     string
		n        int
		want     string
		official bool
	}{
		{"plain week: Friday + 3 is Wednesday", "2026-11-20", 3, "2026-11-25", true},
		{"zero days", "2026-11-20", 0, "2026-11-20", true},
		{"2026 春节: Thursday + 2 reaches the 调休 Saturday", "2026-02-12", 2, "2026-02-14", true},
		{"2026 春节: Thursday + 3 jumps the holiday", "2026-02-12", 3, "2026-02-24", true},
		{"2026 春节: + 15 counts both 调休 Saturdays", "2026-02-12", 15, "2026-03-11", true},
		{"2025 国庆: Tuesday + 1 jumps eight days", "2025-09-30", 1, "2025-10-09", true},
		{"2025 国庆: Thursday + 2 is the 调休 Saturday", "2025-10-09", 2, "2025-10-11", true},
		{"2025 国庆: Friday before + 1 is the 调休 Sunday", "2025-09-26", 1, "2025-09-28", true},
		{"2026 国庆: Friday + 1 is the 调休 Saturday", "2026-10-09", 1, "2026-10-10", true},
		{"backwards over 2025 春节", "2025-02-05", -1, "2025-01-27", true},
		{"across into an unknown year", "2026-12-30", 3, "2027-01-04", false},
		{"inside an unknown year", "2027-03-01", 5, "2027-03-08", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, official := c.AddWorkdays(day(tt.from), tt.n)
			if got.String() != tt.want || official != tt.official {
				t.Errorf("AddWorkdays(%s, %d) = %s, official %v; want %s, %v", tt.from, tt.n, got, official, tt.want, tt.official)
			}
			if tt.n >= 0 {
				if n, _ := c.WorkdaysBetween(day(tt.from), got); n != tt.n {
					t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tt.from, got, n, tt.n)
				}
			}
		})
	}
	// The 2026 春节 fortnight: 2/14 (调休) and nothing else until 2/24.
	if n, official := c.WorkdaysBetween(day("2026-02-13"), day("2026-02-27")); n != 5 || !official {
		t.Errorf("WorkdaysBetween(2026-02-13, 2026-02-27) = %d, %v; want 5 (2/14, 2/24–2/27), true", n, official)
	}
	if n, _ := c.WorkdaysBetween(day("2026-02-27"), day("2026-02-13")); n != -5 {
		t.Errorf("WorkdaysBetween reversed = %d, want -5", n)
	}
}

func TestNilCalendarEstimates(t *testing.T) {
	t.Parallel()
	var c *workday.Calendar
	got, official := c.AddWorkdays(day("2026-02-12"), 3)
	if got.String() != "2026-02-17" || official {
		t.Errorf("nil AddWorkdays(2026-02-12, 3) = %s, %v; want the Monday–Friday 2026-02-17, false", got, official)
	}
}

func TestLoadRejectsBrokenFiles(t *testing.T) {
	t.Parallel()
	const head = `"document": "国办发明电〔2024〕12号", "title": "t", "issued": "2024-11-12", "url": "https://www.gov.cn/"`
	tests := []struct {
		name, file, body, want string
	}{
		{"weekday as 调休", "2025.json", `{"year": 2025, ` + head + `, "holidays": [], "workdays": [{"date": "2025-01-27", "for": "春节"}]}`, "not a weekend day"},
		{"day both off and on", "2025.json", `{"year": 2025, ` + head + `, "holidays": [{"name": "春节", "from": "2025-01-25", "to": "2025-01-27"}], "workdays": [{"date": "2025-01-26", "for": "春节"}]}`, "both a holiday"},
		{"reversed run", "2025.json", `{"year": 2025, ` + head + `, "holidays": [{"name": "春节", "from": "2025-02-04", "to": "2025-01-28"}]}`, "from ≤ to"},
		{"wrong file name", "2024.json", `{"year": 2025, ` + head + `, "holidays": []}`, "must be named 2025.json"},
		{"missing source", "2025.json", `{"year": 2025, "holidays": []}`, "required"},
		{"unknown field", "2025.json", `{"year": 2025, ` + head + `, "holiday": []}`, "unknown field"},
		{"bad date", "2025.json", `{"year": 2025, ` + head + `, "holidays": [{"name": "x", "from": "2025-13-01", "to": "2025-13-02"}]}`, "workday.Date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := workday.Load(fstest.MapFS{"calendar/" + tt.file: {Data: []byte(tt.body)}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load(%s) = %v, want an error containing %q", tt.name, err, tt.want)
			}
		})
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	// 23:30 UTC on 24 Feb is 07:30 on 25 Feb in Beijing.
	if got := workday.DateOf(time.Date(2026, 2, 24, 23, 30, 0, 0, time.UTC)); got.String() != "2026-02-25" {
		t.Errorf("DateOf(2026-02-24T23:30Z) = %s, want 2026-02-25", got)
	}
	var v struct {
		D workday.Date  `json:"d"`
		Z workday.Date  `json:"z"`
		P *workday.Date `json:"p"`
	}
	if err := json.Unmarshal([]byte(`{"d": "2026-02-24", "z": null}`), &v); err != nil || v.D != day("2026-02-24") || !v.Z.IsZero() {
		t.Errorf("unmarshal = %+v, %v", v, err)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"d":"2026-02-24","z":null,"p":null}` {
		t.Errorf("marshal = %s", b)
	}
	if err := json.Unmarshal([]byte(`{"d": "24/02/2026"}`), &v); err == nil {
		t.Error("unmarshal of 24/02/2026 succeeded, want an error")
	}
	if n := day("2026-02-24").DaysUntil(day("2026-03-01")); n != 5 {
		t.Errorf("DaysUntil = %d, want 5", n)
	}
}
