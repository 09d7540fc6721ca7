package directory

import (
	"cmp"
	"slices"
	"time"
)

// The arithmetic of incubation carriers, as pure functions of the tenants'
// stays. Definitions:
//
// Stay. A tenant occupies its space from the day it entered up to, not
// including, the day it exited: [Entered, Exited). A tenant that enters
// and leaves on the same day never occupied anything.
//
// Occupancy (入驻率) on day D, in one measure (stations, rooms or m²):
//
//	occupancy = Σ space of the stays that cover D / capacity
//
// The measure matters: a 众创空间 rents desks, an incubator floor area, and
// adding desks to square metres would mean nothing, so occupancy is
// computed per measure and pooled (Σ occupied / Σ capacity) only across
// carriers of the same measure. Pooling weighs a 20 000 m² park more than
// a 500 m² incubator, which is what "how full is the county's space" asks;
// a mean of the carriers' ratios would not. Capacity is the carrier's
// capacity as stored now (no history is kept), so occupancy on a past day
// uses today's capacity. It can exceed 1 when the records overbook the
// space; pages show that as it is.
//
// Graduation rate (毕业率) over the period [From, To):
//
//	graduation rate = tenants that exited in the period as graduates
//	                  / tenants that exited in the period
//
// Graduation is one way of leaving (the others: moved out, closed down);
// among those who left, it says how many left because they outgrew the
// carrier. Tenants still inside are left out of the denominator: counting
// them would make a carrier that has just taken in many firms look worse
// although none of them has had time to graduate, and a cumulative rate
// (graduates ever / tenants ever) drifts with the carrier's age. A period
// without exits has no rate (Ratio.Den 0), not a rate of 0.

// Space is the space a carrier offers or a tenant occupies.
type Space struct {
	Stations int     `json:"stations"`
	Rooms    int     `json:"rooms"`
	Area     float64 `json:"area"` // m²
}

// In returns the amount of space in measure m.
func (s Space) In(m Measure) float64 {
	switch m {
	case Stations:
		return float64(s.Stations)
	case Rooms:
		return float64(s.Rooms)
	case Area:
		return s.Area
	}
	return 0
}

// Stay is one tenant's time in a carrier as the arithmetic needs it.
type Stay struct {
	Entered   time.Time // first day in
	Exited    time.Time // first day out; zero while still in
	Graduated bool      // it exited as a graduate (毕业)
	Space     Space
}

// day is t's calendar day at midnight UTC, so that clock times and time
// zones do not move a stay by a day.
func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Covers reports whether the stay covers day d: entered on or before d and
// not exited on or before d.
func (s Stay) Covers(d time.Time) bool {
	d = day(d)
	return !day(s.Entered).After(d) && (s.Exited.IsZero() || day(s.Exited).After(d))
}

// ExitedIn reports whether the stay ended in [from, to).
func (s Stay) ExitedIn(from, to time.Time) bool {
	if s.Exited.IsZero() {
		return false
	}
	e := day(s.Exited)
	return !e.Before(day(from)) && e.Before(day(to))
}

// Ratio is a share kept as its parts, so that pages can show "12 / 40"
// and groups can be pooled by adding parts. Den 0 means no rate.
type Ratio struct {
	Num float64 `json:"num"`
	Den float64 `json:"den"`
}

// Value returns Num/Den, and false when Den is 0.
func (r Ratio) Value() (float64, bool) {
	if r.Den == 0 {
		return 0, false
	}
	return r.Num / r.Den, true
}

// Add pools two ratios: (a+c)/(b+d).
func (r Ratio) Add(o Ratio) Ratio { return Ratio{r.Num + o.Num, r.Den + o.Den} }

// Occupancy returns the share of capacity in measure m that the stays
// occupy on day at.
func Occupancy(capacity Space, stays []Stay, m Measure, at time.Time) Ratio {
	r := Ratio{Den: capacity.In(m)}
	for _, s := range stays {
		if s.Covers(at) {
			r.Num += s.Space.In(m)
		}
	}
	return r
}

// GraduationRate returns the share of the stays that ended in [from, to)
// that ended in graduation.
func GraduationRate(stays []Stay, from, to time.Time) Ratio {
	var r Ratio
	for _, s := range stays {
		if s.ExitedIn(from, to) {
			r.Den++
			if s.Graduated {
				r.Num++
			}
		}
	}
	return r
}

// Rates are one carrier's figures, or a group's pooled figures, on day At
// and over the period [From, To).
type Rates struct {
	Carriers  int `json:"carriers"`
	Tenants   int `json:"tenants"`   // in on day At
	Entered   int `json:"entered"`   // entered in the period
	Exited    int `json:"exited"`    // exited in the period
	Graduated int `json:"graduated"` // exited in the period as graduates
	// Occupancy per measure; Den 0 where no carrier has such capacity.
	Stations Ratio `json:"stations"`
	Rooms    Ratio `json:"rooms"`
	Area     Ratio `json:"area"`
	// Graduation is Graduated / Exited.
	Graduation Ratio `json:"graduation"`
}

// Occupancy returns the occupancy in measure m.
func (r Rates) Occupancy(m Measure) Ratio {
	switch m {
	case Stations:
		return r.Stations
	case Rooms:
		return r.Rooms
	}
	return r.Area
}

// CarrierRates computes one carrier's Rates from its capacity and its
// tenants' stays, on day at and over [from, to).
func CarrierRates(capacity Space, stays []Stay, at, from, to time.Time) Rates {
	r := Rates{Carriers: 1, Stations: Occupancy(capacity, stays, Stations, at), Rooms: Occupancy(capacity, stays, Rooms, at),
		Area: Occupancy(capacity, stays, Area, at), Graduation: GraduationRate(stays, from, to)}
	f, t := day(from), day(to)
	for _, s := range stays {
		if s.Covers(at) {
			r.Tenants++
		}
		if e := day(s.Entered); !e.Before(f) && e.Before(t) {
			r.Entered++
		}
	}
	r.Exited, r.Graduated = int(r.Graduation.Den), int(r.Graduation.Num)
	return r
}

// Add pools two Rates: counts add, ratios add by parts.
func (r Rates) Add(o Rates) Rates {
	return Rates{Carriers: r.Carriers + o.Carriers, Tenants: r.Tenants + o.Tenants, Entered: r.Entered + o.Entered,
		Exited: r.Exited + o.Exited, Graduated: r.Graduated + o.Graduated, Stations: r.Stations.Add(o.Stations),
		Rooms: r.Rooms.Add(o.Rooms), Area: r.Area.Add(o.Area), Graduation: r.Graduation.Add(o.Graduation)}
}

// Flow counts the tenants that left a kind of carrier for the next kind in
// a period: the movement along the chain 众创空间 → 孵化器 → 加速器 → 科技园区.
type Flow struct {
	From      string `json:"from"` // carrier kind left
	To        string `json:"to"`   // kind moved to, "" when not recorded
	Tenants   int    `json:"tenants"`
	Graduated int    `json:"graduated"`
}

// Move is one exit as Flows counts it.
type Move struct {
	From, To  string
	Exited    time.Time
	Graduated bool
}

// Flows groups the moves that exited in [from, to) by kind left and kind
// moved to, in that order.
func Flows(moves []Move, from, to time.Time) []Flow {
	byKey := map[[2]string]*Flow{}
	for _, m := range moves {
		if !(Stay{Exited: m.Exited}).ExitedIn(from, to) {
			continue
		}
		k := [2]string{m.From, m.To}
		f := byKey[k]
		if f == nil {
			f = &Flow{From: m.From, To: m.To}
			byKey[k] = f
		}
		f.Tenants++
		if m.Graduated {
			f.Graduated++
		}
	}
	out := make([]Flow, 0, len(byKey))
	for _, f := range byKey {
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b Flow) int { return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To)) })
	return out
}
