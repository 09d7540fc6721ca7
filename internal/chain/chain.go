package chain

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Segment ids, in their order along a chain.
const (
	Upstream   = "upstream"
	Midstream  = "midstream"
	Downstream = "downstream"
)

// Segments lists the segment ids in chain order.
var Segments = []string{Upstream, Midstream, Downstream}

// Source is a public document a chain's structure comes from.
type Source struct {
	Title     string `json:"title"`
	Publisher string `json:"publisher,omitempty"`
	Year      int    `json:"year,omitempty"`
	URL       string `json:"url,omitempty"`
	Note      string `json:"note,omitempty"`
}

// Segment is one of 上游, 中游, 下游.
type Segment struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
}

// Link is one node of a chain (环节).
type Link struct {
	ID              string   `json:"id"`
	Parent          string   `json:"parent"`
	Segment         string   `json:"segment"`
	Name            string   `json:"name"`
	NameEn          string   `json:"name_en"`
	Description     string   `json:"description"`
	DescriptionEn   string   `json:"description_en,omitempty"`
	Products        []string `json:"products"`
	Technologies    []string `json:"technologies"`
	Keywords        []string `json:"keywords"`
	IndustryClasses []string `json:"industry_classes"`
	Domains         []string `json:"domains"`
}

// Supply is a supply edge: link From supplies link To.
type Supply struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Chain is one industry chain as its file states it, with staff edits
// applied when it comes from Service.
type Chain struct {
	ID            string    `json:"id"`
	Version       string    `json:"version"`
	Name          string    `json:"name"`
	NameEn        string    `json:"name_en"`
	Description   string    `json:"description"`
	DescriptionEn string    `json:"description_en,omitempty"`
	Sources       []Source  `json:"sources"`
	Segments      []Segment `json:"segments"`
	Links         []Link    `json:"links"`
	Supplies      []Supply  `json:"supplies"`
}

// Link returns the chain's link with the id.
func (c *Chain) Link(id string) (Link, bool) {
	for _, l := range c.Links {
		if l.ID == id {
			return l, true
		}
	}
	return Link{}, false
}

// Suppliers returns the ids of the links that supply link id (its upstream
// neighbours), in file order.
func (c *Chain) Suppliers(id string) []string {
	var out []string
	for _, s := range c.Supplies {
		if s.To == id {
			out = append(out, s.From)
		}
	}
	return out
}

// Neighbours returns the ids of the links next to id: its suppliers, the
// links it supplies, its parent, its children and its siblings.
func (c *Chain) Neighbours(id string) []string {
	seen := map[string]bool{id: true}
	var out []string
	add := func(x string) {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	self, _ := c.Link(id)
	for _, s := range c.Supplies {
		if s.To == id {
			add(s.From)
		}
		if s.From == id {
			add(s.To)
		}
	}
	add(self.Parent)
	for _, l := range c.Links {
		if l.Parent == id || (self.Parent != "" && l.Parent == self.Parent) {
			add(l.ID)
		}
	}
	return out
}

// Book is the loaded chains, in id order.
type Book struct {
	Chains []Chain
}

// Get returns the chain with the id.
func (b *Book) Get(id string) (Chain, bool) {
	for _, c := range b.Chains {
		if c.ID == id {
			return c, true
		}
	}
	return Chain{}, false
}

// notChainFiles are the files of data/chains that are not chains.
var notChainFiles = map[string]bool{"strength.json": true, "labelled_firms.json": true}

var (
	idPattern       = regexp.MustCompile(`^[a-z0-9-]+$`)
	versionPattern  = regexp.MustCompile(`^[0-9]{4}\.[0-9]+$`)
	classPattern    = regexp.MustCompile(`^[A-T][0-9]{2,4}$`)
	minLinks        = 20
	maxLinks        = 40
	minKeywords     = 3
	maxKeywordRunes = 8
)

// LoadBook reads every chain file of data/chains in fsys and checks it
// against the format (docs: chain-format in data/chains/README.md): a
// broken file is an error naming the file and what is wrong; nothing
// loads. domains are the top-level high-tech domain names a link's domain
// must start with.
func LoadBook(fsys fs.FS, dir string, domains []string) (*Book, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("chains: %w", err)
	}
	var b Book
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") || notChainFiles[name] {
			continue
		}
		raw, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("chains: %w", err)
		}
		c, err := ParseChain(raw, domains)
		if err != nil {
			return nil, fmt.Errorf("chains: %s: %w", name, err)
		}
		if c.ID+".json" != name {
			return nil, fmt.Errorf("chains: %s: id %q does not match the file name", name, c.ID)
		}
		b.Chains = append(b.Chains, c)
	}
	sort.Slice(b.Chains, func(i, j int) bool { return b.Chains[i].ID < b.Chains[j].ID })
	return &b, nil
}

// ParseChain decodes one chain file strictly (an unknown field is an
// error) and checks it (Check).
func ParseChain(raw []byte, domains []string) (Chain, error) {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	var c Chain
	if err := dec.Decode(&c); err != nil {
		return Chain{}, fmt.Errorf("decode: %w", err)
	}
	if dec.More() {
		return Chain{}, fmt.Errorf("decode: data after the chain object")
	}
	return c, c.Check(domains)
}

// Check enforces the format's rules: ids unique and well-formed; parents
// exist in the same segment, without cycles; every link named in both
// languages with at least three keywords, one GB/T 4754 class and one
// domain of the catalogue; supplies between existing links, no self loop;
// at least one source; 20–40 links.
func (c *Chain) Check(domains []string) error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if !idPattern.MatchString(c.ID) {
		bad("id %q: want lower-case letters, digits and dashes", c.ID)
	}
	if !versionPattern.MatchString(c.Version) {
		bad("version %q: want YEAR.N, e.g. 2026.1", c.Version)
	}
	if strings.TrimSpace(c.Name) == "" || strings.TrimSpace(c.NameEn) == "" {
		bad("name and name_en are required")
	}
	if len(c.Sources) == 0 {
		bad("sources: at least one source is required")
	}
	for i, s := range c.Sources {
		if strings.TrimSpace(s.Title) == "" {
			bad("sources[%d]: title is required", i)
		}
	}
	if len(c.Segments) != len(Segments) {
		bad("segments: want exactly %s", strings.Join(Segments, ", "))
	} else {
		for i, s := range c.Segments {
			if s.ID != Segments[i] || s.Name == "" || s.NameEn == "" {
				bad("segments[%d]: want id %q with name and name_en", i, Segments[i])
			}
		}
	}
	if n := len(c.Links); n < minLinks || n > maxLinks {
		bad("links: %d links, want %d–%d", n, minLinks, maxLinks)
	}
	byID := map[string]Link{}
	for i, l := range c.Links {
		where := fmt.Sprintf("links[%d] %q", i, l.ID)
		if !idPattern.MatchString(l.ID) {
			bad("%s: id must be lower-case letters, digits and dashes", where)
		}
		if _, dup := byID[l.ID]; dup {
			bad("%s: duplicate id", where)
		}
		byID[l.ID] = l
		if !slices.Contains(Segments, l.Segment) {
			bad("%s: segment %q unknown", where, l.Segment)
		}
		if strings.TrimSpace(l.Name) == "" || strings.TrimSpace(l.NameEn) == "" {
			bad("%s: name and name_en are required", where)
		}
		if len(l.Keywords) < minKeywords {
			bad("%s: %d keywords, want at least %d", where, len(l.Keywords), minKeywords)
		}
		for _, k := range l.Keywords {
			if n := utf8.RuneCountInString(k); n < 2 || n > maxKeywordRunes || strings.TrimSpace(k) != k {
				bad("%s: keyword %q: want 2–%d characters", where, k, maxKeywordRunes)
			}
		}
		if len(l.IndustryClasses) == 0 {
			bad("%s: at least one industry class is required", where)
		}
		for _, ic := range l.IndustryClasses {
			if !classPattern.MatchString(ic) {
				bad("%s: industry class %q: want a GB/T 4754 code, a letter and 2–4 digits", where, ic)
			}
		}
		if len(l.Domains) == 0 {
			bad("%s: at least one domain is required", where)
		}
		for _, d := range l.Domains {
			top, _, _ := strings.Cut(d, "/")
			if !slices.Contains(domains, top) {
				bad("%s: domain %q: %q is not a high-tech domain of data/market/domains.json", where, d, top)
			}
		}
	}
	for _, l := range c.Links {
		if l.Parent == "" {
			continue
		}
		p, ok := byID[l.Parent]
		switch {
		case !ok:
			bad("link %q: parent %q does not exist", l.ID, l.Parent)
		case p.Segment != l.Segment:
			bad("link %q: parent %q is in segment %q, not %q", l.ID, l.Parent, p.Segment, l.Segment)
		}
		seen := map[string]bool{l.ID: true}
		for x := l.Parent; x != ""; x = byID[x].Parent {
			if seen[x] {
				bad("link %q: its parents form a cycle", l.ID)
				break
			}
			seen[x] = true
		}
	}
	for i, s := range c.Supplies {
		_, okF := byID[s.From]
		_, okT := byID[s.To]
		switch {
		case !okF || !okT:
			bad("supplies[%d]: %q → %q names a link that does not exist", i, s.From, s.To)
		case s.From == s.To:
			bad("supplies[%d]: link %q supplies itself", i, s.From)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// DomainNames reads the top-level names of data/market/domains.json.
func DomainNames(fsys fs.FS) ([]string, error) {
	raw, err := fs.ReadFile(fsys, "market/domains.json")
	if err != nil {
		return nil, fmt.Errorf("chains: %w", err)
	}
	var d struct {
		Domains []struct {
			Name string `json:"name"`
		} `json:"domains"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("chains: domains: %w", err)
	}
	var out []string
	for _, x := range d.Domains {
		out = append(out, x.Name)
	}
	return out, nil
}
