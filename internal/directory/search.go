package directory

import (
	"context"
	"fmt"

	"kechuang/internal/account"
)

// The record types of the directory search.
const (
	TypeInstitution = "institution"
	TypeExpert      = "expert"
	TypeServiceOrg  = "service_org"
	TypeCarrier     = "carrier"
	TypeFund        = "fund"
)

// SearchTypes lists the record types the search covers, in display order.
var SearchTypes = []string{TypeInstitution, TypeExpert, TypeServiceOrg, TypeCarrier, TypeFund}

// SearchFilter is one directory search.
type SearchFilter struct {
	// Query is matched as a part of the name (and, for carriers and funds,
	// of the operator or manager), as each Find method does.
	Query  string
	Type   string // one of SearchTypes; "" searches every type
	Region string // region prefix
	Paging        // pages the hits of Type, or the first page of each type
}

// SearchHit is one record found.
type SearchHit struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Kind is the record's type code in its own reference list
	// (institution type, carrier kind, …), "" for experts.
	Kind       string `json:"kind,omitempty"`
	RegionCode string `json:"region_code,omitempty"`
}

// Facet is the number of records of one type that match.
type Facet struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// SearchResult is the hits of one search with the count per type.
type SearchResult struct {
	Hits   []SearchHit `json:"hits"`
	Facets []Facet     `json:"facets"`
	Total  int         `json:"total"`
}

// Search finds records of every type (or of f.Type) the actor may see
// whose name matches f.Query, with the number per type. It is the union of
// the Find methods with the same visibility rules (an expert's withheld
// fields never match): a name search, not a ranked full-text one. Without
// f.Type each type contributes the first f.PerPage of its hits.
func (s *Service) Search(ctx context.Context, a account.Actor, f SearchFilter) (SearchResult, error) {
	f.Paging.Normalize()
	out := SearchResult{Hits: []SearchHit{}, Facets: []Facet{}}
	for _, typ := range SearchTypes {
		p := Paging{Page: 1, PerPage: f.PerPage}
		if f.Type != "" {
			if typ != f.Type {
				continue
			}
			p = f.Paging
		}
		hits, n, err := s.searchType(ctx, a, typ, f, p)
		if err != nil {
			return SearchResult{}, fmt.Errorf("search %s: %w", typ, err)
		}
		out.Hits = append(out.Hits, hits...)
		out.Facets = append(out.Facets, Facet{Type: typ, Count: n})
		out.Total += n
	}
	return out, nil
}

func (s *Service) searchType(ctx context.Context, a account.Actor, typ string, f SearchFilter, p Paging) ([]SearchHit, int, error) {
	var hits []SearchHit
	switch typ {
	case TypeInstitution:
		list, n, err := s.FindInstitutions(ctx, a, InstitutionFilter{Query: f.Query, Region: f.Region, Paging: p})
		for _, x := range list {
			hits = append(hits, SearchHit{Type: typ, ID: x.ID, Name: x.Name, Kind: x.Type, RegionCode: x.RegionCode})
		}
		return hits, n, err
	case TypeExpert:
		list, n, err := s.FindExperts(ctx, a, ExpertFilter{Query: f.Query, Region: f.Region, Paging: p})
		for _, x := range list {
			hits = append(hits, SearchHit{Type: typ, ID: x.ID, Name: x.Name, RegionCode: x.RegionCode})
		}
		return hits, n, err
	case TypeServiceOrg:
		list, n, err := s.FindServiceOrgs(ctx, a, ServiceOrgFilter{Query: f.Query, Region: f.Region, Paging: p})
		for _, x := range list {
			hits = append(hits, SearchHit{Type: typ, ID: x.ID, Name: x.Name, Kind: x.Type, RegionCode: x.RegionCode})
		}
		return hits, n, err
	case TypeCarrier:
		list, n, err := s.FindCarriers(ctx, a, CarrierFilter{Query: f.Query, Region: f.Region, Paging: p})
		for _, x := range list {
			hits = append(hits, SearchHit{Type: typ, ID: x.ID, Name: x.Name, Kind: x.Kind, RegionCode: x.RegionCode})
		}
		return hits, n, err
	case TypeFund:
		list, n, err := s.FindFunds(ctx, a, FundFilter{Query: f.Query, Region: f.Region, Paging: p})
		for _, x := range list {
			hits = append(hits, SearchHit{Type: typ, ID: x.ID, Name: x.Name, Kind: x.Type, RegionCode: x.RegionCode})
		}
		return hits, n, err
	}
	return nil, 0, fmt.Errorf("unknown type %q", typ)
}
