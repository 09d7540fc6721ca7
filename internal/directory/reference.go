package directory

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"kechuang/internal/i18n"
)

// Choice is one coded option of the reference data with its label in both
// languages. The code is stored and never shown; Label gives the words.
type Choice struct {
	Code string `json:"code"`
	ZH   string `json:"zh-CN"`
	EN   string `json:"en"`
}

// Label returns the choice's label in lang (Chinese unless lang is English).
func (c Choice) Label(lang string) string {
	if lang == i18n.English && c.EN != "" {
		return c.EN
	}
	return c.ZH
}

// Choices is a list of options in display order.
type Choices []Choice

// Has reports whether code is one of the options.
func (cs Choices) Has(code string) bool {
	return slices.ContainsFunc(cs, func(c Choice) bool { return c.Code == code })
}

// Label returns the label of code in lang, or code itself when unknown, so
// that a stale code shows up rather than vanishing.
func (cs Choices) Label(lang, code string) string {
	for _, c := range cs {
		if c.Code == code {
			return c.Label(lang)
		}
	}
	return code
}

// Measure is a unit carrier space is counted in.
type Measure string

// The measures of carrier space.
const (
	Stations Measure = "stations" // 工位
	Rooms    Measure = "rooms"    // 独立办公室
	Area     Measure = "area"     // m²
)

// Measures lists the measures in display order.
var Measures = []Measure{Stations, Rooms, Area}

// CarrierKind is one kind of incubation carrier: its place in the chain
// (Stage 1 众创空间 … 4 科技园区) and the measure its occupancy is headlined in.
type CarrierKind struct {
	Choice
	Stage   int     `json:"stage"`
	Measure Measure `json:"measure"`
}

// Notice is the privacy notice (PIPL) an expert consents under; a changed
// text is a new Version.
type Notice struct {
	Version string `json:"version"`
	ZH      string `json:"zh-CN"`
	EN      string `json:"en"`
}

// Text returns the notice in lang.
func (n Notice) Text(lang string) string {
	if lang == i18n.English && n.EN != "" {
		return n.EN
	}
	return n.ZH
}

// Domain is one top-level 国家重点支持的高新技术领域 with its second level.
type Domain struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Children []string `json:"children"`
}

// Discipline is one CSL 一级学科 with its 学科门类, the labels of the
// classifier that suggests an expert's disciplines.
type Discipline struct {
	Category string `json:"category"`
	Name     string `json:"discipline"`
}

// Reference is the directory's reference data from data/directory, plus
// the high-tech domains and CSL disciplines it shares with the market.
type Reference struct {
	InstitutionTypes  Choices
	InstitutionLevels Choices
	PlatformKinds     Choices
	PlatformLevels    Choices
	ExpertRoles       Choices
	PublicFields      Choices // what an expert may consent to show publicly
	ConsentMethods    Choices
	Notice            Notice
	BrokerGrades      Choices
	ServiceOrgTypes   Choices
	CarrierKinds      []CarrierKind
	CarrierLevels     Choices
	MeasureLabels     Choices
	ExitReasons       Choices
	FundTypes         Choices
	Stages            Choices
	Rounds            Choices
	Domains           []Domain
	Disciplines       []Discipline
}

// LoadReference reads the reference data from fsys (data.FS). A missing or
// malformed file, an empty list, a label missing in one language or a
// duplicated code is an error naming the file.
func LoadReference(fsys fs.FS) (*Reference, error) {
	var ref Reference
	var institutions struct {
		Types          Choices `json:"types"`
		Levels         Choices `json:"levels"`
		PlatformKinds  Choices `json:"platform_kinds"`
		PlatformLevels Choices `json:"platform_levels"`
	}
	var experts struct {
		Roles          Choices `json:"roles"`
		PublicFields   Choices `json:"public_fields"`
		ConsentMethods Choices `json:"consent_methods"`
		Notice         Notice  `json:"notice"`
	}
	var brokers struct {
		Grades Choices `json:"grades"`
	}
	var serviceOrgs struct {
		Types Choices `json:"types"`
	}
	var carriers struct {
		Kinds       []CarrierKind `json:"kinds"`
		Levels      Choices       `json:"levels"`
		Measures    Choices       `json:"measures"`
		ExitReasons Choices       `json:"exit_reasons"`
	}
	var funds struct {
		Types  Choices `json:"types"`
		Stages Choices `json:"stages"`
		Rounds Choices `json:"rounds"`
	}
	var domains struct {
		Domains []Domain `json:"domains"`
	}
	var disciplines struct {
		Disciplines []Discipline `json:"disciplines"`
	}
	files := []struct {
		name string
		v    any
	}{
		{"directory/institutions.json", &institutions}, {"directory/experts.json", &experts},
		{"directory/brokers.json", &brokers}, {"directory/service_orgs.json", &serviceOrgs},
		{"directory/carriers.json", &carriers}, {"directory/funds.json", &funds},
		{"market/domains.json", &domains}, {"market/discipline_domains.json", &disciplines},
	}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f.name)
		if err != nil {
			return nil, fmt.Errorf("directory reference: %w", err)
		}
		if err := json.Unmarshal(b, f.v); err != nil {
			return nil, fmt.Errorf("directory reference %s: %w", f.name, err)
		}
	}
	ref.InstitutionTypes, ref.InstitutionLevels = institutions.Types, institutions.Levels
	ref.PlatformKinds, ref.PlatformLevels = institutions.PlatformKinds, institutions.PlatformLevels
	ref.ExpertRoles, ref.PublicFields, ref.ConsentMethods, ref.Notice = experts.Roles, experts.PublicFields, experts.ConsentMethods, experts.Notice
	ref.BrokerGrades, ref.ServiceOrgTypes = brokers.Grades, serviceOrgs.Types
	ref.CarrierKinds, ref.CarrierLevels, ref.MeasureLabels, ref.ExitReasons = carriers.Kinds, carriers.Levels, carriers.Measures, carriers.ExitReasons
	ref.FundTypes, ref.Stages, ref.Rounds = funds.Types, funds.Stages, funds.Rounds
	ref.Domains, ref.Disciplines = domains.Domains, disciplines.Disciplines

	kinds := make(Choices, len(ref.CarrierKinds))
	for i, k := range ref.CarrierKinds {
		kinds[i] = k.Choice
		if k.Stage < 1 || !slices.Contains(Measures, k.Measure) {
			return nil, fmt.Errorf("directory reference carriers.json: kind %s needs a stage ≥ 1 and a measure of %v", k.Code, Measures)
		}
	}
	lists := []struct {
		file, list string
		cs         Choices
	}{
		{"institutions.json", "types", ref.InstitutionTypes}, {"institutions.json", "levels", ref.InstitutionLevels},
		{"institutions.json", "platform_kinds", ref.PlatformKinds}, {"institutions.json", "platform_levels", ref.PlatformLevels},
		{"experts.json", "roles", ref.ExpertRoles}, {"experts.json", "public_fields", ref.PublicFields},
		{"experts.json", "consent_methods", ref.ConsentMethods}, {"brokers.json", "grades", ref.BrokerGrades},
		{"service_orgs.json", "types", ref.ServiceOrgTypes}, {"carriers.json", "kinds", kinds},
		{"carriers.json", "levels", ref.CarrierLevels}, {"carriers.json", "measures", ref.MeasureLabels},
		{"carriers.json", "exit_reasons", ref.ExitReasons}, {"funds.json", "types", ref.FundTypes},
		{"funds.json", "stages", ref.Stages}, {"funds.json", "rounds", ref.Rounds},
	}
	for _, l := range lists {
		if err := checkChoices(l.cs); err != nil {
			return nil, fmt.Errorf("directory reference %s %s: %w", l.file, l.list, err)
		}
	}
	if !ref.PublicFields.Has(FieldName) || !ref.ConsentMethods.Has(ConsentSelf) || !ref.ConsentMethods.Has(ConsentRecorded) {
		return nil, fmt.Errorf("directory reference experts.json: public field %s or consent method %s or %s is missing",
			FieldName, ConsentSelf, ConsentRecorded)
	}
	for _, m := range Measures {
		if !ref.MeasureLabels.Has(string(m)) {
			return nil, fmt.Errorf("directory reference carriers.json: measure %s is missing", m)
		}
	}
	if !ref.ExitReasons.Has(ExitGraduated) {
		return nil, fmt.Errorf("directory reference carriers.json: exit reason %s is missing", ExitGraduated)
	}
	if ref.Notice.Version == "" || ref.Notice.ZH == "" || ref.Notice.EN == "" {
		return nil, fmt.Errorf("directory reference experts.json: the notice needs a version and both texts")
	}
	if len(ref.Domains) == 0 || len(ref.Disciplines) == 0 {
		return nil, fmt.Errorf("directory reference: no domains or disciplines in data/market")
	}
	return &ref, nil
}

// checkChoices refuses an empty list, a code that is empty or repeated, and
// a label missing in either language.
func checkChoices(cs Choices) error {
	if len(cs) == 0 {
		return fmt.Errorf("empty list")
	}
	seen := map[string]bool{}
	for _, c := range cs {
		switch {
		case c.Code == "" || seen[c.Code]:
			return fmt.Errorf("code %q empty or repeated", c.Code)
		case c.ZH == "" || c.EN == "":
			return fmt.Errorf("code %s needs labels in zh-CN and en", c.Code)
		}
		seen[c.Code] = true
	}
	return nil
}

// CarrierKind returns the kind with code.
func (r *Reference) CarrierKind(code string) (CarrierKind, bool) {
	for _, k := range r.CarrierKinds {
		if k.Code == code {
			return k, true
		}
	}
	return CarrierKind{}, false
}

// NextStage returns the kinds one stage up the chain from kind: where a
// graduate of a 众创空间 goes next (孵化器), and so on. The last stage has
// none.
func (r *Reference) NextStage(kind string) []CarrierKind {
	k, ok := r.CarrierKind(kind)
	if !ok {
		return nil
	}
	var out []CarrierKind
	for _, n := range r.CarrierKinds {
		if n.Stage == k.Stage+1 {
			out = append(out, n)
		}
	}
	return out
}

// ValidDomain reports whether d is a top-level domain name or "top/second"
// with a second level of that domain.
func (r *Reference) ValidDomain(d string) bool {
	top, sub, hasSub := strings.Cut(d, "/")
	for _, x := range r.Domains {
		if x.Name != top {
			continue
		}
		return !hasSub || slices.Contains(x.Children, sub)
	}
	return false
}

// ValidDiscipline reports whether d is one of the CSL disciplines.
func (r *Reference) ValidDiscipline(d string) bool {
	return slices.ContainsFunc(r.Disciplines, func(x Discipline) bool { return x.Name == d })
}
