package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/app"
	"kechuang/internal/dbtest"
	"kechuang/internal/federation"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// TestPeersThroughTheWeb peers two servers through the API and the page,
// and pulls one's feed from the other through the real routes and
// middleware.
func TestPeersThroughTheWeb(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, a *env) {
		b := newEnvWith(t, dbtestOpen(t, a.db.Dialect()), func(cfg *app.Config) { cfg.HomeRegion = "320200" })
		for _, e := range []*env{a, b} {
			e.createUser("root", account.RoleAdmin, "")
		}
		a.createUser("staff", account.RoleStaff, "320500")
		a.createUser("root2", account.RoleAdmin, "") // admins hold one session each

		doc := a.client().get(federation.InstancePath)
		if doc.status != http.StatusOK || !strings.Contains(doc.body, federation.Protocol) || !strings.Contains(doc.body, `"next"`) {
			t.Fatalf("instance document = %d %s", doc.status, doc.body)
		}
		unsigned := a.client().get(federation.FeedPath + "?after=0")
		if unsigned.status != http.StatusUnauthorized || !strings.Contains(unsigned.header.Get("Content-Type"), "problem+json") {
			t.Errorf("unsigned feed request = %d %s", unsigned.status, unsigned.body)
		}

		staff := a.client()
		staff.mustLoginAPI("staff")
		if res := staff.api(http.MethodGet, "/api/v1/peers", nil); res.status != http.StatusForbidden {
			t.Errorf("staff lists peers: %d", res.status)
		}
		ca, cb := a.client(), b.client()
		ca.mustLoginAPI("root")
		cb.mustLoginAPI("root")
		if res := ca.api(http.MethodPost, "/api/v1/peers", map[string]any{"url": "ftp://x"}); res.status != http.StatusUnprocessableEntity ||
			!strings.Contains(res.body, `"url"`) {
			t.Errorf("bad URL: %d %s", res.status, res.body)
		}
		add := func(c *client, other *env) federation.Peer {
			t.Helper()
			res := c.api(http.MethodPost, "/api/v1/peers", map[string]any{"url": other.ts.URL, "internal": true})
			if res.status != http.StatusCreated {
				t.Fatalf("add peer: %d %s", res.status, res.body)
			}
			var p federation.Peer
			res.json(t, &p)
			if res := c.api(http.MethodPost, "/api/v1/peers/"+strconv.FormatInt(p.ID, 10)+"/approve", nil); res.status != http.StatusOK {
				t.Fatalf("approve peer: %d %s", res.status, res.body)
			}
			return p
		}
		pb := add(ca, b)
		add(cb, a)
		if pb.Fingerprint != federation.Fingerprint(b.app.Federation.Keys().CurrentPublic()) {
			t.Errorf("fingerprint shown = %s", pb.Fingerprint)
		}
		if err := a.app.Federation.SyncPeer(context.Background(), pb.ID); err != nil {
			t.Fatalf("pull B through its web routes: %v", err)
		}
		res := ca.api(http.MethodGet, "/api/v1/peers", nil)
		if res.status != http.StatusOK || !strings.Contains(res.body, `"state":"active"`) {
			t.Errorf("peers after a pull = %d %s", res.status, res.body)
		}

		m := a.client().get("/metrics")
		for _, want := range []string{`kechuang_federation_peers{state="active"} 1`, `kechuang_federation_remote_listings{peer="` + b.ts.URL + `"} 0`,
			`kechuang_federation_peer_lag_seconds{peer="` + b.ts.URL + `"}`, `kechuang_federation_peer_state{peer="` + b.ts.URL + `",state="active"} 1`,
			`kechuang_federation_peer_last_sync_timestamp_seconds{peer="` + b.ts.URL + `"}`} {
			if !strings.Contains(m.body, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}

		// The page shows the peer with its fingerprint and the form.
		page := a.client()
		if r := page.loginForm("root2", testPassword); r.status != http.StatusSeeOther {
			t.Fatalf("login: %d", r.status)
		}
		d := page.get("/admin/peers").doc(t)
		if got := d.Find("#peer-" + strconv.FormatInt(pb.ID, 10) + " code").Text(); got != pb.Fingerprint {
			t.Errorf("page fingerprint = %q, want %q", got, pb.Fingerprint)
		}
		if d.Find("form#add-peer input[name=url]").Length() != 1 {
			t.Error("no add form on the peers page")
		}
		tok := page.formToken("/admin/peers")
		if r := page.postForm("/admin/peers", url.Values{"csrf_token": {tok}, "url": {"not a url"}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("bad form: %d", r.status)
		}

		// Interest across regions through the pages: a member of A sends,
		// B's owner answers, the member reads the answer.
		ctx := context.Background()
		bOwner := b.createUser("owner", account.RoleInstitution, "320214")
		staffB := b.createUser("bstaff", account.RoleStaff, "320200")
		ownerActor := account.Actor{UserID: bOwner.ID, Username: "owner", Role: account.RoleInstitution, Region: "320214"}
		l, err := b.market.CreateListing(ctx, ownerActor, market.Achievement, market.Input{Title: "高精度MEMS压力传感器封装工艺",
			Summary: "面向汽车电子的MEMS压力传感器晶圆级封装工艺。", Keywords: []string{"MEMS"}, Domain: "电子信息/微电子技术", Industry: "C39",
			TRL: 6, Modes: []string{"license"}, Contact: market.Contact{Name: "陈老师", Phone: "0510-65881234"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.market.Submit(ctx, ownerActor, l.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := b.market.Approve(ctx, account.Actor{UserID: staffB.ID, Username: "bstaff", Role: account.RoleStaff, Region: "320200"}, l.ID); err != nil {
			t.Fatal(err)
		}
		if err := a.app.Federation.SyncPeer(ctx, pb.ID); err != nil {
			t.Fatal(err)
		}
		a.createUser("member", account.RoleEnterprise, "320505")
		member := a.client()
		if r := member.loginForm("member", testPassword); r.status != http.StatusSeeOther {
			t.Fatalf("member login: %d", r.status)
		}
		sd := member.get("/market/search?q=MEMS").doc(t)
		action, ok := sd.Find("#remote form.remote-interest").Attr("action")
		if !ok {
			t.Fatal("no interest form on the remote hit")
		}
		tok = member.formToken("/market/remote-interests")
		if r := member.postForm(action, url.Values{"csrf_token": {tok}, "note": {"我司有意向洽谈许可"}}); r.status != http.StatusSeeOther {
			t.Fatalf("send interest: %d %s", r.status, r.body)
		}
		ownerPage := b.client()
		if r := ownerPage.loginForm("owner", testPassword); r.status != http.StatusSeeOther {
			t.Fatalf("owner login: %d", r.status)
		}
		// At B the interest opened a deal for the owner, with A's member as
		// its federated counterpart: in the API, on the deal page; another
		// county's user does not see it.
		ownerAPI := b.client()
		ownerAPI.mustLoginAPI("owner")
		var deals struct {
			Items []market.Deal `json:"items"`
		}
		res = ownerAPI.api(http.MethodGet, "/api/v1/deals?role=owner", nil)
		res.json(t, &deals)
		if res.status != http.StatusOK || len(deals.Items) != 1 || deals.Items[0].Remote == nil || deals.Items[0].Remote.Origin != a.ts.URL ||
			deals.Items[0].MemberName == "" {
			t.Fatalf("owner's deals = %d %s", res.status, res.body)
		}
		dealPath := "/api/v1/deals/" + strconv.FormatInt(deals.Items[0].ID, 10)
		if res := ownerAPI.api(http.MethodGet, dealPath, nil); res.status != http.StatusOK || !strings.Contains(res.body, `"remote_member"`) ||
			!strings.Contains(res.body, "我司有意向洽谈许可") {
			t.Errorf("the remote deal = %d %s", res.status, res.body)
		}
		b.createUser("other", account.RoleInstitution, "320205")
		otherAPI := b.client()
		otherAPI.mustLoginAPI("other")
		if res := otherAPI.api(http.MethodGet, dealPath, nil); res.status != http.StatusNotFound {
			t.Errorf("another county's user reads the remote deal: %d", res.status)
		}
		dp := ownerPage.get(market.DealLink(deals.Items[0].ID)).doc(t)
		if dp.Find("#deal-member .tag.origin").Length() != 1 || strings.Contains(dp.Find("#deal-contact").Text(), "@") {
			t.Errorf("deal page member: %q contact %q", dp.Find("#deal-member").Text(), dp.Find("#deal-contact").Text())
		}
		od := ownerPage.get("/market/remote-interests").doc(t)
		answer, ok := od.Find("#interests-in form").Attr("action")
		if !ok || !strings.Contains(od.Find("#interests-in").Text(), "我司有意向洽谈许可") {
			t.Fatalf("owner's page: %s", od.Find("#interests-in").Text())
		}
		tok = ownerPage.formToken("/market/remote-interests")
		if r := ownerPage.postForm(answer, url.Values{"csrf_token": {tok}, "note": {" "}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("empty answer: %d", r.status)
		}
		if r := ownerPage.postForm(answer, url.Values{"csrf_token": {tok}, "note": {"欢迎来访"}}); r.status != http.StatusSeeOther {
			t.Fatalf("answer: %d %s", r.status, r.body)
		}
		if got := member.get("/market/remote-interests").doc(t).Find("#interests-out").Text(); !strings.Contains(got, "欢迎来访") {
			t.Errorf("member's page after the answer: %s", got)
		}
		if strings.Contains(member.get("/market/remote-interests").body, "0510-65881234") {
			t.Error("the owner's contact reached A")
		}
		// The owner accepts through the API; the step travels back signed
		// and the member sees the state.
		if res := ownerAPI.api(http.MethodPost, dealPath+"/negotiate", map[string]any{"note": "欢迎来厂考察"}); res.status != http.StatusOK {
			t.Fatalf("negotiate: %d %s", res.status, res.body)
		}
		if n, err := b.app.Federation.ForwardDealSteps(ctx); err != nil || n != 1 {
			t.Fatalf("forward the step: %d, %v", n, err)
		}
		if got := member.get("/market/remote-interests").doc(t).Find("#interests-out [data-state]").AttrOr("data-state", ""); got != "negotiating" {
			t.Errorf("member's page: deal state %q, want negotiating", got)
		}
		// The notes are sealed at rest on both sides (they may hold a contact).
		for name, x := range map[string]*env{"A": a, "B": b} {
			var plain, all int
			if err := x.db.QueryRowContext(context.Background(), `SELECT COALESCE(SUM(CASE WHEN note LIKE '%我司%' OR note LIKE '%欢迎%' THEN 1 ELSE 0 END), 0),
				COUNT(*) FROM federation_messages WHERE note <> ''`).Scan(&plain, &all); err != nil {
				t.Fatal(err)
			}
			if plain != 0 || all != 3 {
				t.Errorf("%s: %d of %d stored notes in plain text; want 0 of 3", name, plain, all)
			}
		}

		if res := ca.api(http.MethodDelete, "/api/v1/peers/"+strconv.FormatInt(pb.ID, 10), nil); res.status != http.StatusNoContent {
			t.Errorf("remove peer: %d %s", res.status, res.body)
		}
		if res := ca.api(http.MethodDelete, "/api/v1/peers/"+strconv.FormatInt(pb.ID, 10), nil); res.status != http.StatusNotFound {
			t.Errorf("remove a removed peer: %d", res.status)
		}
		if res := ca.api(http.MethodPost, "/api/v1/peers/99999/approve", nil); res.status != http.StatusNotFound {
			t.Errorf("approve a missing peer: %d", res.status)
		}
	})
}

func dbtestOpen(t *testing.T, d sqldb.Dialect) *sqldb.DB { return dbtest.Open(t, d) }

// TestRemoteListingsInTheMarket shows a demo peer's listings in the
// market search with their origin, and the demo peer on the peers page.
func TestRemoteListingsInTheMarket(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		// A local listing that the remote one nearly duplicates.
		ctx := context.Background()
		inst := e.createUser("inst", account.RoleInstitution, "320505")
		st := e.createUser("st", account.RoleStaff, "320500")
		instActor := account.Actor{UserID: inst.ID, Username: "inst", Role: account.RoleInstitution, Region: "320505"}
		local, err := e.market.CreateListing(ctx, instActor, market.Achievement, market.Input{Title: "机器视觉缺陷检测算法平台",
			Summary: "基于深度学习的表面缺陷检测。", Keywords: []string{"机器视觉"}, Domain: "电子信息/软件", Industry: "I65", TRL: 6,
			Modes: []string{"license"}, Contact: market.Contact{Name: "王老师", Phone: "0512-66660000"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.market.Submit(ctx, instActor, local.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.market.Approve(ctx, account.Actor{UserID: st.ID, Username: "st", Role: account.RoleStaff, Region: "320500"}, local.ID); err != nil {
			t.Fatal(err)
		}
		n, err := e.app.Federation.LoadDemo(context.Background(), federation.DemoPeer{URL: "https://kechuang-wuxi.demo.invalid",
			Name: "无锡市科创平台（演示）", Region: "320200", Listings: []federation.EventListing{
				{ID: 103, Kind: "achievement", Title: "机器视觉缺陷检测算法平台（演示）", Summary: "基于深度学习的表面缺陷检测。",
					Keywords: []string{"机器视觉"}, Domain: "电子信息/软件", RegionCode: "320213"},
				{ID: 102, Kind: "demand", Title: "纺织印染废水深度处理技术需求（演示）", Summary: "印染废水回用。",
					Keywords: []string{"印染废水"}, RegionCode: "320281"},
				{ID: 104, Kind: "achievement", Title: "机器视觉缺陷检测算法平台（演示）", Summary: "基于深度学习的表面缺陷检测。",
					Keywords: []string{"机器视觉"}, RegionCode: "320213"}}})
		if err != nil || n != 3 {
			t.Fatalf("LoadFederation = %d, %v", n, err)
		}
		d := e.client().get("/market/search?q=" + url.QueryEscape("机器视觉")).doc(t)
		hits := d.Find("#remote article.remote")
		if hits.Length() != 2 || !strings.Contains(hits.First().Find(".tag.origin").Text(), "无锡市科创平台（演示）") ||
			!strings.Contains(hits.Find("h3 a").AttrOr("href", ""), "kechuang-wuxi.demo.invalid/market/listings/10") {
			html, _ := d.Find("#results").Html()
			t.Errorf("remote hits for 机器视觉 = %d: %s", hits.Length(), html)
		}
		if twin := hits.First().Find(".twin a"); twin.AttrOr("href", "") != "/market/listings/"+strconv.FormatInt(local.ID, 10) {
			t.Errorf("near-duplicate link = %q, want the local listing", twin.AttrOr("href", ""))
		}
		if got := e.client().get("/market/search?q=" + url.QueryEscape("印染废水") + "&kind=achievement").doc(t).Find("#remote article").Length(); got != 0 {
			t.Errorf("a demand shown under kind=achievement: %d", got)
		}
		// A local demand's matches include the other region's
		// achievements, the origin region named first among the reasons.
		firm := e.createUser("firm", account.RoleEnterprise, "320506")
		firmActor := account.Actor{UserID: firm.ID, Username: "firm", Role: account.RoleEnterprise, Region: "320506"}
		dem, err := e.market.CreateListing(ctx, firmActor, market.Demand, market.Input{Title: "注塑件表面缺陷机器视觉检测需求",
			Summary: "需要基于深度学习的机器视觉表面缺陷检测方案，用于注塑件产线在线检测。", Keywords: []string{"机器视觉", "缺陷检测"},
			Expected: "检测精度达到0.05毫米，单件检测节拍小于1秒，可接入现有产线。", Domain: "电子信息/软件", Industry: "C29", TRL: 5,
			Modes: []string{"license"}, Band: "negotiable", RegionCode: "320506",
			Contact: market.Contact{Name: "李工", Phone: "0512-67770000"}})
		if err != nil {
			t.Fatal(err)
		}
		fc := e.client()
		fc.mustLoginAPI("firm")
		var mp market.MatchPage
		res := fc.api(http.MethodGet, "/api/v1/demands/"+strconv.FormatInt(dem.ID, 10)+"/matches", nil)
		res.json(t, &mp)
		if res.status != http.StatusOK || len(mp.Remote) == 0 || mp.Remote[0].CandidateKind != market.CandidateRemote ||
			mp.Remote[0].Reasons[0].Feature != market.FeatureOrigin || mp.Remote[0].Reasons[0].Text != "来自 无锡市 的科技成果" ||
			!strings.HasPrefix(mp.Remote[0].URL, "https://kechuang-wuxi.demo.invalid/market/listings/") {
			t.Errorf("demand matches = %d %s", res.status, res.body)
		}
		for _, m := range mp.Remote {
			if m.Kind != market.Achievement {
				t.Errorf("a remote %s among a demand's matches", m.Kind)
			}
		}
		mc := e.client()
		if r := mc.loginForm("firm", testPassword); r.status != http.StatusSeeOther {
			t.Fatalf("login: %d", r.status)
		}
		md := mc.get("/market/listings/" + strconv.FormatInt(dem.ID, 10) + "/matches").doc(t)
		if got := md.Find("#remote-matches li.remote .tag.origin").First().Text(); !strings.Contains(got, "无锡市科创平台（演示）") {
			t.Errorf("matches page remote section: %q", got)
		}

		e.createUser("root", account.RoleAdmin, "")
		c := e.client()
		if r := c.loginForm("root", testPassword); r.status != http.StatusSeeOther {
			t.Fatalf("login: %d", r.status)
		}
		page := c.get("/admin/peers").doc(t)
		if !strings.Contains(page.Find("#peers tbody").Text(), "无锡市科创平台（演示）") {
			t.Error("the demo peer is not on the peers page")
		}
	})
}
