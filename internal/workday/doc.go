// Package workday is the platform's one working-day calendar: the official
// public holidays and 调休 working days that the 国务院办公厅 publishes each
// year, shipped as data (data/calendar, one file per year), and the
// arithmetic that service deadlines, monthly-report reminders and the
// cultivation rounds' notice periods count on.
//
// A day is a working day when the year's notice makes it one (a 调休
// Saturday or Sunday), a rest day when the notice puts it inside a holiday,
// and otherwise a working day from Monday to Friday. For a year the
// calendar has no notice for, every answer falls back to Monday–Friday and
// comes back marked as not official, so that callers can show it as an
// estimate rather than present a guess as the law.
//
// Date is a calendar day with no clock and no zone; DateOf gives the day an
// instant falls on in Beijing time, which is the day every deadline here is
// counted in.
//
// workday imports the standard library only; it must not import sqldb or
// any module.
//
// 术语表 Glossary:
//
//	工作日 working day   休息日 rest day   法定节假日 public holiday
//	放假调休 holiday with swapped days   调休上班日 (补班) a weekend day worked instead
//	国办发明电 the State Council General Office's notice series
//	工作日内 within N working days (counted from the day after the start)
package workday
