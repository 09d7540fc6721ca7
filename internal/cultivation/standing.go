package cultivation

import "time"

// CertificateState is one certificate with its validity as of a date.
// Until is the last valid day; it is zero when the validity is not known
// (a title the ladder does not rate, given without an expiry), and such a
// certificate is taken as valid.
type CertificateState struct {
	Type         string `json:"type"`
	Issued       Date   `json:"issued"`
	Until        Date   `json:"until"`
	CalendarYear bool   `json:"calendar_year"`    // valid for its registration year (科技型中小企业)
	Revoked      Date   `json:"revoked,omitzero"` // the day it was revoked (撤销), if it was
	Valid        bool   `json:"valid"`
	Tier         string `json:"tier,omitempty"`   // the ladder tier the certificate proves, if any
	Number       string `json:"number,omitempty"` // registry number (入库登记编号), if a round issued one
}

// Expired reports whether the certificate is past its validity (a
// certificate not yet issued on the date is neither valid nor expired).
func (c CertificateState) Expired(asOf time.Time) bool {
	return !c.Valid && !c.Issued.After(asOf)
}

// certificateUntil returns the last valid day of cert under rule r, zero
// when unknown or permanent. It is the same arithmetic the engine applies
// (evalCtx.hasCertificate): an explicit Expires wins; 科技型中小企业 lasts its
// registration year (criteria.md §1, "登记编号当年有效"); a 高企 or 梯度培育
// title three years from issue (criteria.md §2, §3).
//
// A revoked certificate is valid up to the day before its revocation.
func certificateUntil(cert Certificate, r certRule) Date {
	until := validUntil(cert, r)
	if !cert.Revoked.IsZero() {
		if last := cert.Revoked.AddDate(0, 0, -1); until.IsZero() || last.Before(until.Time) {
			return Date{last}
		}
	}
	return until
}

func validUntil(cert Certificate, r certRule) Date {
	switch {
	case !cert.Expires.IsZero():
		return cert.Expires
	case r.Permanent:
		return Date{}
	case r.CalendarYear:
		return Date{time.Date(cert.Issued.Year(), 12, 31, 0, 0, 0, 0, time.UTC)}
	case r.ValidYears > 0:
		return Date{cert.Issued.AddDate(r.ValidYears, 0, -1)}
	}
	return Date{}
}

// ladderCert returns the ladder step a certificate type proves, or -1.
func ladderCert(typ string) int {
	for k, step := range ladder {
		if step.cert.Type != "" && step.cert.Type == typ {
			return k
		}
	}
	return -1
}

// CertificateStates returns each certificate with its validity on asOf, in
// the order given. Titles off the ladder are rated by their Expires alone.
func CertificateStates(certs []Certificate, asOf time.Time) []CertificateState {
	out := make([]CertificateState, 0, len(certs))
	for _, c := range certs {
		st := CertificateState{Type: c.Type, Issued: c.Issued, Number: c.Number, Revoked: c.Revoked}
		var r certRule
		if k := ladderCert(c.Type); k >= 0 {
			r = ladder[k].cert
			st.Tier = ladder[k].tier
		}
		st.Until = certificateUntil(c, r)
		st.CalendarYear = r.CalendarYear && c.Expires.IsZero()
		st.Valid = !c.Issued.After(asOf) && (st.Until.IsZero() || asOf.Before(st.Until.AddDate(0, 0, 1)))
		out = append(out, st)
	}
	return out
}

// Standing is where an enterprise stands on the ladder on a date: the one
// answer every page and count uses for "its tier". A valid certificate is a
// fact, so the firm stands at least at the highest tier a valid certificate
// proves; a tier staff confirmed counts when it is higher (confirmation
// decides only the rungs above what the certificates prove). A listed firm
// stands at 已上市. Tier is "" when the firm holds no valid ladder
// certificate and no confirmed tier (未入库).
type Standing struct {
	Tier         string             `json:"tier"`
	Basis        string             `json:"basis"` // "certificate:high-tech", "confirmed", "listed" or "" (未入库)
	Confirmed    string             `json:"confirmed"`
	Certificates []CertificateState `json:"certificates"`
}

// TierRank orders tiers as Tiers does; "" (未入库) ranks below 种子 and an
// unknown tier below that.
func TierRank(t string) int {
	if t == "" {
		return -1
	}
	for i, x := range Tiers {
		if x == t {
			return i
		}
	}
	return -2
}

// StandingOf places a firm from its certificates, its confirmed tier and
// whether it is listed, as of asOf.
func StandingOf(certs []Certificate, confirmed string, listed bool, asOf time.Time) Standing {
	s := Standing{Confirmed: confirmed, Certificates: CertificateStates(certs, asOf)}
	if listed {
		s.Tier, s.Basis = TierListed, "listed"
		return s
	}
	for _, c := range s.Certificates {
		if c.Valid && c.Tier != "" && TierRank(c.Tier) > TierRank(s.Tier) {
			s.Tier, s.Basis = c.Tier, "certificate:"+c.Type
		}
	}
	if confirmed != "" && TierRank(confirmed) > TierRank(s.Tier) {
		s.Tier, s.Basis = confirmed, "confirmed"
	}
	return s
}

// Standing returns the enterprise's standing on asOf (see StandingOf).
func (e Enterprise) Standing(asOf time.Time) Standing {
	return StandingOf(e.Certificates, e.Tier, e.Listed, asOf)
}

// PendingProposal reports the tier the last assessment proposes above the
// enterprise's standing on asOf, "" when there is none (never assessed, or
// the proposal is at or below what it already holds).
func (e Enterprise) PendingProposal(asOf time.Time) string {
	if e.ProposedTier == "" || TierRank(e.ProposedTier) <= TierRank(e.Standing(asOf).Tier) {
		return ""
	}
	return e.ProposedTier
}
