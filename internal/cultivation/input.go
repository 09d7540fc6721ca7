package cultivation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar day written "YYYY-MM-DD" in JSON. The zero Date means
// the field was absent.
type Date struct {
	time.Time
}

const dateLayout = "2006-01-02"

// UnmarshalJSON implements json.Unmarshaler. A bad date is reported as a
// *json.UnmarshalTypeError so that the decoder adds the field path.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: dateType}
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: strconv.Quote(s), Type: dateType}
	}
	d.Time = t
	return nil
}

var dateType = reflect.TypeFor[Date]()

// MarshalJSON implements json.Marshaler.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.Format(dateLayout) + `"`), nil
}

// YearFigures are one fiscal year's figures of an enterprise, amounts in 元,
// headcounts as the year's average (高企 指引: 全年月平均数). A nil field is
// absent: the engine names it as missing rather than taking it as zero.
type YearFigures struct {
	Revenue           *float64 `json:"revenue"`             // 营业收入（销售收入）
	MainRevenue       *float64 `json:"main_revenue"`        // 主营业务收入
	HightechRevenue   *float64 `json:"hightech_revenue"`    // 高新技术产品（服务）收入
	CostTotal         *float64 `json:"cost_total"`          // 成本费用支出总额
	RDExpense         *float64 `json:"rd_expense"`          // 研发费用总额（按加计扣除口径归集）
	RDExpenseDomestic *float64 `json:"rd_expense_domestic"` // 在中国境内发生的研发费用
	Employees         *float64 `json:"employees"`           // 职工总数（含兼职、临时聘用）
	TechStaff         *float64 `json:"tech_staff"`          // 科技人员数
	RDStaff           *float64 `json:"rd_staff"`            // 研发人员数
	TotalAssets       *float64 `json:"total_assets"`        // 资产总额（年末）
	NetAssets         *float64 `json:"net_assets"`          // 净资产（年末，资产总额−负债总额）
	Liabilities       *float64 `json:"liabilities"`         // 负债总额（年末）
	NetProfit         *float64 `json:"net_profit"`          // 净利润
	EquityFinancing   *float64 `json:"equity_financing"`    // 当年新增合格机构投资者实缴股权融资
}

// yearField indexes the fields of YearFigures so that rule files can name
// them and the engine can read them without reflection.
type yearField uint8

const (
	fRevenue yearField = iota
	fMainRevenue
	fHightechRevenue
	fCostTotal
	fRDExpense
	fRDExpenseDomestic
	fEmployees
	fTechStaff
	fRDStaff
	fTotalAssets
	fNetAssets
	fLiabilities
	fNetProfit
	fEquityFinancing
	numYearFields
)

// yearFieldInfo lists every per-year field: JSON name, display unit, whether
// it may be negative, and its Chinese and English names for gaps.
var yearFieldInfo = [numYearFields]struct {
	json     string
	unit     Unit
	negative bool
	label    string
	labelEN  string
}{
	fRevenue:           {"revenue", UnitYuan, false, "营业收入", "revenue"},
	fMainRevenue:       {"main_revenue", UnitYuan, false, "主营业务收入", "main business revenue"},
	fHightechRevenue:   {"hightech_revenue", UnitYuan, false, "高新技术产品（服务）收入", "high-tech product (service) revenue"},
	fCostTotal:         {"cost_total", UnitYuan, false, "成本费用支出总额", "total costs and expenses"},
	fRDExpense:         {"rd_expense", UnitYuan, false, "研发费用", "R&D expense"},
	fRDExpenseDomestic: {"rd_expense_domestic", UnitYuan, false, "境内研发费用", "domestic R&D expense"},
	fEmployees:         {"employees", UnitPersons, false, "职工总数", "total staff"},
	fTechStaff:         {"tech_staff", UnitPersons, false, "科技人员", "technical staff"},
	fRDStaff:           {"rd_staff", UnitPersons, false, "研发人员", "R&D staff"},
	fTotalAssets:       {"total_assets", UnitYuan, false, "资产总额", "total assets"},
	fNetAssets:         {"net_assets", UnitYuan, true, "净资产", "net assets"},
	fLiabilities:       {"liabilities", UnitYuan, false, "负债总额", "total liabilities"},
	fNetProfit:         {"net_profit", UnitYuan, true, "净利润", "net profit"},
	fEquityFinancing:   {"equity_financing", UnitYuan, false, "股权融资", "equity financing"},
}

func (y *YearFigures) get(f yearField) *float64 {
	switch f {
	case fRevenue:
		return y.Revenue
	case fMainRevenue:
		return y.MainRevenue
	case fHightechRevenue:
		return y.HightechRevenue
	case fCostTotal:
		return y.CostTotal
	case fRDExpense:
		return y.RDExpense
	case fRDExpenseDomestic:
		return y.RDExpenseDomestic
	case fEmployees:
		return y.Employees
	case fTechStaff:
		return y.TechStaff
	case fRDStaff:
		return y.RDStaff
	case fTotalAssets:
		return y.TotalAssets
	case fNetAssets:
		return y.NetAssets
	case fLiabilities:
		return y.Liabilities
	case fNetProfit:
		return y.NetProfit
	case fEquityFinancing:
		return y.EquityFinancing
	}
	return nil
}

func yearFieldByName(name string) (yearField, bool) {
	for i, info := range yearFieldInfo {
		if info.json == name {
			return yearField(i), true
		}
	}
	return 0, false
}

// IPCounts counts the enterprise's valid intellectual property related to its
// main products, by the classes of the 高企 指引 and 梯度培育 办法.
type IPCounts struct {
	Class1          *int `json:"class1"`            // Ⅰ类：发明专利、植物新品种、集成电路布图设计等
	Class2          *int `json:"class2"`            // Ⅱ类：实用新型、外观设计、软件著作权
	Class1HighValue *int `json:"class1_high_value"` // Ⅰ类高价值知识产权（梯度培育）
	Class1Own       *int `json:"class1_own"`        // 自主研发获得的Ⅰ类
	Class1Applied   *int `json:"class1_applied"`    // 与主导产品相关、已实际应用并产生经济效益的Ⅰ类
}

func (ip *IPCounts) get(key string) *int {
	switch key {
	case "class1":
		return ip.Class1
	case "class2":
		return ip.Class2
	case "class1_high_value":
		return ip.Class1HighValue
	case "class1_own":
		return ip.Class1Own
	case "class1_applied":
		return ip.Class1Applied
	}
	return nil
}

var ipKeys = []string{"class1", "class2", "class1_high_value", "class1_own", "class1_applied"}

// Certificate is a title the enterprise holds: Type is a rule-set id
// ("high-tech", "tech-sme", "innovative-sme", "specialized-sme",
// "little-giant") or one of the other title types in CertificateTypes.
// Expires, when given, overrides the validity the rule file assumes.
type Certificate struct {
	Type    string `json:"type"`
	Issued  Date   `json:"issued"`
	Expires Date   `json:"expires"`
	// Number is the registry number (入库登记编号) a closed application
	// round issued with the certificate, if any.
	Number string `json:"number,omitempty"`
	// Revoked is the day the certificate was revoked (撤销, after a failed
	// spot check); it is valid up to the day before. Only RevokeCertificate
	// sets it: updateEnterprise keeps the stored value, whatever the
	// caller sent.
	Revoked Date `json:"revoked,omitzero"`
}

// Honor is an award, a standard the enterprise led, or a contest placing.
// Type is "sci_award" (科技奖励), "standard" (主导制定标准) or "chuangke"
// (创客中国大赛); Level is one of HonorLevels; Rank is the enterprise's place
// among the winning units or drafters (0 = not known); Year is the year won.
type Honor struct {
	Type  string `json:"type"`
	Level string `json:"level"`
	Rank  int    `json:"rank"`
	Year  int    `json:"year"`
}

// AssessmentInput is one enterprise as the engine sees it. Amounts are in 元.
// Years are keyed by fiscal year; the data year is DataYear, or the year
// before AsOf (上一会计年度) when DataYear is 0.
//
// Figures, Choices and Attestations carry the facts that only some rule sets
// need; their keys are listed in FigureKeys, ChoiceKeys and AttestationKeys,
// and ParseAssessmentInput rejects any other key. An absent attestation is
// taken as met and reported under to_confirm; an absent figure or choice is
// reported as missing, except expert scores, which count as their full range.
type AssessmentInput struct {
	ID           string              `json:"id,omitempty"`          // caller's reference, echoed in the result
	CreditCode   string              `json:"credit_code,omitempty"` // 统一社会信用代码, checked when given
	AsOf         Date                `json:"as_of"`
	Founded      Date                `json:"founded"`
	Listed       bool                `json:"listed"`
	Industry     string              `json:"industry"` // GB/T 4754-2017, e.g. "C39" or "K7020"
	DataYear     int                 `json:"data_year,omitempty"`
	Years        map[int]YearFigures `json:"years"`
	IP           *IPCounts           `json:"ip"`
	Certificates []Certificate       `json:"certificates"`
	Honors       []Honor             `json:"honors"`
	Figures      map[string]float64  `json:"figures"`
	Choices      map[string]string   `json:"choices"`
	Attestations map[string]bool     `json:"attestations"`
}

// KeyInfo documents one key of Figures, Choices or Attestations.
type KeyInfo struct {
	Key   string
	Label string // Chinese name, used in results
	// LabelEN is the English name, used on English pages.
	LabelEN string
	Values  []string // allowed values of a choice; nil for figures and attestations
	Unit    Unit     // unit of a figure
	Expert  bool     // an expert score: absent means "any point in range", not missing
}

// FigureKeys are the numeric facts in AssessmentInput.Figures.
var FigureKeys = []KeyInfo{
	{Key: "niche_years", Label: "从事特定细分市场年限", LabelEN: "Years in a specific market niche", Unit: UnitYears},
	{Key: "market_share", Label: "主导产品细分市场占有率", LabelEN: "Market share of the main product in its niche", Unit: UnitRatio},
	{Key: "market_rank", Label: "主导产品国内细分市场排名", LabelEN: "Domestic niche market rank of the main product", Unit: UnitRank},
	{Key: "dev_score", Label: "专精特新发展评价得分（平台计算）", LabelEN: "Specialized and sophisticated development score (computed by the platform)", Unit: UnitPoints},
	{Key: "conversions_3y", Label: "近三年科技成果转化数", LabelEN: "Technology transfers in the last three years", Unit: UnitCount},
	{Key: "quality_items", Label: "质量管理加分项数（省级以上质量奖、管理体系认证、自主品牌、参与制定标准）", LabelEN: "Quality management bonus items (provincial or higher quality award, management system certification, own brand, standards drafting)", Unit: UnitCount},
	{Key: "rd_management_rules", Label: "研发组织管理制度与辅助账（专家评分）", LabelEN: "R&D management rules and sub-ledger (expert score)", Unit: UnitPoints, Expert: true},
	{Key: "rd_institution_cooperation", Label: "研发机构与产学研合作（专家评分）", LabelEN: "R&D institution and industry–university–research cooperation (expert score)", Unit: UnitPoints, Expert: true},
	{Key: "conversion_incentives", Label: "成果转化组织与激励、开放式创新平台（专家评分）", LabelEN: "Technology transfer organisation and incentives, open innovation platforms (expert score)", Unit: UnitPoints, Expert: true},
	{Key: "talent_rewards", Label: "人才培养、引进与绩效奖励（专家评分）", LabelEN: "Talent training, recruitment and performance rewards (expert score)", Unit: UnitPoints, Expert: true},
	{Key: "local_feature_score", Label: "特色化指标（省级主管部门评分）", LabelEN: "Distinctiveness indicators (scored by the provincial authority)", Unit: UnitPoints, Expert: true},
}

// ChoiceKeys are the categorical facts in AssessmentInput.Choices.
var ChoiceKeys = []KeyInfo{
	{Key: "hightech_domain", Label: "核心技术所属国家重点支持的高新技术领域", LabelEN: "High-tech field supported by the state that the core technology belongs to",
		Values: []string{"电子信息", "生物与新医药", "航空航天", "新材料", "高技术服务", "新能源与节能", "资源与环境", "先进制造与自动化", "无"}},
	{Key: "rd_institution", Label: "研发机构级别", LabelEN: "Level of the R&D institution", Values: []string{"national", "provincial", "municipal", "below_municipal", "none"}},
	{Key: "advancement", Label: "技术的先进程度（专家评价）", LabelEN: "How advanced the technology is (expert judgement)", Values: []string{"高", "较高", "一般", "较低", "无"}, Expert: true},
	{Key: "core_support", Label: "核心支持作用（专家评价）", LabelEN: "Core supporting role (expert judgement)", Values: []string{"强", "较强", "一般", "较弱", "无"}, Expert: true},
	{Key: "ip_acquisition", Label: "知识产权获得方式", LabelEN: "How the IP was obtained", Values: []string{"own_rd", "transfer_only"}, Expert: true},
	{Key: "standards_drafting", Label: "参与制定标准（加分）", LabelEN: "Standards drafting (bonus)", Values: []string{"yes", "no"}, Expert: true},
	{Key: "strategic_emerging", Label: "主导产品属于《战略性新兴产业分类》", LabelEN: "Main product listed in the Strategic Emerging Industries Classification", Values: []string{"yes", "no"}},
	{Key: "product_field", Label: "主导产品所属领域", LabelEN: "Field of the main product", Values: []string{"short_board", "six_basics", "none"}},
	{Key: "digital_level", Label: "数字化水平", LabelEN: "Digitalisation level", Values: []string{"level3", "level2", "level1"}},
}

// AttestationKeys are the yes/no facts in AssessmentInput.Attestations. Those
// marked in a rule file as "attest" are taken as met when absent (an outside
// registry or the enterprise's own statement settles them); those marked
// "judgement" need a person and leave the verdict at "possible" when absent.
var AttestationKeys = []KeyInfo{
	{Key: "tax_on_actual_profit", Label: "居民企业，查账征收，会计核算健全、能准确归集研发费用", LabelEN: "Resident enterprise taxed on audited accounts, with sound accounting that records R&D expense accurately"},
	{Key: "product_allowed", Label: "产品（服务）不属于国家禁止、限制和淘汰类", LabelEN: "Products (services) not in the state's prohibited, restricted or phased-out categories"},
	{Key: "no_major_incident", Label: "无重大安全、重大质量事故、严重环境违法和科研严重失信行为", LabelEN: "No major safety or quality accident, serious environmental violation or serious research misconduct"},
	{Key: "not_on_credit_lists", Label: "未列入经营异常名录和严重违法失信名单", LabelEN: "Not on the abnormal-operations list or the list of serious violators"},
	{Key: "is_sme", Label: "符合《中小企业划型标准规定》，在境内注册的独立法人", LabelEN: "An SME under the SME classification rules, registered in China as an independent legal person"},
	{Key: "no_tax_violation", Label: "近三年无偷税漏税等违法违规行为", LabelEN: "No tax evasion or other violations in the last three years"},
	{Key: "has_development_activity", Label: "有房地产开发经营活动", LabelEN: "Has real-estate development activity"},
	{Key: "market_position", Label: "主导产品细分市场占有率较为靠前，具有一定知名度", LabelEN: "The main product's niche market share is near the top and it is fairly well known"},
	{Key: "key_chain_link", Label: "主导产品属于重点领域、处于产业链关键环节", LabelEN: "Main product in a key field, at a key link of the supply chain"},
	{Key: "info_system", Label: "至少1项核心业务采用信息系统支撑", LabelEN: "At least one core business process runs on an information system"},
	{Key: "mgmt_certification", Label: "取得管理体系认证或发达国家和地区产品认证", LabelEN: "Management system certification, or product certification of a developed country or region"},
	{Key: "own_brand", Label: "拥有直面市场的自主品牌", LabelEN: "Owns a brand sold directly to the market"},
	{Key: "first_high_tech", Label: "首次认定为高新技术企业（非重新认定）", LabelEN: "First recognition as a High and New Technology Enterprise (not a re-recognition)"},
}

// CertificateTypes are the title types AssessmentInput.Certificates may hold.
var CertificateTypes = []string{
	"tech-sme", "high-tech", "innovative-sme", "specialized-sme", "little-giant",
	"tech-innovation-demo", "ip-advantage", "ip-demonstration", "construction-qualification",
}

// HonorTypes and HonorLevels are the values of Honor.Type and Honor.Level.
var (
	HonorTypes  = []string{"sci_award", "standard", "chuangke"}
	HonorLevels = []string{"international", "national", "provincial", "industry", "municipal"}
)

func findKey(keys []KeyInfo, k string) *KeyInfo {
	for i := range keys {
		if keys[i].Key == k {
			return &keys[i]
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// maxInputBytes bounds one enterprise's JSON; real inputs are a few kB.
const maxInputBytes = 1 << 20

// ParseAssessmentInput decodes and checks one enterprise. Unknown fields and
// keys are rejected so that a misspelt figure is an error, not a silent
// "missing". The error names the JSON path of the first problem, in Chinese.
func ParseAssessmentInput(data []byte) (AssessmentInput, error) {
	var in AssessmentInput
	if len(data) > maxInputBytes {
		return in, fmt.Errorf("输入超过 %d 字节", maxInputBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return AssessmentInput{}, describeJSONError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return AssessmentInput{}, errors.New("JSON 对象之后还有多余内容")
	}
	if err := in.Validate(); err != nil {
		return AssessmentInput{}, err
	}
	return in, nil
}

func describeJSONError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Type == dateType:
		return fmt.Errorf("%s：日期应为 \"YYYY-MM-DD\"，实为 %s", te.Field, te.Value)
	case errors.As(err, &te):
		return fmt.Errorf("%s：类型应为 %s", te.Field, chineseType(te.Type.Kind().String()))
	case errors.As(err, &se):
		return fmt.Errorf("JSON 语法错误（第 %d 字节）：%v", se.Offset, se)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("未知字段 %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	case errors.Is(err, io.EOF):
		return errors.New("输入为空")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("JSON 不完整")
	}
	return fmt.Errorf("JSON 无法解析：%w", err)
}

func chineseType(kind string) string {
	switch kind {
	case "float64", "int", "int64":
		return "数字"
	case "string":
		return "字符串"
	case "bool":
		return "布尔值"
	case "map", "struct":
		return "对象"
	case "slice":
		return "数组"
	}
	return kind
}

// Validate checks values that JSON types cannot: dates, year keys, signs,
// keys of the open maps and the credit code. The error names the field path.
func (in *AssessmentInput) Validate() error {
	if in.AsOf.IsZero() {
		return errors.New("as_of：必填（评价基准日 YYYY-MM-DD）")
	}
	if !in.Founded.IsZero() && in.Founded.After(in.AsOf.Time) {
		return errors.New("founded：成立日期晚于 as_of")
	}
	if in.CreditCode != "" {
		if err := ValidateCreditCode(in.CreditCode); err != nil {
			return fmt.Errorf("credit_code：%w", err)
		}
	}
	if in.Industry != "" && !validIndustry(in.Industry) {
		return fmt.Errorf("industry：%q 不是 GB/T 4754-2017 代码（门类字母加 0–4 位数字，如 C39）", in.Industry)
	}
	if in.DataYear != 0 && (in.DataYear < 1900 || in.DataYear > in.AsOf.Year()) {
		return fmt.Errorf("data_year：%d 不在 1900–%d 之间", in.DataYear, in.AsOf.Year())
	}
	years := make([]int, 0, len(in.Years))
	for y := range in.Years {
		years = append(years, y)
	}
	sort.Ints(years)
	for _, y := range years {
		if y < 1900 || y > 2200 {
			return fmt.Errorf("years.%d：年份不合理", y)
		}
		fig := in.Years[y]
		for f := yearField(0); f < numYearFields; f++ {
			p := fig.get(f)
			if p == nil {
				continue
			}
			info := yearFieldInfo[f]
			if math.IsNaN(*p) || math.IsInf(*p, 0) || (*p < 0 && !info.negative) {
				return fmt.Errorf("years.%d.%s：不能为负数", y, info.json)
			}
		}
	}
	if in.IP != nil {
		for _, k := range ipKeys {
			if p := in.IP.get(k); p != nil && *p < 0 {
				return fmt.Errorf("ip.%s：不能为负数", k)
			}
		}
	}
	for i, c := range in.Certificates {
		if !contains(CertificateTypes, c.Type) {
			return fmt.Errorf("certificates[%d].type：未知类型 %q（可选：%s）", i, c.Type, strings.Join(CertificateTypes, ", "))
		}
		if c.Issued.IsZero() {
			return fmt.Errorf("certificates[%d].issued：必填", i)
		}
		if !c.Expires.IsZero() && c.Expires.Before(c.Issued.Time) {
			return fmt.Errorf("certificates[%d].expires：早于 issued", i)
		}
	}
	for i, h := range in.Honors {
		switch {
		case !contains(HonorTypes, h.Type):
			return fmt.Errorf("honors[%d].type：未知类型 %q（可选：%s）", i, h.Type, strings.Join(HonorTypes, ", "))
		case !contains(HonorLevels, h.Level):
			return fmt.Errorf("honors[%d].level：未知级别 %q（可选：%s）", i, h.Level, strings.Join(HonorLevels, ", "))
		case h.Rank < 0:
			return fmt.Errorf("honors[%d].rank：不能为负数", i)
		case h.Year < 1900 || h.Year > in.AsOf.Year():
			return fmt.Errorf("honors[%d].year：%d 不合理", i, h.Year)
		}
	}
	for _, k := range sortedKeys(in.Figures) {
		info := findKey(FigureKeys, k)
		if info == nil {
			return fmt.Errorf("figures.%s：未知指标（可选：%s）", k, keyList(FigureKeys))
		}
		if v := in.Figures[k]; v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("figures.%s：不能为负数", k)
		}
	}
	for _, k := range sortedKeys(in.Choices) {
		info := findKey(ChoiceKeys, k)
		if info == nil {
			return fmt.Errorf("choices.%s：未知选项（可选：%s）", k, keyList(ChoiceKeys))
		}
		if !contains(info.Values, in.Choices[k]) {
			return fmt.Errorf("choices.%s：%q 不在可选值 %s 中", k, in.Choices[k], strings.Join(info.Values, ", "))
		}
	}
	for _, k := range sortedKeys(in.Attestations) {
		if findKey(AttestationKeys, k) == nil {
			return fmt.Errorf("attestations.%s：未知声明（可选：%s）", k, keyList(AttestationKeys))
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func keyList(keys []KeyInfo) string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Key
	}
	return strings.Join(names, ", ")
}

// validIndustry accepts a GB/T 4754-2017 门类 letter A–T followed by up to
// four digits (大类, 中类 or 小类).
func validIndustry(code string) bool {
	if len(code) == 0 || len(code) > 5 || code[0] < 'A' || code[0] > 'T' {
		return false
	}
	for i := 1; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return len(code) != 2 // a lone digit after the letter is no level of the standard
}

// yearPaths caches "years.2025.rd_expense" strings so that reporting a missing
// field costs no allocation in the common range of years.
var yearPaths = func() (t [201][numYearFields]string) {
	for i := range t {
		for f := range t[i] {
			t[i][f] = "years." + strconv.Itoa(1950+i) + "." + yearFieldInfo[f].json
		}
	}
	return t
}()

func yearPath(year int, f yearField) string {
	if i := year - 1950; i >= 0 && i < len(yearPaths) {
		return yearPaths[i][f]
	}
	return "years." + strconv.Itoa(year) + "." + yearFieldInfo[f].json
}

// valueLabels gives the Chinese for the coded values of choices, honors and
// certificates, so that results read in the user's terms.
var valueLabels = map[string]string{
	"national": "国家级", "provincial": "省部级", "municipal": "市级", "below_municipal": "市级以下", "none": "无",
	"international": "国际", "industry": "行业",
	"own_rd": "自主研发", "transfer_only": "仅受让、受赠、并购等", "yes": "是", "no": "否",
	"short_board": "补短板、锻长板、填空白", "six_basics": "工业“六基”、中华老字号或链主配套", "level3": "三级及以上", "level2": "二级", "level1": "一级",
	"sci_award": "科技奖励", "standard": "主导制定标准", "chuangke": "“创客中国”大赛名次",
	"tech-sme": "科技型中小企业", "high-tech": "高新技术企业", "innovative-sme": "创新型中小企业",
	"specialized-sme": "专精特新中小企业", "little-giant": "专精特新“小巨人”企业",
	"tech-innovation-demo": "国家级技术创新示范企业", "ip-advantage": "知识产权优势企业",
	"ip-demonstration": "知识产权示范企业", "construction-qualification": "建筑业总承包或专业承包资质",
}

// valueLabelsEN is valueLabels in English; the certificate titles match
// the catalogs' cert.* entries.
var valueLabelsEN = map[string]string{
	"national": "national", "provincial": "provincial or ministerial", "municipal": "municipal", "below_municipal": "below municipal", "none": "none",
	"international": "international", "industry": "industry",
	"own_rd": "own R&D", "transfer_only": "only by transfer, gift or acquisition", "yes": "yes", "no": "no",
	"short_board": "closing gaps, strengthening strengths, filling blanks", "six_basics": "industrial “six basics”, time-honoured brand or chain-leader supplier",
	"level3": "level 3 or above", "level2": "level 2", "level1": "level 1",
	"sci_award": "science and technology award", "standard": "standard led", "chuangke": "“Maker China” contest placing",
	"tech-sme": "Tech-based SME", "high-tech": "High-tech enterprise", "innovative-sme": "Innovative SME",
	"specialized-sme": "Specialized SME", "little-giant": "Little giant",
	"tech-innovation-demo": "National technology innovation demonstration enterprise", "ip-advantage": "IP advantage enterprise",
	"ip-demonstration": "IP demonstration enterprise", "construction-qualification": "Construction general or specialist contracting qualification",
	"电子信息": "electronic information", "生物与新医药": "biology and new medicine", "航空航天": "aerospace", "新材料": "new materials",
	"高技术服务": "high-tech services", "新能源与节能": "new energy and energy saving", "资源与环境": "resources and environment",
	"先进制造与自动化": "advanced manufacturing and automation", "无": "none",
	"高": "high", "较高": "fairly high", "一般": "average", "较低": "fairly low", "强": "strong", "较强": "fairly strong", "较弱": "fairly weak",
}

// valueLabelIn is valueLabel in lang.
func valueLabelIn(v string, en bool) string {
	if en {
		if l, ok := valueLabelsEN[v]; ok {
			return l
		}
		return v
	}
	return valueLabel(v)
}

func valueLabelListIn(vs []string, sep string, en bool) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = valueLabelIn(v, en)
	}
	return strings.Join(out, sep)
}

func valueLabel(v string) string {
	if l, ok := valueLabels[v]; ok {
		return l
	}
	return v
}

func valueLabelList(vs []string, sep string) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = valueLabel(v)
	}
	return strings.Join(out, sep)
}
