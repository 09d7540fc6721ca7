package project

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Type is a kind of project with its node template, as data/projects gives
// it.
type Type struct {
	ID          string `json:"id"`
	Order       int    `json:"order"`
	Name        string `json:"name"`
	NameEN      string `json:"name_en"`
	Description string `json:"description"`
	Nodes       []Node `json:"nodes"`
}

// Node is one milestone of a type's template.
type Node struct {
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	// OffsetDays is the default planned date as calendar days after the
	// project's planned start.
	OffsetDays int    `json:"offset_days"`
	Note       string `json:"note"`
}

// Types holds the loaded project types.
type Types struct {
	byID  map[string]Type
	order []string
}

var typeID = regexp.MustCompile(`^[a-z][a-z0-9-]{1,31}$`)

// LoadTypes reads every projects/*.json of fsys (the embedded data.FS) and
// checks it: the id matches the file name, the nodes have names, their
// offsets never go backwards. A broken file is an error naming it.
func LoadTypes(fsys fs.FS) (*Types, error) {
	names, err := fs.Glob(fsys, "projects/*.json")
	if err != nil {
		return nil, err
	}
	t := &Types{byID: map[string]Type{}}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var ty Type
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ty); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := ty.check(); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if path.Base(name) != ty.ID+".json" {
			return nil, fmt.Errorf("%s: holds type %q, so it must be named %s.json", name, ty.ID, ty.ID)
		}
		t.byID[ty.ID] = ty
		t.order = append(t.order, ty.ID)
	}
	if len(t.order) == 0 {
		return nil, fmt.Errorf("project types: no projects/*.json files")
	}
	sort.Slice(t.order, func(i, j int) bool {
		a, b := t.byID[t.order[i]], t.byID[t.order[j]]
		if a.Order != b.Order {
			return a.Order < b.Order
		}
		return a.ID < b.ID
	})
	return t, nil
}

func (ty Type) check() error {
	if !typeID.MatchString(ty.ID) {
		return fmt.Errorf("id %q: want lower-case letters, digits and hyphens", ty.ID)
	}
	if ty.Name == "" || ty.NameEN == "" {
		return fmt.Errorf("type %s: name and name_en are required", ty.ID)
	}
	if len(ty.Nodes) == 0 || len(ty.Nodes) > maxMilestones {
		return fmt.Errorf("type %s: needs 1–%d nodes", ty.ID, maxMilestones)
	}
	prev := 0
	seen := map[string]bool{}
	for i, n := range ty.Nodes {
		if n.Name == "" || n.NameEN == "" {
			return fmt.Errorf("type %s node %d: name and name_en are required", ty.ID, i+1)
		}
		if seen[n.Name] {
			return fmt.Errorf("type %s node %q: named twice", ty.ID, n.Name)
		}
		seen[n.Name] = true
		if n.OffsetDays < prev {
			return fmt.Errorf("type %s node %q: offset %d goes before the node above (%d)", ty.ID, n.Name, n.OffsetDays, prev)
		}
		prev = n.OffsetDays
	}
	return nil
}

// Get returns the type with id.
func (t *Types) Get(id string) (Type, bool) {
	ty, ok := t.byID[id]
	return ty, ok
}

// All returns the types in display order.
func (t *Types) All() []Type {
	out := make([]Type, len(t.order))
	for i, id := range t.order {
		out[i] = t.byID[id]
	}
	return out
}
