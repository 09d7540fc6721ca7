package market

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strconv"

	"kechuang/internal/search"
)

// CandidateRemote is a listing of another region: one package federation
// received from a peer instance and keeps read-only. It is proposed with
// its origin and cannot be accepted or declined here (interest goes to
// its origin).
const CandidateRemote = "remote"

// FeatureOrigin names the region a remote candidate comes from. It is a
// reason to read, not a score: its weight is 0.
const FeatureOrigin = "origin"

// remoteLimit is how many listings of other regions a matches page shows.
const remoteLimit = 10

// RemoteCandidate is a listing of another region as matching sees it.
type RemoteCandidate struct {
	// ID is the remote listing's id here; URL its page at its origin.
	ID  int64
	URL string
	// OriginName and OriginRegion name the origin instance and its home
	// region code.
	OriginName, OriginRegion string
	// Listing holds its public fields (Kind, Title, Summary, Expected,
	// Keywords, Domain, Industry, TRL, Modes, Band, Price, RegionCode,
	// OwnerName, PublishedAt); its ID is the origin's.
	Listing Listing
}

// Remote is where matching finds other regions' listings: package
// federation implements it over the listings its peers sent; the wiring
// passes it in (UseRemote).
type Remote interface {
	// RemoteCandidates lists the published, unexpired remote listings of
	// kind k.
	RemoteCandidates(ctx context.Context, k Kind) ([]RemoteCandidate, error)
}

// remoteSource is the Remote with the search index over its listings,
// rebuilt only when they changed since the last call.
type remoteSource struct {
	src Remote
	ix  peopleIndex
}

// UseRemote makes a demand's matches include the achievements of other
// regions, and an achievement's the demands of other regions. Call it
// before serving.
func (s *Service) UseRemote(r Remote) { s.remote = &remoteSource{src: r} }

func remoteDocID(id int64) string { return "r" + strconv.FormatInt(id, 10) }

// rankRemote ranks the other regions' listings of the other kind for l by
// the same features as local ones (rankListings), with the origin named
// first among the reasons: "来自 苏州市 的成果". As for people, the pool is
// small, so only terms the market's own index finds specific count as
// shared, and a candidate that shares none and hardly agrees in
// discipline is left out.
func (x *Indexer) rankRemote(ctx context.Context, l Listing, boosts map[string]float64) ([]Match, error) {
	s := x.svc
	if s.remote == nil || l.Kind == Financing {
		return nil, nil
	}
	other := Achievement
	if l.Kind == Achievement {
		other = Demand
	}
	cands, err := s.remote.src.RemoteCandidates(ctx, other)
	if err != nil || len(cands) == 0 {
		return nil, err
	}
	byDoc := map[string]RemoteCandidate{}
	docs := make([]search.Document, 0, len(cands))
	for _, c := range cands {
		d := x.document(c.Listing, "")
		d.ID = remoteDocID(c.ID)
		byDoc[d.ID] = c
		docs = append(docs, d)
	}
	b, err := json.Marshal(docs)
	if err != nil {
		return nil, err
	}
	key := sha256.Sum256(b)
	rx := &s.remote.ix
	rx.mu.Lock()
	if rx.ix == nil || rx.key != key {
		ix, err := search.New(search.Options{Weights: x.ix.Weights()})
		if err == nil {
			err = ix.PutAll(docs, 2)
		}
		if err != nil {
			rx.mu.Unlock()
			return nil, fmt.Errorf("index remote listings: %w", err)
		}
		rx.ix, rx.key = ix, key
	}
	rix := rx.ix
	rx.mu.Unlock()

	hits := rix.Match(x.document(l, ""), search.MatchOptions{Limit: matchPool})
	codes := map[string]bool{}
	withParents(codes, l.RegionCode)
	for _, c := range cands {
		withParents(codes, c.Listing.RegionCode)
		withParents(codes, c.OriginRegion)
		if len(c.OriginRegion) == 6 {
			codes[c.OriginRegion] = true
		}
	}
	names, err := s.regionNames(ctx, codes)
	if err != nil {
		return nil, err
	}
	places := placeNames(names)
	topicW := rix.Weights().Topic
	type cand struct {
		h search.Hit
		c RemoteCandidate
	}
	var kept []cand
	best := 0.0
	for _, h := range hits {
		c, ok := byDoc[h.ID]
		if !ok {
			continue
		}
		var shared []string
		for _, t := range h.Explanation.SharedTerms {
			if x.ix.Specific(t) {
				shared = append(shared, t)
			}
		}
		if len(shared) == 0 && h.Explanation.TopicAgreement < FieldAgreeMin {
			continue // nothing in common worth proposing
		}
		h.Explanation.SharedTerms = shared
		best = max(best, h.Score)
		kept = append(kept, cand{h, c})
	}
	now := s.now()
	out := []Match{}
	for _, k := range kept {
		h, c := k.h, k.c
		m := Match{CandidateKind: CandidateRemote, ID: c.ID, Kind: c.Listing.Kind, Title: c.Listing.Title, OwnerName: c.Listing.OwnerName,
			RegionCode: c.Listing.RegionCode, Domain: c.Listing.Domain, SharedTerms: h.Explanation.SharedTerms, Snippet: h.Snippet.Text,
			TitleHTML: h.Title.HTML(), SnippetHTML: h.Snippet.HTML(), URL: c.URL, Origin: c.OriginName}
		if m.SharedTerms == nil {
			m.SharedTerms = []string{}
		}
		origin := c.OriginName
		if n, ok := names[c.OriginRegion]; ok {
			origin = n
		}
		m.Reasons = append([]Reason{{Feature: FeatureOrigin, Fit: "unknown", Key: "market.match.origin",
			Args: []any{origin, msgKey("market.kind." + string(c.Listing.Kind))}}},
			s.listingReasons(l, c.Listing, h, topicW, best, places, now)...)
		m.Score = score(m.Reasons, boosts)
		out = append(out, m)
	}
	return finish(out, remoteLimit), nil
}
