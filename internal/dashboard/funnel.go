package dashboard

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// The stages of the conversion funnel.
const (
	StagePublished   = "published"
	StageInterest    = "interest"
	StageNegotiation = "negotiation"
	StageSigned      = "signed"
	StageRegistered  = "registered"
)

// FunnelStages lists the stages in their order.
var FunnelStages = []string{StagePublished, StageInterest, StageNegotiation, StageSigned, StageRegistered}

// The market's own funnel dimensions; modules add theirs with Grouper.
const (
	ByCounty  = "county"
	ByBroker  = "broker"
	ByListing = "listing"
)

// Grouper is a funnel dimension of another module: it puts deals into
// groups (the event module: the 路演 or 对接会 a deal came from).
type Grouper interface {
	// Dimension is the dimension's code (the value of ?by=).
	Dimension() string
	// Groups assigns deals to groups: the group key of each deal it
	// knows (others are left out) and each group's name.
	Groups(ctx context.Context, dealIDs []int64) (groupOf map[int64]string, names map[string]string, err error)
}

// Stage is one stage of a funnel.
//
// The funnel follows the listings published in the period. Published
// counts listings, every later stage counts deals (one per interested
// party) that reached the stage, whenever they reached it: a deal signed
// without a recorded negotiation has passed negotiation too. Rate is the
// share that reached the stage of those in the stage before, in percent,
// except at interest, where it is the share of published listings with at
// least one interest. MedianDays is the median time the stage took:
// published → first contact of each deal, contact → negotiation,
// negotiation (or contact) → signing, signing → registration.
type Stage struct {
	Stage      string   `json:"stage"`
	Count      int      `json:"count"`
	Rate       *float64 `json:"rate"`
	MedianDays *float64 `json:"median_days"`
}

// FunnelRow is the funnel of one group (a county, broker, listing …) or
// of all of them.
type FunnelRow struct {
	Key    string  `json:"key"`
	Name   string  `json:"name"`
	Stages []Stage `json:"stages"`
}

// FunnelReport is the funnel of a period and scope by one dimension.
type FunnelReport struct {
	Period string      `json:"period"`
	By     string      `json:"by"`
	Scope  Area        `json:"scope"`
	Total  FunnelRow   `json:"total"`
	Rows   []FunnelRow `json:"rows"`
}

// FunnelDimensions lists the dimensions the funnel can be grouped by:
// the market's and those of the registered groupers.
func (s *Service) FunnelDimensions() []string {
	out := []string{ByCounty, ByBroker, ByListing}
	for _, g := range s.groupers {
		out = append(out, g.Dimension())
	}
	return out
}

// maxFunnelRows caps the rows of a funnel by broker or listing: the groups
// with most interest first.
const maxFunnelRows = 100

// Funnel computes the conversion funnel of q's period and scope grouped
// by dimension by. Errors as Summary; an unknown dimension is Invalid.
func (s *Service) Funnel(ctx context.Context, a account.Actor, q Query, by string) (FunnelReport, error) {
	if !slices.Contains(s.FunnelDimensions(), by) {
		return FunnelReport{}, apperr.Fields(apperr.Field("by", "dashboard.dimension_invalid", by))
	}
	sc, err := s.resolve(ctx, a, q.Scope)
	if err != nil {
		return FunnelReport{}, err
	}
	d, err := s.loadFunnel(ctx, sc.counties, q.Period)
	if err != nil {
		return FunnelReport{}, err
	}
	rep := FunnelReport{Period: q.Period.String(), By: by, Scope: sc.area, Total: d.row("", "", d.deals, d.publishedTotal()),
		Rows: []FunnelRow{}}
	rep.Total.Name = sc.area.Name
	groups := map[string][]funnelDeal{}
	names := map[string]string{}
	published := map[string]int{}
	switch by {
	case ByCounty:
		for _, c := range sc.visible {
			groups[c.Code], names[c.Code] = nil, c.Name
			published[c.Code] = d.published[c.Code]
		}
		for _, x := range d.deals {
			groups[x.county] = append(groups[x.county], x)
		}
	case ByBroker:
		for _, x := range d.deals {
			if x.broker == 0 {
				continue
			}
			k := strconv.FormatInt(x.broker, 10)
			groups[k], names[k] = append(groups[k], x), x.brokerName
		}
	case ByListing:
		for _, x := range d.deals {
			k := strconv.FormatInt(x.listing, 10)
			groups[k], names[k] = append(groups[k], x), x.title
			published[k] = 1
		}
	default:
		var g Grouper
		for _, x := range s.groupers {
			if x.Dimension() == by {
				g = x
			}
		}
		ids := make([]int64, len(d.deals))
		for i, x := range d.deals {
			ids[i] = x.id
		}
		groupOf, gnames, err := g.Groups(ctx, ids)
		if err != nil {
			return FunnelReport{}, fmt.Errorf("funnel groups %s: %w", by, err)
		}
		for _, x := range d.deals {
			if k, ok := groupOf[x.id]; ok {
				groups[k], names[k] = append(groups[k], x), gnames[k]
			}
		}
	}
	for k, deals := range groups {
		p, ok := published[k]
		if !ok { // broker and other groups: the listings their deals are on
			seen := map[int64]bool{}
			for _, x := range deals {
				seen[x.listing] = true
			}
			p = len(seen)
		}
		rep.Rows = append(rep.Rows, d.row(k, names[k], deals, p))
	}
	sort.Slice(rep.Rows, func(i, j int) bool {
		a, b := rep.Rows[i].Stages, rep.Rows[j].Stages
		if by == ByCounty {
			return rep.Rows[i].Key < rep.Rows[j].Key
		}
		if a[1].Count != b[1].Count {
			return a[1].Count > b[1].Count
		}
		return rep.Rows[i].Key < rep.Rows[j].Key
	})
	if len(rep.Rows) > maxFunnelRows {
		rep.Rows = rep.Rows[:maxFunnelRows]
	}
	return rep, nil
}

// totalFunnel is the funnel of the counties in period p, all together.
func (s *Service) totalFunnel(ctx context.Context, counties []string, p Period) (FunnelRow, error) {
	d, err := s.loadFunnel(ctx, counties, p)
	if err != nil {
		return FunnelRow{}, err
	}
	return d.row("", "", d.deals, d.publishedTotal()), nil
}

type funnelDeal struct {
	id, listing, broker int64
	county, title       string
	brokerName          string
	published, created  time.Time
	negotiated, signed  time.Time
	registered          time.Time
	reachedNegotiation  bool
	reachedSigned       bool
	reachedRegistered   bool
}

type funnelData struct {
	published map[string]int // listings published in the period, by county
	deals     []funnelDeal
}

func (d funnelData) publishedTotal() int {
	n := 0
	for _, v := range d.published {
		n += v
	}
	return n
}

// inList returns "col IN (?, ?, …)" and its arguments.
func inList(col string, vals []string) (string, []any) {
	if len(vals) == 0 {
		return "1 = 0", nil
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ") + ")", args
}

// loadFunnel reads the listings published in p in the counties, their
// deals and the first time each deal reached each stage, or returns what
// it read less than the cache's time ago (see Service.series).
func (s *Service) loadFunnel(ctx context.Context, counties []string, p Period) (funnelData, error) {
	key := p.String() + "/" + strings.Join(counties, ",")
	s.mu.Lock()
	c, ok := s.funnels[key]
	ttl := s.cacheTTL
	s.mu.Unlock()
	if ok && time.Since(c.at) < ttl {
		return c.data, nil
	}
	d, err := s.readFunnel(ctx, counties, p)
	if err != nil || ttl == 0 {
		return d, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, old := range s.funnels {
		if time.Since(old.at) >= ttl {
			delete(s.funnels, k)
		}
	}
	s.funnels[key] = cachedFunnel{at: time.Now(), data: d}
	return d, nil
}

type cachedFunnel struct {
	at   time.Time
	data funnelData
}

// readFunnel is loadFunnel without the cache.
func (s *Service) readFunnel(ctx context.Context, counties []string, p Period) (funnelData, error) {
	d := funnelData{published: map[string]int{}}
	from := p.From() + "T00:00:00.000000Z"
	last, _ := time.Parse("2006-01-02", p.To())
	to := sqldb.FormatTime(last.AddDate(0, 0, 1))
	cond, cargs := inList("l.region_code", counties)
	args := append([]any{from, to}, cargs...)
	// From the (published_at, region_code) index alone; SQLite left to
	// itself reads the counties' listings through listings_region_state.
	rows, err := s.db.QueryContext(ctx, `SELECT l.region_code, COUNT(*) FROM `+
		indexed(s.db, "listings l", "listings_published_region")+`
		WHERE l.published_at >= ? AND l.published_at < ? AND `+cond+` GROUP BY l.region_code`, args...)
	if err != nil {
		return d, fmt.Errorf("funnel listings: %w", err)
	}
	for rows.Next() {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			rows.Close()
			return d, err
		}
		d.published[code] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	rows, err = s.db.QueryContext(ctx, `SELECT d.id, d.listing_id, COALESCE(d.broker_id, 0), COALESCE(u.display_name, ''),
		l.region_code, l.title, l.published_at, d.created_at
		FROM deals d JOIN listings l ON l.id = d.listing_id LEFT JOIN users u ON u.id = d.broker_id
		WHERE l.published_at >= ? AND l.published_at < ? AND `+cond+` ORDER BY d.id`, args...)
	if err != nil {
		return d, fmt.Errorf("funnel deals: %w", err)
	}
	byID := map[int64]int{}
	for rows.Next() {
		var x funnelDeal
		var pub, created sqldb.Time
		if err := rows.Scan(&x.id, &x.listing, &x.broker, &x.brokerName, &x.county, &x.title, &pub, &created); err != nil {
			rows.Close()
			return d, err
		}
		x.published, x.created = pub.Time, created.Time
		byID[x.id] = len(d.deals)
		d.deals = append(d.deals, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	if len(d.deals) == 0 {
		return d, nil
	}
	// The steps of the deals read above, from the (deal_id, to_state, at)
	// index (0059) in its order, so that grouping needs no sort; the ids
	// only bound the range, the deals read above choose the rows.
	lo, hi := d.deals[0].id, d.deals[0].id
	for _, x := range d.deals {
		lo, hi = min(lo, x.id), max(hi, x.id)
	}
	rows, err = s.db.QueryContext(ctx, `SELECT deal_id, to_state, MIN(at) FROM `+
		indexed(s.db, "deal_events", "deal_events_deal_state_at")+`
		WHERE deal_id >= ? AND deal_id <= ? AND to_state IN (?, ?, ?) GROUP BY deal_id, to_state`,
		lo, hi, string(market.DealNegotiating), string(market.DealSigned), string(market.DealRegistered))
	if err != nil {
		return d, fmt.Errorf("funnel events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var st string
		var at sqldb.Time
		if err := rows.Scan(&id, &st, &at); err != nil {
			return d, err
		}
		i, ok := byID[id]
		if !ok {
			continue
		}
		x := &d.deals[i]
		switch market.DealState(st) {
		case market.DealNegotiating:
			x.negotiated = at.Time
		case market.DealSigned:
			x.signed = at.Time
		case market.DealRegistered:
			x.registered = at.Time
		}
	}
	if err := rows.Err(); err != nil {
		return d, err
	}
	for i := range d.deals {
		x := &d.deals[i]
		x.reachedRegistered = !x.registered.IsZero()
		x.reachedSigned = x.reachedRegistered || !x.signed.IsZero()
		x.reachedNegotiation = x.reachedSigned || !x.negotiated.IsZero()
	}
	return d, nil
}

// row computes the stages of deals on published listings.
func (d funnelData) row(key, name string, deals []funnelDeal, published int) FunnelRow {
	counts := [5]int{published}
	var days [5][]float64
	withInterest := map[int64]bool{}
	for _, x := range deals {
		counts[1]++
		withInterest[x.listing] = true
		days[1] = append(days[1], daysBetween(x.published, x.created))
		if x.reachedNegotiation {
			counts[2]++
			if !x.negotiated.IsZero() {
				days[2] = append(days[2], daysBetween(x.created, x.negotiated))
			}
		}
		if x.reachedSigned {
			counts[3]++
			if !x.signed.IsZero() {
				start := x.created
				if !x.negotiated.IsZero() {
					start = x.negotiated
				}
				days[3] = append(days[3], daysBetween(start, x.signed))
			}
		}
		if x.reachedRegistered {
			counts[4]++
			if !x.signed.IsZero() {
				days[4] = append(days[4], daysBetween(x.signed, x.registered))
			}
		}
	}
	r := FunnelRow{Key: key, Name: name}
	for i, st := range FunnelStages {
		stage := Stage{Stage: st, Count: counts[i], MedianDays: median(days[i])}
		switch {
		case i == 1 && published > 0:
			stage.Rate = ptr(round2(float64(len(withInterest)) / float64(published) * 100))
		case i > 1 && counts[i-1] > 0:
			stage.Rate = ptr(round2(float64(counts[i]) / float64(counts[i-1]) * 100))
		}
		r.Stages = append(r.Stages, stage)
	}
	return r
}

// daysBetween is the time from a to b in days, one decimal; never
// negative (a record dated before its listing's publication counts 0).
func daysBetween(a, b time.Time) float64 {
	if a.IsZero() || b.IsZero() || b.Before(a) {
		return 0
	}
	return round1(b.Sub(a).Hours() / 24)
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }

// median is the median of vs, nil when empty.
func median(vs []float64) *float64 {
	if len(vs) == 0 {
		return nil
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return ptr(s[n/2])
	}
	return ptr(round2((s[n/2-1] + s[n/2]) / 2))
}
