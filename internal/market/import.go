package market

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/i18n"
	"kechuang/internal/importer"
	"kechuang/internal/pii"
	"kechuang/internal/region"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// Import modes.
const (
	ImportAllOrNothing = importer.AllOrNothing // any bad row: nothing is written
	ImportValidRows    = importer.ValidRows    // bad rows are reported and skipped
)

// ImportJobKind is the job kind of a listing import.
const ImportJobKind = "market.import_listings"

// Kind names as the import template writes them.
const (
	kindNameAchievement = "科技成果"
	kindNameDemand      = "技术需求"
)

// importExampleTitle is the title of the template's example row; a row
// with this title is skipped, so a user who leaves the example in imports
// nothing extra.
const importExampleTitle = "示例：一种基于机器视觉的零件表面缺陷在线检测系统"

// listingImporter is the import kit as the market uses it.
type listingImporter = importer.Importer[ImportOptions, importRow, ImportResult, *ImportResult]

// newImporter returns the listing import of s.
func newImporter(s *Service) *listingImporter {
	return importer.New(s.db, importer.Spec[ImportOptions, importRow, ImportResult, *ImportResult]{
		Kind: ImportJobKind, Action: "listing.import", ExampleKey: "title",
		Columns: s.ImportColumns(nil), Authorize: AuthorizeImport, Begin: s.beginImport,
	})
}

// ConfigureImports gives the listing import its job service and limits
// and registers its job handler; call it once before the job service
// starts. Without it ImportListings still works and QueueImport fails.
func (s *Service) ConfigureImports(cfg importer.Config) { s.imports.Configure(cfg) }

// AuthorizeImport returns apperr.Forbidden unless the actor may import
// listings: institutions and enterprises, who own what they import.
func AuthorizeImport(a account.Actor) error {
	if !a.LoggedIn() || !(CanOwn(a, Achievement) || CanOwn(a, Demand)) {
		return apperr.New(apperr.Forbidden, "market.only_owners")
	}
	return nil
}

// ImportColumns returns the columns of the listing import, in template
// order, with the reference data's allowed values. counties, when given,
// fills the county column's dropdown.
func (s *Service) ImportColumns(counties []string) []sheet.Column {
	var domains []string
	for _, d := range s.ref.Domains {
		domains = append(domains, d.Name)
		for _, c := range d.Children {
			domains = append(domains, d.Name+"/"+c)
		}
	}
	var modes, bands []string
	for _, m := range s.ref.Modes {
		modes = append(modes, m.Name)
	}
	for _, b := range s.ref.Bands {
		bands = append(bands, b.Name)
	}
	var trl []string
	for _, l := range s.ref.TRL {
		trl = append(trl, strconv.Itoa(l.Level))
	}
	return []sheet.Column{
		{Key: "kind", Header: "类型", Required: true, Allowed: []string{kindNameAchievement, kindNameDemand}, Example: kindNameAchievement},
		{Key: "external_id", Header: "外部编号", Note: "贵单位自己的编号，可不填；填写后再次导入同一编号会更新该条信息，不填则按“标题”识别同一条信息", Example: "CG-2026-001"},
		{Key: "title", Header: "标题", Required: true, Note: "4–100 字", Example: importExampleTitle},
		{Key: "summary", Header: "成果简介或需求描述", Required: true, Note: "纯文本，不超过 5000 字；技术需求填写需要解决的问题", Example: "检测精度达到 0.01 毫米，已在两家企业产线试用。"},
		{Key: "expected", Header: "预期效果（需求）", Note: "技术需求必填，科技成果不填", Example: ""},
		{Key: "keywords", Header: "关键词", Note: "最多 8 个，用顿号“、”分隔", Example: "机器视觉、缺陷检测"},
		{Key: "domain", Header: "技术领域", Required: true, Allowed: domains, Note: "国家重点支持的高新技术领域：一级领域，或“一级/二级”", Example: "先进制造与自动化"},
		{Key: "industry", Header: "行业代码", Note: "GB/T 4754-2017 门类字母或门类加两位大类，如 C39", Example: "C40"},
		{Key: "trl", Header: "技术就绪水平（成果）", Allowed: trl, Note: "科技成果必填，1–9 级（GB/T 22900-2022）；技术需求可填期望的最低等级，或留空", Example: "6"},
		{Key: "modes", Header: "交易方式", Required: true, Note: "可多选，用顿号“、”分隔：" + strings.Join(modes, "、"), Example: "技术许可、技术转让"},
		{Key: "price", Header: "报价（万元，成果）", Note: "科技成果：数字（万元）或“面议”，不填为面议；技术需求不填", Example: "80"},
		{Key: "band", Header: "预算区间（需求）", Allowed: bands, Note: "技术需求必填；科技成果不填（按报价自动归档）"},
		{Key: "deadline", Header: "截止日期（需求）", Note: "技术需求可填，YYYY-MM-DD，不早于今天"},
		{Key: "county", Header: "所属区县", Allowed: counties, Note: "从下拉列表选择区县（CSV 文件中也可写 6 位代码），须在本单位所在地区内；账号属于某区县时可不填"},
		{Key: "contact_name", Header: "联系人", Required: true, Example: "陈老师"},
		{Key: "contact_phone", Header: "联系电话", Note: "电话和邮箱至少填写一项", Example: "0512-65880000"},
		{Key: "contact_email", Header: "联系邮箱", Example: "chen@example.com"},
	}
}

// WriteImportTemplate writes the .xlsx template of the listing import for
// the actor, with the counties it may list in as the county dropdown.
func (s *Service) WriteImportTemplate(ctx context.Context, a account.Actor, w io.Writer) error {
	counties, err := s.ownerCounties(ctx, a)
	if err != nil {
		return err
	}
	var names []string
	for _, c := range counties {
		names = append(names, c.Name)
	}
	return sheet.WriteTemplate(w, s.ImportColumns(names))
}

// ImportResult reports an import: what every import reports, and the
// listings found unchanged and those sent to review. Applied is false
// when nothing was written (all-or-nothing with bad rows, or no valid row).
type ImportResult struct {
	importer.Result
	Unchanged int `json:"unchanged"`
	Submitted int `json:"submitted"`
}

// Counts returns the market's own counts for the import's audit row.
func (r ImportResult) Counts() map[string]int {
	return map[string]int{"unchanged": r.Unchanged, "submitted": r.Submitted}
}

// ImportOptions choose how a file is imported.
type ImportOptions struct {
	Mode string `json:"mode"` // ImportAllOrNothing (default) or ImportValidRows
	// Submit sends every imported or updated listing to review; without it
	// they stay drafts. Imports never publish: a reviewer still decides.
	Submit bool `json:"submit"`
}

// ImportMode returns the mode (importer.Options).
func (o ImportOptions) ImportMode() string { return o.Mode }

// ownedListing is one of the importer's existing listings.
type ownedListing struct {
	id       int64
	kind     Kind
	state    State // as stored
	external string
	title    string
	row      int // the file row that matched it, 0 if none yet
}

type importRow struct {
	num      int
	kind     Kind
	external string
	in       Input
	band     string
	match    *ownedListing
}

// ownerCounties lists the counties an owner may list in (the region rule
// of checkRegion): inside its own region, or the home region without one.
func (s *Service) ownerCounties(ctx context.Context, a account.Actor) ([]region.Region, error) {
	within := a.Region
	if within == "" {
		within = s.home
	}
	rows, err := s.db.QueryContext(ctx, "SELECT code, name FROM regions WHERE level = ? AND code LIKE ? ORDER BY code",
		region.County, region.Prefix(within)+"%")
	if err != nil {
		return nil, fmt.Errorf("counties of %s: %w", within, err)
	}
	defer rows.Close()
	var out []region.Region
	for rows.Next() {
		var c region.Region
		if err := rows.Scan(&c.Code, &c.Name); err != nil {
			return nil, err
		}
		if region.Contains(within, c.Code) {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// QueueImport queues the import of an uploaded file as a job of the actor
// and returns the job's id; the job (kind ImportJobKind) runs
// ImportListings as the actor as its account is then. An actor who may
// not import gets apperr.Forbidden at once.
func (s *Service) QueueImport(ctx context.Context, a account.Actor, filename string, opt ImportOptions, file []byte) (int64, error) {
	return s.imports.Queue(ctx, a, filename, opt, file)
}

// ImportListings reads an .xlsx or .csv of achievements and demands and
// writes them, as the actor's own listings, in one transaction. A row
// whose 外部编号 (or, without one, kind and title) matches one of the
// actor's listings updates it — only while it is a draft or returned — and
// one that matches nothing creates a draft; with opt.Submit the rows go to
// review. Re-importing a file changes nothing the second time. Only
// institutions and enterprises may import (apperr.Forbidden otherwise).
// progress, when not nil, is called with rows done out of rows total
// (reading counts as the first half). See importer.Importer.Run for the
// errors.
func (s *Service) ImportListings(ctx context.Context, a account.Actor, r io.ReaderAt, size int64, filename string,
	opt ImportOptions, progress func(done, total int)) (ImportResult, error) {
	return s.imports.Run(ctx, a, importer.File{R: r, Size: size, Name: filename}, opt, progress)
}

// listingBatch parses and applies the rows of one listing import.
type listingBatch struct {
	s        *Service
	a        account.Actor
	opt      ImportOptions
	res      *ImportResult
	now      time.Time
	countyOf map[string]string
	// the owner's listings, by external id and by kind and title
	byExternal, byTitle map[string]*ownedListing
	// the first row of each external id and of each kind and title
	seenExternal, seenTitle map[string]int
	matches                 map[int]*ownedListing // the listing each row updates, by row
	pending                 []importRow           // matched rows to compare with their listings
	existing                map[int64]Listing     // the matched listings, without their texts
	same                    map[int64]bool        // whether a matched listing already holds its row
	twins                   *twinSet              // with opt.Submit
}

// beginImport loads the owner's counties and listings for one import.
func (s *Service) beginImport(ctx context.Context, a account.Actor, opt ImportOptions, _ importer.Header,
	res *ImportResult) (importer.Batch[importRow], error) {
	counties, err := s.ownerCounties(ctx, a)
	if err != nil {
		return nil, err
	}
	byExternal, byTitle, err := s.ownedListings(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	return &listingBatch{s: s, a: a, opt: opt, res: res, now: s.now(), countyOf: region.CodeLookup(counties),
		byExternal: byExternal, byTitle: byTitle, seenExternal: map[string]int{}, seenTitle: map[string]int{},
		matches: map[int]*ownedListing{}, existing: map[int64]Listing{}, same: map[int64]bool{}}, nil
}

// Parse reads one row.
func (b *listingBatch) Parse(r *importer.Row) importRow {
	return b.s.parseImportRow(b.a, r, b.countyOf, b.now)
}

// Admit refuses a row that repeats an earlier one and finds the owner's
// listing it updates, if any.
func (b *listingBatch) Admit(ctx context.Context, r *importer.Row, row importRow) error {
	if r.Bad() {
		return nil
	}
	num := r.Num
	titleKey := string(row.kind) + "\x00" + row.in.Title
	if row.external != "" {
		if first, dup := b.seenExternal[row.external]; dup {
			r.Problem("external_id", fmt.Sprintf("与第 %d 行的外部编号重复", first))
			return nil
		}
		b.seenExternal[row.external] = num
	}
	if first, dup := b.seenTitle[titleKey]; dup {
		r.Problem("title", fmt.Sprintf("与第 %d 行重复（同一类型同一标题）", first))
		return nil
	}
	b.seenTitle[titleKey] = num
	// Which existing listing the row is: by external id, else by kind
	// and title among the listings that have no external id.
	var m *ownedListing
	if row.external != "" {
		m = b.byExternal[row.external]
	}
	if m == nil {
		if t := b.byTitle[titleKey]; t != nil && (t.external == "" || t.external == row.external) {
			m = t
		}
	}
	if m == nil {
		return nil
	}
	switch {
	case m.row != 0:
		r.Problem("external_id", fmt.Sprintf("与第 %d 行指向同一条已有信息", m.row))
		return nil
	case m.kind != row.kind:
		r.Problem("kind", fmt.Sprintf("外部编号 %s 已用于一条%s", row.external, kindName(m.kind)))
		return nil
	}
	m.row = num
	b.matches[num] = m
	row.match = m
	b.pending = append(b.pending, row)
	if len(b.pending) == 500 {
		return b.compare(ctx, r.ProblemAt)
	}
	return nil
}

// Finish compares the last matched rows with their listings.
func (b *listingBatch) Finish(ctx context.Context, problem func(row int, key, reason string)) error {
	return b.compare(ctx, problem)
}

// compare compares the pending rows with the listings they match. A row
// that matches a listing under review or published can still be unchanged
// (a re-import); only a change needs an editable listing. Listings are
// read 500 at a time and only what the audit rows need is kept of them, so
// a re-import over long listings costs no more memory than its rows.
func (b *listingBatch) compare(ctx context.Context, problem func(row int, key, reason string)) error {
	ids := make([]int64, len(b.pending))
	for i, row := range b.pending {
		ids[i] = row.match.id
	}
	listings, err := listingsByID(ctx, b.s.db, ids, b.now)
	if err != nil {
		return err
	}
	for _, row := range b.pending {
		old := listings[row.match.id]
		same := sameContent(old, row.in, row.band, row.external, row.match.external)
		if !same && old.State != Draft && old.State != Returned {
			problem(row.num, "title", fmt.Sprintf("已有的同一条信息（编号 %d）状态为“%s”，只有草稿或已退回的信息可以通过导入更新",
				old.ID, i18n.T(i18n.Chinese, "market.state."+string(old.State))))
		}
		b.same[old.ID] = same
		old.Summary, old.Expected, old.Team, old.Keywords, old.IP, old.Contact = "", "", "", nil, nil, nil
		b.existing[old.ID] = old
	}
	b.pending = b.pending[:0]
	return nil
}

// Start loads the duplicate candidates when the rows go to review.
func (b *listingBatch) Start(ctx context.Context, tx *sqldb.Tx) error {
	if !b.opt.Submit {
		return nil
	}
	var err error
	b.twins, err = loadTwinSet(ctx, tx)
	return err
}

// Apply writes one row.
func (b *listingBatch) Apply(ctx context.Context, tx *sqldb.Tx, row importRow) error {
	row.match = b.matches[row.num]
	return b.s.applyImportRow(ctx, tx, b.a, row, b.existing, b.same, b.opt, b.twins, b.res, b.now)
}

func kindName(k Kind) string {
	if k == Demand {
		return kindNameDemand
	}
	return kindNameAchievement
}

// importFields maps Validate's field names to import columns.
var importFields = map[string]string{"region_code": "county", "ip": "trl", "team": "summary"}

// listSep splits a 、-separated cell; commas and semicolons are accepted too.
func listSep(r rune) bool { return r == '、' || r == ',' || r == '，' || r == ';' || r == '；' }

// parseImportRow reads one row into an Input and checks it with the same
// rules as the form (Input.Validate) plus the owner's region, reporting
// problems through r.
func (s *Service) parseImportRow(a account.Actor, r *importer.Row, countyOf map[string]string, now time.Time) importRow {
	reported := map[string]bool{}
	add := func(key, reason string) { reported[key] = true; r.Problem(key, reason) }
	cell := r.Cell
	row := importRow{num: r.Num, external: cell("external_id")}
	switch v := cell("kind"); v {
	case kindNameAchievement, "成果", string(Achievement):
		row.kind = Achievement
	case kindNameDemand, "需求", string(Demand):
		row.kind = Demand
	case "":
		add("kind", i18n.T(i18n.Chinese, "error.required"))
		return row
	default:
		add("kind", fmt.Sprintf("“%s”应为 %s 或 %s", v, kindNameAchievement, kindNameDemand))
		return row
	}
	if !CanOwn(a, row.kind) {
		add("kind", i18n.T(i18n.Chinese, "market.only_owners"))
		return row
	}
	if len([]rune(row.external)) > 64 {
		add("external_id", i18n.T(i18n.Chinese, "error.too_long", 64))
	}
	in := &row.in
	in.Title, in.Summary, in.Expected = cell("title"), cell("summary"), cell("expected")
	in.Keywords = strings.FieldsFunc(cell("keywords"), listSep)
	in.Domain, in.Industry = cell("domain"), cell("industry")
	if v := cell("trl"); v != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(v, "级"))
		if err != nil {
			add("trl", fmt.Sprintf("“%s”应为 1–9 的整数", v))
		}
		in.TRL = n
	}
	for _, m := range strings.FieldsFunc(cell("modes"), listSep) {
		m = strings.TrimSpace(m)
		code := ""
		for _, c := range s.ref.Modes {
			if c.Name == m || c.Code == m {
				code = c.Code
			}
		}
		if code == "" {
			add("modes", fmt.Sprintf("未知的交易方式“%s”", m))
			continue
		}
		in.Modes = append(in.Modes, code)
	}
	if v := cell("price"); v != "" && v != "面议" {
		p, ok := sheet.ParseNumber(strings.TrimSuffix(v, "万元"))
		if !ok {
			add("price", fmt.Sprintf("“%s”应为数字（万元）或“面议”", v))
		} else {
			in.Price = &p
		}
	}
	if v := cell("band"); v != "" {
		for _, b := range s.ref.Bands {
			if b.Name == v || b.Code == v {
				in.Band = b.Code
			}
		}
		if in.Band == "" {
			add("band", fmt.Sprintf("“%s”不是可选的预算区间", v))
		}
	}
	in.Deadline = cell("deadline")
	if t, ok := sheet.ParseDate(in.Deadline); ok {
		in.Deadline = t.Format("2006-01-02")
	}
	if v := cell("county"); v != "" {
		code, ok := countyOf[v]
		if !ok {
			add("county", fmt.Sprintf("“%s”不是本单位所在地区的区县", v))
		}
		in.RegionCode = code
	} else if region.ValidCode(a.Region) && region.LevelOf(a.Region) == region.County {
		in.RegionCode = a.Region
	} else {
		add("county", i18n.T(i18n.Chinese, "error.required"))
	}
	in.Contact = Contact{Name: cell("contact_name"), Phone: cell("contact_phone"), Email: cell("contact_email")}
	in.Normalize()
	if err := in.Validate(row.kind, s.ref, now); err != nil {
		ae := apperr.As(err)
		if ae == nil {
			add("title", err.Error())
			return row
		}
		for _, fe := range ae.Fields {
			key := fe.Field
			if k, ok := importFields[key]; ok {
				key = k
			}
			if reported[key] {
				continue // already reported in the cell's own words
			}
			add(key, i18n.T(i18n.Chinese, fe.Key, fe.Args...))
		}
	}
	if row.kind == Achievement {
		row.band = s.ref.BandOf(in.Price)
	} else {
		row.band = in.Band
	}
	return row
}

// ownedListings indexes the owner's listings by external id and by kind
// and title, so that a 10,000-row file needs no query per row.
func (s *Service) ownedListings(ctx context.Context, owner int64) (map[string]*ownedListing, map[string]*ownedListing, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, kind, state, external_id, title FROM listings WHERE owner_id = ? ORDER BY id", owner)
	if err != nil {
		return nil, nil, fmt.Errorf("owned listings: %w", err)
	}
	defer rows.Close()
	byExternal, byTitle := map[string]*ownedListing{}, map[string]*ownedListing{}
	for rows.Next() {
		o := &ownedListing{}
		if err := rows.Scan(&o.id, &o.kind, &o.state, &o.external, &o.title); err != nil {
			return nil, nil, err
		}
		if o.external != "" {
			byExternal[o.external] = o
		}
		// Withdrawn and closed listings are history: a row with their title
		// is a new listing.
		if o.state != Withdrawn && o.state != Closed {
			key := string(o.kind) + "\x00" + o.title
			if _, taken := byTitle[key]; !taken {
				byTitle[key] = o
			}
		}
	}
	return byExternal, byTitle, rows.Err()
}

// listingsByID reads the listings with ids, 500 per query.
func listingsByID(ctx context.Context, q sqldb.Querier, ids []int64, now time.Time) (map[int64]Listing, error) {
	out := make(map[int64]Listing, len(ids))
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, "SELECT "+listingColumns+listingFrom+" WHERE l.id IN (?"+strings.Repeat(", ?", len(batch)-1)+")", args...)
		if err != nil {
			return nil, fmt.Errorf("listings by id: %w", err)
		}
		for rows.Next() {
			l, err := scanListing(rows, now, pii.From(q))
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[l.ID] = l
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sameContent reports whether the stored listing already holds what the
// row says, so that a re-import writes nothing.
func sameContent(old Listing, in Input, band, external, oldExternal string) bool {
	was := listingInput(old)
	was.Normalize()
	price := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	return was.Title == in.Title && was.Summary == in.Summary && was.Expected == in.Expected &&
		slices.Equal(was.Keywords, in.Keywords) && was.Domain == in.Domain && was.Industry == in.Industry &&
		was.TRL == in.TRL && slices.Equal(was.Modes, in.Modes) && price(was.Price) == price(in.Price) && old.Band == band &&
		was.Deadline == in.Deadline && was.RegionCode == in.RegionCode && was.Contact == in.Contact &&
		(external == "" || oldExternal == external)
}

func (s *Service) applyImportRow(ctx context.Context, tx *sqldb.Tx, a account.Actor, row importRow, existing map[int64]Listing,
	same map[int64]bool, opt ImportOptions, twins *twinSet, res *ImportResult, now time.Time) error {
	var id int64
	var before, after Listing
	if row.match == nil {
		var err error
		if id, err = insertListing(ctx, tx, row.kind, a.UserID, row.in, row.band, now); err != nil {
			return err
		}
		if row.external != "" {
			if err := setExternalID(ctx, tx, id, row.external); err != nil {
				return err
			}
		}
		after = listingFromInput(id, row, a.UserID, Draft)
		res.Created++
		if err := audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "listing.create", ObjectType: "listing",
			ObjectName: after.Title, ObjectID: idText(id), RegionCode: row.in.RegionCode, After: after.auditView()}); err != nil {
			return err
		}
	} else {
		before = existing[row.match.id]
		id = before.ID
		after = before
		if same[id] {
			res.Unchanged++
		} else {
			// A sheet has no column for 匿名发布: the listing keeps its choice.
			row.in.Anonymous, row.in.BrokerID = before.Anonymous, before.BrokerID
			if err := updateListing(ctx, tx, id, row.in, row.band, now); err != nil {
				return err
			}
			if row.external != "" && row.match.external != row.external {
				if err := setExternalID(ctx, tx, id, row.external); err != nil {
					return err
				}
			}
			after = listingFromInput(id, row, a.UserID, before.State)
			res.Updated++
			if err := audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "listing.update", ObjectType: "listing",
				ObjectName: after.Title, ObjectID: idText(id), RegionCode: row.in.RegionCode, Before: before.auditView(), After: after.auditView()}); err != nil {
				return err
			}
		}
	}
	if !opt.Submit || (after.State != Draft && after.State != Returned) {
		return nil
	}
	twin, score := twins.find(id, row.kind, row.in.Title, row.in.Summary)
	empty := ""
	if err := applyTransition(ctx, tx, id, transition{state: Submitted, submittedAt: now, reviewNote: &empty, setTwin: true,
		twinID: twin, twinScore: score}, now); err != nil {
		return err
	}
	twins.add(id, row.kind, row.in.Title, row.in.Summary)
	res.Submitted++
	submitted := after
	submitted.State, submitted.stored = Submitted, Submitted
	return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "listing.submit", ObjectType: "listing",
		ObjectID: idText(id), RegionCode: row.in.RegionCode, Before: after.auditView(), After: submitted.auditView()})
}

// listingFromInput is the listing a row writes, for the audit row.
func listingFromInput(id int64, row importRow, owner int64, st State) Listing {
	in := row.in
	return Listing{ID: id, Kind: row.kind, State: st, stored: st, Title: in.Title, Domain: in.Domain, Industry: in.Industry,
		TRL: in.TRL, Modes: in.Modes, Band: row.band, RegionCode: in.RegionCode, OwnerID: owner}
}

func setExternalID(ctx context.Context, tx *sqldb.Tx, id int64, external string) error {
	if _, err := tx.ExecContext(ctx, "UPDATE listings SET external_id = ? WHERE id = ?", external, id); err != nil {
		return fmt.Errorf("set external id of listing %d: %w", id, err)
	}
	return nil
}

// twinSet finds duplicates for many submissions at once, with the score
// findTwin computes. Each listing's bigrams are hashed and sorted once; an
// inverted index on title bigrams counts the shared title bigrams of every
// candidate in one pass over the postings (an array, not a map, holds the
// counts), and the summaries are compared, by merging sorted hashes, only
// for candidates whose title similarity can still reach twinThreshold
// (0.5·title + 0.5·1 ≥ 0.7 needs a title similarity of at least 0.4).
// Comparing each of 10,000 submissions with every candidate that shares a
// title bigram, counting in a map, took two minutes
// (docs/BENCHMARKS.md, listing import).
type twinSet struct {
	docs    []twinDoc
	byTitle map[uint64][]int32 // title bigram → docs
	counts  []int32            // scratch: shared title bigrams per doc
	touched []int32            // scratch: docs with a non-zero count
	buckets [][]int32          // scratch: docs by shared title bigrams
}

type twinDoc struct {
	id             int64
	kind           Kind
	title, summary []uint64 // sorted bigram hashes
}

// bigramHashes returns the sorted hashes of the bigrams of s (see bigrams).
func bigramHashes(s string) []uint64 {
	set := bigrams(s)
	out := make([]uint64, 0, len(set))
	for g := range set {
		h := fnv.New64a()
		_, _ = h.Write([]byte(g))
		out = append(out, h.Sum64())
	}
	slices.Sort(out)
	return out
}

// sharedCount counts the values two sorted slices have in common.
func sharedCount(a, b []uint64) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return n
}

func loadTwinSet(ctx context.Context, tx *sqldb.Tx) (*twinSet, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, title, summary FROM listings WHERE state IN ('submitted', 'published', 'closed')`)
	if err != nil {
		return nil, fmt.Errorf("twin candidates: %w", err)
	}
	defer rows.Close()
	ts := &twinSet{byTitle: map[uint64][]int32{}}
	for rows.Next() {
		var id int64
		var k Kind
		var title, summary string
		if err := rows.Scan(&id, &k, &title, &summary); err != nil {
			return nil, err
		}
		ts.add(id, k, title, summary)
	}
	return ts, rows.Err()
}

func (ts *twinSet) add(id int64, k Kind, title, summary string) {
	d := twinDoc{id: id, kind: k, title: bigramHashes(title), summary: bigramHashes(summary)}
	n := int32(len(ts.docs))
	ts.docs = append(ts.docs, d)
	ts.counts = append(ts.counts, 0)
	for _, g := range d.title {
		ts.byTitle[g] = append(ts.byTitle[g], n)
	}
}

// find returns the most similar listing of kind k other than id, and its
// score, when the score reaches twinThreshold.
func (ts *twinSet) find(id int64, k Kind, title, summary string) (int64, float64) {
	t := bigramHashes(title)
	for _, g := range t {
		for _, i := range ts.byTitle[g] {
			if ts.counts[i] == 0 {
				ts.touched = append(ts.touched, i)
			}
			ts.counts[i]++
		}
	}
	// Candidates are taken by shared title bigrams, most first, so that the
	// search stops once no remaining one can beat the best score: with c
	// shared bigrams the title similarity is at most 2c/(len(t)+c).
	for len(ts.buckets) <= len(t) {
		ts.buckets = append(ts.buckets, nil)
	}
	for _, i := range ts.touched {
		c := ts.counts[i]
		ts.counts[i] = 0
		ts.buckets[c] = append(ts.buckets[c], i)
	}
	var s []uint64
	var best int64
	var bestScore float64
	for c := len(t); c > 0; c-- {
		bound := 0.5*2*float64(c)/float64(len(t)+c) + 0.5
		if bound < twinThreshold || bound < bestScore {
			break
		}
		for _, i := range ts.buckets[c] {
			d := ts.docs[i]
			if d.kind != k || d.id == id {
				continue
			}
			titleDice := 2 * float64(c) / float64(len(t)+len(d.title))
			if 0.5*titleDice+0.5 < max(twinThreshold, bestScore) {
				continue
			}
			if s == nil {
				s = bigramHashes(summary)
			}
			summaryDice := 0.0
			if len(s) > 0 && len(d.summary) > 0 {
				summaryDice = 2 * float64(sharedCount(s, d.summary)) / float64(len(s)+len(d.summary))
			}
			if score := 0.5*titleDice + 0.5*summaryDice; score > bestScore || (score == bestScore && d.id < best) {
				best, bestScore = d.id, score
			}
		}
	}
	for c := range ts.buckets {
		ts.buckets[c] = ts.buckets[c][:0]
	}
	ts.touched = ts.touched[:0]
	if bestScore < twinThreshold {
		return 0, 0
	}
	return best, bestScore
}
