package directory

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/search"
)

// Indexer keeps the full-text index of the directory (the Chinese engine of
// package search, as the market's listings use it) in step with the
// database. The database is the truth and the audit log is the change
// sequence: every directory write records its audit row in its own
// transaction, and the rows are numbered (audit_log.chain_seq) in commit
// order on one node or many, so CatchUp re-reads the records named by the
// rows after the index's sequence number. Search catches up before it
// reads, so a write is searchable at once on every node; Run also catches up
// in the background and saves the snapshot, which a restart loads before
// replaying what it missed.
//
// Documents carry who may see them as "see" facet values (see seeValues),
// so the engine drops what the actor may not see before anything is
// ranked; an expert is two documents: the consented public fields (for
// everybody who may see the public profile) and the full record (for staff
// in scope, the expert and the institution's editors).
type Indexer struct {
	svc  *Service
	path string // snapshot file; "" keeps the index in memory only
	log  *slog.Logger

	mu sync.Mutex // serialises CatchUp and Rebuild
	// ix never changes once set: Rebuild swaps a new index's contents in.
	ix *search.Index
	// meta holds what a page shows of each document; guarded by metaMu.
	metaMu sync.RWMutex
	meta   map[string]docMeta

	saveMu   sync.Mutex
	savedGen uint64
	saved    bool
}

// docMeta is what the search shows and counts of one document.
type docMeta struct {
	Type   string
	ID     int64
	Name   string
	Kind   string
	Level  string
	Region string
	Fields []string
	// InstitutionID is the platform's institution (its page shows it).
	InstitutionID int64
	// Full marks an expert's full record (else its public profile).
	Full bool
	// See are the document's see values (seeValues).
	See []string
}

// IndexFileName is the snapshot of the directory index below the data
// directory.
const IndexFileName = "index/directory.idx"

// IndexFile returns the path of the directory index snapshot under dataDir;
// like the market's it is derived data, removed on restore.
func IndexFile(dataDir string) string { return filepath.Join(dataDir, IndexFileName) }

// Facets of the directory index.
const (
	facetType   = "type"
	facetRegion = "region"
	facetField  = "field"
	facetLevel  = "level"
	facetKind   = "kind"
	facetSee    = "see"
	facetInst   = "inst"
)

// OpenIndex opens the service's search index: the snapshot under dataDir
// ("" keeps it in memory), or a build from the database, then catches up.
// Without it the first search builds an index in memory.
func (s *Service) OpenIndex(ctx context.Context, dataDir string, log *slog.Logger) (*Indexer, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	x := &Indexer{svc: s, log: log, meta: map[string]docMeta{}}
	if dataDir != "" {
		x.path = IndexFile(dataDir)
	}
	if x.path != "" {
		ix, err := search.OpenFile(x.path, search.Options{})
		switch {
		case err == nil:
			x.ix = ix
			if err := x.loadMeta(); err != nil {
				log.Warn("directory index snapshot unusable; rebuilding", "err", err)
				x.ix = nil
			}
		case errors.Is(err, os.ErrNotExist), errors.Is(err, search.ErrSnapshotVersion):
		default:
			log.Warn("directory index snapshot unreadable; rebuilding", "err", err)
		}
	}
	if x.ix != nil {
		// A snapshot ahead of the database (a restored backup) is stale.
		latest, err := x.latest(ctx)
		if err != nil {
			return nil, err
		}
		if int64(x.ix.Seq()) > latest {
			log.Warn("directory index snapshot ahead of the database; rebuilding", "seq", x.ix.Seq(), "latest", latest)
			x.ix = nil
		} else {
			x.savedGen, x.saved = x.ix.Gen(), true
		}
	}
	if x.ix == nil {
		ix, err := search.New(search.Options{})
		if err != nil {
			return nil, err
		}
		x.ix = ix
		x.mu.Lock()
		_, err = x.rebuildLocked(ctx)
		x.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	if _, err := x.CatchUp(ctx); err != nil {
		return nil, err
	}
	s.idxMu.Lock()
	s.idx = x
	s.idxMu.Unlock()
	return x, nil
}

// Indexer returns the index OpenIndex opened (nil before).
func (s *Service) Indexer() *Indexer {
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	return s.idx
}

// index returns the open index, opening one in memory on first use.
func (s *Service) index(ctx context.Context) (*Indexer, error) {
	s.idxMu.Lock()
	x := s.idx
	s.idxMu.Unlock()
	if x != nil {
		return x, nil
	}
	s.openMu.Lock()
	defer s.openMu.Unlock()
	s.idxMu.Lock()
	x = s.idx
	s.idxMu.Unlock()
	if x != nil {
		return x, nil
	}
	return s.OpenIndex(ctx, "", nil)
}

// loadMeta rebuilds the metadata of every document from its stored
// facets and title (after loading a snapshot).
func (x *Indexer) loadMeta() error {
	meta := map[string]docMeta{}
	all := x.ix.Search(search.Query{Limit: x.ix.Len() + 1})
	for _, h := range all.Hits {
		d, ok := x.ix.Get(h.ID)
		if !ok {
			continue
		}
		m, err := metaOf(d)
		if err != nil {
			return err
		}
		meta[h.ID] = m
	}
	x.metaMu.Lock()
	x.meta = meta
	x.metaMu.Unlock()
	return nil
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// metaOf reads a document's metadata back from its facets.
func metaOf(d search.Document) (docMeta, error) {
	typ, rest, _ := strings.Cut(d.ID, ":")
	idText, full, _ := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return docMeta{}, fmt.Errorf("directory index: bad document id %q", d.ID)
	}
	inst, _ := strconv.ParseInt(first(d.Facets[facetInst]), 10, 64)
	return docMeta{Type: typ, ID: id, Name: d.Title, Kind: first(d.Facets[facetKind]), Level: first(d.Facets[facetLevel]),
		Region: first(d.Facets[facetRegion]), Fields: d.Facets[facetField], InstitutionID: inst, Full: full == "full",
		See: d.Facets[facetSee]}, nil
}

// latest is the last audit row's position in the chain.
func (x *Indexer) latest(ctx context.Context) (int64, error) {
	var n int64
	if err := x.svc.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(chain_seq), 0) FROM audit_log").Scan(&n); err != nil {
		return 0, fmt.Errorf("read audit sequence: %w", err)
	}
	return n, nil
}

// indexedObjects are the audit object types whose rows change the index.
const indexedObjects = "'institution', 'platform', 'expert', 'service_org', 'carrier', 'fund', 'broker_profile', 'user'"

// CatchUp applies the directory changes recorded after the index's
// sequence number and returns how many records it re-read.
func (x *Indexer) CatchUp(ctx context.Context) (int, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	touched := 0
	for {
		upto, err := x.latest(ctx)
		if err != nil {
			return touched, err
		}
		from := int64(x.ix.Seq())
		if upto <= from {
			return touched, nil
		}
		const batch = 5000
		upto = min(upto, from+batch)
		rows, err := x.svc.db.QueryContext(ctx, `SELECT object_type, object_id, action FROM audit_log
			WHERE chain_seq > ? AND chain_seq <= ? AND object_type IN (`+indexedObjects+`) ORDER BY chain_seq`, from, upto)
		if err != nil {
			return touched, fmt.Errorf("read directory changes: %w", err)
		}
		type change struct{ typ, id string }
		seen := map[change]bool{}
		var changes []change
		for rows.Next() {
			var c change
			var action string
			if err := rows.Scan(&c.typ, &c.id, &action); err != nil {
				rows.Close()
				return touched, err
			}
			if c.typ == "user" && !strings.HasPrefix(action, "user.") {
				continue // logins and sessions change no profile
			}
			if !seen[c] {
				seen[c] = true
				changes = append(changes, c)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return touched, err
		}
		for _, c := range changes {
			id, err := strconv.ParseInt(c.id, 10, 64)
			if err != nil {
				continue // an audit row about no single record
			}
			if err := x.apply(ctx, c.typ, id); err != nil {
				return touched, err
			}
			touched++
		}
		x.ix.SetSeq(uint64(upto))
	}
}

// apply re-reads one changed record (and what shows its name) into the
// index.
func (x *Indexer) apply(ctx context.Context, objectType string, id int64) error {
	q := x.svc.db
	switch objectType {
	case "institution":
		i, err := getInstitution(ctx, q, id)
		if err := x.putOrDrop(TypeInstitution, id, err, func() []search.Document { return x.svc.institutionDocs(i) }); err != nil {
			return err
		}
		// Its platforms and experts show its name and follow its
		// visibility.
		ps, err := queryAll(ctx, q, "platforms", "SELECT "+platformColumns+" FROM platforms p JOIN institutions i ON i.id = p.institution_id WHERE p.institution_id = ?",
			[]any{id}, scanPlatform)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if err := x.put(x.svc.platformDocs(p)...); err != nil {
				return err
			}
		}
		es, err := queryAll(ctx, q, "experts", "SELECT "+expertColumns+" FROM "+expertFrom+" WHERE e.institution_id = ?", []any{id}, scanExpert)
		if err != nil {
			return err
		}
		for _, e := range es {
			x.drop(TypeExpert, e.ID)
			if err := x.put(x.svc.expertDocs(e)...); err != nil {
				return err
			}
		}
		return nil
	case "platform":
		p, err := getPlatform(ctx, q, id)
		return x.putOrDrop(TypePlatform, id, err, func() []search.Document { return x.svc.platformDocs(p) })
	case "expert":
		e, err := getExpert(ctx, q, id)
		return x.putOrDrop(TypeExpert, id, err, func() []search.Document { return x.svc.expertDocs(e) })
	case "service_org":
		o, err := getServiceOrg(ctx, q, id)
		return x.putOrDrop(TypeServiceOrg, id, err, func() []search.Document { return x.svc.serviceOrgDocs(o) })
	case "carrier":
		c, err := getCarrier(ctx, q, id)
		return x.putOrDrop(TypeCarrier, id, err, func() []search.Document { return x.svc.carrierDocs(c) })
	case "fund":
		f, err := getFund(ctx, q, id)
		return x.putOrDrop(TypeFund, id, err, func() []search.Document { return x.svc.fundDocs(f) })
	case "broker_profile", "user":
		b, err := getBroker(ctx, q, id)
		return x.putOrDrop(TypeBroker, id, err, func() []search.Document { return x.svc.brokerDocs(b) })
	}
	return nil
}

// putOrDrop replaces the record's documents with docs(), or removes them
// when the record is gone.
func (x *Indexer) putOrDrop(typ string, id int64, err error, docs func() []search.Document) error {
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return fmt.Errorf("index %s %d: %w", typ, id, err)
	}
	x.drop(typ, id)
	if err != nil {
		return nil
	}
	return x.put(docs()...)
}

func docKey(typ string, id int64) string { return typ + ":" + strconv.FormatInt(id, 10) }

// drop removes every document of a record.
func (x *Indexer) drop(typ string, id int64) {
	key := docKey(typ, id)
	x.metaMu.Lock()
	defer x.metaMu.Unlock()
	for _, k := range []string{key, key + ":full"} {
		x.ix.Delete(k)
		delete(x.meta, k)
	}
}

func (x *Indexer) put(docs ...search.Document) error {
	for _, d := range docs {
		m, err := metaOf(d)
		if err != nil {
			return err
		}
		if err := x.ix.Put(d); err != nil {
			return fmt.Errorf("index %s: %w", d.ID, err)
		}
		x.metaMu.Lock()
		x.meta[d.ID] = m
		x.metaMu.Unlock()
	}
	return nil
}

// Rebuild indexes every directory record from scratch and swaps the new
// index in, saving the snapshot; `kechuang reindex` calls it through
// Reindex. It returns the number of documents.
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
	latest, err := x.latest(ctx)
	if err != nil {
		return 0, err
	}
	docs, err := x.svc.allDocs(ctx)
	if err != nil {
		return 0, err
	}
	fresh, err := search.New(search.Options{})
	if err != nil {
		return 0, err
	}
	meta := make(map[string]docMeta, len(docs))
	for _, d := range docs {
		m, err := metaOf(d)
		if err != nil {
			return 0, err
		}
		meta[d.ID] = m
	}
	if err := fresh.PutAll(docs, 2); err != nil {
		return 0, err
	}
	fresh.SetSeq(uint64(latest))
	x.metaMu.Lock()
	x.ix.ReplaceWith(fresh)
	x.meta = meta
	x.metaMu.Unlock()
	return len(docs), nil
}

// allDocs reads every directory record as documents.
func (s *Service) allDocs(ctx context.Context) ([]search.Document, error) {
	var docs []search.Document
	q := s.db
	is, err := queryAll(ctx, q, "institutions", "SELECT "+institutionColumns+" FROM institutions i", nil, scanInstitution)
	if err != nil {
		return nil, err
	}
	for _, i := range is {
		docs = append(docs, s.institutionDocs(i)...)
	}
	ps, err := queryAll(ctx, q, "platforms", "SELECT "+platformColumns+" FROM platforms p JOIN institutions i ON i.id = p.institution_id", nil, scanPlatform)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		docs = append(docs, s.platformDocs(p)...)
	}
	es, err := queryAll(ctx, q, "experts", "SELECT "+expertColumns+" FROM "+expertFrom, nil, scanExpert)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		docs = append(docs, s.expertDocs(e)...)
	}
	os, err := queryAll(ctx, q, "service organisations", "SELECT "+serviceOrgColumns+" FROM service_orgs", nil, scanServiceOrg)
	if err != nil {
		return nil, err
	}
	for _, o := range os {
		docs = append(docs, s.serviceOrgDocs(o)...)
	}
	cs, err := queryAll(ctx, q, "carriers", "SELECT "+carrierColumns+" FROM carriers", nil, scanCarrier)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		docs = append(docs, s.carrierDocs(c)...)
	}
	fs, err := queryAll(ctx, q, "funds", "SELECT "+fundColumns+" FROM funds", nil, scanFund)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		docs = append(docs, s.fundDocs(f)...)
	}
	bs, err := queryAll(ctx, q, "broker profiles", "SELECT "+brokerColumns+" FROM "+brokerFrom, nil, scanBroker)
	if err != nil {
		return nil, err
	}
	for _, b := range bs {
		docs = append(docs, s.brokerDocs(b)...)
	}
	return docs, nil
}

// Reindex builds the directory index from the database alone and writes its
// snapshot under dataDir, for `kechuang reindex`.
func Reindex(ctx context.Context, s *Service, dataDir string, log *slog.Logger) (int, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ix, err := search.New(search.Options{})
	if err != nil {
		return 0, err
	}
	x := &Indexer{svc: s, log: log, ix: ix, meta: map[string]docMeta{}}
	if dataDir != "" {
		x.path = IndexFile(dataDir)
	}
	return x.Rebuild(ctx)
}

// Len is the number of documents indexed.
func (x *Indexer) Len() int { return x.ix.Len() }

// Save writes the snapshot when the index changed since the last save.
func (x *Indexer) Save() error { return x.save(false) }

func (x *Indexer) save(force bool) error {
	if x.path == "" {
		return nil
	}
	x.saveMu.Lock()
	defer x.saveMu.Unlock()
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

// Run catches up every interval and saves the snapshot every saveEvery
// when the index changed; it saves once more when ctx ends.
func (x *Indexer) Run(ctx context.Context, interval, saveEvery time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	saveTick := time.NewTicker(saveEvery)
	defer saveTick.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := x.Save(); err != nil {
				x.log.Error("save directory index", "err", err)
			}
			return
		case <-tick.C:
			if _, err := x.CatchUp(ctx); err != nil && ctx.Err() == nil {
				x.log.Warn("directory index catch-up", "err", err)
			}
		case <-saveTick.C:
			if err := x.Save(); err != nil {
				x.log.Warn("save directory index", "err", err)
			}
		}
	}
}

// Seq is the audit chain position the index has applied.
func (x *Indexer) Seq() uint64 { return x.ix.Seq() }
