package sheet_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/xuri/excelize/v2"

	"kechuang/internal/apperr"
	"kechuang/internal/sheet"
)

func TestEscapeFormula(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{name: "formula", in: "=SUM(A1)", want: "'=SUM(A1)"},
		{name: "hyperlink formula", in: `=HYPERLINK("http://x","y")`, want: `'=HYPERLINK("http://x","y")`},
		{name: "plus", in: "+1", want: "'+1"},
		{name: "negative number as string", in: "-1", want: "'-1"},
		{name: "at command", in: "@cmd", want: "'@cmd"},
		{name: "tab", in: "\t=1", want: "'\t=1"},
		{name: "carriage return", in: "\r=1", want: "'\r=1"},
		{name: "normal text", in: "苏州甲科技有限公司", want: "苏州甲科技有限公司"},
		{name: "equals later", in: "a=b", want: "a=b"},
		{name: "empty", in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sheet.EscapeFormula(tt.in); got != tt.want {
				t.Errorf("EscapeFormula(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

type level int

type role string

func TestWriteXLSXRoundTrip(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 1, 5, 9, 30, 15, 0, time.UTC)
	var buf bytes.Buffer
	err := sheet.WriteXLSX(&buf,
		sheet.Sheet{
			Name:   "成果",
			Header: []string{"名称", "金额", "日期", "时间", "是否", "备注", "等级", "角色"},
			Rows: [][]any{
				{"=SUM(A1)", -1, day, at, true, nil, level(3), role("@admin")},
				{"普通", 12.5, time.Time{}, "", false, "-1", 0, role("staff")},
			},
			ColWidths: []float64{30},
		},
		sheet.Sheet{Header: []string{"x"}, Rows: [][]any{{1}}},
	)
	if err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{"成果", "Sheet2"}; !cmp.Equal(got, want) {
		t.Errorf("sheets = %q, want %q", got, want)
	}
	header, rows, err := readAll(t, buf.Bytes(), "export.xlsx", sheet.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if header[0] != "名称" {
		t.Errorf("header = %q", header)
	}
	want := []gotRow{
		{2, []string{"'=SUM(A1)", "-1", "2026-01-05", "2026-01-05 09:30:15", "TRUE", "", "3", "'@admin"}},
		{3, []string{"普通", "12.5", "", "", "FALSE", "'-1", "0", "staff"}},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
	// A negative number passed as a number stays a number cell.
	if typ, err := f.GetCellType("成果", "B2"); err != nil || typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("B2 type = %v, %v; want a number", typ, err)
	}
}

// TestWriteXLSXTitleAndPreface: a report in a bureau's layout has a merged
// title row and preface rows (填报单位, 填报日期) above the header, which
// stays frozen below them.
func TestWriteXLSXTitleAndPreface(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	err := sheet.WriteXLSX(&buf, sheet.Sheet{
		Name:    "台账",
		Title:   "2026年11月重大项目月度信息台账",
		Preface: [][]any{{"填报单位：昆山市", nil, "填报日期：2026-11-25"}},
		Header:  []string{"序号", "项目名称", "本月完成投资（万元）"},
		Rows:    [][]any{{1, "=智能制造产业园", 1200.5}},
	})
	if err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("台账")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"2026年11月重大项目月度信息台账"},
		{"填报单位：昆山市", "", "填报日期：2026-11-25"},
		{"序号", "项目名称", "本月完成投资（万元）"},
		{"1", "'=智能制造产业园", "1200.5"},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
	merged, err := f.GetMergeCells("台账")
	if err != nil || len(merged) != 1 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != "C1" {
		t.Errorf("merged cells = %v, %v; want A1:C1", merged, err)
	}
	panes, err := f.GetPanes("台账")
	if err != nil || !panes.Freeze || panes.YSplit != 3 || panes.TopLeftCell != "A4" {
		t.Errorf("panes = %+v, %v; want frozen above A4", panes, err)
	}
}

func TestWriteXLSXNeedsASheet(t *testing.T) {
	t.Parallel()
	if err := sheet.WriteXLSX(&bytes.Buffer{}); err == nil {
		t.Error("WriteXLSX() with no sheets = nil, want an error")
	}
	if err := sheet.WriteXLSX(&bytes.Buffer{}, sheet.Sheet{Name: "a/b"}); err == nil {
		t.Error("WriteXLSX(sheet a/b) = nil, want an error")
	}
}

var templateCols = []sheet.Column{
	{Key: "name", Header: "企业名称", Required: true, Note: "与营业执照一致", Example: "苏州甲科技有限公司"},
	{Key: "credit_code", Header: "统一社会信用代码", Required: true, Example: "91320505MA1XYZ1234"},
	{Key: "revenue", Header: "营业收入（万元）", Example: "1234.5"},
	{Key: "scale", Header: "企业规模", Allowed: []string{"大型", "中型", "小型", "微型"}, Note: "按工信部划型标准"},
	{Key: "domain", Header: "技术领域", Allowed: []string{"电子信息", "生物与新医药", "航空航天, 含卫星"}},
}

func TestWriteTemplate(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := sheet.WriteTemplate(&buf, templateCols); err != nil {
		t.Fatalf("WriteTemplate: %v", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) < 2 || got[0] != sheet.TemplateDataSheet || got[1] != sheet.TemplateHelpSheet {
		t.Errorf("sheets = %q, want 数据, 填写说明 first", got)
	}
	dvs, err := f.GetDataValidations(sheet.TemplateDataSheet)
	if err != nil {
		t.Fatal(err)
	}
	var sqrefs []string
	for _, dv := range dvs {
		sqrefs = append(sqrefs, dv.Sqref)
	}
	if want := []string{"D2:D200001", "E2:E200001"}; !cmp.Equal(sqrefs, want, cmpopts.SortSlices(func(a, b string) bool { return a < b })) {
		t.Errorf("data validations on %q, want %q", sqrefs, want)
	}
	help, err := f.GetRows(sheet.TemplateHelpSheet)
	if err != nil {
		t.Fatal(err)
	}
	wantHelp := [][]string{
		{"列名", "是否必填", "可选值", "说明", "示例"},
		{"企业名称", "是", "", "与营业执照一致", "苏州甲科技有限公司"},
		{"统一社会信用代码", "是", "", "", "91320505MA1XYZ1234"},
		{"营业收入（万元）", "否", "", "", "1234.5"},
		{"企业规模", "否", "大型、中型、小型、微型", "按工信部划型标准"},
		{"技术领域", "否", "电子信息、生物与新医药、航空航天, 含卫星"},
	}
	if diff := cmp.Diff(wantHelp, help[:len(wantHelp)]); diff != "" {
		t.Errorf("填写说明 mismatch (-want +got):\n%s", diff)
	}

	// The template reads back through Open and MapHeader without problems.
	header, rows, err := readAll(t, buf.Bytes(), "template.xlsx", sheet.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got := header[0]; got != "*企业名称" {
		t.Errorf("header[0] = %q, want the required mark", got)
	}
	idx, problems := sheet.MapHeader(header, templateCols)
	if len(problems) != 0 || len(idx) != len(templateCols) {
		t.Errorf("MapHeader(template) = %v, %v; want every column, no problems", idx, problems)
	}
	if len(rows) != 1 || rows[0].Cells[idx["credit_code"]] != "91320505MA1XYZ1234" {
		t.Errorf("example rows = %v", rows)
	}
}

func TestMapHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		header       []string
		want         map[string]int
		wantProblems []apperr.FieldError
	}{
		{
			name:   "exact",
			header: []string{"企业名称", "统一社会信用代码", "营业收入（万元）"},
			want:   map[string]int{"name": 0, "credit_code": 1, "revenue": 2},
		},
		{
			name:   "brackets, marks, spaces, unit and key tolerated",
			header: []string{"*企业名称", "统一社会 信用代码＊", "营业收入(万元)", "企业规模【类型】", "DOMAIN"},
			want:   map[string]int{"name": 0, "credit_code": 1, "revenue": 2, "scale": 3, "domain": 4},
		},
		{
			name:   "unit missing in the file",
			header: []string{"企业名称", "统一社会信用代码", "营业收入"},
			want:   map[string]int{"name": 0, "credit_code": 1, "revenue": 2},
		},
		{
			name:   "blank header cells ignored",
			header: []string{"", "企业名称", " ", "统一社会信用代码"},
			want:   map[string]int{"name": 1, "credit_code": 3},
		},
		{
			name:   "missing, unknown and duplicate",
			header: []string{"企业名称", "电话", "企业名称 "},
			want:   map[string]int{"name": 0},
			wantProblems: []apperr.FieldError{
				{Row: 1, Field: "电话", Key: "sheet.unknown_column", Args: []any{"电话"}},
				{Row: 1, Field: "企业名称", Key: "sheet.duplicate_column", Args: []any{"企业名称"}},
				{Row: 1, Field: "credit_code", Key: "sheet.missing_column", Args: []any{"统一社会信用代码"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := sheet.MapHeader(tt.header, templateCols)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("MapHeader(%q) index mismatch (-want +got):\n%s", tt.header, diff)
			}
			if diff := cmp.Diff(tt.wantProblems, problems); diff != "" {
				t.Errorf("MapHeader(%q) problems mismatch (-want +got):\n%s", tt.header, diff)
			}
		})
	}
}

func TestWriteErrorReport(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	err := sheet.WriteErrorReport(&buf, []sheet.Problem{
		{Row: 0, Reason: "缺少必填列“企业名称”"},
		{Row: 3, Column: "统一社会信用代码", Reason: "格式不正确"},
		{Row: 7, Column: "名称", Reason: "=cmd|' /C calc'!A0"},
	})
	if err != nil {
		t.Fatal(err)
	}
	header, rows, err := readAll(t, buf.Bytes(), "errors.xlsx", sheet.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"行号", "列", "原因"}; !cmp.Equal(header, want) {
		t.Errorf("header = %q, want %q", header, want)
	}
	want := []gotRow{
		{2, []string{"", "", "缺少必填列“企业名称”"}},
		{3, []string{"3", "统一社会信用代码", "格式不正确"}},
		{4, []string{"7", "名称", "'=cmd|' /C calc'!A0"}},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
}
