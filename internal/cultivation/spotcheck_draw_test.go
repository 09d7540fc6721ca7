package cultivation

import (
	"slices"
	"testing"
	"time"

	"kechuang/data"
)

func TestDrawSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		n, shareBP int
		want       int
	}{
		{"5% of 100", 100, 500, 5},
		{"5% of 20 is exactly 1", 20, 500, 1},
		{"5% of 21 rounds up to 2", 21, 500, 2},
		{"5% of 1 is the firm", 1, 500, 1},
		{"2.5% of 40 is 1", 40, 250, 1},
		{"2.5% of 41 rounds up to 2", 41, 250, 2},
		{"100% of 3", 3, 10000, 3},
		{"nothing to draw from", 0, 500, 0},
		{"no share", 10, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DrawSize(tt.n, tt.shareBP); got != tt.want {
				t.Errorf("DrawSize(%d, %d) = %d, want %d", tt.n, tt.shareBP, got, tt.want)
			}
		})
	}
}

func ids(cs []Candidate) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.EnterpriseID
	}
	return out
}

func population(n int) []Candidate {
	out := make([]Candidate, n)
	for i := range out {
		out[i] = Candidate{EnterpriseID: int64(i + 1), Weight: 1}
	}
	return out
}

// TestDrawReproducibleBySeed pins the draw of a few seeds: a change of the
// generator or of the selection would change a recorded draw, which must
// never happen once a spot check is stored.
func TestDrawReproducibleBySeed(t *testing.T) {
	t.Parallel()
	pop := population(40)
	tests := []struct {
		name    string
		seed    int64
		shareBP int
	}{
		{"seed 1, 10%", 1, 1000},
		{"seed 20261203, 10%", 20261203, 1000},
		{"seed 42, 5%", 42, 500},
		{"seed 0, 25%", 0, 2500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := ids(Draw(pop, tt.shareBP, tt.seed))
			if len(first) != DrawSize(40, tt.shareBP) {
				t.Fatalf("Draw drew %d, want %d", len(first), DrawSize(40, tt.shareBP))
			}
			if again := ids(Draw(pop, tt.shareBP, tt.seed)); !slices.Equal(first, again) {
				t.Errorf("same seed: %v then %v", first, again)
			}
			// The population's order (a map's, a query's) does not matter, nor duplicates.
			shuffled := slices.Clone(pop)
			slices.Reverse(shuffled)
			shuffled = append(shuffled, pop[3], pop[7])
			if got := ids(Draw(shuffled, tt.shareBP, tt.seed)); !slices.Equal(first, got) {
				t.Errorf("reversed population: %v, want %v", got, first)
			}
			seen := map[int64]bool{}
			for _, id := range first {
				if seen[id] || id < 1 || id > 40 {
					t.Errorf("drawn %v: %d twice or outside the population", first, id)
				}
				seen[id] = true
			}
			if other := ids(Draw(pop, tt.shareBP, tt.seed+1)); slices.Equal(first, other) {
				t.Errorf("seed %d and %d drew the same %v", tt.seed, tt.seed+1, first)
			}
		})
	}
	// The generator itself: SplitMix64's published first output for seed 0.
	r := splitMix64{}
	if got := r.next(); got != 0xe220a8397b1dcdaf {
		t.Errorf("splitMix64(0).next() = %#x, want 0xe220a8397b1dcdaf", got)
	}
}

func TestDrawWeightsShiftTheDraw(t *testing.T) {
	t.Parallel()
	// 100 firms, the first 10 with open flags weighing 11 each: weighted,
	// each draw picks a flagged firm with chance 110/200 at first.
	plain, weighted := population(100), population(100)
	for i := range 10 {
		weighted[i].Weight = 11
	}
	count := func(pop []Candidate) int {
		n := 0
		for seed := range int64(300) {
			for _, c := range Draw(pop, 1000, seed) {
				if c.EnterpriseID <= 10 {
					n++
				}
			}
		}
		return n
	}
	// 300 draws of 10: unweighted about 300 flagged picks, weighted far more.
	p, w := count(plain), count(weighted)
	if p < 200 || p > 400 {
		t.Errorf("unweighted flagged picks = %d, want about 300", p)
	}
	if w < 1200 {
		t.Errorf("weighted flagged picks = %d, want over 1200 (unweighted %d)", w, p)
	}
}

func TestBarPeriods(t *testing.T) {
	t.Parallel()
	bars, err := LoadBarRules(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	d := func(s string) time.Time { return day(s).Time }
	tests := []struct {
		name      string
		ruleSet   string
		revoked   string
		wantYear  int
		wantUntil string
	}{
		{"科小: the rounds of the revocation year", "tech-sme", "2026-05-10", 2026, "2026-12-31"},
		{"科小 revoked on 31 December", "tech-sme", "2026-12-31", 2026, "2026-12-31"},
		{"高企: no source, the revocation year", "high-tech", "2026-03-01", 2026, "2026-12-31"},
		{"小巨人: three years to the day before", "little-giant", "2026-05-10", 0, "2029-05-09"},
		{"专精特新 revoked on 29 February", "specialized-sme", "2028-02-29", 0, "2031-02-28"},
		{"a rule set the file does not name", "above-scale", "2026-07-01", 2026, "2026-12-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y, until := bars.For(tt.ruleSet).Bar(d(tt.revoked))
			if y != tt.wantYear || !until.Equal(d(tt.wantUntil)) {
				t.Errorf("Bar(%s, %s) = %d, %s; want %d, %s", tt.ruleSet, tt.revoked, y, until.Format(dateLayout), tt.wantYear, tt.wantUntil)
			}
		})
	}
}

func TestRevokedCertificateStanding(t *testing.T) {
	t.Parallel()
	certs := []Certificate{{Type: "high-tech", Issued: day("2025-06-01"), Revoked: day("2026-04-15")}}
	if got := StandingOf(certs, "", false, day("2026-04-14").Time).Tier; got != TierHighTech {
		t.Errorf("standing the day before the revocation = %q, want %q", got, TierHighTech)
	}
	st := StandingOf(certs, "", false, day("2026-04-15").Time)
	if st.Tier != "" || st.Certificates[0].Valid || !st.Certificates[0].Until.Equal(day("2026-04-14").Time) {
		t.Errorf("standing on the revocation day = %+v, want none, the certificate ending the day before", st)
	}
	// The engine agrees: 高企 held is a direct route of 科小 until the day before.
	rs := ruleSet(t, "tech-sme", "2017")
	in := firm("2026-04-15")
	in.Certificates = []Certificate{{Type: "high-tech", Issued: day("2025-06-01")}}
	if r := Assess(rs, in); cond(t, r, "d1_high_tech").Pass != TriTrue {
		t.Fatalf("a valid 高企 does not count as held: %+v", cond(t, r, "d1_high_tech"))
	}
	in.Certificates = certs
	if r := Assess(rs, in); cond(t, r, "d1_high_tech").Pass == TriTrue {
		t.Errorf("a revoked 高企 still counts as held: %+v", cond(t, r, "d1_high_tech"))
	}
}
