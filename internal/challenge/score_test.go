package challenge_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kechuang/internal/apperr"
	"kechuang/internal/challenge"
	"kechuang/internal/directory"
)

func TestAggregate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		totals      []float64
		want        float64
		wantTrimmed bool
	}{
		{name: "no scores", totals: nil, want: 0},
		{name: "one reviewer", totals: []float64{77.5}, want: 77.5},
		{name: "two reviewers: the mean", totals: []float64{80, 90}, want: 85},
		{name: "four reviewers keep every score", totals: []float64{60, 70, 80, 90}, want: 75},
		{name: "five reviewers drop the highest and the lowest", totals: []float64{100, 50, 80, 70, 90}, want: 80, wantTrimmed: true},
		{name: "a repeated highest score is dropped once", totals: []float64{100, 100, 60, 70, 80, 90}, want: 85, wantTrimmed: true},
		{name: "rounded to two decimals", totals: []float64{80, 80, 81}, want: 80.33},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.totals)
			got, trimmed := challenge.Aggregate(tt.totals)
			if got != tt.want || trimmed != tt.wantTrimmed {
				t.Errorf("Aggregate(%v) = %v, %v, want %v, %v", tt.totals, got, trimmed, tt.want, tt.wantTrimmed)
			}
			if !slices.Equal(in, tt.totals) {
				t.Errorf("Aggregate changed its argument to %v", tt.totals)
			}
		})
	}
}

func TestRank(t *testing.T) {
	t.Parallel()
	type placed struct {
		ID   int64
		Rank int
		Tied bool
	}
	tests := []struct {
		name string
		in   []challenge.Result
		want []placed
	}{
		{name: "distinct scores", in: []challenge.Result{{ApplicationID: 1, Score: 70, Reviewers: 2}, {ApplicationID: 2, Score: 90, Reviewers: 2}},
			want: []placed{{2, 1, false}, {1, 2, false}}},
		{name: "a tie shares the rank and the next rank skips", in: []challenge.Result{
			{ApplicationID: 1, Score: 85, Reviewers: 3}, {ApplicationID: 2, Score: 90, Reviewers: 3},
			{ApplicationID: 3, Score: 85, Reviewers: 3}, {ApplicationID: 4, Score: 70, Reviewers: 3}},
			want: []placed{{2, 1, false}, {1, 2, true}, {3, 2, true}, {4, 4, false}}},
		{name: "a tie at the top", in: []challenge.Result{{ApplicationID: 5, Score: 88, Reviewers: 2}, {ApplicationID: 3, Score: 88, Reviewers: 2}},
			want: []placed{{3, 1, true}, {5, 1, true}}},
		{name: "unscored last without a rank, never tied", in: []challenge.Result{{ApplicationID: 1}, {ApplicationID: 2}, {ApplicationID: 3, Score: 60, Reviewers: 1}},
			want: []placed{{3, 1, false}, {1, 0, false}, {2, 0, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []placed
			for _, r := range challenge.Rank(tt.in) {
				got = append(got, placed{r.ApplicationID, r.Rank, r.Tied})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Rank (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWeighted(t *testing.T) {
	t.Parallel()
	crit := []challenge.Criterion{{Name: "技术先进性", Weight: 30}, {Name: "方案可行性", Weight: 30}, {Name: "团队能力", Weight: 20},
		{Name: "经费合理性", Weight: 20}}
	tests := []struct {
		scores []float64
		want   float64
	}{
		{[]float64{80, 90, 70, 100}, 85},
		{[]float64{100, 100, 100, 100}, 100},
		{[]float64{0, 0, 0, 0}, 0},
		{[]float64{77, 83, 91, 65}, 79.2},
	}
	for _, tt := range tests {
		if got := challenge.Weighted(crit, tt.scores); got != tt.want {
			t.Errorf("Weighted(%v) = %v, want %v", tt.scores, got, tt.want)
		}
	}
}

func TestParseCriteria(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		text    string
		want    []challenge.Criterion
		wantErr bool
	}{
		{name: "spaces, commas, colons and percent signs", text: "技术先进性 30\n方案可行性，30\n团队能力：20%\n\n经费合理性,20",
			want: []challenge.Criterion{{"技术先进性", 30}, {"方案可行性", 30}, {"团队能力", 20}, {"经费合理性", 20}}},
		{name: "a name with a space", text: "产业化 前景 40", want: []challenge.Criterion{{"产业化 前景", 40}}},
		{name: "no weight", text: "技术先进性", wantErr: true},
		{name: "weight not a number", text: "技术先进性 三十", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := challenge.ParseCriteria("criteria", tt.text)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseCriteria(%q) error = %v, want error %v", tt.text, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseCriteria (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateWeights(t *testing.T) {
	t.Parallel()
	in := validInput()
	in.Criteria = []challenge.Criterion{{"技术先进性", 60}, {"团队能力", 30}}
	if err := in.Validate(); err == nil {
		t.Fatal("weights summing to 90 accepted")
	}
	in.Criteria = []challenge.Criterion{{"技术先进性", 60}, {"团队能力", 40}}
	if err := in.Validate(); err != nil {
		t.Fatalf("weights summing to 100 refused: %v %+v", err, apperr.As(err).Fields)
	}
}

func TestConflicts(t *testing.T) {
	t.Parallel()
	expert := directory.Expert{ID: 1, Name: "赵评审", Affiliation: "苏州示例大学（演示）", AccountID: 50}
	app := challenge.Application{ApplicantID: 60, OrgName: "昆山示例精密制造有限公司",
		Team: []challenge.Member{{Name: "钱工", Role: "负责人", Affiliation: "昆山示例精密制造有限公司"}}}
	tests := []struct {
		name   string
		expert directory.Expert
		app    challenge.Application
		teams  [][]challenge.Member
		dealt  bool
		want   []string
	}{
		{name: "no relation", expert: expert, app: app},
		{name: "the applicant's own enterprise", expert: directory.Expert{Name: "孙", Affiliation: "昆山示例精密制造有限公司（演示）"}, app: app,
			want: []string{challenge.ConflictInstitution}},
		{name: "a team member's institution", expert: expert, app: challenge.Application{ApplicantID: 60, OrgName: "甲公司",
			Team: []challenge.Member{{Name: "李", Affiliation: "苏州示例大学"}}}, want: []string{challenge.ConflictInstitution}},
		{name: "the expert's account applied", expert: directory.Expert{Name: "周", AccountID: 60}, app: app,
			want: []string{challenge.ConflictApplicant}},
		{name: "a past deal", expert: expert, app: app, dealt: true, want: []string{challenge.ConflictDeal}},
		{name: "on a team of the applicant's applications", expert: expert, app: app,
			teams: [][]challenge.Member{{{Name: "钱工"}}, {{Name: "赵评审", Role: "顾问"}}}, want: []string{challenge.ConflictCoApplication}},
		{name: "several at once", expert: directory.Expert{Name: "钱工", Affiliation: "昆山示例精密制造有限公司", AccountID: 60}, app: app,
			teams: [][]challenge.Member{app.Team}, dealt: true,
			want: []string{challenge.ConflictApplicant, challenge.ConflictInstitution, challenge.ConflictDeal, challenge.ConflictCoApplication}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := challenge.Conflicts(tt.expert, tt.app, tt.teams, tt.dealt)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Conflicts (-want +got):\n%s", diff)
			}
		})
	}
}
