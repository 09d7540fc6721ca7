package directory_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"kechuang/data"
	"kechuang/internal/directory"
	"kechuang/internal/i18n"
)

func TestLoadReference(t *testing.T) {
	t.Parallel()
	r := shippedReference(t)
	lists := map[string]struct {
		cs   directory.Choices
		want int
	}{
		"institution types": {r.InstitutionTypes, 4}, "platform kinds": {r.PlatformKinds, 5}, "platform levels": {r.PlatformLevels, 3},
		"expert roles": {r.ExpertRoles, 3}, "broker grades": {r.BrokerGrades, 3}, "service organisation types": {r.ServiceOrgTypes, 6},
		"fund types": {r.FundTypes, 4}, "exit reasons": {r.ExitReasons, 4},
	}
	for name, l := range lists {
		if len(l.cs) != l.want {
			t.Errorf("%s: %d choices, want %d", name, len(l.cs), l.want)
		}
	}
	if got := r.InstitutionTypes.Label(i18n.Chinese, "new-rd"); got != "新型研发机构" {
		t.Errorf("Label(zh-CN, new-rd) = %q, want 新型研发机构", got)
	}
	if got := r.ExpertRoles.Label(i18n.English, "commissioner"); got != "Science and technology commissioner" {
		t.Errorf("Label(en, commissioner) = %q", got)
	}
	if got := r.FundTypes.Label(i18n.English, "no-such-type"); got != "no-such-type" {
		t.Errorf("Label of an unknown code = %q, want the code", got)
	}
	var next []string
	for _, k := range r.NextStage("maker-space") {
		next = append(next, k.Code)
	}
	if strings.Join(next, ",") != "incubator" {
		t.Errorf("NextStage(maker-space) = %v, want [incubator]", next)
	}
	next = nil
	for _, k := range r.NextStage("accelerator") {
		next = append(next, k.Code)
	}
	if strings.Join(next, ",") != "science-park,university-park" {
		t.Errorf("NextStage(accelerator) = %v, want both parks", next)
	}
	if len(r.NextStage("science-park")) != 0 {
		t.Errorf("NextStage(science-park) = %v, want none: the chain ends there", r.NextStage("science-park"))
	}
	if k, _ := r.CarrierKind("maker-space"); k.Measure != directory.Stations {
		t.Errorf("maker-space measure = %s, want stations", k.Measure)
	}
	for _, tt := range []struct {
		domain string
		ok     bool
	}{{"电子信息", true}, {"电子信息/软件", true}, {"电子信息/高分子材料", false}, {"软件", false}} {
		if got := r.ValidDomain(tt.domain); got != tt.ok {
			t.Errorf("ValidDomain(%q) = %v, want %v", tt.domain, got, tt.ok)
		}
	}
	if !r.ValidDiscipline("材料科学与工程") || r.ValidDiscipline("炼金术") || len(r.Disciplines) != 67 {
		t.Errorf("disciplines: %d loaded, 材料科学与工程 valid %v", len(r.Disciplines), r.ValidDiscipline("材料科学与工程"))
	}
	if r.Notice.Version == "" || r.Notice.Text(i18n.English) == r.Notice.Text(i18n.Chinese) {
		t.Errorf("notice = %+v, want a version and two texts", r.Notice)
	}
}

// TestLoadReferenceRejectsBrokenData: a label missing in one language, a
// repeated code or a kind without a measure stops the start with the file
// named.
func TestLoadReferenceRejectsBrokenData(t *testing.T) {
	t.Parallel()
	shipped := fstest.MapFS{}
	err := fs.WalkDir(data.FS, ".", func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() || !(strings.HasPrefix(path, "directory/") || strings.HasPrefix(path, "market/")) {
			return err
		}
		b, err := fs.ReadFile(data.FS, path)
		shipped[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, file, old, new, want string
	}{
		{name: "missing English label", file: "directory/brokers.json", old: `"en": "Junior technology broker"`, new: `"en": ""`,
			want: "brokers.json grades"},
		{name: "repeated code", file: "directory/funds.json", old: `"code": "pre-a"`, new: `"code": "angel"`, want: "funds.json rounds"},
		{name: "kind without measure", file: "directory/carriers.json", old: `"stage": 3, "measure": "area"`, new: `"stage": 3`,
			want: "carriers.json"},
		{name: "malformed JSON", file: "directory/experts.json", old: `"roles": [`, new: `"roles": {`, want: "experts.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for k, v := range shipped {
				fsys[k] = v
			}
			src := string(shipped[tt.file].Data)
			if !strings.Contains(src, tt.old) {
				t.Fatalf("%s lacks %q", tt.file, tt.old)
			}
			fsys[tt.file] = &fstest.MapFile{Data: []byte(strings.Replace(src, tt.old, tt.new, 1))}
			_, err := directory.LoadReference(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadReference = %v, want an error naming %q", err, tt.want)
			}
		})
	}
	if _, err := directory.LoadReference(shipped); err != nil {
		t.Errorf("LoadReference(copy of the shipped data) = %v", err)
	}
}

func TestSplitKeywords(t *testing.T) {
	t.Parallel()
	got := strings.Join(directory.SplitKeywords("机器视觉，缺陷检测;machine vision、 机器视觉\n深度学习"), "|")
	if want := "机器视觉|缺陷检测|machine vision|深度学习"; got != want {
		t.Errorf("SplitKeywords = %q, want %q", got, want)
	}
}
