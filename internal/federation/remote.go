package federation

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// RemoteListing is a listing received from a peer: read-only here, shown
// with its origin; its contact stays at the origin.
type RemoteListing struct {
	ID         int64    `json:"id"`
	Origin     string   `json:"origin"`      // the origin instance's base URL
	OriginName string   `json:"origin_name"` // the peer's name
	OriginID   int64    `json:"origin_id"`
	Kind       string   `json:"kind"`
	State      string   `json:"state"` // published, withdrawn, expired
	Title      string   `json:"title"`
	Summary    string   `json:"summary"`
	Keywords   []string `json:"keywords"`
	Domain     string   `json:"domain"`
	Industry   string   `json:"industry"`
	TRL        int      `json:"trl,omitempty"`
	Band       string   `json:"band"`
	RegionCode string   `json:"region_code"`
	OwnerName  string   `json:"owner_name"`
	URL        string   `json:"url"`
	// TwinTitle and TwinURL name a near-duplicate of this listing found
	// here: a local listing or one of another region.
	TwinTitle   string    `json:"twin_title,omitempty"`
	TwinURL     string    `json:"twin_url,omitempty"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// RemoteFilter selects remote listings.
type RemoteFilter struct {
	Kind  string // "" for every kind
	Query string // words in the title, summary or keywords
	// All includes withdrawn and expired ones (tests, administrators).
	All     bool
	Page    int
	PerPage int
}

// FindRemote lists the remote listings anyone may see: published and not
// past their expiry (unless f.All, which only peer managers may ask for),
// newest first. Remote listings are public at their origin, so anyone,
// signed in or not, may read them.
func (s *Service) FindRemote(ctx context.Context, a account.Actor, f RemoteFilter) ([]RemoteListing, int, error) {
	if f.PerPage <= 0 || f.PerPage > 100 {
		f.PerPage = 20
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	where := []string{"1 = 1"}
	var args []any
	if !f.All || !s.CanManagePeers(a) {
		where = append(where, "r.state = 'published' AND (r.expires_at IS NULL OR r.expires_at > ?)")
		args = append(args, sqldb.FormatTime(s.now()))
	}
	if f.Kind != "" {
		where, args = append(where, "r.kind = ?"), append(args, f.Kind)
	}
	for _, w := range strings.Fields(f.Query) {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(w) + "%"
		where = append(where, `(r.title LIKE ? ESCAPE '\' OR r.summary LIKE ? ESCAPE '\' OR r.keywords LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM federation_listings r"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count remote listings: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, r.origin, COALESCE(p.name, ''), r.origin_id, r.kind, r.state, r.title, r.summary,
		r.keywords, r.domain, r.industry, r.trl, r.band, r.region_code, r.owner_name, r.url, r.twin_title, r.twin_url, r.published_at, r.expires_at, r.updated_at
		FROM federation_listings r LEFT JOIN federation_peers p ON p.id = r.peer_id`+cond+
		" ORDER BY r.updated_at DESC, r.id DESC LIMIT ? OFFSET ?", append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find remote listings: %w", err)
	}
	defer rows.Close()
	var out []RemoteListing
	for rows.Next() {
		var r RemoteListing
		var keywords string
		var pub, exp, upd sqldb.Time
		if err := rows.Scan(&r.ID, &r.Origin, &r.OriginName, &r.OriginID, &r.Kind, &r.State, &r.Title, &r.Summary, &keywords,
			&r.Domain, &r.Industry, &r.TRL, &r.Band, &r.RegionCode, &r.OwnerName, &r.URL, &r.TwinTitle, &r.TwinURL, &pub, &exp, &upd); err != nil {
			return nil, 0, err
		}
		if keywords != "" {
			r.Keywords = strings.Split(keywords, "\n")
		}
		r.PublishedAt, r.ExpiresAt, r.UpdatedAt = pub.Time, exp.Time, upd.Time
		out = append(out, r)
	}
	return out, total, rows.Err()
}

var _ market.Remote = (*Service)(nil)

// RemoteCandidates lists the published, unexpired remote listings of kind
// k for matching (market.Remote): public fields only, as they arrived.
func (s *Service) RemoteCandidates(ctx context.Context, k market.Kind) ([]market.RemoteCandidate, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, r.url, COALESCE(p.name, ''), COALESCE(p.region_code, ''), r.origin_id, r.kind,
		r.title, r.summary, r.expected, r.keywords, r.domain, r.industry, r.trl, r.modes, r.band, r.price, r.region_code, r.owner_name,
		r.published_at, r.expires_at
		FROM federation_listings r LEFT JOIN federation_peers p ON p.id = r.peer_id
		WHERE r.kind = ? AND r.state = 'published' AND (r.expires_at IS NULL OR r.expires_at > ?) ORDER BY r.id`,
		string(k), sqldb.FormatTime(s.now()))
	if err != nil {
		return nil, fmt.Errorf("remote candidates: %w", err)
	}
	defer rows.Close()
	var out []market.RemoteCandidate
	for rows.Next() {
		var c market.RemoteCandidate
		var keywords, modes string
		var price sql.NullFloat64
		var pub, exp sqldb.Time
		l := &c.Listing
		if err := rows.Scan(&c.ID, &c.URL, &c.OriginName, &c.OriginRegion, &l.ID, &l.Kind, &l.Title, &l.Summary, &l.Expected, &keywords,
			&l.Domain, &l.Industry, &l.TRL, &modes, &l.Band, &price, &l.RegionCode, &l.OwnerName, &pub, &exp); err != nil {
			return nil, err
		}
		if keywords != "" {
			l.Keywords = strings.Split(keywords, "\n")
		}
		if modes != "" {
			l.Modes = strings.Split(modes, "\n")
		}
		if price.Valid {
			v := price.Float64
			l.Price = &v
		}
		l.State, l.PublishedAt, l.ExpiresAt = market.Published, pub.Time, exp.Time
		out = append(out, c)
	}
	return out, rows.Err()
}
