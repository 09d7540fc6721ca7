package market

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"kechuang/data"
	"kechuang/internal/search/classify"
)

func TestShippedReference(t *testing.T) {
	t.Parallel()
	ref, err := LoadReference(data.FS)
	if err != nil {
		t.Fatalf("LoadReference(data.FS) = %v", err)
	}
	second := 0
	for _, d := range ref.Domains {
		second += len(d.Children)
	}
	// criteria.md's heading says 55 second-level domains, but its table and
	// its YAML list 52 (8+7+2+6+8+4+8+9), as the 2016 official list does.
	counts := []struct {
		name      string
		got, want int
	}{
		{"domains", len(ref.Domains), 8},
		{"second-level domains", second, 52},
		{"TRL levels", len(ref.TRL), 9},
		{"TRL bands", len(ref.TRLBands), 3},
		{"GB/T 4754 sections", len(ref.Sections), 20},
		{"transaction modes", len(ref.Modes), 6},
	}
	for _, c := range counts {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if ref.Sections[0].Code != "A" || ref.Sections[19].Code != "T" {
		t.Errorf("sections run %s…%s, want A…T", ref.Sections[0].Code, ref.Sections[19].Code)
	}
	if _, ok := ref.Band(Negotiable); !ok {
		t.Errorf("no %q band", Negotiable)
	}
	if _, ok := findChoice(ref.Modes, "equity"); !ok {
		t.Errorf("no 作价入股 mode")
	}
	tests := []struct {
		name string
		ok   bool
		got  bool
	}{
		{"domain top", true, ref.ValidDomain("电子信息")},
		{"domain second", true, ref.ValidDomain("电子信息/软件")},
		{"domain second of another top", false, ref.ValidDomain("新材料/软件")},
		{"industry section", true, ref.ValidIndustry("C")},
		{"industry division", true, ref.ValidIndustry("C39")},
		{"industry division outside section", false, ref.ValidIndustry("A39")},
		{"industry unknown", false, ref.ValidIndustry("Z")},
	}
	for _, tt := range tests {
		if tt.got != tt.ok {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.ok)
		}
	}
	p := 60.0
	if got := ref.BandOf(&p); got != "50-100" {
		t.Errorf("BandOf(60) = %q, want 50-100", got)
	}
	if got := ref.BandOf(nil); got != Negotiable {
		t.Errorf("BandOf(nil) = %q, want %q", got, Negotiable)
	}
}

func TestSimilarity(t *testing.T) {
	t.Parallel()
	const text = "本发明公开了一种基于深度学习的锂电池健康状态估计方法，利用充电曲线片段预测容量衰减。"
	tests := []struct {
		name        string
		title, body string
		wantTwin    bool
	}{
		{"same", "锂电池健康状态估计方法", text, true},
		{"punctuation and one word changed", "锂电池健康状态的估计方法", text[:len(text)-3] + "！", true},
		{"same title, other text", "锂电池健康状态估计方法", "一种用于污水处理的膜生物反应器，降低能耗并提高出水水质。", false},
		{"unrelated", "高强度铝合金焊接工艺", "通过搅拌摩擦焊实现高强铝合金的无缺陷连接。", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := similarity("锂电池健康状态估计方法", text, tt.title, tt.body)
			if (got >= twinThreshold) != tt.wantTwin {
				t.Errorf("similarity = %.2f, want twin %v", got, tt.wantTwin)
			}
		})
	}
}

// TestDisciplineDomains checks the hand-made discipline table against the
// classifier's labels and the domain list, and that LoadReference refuses a
// table naming a domain or second level that does not exist.
func TestDisciplineDomains(t *testing.T) {
	t.Parallel()
	ref, err := LoadReference(data.FS)
	if err != nil {
		t.Fatalf("LoadReference(data.FS) = %v", err)
	}
	m, err := classify.Default()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(ref.Disciplines), len(m.Discipline.Labels); got != want {
		t.Errorf("len(Disciplines) = %d, want %d (the classifier's disciplines)", got, want)
	}
	for _, name := range m.Discipline.Labels {
		if _, ok := ref.DisciplineDomain(name); !ok {
			t.Errorf("discipline %s of the classifier has no row in discipline_domains.json", name)
		}
	}
	known := []struct{ discipline, domain, sub string }{
		{"电气工程", "新能源与节能", ""},
		{"药学", "生物与新医药", ""},
		{"中医学/中药学", "生物与新医药", "中药、天然药物"},
		{"计算机科学与技术", "电子信息", ""},
		{"信息与通信工程", "电子信息", "通信技术"},
		{"哲学", "", ""},
		{"历史学", "", ""},
	}
	for _, k := range known {
		d, _ := ref.DisciplineDomain(k.discipline)
		if d.Domain != k.domain || d.Sub != k.sub {
			t.Errorf("DisciplineDomain(%s) = %q/%q, want %q/%q", k.discipline, d.Domain, d.Sub, k.domain, k.sub)
		}
	}

	tests := []struct {
		name    string
		table   string
		wantErr string // "" means accepted
	}{
		{"valid", `{"disciplines":[{"discipline":"药学","domain":"生物与新医药"},{"discipline":"哲学","domain":null}]}`, ""},
		{"unknown domain", `{"disciplines":[{"discipline":"药学","domain":"医药"}]}`, "unknown domain 医药"},
		{"second level of another domain", `{"disciplines":[{"discipline":"药学","domain":"新材料","sub":"软件"}]}`, "软件 is not a second level of 新材料"},
		{"second level without domain", `{"disciplines":[{"discipline":"药学","domain":null,"sub":"软件"}]}`, "without a domain"},
		{"twice", `{"disciplines":[{"discipline":"药学","domain":null},{"discipline":"药学","domain":null}]}`, "listed twice"},
		{"empty", `{"disciplines":[]}`, "no disciplines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			files, _ := fs.Glob(data.FS, "market/*.json")
			for _, f := range files {
				b, err := fs.ReadFile(data.FS, f)
				if err != nil {
					t.Fatal(err)
				}
				fsys[f] = &fstest.MapFile{Data: b}
			}
			fsys["market/discipline_domains.json"] = &fstest.MapFile{Data: []byte(tt.table)}
			_, err := LoadReference(fsys)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("LoadReference = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("LoadReference = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
