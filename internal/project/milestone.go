package project

import (
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/workday"
)

// MilestoneState is whether a milestone is done.
type MilestoneState string

// The milestone states. Overdue is not stored: a pending milestone past its
// planned date reads as overdue.
const (
	MilestonePending MilestoneState = "pending"
	MilestoneDone    MilestoneState = "done"
)

// Milestone is one node of a project (立项, 开工, 投产 …).
type Milestone struct {
	ID          int64          `json:"id"`
	ProjectID   int64          `json:"project_id"`
	Seq         int            `json:"seq"`
	Name        string         `json:"name"`
	PlannedDate workday.Date   `json:"planned_date"`
	Owner       string         `json:"owner,omitempty"` // who is responsible: a person or an office
	State       MilestoneState `json:"state"`
	ActualDate  workday.Date   `json:"actual_date"`
	Evidence    []Evidence     `json:"evidence"`
	Note        string         `json:"note,omitempty"`
	// Overdue is true for a pending milestone whose planned date has passed.
	Overdue   bool      `json:"overdue"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// MilestoneInput adds a milestone or changes its plan.
type MilestoneInput struct {
	Name        string       `json:"name"`
	PlannedDate workday.Date `json:"planned_date"`
	Owner       string       `json:"owner"`
}

// MilestoneCompletion records that a milestone was reached.
type MilestoneCompletion struct {
	ActualDate workday.Date `json:"actual_date"`
	Evidence   []Evidence   `json:"evidence"`
	Note       string       `json:"note"`
}

func (in *MilestoneInput) validate() error {
	in.Name, in.Owner = strings.Join(strings.Fields(in.Name), " "), strings.TrimSpace(in.Owner)
	var c collect
	switch {
	case in.Name == "":
		c.field("name", "error.required")
	case utf8.RuneCountInString(in.Name) > 64 || htmlTag.MatchString(in.Name):
		c.field("name", "error.too_long", 64)
	}
	if in.PlannedDate.IsZero() {
		c.field("planned_date", "error.required")
	}
	if utf8.RuneCountInString(in.Owner) > 64 || htmlTag.MatchString(in.Owner) {
		c.field("owner", "error.too_long", 64)
	}
	return c.err()
}

// template returns the milestones a new project of type ty copies: each
// node's planned date is the planned start plus its offset, moved back to
// the planned end if it falls after it.
func template(ty Type, start, end workday.Date) []MilestoneInput {
	out := make([]MilestoneInput, len(ty.Nodes))
	for i, n := range ty.Nodes {
		d := start.AddDays(n.OffsetDays)
		if d.After(end) {
			d = end
		}
		out[i] = MilestoneInput{Name: n.Name, PlannedDate: d}
	}
	return out
}
