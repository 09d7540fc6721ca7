package demo

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/chain"
	"kechuang/internal/cultivation"
	"kechuang/internal/project"
	"kechuang/internal/sqldb"
)

// labelledFirm is one firm of data/chains/labelled_firms.json.
type labelledFirm struct {
	Name        string   `json:"name"`
	Industry    string   `json:"industry"`
	Domain      string   `json:"domain"`
	Products    []string `json:"products"`
	Description string   `json:"description"`
	Chain       string   `json:"chain"`
	Link        string   `json:"link"`
}

// LoadChains puts the hand-labelled firms of data/chains/labelled_firms.json
// into the registry (spread over the counties of the home region, with
// their products, three years of indicators and some titles), runs the
// placement suggestions, then acts as staff would: confirms the suggestion
// where it matches the label on every other firm, moves it to the labelled
// link where it does not (on every third firm), marks one 链主 per chain
// and creates one 招商 lead for a missing link. It adds nothing when
// placements exist, and returns the number of firms it added.
func LoadChains(ctx context.Context, db *sqldb.DB, accounts *account.Service, reg *cultivation.Service, projects *project.Service,
	chains *chain.Service, now time.Time) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM chain_placements").Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	raw, err := fs.ReadFile(data.FS, "chains/labelled_firms.json")
	if err != nil {
		return 0, fmt.Errorf("labelled firms: %w", err)
	}
	var file struct {
		Firms []labelledFirm `json:"firms"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		return 0, fmt.Errorf("labelled firms: %w", err)
	}
	staffUser, err := accounts.GetUserByName(ctx, account.System, "staff")
	if err != nil {
		return 0, fmt.Errorf("demo staff account: %w", err)
	}
	staff := account.Actor{UserID: staffUser.ID, Username: staffUser.Username, Role: account.RoleStaff, Region: HomeRegion}
	counties, err := countiesOf(ctx, db, HomeRegion)
	if err != nil || len(counties) == 0 {
		return 0, fmt.Errorf("demo counties: %v", err)
	}
	rng := rand.New(rand.NewPCG(2026, 14))
	label := map[int64]labelledFirm{}
	revenue := map[int64]float64{}
	added := 0
	for i, f := range file.Firms {
		h := fnv.New32a()
		h.Write([]byte(f.Name))
		county := counties[int(h.Sum32())%len(counties)]
		name := f.Name
		if !strings.Contains(name, "（演示）") {
			name += "（演示）"
		}
		e := cultivation.Enterprise{CreditCode: creditCode(fmt.Sprintf("91%sCH%07d", county, i+1)), Name: name, RegionCode: county,
			Industry: f.Industry, Domain: f.Domain, Founded: cultivation.Date{Time: time.Date(2005+rng.IntN(18), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)},
			Tags: []string{}, ContactName: "联系人", ContactPhone: fmt.Sprintf("0512-6%07d", i+1), Certificates: demoCertificates(rng, now)}
		created, err := reg.CreateEnterprise(ctx, staff, e)
		if err != nil {
			return added, fmt.Errorf("demo chain firm %s: %w", name, err)
		}
		for _, p := range f.Products {
			if _, err := projects.CreateProduct(ctx, staff, project.ProductInput{EnterpriseID: created.ID, Name: p}); err != nil {
				return added, fmt.Errorf("demo product %s: %w", p, err)
			}
		}
		years, err := demoYears(ctx, reg, staff, created.ID, rng, now)
		if err != nil {
			return added, err
		}
		if len(years) > 0 && years[len(years)-1].Figures.Revenue != nil {
			revenue[created.ID] = *years[len(years)-1].Figures.Revenue
		}
		label[created.ID] = f
		added++
	}
	if _, err := chains.RefreshPlacements(ctx, staff); err != nil {
		return added, err
	}
	list, _, err := chains.FindPlacements(ctx, staff, chain.PlacementFilter{SubjectType: chain.SubjectEnterprise, PerPage: 200})
	if err != nil {
		return added, err
	}
	for page := 2; len(list) > 0 && len(list)%200 == 0; page++ {
		more, _, err := chains.FindPlacements(ctx, staff, chain.PlacementFilter{SubjectType: chain.SubjectEnterprise, Page: page, PerPage: 200})
		if err != nil {
			return added, err
		}
		if len(more) == 0 {
			break
		}
		list = append(list, more...)
	}
	leaders := map[string]int64{}
	for i, p := range list {
		f, ok := label[p.SubjectID]
		if !ok || f.Chain != p.ChainID {
			continue
		}
		switch {
		case p.LinkID == f.Link && i%2 == 0:
			if _, err := chains.ConfirmPlacement(ctx, staff, p.ID); err != nil {
				return added, err
			}
		case p.LinkID != f.Link && i%3 == 0:
			if _, err := chains.MovePlacement(ctx, staff, p.ID, f.Link); err != nil {
				return added, err
			}
		}
		// The 链主: the largest firm of the chain on a midstream or
		// downstream link that other links supply.
		c, _ := chains.GetChain(ctx, staff, p.ChainID)
		l, _ := c.Link(f.Link)
		if l.Segment != chain.Upstream && len(c.Suppliers(f.Link)) > 0 && p.LinkID == f.Link &&
			revenue[p.SubjectID] > revenue[leaders[p.ChainID]] {
			leaders[p.ChainID] = p.SubjectID
		}
	}
	ids := make([]string, 0, len(leaders))
	for id := range leaders {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := chains.SetLeader(ctx, staff, id, leaders[id], true); err != nil {
			return added, err
		}
	}
	return added, demoLead(ctx, projects, chains, staff)
}

// demoLead creates one 招商 lead for the first missing link of the first
// chain in the county of the first responsible unit, if the demo has one.
func demoLead(ctx context.Context, projects *project.Service, chains *chain.Service, staff account.Actor) error {
	units, _, err := projects.FindUnits(ctx, staff, project.UnitFilter{PerPage: 50})
	if err != nil || len(units) == 0 {
		return err
	}
	u := units[0]
	list, err := chains.Chains(ctx, staff)
	if err != nil || len(list) == 0 {
		return err
	}
	pic, err := chains.Picture(ctx, staff, list[0].ID, cmp.Or(countyOf(u.RegionCode), ""))
	if err != nil {
		return err
	}
	for _, lp := range pic.Links {
		if lp.Verdict.Strength != chain.Missing {
			continue
		}
		cands, err := chains.Candidates(ctx, staff, list[0].ID, lp.Link.ID, pic.County)
		if err != nil {
			return err
		}
		in := chain.LeadInput{RegionCode: u.RegionCode, UnitID: u.ID, Note: "（演示）"}
		for _, c := range cands {
			if c.Type == chain.SubjectEnterprise && c.ID != 0 {
				in.CandidateType, in.CandidateID = c.Type, c.ID
				break
			}
		}
		_, _, err = chains.CreateLead(ctx, staff, list[0].ID, lp.Link.ID, in)
		return err
	}
	return nil
}

// countyOf is code when it is a county's, else "".
func countyOf(code string) string {
	if len(code) == 6 && !strings.HasSuffix(code, "00") {
		return code
	}
	return ""
}
