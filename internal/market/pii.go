package market

import "kechuang/internal/pii"

// The market's columns of personal data, sealed at rest (package pii).
var (
	listingPhone = pii.Column{Table: "listings", Name: "contact_phone"}
	listingEmail = pii.Column{Table: "listings", Name: "contact_email"}
	dealPhone    = pii.Column{Table: "deals", Name: "contact_phone"}
	dealEmail    = pii.Column{Table: "deals", Name: "contact_email"}
)

// SealedColumns are the market's columns holding personal data: the
// wiring seals their legacy plain text at start (pii.SealAll).
var SealedColumns = []pii.Column{listingPhone, listingEmail, dealPhone, dealEmail}

// Masked returns the contact with its phone and e-mail masked
// (pii.MaskPhone, pii.MaskEmail), as lists show it.
func (c Contact) Masked() Contact {
	c.Phone, c.Email = pii.MaskPhone(c.Phone), pii.MaskEmail(c.Email)
	return c
}
