package challenge

import (
	"math"
	"slices"
	"sort"
)

// TrimFrom is the number of scoring reviewers from which the highest and
// the lowest score of an application are dropped before averaging.
const TrimFrom = 5

// Weighted returns a scorecard's total: each criterion's score (0–100)
// times its weight, over 100, rounded to two decimals.
func Weighted(criteria []Criterion, scores []float64) float64 {
	var t float64
	for i, c := range criteria {
		if i < len(scores) {
			t += scores[i] * float64(c.Weight)
		}
	}
	return round2(t / 100)
}

// Aggregate returns an application's score from its reviewers' totals:
// the mean, after dropping one highest and one lowest total when TrimFrom
// or more reviewers scored; trimmed says whether they were dropped. No
// totals score 0.
func Aggregate(totals []float64) (score float64, trimmed bool) {
	if len(totals) == 0 {
		return 0, false
	}
	t := slices.Clone(totals)
	slices.Sort(t)
	if len(t) >= TrimFrom {
		t, trimmed = t[1:len(t)-1], true
	}
	var sum float64
	for _, v := range t {
		sum += v
	}
	return round2(sum / float64(len(t))), trimmed
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// Result is one application's place in the ranking.
type Result struct {
	ApplicationID int64   `json:"application_id"`
	Label         string  `json:"label"` // the applicant, or 揭榜方 n in a blind review
	Reviewers     int     `json:"reviewers"`
	Score         float64 `json:"score"`
	Trimmed       bool    `json:"trimmed"`
	// Rank is shared by tied applications (1, 1, 3): Tied marks them, and
	// the staff choose between them.
	Rank     int  `json:"rank"`
	Tied     bool `json:"tied"`
	Selected bool `json:"selected"`
}

// Rank orders results by score, highest first (unscored ones last, by
// id), and gives tied scores the same rank, marked Tied; the next rank
// skips the places the tie took.
func Rank(rs []Result) []Result {
	out := slices.Clone(rs)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Reviewers > 0) != (b.Reviewers > 0) {
			return a.Reviewers > 0
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.ApplicationID < b.ApplicationID
	})
	for i := range out {
		out[i].Rank, out[i].Tied = i+1, false
		if out[i].Reviewers == 0 {
			out[i].Rank = 0
			continue
		}
		if i > 0 && out[i-1].Reviewers > 0 && out[i-1].Score == out[i].Score {
			out[i].Rank = out[i-1].Rank
			out[i].Tied, out[i-1].Tied = true, true
		}
	}
	return out
}
