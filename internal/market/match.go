package market

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
	"kechuang/internal/search"
	"kechuang/internal/sqldb"
)

// DeclineReason is why an owner turned a proposed match down.
type DeclineReason string

// The decline reasons, in the order the form offers them.
const (
	ReasonField    DeclineReason = "field"    // 领域不符
	ReasonMaturity DeclineReason = "maturity" // 技术成熟度不够
	ReasonBudget   DeclineReason = "budget"   // 价格/预算不符
	ReasonUnclear  DeclineReason = "unclear"  // 描述不清
	ReasonRegion   DeclineReason = "region"   // 地域不合适
	ReasonSolved   DeclineReason = "solved"   // 已有方案
	ReasonOther    DeclineReason = "other"    // 其他
)

// DeclineReasons lists the reasons in display order.
var DeclineReasons = []DeclineReason{ReasonField, ReasonMaturity, ReasonBudget, ReasonUnclear, ReasonRegion, ReasonSolved, ReasonOther}

// Valid reports whether r is a decline reason.
func (r DeclineReason) Valid() bool { return slices.Contains(DeclineReasons, r) }

// Candidate kinds: a listing of the other kind, or a registered enterprise
// (proposed for achievements).
const (
	CandidateListing    = "listing"
	CandidateEnterprise = "enterprise"
)

// Decisions recorded in match_feedback.
const (
	Accepted = "accepted"
	Declined = "declined"
)

// The matching features. Each match's score is the sum over its features
// of value × weight, and every feature is shown to the owner as a reason.
const (
	FeatureText     = "text"     // BM25F over the shared technical terms
	FeatureField    = "field"    // predicted discipline agreement
	FeatureDomain   = "domain"   // the declared high-tech domains
	FeatureTRL      = "trl"      // achievement maturity against the demand's expectation
	FeatureRegion   = "region"   // same county, city, province
	FeatureMode     = "mode"     // a transaction mode both accept
	FeatureBudget   = "budget"   // asking price against the demand's budget band
	FeatureFresh    = "fresh"    // how recently the candidate was published
	FeatureDetail   = "detail"   // how completely the candidate is described
	FeatureIndustry = "industry" // enterprises: the GB/T 4754 industry
	FeatureTier     = "tier"     // enterprises: a confirmed cultivation tier
	FeatureSize     = "size"     // enterprises: the size class, how much a firm can take on
)

// baseWeights weight the features before feedback. Text and field are
// the search engine's score split in two (lexical, and discipline
// agreement × search.Weights.Topic), each divided by the best candidate's
// engine score, so together they lie in [0, 2.5] and the technical fit
// decides. The structured features add at most about 1: enough to order
// candidates of similar fit and, once an owner's declines have raised
// them, to move a candidate past a slightly closer one, never enough to
// lift an off-field listing over the field's best.
var baseWeights = map[string]float64{
	FeatureText: 2.5, FeatureField: 2.5, FeatureDomain: 0.3, FeatureTRL: 0.25, FeatureRegion: 0.15, FeatureMode: 0.1,
	FeatureBudget: 0.15, FeatureFresh: 0.05, FeatureDetail: 0.05, FeatureIndustry: 1, FeatureTier: 0.2, FeatureSize: 0.2,
	FeatureDeals: 0.2,
}

// sizeValue rates how much an enterprise of a size class can take on:
// absorbing a technology takes engineers and money that micro firms rarely
// have.
var sizeValue = map[string]float64{
	cultivation.SizeLarge: 1, cultivation.SizeMedium: 1, cultivation.SizeSmall: 0.6, cultivation.SizeMicro: 0.3,
}

// reasonFeatures says which features a decline reason strengthens: an
// owner who declines for 领域不符 wants field agreement to count more.
// 已有方案 and 其他 say nothing about the features.
var reasonFeatures = map[DeclineReason][]string{
	ReasonField:    {FeatureField, FeatureDomain, FeatureIndustry, FeaturePortfolio},
	ReasonMaturity: {FeatureTRL, FeatureStage},
	ReasonBudget:   {FeatureBudget, FeatureTicket},
	ReasonUnclear:  {FeatureDetail},
	ReasonRegion:   {FeatureRegion},
}

// Feedback steps: each decline by the same owner multiplies the reason's
// features by another ownerStep, each by another owner in the same domain
// by domainStep, up to maxBoost in all.
const (
	ownerStep  = 0.5
	domainStep = 0.15
	maxBoost   = 4.0
)

// matchPool is how many candidates the search engine proposes before the
// structured features re-rank them; MatchLimit is how many a page pages
// through.
const (
	matchPool     = 100
	MatchLimit    = 50
	MatchPerPage  = 10
	prospectScan  = 2000
	prospectLimit = 10
)

// Reason is one feature of a match, as the owner reads it.
type Reason struct {
	Feature string `json:"feature"`
	// Fit is good, partial, poor or unknown.
	Fit string `json:"fit"`
	// Value is the feature in [0, 1] (text: the lexical score); Weight the
	// weight it carried, feedback included.
	Value  float64 `json:"value"`
	Weight float64 `json:"weight"`
	// Text says it in the reader's language (see Match.Localize).
	Text string `json:"text"`
	Key  string `json:"-"`
	Args []any  `json:"-"`
}

// Match is one proposed counterpart of a listing, with its reasons.
type Match struct {
	Rank          int    `json:"rank"`
	CandidateKind string `json:"candidate_kind"`
	ID            int64  `json:"id"`
	Kind          Kind   `json:"kind,omitempty"`
	Title         string `json:"title"`
	OwnerName     string `json:"owner_name,omitempty"`
	// Anonymous marks a listing candidate published anonymously: its
	// owner name is left out (匿名发布).
	Anonymous  bool   `json:"anonymous,omitempty"`
	RegionCode string `json:"region_code"`
	Domain     string `json:"domain,omitempty"`
	Industry   string `json:"industry,omitempty"`
	Tier       string `json:"tier,omitempty"`
	Size       string `json:"size,omitempty"`
	// Subtitle is the line under a candidate's name: an expert's
	// institution and title, an investor's funds.
	Subtitle string `json:"subtitle,omitempty"`
	// InstitutionType is an institution candidate's type code.
	InstitutionType string `json:"institution_type,omitempty"`
	// Round and Amount (万元) describe a financing need proposed to an
	// investor.
	Round       string   `json:"round,omitempty"`
	Amount      float64  `json:"financing_amount,omitempty"`
	Score       float64  `json:"score"`
	SharedTerms []string `json:"shared_terms"`
	Snippet     string   `json:"snippet,omitempty"`
	Reasons     []Reason `json:"reasons"`
	// Relative is the score as a percentage of the best match's, for the
	// bar on the page.
	Relative    int `json:"-"`
	ownerID     int64
	TitleHTML   template.HTML `json:"-"`
	SnippetHTML template.HTML `json:"-"`

	// URL and Origin are a remote candidate's page at its origin and the
	// origin instance's name (CandidateRemote).
	URL    string `json:"url,omitempty"`
	Origin string `json:"origin,omitempty"`
}

// msg is a reason argument that is itself a message, translated with the
// reason.
type msg struct {
	key  string
	args []any
}

// msgKey is a msg without arguments.
func msgKey(key string) msg { return msg{key: key} }

// localize renders key with args in lang, messages among the args first.
func localize(lang, key string, args []any) string {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = localizeArg(lang, a)
	}
	return i18n.T(lang, key, out...)
}

// localizeArg renders a reason argument in lang: a message translated, a
// list joined with 、, anything else as it is.
func localizeArg(lang string, a any) any {
	switch m := a.(type) {
	case msg:
		return localize(lang, m.key, m.args)
	case listArg:
		parts := make([]string, len(m))
		for i, x := range m {
			parts[i] = fmt.Sprint(localizeArg(lang, x))
		}
		return strings.Join(parts, "、")
	}
	return a
}

// Localize fills the reasons' Text in lang.
func (m *Match) Localize(lang string) {
	for i, r := range m.Reasons {
		m.Reasons[i].Text = localize(lang, r.Key, r.Args)
	}
}

// Decision is an owner's answer to a proposed match.
type Decision struct {
	ListingID     int64         `json:"listing_id"`
	CandidateKind string        `json:"candidate_kind"`
	CandidateID   int64         `json:"candidate_id"`
	Title         string        `json:"title"`
	Decision      string        `json:"decision"`
	Reason        DeclineReason `json:"reason,omitempty"`
	Note          string        `json:"note,omitempty"`
	DealID        int64         `json:"deal_id,omitempty"`
	At            time.Time     `json:"at"`
}

// MatchPage is a listing's matches, one page of them, and the answers so far.
type MatchPage struct {
	Subject Listing `json:"listing"`
	// Topic is the subject's predicted disciplines.
	Topic       []search.Label `json:"topic"`
	Total       int            `json:"total"`
	Page        int            `json:"page"`
	PerPage     int            `json:"per_page"`
	Matches     []Match        `json:"matches"`
	Enterprises []Match        `json:"enterprises,omitempty"`
	// Experts and Institutions are the directory's people proposed for a
	// demand (its public profiles only).
	Experts      []Match    `json:"experts,omitempty"`
	Institutions []Match    `json:"institutions,omitempty"`
	Decisions    []Decision `json:"decisions"`
	// Boosts are the feature multipliers the owner's (and the domain's)
	// past declines set, only those above 1.
	Boosts map[string]float64 `json:"boosts,omitempty"`
	// CanAnswer is whether the caller may accept or decline.
	CanAnswer bool `json:"can_answer"`

	// Remote are listings of the other kind from other regions (package
	// federation), each with its origin among the reasons.
	Remote []Match `json:"remote,omitempty"`
}

// Localize fills every reason's text in lang.
func (p *MatchPage) Localize(lang string) {
	for i := range p.Matches {
		p.Matches[i].Localize(lang)
	}
	for _, list := range [][]Match{p.Enterprises, p.Experts, p.Institutions, p.Remote} {
		for i := range list {
			list[i].Localize(lang)
		}
	}
}

// Registry is where candidate enterprises come from (the cultivation
// module's enterprise registry).
type Registry interface {
	FindProspects(ctx context.Context, industry, domain string, limit int) ([]cultivation.Prospect, error)
	GetProspect(ctx context.Context, id int64) (cultivation.Prospect, error)
}

// UseRegistry makes achievements' matches include registered enterprises.
// Call it before serving.
func (s *Service) UseRegistry(r Registry) { s.registry = r }

// seesMatches reports whether the actor may see a listing's matches: its
// owner, a broker on one of its deals (not of financing needs), staff in
// its scope and the administrator.
func (s *Service) seesMatches(ctx context.Context, q sqldb.Querier, a account.Actor, l Listing) (see, answer bool, err error) {
	if isOwner(a, l) {
		return true, true, nil
	}
	if a.Role == account.RoleBroker && a.LoggedIn() && l.Kind != Financing {
		var n int
		if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM deals WHERE listing_id = ? AND broker_id = ?", l.ID, a.UserID).Scan(&n); err != nil {
			return false, false, fmt.Errorf("broker of listing: %w", err)
		}
		if n > 0 {
			return true, true, nil
		}
	}
	return canReview(a, l) || a.Role == account.RoleAdmin, false, nil
}

// CanSeeMatches reports whether the actor may open the matches of l (see
// Matches); pages use it to offer the link.
func (s *Service) CanSeeMatches(ctx context.Context, a account.Actor, l Listing) bool {
	see, _, err := s.seesMatches(ctx, s.db, a, l)
	return err == nil && see
}

// Matches ranks the counterparts of listing id for the owner, its broker
// or staff: achievements, experts and institutions for a demand; demands,
// and registered enterprises, for an achievement; investors for a
// financing need. Pairs already answered are not proposed again; the
// owner's past declines adjust the weights. Anyone else gets NotFound:
// a listing's matches are its owner's.
func (x *Indexer) Matches(ctx context.Context, a account.Actor, id int64, page int) (MatchPage, error) {
	s := x.svc
	l, err := s.GetListing(ctx, a, id)
	if err != nil {
		return MatchPage{}, err
	}
	see, answer, err := s.seesMatches(ctx, s.db, a, l)
	if err != nil {
		return MatchPage{}, err
	}
	if !see {
		return MatchPage{}, apperr.New(apperr.NotFound, "market.listing_not_found")
	}
	out := MatchPage{Subject: l, Page: max(page, 1), PerPage: MatchPerPage, CanAnswer: answer && l.State == Published,
		Matches: []Match{}}
	if l.Anonymous && l.OwnerID == 0 {
		// 匿名发布 hides the owner from this viewer (a broker of one of its
		// deals); the ranking still needs it, for the owner's own listings
		// and feedback.
		full, err := getListing(ctx, s.db, id, s.now())
		if err != nil {
			return MatchPage{}, err
		}
		l.OwnerID = full.OwnerID
	}
	if out.Decisions, err = s.decisions(ctx, l.ID); err != nil {
		return MatchPage{}, err
	}
	boosts, err := s.boosts(ctx, l.OwnerID, topDomain(l.Domain))
	if err != nil {
		return MatchPage{}, err
	}
	for f, b := range boosts {
		if b > 1 && featureRanks(f, l.Kind) {
			if out.Boosts == nil {
				out.Boosts = map[string]float64{}
			}
			out.Boosts[f] = b
		}
	}
	answered := map[string]bool{}
	for _, d := range out.Decisions {
		answered[d.CandidateKind+":"+idText(d.CandidateID)] = true
	}
	if l.Kind == Financing {
		ranked, err := s.rankInvestors(ctx, l, answered, boosts)
		if err != nil {
			return MatchPage{}, err
		}
		out.Topic, out.Total = []search.Label{}, len(ranked)
		from := min((out.Page-1)*out.PerPage, len(ranked))
		out.Matches = append(out.Matches, ranked[from:min(from+out.PerPage, len(ranked))]...)
		return out, nil
	}
	ranked, topic, err := x.rankListings(ctx, l, answered, boosts, MatchLimit)
	if err != nil {
		return MatchPage{}, err
	}
	out.Topic = topic.Disciplines
	out.Total = len(ranked)
	from := min((out.Page-1)*out.PerPage, len(ranked))
	out.Matches = append(out.Matches, ranked[from:min(from+out.PerPage, len(ranked))]...)
	if l.Kind == Achievement && s.registry != nil {
		if out.Enterprises, err = s.rankProspects(ctx, l, answered, boosts); err != nil {
			return MatchPage{}, err
		}
	}
	if l.Kind == Demand {
		if out.Experts, out.Institutions, err = x.rankPeople(ctx, l, answered, boosts); err != nil {
			return MatchPage{}, err
		}
	}
	if out.Remote, err = x.rankRemote(ctx, l, boosts); err != nil {
		return MatchPage{}, err
	}
	return out, nil
}

// featureRanks reports whether feature f ranks some candidate of a
// listing of kind k, so that its boost is worth showing.
func featureRanks(f string, k Kind) bool {
	switch f {
	case FeatureIndustry:
		return k == Achievement // only enterprises, offered for achievements
	case FeatureStage, FeatureTicket, FeaturePortfolio:
		return k == Financing
	case FeatureTRL, FeatureBudget, FeatureMode:
		return k != Financing
	}
	return true
}

// rankListings asks the search engine for the best matchPool candidates of
// the other kind and re-ranks them with the structured features. It
// returns at most limit matches and the subject's predicted topic.
func (x *Indexer) rankListings(ctx context.Context, l Listing, answered map[string]bool, boosts map[string]float64,
	limit int) ([]Match, search.Topic, error) {
	other := Achievement
	if l.Kind == Achievement {
		other = Demand
	}
	exclude := []string{docID(l.ID)}
	for k := range answered {
		if id, ok := strings.CutPrefix(k, CandidateListing+":"); ok {
			exclude = append(exclude, id)
		}
	}
	// The owner's own listings are never proposed; leaving them out here
	// rather than after ranking keeps them from crowding the pool.
	own, err := ownListings(ctx, x.svc.db, l.OwnerID, other)
	if err != nil {
		return nil, search.Topic{}, err
	}
	exclude = append(exclude, own...)
	doc := x.document(l, "")
	hits := x.ix.Match(doc, search.MatchOptions{Limit: matchPool, Filters: map[string][]string{FacetKind: {string(other)}},
		Exclude: exclude})
	var topic search.Topic
	if len(hits) > 0 {
		topic = hits[0].Explanation.Query // every hit carries the subject's topic
	} else {
		topic = x.ix.Classify(doc.Title + "\n" + strings.Join(doc.Keywords, " ") + "\n" + doc.Text)
	}
	ids := make([]int64, 0, len(hits))
	for _, h := range hits {
		if id, err := strconv.ParseInt(h.ID, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	now := x.svc.now()
	byID, err := listingsByID(ctx, x.svc.db, ids, now)
	if err != nil {
		return nil, topic, err
	}
	places, err := x.svc.places(ctx, l, byID)
	if err != nil {
		return nil, topic, err
	}
	topicW := x.ix.Weights().Topic
	best := 0.0
	for _, h := range hits {
		best = max(best, h.Score)
	}
	var out []Match
	for _, h := range hits {
		id, _ := strconv.ParseInt(h.ID, 10, 64)
		c, ok := byID[id]
		// The index may lag a write by a moment: trust the database.
		if !ok || c.State != Published || c.OwnerID == l.OwnerID {
			continue
		}
		// A bare figure (90, 30%) is not a technical term to share.
		h.Explanation.SharedTerms = slices.DeleteFunc(slices.Clone(h.Explanation.SharedTerms), isNumber)
		m := Match{CandidateKind: CandidateListing, ID: c.ID, Kind: c.Kind, Title: c.Title, OwnerName: c.OwnerName, ownerID: c.OwnerID,
			Anonymous:  c.Anonymous,
			RegionCode: c.RegionCode, Domain: c.Domain, SharedTerms: h.Explanation.SharedTerms, Snippet: h.Snippet.Text,
			TitleHTML: h.Title.HTML(), SnippetHTML: h.Snippet.HTML()}
		if m.SharedTerms == nil {
			m.SharedTerms = []string{}
		}
		if c.Anonymous {
			m.OwnerName = "" // 匿名发布: the text is matched, the owner stays hidden
		}
		m.Reasons = x.svc.listingReasons(l, c, h, topicW, best, places, now)
		m.Score = score(m.Reasons, boosts)
		out = append(out, m)
	}
	return finish(out, limit), topic, nil
}

// ownListings returns the index IDs of owner's published listings of kind k.
func ownListings(ctx context.Context, q sqldb.Querier, owner int64, k Kind) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT id FROM listings WHERE owner_id = ? AND kind = ? AND state = ?", owner, k, Published)
	if err != nil {
		return nil, fmt.Errorf("own listings: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, docID(id))
	}
	return out, rows.Err()
}

// score sums value × weight over the reasons, with the feedback boosts,
// and records the weight each reason carried.
func score(rs []Reason, boosts map[string]float64) float64 {
	total := 0.0
	for i := range rs {
		w := rs[i].Weight
		if b, ok := boosts[rs[i].Feature]; ok {
			w *= b
		}
		rs[i].Weight = round2(w)
		total += w * rs[i].Value
	}
	return math.Round(total*1e4) / 1e4
}

// finish sorts matches by score (ties by ID, so both databases give the
// same order), cuts them to limit and numbers them.
func finish(ms []Match, limit int) []Match {
	slices.SortStableFunc(ms, func(a, b Match) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if len(ms) > limit {
		ms = ms[:limit]
	}
	for i := range ms {
		ms[i].Rank = i + 1
		if ms[0].Score > 0 {
			ms[i].Relative = int(math.Round(100 * max(ms[i].Score, 0) / ms[0].Score))
		}
	}
	return ms
}

// FieldAgreeMin is the least predicted probability that both sides are of
// the same discipline (search.Explanation.TopicAgreement) for which the
// discipline reason is shown as agreeing (✓). It comes from held-out
// calibration: on the CSL dev records, each classified by a model trained
// without it, pairs predicted at 0.30–0.35 were of the same discipline 50%
// of the time and pairs at 0.35–0.40 55% (at 0.20–0.25: 34%); at or above
// 0.35 the share is 55–94% by bin, below it under a half. So ✓ means "more
// likely than not the same discipline". Measured by `bench labcollect` +
// `bench labcalib`, docs/BENCHMARKS.md (matching).
const FieldAgreeMin = 0.35

// listingReasons computes the features of candidate c for subject l.
// best is the best engine score among the candidates (> 0).
func (s *Service) listingReasons(l, c Listing, h search.Hit, topicW, best float64, places placeNames, now time.Time) []Reason {
	ex := h.Explanation
	var rs []Reason
	add := func(feature, fit string, value float64, key string, args ...any) {
		rs = append(rs, Reason{Feature: feature, Fit: fit, Value: round4(value), Weight: baseWeights[feature], Key: key, Args: args})
	}
	// Text: the engine's score without its topic part (lexical plus the
	// near-exact bonus).
	field := topicW * ex.TopicAgreement
	text := max(h.Score-field, 0) / best
	switch n := len(ex.SharedTerms); {
	case n >= 3:
		add(FeatureText, "good", text, "market.match.text", strings.Join(ex.SharedTerms, "、"))
	case n > 0:
		add(FeatureText, "partial", text, "market.match.text", strings.Join(ex.SharedTerms, "、"))
	default:
		add(FeatureText, "poor", text, "market.match.text_none")
	}
	qd, dd := topLabel(ex.Query.Disciplines), topLabel(ex.Doc.Disciplines)
	fit, key := fieldFit(ex)
	agree := int(math.Round(ex.TopicAgreement * 100))
	// The predicted high-tech domains, when both sides' disciplines point
	// to one (the same table the listing form's suggestions use).
	domains := msgKey("market.match.field_no_domains")
	if a, b := guessDomain(s.ref, ex.Query.Disciplines), guessDomain(s.ref, ex.Doc.Disciplines); a != nil && b != nil {
		domains = msg{"market.match.field_domains", []any{a.Name, b.Name}}
	}
	add(FeatureField, fit, field/best, key, qd, dd, agree, domains)
	rs = append(rs, domainReason(l.Domain, c.Domain))
	d, a := l, c
	if l.Kind == Achievement {
		d, a = c, l
	}
	switch want := d.TRL; {
	case want == 0:
		add(FeatureTRL, "unknown", 0.5, "market.match.trl_open", a.TRL)
	case a.TRL >= want:
		add(FeatureTRL, "good", 1, "market.match.trl_good", a.TRL, want)
	case a.TRL == want-1:
		add(FeatureTRL, "partial", 0.4, "market.match.trl_near", a.TRL, want)
	default:
		add(FeatureTRL, "poor", 0, "market.match.trl_poor", a.TRL, want)
	}
	rs = append(rs, regionReason(l.RegionCode, c.RegionCode, places))
	var common []string
	for _, m := range c.Modes {
		if slices.Contains(l.Modes, m) {
			common = append(common, s.ref.ModeName(m))
		}
	}
	if len(common) > 0 {
		add(FeatureMode, "good", 1, "market.match.mode_common", strings.Join(common, "、"))
	} else {
		add(FeatureMode, "poor", 0, "market.match.mode_none", s.modeNames(d.Modes), s.modeNames(a.Modes))
	}
	budget, hasBudget := s.ref.Band(d.Band)
	switch {
	case a.Price == nil || !hasBudget || d.Band == Negotiable:
		add(FeatureBudget, "unknown", 0.5, "market.match.budget_open", s.priceText(a.Price), s.ref.BandName(d.Band))
	case budget.Max == 0 || *a.Price <= budget.Max:
		add(FeatureBudget, "good", 1, "market.match.budget_good", s.priceText(a.Price), budget.Name)
	case *a.Price <= 1.5*budget.Max:
		add(FeatureBudget, "partial", 0.4, "market.match.budget_near", s.priceText(a.Price), budget.Name)
	default:
		add(FeatureBudget, "poor", 0, "market.match.budget_poor", s.priceText(a.Price), budget.Name)
	}
	days := int(now.Sub(c.PublishedAt).Hours() / 24)
	fresh := 1 - float64(days)/365
	switch {
	case days <= 30:
		add(FeatureFresh, "good", 1, "market.match.fresh", days)
	case fresh > 0.5:
		add(FeatureFresh, "partial", fresh, "market.match.fresh", days)
	default:
		add(FeatureFresh, "poor", max(fresh, 0), "market.match.fresh", days)
	}
	detail := completeness(c)
	switch {
	case detail >= 0.75:
		add(FeatureDetail, "good", detail, "market.match.detail_good")
	case detail >= 0.5:
		add(FeatureDetail, "partial", detail, "market.match.detail_partial")
	default:
		add(FeatureDetail, "poor", detail, "market.match.detail_poor")
	}
	return rs
}

// fieldFit grades the discipline reason: good (✓) only at an agreement of
// FieldAgreeMin or more; the same top discipline or category with less is
// partial, anything else poor. It returns the fit and the message key.
func fieldFit(ex search.Explanation) (fit, key string) {
	switch {
	case ex.TopicAgreement >= FieldAgreeMin:
		return "good", "market.match.field_good"
	case ex.SameDiscipline:
		// Both read first as the same discipline, but with too little
		// confidence for a ✓ (a 21% agreement was once shown with one).
		return "partial", "market.match.field_weak"
	case ex.SameCategory:
		return "partial", "market.match.field_partial"
	}
	return "poor", "market.match.field_poor"
}

// domainReason compares the declared high-tech domains: the same
// second level, the same top level, or neither.
func domainReason(subject, cand string) Reason {
	r := Reason{Feature: FeatureDomain, Weight: baseWeights[FeatureDomain]}
	switch {
	case cand != "" && cand == subject:
		r.Fit, r.Value, r.Key, r.Args = "good", 1, "market.match.domain_same", []any{cand}
	case cand != "" && topDomain(cand) == topDomain(subject):
		r.Fit, r.Value, r.Key, r.Args = "partial", 0.7, "market.match.domain_top", []any{topDomain(cand)}
	default:
		r.Fit, r.Value, r.Key, r.Args = "poor", 0, "market.match.domain_other", []any{subject, cand}
	}
	return r
}

// regionReason places the candidate against the subject: the same county,
// city (first four digits of the division code) or province (first two),
// or elsewhere.
func regionReason(subject, cand string, places placeNames) Reason {
	r := Reason{Feature: FeatureRegion, Weight: baseWeights[FeatureRegion]}
	same := func(n int) bool { return len(cand) == 6 && len(subject) == 6 && cand[:n] == subject[:n] }
	switch {
	case same(6):
		r.Fit, r.Value, r.Key, r.Args = "good", 1, "market.match.region_county", []any{places.name(cand)}
	case same(4):
		r.Fit, r.Value, r.Key, r.Args = "good", 0.6, "market.match.region_city", []any{places.name(cand[:4] + "00")}
	case same(2):
		r.Fit, r.Value, r.Key, r.Args = "partial", 0.3, "market.match.region_province", []any{places.name(cand[:2] + "0000"), places.name(cand)}
	default:
		r.Fit, r.Value, r.Key, r.Args = "poor", 0, "market.match.region_far", []any{places.name(cand)}
	}
	return r
}

// completeness scores how fully a listing is described: a summary of some
// length, keywords, and the kind's own details.
func completeness(l Listing) float64 {
	v := 0.0
	if n := utf8.RuneCountInString(l.Summary); n >= 150 {
		v += 0.5
	} else {
		v += 0.5 * float64(n) / 150
	}
	if len(l.Keywords) >= 2 {
		v += 0.25
	}
	switch {
	case l.Kind == Achievement && (len(l.IP) > 0 || l.Team != ""):
		v += 0.25
	case l.Kind == Demand && utf8.RuneCountInString(l.Expected) >= 30:
		v += 0.25
	}
	return v
}

func (s *Service) modeNames(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = s.ref.ModeName(c)
	}
	return strings.Join(names, "、")
}

func (s *Service) priceText(p *float64) string {
	if p == nil {
		return s.ref.BandName(Negotiable)
	}
	return formatWan(*p) + " 万元"
}

func topLabel(ls []search.Label) string {
	if len(ls) == 0 {
		return "—"
	}
	return ls[0].Name
}

func topDomain(d string) string {
	top, _, _ := strings.Cut(d, "/")
	return top
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

// placeNames maps region codes to names for the reasons.
type placeNames map[string]string

func (p placeNames) name(code string) string {
	if n, ok := p[code]; ok {
		return n
	}
	return code
}

// places looks up the names of the counties, cities and provinces the
// reasons may mention.
func (s *Service) places(ctx context.Context, l Listing, cands map[int64]Listing) (placeNames, error) {
	codes := map[string]bool{}
	withParents(codes, l.RegionCode)
	for _, c := range cands {
		withParents(codes, c.RegionCode)
	}
	names, err := s.regionNames(ctx, codes)
	return placeNames(names), err
}

// withParents adds a county code and its city's and province's to codes.
func withParents(codes map[string]bool, c string) {
	if len(c) == 6 {
		codes[c], codes[c[:4]+"00"], codes[c[:2]+"0000"] = true, true, true
	}
}

// boosts returns the feature multipliers set by past declines of the
// owner and, more weakly, of other owners in the same domain.
func (s *Service) boosts(ctx context.Context, ownerID int64, domain string) (map[string]float64, error) {
	counts := func(query string, args ...any) (map[DeclineReason]int, error) {
		return countBy[DeclineReason](ctx, s.db, "feedback counts", query, args...)
	}
	own, err := counts("SELECT reason, COUNT(*) FROM match_feedback WHERE decision = ? AND owner_id = ? GROUP BY reason", Declined, ownerID)
	if err != nil {
		return nil, err
	}
	others, err := counts(`SELECT reason, COUNT(*) FROM match_feedback WHERE decision = ? AND domain = ? AND owner_id <> ?
		GROUP BY reason`, Declined, domain, ownerID)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, r := range DeclineReasons {
		for _, f := range reasonFeatures[r] {
			b := out[f]
			if b == 0 {
				b = 1
			}
			out[f] = min(maxBoost, b+ownerStep*float64(own[r])+domainStep*float64(others[r]))
		}
	}
	return out, nil
}

// decisions lists the answers given for a listing, newest first.
func (s *Service) decisions(ctx context.Context, listingID int64) ([]Decision, error) {
	// An expert's name shows only while the expert consents to it.
	rows, err := s.db.QueryContext(ctx, `SELECT f.candidate_kind, f.candidate_id, f.decision, f.reason, f.note,
		COALESCE(f.deal_id, 0), f.created_at, COALESCE(l.title, e.name, x.name, i.name, NULLIF(u.display_name, ''), u.username, '')
		FROM match_feedback f
		LEFT JOIN listings l ON f.candidate_kind = 'listing' AND l.id = f.candidate_id
		LEFT JOIN enterprises e ON f.candidate_kind = 'enterprise' AND e.id = f.candidate_id
		LEFT JOIN experts x ON f.candidate_kind = 'expert' AND x.id = f.candidate_id AND x.consent_fields LIKE '%,name,%'
		LEFT JOIN institutions i ON f.candidate_kind = 'institution' AND i.id = f.candidate_id
		LEFT JOIN users u ON f.candidate_kind = 'investor' AND u.id = f.candidate_id
		WHERE f.listing_id = ? ORDER BY f.id DESC`, listingID)
	if err != nil {
		return nil, fmt.Errorf("match decisions: %w", err)
	}
	defer rows.Close()
	out := []Decision{}
	for rows.Next() {
		d := Decision{ListingID: listingID}
		var at sqldb.Time
		if err := rows.Scan(&d.CandidateKind, &d.CandidateID, &d.Decision, &d.Reason, &d.Note, &d.DealID, &at, &d.Title); err != nil {
			return nil, err
		}
		d.At = at.Time
		out = append(out, d)
	}
	return out, rows.Err()
}

// rankProspects ranks registered enterprises for an achievement by
// industry, domain, region and tier.
func (s *Service) rankProspects(ctx context.Context, l Listing, answered map[string]bool, boosts map[string]float64) ([]Match, error) {
	ps, err := s.registry.FindProspects(ctx, l.Industry, l.Domain, prospectScan)
	if err != nil {
		return nil, err
	}
	codes := map[string]bool{}
	withParents(codes, l.RegionCode)
	for _, p := range ps {
		withParents(codes, p.RegionCode)
	}
	names, err := s.regionNames(ctx, codes)
	if err != nil {
		return nil, err
	}
	places := placeNames(names)
	out := []Match{}
	for _, p := range ps {
		if answered[CandidateEnterprise+":"+idText(p.ID)] {
			continue
		}
		m := Match{CandidateKind: CandidateEnterprise, ID: p.ID, Title: p.Name, RegionCode: p.RegionCode, Domain: p.Domain,
			Industry: p.Industry, Tier: p.Tier, Size: p.Size, SharedTerms: []string{}}
		m.Reasons = s.prospectReasons(l, p, places)
		m.Score = score(m.Reasons, boosts)
		out = append(out, m)
	}
	return finish(out, prospectLimit), nil
}

func (s *Service) prospectReasons(l Listing, p cultivation.Prospect, places placeNames) []Reason {
	var rs []Reason
	add := func(feature, fit string, value float64, key string, args ...any) {
		rs = append(rs, Reason{Feature: feature, Fit: fit, Value: value, Weight: baseWeights[feature], Key: key, Args: args})
	}
	switch {
	case l.Industry != "" && p.Industry == l.Industry:
		add(FeatureIndustry, "good", 1, "market.match.industry_same", p.Industry+" "+s.ref.SectionName(p.Industry))
	case l.Industry != "" && p.Industry != "" && p.Industry[:1] == l.Industry[:1]:
		add(FeatureIndustry, "partial", 0.4, "market.match.industry_section", s.ref.SectionName(p.Industry[:1]))
	default:
		add(FeatureIndustry, "poor", 0, "market.match.industry_other", p.Industry)
	}
	rs = append(rs, domainReason(l.Domain, p.Domain), regionReason(l.RegionCode, p.RegionCode, places))
	if p.Tier != "" {
		add(FeatureTier, "good", 1, "market.match.tier", p.Tier)
	} else {
		add(FeatureTier, "unknown", 0, "market.match.tier_none")
	}
	switch v, ok := sizeValue[p.Size]; {
	case !ok:
		add(FeatureSize, "unknown", 0.5, "market.match.size_unknown")
	case v >= 1:
		add(FeatureSize, "good", v, "market.match.size", msgKey("market.match.size."+p.Size))
	default:
		add(FeatureSize, "partial", v, "market.match.size", msgKey("market.match.size."+p.Size))
	}
	return rs
}
