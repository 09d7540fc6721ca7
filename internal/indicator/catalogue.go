package indicator

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Source says where an indicator's values come from.
type Source string

// The sources.
const (
	Computed Source = "computed" // derived from a module's records, never typed
	Entered  Source = "entered"  // filled by the counties once per period
)

// Kind says how an indicator adds up over time: a flow sums its months, a
// stock is its value at the end of the period.
type Kind string

// The kinds.
const (
	Flow  Kind = "flow"
	Stock Kind = "stock"
)

// Indicator is one entry of the catalogue, defined once.
type Indicator struct {
	Code          string    `json:"code"`
	Name          string    `json:"name"`
	NameEN        string    `json:"name_en"`
	Unit          string    `json:"unit"`
	UnitEN        string    `json:"unit_en"`
	Definition    string    `json:"definition"`
	DefinitionEN  string    `json:"definition_en"`
	Source        Source    `json:"source"`
	Computation   string    `json:"computation,omitempty"` // the named computation of a computed indicator
	Responsible   string    `json:"responsible"`
	ResponsibleEN string    `json:"responsible_en"`
	Frequency     Frequency `json:"frequency"`
	Kind          Kind      `json:"kind"`
	Decimals      int       `json:"decimals,omitempty"`
	// Max bounds an entered value; 0 means no bound.
	Max float64 `json:"max,omitempty"`
}

// Localized returns the name, unit, definition and responsible unit in
// lang ("en" or Chinese).
func (ind Indicator) Localized(lang string) (name, unit, definition, responsible string) {
	if lang == "en" {
		return ind.NameEN, ind.UnitEN, ind.DefinitionEN, ind.ResponsibleEN
	}
	return ind.Name, ind.Unit, ind.Definition, ind.Responsible
}

// Template is a report layout: the catalogue codes of its rows and whether
// its columns are the counties (with the city total) or periods.
type Template struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	NameEN    string    `json:"name_en"`
	Form      string    `json:"form"` // the form number printed on the report, e.g. 科统月1表
	Frequency Frequency `json:"frequency"`
	Layout    string    `json:"layout"` // counties or periods
	Rows      []string  `json:"rows"`
}

// Catalogue is the indicator catalogue and the report templates.
type Catalogue struct {
	// DeadlineDay is the day of the month after a period by which its
	// entered indicators are due.
	DeadlineDay int         `json:"deadline_day"`
	Indicators  []Indicator `json:"indicators"`
	Templates   []Template  `json:"-"`
	byCode      map[string]int
}

// Get returns the indicator of code.
func (c *Catalogue) Get(code string) (Indicator, bool) {
	i, ok := c.byCode[code]
	if !ok {
		return Indicator{}, false
	}
	return c.Indicators[i], true
}

// Template returns the report template of id.
func (c *Catalogue) Template(id string) (Template, bool) {
	for _, t := range c.Templates {
		if t.ID == id {
			return t, true
		}
	}
	return Template{}, false
}

// EnteredFor lists the entered indicators due for a period of frequency f.
func (c *Catalogue) EnteredFor(f Frequency) []Indicator {
	var out []Indicator
	for _, ind := range c.Indicators {
		if ind.Source == Entered && ind.Frequency == f {
			out = append(out, ind)
		}
	}
	return out
}

// LoadCatalogue reads indicators/catalogue.json and the templates under
// indicators/reports from fsys and checks them: codes unique, every
// computed indicator naming a known computation, every template row a
// catalogue code.
func LoadCatalogue(fsys fs.FS) (*Catalogue, error) {
	b, err := fs.ReadFile(fsys, "indicators/catalogue.json")
	if err != nil {
		return nil, err
	}
	var c Catalogue
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("indicators/catalogue.json: %w", err)
	}
	if c.DeadlineDay < 1 || c.DeadlineDay > 28 {
		return nil, fmt.Errorf("indicators/catalogue.json: deadline_day %d outside 1–28", c.DeadlineDay)
	}
	c.byCode = map[string]int{}
	for i, ind := range c.Indicators {
		if _, dup := c.byCode[ind.Code]; dup || ind.Code == "" {
			return nil, fmt.Errorf("indicator %q: empty or repeated code", ind.Code)
		}
		c.byCode[ind.Code] = i
		if ind.Name == "" || ind.NameEN == "" || ind.Unit == "" || ind.Definition == "" || ind.Responsible == "" {
			return nil, fmt.Errorf("indicator %s: name, name_en, unit, definition and responsible are required", ind.Code)
		}
		switch ind.Frequency {
		case Monthly, Quarterly, Yearly:
		default:
			return nil, fmt.Errorf("indicator %s: frequency %q", ind.Code, ind.Frequency)
		}
		if ind.Kind != Flow && ind.Kind != Stock {
			return nil, fmt.Errorf("indicator %s: kind %q", ind.Code, ind.Kind)
		}
		switch ind.Source {
		case Computed:
			if _, ok := computations[ind.Computation]; !ok {
				return nil, fmt.Errorf("indicator %s: unknown computation %q", ind.Code, ind.Computation)
			}
		case Entered:
			if ind.Computation != "" {
				return nil, fmt.Errorf("indicator %s: an entered indicator has no computation", ind.Code)
			}
		default:
			return nil, fmt.Errorf("indicator %s: source %q", ind.Code, ind.Source)
		}
	}
	files, err := fs.Glob(fsys, "indicators/reports/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, name := range files {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var t Template
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&t); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if t.ID != strings.TrimSuffix(path.Base(name), ".json") {
			return nil, fmt.Errorf("%s: id %q differs from the file name", name, t.ID)
		}
		if t.Layout != "counties" && t.Layout != "periods" {
			return nil, fmt.Errorf("%s: layout %q", name, t.Layout)
		}
		for _, code := range t.Rows {
			ind, ok := c.Get(code)
			if !ok {
				return nil, fmt.Errorf("%s: row %q is not in the catalogue", name, code)
			}
			if ind.Frequency.rank() > t.Frequency.rank() {
				return nil, fmt.Errorf("%s: row %s is known only per %s", name, code, ind.Frequency)
			}
		}
		c.Templates = append(c.Templates, t)
	}
	// 月报, 季报, 年报 in that order.
	sort.SliceStable(c.Templates, func(i, j int) bool {
		return c.Templates[i].Frequency.rank() < c.Templates[j].Frequency.rank()
	})
	return &c, nil
}
