package cultivation

import "kechuang/internal/pii"

// The registry's columns of personal data, sealed at rest (package pii).
var (
	enterprisePhone = pii.Column{Table: "enterprises", Name: "contact_phone"}
	enterpriseEmail = pii.Column{Table: "enterprises", Name: "contact_email"}
)

// SealedColumns are the registry's columns holding personal data: the
// wiring seals their legacy plain text at start (pii.SealAll).
var SealedColumns = []pii.Column{enterprisePhone, enterpriseEmail, objectionContact}

// MaskContact returns e with its contact phone and e-mail masked
// (pii.MaskPhone, pii.MaskEmail), as lists and exports show them.
func (e Enterprise) MaskContact() Enterprise {
	e.ContactPhone, e.ContactEmail = pii.MaskPhone(e.ContactPhone), pii.MaskEmail(e.ContactEmail)
	return e
}
