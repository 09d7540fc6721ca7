package market

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// Domain is one top-level 国家重点支持的高新技术领域 with its second level.
type Domain struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Children []string `json:"children"`
}

// TRLLevel is one 技术就绪水平 level of GB/T 22900-2022.
type TRLLevel struct {
	Level int    `json:"level"`
	Name  string `json:"name"`
}

// TRLBand groups TRL levels for filtering.
type TRLBand struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Min  int    `json:"min"`
	Max  int    `json:"max"`
}

// Section is one GB/T 4754-2017 门类 with its range of 大类 (divisions).
type Section struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Divisions [2]int `json:"divisions"`
}

// Choice is a coded option: a transaction mode, an IP type or status.
type Choice struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Note string `json:"note,omitempty"`
}

// Band is a price or budget band in 万元; Max 0 means no upper bound. The
// band "negotiable" (面议) has neither.
type Band struct {
	Code string  `json:"code"`
	Name string  `json:"name"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
}

// DisciplineDomain maps one CSL discipline (the classifier's labels) to the
// high-tech domain its listings usually belong to. Domain "" means none
// fits; Sub is a second level of Domain, or "" where none is clearly right.
// The table is hand-made (data/market/discipline_domains.json).
type DisciplineDomain struct {
	Category   string `json:"category"`
	Discipline string `json:"discipline"`
	Domain     string `json:"domain"`
	Sub        string `json:"sub"`
}

// Negotiable is the band code of 面议.
const Negotiable = "negotiable"

// Reference is the market's reference data from data/market.
type Reference struct {
	Domains    []Domain
	TRL        []TRLLevel
	TRLBands   []TRLBand
	Sections   []Section
	Modes      []Choice
	IPTypes    []Choice
	IPStatuses []Choice
	Bands      []Band
	// Disciplines maps every CSL discipline to a domain, for suggestions.
	Disciplines []DisciplineDomain
}

// LoadReference reads the reference data from fsys (data.FS, files under
// market/). A missing or malformed file is an error naming it.
func LoadReference(fsys fs.FS) (*Reference, error) {
	var ref Reference
	var domains struct {
		Domains []Domain `json:"domains"`
	}
	var trl struct {
		Levels []TRLLevel `json:"levels"`
		Bands  []TRLBand  `json:"bands"`
	}
	var industries struct {
		Sections []Section `json:"sections"`
	}
	var modes struct {
		Modes []Choice `json:"modes"`
	}
	var ip struct {
		Types    []Choice `json:"types"`
		Statuses []Choice `json:"statuses"`
	}
	var bands struct {
		Bands []Band `json:"bands"`
	}
	var disciplines struct {
		Disciplines []DisciplineDomain `json:"disciplines"`
	}
	for name, v := range map[string]any{"domains.json": &domains, "trl.json": &trl, "industries.json": &industries,
		"modes.json": &modes, "ip.json": &ip, "bands.json": &bands, "discipline_domains.json": &disciplines} {
		b, err := fs.ReadFile(fsys, "market/"+name)
		if err != nil {
			return nil, fmt.Errorf("market reference: %w", err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		if err := dec.Decode(v); err != nil {
			return nil, fmt.Errorf("market reference %s: %w", name, err)
		}
	}
	ref.Domains, ref.TRL, ref.TRLBands, ref.Sections = domains.Domains, trl.Levels, trl.Bands, industries.Sections
	ref.Modes, ref.IPTypes, ref.IPStatuses, ref.Bands = modes.Modes, ip.Types, ip.Statuses, bands.Bands
	ref.Disciplines = disciplines.Disciplines
	for i, l := range ref.TRL {
		if l.Level != i+1 || l.Name == "" {
			return nil, fmt.Errorf("market reference trl.json: level %d out of order or unnamed", l.Level)
		}
	}
	if len(ref.Domains) == 0 || len(ref.Sections) == 0 || len(ref.Modes) == 0 || len(ref.Bands) == 0 {
		return nil, fmt.Errorf("market reference: a list is empty")
	}
	if err := ref.checkDisciplines(); err != nil {
		return nil, fmt.Errorf("market reference discipline_domains.json: %w", err)
	}
	return &ref, nil
}

// checkDisciplines refuses a discipline table that names a domain or a
// second level domains.json lacks, or lists a discipline twice.
func (r *Reference) checkDisciplines() error {
	if len(r.Disciplines) == 0 {
		return fmt.Errorf("no disciplines")
	}
	seen := map[string]bool{}
	for _, d := range r.Disciplines {
		switch {
		case d.Discipline == "":
			return fmt.Errorf("a discipline without a name")
		case seen[d.Discipline]:
			return fmt.Errorf("discipline %s listed twice", d.Discipline)
		case d.Domain == "" && d.Sub != "":
			return fmt.Errorf("discipline %s: second level %s without a domain", d.Discipline, d.Sub)
		case d.Domain != "" && !r.ValidDomain(d.Domain):
			return fmt.Errorf("discipline %s: unknown domain %s", d.Discipline, d.Domain)
		case d.Sub != "" && !r.ValidDomain(d.Domain+"/"+d.Sub):
			return fmt.Errorf("discipline %s: %s is not a second level of %s", d.Discipline, d.Sub, d.Domain)
		}
		seen[d.Discipline] = true
	}
	return nil
}

// DisciplineDomain returns the domain mapping of a CSL discipline.
func (r *Reference) DisciplineDomain(discipline string) (DisciplineDomain, bool) {
	for _, d := range r.Disciplines {
		if d.Discipline == discipline {
			return d, true
		}
	}
	return DisciplineDomain{}, false
}

// ValidDomain reports whether d is a top-level domain name or
// "top/second" with a second level of that domain.
func (r *Reference) ValidDomain(d string) bool {
	top, sub, hasSub := strings.Cut(d, "/")
	for _, x := range r.Domains {
		if x.Name != top {
			continue
		}
		if !hasSub {
			return true
		}
		for _, c := range x.Children {
			if c == sub {
				return true
			}
		}
	}
	return false
}

// ValidIndustry reports whether code is a GB/T 4754-2017 section letter
// (e.g. "C") or a section letter with a division inside its range ("C39").
func (r *Reference) ValidIndustry(code string) bool {
	if code == "" {
		return false
	}
	for _, s := range r.Sections {
		if code[:1] != s.Code {
			continue
		}
		if len(code) == 1 {
			return true
		}
		if len(code) != 3 {
			return false
		}
		n, err := strconv.Atoi(code[1:])
		return err == nil && n >= s.Divisions[0] && n <= s.Divisions[1]
	}
	return false
}

// SectionName returns the name of the section of an industry code.
func (r *Reference) SectionName(code string) string {
	for _, s := range r.Sections {
		if code != "" && code[:1] == s.Code {
			return s.Name
		}
	}
	return ""
}

// TRLName returns the name of a TRL level, "" for an unknown level.
func (r *Reference) TRLName(level int) string {
	if level < 1 || level > len(r.TRL) {
		return ""
	}
	return r.TRL[level-1].Name
}

// TRLBand returns the band with code.
func (r *Reference) TRLBand(code string) (TRLBand, bool) {
	for _, b := range r.TRLBands {
		if b.Code == code {
			return b, true
		}
	}
	return TRLBand{}, false
}

func findChoice(list []Choice, code string) (Choice, bool) {
	for _, c := range list {
		if c.Code == code {
			return c, true
		}
	}
	return Choice{}, false
}

// ModeName returns the name of a transaction mode, or the code itself.
func (r *Reference) ModeName(code string) string {
	if c, ok := findChoice(r.Modes, code); ok {
		return c.Name
	}
	return code
}

// IPTypeName returns the name of an IP type, or the code itself.
func (r *Reference) IPTypeName(code string) string {
	if c, ok := findChoice(r.IPTypes, code); ok {
		return c.Name
	}
	return code
}

// IPStatusName returns the name of an IP status, or the code itself.
func (r *Reference) IPStatusName(code string) string {
	if c, ok := findChoice(r.IPStatuses, code); ok {
		return c.Name
	}
	return code
}

// Band returns the band with code.
func (r *Reference) Band(code string) (Band, bool) {
	for _, b := range r.Bands {
		if b.Code == code {
			return b, true
		}
	}
	return Band{}, false
}

// BandName returns the name of a band, or the code itself.
func (r *Reference) BandName(code string) string {
	if b, ok := r.Band(code); ok {
		return b.Name
	}
	return code
}

// BandOf returns the band an asking price in 万元 falls in; nil is 面议.
func (r *Reference) BandOf(price *float64) string {
	if price == nil {
		return Negotiable
	}
	for _, b := range r.Bands {
		if b.Code == Negotiable {
			continue
		}
		if *price >= b.Min && (b.Max == 0 || *price < b.Max) {
			return b.Code
		}
	}
	return ""
}
