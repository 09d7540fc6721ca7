package region_test

import (
	"context"
	"testing"

	"kechuang/data"
	"kechuang/internal/dbtest"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

func TestContains(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, scope, code string
		want              bool
	}{
		{name: "whole instance", scope: "", code: "320505", want: true},
		{name: "city contains its county", scope: "320500", code: "320505", want: true},
		{name: "city excludes another city's county", scope: "320500", code: "320105", want: false},
		{name: "county contains itself", scope: "320505", code: "320505", want: true},
		{name: "county excludes sibling", scope: "320505", code: "320506", want: false},
		{name: "county excludes its city-level record", scope: "320505", code: "320500", want: false},
		{name: "province contains county", scope: "320000", code: "320583", want: true},
		{name: "record without region is outside a scope", scope: "320500", code: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := region.Contains(tt.scope, tt.code); got != tt.want {
				t.Errorf("Contains(%q, %q) = %v, want %v", tt.scope, tt.code, got, tt.want)
			}
		})
	}
}

func TestLoadShippedTables(t *testing.T) {
	t.Parallel()
	rs, err := region.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]region.Region{}
	for _, r := range rs {
		byCode[r.Code] = r
	}
	want := map[string]region.Region{
		"320000": {Code: "320000", Name: "江苏省", Level: region.Province},
		"320500": {Code: "320500", Name: "苏州市", Level: region.City, ParentCode: "320000"},
		"320583": {Code: "320583", Name: "昆山市", Level: region.County, ParentCode: "320500"},
	}
	for code, w := range want {
		if got := byCode[code]; got != w {
			t.Errorf("region %s = %+v, want %+v", code, got, w)
		}
	}
	if len(rs) < 3000 {
		t.Errorf("Load() returned %d regions, want the whole country (> 3000)", len(rs))
	}
}

func TestServiceEnsureLoaded(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := region.NewService(db)
		n, err := s.EnsureLoaded(ctx, data.FS)
		if err != nil || n < 3000 {
			t.Fatalf("EnsureLoaded() = %d, %v", n, err)
		}
		if n, err := s.EnsureLoaded(ctx, data.FS); err != nil || n != 0 {
			t.Errorf("second EnsureLoaded() = %d, %v; want 0, nil", n, err)
		}
		kids, err := s.Children(ctx, "320500")
		if err != nil || len(kids) != 10 {
			t.Errorf("Children(苏州市) = %d regions, %v; want 10", len(kids), err)
		}
		if got := s.FullName(ctx, "320583"); got != "江苏省 苏州市 昆山市" {
			t.Errorf("FullName(320583) = %q", got)
		}
	})
}
