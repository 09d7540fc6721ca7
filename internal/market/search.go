package market

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/pii"
	"kechuang/internal/search"
	"kechuang/internal/sqldb"
)

// Indexer keeps the full-text index of published listings in step with the
// database. The database is the truth: every write to a listing appends to
// listing_changes in its transaction; CatchUp applies the changes after the
// index's sequence number. The index is saved to a snapshot file, so a
// restart loads it and replays only what it missed.
type Indexer struct {
	svc  *Service
	path string // snapshot file; "" keeps the index in memory only
	log  *slog.Logger

	mu sync.Mutex // serialises CatchUp and Rebuild
	// ix never changes once set: Rebuild swaps a new index's contents into
	// it (search.Index.ReplaceWith), so readers need no lock of ours.
	ix *search.Index
	// expires holds the expiry of every indexed listing, so that listings
	// that expire without a write leave the index too.
	expires map[int64]time.Time
	// peopleIx is the index of the directory's experts and institutions
	// that demands are matched with (match_people.go).
	peopleIx peopleIndex

	saveMu sync.Mutex // serialises saves; never held with mu
	// savedGen is the index generation the snapshot file holds, when
	// saved is true; Save writes nothing while the index is unchanged.
	savedGen uint64
	saved    bool
}

// snapshotName is the index file below the data directory.
const snapshotName = "index/listings.idx"

// IndexFile returns the path of the index snapshot under dataDir. The file
// is derived data: removing it makes the next OpenIndexer rebuild the index
// from the database (a restore must, since the restored database's change
// sequence may lie behind the snapshot's).
func IndexFile(dataDir string) string { return filepath.Join(dataDir, snapshotName) }

// OpenIndexer loads the snapshot under dataDir (dataDir "" keeps the index
// in memory) or starts an empty index, then catches up with the database.
// A snapshot of an incompatible version is rebuilt from the database.
func OpenIndexer(ctx context.Context, svc *Service, dataDir string, log *slog.Logger) (*Indexer, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	x := &Indexer{svc: svc, log: log, expires: map[int64]time.Time{}}
	if dataDir != "" {
		x.path = IndexFile(dataDir)
	}
	var err error
	if x.path != "" {
		x.ix, err = search.OpenFile(x.path, search.Options{})
		switch {
		case err == nil:
			log.Info("search index loaded", "documents", x.ix.Len(), "seq", x.ix.Seq())
			x.savedGen, x.saved = x.ix.Gen(), true
		case errors.Is(err, os.ErrNotExist), errors.Is(err, search.ErrSnapshotVersion):
			x.ix = nil
		default:
			log.Warn("search index snapshot unreadable; rebuilding", "err", err)
			x.ix = nil
		}
	}
	if x.ix == nil {
		if x.ix, err = search.New(search.Options{}); err != nil {
			return nil, err
		}
	}
	if err := x.loadExpiries(ctx); err != nil {
		return nil, err
	}
	if _, err := x.CatchUp(ctx); err != nil {
		return nil, err
	}
	return x, nil
}

// Index returns the underlying index (for matching and tests).
func (x *Indexer) Index() *search.Index { return x.ix }

func (x *Indexer) loadExpiries(ctx context.Context) error {
	rows, err := x.svc.db.QueryContext(ctx, "SELECT id, expires_at FROM listings WHERE state = ?", Published)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var at sqldb.Time
		if err := rows.Scan(&id, &at); err != nil {
			return err
		}
		if _, ok := x.ix.Get(docID(id)); ok {
			x.expires[id] = at.Time
		}
	}
	return rows.Err()
}

func docID(id int64) string { return strconv.FormatInt(id, 10) }

// CatchUp applies the changes recorded after the index's sequence number
// and drops listings that have expired since they were indexed. It returns
// how many listings it touched.
func (x *Indexer) CatchUp(ctx context.Context) (int, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	rows, err := x.svc.db.QueryContext(ctx, "SELECT seq, listing_id FROM listing_changes WHERE seq > ? ORDER BY seq LIMIT 5000",
		int64(x.ix.Seq()))
	if err != nil {
		return 0, fmt.Errorf("read listing changes: %w", err)
	}
	var last int64
	ids := map[int64]bool{}
	for rows.Next() {
		var seq, id int64
		if err := rows.Scan(&seq, &id); err != nil {
			rows.Close()
			return 0, err
		}
		last, ids[id] = seq, true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	now := x.svc.now()
	for id, at := range x.expires {
		if !at.IsZero() && !now.Before(at) {
			ids[id] = true
		}
	}
	for id := range ids {
		if err := x.apply(ctx, id, now); err != nil {
			return 0, err
		}
	}
	if last > 0 {
		x.ix.SetSeq(uint64(last))
	}
	return len(ids), nil
}

// apply puts a listing into the index when the public may see it and takes
// it out otherwise.
func (x *Indexer) apply(ctx context.Context, id int64, now time.Time) error {
	l, err := getListing(ctx, x.svc.db, id, now)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return fmt.Errorf("index listing %d: %w", id, err)
	}
	if err != nil || l.State != Published {
		x.ix.Delete(docID(id))
		delete(x.expires, id)
		return nil
	}
	role, err := x.ownerRole(ctx, l.OwnerID)
	if err != nil {
		return err
	}
	if err := x.ix.Put(x.document(l, role)); err != nil {
		return fmt.Errorf("index listing %d: %w", id, err)
	}
	x.expires[id] = l.ExpiresAt
	return nil
}

func (x *Indexer) ownerRole(ctx context.Context, ownerID int64) (string, error) {
	var role string
	err := x.svc.db.QueryRowContext(ctx, "SELECT role FROM users WHERE id = ?", ownerID).Scan(&role)
	if sqldb.IsNoRows(err) {
		return "", nil
	}
	return role, err
}

// Facets of the listing index.
const (
	FacetKind   = "kind"
	FacetDomain = "domain"
	FacetRegion = "region"
	FacetTRL    = "trl"
	FacetMode   = "mode"
	FacetBand   = "band"
	FacetOwner  = "owner"
	// FacetIndustry holds the GB/T 4754 section letter (C for 制造业).
	FacetIndustry = "industry"
)

// SearchFacets lists the facets a search counts, in display order.
var SearchFacets = []string{FacetKind, FacetDomain, FacetIndustry, FacetRegion, FacetTRL, FacetMode, FacetBand, FacetOwner}

func (x *Indexer) document(l Listing, ownerRole string) search.Document {
	top, _, _ := strings.Cut(l.Domain, "/")
	facets := map[string][]string{
		FacetKind:  {string(l.Kind)},
		FacetMode:  l.Modes,
		FacetOwner: {ownerRole},
	}
	if top != "" {
		facets[FacetDomain] = []string{top}
	}
	if l.RegionCode != "" {
		facets[FacetRegion] = []string{l.RegionCode}
	}
	if l.Industry != "" {
		facets[FacetIndustry] = []string{l.Industry[:1]}
	}
	if l.Band != "" {
		facets[FacetBand] = []string{l.Band}
	}
	for _, b := range x.svc.ref.TRLBands {
		if l.TRL >= b.Min && l.TRL <= b.Max {
			facets[FacetTRL] = []string{b.Code}
		}
	}
	text := l.Summary
	if l.Expected != "" {
		text += "\n" + l.Expected
	}
	if l.UseOfFunds != "" {
		text += "\n" + l.UseOfFunds
	}
	sorts := map[string]float64{"published": float64(l.PublishedAt.Unix())}
	if l.Price != nil {
		sorts["price"] = *l.Price
	}
	return search.Document{ID: docID(l.ID), Title: l.Title, Keywords: l.Keywords, Text: text, Facets: facets, Sort: sorts}
}

// rebuildBatch is how many listings Rebuild reads and indexes at a time,
// so that a rebuild holds a batch of rows, not every listing, beside the
// index it builds.
const rebuildBatch = 2048

// Rebuild indexes every published listing from scratch, swaps the new
// index in and saves the snapshot; `kechuang reindex` calls it through
// Reindex. The old index serves searches until the swap. It returns the
// number indexed.
func (x *Indexer) Rebuild(ctx context.Context) (int, error) {
	x.mu.Lock()
	n, err := x.rebuildLocked(ctx)
	x.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return n, x.save(true)
}

func (x *Indexer) rebuildLocked(ctx context.Context) (int, error) {
	var maxSeq int64
	if err := x.svc.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM listing_changes").Scan(&maxSeq); err != nil {
		return 0, err
	}
	fresh, err := search.New(search.Options{})
	if err != nil {
		return 0, err
	}
	now := x.svc.now()
	expires := map[int64]time.Time{}
	n := 0
	for after := int64(0); ; {
		docs, last, err := x.publishedAfter(ctx, after, now, expires)
		if err != nil {
			return 0, err
		}
		if last == 0 {
			break
		}
		// Analysis and classification dominate a rebuild; spread them
		// over the cores.
		if err := fresh.PutAll(docs, runtime.NumCPU()); err != nil {
			return 0, err
		}
		n += len(docs)
		after = last
	}
	fresh.SetSeq(uint64(maxSeq))
	x.ix.ReplaceWith(fresh)
	x.expires = expires
	return n, nil
}

// publishedAfter reads the next rebuildBatch published listings with ids
// above after, as documents, noting their expiry; last is the largest id
// read, 0 when there are none.
func (x *Indexer) publishedAfter(ctx context.Context, after int64, now time.Time, expires map[int64]time.Time) (docs []search.Document, last int64, err error) {
	rows, err := x.svc.db.QueryContext(ctx, "SELECT "+listingColumns+", COALESCE(u.role, '')"+listingFrom+
		" WHERE l.state = ? AND l.id > ? ORDER BY l.id LIMIT ?", Published, after, rebuildBatch)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var role string
		l, err := scanListing(withExtra{rows, []any{&role}}, now, pii.From(x.svc.db))
		if err != nil {
			return nil, 0, err
		}
		last = l.ID
		if l.State == Published { // not expired since
			docs = append(docs, x.document(l, role))
			expires[l.ID] = l.ExpiresAt
		}
	}
	return docs, last, rows.Err()
}

// withExtra scans a listing row followed by more columns.
type withExtra struct {
	rows  *sql.Rows
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.rows.Scan(append(dest, w.extra...)...) }

// Reindex builds the index of published listings from the database alone
// and writes its snapshot under dataDir, for `kechuang reindex`. Unlike
// OpenIndexer followed by Rebuild it never loads the old snapshot, so the
// old index and the new one are not in memory together.
func Reindex(ctx context.Context, svc *Service, dataDir string, log *slog.Logger) (int, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ix, err := search.New(search.Options{})
	if err != nil {
		return 0, err
	}
	x := &Indexer{svc: svc, log: log, ix: ix, expires: map[int64]time.Time{}}
	if dataDir != "" {
		x.path = filepath.Join(dataDir, snapshotName)
	}
	return x.Rebuild(ctx)
}

// Save writes the snapshot, when the indexer has a file and the index has
// changed since the last save. Searches and catch-ups go on meanwhile: the
// index is captured under its lock and written without it.
func (x *Indexer) Save() error { return x.save(false) }

func (x *Indexer) save(force bool) error {
	if x.path == "" {
		return nil
	}
	x.saveMu.Lock()
	defer x.saveMu.Unlock()
	// Read the generation before saving: a change that lands during the
	// save may or may not be in the file, and the next save writes it.
	gen := x.ix.Gen()
	if !force && x.saved && gen == x.savedGen {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(x.path), 0o750); err != nil {
		return err
	}
	if err := x.ix.SaveFile(x.path); err != nil {
		return err
	}
	x.savedGen, x.saved = gen, true
	return nil
}

// Run catches up every interval (so a write is searchable within about
// that long) and, on a goroutine of its own so that catch-ups go on while
// it writes, saves the snapshot every saveEvery if the index changed; it
// saves once more when ctx ends.
func (x *Indexer) Run(ctx context.Context, interval, saveEvery time.Duration) {
	saving := make(chan struct{})
	go func() {
		defer close(saving)
		t := time.NewTicker(saveEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := x.Save(); err != nil {
					x.log.Warn("save search index", "err", err)
				}
			}
		}
	}()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			<-saving
			if err := x.Save(); err != nil {
				x.log.Error("save search index", "err", err)
			}
			return
		case <-tick.C:
			if _, err := x.CatchUp(ctx); err != nil && ctx.Err() == nil {
				x.log.Warn("search index catch-up", "err", err)
			}
		}
	}
}

// SearchQuery is a market search request. Facet filters hold the values
// to keep; Sort is "" (relevance), "newest" or "price".
type SearchQuery struct {
	Text    string
	Filters map[string][]string
	Sort    string
	Page    int
	PerPage int
}

// SearchHit is one result, ready for the API and pages.
type SearchHit struct {
	ID          int64    `json:"id"`
	Kind        Kind     `json:"kind"`
	Title       string   `json:"title"`
	Snippet     string   `json:"snippet"`
	Score       float64  `json:"score"`
	TitleHTML   string   `json:"-"`
	SnippetHTML string   `json:"-"`
	Domain      string   `json:"domain,omitempty"`
	RegionCode  string   `json:"region_code,omitempty"`
	Shared      []string `json:"shared_terms,omitempty"`
}

// SearchResult is a page of hits with the facet counts over all matches.
type SearchResult struct {
	Total  int                     `json:"total"`
	Hits   []SearchHit             `json:"hits"`
	Facets map[string][]FacetCount `json:"facets"`
}

// FacetCount is one facet value and how many matches carry it.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Search runs q over the published listings. Only public data is indexed,
// so the result is the same for every caller.
func (x *Indexer) Search(q SearchQuery) SearchResult {
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage <= 0 || q.PerPage > 100 {
		q.PerPage = 20
	}
	sort := ""
	switch q.Sort {
	case "newest":
		sort = "-published"
	case "price":
		sort = "price"
	}
	res := x.ix.Search(search.Query{Text: strings.TrimSpace(q.Text), Filters: q.Filters, Facets: SearchFacets, Sort: sort,
		Offset: (q.Page - 1) * q.PerPage, Limit: q.PerPage})
	out := SearchResult{Total: res.Total, Hits: []SearchHit{}, Facets: map[string][]FacetCount{}}
	for f, counts := range res.Facets {
		for _, c := range counts {
			out.Facets[f] = append(out.Facets[f], FacetCount{Value: c.Value, Count: c.Count})
		}
	}
	for _, h := range res.Hits {
		id, _ := strconv.ParseInt(h.ID, 10, 64)
		f := x.ix.FacetFirst(h.ID, FacetKind, FacetDomain, FacetRegion)
		// The title snippet is the whole title, marked.
		out.Hits = append(out.Hits, SearchHit{ID: id, Kind: Kind(f[0]), Title: h.Title.Text, Snippet: h.Snippet.Text, Score: h.Score,
			TitleHTML: string(h.Title.HTML()), SnippetHTML: string(h.Snippet.HTML()), Shared: h.Explanation.SharedTerms,
			Domain: f[1], RegionCode: f[2]})
	}
	return out
}
