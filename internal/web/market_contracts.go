package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"kechuang/internal/i18n"
	"kechuang/internal/market"
	"kechuang/internal/region"
)

type contractsData struct {
	Nav       marketNav
	Contracts []market.Contract
	Filter    market.ContractFilter
	Pager     pager
	Types     []market.ContractType
	TypeNames map[string]string
	Counties  []region.Region
	Form      market.Contract
	Errors    map[string]string
	Done      bool
	// CanRegister offers the registration form.
	CanRegister bool
}

// contractFilter reads the contract list filters of the page and the API.
func (s *Server) contractFilter(r *http.Request) (market.ContractFilter, error) {
	q := newQuery(r)
	f := market.ContractFilter{Query: q.Text("q"), Region: q.Text("region"), From: q.DateText("from"), To: q.DateText("to"),
		Type: q.Enum("type", codes(s.Market.ContractTypes(), func(t market.ContractType) string { return t.Code })...)}
	f.Page, f.PerPage = q.Page(25, 200)
	return f, q.Err()
}

// statsYear reads ?year= and ?region= of the statistics pages: this year
// when absent.
func (s *Server) statsYear(r *http.Request) (int, string, error) {
	q := newQuery(r)
	now := s.Now().Year()
	return q.Int("year", now, 2000, now), q.Text("region"), q.Err()
}

func (s *Server) contractTypeNames(lang string) map[string]string {
	m := map[string]string{}
	for _, t := range s.Market.ContractTypes() {
		m[t.Code] = contractTypeLabel(lang, t)
	}
	return m
}

// handleMarketContracts lists registered technology contracts with filters.
func (s *Server) handleMarketContracts(w http.ResponseWriter, r *http.Request) {
	f, err := s.contractFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Market.FindContracts(r.Context(), state(r).actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	data := contractsData{Nav: s.marketNav(r), Contracts: list, Filter: f, Pager: newPager(r, f.Page, f.PerPage, total),
		Types: s.Market.ContractTypes(), TypeNames: s.contractTypeNames(state(r).lang), Counties: s.countyChoices(r), Done: r.URL.Query().Get("done") == "1",
		CanRegister: s.Market.CanRegisterContracts(state(r).actor)}
	s.render(w, r, http.StatusOK, "market/contracts", s.newPage(r, "market.contracts", "market", data))
}

// handleMarketContractNew shows the registration form.
func (s *Server) handleMarketContractNew(w http.ResponseWriter, r *http.Request) {
	data := contractsData{Nav: s.marketNav(r), Types: s.Market.ContractTypes(), Counties: s.countyChoices(r)}
	s.render(w, r, http.StatusOK, "market/contract_new", s.newPage(r, "market.register_contract", "market", data))
}

// handleMarketContractCreate registers a contract from the form; amounts
// are in 万元.
func (s *Server) handleMarketContractCreate(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	errs := map[string]string{}
	num := func(key string) float64 {
		f, err := formNumber(r.PostFormValue(key))
		if err != nil || f == nil {
			errs[key] = i18n.T(st.lang, "error.number")
			return 0
		}
		return *f
	}
	c := market.Contract{Type: r.PostFormValue("contract_type"), Subtype: r.PostFormValue("subtype"), Title: r.PostFormValue("title"),
		Seller: r.PostFormValue("seller"), SellerCode: r.PostFormValue("seller_code"), Buyer: r.PostFormValue("buyer"),
		BuyerCode: r.PostFormValue("buyer_code"), Amount: num("amount"), TechAmount: num("tech_amount"),
		SignedOn: r.PostFormValue("signed_on"), Domain: r.PostFormValue("domain"), RegionCode: r.PostFormValue("region_code")}
	if len(errs) == 0 {
		_, err := s.Market.RegisterContract(r.Context(), st.actor, c)
		if isFormError(err) {
			errs = formErrors(st.lang, err)
		} else if err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		data := contractsData{Nav: s.marketNav(r), Types: s.Market.ContractTypes(), Counties: s.countyChoices(r), Form: c, Errors: errs}
		s.render(w, r, http.StatusUnprocessableEntity, "market/contract_new", s.newPage(r, "market.register_contract", "market", data))
		return
	}
	http.Redirect(w, r, "/market/contracts?done=1", http.StatusSeeOther)
}

type statsData struct {
	Nav      marketNav
	Stats    market.ContractStats
	Year     int
	Years    []int
	Region   string
	Counties []region.Region
	Charts   map[string]string
}

// handleMarketStats shows contract counts and amounts by type, domain,
// county and month, with charts.
func (s *Server) handleMarketStats(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	year, regionCode, err := s.statsYear(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	stats, err := s.Market.ContractStatistics(r.Context(), st.actor, strconv.Itoa(year)+"-01-01", strconv.Itoa(year)+"-12-31", regionCode)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := statsData{Nav: s.marketNav(r), Stats: stats, Year: year, Region: regionCode, Counties: s.countyChoices(r),
		Charts: statsCharts(st.lang, year, stats)}
	for y := s.Now().Year(); y >= s.Now().Year()-5; y-- {
		data.Years = append(data.Years, y)
	}
	s.render(w, r, http.StatusOK, "market/stats", s.newPage(r, "market.stats", "market", data))
}

// statsCharts builds the ECharts options: amounts by month (bars, with the
// count as a line), by type and by county (bars), by domain (pie).
func statsCharts(lang string, year int, st market.ContractStats) map[string]string {
	byMonth := map[string]market.StatRow{}
	for _, r := range st.ByMonth {
		byMonth[r.Key] = r
	}
	var months []string
	var amounts, counts []any
	for m := 1; m <= 12; m++ {
		key := strconv.Itoa(year) + "-" + strconv.Itoa(100 + m)[1:]
		months = append(months, strconv.Itoa(m)+i18n.T(lang, "unit.month"))
		amounts, counts = append(amounts, byMonth[key].Amount), append(counts, byMonth[key].Count)
	}
	wan := i18n.T(lang, "unit.wan_yuan")
	out := map[string]string{}
	enc := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	out["month"] = enc(map[string]any{
		"tooltip": map[string]any{"trigger": "axis"}, "legend": map[string]any{"top": 0},
		"grid":  map[string]any{"left": 60, "right": 50, "top": 40, "bottom": 30},
		"xAxis": map[string]any{"type": "category", "data": months},
		"yAxis": []any{map[string]any{"type": "value", "name": wan}, map[string]any{"type": "value", "name": i18n.T(lang, "market.contract_count"), "minInterval": 1, "splitLine": map[string]any{"show": false}}},
		"series": []any{
			map[string]any{"name": i18n.T(lang, "market.amount"), "type": "bar", "data": amounts},
			map[string]any{"name": i18n.T(lang, "market.contract_count"), "type": "line", "yAxisIndex": 1, "data": counts},
		},
	})
	bars := func(rows []market.StatRow) string {
		var names []string
		var vals []float64
		for _, r := range rows {
			names, vals = append(names, r.Label), append(vals, r.Amount)
		}
		return barChart(names, vals, 100, map[string]any{"name": wan})
	}
	out["type"], out["county"] = bars(st.ByType), bars(st.ByCounty)
	var pie []any
	for _, r := range st.ByDomain {
		pie = append(pie, map[string]any{"name": r.Label, "value": r.Amount})
	}
	out["domain"] = enc(map[string]any{
		"tooltip": map[string]any{"trigger": "item", "formatter": "{b}: {c} " + wan + " ({d}%)"},
		"series":  []any{map[string]any{"type": "pie", "radius": []string{"35%", "65%"}, "data": pie, "label": map[string]any{"formatter": "{b}\n{d}%"}}},
	})
	return out
}

// handleMarketStatsExport sends the statistics of ?year= as .xlsx.
func (s *Server) handleMarketStatsExport(w http.ResponseWriter, r *http.Request) {
	year, regionCode, err := s.statsYear(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	stats, err := s.Market.ContractStatistics(r.Context(), state(r).actor, strconv.Itoa(year)+"-01-01", strconv.Itoa(year)+"-12-31",
		regionCode)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := market.WriteContractStats(&buf, stats); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, "技术合同统计-"+strconv.Itoa(year)+".xlsx", buf.Bytes())
}

// handleAPIContracts lists registered contracts in the actor's region.
func (s *Server) handleAPIContracts(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	f, err := s.contractFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Market.FindContracts(r.Context(), actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	writeJSON(w, http.StatusOK, listResponse[market.Contract]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// handleAPIContractCreate registers a contract.
func (s *Server) handleAPIContractCreate(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var c market.Contract
	if err := decodeJSON(w, r, &c); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.Market.RegisterContract(r.Context(), actor, c)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// handleAPIContract returns one contract inside the actor's region.
func (s *Server) handleAPIContract(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	c, err := s.Market.GetContract(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// handleAPIContractStats returns the contract statistics of ?from=&to=
// (default: this year), optionally for ?region=.
func (s *Server) handleAPIContractStats(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	from, to, regionCode := q.DateText("from"), q.DateText("to"), q.Text("region")
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if from == "" {
		from = strconv.Itoa(s.Now().Year()) + "-01-01"
	}
	if to == "" {
		to = strconv.Itoa(s.Now().Year()) + "-12-31"
	}
	stats, err := s.Market.ContractStatistics(r.Context(), actor, from, to, regionCode)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, stats)
}
