package web

import (
	"html/template"

	"kechuang/internal/market"
)

// marketModule is the technology market (科技大市场): listings and their
// workflow, review, attachments, notices, search and its export, imports,
// matching, deals and brokers, contracts and statistics — pages and API.
func (s *Server) marketModule() module {
	return module{Key: "market", Path: "/market", Order: 10, Card: true, Ready: true, Visible: everyone,
		Funcs: template.FuncMap{"bandLabel": bandLabel, "contractTypeLabel": contractTypeLabel},
		Routes: func(rt *router) {
			// Listings, their workflow and review.
			rt.open("GET /market", s.handleMarketHome)
			rt.open("GET /market/listings/{id}", s.handleMarketListing)
			rt.signedIn("GET /market/new", s.handleMarketNew)
			rt.signedIn("POST /market/listings", s.handleMarketCreate)
			rt.signedIn("GET /market/listings/{id}/edit", s.handleMarketEdit)
			rt.signedIn("POST /market/listings/{id}", s.handleMarketUpdate)
			rt.signedIn("POST /market/listings/{id}/{action}", s.handleMarketListingAction)
			rt.signedIn("GET /market/mine", s.handleMarketMine)
			rt.signedIn("GET /market/review", s.handleMarketReview)
			rt.signedIn("POST /market/suggest", s.handleMarketSuggest)
			for _, k := range market.Kinds {
				base := apiBase(k)
				rt.api("GET "+base, s.handleAPIListings(k))
				rt.api("POST "+base, s.handleAPIListingCreate(k))
				rt.api("GET "+base+"/{id}", s.handleAPIListing(k))
				rt.api("PUT "+base+"/{id}", s.handleAPIListingUpdate(k))
				for _, action := range marketActions {
					if action == "reveal" && k == market.Financing {
						continue
					}
					rt.api("POST "+base+"/{id}/"+action, s.handleAPIListingAction(k, action))
				}
			}
			rt.api("GET /api/v1/market/reference", s.handleAPIMarketReference)
			rt.api("POST /api/v1/suggest", s.handleAPISuggest)

			// Attachments.
			rt.signedIn("POST /market/listings/{id}/attachments", s.handleMarketAttach, bodyLimit(uploadBodyBytes))
			rt.open("GET /market/attachments/{id}", s.handleMarketAttachment)
			rt.signedIn("POST /market/attachments/{id}/delete", s.handleMarketDetach)

			// The investment pipeline of financing needs.
			rt.signedIn("POST /market/listings/{id}/interests", s.handleMarketInterestCreate)
			rt.signedIn("GET /market/interests", s.handleMarketInterests)
			rt.signedIn("GET /market/interests/{id}", s.handleMarketInterest)
			rt.signedIn("POST /market/interests/{id}/{action}", s.handleMarketInterestAction)
			rt.api("GET /api/v1/financing/{id}/interests", s.handleAPIFinancingInterests)
			rt.api("POST /api/v1/financing/{id}/interests", s.handleAPIInterestCreate)
			rt.api("GET /api/v1/investment-interests", s.handleAPIInterests)
			rt.api("GET /api/v1/investment-interests/{id}", s.handleAPIInterest)
			for _, action := range market.InterestActions {
				rt.api("POST /api/v1/investment-interests/{id}/"+action, s.handleAPIInterestStep(action))
			}

			// Search and its export.
			rt.open("GET /market/search", s.handleMarketSearch)
			rt.signedIn("GET /market/search.xlsx", s.handleMarketSearchExport)
			rt.api("GET /api/v1/search", s.handleAPISearch)

			// Imports.
			rt.importRoutes(s.marketImport())

			// Matching.
			rt.signedIn("GET /market/listings/{id}/matches", s.handleMarketMatches)
			rt.signedIn("POST /market/listings/{id}/matches/{kind}/{candidate}/{answer}", s.handleMarketMatchAnswer)
			rt.signedIn("GET /market/matches", s.handleMarketNewMatches)
			rt.signedIn("GET /market/matches/stats", s.handleMarketMatchStats)
			rt.signedIn("POST /market/matches/notices", s.handleMarketMatchNotices)
			rt.signedIn("GET /market/financing-matches", s.handleMarketFinancingMatches)
			rt.api("GET /api/v1/me/financing-matches", s.handleAPIFinancingMatches)
			for _, k := range market.Kinds {
				base := apiBase(k) + "/{id}/matches"
				rt.api("GET "+base, s.handleAPIMatches(k))
				rt.api("POST "+base+"/{kind}/{candidate}/accept", s.handleAPIMatchAnswer(k, market.Accepted))
				rt.api("POST "+base+"/{kind}/{candidate}/decline", s.handleAPIMatchAnswer(k, market.Declined))
			}
			rt.api("GET /api/v1/me/match-notices", s.handleAPIMatchNotices)
			rt.api("PUT /api/v1/me/match-notices", s.handleAPIMatchNotices)
			rt.api("GET /api/v1/matches/new", s.handleAPINewMatches)
			rt.api("GET /api/v1/stats/matches", s.handleAPIMatchStats)

			// Deals and brokers.
			rt.signedIn("GET /market/deals", s.handleMarketDeals)
			rt.signedIn("POST /market/deals", s.handleMarketDealCreate)
			rt.signedIn("GET /market/deals/{id}", s.handleMarketDeal)
			rt.signedIn("POST /market/deals/{id}/{action}", s.handleMarketDealAction)
			rt.signedIn("GET /market/brokers", s.handleMarketBrokers)
			rt.signedIn("GET /market/brokers/{id}", s.handleMarketBroker)
			rt.api("GET /api/v1/deals", s.handleAPIDeals)
			rt.api("POST /api/v1/deals", s.handleAPIDealCreate)
			rt.api("GET /api/v1/deals/{id}", s.handleAPIDeal)
			for _, action := range market.DealActions {
				rt.api("POST /api/v1/deals/{id}/"+action, s.handleAPIDealAction(action))
			}
			rt.api("GET /api/v1/brokers", s.handleAPIBrokers)
			rt.api("GET /api/v1/brokers/{id}", s.handleAPIBroker)

			// Contracts and statistics.
			rt.signedIn("GET /market/contracts", s.handleMarketContracts)
			rt.signedIn("GET /market/contracts/new", s.handleMarketContractNew)
			rt.signedIn("POST /market/contracts", s.handleMarketContractCreate)
			rt.signedIn("GET /market/stats", s.handleMarketStats)
			rt.signedIn("GET /market/stats.xlsx", s.handleMarketStatsExport)
			rt.api("GET /api/v1/contracts", s.handleAPIContracts)
			rt.api("POST /api/v1/contracts", s.handleAPIContractCreate)
			rt.api("GET /api/v1/contracts/{id}", s.handleAPIContract)
			rt.api("GET /api/v1/stats/contracts", s.handleAPIContractStats)
		}}
}

// apiBase is the API collection of listings of kind k: /api/v1/achievements,
// /api/v1/demands and /api/v1/financing.
func apiBase(k market.Kind) string {
	if k == market.Financing {
		return "/api/v1/financing"
	}
	return "/api/v1/" + string(k) + "s"
}
