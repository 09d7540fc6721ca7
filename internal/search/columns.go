package search

import "strings"

// Facets and sort keys are stored by column, one slot per document
// ordinal, instead of as two maps per document: a million listings with
// eight facets each held some 900 bytes of map and slice headers apiece,
// and counting facets over every match meant a map lookup per match and
// facet. A facet column holds, for each document, the id of the exact
// sequence of values the document gave (its "set"); sets are interned per
// facet, so counting is an array increment and filtering a table lookup.
// Columns are only appended to: slots below the length never change, so a
// snapshot may read them without the lock.

// facetCol is one facet's column.
type facetCol struct {
	name   string
	col    []uint32   // by ordinal: set id + 1, or 0 for no such facet
	sets   [][]uint32 // set id → value ids, in the document's order
	setIdx map[string]uint32
	values []string // value id → value
	valIdx map[string]uint32
}

func newFacetCol(name string, n int) *facetCol {
	return &facetCol{name: name, col: make([]uint32, n), setIdx: map[string]uint32{}, valIdx: map[string]uint32{}}
}

// set interns a sequence of values and returns its id.
func (c *facetCol) set(vals []string) uint32 {
	key := setKey(vals)
	if id, ok := c.setIdx[key]; ok {
		return id
	}
	ids := make([]uint32, len(vals))
	for i, v := range vals {
		vid, ok := c.valIdx[v]
		if !ok {
			vid = uint32(len(c.values))
			c.values = append(c.values, v)
			c.valIdx[v] = vid
		}
		ids[i] = vid
	}
	id := uint32(len(c.sets))
	c.sets = append(c.sets, ids)
	c.setIdx[key] = id
	return id
}

// setKey is the key of a sequence of values in facetCol.setIdx.
func setKey(vals []string) string {
	if len(vals) == 1 && vals[0] == "" {
		return "\x00\x00" // one empty value, not zero values
	}
	return strings.Join(vals, "\x00")
}

// valuesOf returns the values document ord gave, or nil.
func (c *facetCol) valuesOf(ord uint32) []string {
	s := c.col[ord]
	if s == 0 {
		return nil
	}
	ids := c.sets[s-1]
	out := make([]string, len(ids))
	for i, v := range ids {
		out[i] = c.values[v]
	}
	return out
}

// sortCol is one sort key's column.
type sortCol struct {
	name string
	val  []float64
	has  []bool
}

// putColumns appends document ord's facets and sort keys to the columns,
// creating columns for names not seen before; called with ix.mu held.
func (t *docTable) putColumns(ord uint32, facets map[string][]string, sorts map[string]float64) {
	n := int(ord) + 1
	for name, vals := range facets {
		c := t.facetByName[name]
		if c == nil {
			c = newFacetCol(name, int(ord))
			t.facetByName[name] = c
			t.facetCols = append(t.facetCols, c)
		}
		c.col = append(c.col, c.set(vals)+1)
	}
	for _, c := range t.facetCols {
		if len(c.col) < n {
			c.col = append(c.col, 0)
		}
	}
	for name, v := range sorts {
		c := t.sortByName[name]
		if c == nil {
			c = &sortCol{name: name, val: make([]float64, ord), has: make([]bool, ord)}
			t.sortByName[name] = c
			t.sortCols = append(t.sortCols, c)
		}
		c.val = append(c.val, v)
		c.has = append(c.has, true)
	}
	for _, c := range t.sortCols {
		if len(c.val) < n {
			c.val = append(c.val, 0)
			c.has = append(c.has, false)
		}
	}
}

// facetsOf rebuilds document ord's facet map, nil if it had none.
func (t *docTable) facetsOf(ord uint32) map[string][]string {
	var m map[string][]string
	for _, c := range t.facetCols {
		if c.col[ord] == 0 {
			continue
		}
		if m == nil {
			m = map[string][]string{}
		}
		m[c.name] = c.valuesOf(ord)
	}
	return m
}

// sortsOf rebuilds document ord's sort keys, nil if it had none.
func (t *docTable) sortsOf(ord uint32) map[string]float64 {
	var m map[string]float64
	for _, c := range t.sortCols {
		if !c.has[ord] {
			continue
		}
		if m == nil {
			m = map[string]float64{}
		}
		m[c.name] = c.val[ord]
	}
	return m
}

// filter is a compiled Query.Filters: for each filtered facet, which of its
// sets pass.
type filter struct {
	cols []*facetCol
	pass [][]bool // by set id + 1
	none bool     // a filtered facet no document has: nothing passes
}

// compileFilter compiles filters against the current sets; called with
// ix.mu held. A nil filter passes everything.
func (ix *Index) compileFilter(filters map[string][]string) *filter {
	if len(filters) == 0 {
		return nil
	}
	f := &filter{}
	for name, want := range filters {
		c := ix.facetByName[name]
		if c == nil {
			f.none = true
			continue
		}
		pass := make([]bool, len(c.sets)+1)
		for s, ids := range c.sets {
			for _, v := range ids {
				if containsString(want, c.values[v]) {
					pass[s+1] = true
					break
				}
			}
		}
		f.cols = append(f.cols, c)
		f.pass = append(f.pass, pass)
	}
	return f
}

func (f *filter) passes(ord uint32) bool {
	if f == nil {
		return true
	}
	if f.none {
		return false
	}
	for i, c := range f.cols {
		if !f.pass[i][c.col[ord]] {
			return false
		}
	}
	return true
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
