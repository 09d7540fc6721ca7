package market

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"kechuang/internal/directory"
	"kechuang/internal/search"
	"kechuang/internal/sqldb"
)

// Candidate kinds from the directory: experts and institutions (proposed
// for demands) and investors (for financing needs).
const (
	CandidateExpert      = "expert"
	CandidateInstitution = "institution"
	CandidateInvestor    = "investor"
)

// CandidateKinds lists every kind of candidate an answer may name.
var CandidateKinds = []string{CandidateListing, CandidateEnterprise, CandidateExpert, CandidateInstitution, CandidateInvestor}

// FeatureDeals rates a person's past deals: technology deals signed or
// registered by the accounts that act for the expert or institution.
const FeatureDeals = "deals"

// peopleLimit is how many experts, and how many institutions, a demand's
// matches page shows.
const peopleLimit = 10

// Directory is where matching finds people: the directory's experts and
// institutions for demands and its investors for financing needs, as
// every member sees them. *directory.Service implements it; the wiring
// passes it in (UseDirectory).
type Directory interface {
	MatchProfiles(ctx context.Context) ([]directory.MatchProfile, error)
	InvestorProfiles(ctx context.Context) ([]directory.InvestorProfile, error)
}

// UseDirectory makes demands' matches include experts and institutions
// and financing needs' matches propose investors. Call it before serving.
func (s *Service) UseDirectory(d Directory) { s.people = d }

// peopleIndex is a search index of the directory's experts and
// institutions, derived from the database like the listing index and
// rebuilt when what it would hold changes.
type peopleIndex struct {
	mu  sync.Mutex
	key [sha256.Size]byte
	ix  *search.Index
}

// person is an expert or institution with the text it is matched on.
type person struct {
	directory.MatchProfile
	// Listings are the titles of the published achievements of its
	// accounts (institutions).
	Listings []string
}

func personID(kind string, id int64) string { return kind + ":" + idText(id) }

// document is what the people index holds of p: its keywords and
// disciplines, its research text or summary, its achievements.
func (p person) document() search.Document {
	kw := append(slices.Clone(p.Keywords), p.Disciplines...)
	kw = append(kw, p.Domains...)
	text := []string{p.Text}
	text = append(text, p.Achievements...)
	text = append(text, p.Listings...)
	return search.Document{ID: personID(p.Type, p.ID), Keywords: kw, Text: strings.Join(text, "\n"),
		Facets: map[string][]string{"type": {p.Type}}}
}

// people loads the directory's profiles with their institutions'
// published achievements, and the index over them, rebuilt only when
// they changed since the last call.
func (x *Indexer) people(ctx context.Context) (*search.Index, map[string]person, error) {
	s := x.svc
	profiles, err := s.people.MatchProfiles(ctx)
	if err != nil {
		return nil, nil, err
	}
	titles, err := achievementTitles(ctx, s.db)
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]person{}
	docs := make([]search.Document, 0, len(profiles))
	for _, p := range profiles {
		q := person{MatchProfile: p}
		if p.Type == directory.TypeInstitution {
			for _, a := range p.Accounts {
				q.Listings = append(q.Listings, titles[a]...)
			}
		}
		d := q.document()
		byID[d.ID] = q
		docs = append(docs, d)
	}
	b, err := json.Marshal(docs)
	if err != nil {
		return nil, nil, err
	}
	key := sha256.Sum256(b)
	px := &x.peopleIx
	px.mu.Lock()
	defer px.mu.Unlock()
	if px.ix == nil || px.key != key {
		ix, err := search.New(search.Options{Weights: x.ix.Weights()})
		if err != nil {
			return nil, nil, err
		}
		if err := ix.PutAll(docs, 2); err != nil {
			return nil, nil, fmt.Errorf("index people: %w", err)
		}
		px.ix, px.key = ix, key
	}
	return px.ix, byID, nil
}

// achievementTitles maps owners to the titles and summaries of their
// published achievements.
func achievementTitles(ctx context.Context, q sqldb.Querier) (map[int64][]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT owner_id, title, summary FROM listings WHERE kind = ? AND state = ? ORDER BY id",
		Achievement, Published)
	if err != nil {
		return nil, fmt.Errorf("achievements of owners: %w", err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var owner int64
		var title, summary string
		if err := rows.Scan(&owner, &title, &summary); err != nil {
			return nil, err
		}
		out[owner] = append(out[owner], title+"。"+summary)
	}
	return out, rows.Err()
}

// pastDeals counts, per account, the technology deals signed or
// registered on its listings or by it.
func pastDeals(ctx context.Context, q sqldb.Querier) (map[int64]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT l.owner_id, COALESCE(d.member_id, 0) FROM deals d JOIN listings l ON l.id = d.listing_id
		WHERE d.state IN (?, ?)`, DealSigned, DealRegistered)
	if err != nil {
		return nil, fmt.Errorf("past deals: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var owner, member int64
		if err := rows.Scan(&owner, &member); err != nil {
			return nil, err
		}
		out[owner]++
		if member != owner {
			out[member]++
		}
	}
	return out, rows.Err()
}

// rankPeople ranks the experts and institutions for demand l: the search
// engine's BM25F and discipline agreement over their public profiles,
// then declared domains, region, past deals and how fully the profile is
// filled in. Answered pairs are left out.
func (x *Indexer) rankPeople(ctx context.Context, l Listing, answered map[string]bool, boosts map[string]float64) (experts, insts []Match, err error) {
	if x.svc.people == nil {
		return nil, nil, nil
	}
	pix, profiles, err := x.people(ctx)
	if err != nil {
		return nil, nil, err
	}
	deals, err := pastDeals(ctx, x.svc.db)
	if err != nil {
		return nil, nil, err
	}
	var exclude []string
	for k := range answered {
		if strings.HasPrefix(k, CandidateExpert+":") || strings.HasPrefix(k, CandidateInstitution+":") {
			exclude = append(exclude, k)
		}
	}
	slices.Sort(exclude)
	doc := x.document(l, "")
	codes := map[string]bool{}
	withParents(codes, l.RegionCode)
	for _, p := range profiles {
		withParents(codes, p.RegionCode)
	}
	names, err := x.svc.regionNames(ctx, codes)
	if err != nil {
		return nil, nil, err
	}
	places := placeNames(names)
	topicW := pix.Weights().Topic
	rank := func(kind string) []Match {
		hits := pix.Match(doc, search.MatchOptions{Limit: matchPool, Filters: map[string][]string{"type": {kind}}, Exclude: exclude})
		// A few dozen profiles say little about which words are common:
		// the market's index does (技术 and 生产 explain no match).
		type cand struct {
			h      search.Hit
			p      person
			shared []string
			lex    float64
		}
		var cands []cand
		best := 0.0
		for _, h := range hits {
			p, ok := profiles[h.ID]
			if !ok {
				continue
			}
			c := cand{h: h, p: p, shared: []string{}}
			for _, t := range h.Explanation.SharedTerms {
				if x.ix.Specific(t) {
					c.shared = append(c.shared, t)
				}
			}
			if len(c.shared) > 0 {
				c.lex = max(h.Score-topicW*h.Explanation.TopicAgreement, 0)
				best = max(best, c.lex)
			} else if h.Explanation.TopicAgreement < peopleMinAgreement && !declaresTop(p, h.Explanation) {
				continue // nothing in common worth proposing
			}
			cands = append(cands, c)
		}
		out := []Match{}
		for _, c := range cands {
			p, h := c.p, c.h
			h.Explanation.SharedTerms = c.shared
			m := Match{CandidateKind: kind, ID: p.ID, Title: p.Name, Subtitle: p.subtitle(), RegionCode: p.RegionCode,
				SharedTerms: c.shared, Snippet: h.Snippet.Text, SnippetHTML: h.Snippet.HTML()}
			if kind == CandidateInstitution {
				m.InstitutionType = p.Kind
			}
			if len(p.Domains) > 0 {
				m.Domain = p.Domains[0]
			}
			n := 0
			for _, a := range p.Accounts {
				n += deals[a]
			}
			// Relative to the best candidate, and scaled by how many
			// specific terms are shared: one common word with the only
			// candidate in the pool is not a full match.
			text := 0.0
			if best > 0 {
				text = c.lex / best * min(1, float64(len(c.shared))/peopleFullTerms)
			}
			m.Reasons = x.svc.personReasons(l, p, h, text, n, places)
			m.Score = score(m.Reasons, boosts)
			out = append(out, m)
		}
		return finish(out, peopleLimit)
	}
	return rank(CandidateExpert), rank(CandidateInstitution), nil
}

// subtitle is the line under an expert's name: the institution and
// title, as far as consented.
func (p person) subtitle() string {
	parts := []string{}
	for _, v := range []string{p.Affiliation, p.Title} {
		if v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, " · ")
}

// peopleFullTerms is how many specific shared terms give a person the
// full text score.
const peopleFullTerms = 4

// peopleMinAgreement is the least discipline agreement for which a
// person who shares no specific term with a demand is still proposed.
const peopleMinAgreement = 0.1

// declaresTop reports whether p declares the discipline the demand most
// likely belongs to.
func declaresTop(p person, ex search.Explanation) bool {
	return len(ex.Query.Disciplines) > 0 && slices.Contains(p.Disciplines, ex.Query.Disciplines[0].Name)
}

// personReasons computes the features of an expert or institution for
// demand l. text is the lexical score over the specific shared terms,
// divided by the best candidate's and scaled by their number; discipline agreement counts as the
// probability itself, not relative to the others, so that a small pool
// of far-off profiles does not look close.
func (s *Service) personReasons(l Listing, p person, h search.Hit, text float64, deals int, places placeNames) []Reason {
	ex := h.Explanation
	var rs []Reason
	add := func(feature, fit string, value float64, key string, args ...any) {
		rs = append(rs, Reason{Feature: feature, Fit: fit, Value: round4(value), Weight: baseWeights[feature], Key: key, Args: args})
	}
	switch n := len(ex.SharedTerms); {
	case n >= 3:
		add(FeatureText, "good", text, "market.match.text", strings.Join(ex.SharedTerms, "、"))
	case n > 0:
		add(FeatureText, "partial", text, "market.match.text", strings.Join(ex.SharedTerms, "、"))
	default:
		add(FeatureText, "poor", text, "market.match.text_none")
	}
	fit, key := fieldFit(ex)
	value := ex.TopicAgreement
	declared := msgKey("market.match.field_no_domains")
	if len(p.Disciplines) > 0 {
		declared = msg{"market.match.field_declared", []any{strings.Join(p.Disciplines, "、")}}
		// A declared discipline equal to the demand's most likely one
		// counts as agreement a person confirmed.
		if fit != "good" && declaresTop(p, ex) {
			fit, key, value = "partial", "market.match.field_declared_top", max(value, FieldAgreeMin)
		}
	}
	add(FeatureField, fit, value, key, topLabel(ex.Query.Disciplines), topLabel(ex.Doc.Disciplines),
		int(ex.TopicAgreement*100+0.5), declared)
	if p.Type == directory.TypeInstitution {
		rs = append(rs, domainReason(l.Domain, closestDomain(l.Domain, p.Domains)))
	}
	if p.RegionCode == "" {
		add(FeatureRegion, "unknown", 0, "market.match.region_unknown")
	} else {
		rs = append(rs, regionReason(l.RegionCode, p.RegionCode, places))
	}
	switch {
	case deals >= 3:
		add(FeatureDeals, "good", 1, "market.match.deals", deals)
	case deals > 0:
		add(FeatureDeals, "partial", float64(deals)/3, "market.match.deals", deals)
	default:
		add(FeatureDeals, "unknown", 0, "market.match.deals_none")
	}
	detail := p.completeness()
	switch {
	case detail >= 0.75:
		add(FeatureDetail, "good", detail, "market.match.profile_good")
	case detail >= 0.5:
		add(FeatureDetail, "partial", detail, "market.match.profile_partial")
	default:
		add(FeatureDetail, "poor", detail, "market.match.profile_poor")
	}
	return rs
}

// closestDomain picks, of a candidate's declared domains, the one nearest
// to the subject's: the same, the same top level, else the first.
func closestDomain(subject string, domains []string) string {
	for _, d := range domains {
		if d == subject {
			return d
		}
	}
	for _, d := range domains {
		if topDomain(d) == topDomain(subject) {
			return d
		}
	}
	if len(domains) > 0 {
		return domains[0]
	}
	return ""
}

// completeness scores how fully a profile is filled in: a research text
// or summary of some length, keywords or disciplines, achievements.
func (p person) completeness() float64 {
	v := 0.0
	if n := utf8.RuneCountInString(p.Text); n >= 60 {
		v += 0.5
	} else {
		v += 0.5 * float64(n) / 60
	}
	if len(p.Keywords)+len(p.Disciplines) >= 2 {
		v += 0.25
	}
	if len(p.Achievements)+len(p.Listings) > 0 {
		v += 0.25
	}
	return v
}

// findPerson returns the expert or institution an answer names, as
// members see it, or nil.
func (s *Service) findPerson(ctx context.Context, kind string, id int64) (*person, error) {
	if s.people == nil || (kind != CandidateExpert && kind != CandidateInstitution) {
		return nil, nil
	}
	profiles, err := s.people.MatchProfiles(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range profiles {
		if p.Type == kind && p.ID == id {
			return &person{MatchProfile: p}, nil
		}
	}
	return nil, nil
}
