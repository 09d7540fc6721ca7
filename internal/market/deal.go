package market

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/apperr"
	"kechuang/internal/pii"
)

// DealState is where a deal (技术交易) is in its course.
type DealState string

// The deal states: 意向 → 洽谈 → 签约 → 已登记, or 终止 from any state
// that is not final.
const (
	DealIntent      DealState = "intent"      // 意向
	DealNegotiating DealState = "negotiating" // 洽谈
	DealSigned      DealState = "signed"      // 签约
	DealRegistered  DealState = "registered"  // 已登记
	DealTerminated  DealState = "terminated"  // 终止
)

// DealStates lists the states in their order.
var DealStates = []DealState{DealIntent, DealNegotiating, DealSigned, DealRegistered, DealTerminated}

// Valid reports whether s is a deal state.
func (s DealState) Valid() bool {
	for _, x := range DealStates {
		if s == x {
			return true
		}
	}
	return false
}

// Final reports whether no step leads out of s.
func (s DealState) Final() bool { return s == DealRegistered || s == DealTerminated }

// Completed reports whether the deal was concluded: signed, or signed and
// registered. Broker statistics count these and sum their amounts.
func (s DealState) Completed() bool { return s == DealSigned || s == DealRegistered }

// The deal actions, each at POST /api/v1/deals/{id}/{action}.
const (
	DealNegotiate    = "negotiate"
	DealSign         = "sign"
	DealRegister     = "register"
	DealTerminate    = "terminate"
	DealAssignBroker = "assign-broker"
	// DealForward passes a held interest in an anonymous listing on to
	// its owner (the broker or staff in scope); DealReveal is the owner of
	// an anonymous listing showing itself to the other side of one deal.
	DealForward = "forward"
	DealReveal  = "reveal"
)

// DealActions lists every action a deal knows.
var DealActions = []string{DealNegotiate, DealSign, DealRegister, DealTerminate, DealAssignBroker, DealForward, DealReveal}

// Deal is a member's interest in a published listing and the negotiation
// that follows, between the listing's owner and that member, optionally
// handled by a broker. Amount is in 万元.
type Deal struct {
	ID           int64     `json:"id"`
	ListingID    int64     `json:"listing_id"`
	ListingTitle string    `json:"listing_title"`
	ListingKind  Kind      `json:"listing_kind"`
	RegionCode   string    `json:"region_code"`
	OwnerID      int64     `json:"owner_id"`
	OwnerName    string    `json:"owner_name"`
	MemberID     int64     `json:"member_id"`
	MemberName   string    `json:"member_name"`
	BrokerID     int64     `json:"broker_id,omitempty"`
	BrokerName   string    `json:"broker_name,omitempty"`
	State        DealState `json:"state"`
	Message      string    `json:"message"`
	Contact      Contact   `json:"contact"`
	Amount       *float64  `json:"amount,omitempty"`
	ContractID   int64     `json:"contract_id,omitempty"`
	// ContractNumber is the registered contract's 登记编号.
	ContractNumber string    `json:"contract_number,omitempty"`
	Reason         string    `json:"reason,omitempty"`
	SignedAt       time.Time `json:"signed_at,omitzero"`
	ClosedAt       time.Time `json:"closed_at,omitzero"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	// Anonymous is set while the listing's owner is hidden from the
	// interested member: the listing is anonymous and its owner has not
	// revealed itself on the listing or in this deal. The member then
	// reads OwnerID and OwnerName empty, and the owner's history rows
	// without a name.
	Anonymous bool `json:"anonymous,omitempty"`
	// Held is set while an interest in an anonymous listing waits for its
	// broker or the region's staff to forward it (DealForward): until then
	// the owner neither sees the deal nor takes part in it.
	Held            bool      `json:"held,omitempty"`
	ForwardedAt     time.Time `json:"forwarded_at,omitzero"`
	OwnerRevealedAt time.Time `json:"owner_revealed_at,omitzero"`
	// Events is the history, oldest first; GetDeal fills it.
	Events []DealEvent `json:"events,omitempty"`

	// Remote is the federated counterpart when the interested member is
	// of another instance (MemberID is then 0; see OpenRemoteDeal).
	Remote *RemoteMember `json:"remote_member,omitempty"`
}

// DealEvent is one step in a deal's history.
type DealEvent struct {
	ID        int64     `json:"id"`
	DealID    int64     `json:"deal_id"`
	Action    string    `json:"action"`
	From      DealState `json:"from,omitempty"`
	To        DealState `json:"to"`
	ActorID   int64     `json:"actor_id,omitempty"`
	ActorName string    `json:"actor_name,omitempty"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
}

// DealInput is what a member writes to express interest in a listing.
type DealInput struct {
	ListingID int64   `json:"listing_id"`
	Message   string  `json:"message"`
	Contact   Contact `json:"contact"`
}

// Limits on deal text, in characters.
const (
	maxDealMessage = 2000
	maxDealNote    = 1000
)

// normalize trims the input.
func (in *DealInput) normalize() {
	in.Message = normalizeText(in.Message)
	in.Contact.Name = strings.TrimSpace(in.Contact.Name)
	in.Contact.Phone = strings.TrimSpace(in.Contact.Phone)
	in.Contact.Email = strings.TrimSpace(in.Contact.Email)
}

// validate returns every bad field at once, or nil.
func (in DealInput) validate() error {
	var errs []apperr.FieldError
	switch {
	case in.Message == "":
		errs = append(errs, apperr.Field("message", "error.required"))
	case utf8.RuneCountInString(in.Message) > maxDealMessage:
		errs = append(errs, apperr.Field("message", "error.too_long", maxDealMessage))
	case htmlTag.MatchString(in.Message):
		errs = append(errs, apperr.Field("message", "market.no_html"))
	}
	switch {
	case in.Contact.Name == "":
		errs = append(errs, apperr.Field("contact_name", "error.required"))
	case utf8.RuneCountInString(in.Contact.Name) > 50:
		errs = append(errs, apperr.Field("contact_name", "error.too_long", 50))
	}
	if in.Contact.Phone == "" && in.Contact.Email == "" {
		errs = append(errs, apperr.Field("contact_phone", "market.contact_required"))
	}
	if in.Contact.Phone != "" && !phoneRE.MatchString(in.Contact.Phone) {
		errs = append(errs, apperr.Field("contact_phone", "market.phone_bad"))
	}
	switch {
	case utf8.RuneCountInString(in.Contact.Email) > maxEmail:
		errs = append(errs, apperr.Field("contact_email", "error.too_long", maxEmail))
	case in.Contact.Email != "" && !emailRE.MatchString(in.Contact.Email):
		errs = append(errs, apperr.Field("contact_email", "market.email_bad"))
	case pii.IsMasked(in.Contact.Email):
		errs = append(errs, apperr.Field("contact_email", "error.contact_masked"))
	}
	if len(errs) > 0 {
		return apperr.Fields(errs...)
	}
	return nil
}

// DealStep is what one action on a deal carries: a note for the history,
// the reason (terminate, required), the amount in 万元 (sign, required),
// the registered contract (register, optional) and the broker
// (assign-broker, required).
type DealStep struct {
	Note       string   `json:"note"`
	Reason     string   `json:"reason"`
	Amount     *float64 `json:"amount"`
	ContractID int64    `json:"contract_id"`
	BrokerID   int64    `json:"broker_id"`
}

func validAmount(v *float64) bool {
	return v != nil && *v > 0 && *v <= 1e7 && !math.IsNaN(*v) && !math.IsInf(*v, 0)
}

// DealFilter selects deals. Zero fields do not filter.
type DealFilter struct {
	State     DealState
	ListingID int64
	BrokerID  int64
	Region    string // staff: a region inside their scope
	// Role narrows a member's deals to those where the actor is the
	// listing's "owner", the interested "member" or the "broker".
	Role    string
	Page    int
	PerPage int
}

// Normalize clamps paging.
func (f *DealFilter) Normalize() {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage < 1 {
		f.PerPage = 20
	}
	if f.PerPage > 100 {
		f.PerPage = 100
	}
}

// BrokerStats is a broker's profile with the deals it handles: how many,
// how many were completed (signed or registered) and their amounts in 万元.
type BrokerStats struct {
	ID           int64   `json:"id"`
	Username     string  `json:"username"`
	Name         string  `json:"name"`
	Organization string  `json:"organization,omitempty"`
	RegionCode   string  `json:"region_code,omitempty"`
	Handled      int     `json:"handled"`
	Completed    int     `json:"completed"`
	Amount       float64 `json:"amount"`
}
