package market_test

import (
	"context"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// remoteListings is a market.Remote of fixed candidates.
type remoteListings []market.RemoteCandidate

func (r remoteListings) RemoteCandidates(_ context.Context, k market.Kind) ([]market.RemoteCandidate, error) {
	var out []market.RemoteCandidate
	for _, c := range r {
		if c.Listing.Kind == k {
			out = append(out, c)
		}
	}
	return out, nil
}

// TestRemoteMatches: a demand's matches include other regions'
// achievements in their own list, the on-field one first and the origin
// region named first among its reasons; an unrelated one is left out; an
// achievement's matches include other regions' demands.
func TestRemoteMatches(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMatchFixture(t, db)
		uni := f.actor("uni", account.RoleInstitution, "")
		local := f.publish(uni, f.staff, market.Achievement,
			batteryAchievement(cathodeTitle, cathodeSummary, "320506", []string{"license"}, 80, 7))
		pub := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		on := market.Listing{ID: 57, Kind: market.Achievement, Title: "高镍三元正极材料表面包覆改性与循环寿命提升技术",
			Summary:  "通过原子层沉积在高镍三元正极材料表面包覆纳米氧化物，抑制高温循环中的界面副反应，动力锂离子电池循环寿命提升25%。",
			Keywords: []string{"正极材料", "锂离子电池", "包覆"}, Domain: "新能源与节能/新型高效能量转换与储存技术", TRL: 6,
			Modes: []string{"license"}, RegionCode: "320214", OwnerName: "无锡某新能源研究院", PublishedAt: pub, State: market.Published}
		off := market.Listing{ID: 58, Kind: market.Achievement, Title: "稻田水层智能灌溉控制系统",
			Summary:  "基于土壤墒情与水位传感的稻田智能灌溉控制系统，节水30%，适用于规模化水稻种植。",
			Keywords: []string{"智能灌溉", "水稻"}, Domain: "现代农业技术", TRL: 7, RegionCode: "320281", PublishedAt: pub, State: market.Published}
		dem := market.Listing{ID: 59, Kind: market.Demand, Title: "动力电池正极材料循环寿命提升技术需求",
			Summary:  "我司生产动力锂离子电池，高镍正极材料高温循环容量衰减快，寻求正极材料表面包覆改性技术。",
			Keywords: []string{"正极材料", "循环寿命"}, Domain: "新能源与节能/新型高效能量转换与储存技术", TRL: 6,
			RegionCode: "320282", PublishedAt: pub, State: market.Published}
		f.svc.UseRemote(remoteListings{
			{ID: 1, URL: "https://kc.wuxi.example.gov.cn/market/listings/57", OriginName: "无锡市科创平台", OriginRegion: "320200", Listing: on},
			{ID: 2, URL: "https://kc.wuxi.example.gov.cn/market/listings/58", OriginName: "无锡市科创平台", OriginRegion: "320200", Listing: off},
			{ID: 3, URL: "https://kc.wuxi.example.gov.cn/market/listings/59", OriginName: "无锡市科创平台", OriginRegion: "320200", Listing: dem},
		})
		p := f.matches(f.buyer, f.demand.ID)
		if len(p.Remote) != 1 || p.Remote[0].ID != 1 || p.Remote[0].CandidateKind != market.CandidateRemote ||
			p.Remote[0].URL != "https://kc.wuxi.example.gov.cn/market/listings/57" || p.Remote[0].Origin != "无锡市科创平台" {
			t.Fatalf("demand's remote matches = %+v", p.Remote)
		}
		if r := p.Remote[0].Reasons[0]; r.Feature != market.FeatureOrigin || r.Text != "来自 无锡市 的科技成果" || r.Weight != 0 {
			t.Errorf("origin reason = %+v", r)
		}
		if r := reasonOf(p.Remote[0], market.FeatureText); r.Fit != "good" {
			t.Errorf("text reason of the on-field remote achievement = %+v", r)
		}
		if len(p.Matches) == 0 || p.Matches[0].ID != local.ID {
			t.Errorf("local matches changed: %v", matchIDs(p.Matches))
		}
		a := f.matches(uni, local.ID)
		if len(a.Remote) != 1 || a.Remote[0].ID != 3 || a.Remote[0].Reasons[0].Text != "来自 无锡市 的技术需求" {
			t.Errorf("achievement's remote matches = %+v", a.Remote)
		}
	})
}
