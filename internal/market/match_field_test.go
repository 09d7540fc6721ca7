package market

import (
	"testing"

	"kechuang/internal/search"
)

// TestFieldFitNeedsCalibratedAgreement: the discipline reason gets its ✓
// from the agreement alone (FieldAgreeMin), not from both sides' top
// labels being equal — the regression where 21% was shown with a ✓.
func TestFieldFitNeedsCalibratedAgreement(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		ex       search.Explanation
		fit, key string
	}{
		{"same top discipline at 21%", search.Explanation{TopicAgreement: 0.21, SameDiscipline: true, SameCategory: true}, "partial", "market.match.field_weak"},
		{"same top discipline at 35%", search.Explanation{TopicAgreement: 0.35, SameDiscipline: true, SameCategory: true}, "good", "market.match.field_good"},
		{"different top labels at 40%", search.Explanation{TopicAgreement: 0.40}, "good", "market.match.field_good"},
		{"same category at 10%", search.Explanation{TopicAgreement: 0.10, SameCategory: true}, "partial", "market.match.field_partial"},
		{"nothing in common", search.Explanation{TopicAgreement: 0.02}, "poor", "market.match.field_poor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if fit, key := fieldFit(tt.ex); fit != tt.fit || key != tt.key {
				t.Errorf("fieldFit(%+v) = %s, %s, want %s, %s", tt.ex, fit, key, tt.fit, tt.key)
			}
		})
	}
}
