package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/chain"
	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
	"kechuang/internal/project"
	"kechuang/internal/region"
)

// chainModule is the 产业链图谱: the chains as graphs coloured by
// strength, each link's picture and candidates, the 招商 lead, the 链主's
// 配套备选清单, staff edits of links, placements, and the 对接融合图谱
// document — pages and API.
func (s *Server) chainModule() module {
	return module{Key: "chains", Path: "/chains", Order: 40, Card: true, Ready: true,
		Visible: s.Chains.CanViewChains,
		Funcs: template.FuncMap{
			"chainReason":   func(lang string, r chain.Reason) string { return reasonText(lang, r) },
			"strengthName":  func(lang, v string) string { return i18n.T(lang, "chain.strength."+v) },
			"factText":      chain.FactText,
			"subjectName":   func(lang, k string) string { return i18n.T(lang, "chain.subject."+k) },
			"chainTierName": func(lang, code string) string { return i18n.T(lang, "chain.tier."+code) },
			"placedTier":    placedTier,
			"candSource":    func(lang, src string) string { return i18n.T(lang, "chain.cand."+src+"_label") },
			"chainWan":      func(yuan float64) string { return strconv.FormatFloat(math.Round(yuan/1e2)/100, 'f', -1, 64) },
			"chainPct":      func(v float64) string { return strconv.Itoa(int(math.Round(v * 100))) },
			"chainJoin":     strings.Join,
		},
		Routes: func(rt *router) {
			rt.signedIn("GET /chains", s.handleChainList)
			rt.signedIn("POST /chains/refresh", s.handleChainRefresh)
			rt.signedIn("GET /chains/placements", s.handleChainPlacements)
			rt.signedIn("POST /placements/{id}/confirm", s.handleChainPlacementConfirm)
			rt.signedIn("POST /placements/{id}/move", s.handleChainPlacementMove)
			rt.signedIn("GET /chains/{id}", s.handleChain)
			rt.signedIn("GET /chains/{id}/document", s.handleChainDocument)
			rt.signedIn("GET /chains/{id}/document.xlsx", s.handleChainDocumentExport)
			rt.signedIn("POST /chains/{id}/leaders", s.handleChainLeader)
			rt.signedIn("GET /chains/{id}/leaders/{enterprise}", s.handleChainSuppliers)
			rt.signedIn("GET /chains/{id}/leaders/{enterprise}/suppliers.xlsx", s.handleChainSuppliersExport)
			rt.signedIn("GET /chains/{id}/links/{link}", s.handleChainLink)
			rt.signedIn("GET /chains/{id}/links/{link}/edit", s.handleChainLinkEdit)
			rt.signedIn("POST /chains/{id}/links/{link}", s.handleChainLinkSave)
			rt.signedIn("POST /chains/{id}/links/{link}/leads", s.handleChainLeadCreate)
			rt.api("GET /api/v1/chains", s.handleAPIChains)
			rt.api("GET /api/v1/chains/{id}", s.handleAPIChain)
			rt.api("GET /api/v1/chains/{id}/links/{link}/candidates", s.handleAPIChainCandidates)
			rt.api("GET /api/v1/placements", s.handleAPIPlacements)
			rt.api("POST /api/v1/placements/{id}/confirm", s.handleAPIPlacementConfirm)
			rt.api("POST /api/v1/placements/{id}/move", s.handleAPIPlacementMove)
		}}
}

// reasonText renders a suggestion's or a candidate's reason in lang.
func reasonText(lang string, r chain.Reason) string {
	args := make([]any, len(r.Args))
	for i, a := range r.Args {
		args[i] = a
	}
	return i18n.T(lang, r.Key, args...)
}

// placedTier is a placed firm's tier label, "" for what is not a firm.
func placedTier(lang string, p chain.Placement) string {
	if p.SubjectType != chain.SubjectEnterprise {
		return ""
	}
	if p.Tier == "" {
		return i18n.T(lang, "chain.tier.none")
	}
	return i18n.T(lang, "tier."+cultivation.TierCode(p.Tier))
}

// chainCounty reads the county filter; county staff always see their own.
func (s *Server) chainCounty(r *http.Request, q *query) string {
	c := q.RegionCode("county")
	if a := state(r).actor; a.Role == account.RoleCounty && c == "" {
		c = a.Region
	}
	return c
}

type chainListData struct {
	Chains     []chain.ChainSummary
	CanManage  bool
	Refreshed  *chain.RefreshResult
	Done       string
	RuleVerson string
}

func (s *Server) handleChainList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	q := newQuery(r)
	done := q.Enum("done", "refresh")
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.Chains.Chains(r.Context(), st.actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "chain/list", s.newPage(r, "chain.title", "chains", chainListData{Chains: list,
		CanManage: s.Chains.CanManagePlacements(st.actor), Done: done, RuleVerson: s.Chains.Rules().Version}))
}

func (s *Server) handleChainRefresh(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Chains.RefreshPlacements(r.Context(), state(r).actor); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/chains?done=refresh", http.StatusSeeOther)
}

type chainViewData struct {
	Pic       chain.ChainPicture
	Segments  map[string]string
	Counties  []region.Region
	County    string
	Chart     string
	Drawer    *chain.LinkPicture
	Parents   map[string]string
	CanEdit   bool
	CanManage bool
	CanDemand bool
	DemandURL string
	// CanChallenge offers a 揭榜挂帅 榜单 drafted from the link's need.
	CanChallenge bool
	ChallengeURL string
	Query        string
}

func (s *Server) handleChain(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	q := newQuery(r)
	county := s.chainCounty(r, q)
	linkID := q.Text("link")
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	pic, err := s.Chains.Picture(r.Context(), st.actor, r.PathValue("id"), county)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d := chainViewData{Pic: pic, County: county, Counties: s.countyChoices(r), Segments: map[string]string{},
		Parents: map[string]string{}, CanEdit: s.Chains.CanEditChains(st.actor), CanManage: s.Chains.CanManagePlacements(st.actor),
		CanDemand: s.Chains.CanDraftDemand(st.actor), CanChallenge: s.Challenges.CanCreate(st.actor)}
	if county != "" {
		d.Query = "county=" + county + "&"
	}
	for _, sg := range pic.Chain.Segments {
		d.Segments[sg.ID] = sg.Name
		if st.lang == i18n.English {
			d.Segments[sg.ID] = sg.NameEn
		}
	}
	for _, l := range pic.Chain.Links {
		d.Parents[l.ID] = l.Name
	}
	if linkID != "" {
		lp, ok := pic.Link(linkID)
		if !ok {
			s.writeError(w, r, apperr.New(apperr.NotFound, "chain.link_not_found"))
			return
		}
		d.Drawer = &lp
		d.DemandURL = demandDraftURL(pic.Chain, lp.Link)
		d.ChallengeURL = challengeDraftURL(pic.Chain, lp.Link)
	}
	d.Chart = chainChart(st.lang, pic, "/chains/"+pic.Chain.ID+"?"+d.Query+"link=")
	pg := s.newPage(r, "chain.title", "chains", d)
	pg.Title = pic.Chain.Name
	s.render(w, r, http.StatusOK, "chain/view", pg)
}

// demandDraftURL opens the market's new-demand form prefilled with a
// link's need.
func demandDraftURL(c chain.Chain, l chain.Link) string {
	v := url.Values{}
	v.Set("kind", "demand")
	v.Set("title", "寻求"+l.Name+"技术与配套合作")
	v.Set("summary", fmt.Sprintf("本地%s产业链「%s」环节薄弱，寻求%s相关技术、产品或合作伙伴。%s", c.Name, l.Name, l.Name, l.Description))
	kw := l.Keywords
	if len(kw) > 5 {
		kw = kw[:5]
	}
	v.Set("keywords", strings.Join(kw, "，"))
	if len(l.Domains) > 0 {
		v.Set("domain", l.Domains[0])
	}
	if len(l.IndustryClasses) > 0 {
		v.Set("industry", l.IndustryClasses[0])
	}
	return "/market/new?" + v.Encode()
}

// challengeDraftURL opens the 揭榜挂帅 form prefilled with a link's need:
// the problem names the chain, the link and what the link is for, so that
// the publisher starts from the gap rather than from a blank form.
func challengeDraftURL(c chain.Chain, l chain.Link) string {
	v := url.Values{}
	v.Set("title", l.Name+"关键技术攻关")
	problem := fmt.Sprintf("本地%s产业链「%s」环节薄弱或缺失。%s", c.Name, l.Name, l.Description)
	if len(l.Technologies) > 0 {
		problem += "需突破的关键技术：" + strings.Join(l.Technologies, "、") + "。"
	}
	v.Set("problem", problem)
	return "/challenges/new?" + v.Encode()
}

// strengthColour colours a link by its verdict.
var strengthColour = map[string]string{chain.Strong: "#2e7d32", chain.Weak: "#f0a500", chain.Missing: "#c62828"}

// chainChart is the ECharts option of a chain: a graph with the three
// segments as columns, links coloured by strength and sized by firm
// count, supply edges as arrows and the tree as dashed lines; a click
// opens the link's drawer.
func chainChart(lang string, pic chain.ChainPicture, linkPrefix string) string {
	type item map[string]any
	var nodes, edges []item
	rows := map[string]int{}
	index := map[string]int{}
	for i, lp := range pic.Links {
		index[lp.Link.ID] = i
	}
	for _, lp := range pic.Links {
		l := lp.Link
		col := 0
		switch l.Segment {
		case chain.Midstream:
			col = 1
		case chain.Downstream:
			col = 2
		}
		x := float64(col)*420 + 20
		if l.Parent != "" {
			x += 140
		}
		y := float64(rows[l.Segment]) * 46
		rows[l.Segment]++
		name := l.Name
		if lang == i18n.English {
			name = l.NameEn
		}
		size := 16 + 7*math.Sqrt(float64(lp.Figures.Firms))
		nodes = append(nodes, item{"name": name, "x": x, "y": y, "symbolSize": math.Min(size, 60),
			"value": lp.Figures.Firms, "link": linkPrefix + l.ID,
			"itemStyle": item{"color": strengthColour[lp.Verdict.Strength]},
			"tooltip":   item{"formatter": fmt.Sprintf("%s：%s，%s %d", name, i18n.T(lang, "chain.strength."+lp.Verdict.Strength), i18n.T(lang, "chain.fig.firms"), lp.Figures.Firms)}})
		if l.Parent != "" {
			edges = append(edges, item{"source": index[l.Parent], "target": index[l.ID], "lineStyle": item{"type": "dashed", "opacity": 0.4}})
		}
	}
	for _, sp := range pic.Chain.Supplies {
		edges = append(edges, item{"source": index[sp.From], "target": index[sp.To], "symbol": []string{"none", "arrow"},
			"lineStyle": item{"curveness": 0.2, "opacity": 0.7}})
	}
	opt := item{
		"tooltip": item{},
		"series": []item{{"type": "graph", "layout": "none", "roam": true, "label": item{"show": true, "position": "right", "fontSize": 13},
			"edgeSymbolSize": 8, "data": nodes, "links": edges}},
	}
	b, _ := json.Marshal(opt)
	return string(b)
}

type chainLinkData struct {
	Chain      chain.Chain
	Link       chain.LinkPicture
	County     string
	Counties   []region.Region
	Candidates []chain.Candidate
	Units      []project.Unit
	CanLead    bool
	Leads      []chain.Lead
	Errors     map[string]string
	Query      string
}

func (s *Server) handleChainLink(w http.ResponseWriter, r *http.Request) {
	s.chainLinkPage(w, r, http.StatusOK, nil)
}

func (s *Server) chainLinkPage(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) {
	st := state(r)
	q := newQuery(r)
	county := s.chainCounty(r, q)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	chainID, linkID := r.PathValue("id"), r.PathValue("link")
	pic, err := s.Chains.Picture(r.Context(), st.actor, chainID, county)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	lp, ok := pic.Link(linkID)
	if !ok {
		s.writeError(w, r, apperr.New(apperr.NotFound, "chain.link_not_found"))
		return
	}
	cands, err := s.Chains.Candidates(r.Context(), st.actor, chainID, linkID, county)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d := chainLinkData{Chain: pic.Chain, Link: lp, County: county, Counties: s.countyChoices(r), Candidates: cands,
		CanLead: s.Chains.CanCreateLead(st.actor), Errors: errs}
	if county != "" {
		d.Query = "?county=" + county
	}
	if d.CanLead {
		if d.Units, _, err = s.Projects.FindUnits(r.Context(), st.actor, project.UnitFilter{PerPage: 200}); err != nil {
			s.writeError(w, r, err)
			return
		}
		if d.Leads, err = s.Chains.Leads(r.Context(), st.actor, chainID); err != nil {
			s.writeError(w, r, err)
			return
		}
		var mine []chain.Lead
		for _, l := range d.Leads {
			if l.LinkID == linkID {
				mine = append(mine, l)
			}
		}
		d.Leads = mine
	}
	pg := s.newPage(r, "chain.title", "chains", d)
	pg.Title = pic.Chain.Name + " · " + lp.Link.Name
	s.render(w, r, status, "chain/link", pg)
}

func (s *Server) handleChainLeadCreate(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	unitID, err := formID(r, "unit_id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in := chain.LeadInput{RegionCode: r.PostFormValue("region_code"), UnitID: unitID, Note: r.PostFormValue("note")}
	if c := r.PostFormValue("candidate"); c != "" {
		typ, rest, _ := strings.Cut(c, ":")
		idText, name, _ := strings.Cut(rest, ":")
		in.CandidateType, in.CandidateName = typ, name
		if in.CandidateID, err = strconv.ParseInt(idText, 10, 64); err != nil {
			s.writeError(w, r, apperr.Fields(apperr.Field("candidate", "chain.candidate_type_unknown")))
			return
		}
	}
	_, p, err := s.Chains.CreateLead(r.Context(), st.actor, r.PathValue("id"), r.PathValue("link"), in)
	if isFormError(err) {
		s.chainLinkPage(w, r, formStatus(err), formErrors(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/projects/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

type chainEditData struct {
	Chain  chain.Chain
	Link   chain.Link
	Form   chain.LinkEdit
	Errors map[string]string
}

func (s *Server) handleChainLinkEdit(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	c, err := s.Chains.GetChain(r.Context(), st.actor, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	l, ok := c.Link(r.PathValue("link"))
	if !ok {
		s.writeError(w, r, apperr.New(apperr.NotFound, "chain.link_not_found"))
		return
	}
	if !s.Chains.CanEditChains(st.actor) {
		s.writeError(w, r, apperr.New(apperr.Forbidden, "chain.only_staff"))
		return
	}
	s.chainEditPage(w, r, http.StatusOK, chainEditData{Chain: c, Link: l, Form: chain.LinkEdit{Description: l.Description,
		Keywords: l.Keywords, Classes: l.IndustryClasses, Domains: l.Domains}})
}

func (s *Server) chainEditPage(w http.ResponseWriter, r *http.Request, status int, d chainEditData) {
	pg := s.newPage(r, "chain.edit_link", "chains", d)
	pg.Title = d.Chain.Name + " · " + d.Link.Name
	s.render(w, r, status, "chain/edit", pg)
}

func (s *Server) handleChainLinkSave(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	in := chain.LinkEdit{Description: r.PostFormValue("description"), Keywords: splitList(r.PostFormValue("keywords")),
		Classes: splitList(r.PostFormValue("industry_classes")), Domains: splitList(r.PostFormValue("domains"))}
	chainID, linkID := r.PathValue("id"), r.PathValue("link")
	_, err := s.Chains.EditLink(r.Context(), st.actor, chainID, linkID, in)
	if isFormError(err) {
		c, cerr := s.Chains.GetChain(r.Context(), st.actor, chainID)
		if cerr != nil {
			s.writeError(w, r, cerr)
			return
		}
		l, _ := c.Link(linkID)
		s.chainEditPage(w, r, formStatus(err), chainEditData{Chain: c, Link: l, Form: in, Errors: formErrors(st.lang, err)})
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/chains/"+chainID+"?link="+url.QueryEscape(linkID), http.StatusSeeOther)
}

type chainPlacementsData struct {
	Items  []chain.Placement
	Chains []chain.Chain
	Names  map[string]string // chain/link → link name
	Filter chain.PlacementFilter
	Kinds  []string
	Pager  pager
}

func (s *Server) placementFilter(r *http.Request) (chain.PlacementFilter, error) {
	q := newQuery(r)
	f := chain.PlacementFilter{Chain: q.Text("chain"), Link: q.Text("link"),
		SubjectType: q.Enum("subject_type", chain.SubjectKinds...), State: q.Enum("state", chain.Suggested, chain.Confirmed),
		Region: q.RegionCode("region"), Page: q.PageNumber(), PerPage: q.Int("per_page", 50, 1, 200)}
	return f, q.Err()
}

func (s *Server) handleChainPlacements(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := s.placementFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Chains.FindPlacements(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d := chainPlacementsData{Items: list, Filter: f, Kinds: chain.SubjectKinds, Names: map[string]string{}, Pager: newPager(r, f.Page, f.PerPage, total)}
	for _, sum := range s.chainSummaries(r) {
		c, err := s.Chains.GetChain(r.Context(), st.actor, sum)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		d.Chains = append(d.Chains, c)
		for _, l := range c.Links {
			d.Names[c.ID+"/"+l.ID] = l.Name
		}
	}
	s.render(w, r, http.StatusOK, "chain/placements", s.newPage(r, "chain.placements", "chains", d))
}

// chainSummaries lists the ids of the loaded chains.
func (s *Server) chainSummaries(r *http.Request) []string {
	var ids []string
	for _, c := range s.Chains.Book().Chains {
		ids = append(ids, c.ID)
	}
	return ids
}

func (s *Server) handleChainPlacementConfirm(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.Chains.ConfirmPlacement(r.Context(), state(r).actor, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	redirectBack(w, r, "/chains/placements")
}

func (s *Server) handleChainPlacementMove(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.Chains.MovePlacement(r.Context(), state(r).actor, id, r.PostFormValue("link")); err != nil {
		s.writeError(w, r, err)
		return
	}
	redirectBack(w, r, "/chains/placements")
}

func (s *Server) handleChainLeader(w http.ResponseWriter, r *http.Request) {
	eid, err := formID(r, "enterprise_id")
	if err == nil && eid == 0 {
		err = apperr.Fields(apperr.Field("enterprise_id", "error.required"))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	chainID := r.PathValue("id")
	if err := s.Chains.SetLeader(r.Context(), state(r).actor, chainID, eid, r.PostFormValue("on") != "false"); err != nil {
		s.writeError(w, r, err)
		return
	}
	redirectBack(w, r, "/chains/"+chainID)
}

func (s *Server) suppliers(w http.ResponseWriter, r *http.Request) (chain.SupplierList, bool) {
	eid, err := strconv.ParseInt(r.PathValue("enterprise"), 10, 64)
	if err != nil {
		s.writeError(w, r, apperr.New(apperr.NotFound, "chain.leader_not_found"))
		return chain.SupplierList{}, false
	}
	l, err := s.Chains.Suppliers(r.Context(), state(r).actor, r.PathValue("id"), eid)
	if err != nil {
		s.writeError(w, r, err)
		return chain.SupplierList{}, false
	}
	return l, true
}

type chainSuppliersData struct {
	List  chain.SupplierList
	Names map[string]string
}

func (s *Server) handleChainSuppliers(w http.ResponseWriter, r *http.Request) {
	l, ok := s.suppliers(w, r)
	if !ok {
		return
	}
	d := chainSuppliersData{List: l, Names: map[string]string{}}
	for _, x := range l.Chain.Links {
		d.Names[x.ID] = x.Name
	}
	pg := s.newPage(r, "chain.suppliers", "chains", d)
	pg.Title = l.Leader.Name + " · " + i18n.T(state(r).lang, "chain.suppliers")
	s.render(w, r, http.StatusOK, "chain/suppliers", pg)
}

func (s *Server) handleChainSuppliersExport(w http.ResponseWriter, r *http.Request) {
	l, ok := s.suppliers(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := chain.WriteSuppliers(&buf, state(r).lang, l); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, "配套备选清单-"+l.Chain.ID+"-"+strconv.FormatInt(l.Leader.EnterpriseID, 10)+".xlsx", buf.Bytes())
}

type chainDocumentData struct {
	Pic      chain.ChainPicture
	Segments []chain.Segment
	County   string
}

func (s *Server) chainDocument(w http.ResponseWriter, r *http.Request) (chain.ChainPicture, bool) {
	q := newQuery(r)
	county := s.chainCounty(r, q)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return chain.ChainPicture{}, false
	}
	pic, err := s.Chains.Picture(r.Context(), state(r).actor, r.PathValue("id"), county)
	if err != nil {
		s.writeError(w, r, err)
		return chain.ChainPicture{}, false
	}
	return pic, true
}

func (s *Server) handleChainDocument(w http.ResponseWriter, r *http.Request) {
	pic, ok := s.chainDocument(w, r)
	if !ok {
		return
	}
	pg := s.newPage(r, "chain.document", "chains", chainDocumentData{Pic: pic, Segments: pic.Chain.Segments, County: pic.County})
	pg.Title = i18n.T(state(r).lang, "chain.doc.title", pic.Chain.Name)
	s.render(w, r, http.StatusOK, "chain/document", pg)
}

func (s *Server) handleChainDocumentExport(w http.ResponseWriter, r *http.Request) {
	pic, ok := s.chainDocument(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := chain.WriteDocument(&buf, state(r).lang, pic); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, "对接融合图谱-"+pic.Chain.ID+".xlsx", buf.Bytes())
}
