package directory

import (
	"strconv"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/i18n"
	"kechuang/internal/search"
)

// The "see" facet values: a document carries every value that lets an actor
// see it, and a search keeps the documents carrying one of the actor's
// values (seeValues).
const (
	seePublic  = "public"  // anonymous visitors too
	seeMembers = "members" // every logged-in account
	seeScope   = "scope:"  // + region code: staff whose scope is that region
	seeUser    = "user:"   // + account id: the account edits the record
	seeInst    = "inst:"   // + institution id: the institution's accounts edit it
)

// visSee are the see values of a visibility.
func visSee(v Visibility) []string {
	switch v {
	case VisiblePublic:
		return []string{seePublic, seeMembers}
	case VisibleMembers:
		return []string{seeMembers}
	}
	return nil
}

// scopeSee are the see values of staff whose scope contains regionCode: the
// region itself, its city and its province.
func scopeSee(regionCode string) []string {
	if len(regionCode) != 6 {
		return nil
	}
	out := []string{seeScope + regionCode}
	for _, c := range []string{regionCode[:4] + "00", regionCode[:2] + "0000"} {
		if c != regionCode && out[len(out)-1] != seeScope+c {
			out = append(out, seeScope+c)
		}
	}
	return out
}

func idSee(prefix string, id int64) []string {
	if id == 0 {
		return nil
	}
	return []string{prefix + strconv.FormatInt(id, 10)}
}

// seeValues are the see values an actor's search keeps; nil keeps every
// document (the administrator and staff of the whole installation).
func seeValues(v viewer) []string {
	a := v.Actor
	if a.LoggedIn() && (a.Role == account.RoleAdmin || (IsManager(a) && a.Scope() == "")) {
		return nil
	}
	out := []string{seePublic}
	if a.LoggedIn() {
		out = append(out, seeMembers, seeUser+strconv.FormatInt(a.UserID, 10))
	}
	if IsManager(a) {
		out = append(out, seeScope+a.Scope())
	}
	if v.institution != 0 {
		out = append(out, seeInst+strconv.FormatInt(v.institution, 10))
	}
	return out
}

// fieldValues are the field facet values of domains ("电子信息/软件" counts
// as 电子信息) and disciplines.
func fieldValues(domains, disciplines []string) []string {
	var out []string
	add := func(v string) {
		if v != "" && !containsCode(out, v) {
			out = append(out, v)
		}
	}
	for _, d := range domains {
		top, _, _ := strings.Cut(d, "/")
		add(top)
	}
	for _, d := range disciplines {
		add(d)
	}
	return out
}

// docOf assembles a document: its id, the facets every type has, and the
// text.
type docOf struct {
	typ      string
	id       int64
	full     bool
	name     string
	kind     string
	level    string
	region   string
	fields   []string
	see      []string
	inst     int64
	keywords []string
	text     []string
}

func (d docOf) doc() search.Document {
	id := docKey(d.typ, d.id)
	if d.full {
		id += ":full"
	}
	facets := map[string][]string{facetType: {d.typ}, facetSee: d.see}
	set := func(name, v string) {
		if v != "" {
			facets[name] = []string{v}
		}
	}
	set(facetKind, d.kind)
	set(facetLevel, d.level)
	set(facetRegion, d.region)
	if d.inst != 0 {
		set(facetInst, strconv.FormatInt(d.inst, 10))
	}
	if len(d.fields) > 0 {
		facets[facetField] = d.fields
	}
	var kw []string
	for _, k := range d.keywords {
		if k = strings.TrimSpace(k); k != "" {
			kw = append(kw, k)
		}
	}
	var text []string
	for _, t := range d.text {
		if t = strings.TrimSpace(t); t != "" {
			text = append(text, t)
		}
	}
	return search.Document{ID: id, Title: d.name, Keywords: kw, Text: strings.Join(text, "\n"), Facets: facets}
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// labels are the Chinese labels of codes, so that a search for 孵化器 or
// 国家级 finds records of that kind or level.
func labels(cs Choices, codes ...string) []string {
	var out []string
	for _, c := range codes {
		if c != "" {
			out = append(out, cs.Label(i18n.Chinese, c))
		}
	}
	return out
}

func (s *Service) institutionDocs(i Institution) []search.Document {
	return []search.Document{docOf{typ: TypeInstitution, id: i.ID, name: i.Name, kind: i.Type, level: i.Level, region: i.RegionCode,
		fields: fieldValues(i.Domains, i.Disciplines), see: concat(visSee(i.Visibility), scopeSee(i.RegionCode), idSee(seeInst, i.ID)),
		keywords: concat(i.Disciplines, i.Domains, labels(s.ref.InstitutionTypes, i.Type), labels(s.ref.InstitutionLevels, i.Level)),
		text:     []string{i.Summary, i.TTO}}.doc()}
}

func (s *Service) platformDocs(p Platform) []search.Document {
	return []search.Document{docOf{typ: TypePlatform, id: p.ID, name: p.Name, kind: p.Kind, level: p.Level, region: p.RegionCode,
		fields: fieldValues([]string{p.Domain}, nil), inst: p.InstitutionID,
		see:      concat(visSee(p.visibility), scopeSee(p.RegionCode), idSee(seeInst, p.InstitutionID)),
		keywords: concat([]string{p.Domain, p.InstitutionName}, labels(s.ref.PlatformKinds, p.Kind), labels(s.ref.PlatformLevels, p.Level)),
		text:     concat([]string{p.Summary}, p.Services)}.doc()}
}

// expertDocs are the expert's full record, seen by staff in scope, the
// expert and the institution's editors, and, when the profile is public,
// the consented fields alone for everybody else: a withheld field is in no
// document a visitor's search reads.
func (s *Service) expertDocs(e Expert) []search.Document {
	doc := func(x Expert, full bool, see []string) search.Document {
		return docOf{typ: TypeExpert, id: x.ID, full: full, name: x.Name, region: x.RegionCode, fields: fieldValues(nil, x.Disciplines),
			see: see, keywords: concat(x.Keywords, x.Disciplines, labels(s.ref.ExpertRoles, x.Roles...)),
			text: concat([]string{x.Title, x.Affiliation, x.Research}, x.Achievements, x.Patents)}.doc()
	}
	out := []search.Document{doc(e, true, concat(scopeSee(e.RegionCode), idSee(seeUser, e.AccountID), idSee(seeInst, e.InstitutionID)))}
	if e.Public() {
		if see := visSee(e.Visibility); len(see) > 0 {
			out = append(out, doc(e.public(), false, see))
		}
	}
	return out
}

func (s *Service) serviceOrgDocs(o ServiceOrg) []search.Document {
	return []search.Document{docOf{typ: TypeServiceOrg, id: o.ID, name: o.Name, kind: o.Type, region: o.RegionCode,
		fields: fieldValues(o.Fields, nil), see: concat(visSee(o.Visibility), scopeSee(o.RegionCode), idSee(seeUser, o.OwnerID)),
		keywords: concat(o.Fields, o.Services, labels(s.ref.ServiceOrgTypes, o.Type)),
		text:     concat([]string{o.Summary}, o.Qualifications)}.doc()}
}

func (s *Service) carrierDocs(c Carrier) []search.Document {
	kinds := make(Choices, len(s.ref.CarrierKinds))
	for i, k := range s.ref.CarrierKinds {
		kinds[i] = k.Choice
	}
	return []search.Document{docOf{typ: TypeCarrier, id: c.ID, name: c.Name, kind: c.Kind, level: c.Level, region: c.RegionCode,
		see:      concat(visSee(c.Visibility), scopeSee(c.RegionCode), idSee(seeUser, c.OwnerID)),
		keywords: concat(labels(kinds, c.Kind), labels(s.ref.CarrierLevels, c.Level)),
		text:     []string{c.Operator, c.Summary}}.doc()}
}

func (s *Service) fundDocs(f Fund) []search.Document {
	return []search.Document{docOf{typ: TypeFund, id: f.ID, name: f.Name, kind: f.Type, region: f.RegionCode,
		fields: fieldValues(f.Domains, nil), see: concat(visSee(f.Visibility), scopeSee(f.RegionCode), idSee(seeUser, f.OwnerID)),
		keywords: concat(f.Domains, labels(s.ref.FundTypes, f.Type), labels(s.ref.Stages, f.Stages...)),
		text:     []string{f.Manager, f.Summary}}.doc()}
}

func (s *Service) brokerDocs(b BrokerProfile) []search.Document {
	see := concat(scopeSee(b.RegionCode), idSee(seeUser, b.UserID))
	if b.enabled {
		see = append(visSee(b.Visibility), see...)
	}
	return []search.Document{docOf{typ: TypeBroker, id: b.UserID, name: b.Name, kind: b.Grade, region: b.RegionCode,
		fields: fieldValues(b.Fields, nil), see: see,
		keywords: concat(b.Fields, labels(s.ref.BrokerGrades, b.Grade), []string{"技术经纪人"}),
		text:     []string{b.Organization, b.Summary}}.doc()}
}
