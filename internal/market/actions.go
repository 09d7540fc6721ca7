package market

import "kechuang/internal/audit"

func init() {
	audit.RegisterActions("listing.create", "listing.update", "listing.import", "listing.attach", "listing.detach",
		"listing.expiry_notice", "contract.register", "deal.create", "match.propose", "match.notices",
		"match."+Accepted, "match."+Declined)
	// The workflow steps of Service.run.
	audit.RegisterActions("listing.submit", "listing.approve", "listing.return", "listing.withdraw", "listing.close", "listing.renew",
		"listing.reveal")
	audit.RegisterActions("investment.express")
	for _, a := range InterestActions {
		audit.RegisterActions("investment." + a)
	}
	for _, a := range DealActions {
		audit.RegisterActions("deal." + a)
	}
}
